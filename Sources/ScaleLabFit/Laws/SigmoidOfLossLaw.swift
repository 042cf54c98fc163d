import Foundation

/// Accuracy as a sigmoid of loss, the second stage of a two-step law:
/// **y = lo + (hi − lo) / (1 + exp(k·(L − L0)))**, with the input x = L > 0 a loss (nats per
/// token, bits per byte, a task's negative log-likelihood) and k > 0.
///
/// As the loss falls through the threshold `L0` the score rises from `lo` (chance, at high loss)
/// to `hi` (the ceiling, at low loss); `k` is the steepness per unit of loss (the 10%–90% rise
/// takes 4.39/k). A score that falls as loss falls (inverse scaling) has hi < lo. Composed with a
/// law of loss against scale this is the two-step prediction of downstream accuracy (see
/// ``TwoStepFit``): the form of Bhagia et al. 2024 ("Establishing Task Scaling Laws via
/// Compute-Efficient Model Ladders", eq. 2) and of the Llama 3 report (Dubey et al. 2024, §3.2.1);
/// Gadre et al. 2024 ("Language models scale reliably with over-training and on downstream
/// tasks") and Ruan et al. 2024 (observational scaling laws) rest on the same idea that scores
/// follow loss (or a latent capability) through a saturating link.
///
/// Fitted as θ = (lo, hi, k, L0) directly, on linear residuals (binomial noise on an accuracy is
/// additive). Bounds: lo, hi ∈ [0, 1] when every y is in [0, 1], otherwise two spans of y beyond
/// its range; k ∈ [0.05, 200] per unit loss (losses span roughly 1–5 nats, so this runs from a
/// nearly straight line to a step); L0 within two spans of the observed losses on either side.
/// The ceiling is identified only once the data pass the threshold; before that, the diagnostics
/// report `hi` at a bound or a weak direction.
///
/// With a known `floor` (a task's chance level, as the OLMo ladder and Gadre et al. fix it), lo is
/// that constant and θ = (hi, k, L0): three parameters, and hi is bounded to the side of the floor
/// the data lie on (a score moves away from chance in its own direction) and, for a score in
/// [0, 1], to [floor, 1] — so every value of the law lies between chance and 1 by construction.
public struct SigmoidOfLossLaw: ScalingLaw {
    /// The fixed lower asymptote (chance), or nil to fit it.
    public let floor: Double?

    public init(floor: Double? = nil) {
        self.floor = floor.flatMap { $0.isFinite ? $0 : nil }
    }

    public let name = "sigmoid-of-loss"
    public let formula = "y = lo + (hi − lo)/(1 + exp(k·(L − L0)))"
    public var internalNames: [String] { floor == nil ? ["lo", "hi", "k", "L0"] : ["hi", "k", "L0"] }
    public var parameterNames: [String] { ["lo", "hi", "k", "L0"] }
    public let inputs = 1
    public let residualSpace = ResidualSpace.linear

    private func isAccuracy(_ data: FitData) -> Bool {
        (data.y.min() ?? 0) >= 0 && (data.y.max() ?? 0) <= 1
    }

    public func bounds(for data: FitData) -> (lower: [Double], upper: [Double]) {
        let low = data.y.min() ?? 0, high = data.y.max() ?? 1, span = high - low
        let lossMin = data.x.min() ?? 0, lossMax = data.x.max() ?? 0, lossSpan = lossMax - lossMin
        let threshold = (lossMin - 2 * lossSpan, lossMax + 2 * lossSpan)
        if let floor {
            let mean = data.y.reduce(0, +) / Double(max(data.count, 1))
            let ceiling: (Double, Double)
            if mean >= floor {
                ceiling = (floor, isAccuracy(data) ? max(1, floor) : max(high + 2 * span, floor))
            } else {
                ceiling = (isAccuracy(data) ? min(0, floor) : min(low - 2 * span, floor), floor)
            }
            return ([ceiling.0, 0.05, threshold.0], [ceiling.1, 200, threshold.1])
        }
        if isAccuracy(data) { return ([0, 0, 0.05, threshold.0], [1, 1, 200, threshold.1]) }
        return ([low - 2 * span, low - 2 * span, 0.05, threshold.0], [high + 2 * span, high + 2 * span, 200, threshold.1])
    }

    /// Thresholds L0 at seven points from a quarter span above the largest loss to a quarter span
    /// below the smallest, steepnesses of 1, 4 and 16 per loss span (a transition as wide as the
    /// data, a quarter of it, a sixteenth), and the ceiling at the largest observed y or at its
    /// bound (1 for accuracies); oriented by the sign of the trend of y against L.
    public func initialGuesses(for data: FitData) -> [[Double]] {
        let low = data.y.min() ?? 0, high = data.y.max() ?? 1, span = high - low
        let lossMin = data.x.min() ?? 0, lossMax = data.x.max() ?? 0
        let lossSpan = max(lossMax - lossMin, 1e-3 * max(1, abs(lossMax)))
        // With a fixed floor θ = (hi, k, L0), hi at the data's extreme on the floor's far side or at
        // its bound; otherwise θ = (lo, hi, k, L0) oriented by the trend.
        let fixed: (lower: Double, upper: Double, extremes: [Double])? = floor.map { floor in
            let (lower, upper) = bounds(for: data)
            let mean = data.y.reduce(0, +) / Double(max(data.count, 1))
            return (lower[0], upper[0], mean >= floor ? [high, upper[0]] : [low, lower[0]])
        }
        let ceilings = fixed?.extremes ?? [high, isAccuracy(data) ? 1 : high + span]
        // Scores normally rise as loss falls: a negative slope of y on L.
        let risesAsLossFalls = leastSquaresLine(data.x, data.y).slope <= 0
        var starts: [[Double]] = []
        for step in 0..<7 {
            let threshold = lossMax + 0.25 * lossSpan - 1.5 * lossSpan * Double(step) / 6
            for perSpan in [1.0, 4.0, 16.0] {
                let k = min(max(perSpan / lossSpan, 0.05), 200)
                for ceiling in ceilings {
                    if let fixed {
                        starts.append([min(max(ceiling, fixed.lower), fixed.upper), k, threshold])
                    } else {
                        starts.append(risesAsLossFalls ? [low, ceiling, k, threshold] : [ceiling, low, k, threshold])
                    }
                }
            }
        }
        return starts
    }

    public func predict(_ theta: [Double], data: FitData, values: inout [Double], jacobian: UnsafeMutablePointer<Double>?) {
        let fixed = floor != nil
        let lo = floor ?? theta[0], hi = theta[fixed ? 0 : 1], k = theta[fixed ? 1 : 2], threshold = theta[fixed ? 2 : 3]
        let width = fixed ? 3 : 4
        for i in 0..<data.count {
            let z = k * (data.x[i] - threshold)
            // s = 1/(1 + eᶻ) and 1 − s from e = e^−|z|, so neither overflows nor cancels.
            let e = exp(-abs(z))
            let s = z >= 0 ? e / (1 + e) : 1 / (1 + e)
            let complement = z >= 0 ? 1 / (1 + e) : e / (1 + e)
            values[i] = lo + (hi - lo) * s
            if let jacobian {
                let slope = e / ((1 + e) * (1 + e))  // s·(1 − s) = −ds/dz
                let row = jacobian + i * width
                var j = 0
                if !fixed { row[0] = complement; j = 1 }
                row[j] = s
                row[j + 1] = -(hi - lo) * slope * (data.x[i] - threshold)
                row[j + 2] = (hi - lo) * slope * k
            }
        }
    }

    public func parameters(_ theta: [Double]) -> [String: Double] {
        if let floor { return ["lo": floor, "hi": theta[0], "k": theta[1], "L0": theta[2]] }
        return ["lo": theta[0], "hi": theta[1], "k": theta[2], "L0": theta[3]]
    }
}
