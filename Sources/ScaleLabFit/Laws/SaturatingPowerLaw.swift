import Foundation

/// A power law rising to a ceiling: **y = C − A·x^(−α)**.
///
/// The mirror of ``PowerLaw`` for scores that grow with scale: the shortfall C − y (the error
/// rate, for an accuracy with C = 1) falls as a power of scale, as test error does in Hestness et
/// al. (2017, eq. 1) and Kaplan et al. (2020). C is the score approached at infinite scale, A the
/// scale of the shortfall and α its exponent. Fitted as θ = (C, log A, α) on linear residuals
/// (noise on a score is additive): C ∈ [0, 1] when every y is in [0, 1] (an accuracy cannot pass
/// 1), else within ten spans above the data; log A ∈ [−50, 100]; α ∈ [0, 5]. Three parameters: the
/// law a ladder of five or six models can support when a logistic (four) cannot.
public struct SaturatingPowerLaw: ScalingLaw {
    public init() {}

    public let name = "saturating"
    public let formula = "y = C − A·x^(−alpha)"
    public let internalNames = ["C", "logA", "alpha"]
    public let parameterNames = ["C", "A", "alpha"]
    public let inputs = 1
    public let residualSpace = ResidualSpace.linear

    private func ceilingRange(_ data: FitData) -> (Double, Double) {
        let low = data.y.min() ?? 0, high = data.y.max() ?? 1
        if low >= 0 && high <= 1 { return (0, 1) }
        return (low, high + 10 * max(high - low, abs(high), 1e-12))
    }

    public func bounds(for data: FitData) -> (lower: [Double], upper: [Double]) {
        let (low, high) = ceilingRange(data)
        return ([low, -50, 0], [high, 100, 5])
    }

    /// For ceilings just above the largest y (5%, 50% and 200% of the span above it, and the
    /// upper bound): the least-squares line of log(C₀ − y) on log x, and lines with α fixed at
    /// 0.1, 0.3, 0.7.
    public func initialGuesses(for data: FitData) -> [[Double]] {
        let lx = data.logX
        let low = data.y.min() ?? 0, high = data.y.max() ?? 1, span = max(high - low, 1e-6 * max(abs(high), 1))
        let (_, upper) = ceilingRange(data)
        var starts: [[Double]] = []
        for c0 in Set([high + 0.05 * span, high + 0.5 * span, high + 2 * span, upper].map { min($0, upper) }).sorted() where c0 > high {
            let z = data.y.map { log(c0 - $0) }
            let (slope, intercept) = leastSquaresLine(lx, z)
            let alpha = min(max(-slope, 1e-3), 4.9)
            starts.append([c0, alpha == -slope ? intercept : mean(zip(z, lx).map { $0 + alpha * $1 }), alpha])
            for fixed in [0.1, 0.3, 0.7] {
                starts.append([c0, mean(zip(z, lx).map { $0 + fixed * $1 }), fixed])
            }
        }
        return starts
    }

    public func predict(_ theta: [Double], data: FitData, values: inout [Double], jacobian: UnsafeMutablePointer<Double>?) {
        let c = theta[0], logA = theta[1], alpha = theta[2]
        for i in 0..<data.count {
            let lx = data.logX[i]
            let term = exp(logA - alpha * lx)
            values[i] = c - term
            if let jacobian {
                jacobian[i * 3] = 1
                jacobian[i * 3 + 1] = -term
                jacobian[i * 3 + 2] = lx * term
            }
        }
    }

    public func parameters(_ theta: [Double]) -> [String: Double] {
        ["C": theta[0], "A": exp(theta[1]), "alpha": theta[2]]
    }
}
