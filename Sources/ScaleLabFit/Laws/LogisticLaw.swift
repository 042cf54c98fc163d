import Foundation

/// Logistic in log-scale with a floor and a ceiling:
/// **y = lo + (hi − lo) / (1 + exp(−k·(log₁₀ x − x0)))**.
///
/// The shape of an accuracy that sits at chance (`lo`), rises over a few decades of scale and
/// saturates at `hi` — the "emergent" curves of Wei et al. (2022), which are smooth sigmoids on a
/// log axis. `x0` is the log₁₀ scale of the midpoint and `k` the steepness per decade. A
/// decreasing curve (inverse scaling) has lo > hi. Accuracies (all y in [0, 1]) are bounded to
/// lo, hi ∈ [0, 1]; other responses to two spans beyond their range. k ∈ [0.05, 50], x0 within
/// three decades of the data. Linear residuals by default: binomial noise on an accuracy is
/// additive. The ceiling is only identified once the data pass the midpoint; before that the fit
/// is an honest guess, and the diagnostics say so.
public struct LogisticLaw: ScalingLaw {
    public init() {}

    public let name = "logistic"
    public let formula = "y = lo + (hi − lo)/(1 + exp(−k·(log10 x − x0)))"
    public let internalNames = ["lo", "hi", "k", "x0"]
    public let parameterNames = ["lo", "hi", "k", "x0"]
    public let inputs = 1
    public let residualSpace = ResidualSpace.linear

    private func isAccuracy(_ data: FitData) -> Bool {
        (data.y.min() ?? 0) >= 0 && (data.y.max() ?? 0) <= 1
    }

    public func bounds(for data: FitData) -> (lower: [Double], upper: [Double]) {
        let u = data.x.map(log10)
        let low = data.y.min() ?? 0, high = data.y.max() ?? 1, span = high - low
        let uMin = u.min() ?? 0, uMax = u.max() ?? 0
        if isAccuracy(data) { return ([0, 0, 0.05, uMin - 3], [1, 1, 50, uMax + 3]) }
        return ([low - 2 * span, low - 2 * span, 0.05, uMin - 3], [high + 2 * span, high + 2 * span, 50, uMax + 3])
    }

    /// Midpoints spread from the smallest x to a decade past the largest, two steepnesses, and the
    /// ceiling at the largest observed y or at its bound; oriented by the sign of the trend.
    public func initialGuesses(for data: FitData) -> [[Double]] {
        let u = data.x.map(log10)
        let low = data.y.min() ?? 0, high = data.y.max() ?? 1, span = high - low
        let ceilings = [high, isAccuracy(data) ? 1 : high + span]
        let increasing = leastSquaresLine(u, data.y).slope >= 0
        let uMin = u.min() ?? 0, uMax = u.max() ?? 0
        var starts: [[Double]] = []
        for step in 0..<7 {
            let x0 = uMin + (uMax + 1 - uMin) * Double(step) / 6
            for k in [1.0, 4.0] {
                for ceiling in ceilings {
                    starts.append(increasing ? [low, ceiling, k, x0] : [ceiling, low, k, x0])
                }
            }
        }
        return starts
    }

    public func predict(_ theta: [Double], data: FitData, values: inout [Double], jacobian: UnsafeMutablePointer<Double>?) {
        let lo = theta[0], hi = theta[1], k = theta[2], x0 = theta[3]
        for i in 0..<data.count {
            let u = log10(data.x[i])
            let z = k * (u - x0)
            let s = z >= 0 ? 1 / (1 + exp(-z)) : exp(z) / (1 + exp(z))
            values[i] = lo + (hi - lo) * s
            if let jacobian {
                let ds = s * (1 - s)
                jacobian[i * 4] = 1 - s
                jacobian[i * 4 + 1] = s
                jacobian[i * 4 + 2] = (hi - lo) * ds * (u - x0)
                jacobian[i * 4 + 3] = -(hi - lo) * ds * k
            }
        }
    }

    public func parameters(_ theta: [Double]) -> [String: Double] {
        ["lo": theta[0], "hi": theta[1], "k": theta[2], "x0": theta[3]]
    }
}
