import Foundation

/// The estimator M4 of Alabdulmohsin, Neyshabur & Zhai (2022, "Revisiting Neural Scaling Laws in
/// Language and Vision", NeurIPS), which defines the prediction implicitly:
/// **(y − ε∞) / (ε0 − y)^α = β·x^(−c)**, with β > 0, c > 0, α ≥ 0.
///
/// For a falling error or loss y moves from ε0 (the error of random guessing, or the loss at the
/// start) towards the floor ε∞, so ε∞ < y < ε0 at every x. Far from ε0 the law is the power law
/// y ≈ ε∞ + β·(ε0 − ε∞)^α·x^(−c); near ε0 the factor (ε0 − y)^α flattens the curve into a plateau,
/// which is what lets M4 follow the slow start of a learning curve and its bend into the power-law
/// regime (the paper's case for it over M1–M3). α = 0 is the plain power law (capped at ε0); a
/// large ε0 far above the data makes (ε0 − y)^α nearly constant, which is the same.
///
/// For a rising score (an accuracy) the same form describes the mirrored quantity:
/// **(ceiling − y) / (y − floor)^α = β·x^(−c)**, so y rises from the floor (chance) at small x
/// towards the ceiling. `M4Law(rising: true)` is that law, named `m4-rising`; the falling one is
/// `m4`.
///
/// **Fitting.** θ = (ε∞, ε0, α, log β, c) falling, (ceiling, floor, α, log β, c) rising, with
/// - falling: ε∞ ∈ [0, min y] and ε0 ∈ [max y, max y + 10·max(span, |max y|)] (for min y ≤ 0,
///   possible only on linear residuals, ε∞ reaches R = 10·max(span, |min y|, |max y|) below min y);
///   log residuals, as for any loss;
/// - rising: ceiling ∈ [max y, 1] and floor ∈ [0, min y] when every y is in [0, 1] (an accuracy
///   cannot pass 1 or fall below 0), else R beyond the data on either side; linear residuals
///   (binomial noise on a score is additive);
/// - α ∈ [0, 5], log β ∈ [−50, 100], c ∈ [0.001, 3].
/// A bound on the data's extreme (ε∞ = min y) is harmless: the prediction is strictly inside
/// (ε∞, ε0) at every finite x.
///
/// **Evaluation.** With t = β·x^(−c) and W = ε0 − ε∞ (ceiling − floor), the distances
/// u = y − ε∞ and v = ε0 − y (u = ceiling − y and v = y − floor, rising) satisfy u = t·v^α and
/// u + v = W. g(y) = (y − ε∞) − t·(ε0 − y)^α is increasing on (ε∞, ε0) with one root; it is solved in
/// the monotone reparametrisation z = log(u/v), where g(y) = 0 reads
/// φ(z) = α·softplus(z) − softplus(−z) − K = 0, K = log t − (1 − α)·log W. φ′ = σ(−z) + α·σ(z) lies
/// between min(1, α) and max(1, α), φ is convex for α > 1 and concave for α < 1, and its two
/// asymptotes (z − K and α·z − K) give a finite bracket, so a Newton iteration safeguarded by
/// bisection converges in a few steps from any data. u = W·σ(z) and v = W·σ(−z) then both keep
/// full relative precision, whichever is small (y near the floor or near ε0); the iteration stops
/// at |Δz| ≤ 10⁻¹⁵·max(1, |z|), a relative error in u and v (and so in y) far below 10⁻¹³.
///
/// **Derivatives** by the implicit function theorem, ∂y/∂θ = −(∂g/∂θ)/(∂g/∂y), with
/// ∂g/∂y = 1 + α·u/v; multiplied through by v, with D = v + α·u (falling):
/// ∂y/∂ε∞ = v/D, ∂y/∂ε0 = α·u/D, ∂y/∂α = u·v·log v/D, ∂y/∂log β = u·v/D, ∂y/∂c = −u·v·log x/D.
/// Rising, the anchors' derivatives are the same and the last three change sign.
public struct M4Law: ScalingLaw {
    /// Whether the response rises towards a ceiling (a score) rather than falling to a floor.
    public let rising: Bool

    public init(rising: Bool = false) {
        self.rising = rising
    }

    public var name: String { rising ? "m4-rising" : "m4" }
    public var formula: String {
        rising ? "(ceiling − y)/(y − floor)^alpha = beta·x^(−c)" : "(y − eInf)/(e0 − y)^alpha = beta·x^(−c)"
    }
    public var internalNames: [String] {
        rising ? ["ceiling", "floor", "alpha", "logBeta", "c"] : ["eInf", "e0", "alpha", "logBeta", "c"]
    }
    public var parameterNames: [String] {
        rising ? ["ceiling", "floor", "alpha", "beta", "c"] : ["eInf", "e0", "alpha", "beta", "c"]
    }
    public let inputs = 1
    public var residualSpace: ResidualSpace { rising ? .linear : .log }

    /// The ranges of the limit (ε∞ or ceiling) and the start (ε0 or floor).
    private func anchorRanges(_ data: FitData) -> (limit: ClosedRange<Double>, start: ClosedRange<Double>) {
        let low = data.y.min() ?? 0, high = data.y.max() ?? 1
        let span = max(high - low, 1e-12 * max(abs(high), 1))
        let reach = 10 * max(span, abs(high), abs(low))
        if rising {
            let isScore = low >= 0 && high <= 1
            return (high...(isScore ? 1 : high + reach), (isScore ? 0 : low - reach)...low)
        }
        return ((low > 0 ? 0 : low - reach)...low, high...(high + 10 * max(span, abs(high))))
    }

    public func bounds(for data: FitData) -> (lower: [Double], upper: [Double]) {
        let (limit, start) = anchorRanges(data)
        return ([limit.lowerBound, start.lowerBound, 0, -50, 1e-3], [limit.upperBound, start.upperBound, 5, 100, 3])
    }

    /// A small grid over α ∈ {0, 0.5, 1, 2}, the limit (ε∞ at 0, 50%, 90%, 99% of min y; a ceiling
    /// 5% and 50% of the span above max y and at its bound) and the start (ε0 5%, 50% and 200% of
    /// the span above max y; a floor at 0, 50%, 90%, 99% of min y). At each grid point log β and c
    /// come from the least-squares line of log(u/v^α) on log x — the law is that line exactly —
    /// with c clipped to its bounds (and log β then refitted with c fixed). The 8 grid points
    /// with the smallest squared error in the law's residual space are kept: on the curves of
    /// `M4LawTests` every one of the 48 reaches the same optimum, so refining all would only
    /// repeat it.
    public func initialGuesses(for data: FitData) -> [[Double]] {
        let lx = data.logX
        let low = data.y.min() ?? 0, high = data.y.max() ?? 1
        let span = max(high - low, 1e-12 * max(abs(high), 1))
        let (limitRange, startRange) = anchorRanges(data)
        let nearLow: [Double] = [0, 0.5, 0.9, 0.99].map { low > 0 ? $0 * low : low - (1 - $0) * span }
        let aboveHigh: [Double] = [0.05, 0.5, 2].map { high + $0 * span }
        let limits = Set(rising ? Array(aboveHigh.prefix(2)) + [limitRange.upperBound] : nearLow).sorted()
        let starts = Set(rising ? nearLow : aboveHigh).sorted()
        var guesses: [[Double]] = []
        for limit in limits where limitRange.contains(limit) {
            for start in starts where startRange.contains(start) {
                for alpha in [0.0, 0.5, 1, 2] {
                    let z = data.y.map { y -> Double in
                        let u = max(rising ? limit - y : y - limit, 1e-12 * span)
                        let v = max(rising ? y - start : start - y, 1e-12 * span)
                        return log(u) - alpha * log(v)
                    }
                    let (slope, intercept) = leastSquaresLine(lx, z)
                    let c = min(max(-slope, 1e-3), 3)
                    let logBeta = c == -slope ? intercept : mean(zip(z, lx).map { $0 + c * $1 })
                    guesses.append([limit, start, alpha, min(max(logBeta, -50), 100), c])
                }
            }
        }
        var values = [Double](repeating: 0, count: data.count)
        let scored = guesses.map { theta -> (error: Double, theta: [Double]) in
            predict(theta, data: data, values: &values, jacobian: nil)
            var total = 0.0
            for (prediction, y) in zip(values, data.y) {
                let r = residualSpace == .log ? log(prediction / y) : prediction - y
                total += r * r
            }
            return (total.isFinite ? total : .infinity, theta)
        }
        return scored.sorted { $0.error < $1.error }.prefix(8).map(\.theta)
    }

    public func predict(_ theta: [Double], data: FitData, values: inout [Double], jacobian: UnsafeMutablePointer<Double>?) {
        let limit = theta[0], start = theta[1], alpha = theta[2], logBeta = theta[3], c = theta[4]
        let width = rising ? limit - start : start - limit
        let sign: Double = rising ? -1 : 1
        guard width > 0, width.isFinite, alpha >= 0 else {
            for i in 0..<data.count { values[i] = .nan }
            return
        }
        let logWidth = log(width)
        for i in 0..<data.count {
            let lx = data.logX[i]
            let k = logBeta - c * lx - (1 - alpha) * logWidth
            let z = Self.solve(k: k, alpha: alpha)
            let u = width * logistic(z), v = width * logistic(-z)
            // The anchor nearer y gives it with full relative precision.
            values[i] = u <= v ? limit + sign * u : start - sign * v
            guard let jacobian else { continue }
            let row = jacobian + i * 5
            let d = v + alpha * u
            guard d > 0 else {
                // α = 0 with y capped at the start: y = ε0 (the floor) whatever the other parameters.
                row[0] = 0; row[1] = 1; row[2] = 0; row[3] = 0; row[4] = 0
                continue
            }
            let uv = u * v / d
            row[0] = v / d
            row[1] = alpha * u / d
            row[2] = v > 0 ? sign * uv * log(v) : 0
            row[3] = sign * uv
            row[4] = -sign * uv * lx
        }
    }

    /// The root z of φ(z) = α·softplus(z) − softplus(−z) − k, +∞ when there is none (α = 0,
    /// k ≥ 0: the power law has passed the start, and y stays at it).
    static func solve(k: Double, alpha: Double) -> Double {
        let ln2 = 0.693_147_180_559_945_3
        if alpha == 0 { return k < 0 ? -log(expm1(-k)) : .infinity }
        // φ lies above both asymptotes z − k and α·z − k when α ≥ 1 and below them when α < 1; Newton
        // from the asymptotes' nearer root approaches the root from one side, and the softplus
        // bounds max(z, 0) ≤ softplus(z) ≤ max(z, 0) + log 2 close the bracket on the other.
        var lower: Double, upper: Double, z: Double
        if alpha >= 1 {
            upper = min(k, k / alpha)
            lower = min(k - alpha * ln2, k / alpha - ln2)
            z = upper
        } else {
            lower = max(k, k / alpha)
            upper = max(k + ln2, (k + ln2) / alpha)
            z = lower
        }
        for _ in 0..<100 {
            let value = alpha * softplus(z) - softplus(-z) - k
            if value == 0 { break }
            if value < 0 { lower = z } else { upper = z }
            let step = value / (logistic(-z) + alpha * logistic(z))
            if abs(step) <= 1e-15 * max(1, abs(z)) { return z - step }
            let next = z - step
            z = next > lower && next < upper ? next : 0.5 * (lower + upper)
        }
        return z
    }

    public func parameters(_ theta: [Double]) -> [String: Double] {
        let names = parameterNames
        return [names[0]: theta[0], names[1]: theta[1], "alpha": theta[2], "beta": exp(theta[3]), "c": theta[4]]
    }
}

/// σ(z) = 1/(1 + e^(−z)) without overflow.
@inline(__always)
func logistic(_ z: Double) -> Double {
    z >= 0 ? 1 / (1 + exp(-z)) : exp(z) / (1 + exp(z))
}
