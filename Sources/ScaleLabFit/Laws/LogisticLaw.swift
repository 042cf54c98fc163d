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
///
/// With a known `floor` — the chance level of a multiple-choice task (0.25 for four options) —
/// `lo` is fixed at it and only (hi, k, x0) are fitted: one parameter fewer, which matters with a
/// dozen models and is counted as such by AICc.
public struct LogisticLaw: ScalingLaw {
    /// The fixed floor, or nil to fit it.
    public var floor: Double?

    public init(floor: Double? = nil) {
        self.floor = floor
    }

    public let name = "logistic"
    public var formula: String {
        floor.map { "y = \($0) + (hi − \($0))/(1 + exp(−k·(log10 x − x0)))" }
            ?? "y = lo + (hi − lo)/(1 + exp(−k·(log10 x − x0)))"
    }
    public var internalNames: [String] { floor == nil ? ["lo", "hi", "k", "x0"] : ["hi", "k", "x0"] }
    public var parameterNames: [String] { floor == nil ? ["lo", "hi", "k", "x0"] : ["hi", "k", "x0"] }
    public let inputs = 1
    public let residualSpace = ResidualSpace.linear

    private func isAccuracy(_ data: FitData) -> Bool {
        (data.y.min() ?? 0) >= 0 && (data.y.max() ?? 0) <= 1
    }

    public func bounds(for data: FitData) -> (lower: [Double], upper: [Double]) {
        let u = data.x.map(log10)
        let low = data.y.min() ?? 0, high = data.y.max() ?? 1, span = high - low
        let uMin = u.min() ?? 0, uMax = u.max() ?? 0
        let full: (lower: [Double], upper: [Double]) = isAccuracy(data)
            ? ([0, 0, 0.05, uMin - 3], [1, 1, 50, uMax + 3])
            : ([low - 2 * span, low - 2 * span, 0.05, uMin - 3], [high + 2 * span, high + 2 * span, 50, uMax + 3])
        return floor == nil ? full : (Array(full.lower.dropFirst()), Array(full.upper.dropFirst()))
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
                    if floor != nil {
                        starts.append([increasing ? ceiling : low, k, x0])
                    } else {
                        starts.append(increasing ? [low, ceiling, k, x0] : [ceiling, low, k, x0])
                    }
                }
            }
        }
        return starts
    }

    public func predict(_ theta: [Double], data: FitData, values: inout [Double], jacobian: UnsafeMutablePointer<Double>?) {
        // θ is (lo, hi, k, x0), or (hi, k, x0) with the floor fixed.
        let offset = floor == nil ? 1 : 0
        let p = theta.count
        let lo = floor ?? theta[0], hi = theta[offset], k = theta[offset + 1], x0 = theta[offset + 2]
        for i in 0..<data.count {
            let u = log10(data.x[i])
            let z = k * (u - x0)
            let s = z >= 0 ? 1 / (1 + exp(-z)) : exp(z) / (1 + exp(z))
            values[i] = lo + (hi - lo) * s
            if let jacobian {
                let ds = s * (1 - s)
                let row = jacobian + i * p
                if floor == nil { row[0] = 1 - s }
                row[offset] = s
                row[offset + 1] = (hi - lo) * ds * (u - x0)
                row[offset + 2] = -(hi - lo) * ds * k
            }
        }
    }

    public func parameters(_ theta: [Double]) -> [String: Double] {
        if let floor { return ["lo": floor, "hi": theta[0], "k": theta[1], "x0": theta[2]] }
        return ["lo": theta[0], "hi": theta[1], "k": theta[2], "x0": theta[3]]
    }
}
