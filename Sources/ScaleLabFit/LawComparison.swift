import Foundation

/// How one law fares on a data set, for choosing between laws.
public struct LawScore: Sendable, Codable {
    public var law: String
    /// Number of fitted parameters k.
    public var parameters: Int
    public var points: Int
    /// Distinct scales m among the points (distinct x, or (x, x₂) pairs for two-input laws).
    public var scales: Int
    /// Σ rᵢ² of the full-data fit in the comparison's residual space.
    public var rss: Double?
    /// Corrected Akaike information criterion (Hurvich & Tsai 1989), Gaussian errors:
    /// AICc = n·ln(RSS/n) + 2k + 2k(k+1)/(m − k − 1); nil when m ≤ k + 1 (undefined).
    ///
    /// The likelihood term counts all n points; the small-sample term counts the m distinct
    /// scales. Points at one scale (Pythia's standard and deduplicated twins, seeds, repeated
    /// evaluations) share that scale's departure from the law, so they are not independent
    /// evidence about the curve's shape: the correction's sample size is the number of
    /// independent units, here the scales (Burnham & Anderson 2002, on the effective sample size
    /// when observations are clustered). With one point per scale, m = n and this is plain AICc.
    public var aicc: Double?
    public var deltaAICc: Double?
    /// Akaike weight exp(−Δ/2) / Σ exp(−Δ/2): the relative support among the laws compared.
    public var weight: Double?
    /// Mean |r| on the largest-x points when the law is fitted without them: how well it
    /// extrapolates, the question a scaling law is for.
    public var extrapolationError: Double?
    public var heldOut: Int
    public var fit: FitResult?
    /// Why the law could not be fitted, when it could not.
    public var failure: String?
}

/// The laws compared on one data set, best first, with a plain-language verdict.
public struct LawComparison: Sendable, Codable {
    public var residualSpace: ResidualSpace
    public var scores: [LawScore]
    public var best: String?
    /// Laws within ΔAICc < 2 of the best: the data do not prefer one of them
    /// (Burnham & Anderson 2002, §2.6).
    public var indistinguishable: [String]
    public var verdict: String
}

extension Fitter {
    /// Fits every law to the same data in one residual space and ranks them by AICc, with each
    /// law's error when the `holdOut` largest-x points are left out and predicted
    /// (default: a fifth of the points, at least one).
    ///
    /// AICc compares likelihoods, so every law is scored on the same scale: this fitter's residual
    /// space if set, else log residuals when all y > 0 and linear otherwise.
    public func compare(_ laws: [any ScalingLaw], data: FitData, holdOut: Int? = nil) -> LawComparison {
        let space = residualSpace ?? (data.y.allSatisfy { $0 > 0 } ? .log : .linear)
        var fitter = self
        fitter.residualSpace = space
        let n = data.count, m = data.distinctScales
        let k = holdOut ?? max(1, n / 5)
        let order = data.x.indices.sorted { data.x[$0] < data.x[$1] }
        let trainIndices = Array(order.dropLast(k)), testIndices = Array(order.suffix(k))
        func residual(_ prediction: Double, _ y: Double) -> Double? {
            switch space {
            case .log: return prediction > 0 && prediction.isFinite ? log(prediction) - log(y) : nil
            case .linear: return prediction.isFinite ? prediction - y : nil
            }
        }

        var scores: [LawScore] = laws.map { law in
            let p = law.internalNames.count
            var score = LawScore(law: law.name, parameters: p, points: n, scales: m, heldOut: k)
            do throws(FitInputError) {
                let result = try fitter.fit(law, to: data)
                let predictions = law.predict(result.theta, x: data.x, x2: data.x2)
                let residuals = zip(predictions, data.y).compactMap(residual)
                guard residuals.count == n else {
                    throw FitInputError("\(law.name) predicts values that cannot be scored on a \(space) scale at some points")
                }
                // The likelihood the fit maximised: weighted residuals when the points are weighted.
                let rss = zip(residuals, data.weights ?? Array(repeating: 1, count: n)).reduce(0) { $0 + $1.0 * $1.0 * $1.1 * $1.1 }
                score.fit = result
                score.rss = rss
                score.aicc = m > p + 1
                    ? Double(n) * log(max(rss, 1e-300) / Double(n)) + 2 * Double(p) + 2 * Double(p * (p + 1)) / Double(m - p - 1)
                    : nil
            } catch {
                score.failure = error.description
            }
            let train = data.subset(trainIndices), test = data.subset(testIndices)
            if let early = try? fitter.fit(law, to: train) {
                let predictions = law.predict(early.theta, x: test.x, x2: test.x2)
                let errors = zip(predictions, test.y).compactMap { residual($0, $1).map(abs) }
                // A prediction that cannot be evaluated (≤ 0 on a log scale) leaves the error unknown.
                if errors.count == test.count { score.extrapolationError = errors.reduce(0, +) / Double(errors.count) }
            }
            return score
        }
        let finite = scores.compactMap(\.aicc).filter(\.isFinite)
        if let minimum = finite.min() {
            let total = finite.reduce(0) { $0 + exp(-($1 - minimum) / 2) }
            for index in scores.indices {
                guard let aicc = scores[index].aicc, aicc.isFinite else { continue }
                scores[index].deltaAICc = aicc - minimum
                scores[index].weight = exp(-(aicc - minimum) / 2) / total
            }
        }
        scores.sort { ($0.deltaAICc ?? .infinity, $0.law) < ($1.deltaAICc ?? .infinity, $1.law) }
        let best = scores.first { $0.deltaAICc != nil }
        let close = scores.filter { ($0.deltaAICc ?? .infinity) < 2 }.map(\.law)
        var verdict: String
        if let best {
            verdict = close.count > 1
                ? "the data cannot tell \(close.joined(separator: ", ")) apart (ΔAICc < 2)"
                : "\(best.law) is preferred (next law ΔAICc \(String(format: "%.1f", scores.dropFirst().first?.deltaAICc ?? .infinity)))"
            let extrapolating = scores.filter { $0.extrapolationError != nil }
                .min { $0.extrapolationError! < $1.extrapolationError! }
            if let extrapolating, extrapolating.law != best.law,
               let bestError = best.extrapolationError, let otherError = extrapolating.extrapolationError,
               otherError < 0.5 * bestError {
                verdict += "; but \(extrapolating.law) extrapolated better when the \(k) largest point\(k == 1 ? " was" : "s were") held out"
                    + String(format: " (%.3g vs %.3g)", otherError, bestError)
            }
        } else if scores.contains(where: { $0.fit != nil }) {
            verdict = "\(m) distinct scale\(m == 1 ? " is" : "s are") too few to rank these laws by AICc (a law with k parameters needs k + 2)"
        } else {
            verdict = "no law could be fitted"
        }
        return LawComparison(residualSpace: space, scores: scores, best: best?.law, indistinguishable: close, verdict: verdict)
    }
}
