import Foundation

/// A score as an exponential of a loss, Gadre et al.'s second stage (2024, "Language models scale
/// reliably with over-training and on downstream tasks", eq. 5): average top-1 error
/// **Err(L) = ε − k·exp(−γ·L)**, with ε the error of a model that has learnt nothing and k, γ > 0,
/// so the error falls, ever faster, as the loss L falls.
///
/// Written for any score y (an error falls with the loss, an accuracy rises) as
/// **y = c + d·exp(−γ·(L − L̄))**, with L̄ a fixed centre (give the mean observed loss) so that d is the
/// score's departure from c at the data's centre (a coefficient of order one rather than k = −d·e^{γL̄},
/// which spans decades). θ = (c, d, γ) on linear residuals; Gadre's parameters are reported as
/// ε = c, k = −d·exp(γ·L̄) and γ. Bounds: γ ∈ [10⁻³, 50/span(L)], c and d within three spans of y
/// around its range.
public struct ExponentialOfLossLaw: ScalingLaw {
    /// L̄, the loss the coefficient d is measured at: a constant of the law, not fitted.
    public let centre: Double

    public init(centre: Double = 0) {
        self.centre = centre.isFinite ? centre : 0
    }

    public let name = "exponential-of-loss"
    public let formula = "y = epsilon − k·exp(−gamma·L)"
    public let internalNames = ["c", "d", "gamma"]
    public let parameterNames = ["epsilon", "k", "gamma"]
    public let inputs = 1
    public let residualSpace = ResidualSpace.linear

    public func bounds(for data: FitData) -> (lower: [Double], upper: [Double]) {
        let low = data.y.min() ?? 0, high = data.y.max() ?? 1, span = max(high - low, 1e-6)
        let lossSpan = max((data.x.max() ?? 1) - (data.x.min() ?? 0), 1e-3)
        return ([low - 3 * span, -3 * span, 1e-3], [high + 3 * span, 3 * span, 50 / lossSpan])
    }

    /// Rates of 0.5, 2 and 8 per loss span; the asymptote c at the score of the highest-loss point
    /// or a span beyond it; d oriented by the trend of y against L.
    public func initialGuesses(for data: FitData) -> [[Double]] {
        let low = data.y.min() ?? 0, high = data.y.max() ?? 1, span = max(high - low, 1e-6)
        let lossSpan = max((data.x.max() ?? 1) - (data.x.min() ?? 0), 1e-3)
        let falls = leastSquaresLine(data.x, data.y).slope > 0  // y falls as L falls (an error)
        var starts: [[Double]] = []
        for perSpan in [0.5, 2.0, 8.0] {
            for offset in [0.0, 1.0] {
                let c = falls ? high + offset * span : low - offset * span
                starts.append([c, falls ? -0.5 * span : 0.5 * span, perSpan / lossSpan])
            }
        }
        return starts
    }

    public func predict(_ theta: [Double], data: FitData, values: inout [Double], jacobian: UnsafeMutablePointer<Double>?) {
        let c = theta[0], d = theta[1], gamma = theta[2], mean = centre
        for i in 0..<data.count {
            let shifted = data.x[i] - mean
            let e = exp(-gamma * shifted)
            values[i] = c + d * e
            if let jacobian {
                let row = jacobian + i * 3
                row[0] = 1
                row[1] = e
                row[2] = -d * shifted * e
            }
        }
    }

    /// Gadre et al.'s ε = c, k = −d·exp(γ·L̄) and γ.
    public func parameters(_ theta: [Double]) -> [String: Double] {
        ["epsilon": theta[0], "k": -theta[1] * exp(theta[2] * centre), "gamma": theta[2]]
    }
}
