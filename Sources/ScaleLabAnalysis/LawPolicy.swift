import Foundation
import ScaleLabFit

/// Something that can forecast a curve from its points: a law, or one of the naive baselines a
/// law has to beat.
public enum ForecastMethod: Sendable {
    case law(any ScalingLaw)
    case baseline(Baseline)
    /// The task's last value moved by the average task's gain (``AggregateTrend``).
    case aggregateTrend

    public var name: String {
        switch self {
        case .law(let law): return law.name
        case .baseline(let baseline): return baseline.rawValue
        case .aggregateTrend: return AggregateTrend.name
        }
    }

    /// Quantities estimated from the curve: a law's parameters; one for the last value and the
    /// aggregate trend (the trend's slope is borrowed from the other tasks), two for the line.
    public var parameters: Int {
        switch self {
        case .law(let law): return law.internalNames.count
        case .baseline(.lastValue), .aggregateTrend: return 1
        case .baseline(.linearInLogX), .baseline(.localTrend): return 2
        }
    }

    public var law: (any ScalingLaw)? { if case .law(let law) = self { return law } else { return nil } }

    /// The fewest distinct scales it can be fitted to: k + 1 for a law of k parameters (one
    /// residual degree of freedom), three for the local trend, two for a line, one for the last value.
    var minimumScales: Int {
        switch self {
        case .law(let law): return law.internalNames.count + 1
        case .baseline(.lastValue): return 1
        case .baseline(.localTrend): return 3
        case .baseline(.linearInLogX), .aggregateTrend: return 2
        }
    }
}

/// One candidate's record in the inner backtest.
public struct CandidateScore: Sendable, Codable {
    public var method: String
    public var parameters: Int
    /// Distance-weighted mean |error| of its inner forecasts (score units for scores, log units for
    /// losses); nil when it could not be scored.
    public var innerError: Double?
    /// Inner forecasts behind the score, and the origins they were made from.
    public var forecasts: Int
    public var origins: Int
    /// Why it was not scored (too few points at the inner origins, or a fit that failed).
    public var note: String?
}

/// How the method was chosen.
public enum ChoiceBasis: String, Sendable, Codable {
    /// By the inner forecasts of the curve's own later points.
    case innerForecasts = "inner-forecasts"
    /// The curve is too short for inner forecasts: AICc among the laws, simplest within ΔAICc 2.
    case aicc
}

/// The method chosen for a curve and the evidence behind it.
public struct LawDecision: Sendable, Codable {
    public var chosen: String
    public var basis: ChoiceBasis
    /// Every candidate, best inner error first (laws and baselines alike).
    public var candidates: [CandidateScore]
    /// The AICc comparison of the laws (the fallback's ranking; also shown beside the inner scores).
    public var comparison: LawComparison?
    /// The extrapolation distance in log₁₀ x the inner forecasts were weighted towards, when known.
    public var distance: Double?
    /// "chosen: X — inner forecast error …, next best …".
    public var evidence: String
    /// Each scored candidate's mean |error| per inner origin (for pooling across curves; not encoded).
    var originMeans: [String: [Double]] = [:]

    enum CodingKeys: String, CodingKey { case chosen, basis, candidates, comparison, distance, evidence }
}

/// One policy for choosing the law a curve is forecast with, used by `fit`, `predict`,
/// `backtest`, stacking and the report.
///
/// **Choice by extrapolation evidence.** A scaling law is for extrapolation, and in-sample fit
/// (AICc included) rewards flexibility that extrapolates badly: a law that bends to the last few
/// points overshoots once a curve flattens. So each candidate — every law the points can support,
/// moving the metric's way, and the baselines (last value, line in log x, the aggregate trend of
/// the other tasks when known) — forecasts the curve's own later points from its earlier ones:
/// for each rolling origin o inside the fit set (a distinct scale with enough points at or below
/// it for the candidate), it is fitted on the points ≤ o and predicts every fitted point > o
/// (a time-series cross-validation with a rolling origin; Tashman 2000; Hyndman & Athanasopoulos
/// 2021, §5.10). Errors are measured where the metric is judged — score points for scores, log
/// units for losses — and each inner forecast is weighted by how alike its distance d = log₁₀(x/o)
/// is to the requested distance h: w = min(d, h)/max(d, h). The candidate with the least weighted
/// mean |error| is chosen; candidates are compared on the same origins (those where every
/// compared law can be fitted).
///
/// **Tie rule.** Among candidates whose inner error is within one standard error of the best —
/// the error of the mean of the per-origin paired differences, when there are ≥ 3 origins — the one
/// with the fewest estimated quantities wins (the one-standard-error rule: Breiman et al. 1984,
/// §3.4.3; Hastie, Tibshirani & Friedman 2009, §7.10). A baseline therefore wins unless a law
/// forecasts the curve's own future measurably better: a method that cannot beat the naive
/// baselines on a curve falls back to them, and says so.
///
/// **Fallback.** Where the curve is too short for any inner forecast by a law (a three-parameter
/// law needs four distinct scales at or below an inner origin and a later scale to predict), the
/// laws are ranked by AICc as before (the simplest within ΔAICc 2 of the best; Burnham & Anderson
/// 2002, §2.6), and the evidence says so.
public enum LawPolicy {
    /// The most inner origins used (the latest ones): enough for a stable score on long learning
    /// curves without refitting every law at every checkpoint.
    public static let maximumOrigins = 8

    /// The candidates for `data`: the direction-aware laws it supports (``LawCatalog/candidates(for:higherIsBetter:)``)
    /// with the logistic floor fixed when known, then the baselines.
    public static func candidates(for data: FitData, options: ForecastOptions, trend: Bool) -> [ForecastMethod] {
        let laws = LawCatalog.candidates(for: data, higherIsBetter: options.higherIsBetter).map { options.configured($0) }
        return laws.map(ForecastMethod.law) + Baseline.allCases.map(ForecastMethod.baseline) + (trend ? [.aggregateTrend] : [])
    }

    /// Chooses the method `data` is forecast with at the distance `distance` (log₁₀ of the
    /// requested x over the largest fitted x; nil when no scale is requested).
    public static func decide(_ data: FitData, options: ForecastOptions, distance: Double?, trend: AggregateTrend?) -> LawDecision {
        let scale = MetricScale.of(data.y, higherIsBetter: options.higherIsBetter)
        let candidates = candidates(for: data, options: options, trend: trend != nil)
        let scales = Array(Set(data.x)).sorted()
        func supports(_ method: ForecastMethod, origin: Double) -> Bool {
            let kept = data.x.filter { $0 <= origin }
            // A law also needs k + 2 points (a residual degree of freedom beyond its scales).
            return Set(kept).count >= method.minimumScales && (method.law.map { kept.count >= $0.internalNames.count + 2 } ?? true)
        }
        // Inner origins: every scale but the last, where the simplest law can be fitted.
        let laws = candidates.filter { $0.law != nil }
        let lawOrigins = laws.map { law in scales.dropLast().filter { supports(law, origin: $0) } }
        let base = lawOrigins.map(\.count).max() ?? 0
        // A law is compared only if it can be fitted at most of the origins the simplest law has
        // (at least two): a law seen at one origin would be judged on one forecast.
        let needed = base <= 1 ? base : max(2, (2 * base + 2) / 3)
        var scores: [CandidateScore] = []
        var compared: [ForecastMethod] = []
        for (method, origins) in zip(laws, lawOrigins) {
            if origins.count >= max(needed, 1) {
                compared.append(method)
            } else {
                scores.append(CandidateScore(method: method.name, parameters: method.parameters, innerError: nil, forecasts: 0,
                                             origins: origins.count,
                                             note: "too few points below the inner origins for \(method.parameters) parameters"))
            }
        }
        // No law can be checked on the curve's own later points. With at least three scales the
        // baselines still can; an unchecked law is then no default (it would be extrapolated on
        // the strength of its in-sample fit alone), so the baselines compete among themselves.
        // AICc decides only where nothing can be checked.
        let unchecked = compared.isEmpty
        guard !unchecked || scales.count >= 3 else {
            return aiccDecision(data, options: options, candidates: candidates, scale: scale, distance: distance,
                                reason: "the curve is too short for inner forecasts (\(scales.count) distinct scales)")
        }
        // Baselines that can be fitted at the latest inner origin (the local trend needs three scales).
        if let latest = scales.dropLast().last { compared += candidates.filter { $0.law == nil && supports($0, origin: latest) } }
        let common = Array(scales.dropLast().filter { origin in compared.allSatisfy { supports($0, origin: origin) } }
            .suffix(maximumOrigins))
        // Inner forecasts: per candidate, per origin, the weighted |errors| (nil where it failed).
        // An origin counts in proportion to the share of the fit set's log-x span behind it
        // (f = log(o/x_min)/log(x_max/x_min)): a forecast from the first few checkpoints of a
        // learning curve, made on little of the curve, resembles the real forecast less than one
        // made late (Tashman 2000 on the representativeness of rolling origins).
        let lowest = log(scales.first ?? 1), span = log(scales.last ?? 1) - lowest
        var cells: [[[(weight: Double, error: Double)]?]] = []
        var failures: [String?] = []
        for method in compared {
            var row: [[(weight: Double, error: Double)]?] = []
            var failure: String?
            for origin in common {
                let train = data.subset(data.x.indices.filter { data.x[$0] <= origin })
                let test = data.x.indices.filter { data.x[$0] > origin }
                let xs = test.map { data.x[$0] }
                let position = span > 0 ? (log(origin) - lowest) / span : 1
                guard let predictions = predict(method, train: train, origin: origin, at: xs, options: options, trend: trend) else {
                    failure = failure ?? "could not be fitted up to \(format(origin))"
                    row.append(nil)
                    continue
                }
                var here: [(weight: Double, error: Double)]? = []
                for (k, row) in test.enumerated() {
                    guard let e = errorInJudgedUnits(observed: data.y[row], predicted: predictions[k], scale: scale) else {
                        failure = failure ?? "predicts a value that cannot be scored from \(format(origin))"
                        here = nil
                        break
                    }
                    let d = log10(xs[k] / origin)
                    let w = distance.map { h in h > 0 && d > 0 ? min(d, h) / max(d, h) : 1 } ?? 1
                    here?.append((w * max(position, 1e-3), abs(e)))
                }
                row.append(here)
            }
            cells.append(row)
            failures.append(failure)
        }
        // A candidate that failed at more than half of the origins is out; the others are scored on
        // the origins where all of them succeeded (a fit that fails on the first, flat checkpoints
        // of a learning curve does not disqualify a law that forecasts the rest).
        let kept = compared.indices.filter { m in 2 * cells[m].filter { $0 == nil }.count <= common.count }
        let usable = common.indices.filter { o in kept.allSatisfy { cells[$0][o] != nil } }
        var perOrigin: [[(weight: Double, error: Double)]?] = []
        var records: [CandidateScore] = []
        for m in compared.indices {
            let method = compared[m]
            guard kept.contains(m), !usable.isEmpty else {
                records.append(CandidateScore(method: method.name, parameters: method.parameters, innerError: nil, forecasts: 0,
                                              origins: common.count, note: failures[m] ?? "no origin where every candidate could be fitted"))
                perOrigin.append(nil)
                continue
            }
            let rows = usable.flatMap { cells[m][$0]! }
            let total = rows.reduce(0) { $0 + $1.weight }
            let means = usable.map { o -> Double in
                let here = cells[m][o]!
                let weight = here.reduce(0) { $0 + $1.weight }
                return weight > 0 ? here.reduce(0) { $0 + $1.weight * $1.error } / weight : 0
            }
            records.append(CandidateScore(method: method.name, parameters: method.parameters,
                                          innerError: total > 0 ? rows.reduce(0) { $0 + $1.weight * $1.error } / total : nil,
                                          forecasts: rows.count, origins: usable.count, note: failures[m]))
            perOrigin.append(means.map { (1, $0) })
        }
        let scoredOrigins = usable.map { common[$0] }
        let scored = records.indices.filter { records[$0].innerError != nil }
        guard let best = scored.min(by: { records[$0].innerError! < records[$1].innerError! }) else {
            return aiccDecision(data, options: options, candidates: candidates, scale: scale, distance: distance,
                                reason: "no candidate could forecast the curve's later points")
        }
        // One-standard-error rule over origins (≥ 3 origins): the simplest candidate within one SE
        // of the best's paired error.
        var chosen = best
        if scoredOrigins.count >= 3, let bestMeans = perOrigin[best] {
            let within = scored.filter { i in
                guard let mine = perOrigin[i] else { return false }
                let differences = zip(mine, bestMeans).map { $0.1 - $1.1 }
                let mean = differences.reduce(0, +) / Double(differences.count)
                let variance = differences.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(max(differences.count - 1, 1))
                return mean <= (variance / Double(differences.count)).squareRoot()
            }
            chosen = within.min { (records[$0].parameters, records[$0].innerError!) < (records[$1].parameters, records[$1].innerError!) } ?? best
        }
        let ordered = records.sorted { ($0.innerError ?? .infinity, $0.parameters) < ($1.innerError ?? .infinity, $1.parameters) } + scores
        let unit = scale == .positive ? "log units" : "score units"
        let runnerUp = ordered.first { $0.method != records[chosen].method && $0.innerError != nil }
        var evidence = "chosen: \(records[chosen].method) — inner forecast error \(format(records[chosen].innerError!)) \(unit)"
            + " over \(records[chosen].forecasts) forecasts from \(scoredOrigins.count) origin\(scoredOrigins.count == 1 ? "" : "s")"
        if let runnerUp { evidence += ", next best \(runnerUp.method) \(format(runnerUp.innerError!))" }
        if chosen != best { evidence += "; \(records[best].method) was within one standard error and has more parameters" }
        if unchecked {
            evidence += "; no law could be checked on this curve's own later points (\(scales.count) scales; a law needs k + 2 at an inner origin), "
                + "so it is not extrapolated on its in-sample fit alone"
        } else if compared[chosen].law == nil {
            evidence += "; no law forecast this curve's own later points better than \(records[chosen].method)"
        }
        var decision = LawDecision(chosen: records[chosen].method, basis: .innerForecasts, candidates: ordered, comparison: nil,
                                   distance: distance, evidence: evidence)
        for (i, record) in records.enumerated() { if let means = perOrigin[i] { decision.originMeans[record.method] = means.map(\.error) } }
        return decision
    }

    /// The method a decision names, as `options` configure it (a logistic's floor).
    public static func method(named name: String, options: ForecastOptions) -> ForecastMethod? {
        if let baseline = Baseline(rawValue: name) { return .baseline(baseline) }
        if name == AggregateTrend.name { return .aggregateTrend }
        return LawCatalog.law(named: name).map { .law(options.configured($0)) }
    }

    /// One inner forecast: its signed error on the metric's scale (``MetricScale``) and its
    /// distance d = log₁₀(x/o) from the inner origin o.
    public struct InnerError: Sendable {
        public var error: Double
        public var distance: Double
    }

    /// The inner forecast errors of `method` on `data` from the latest ``maximumOrigins`` origins it
    /// can be fitted at: what its intervals are built from when a baseline is chosen.
    public static func innerErrors(of method: ForecastMethod, data: FitData, options: ForecastOptions,
                                   trend: AggregateTrend?) -> [InnerError] {
        let scale = MetricScale.of(data.y, higherIsBetter: options.higherIsBetter)
        let scales = Array(Set(data.x)).sorted()
        var out: [InnerError] = []
        for origin in scales.dropLast().filter({ o in Set(data.x.filter { $0 <= o }).count >= method.minimumScales }).suffix(maximumOrigins) {
            let train = data.subset(data.x.indices.filter { data.x[$0] <= origin })
            let test = data.x.indices.filter { data.x[$0] > origin }
            guard let predictions = predict(method, train: train, origin: origin, at: test.map { data.x[$0] }, options: options,
                                            trend: trend) else { continue }
            for (k, row) in test.enumerated() {
                if let e = scale.error(observed: data.y[row], predicted: scale.clamp(predictions[k])) {
                    out.append(InnerError(error: e, distance: log10(data.x[row] / origin)))
                }
            }
        }
        return out
    }

    /// `method` fitted to `train` (largest x `origin`) and evaluated at `xs`; nil when it cannot be.
    static func predict(_ method: ForecastMethod, train: FitData, origin: Double, at xs: [Double], options: ForecastOptions,
                        trend: AggregateTrend?) -> [Double]? {
        switch method {
        case .law(let law):
            guard let fit = try? options.fitter.fit(law, to: train) else { return nil }
            let values = law.predict(fit.theta, x: xs)
            return values.allSatisfy(\.isFinite) ? values : nil
        case .baseline(let baseline):
            let scale = MetricScale.of(train.y, higherIsBetter: options.higherIsBetter)
            return xs.map { baseline.predict(train, at: $0, scale: scale) }
        case .aggregateTrend:
            guard let shifts = trend?.shifts(from: origin, to: xs) else { return nil }
            let last = Baseline.lastValue.predict(train, at: origin)
            return shifts.map { last + $0 }
        }
    }

    /// |error| where the metric is judged: score points for scores (after mapping the prediction
    /// into [0, 1]), log units for positive metrics.
    static func errorInJudgedUnits(observed: Double, predicted: Double, scale: MetricScale) -> Double? {
        guard predicted.isFinite else { return nil }
        switch scale {
        case .positive: return predicted > 0 ? log(observed) - log(predicted) : nil
        case .unit: return observed - scale.clamp(predicted)
        case .unbounded: return observed - predicted
        }
    }

    /// The AICc fallback: the laws ranked by AICc, the simplest within ΔAICc 2 of the best.
    static func aiccDecision(_ data: FitData, options: ForecastOptions, candidates: [ForecastMethod], scale: MetricScale,
                             distance: Double?, reason: String) -> LawDecision {
        let laws = candidates.compactMap(\.law)
        var comparer = options.fitter
        // A score's noise is additive (binomial): compare laws on linear residuals; a loss's on log residuals.
        if comparer.residualSpace == nil, options.higherIsBetter == true { comparer.residualSpace = .linear }
        let compared = laws.isEmpty ? nil : comparer.compare(laws, data: data)
        let supported = compared?.scores.filter { $0.fit != nil && ($0.deltaAICc ?? .infinity) < 2 } ?? []
        let fitted = supported.isEmpty ? (compared?.scores.filter { $0.fit != nil } ?? []) : supported
        let simplest = fitted.min { ($0.parameters, $0.aicc ?? $0.rss ?? .infinity) < ($1.parameters, $1.aicc ?? $1.rss ?? .infinity) }
        let records = candidates.map { method in
            CandidateScore(method: method.name, parameters: method.parameters, innerError: nil, forecasts: 0, origins: 0, note: reason)
        }
        guard let simplest else {
            // No law at all: the last value, said plainly.
            return LawDecision(chosen: Baseline.lastValue.rawValue, basis: .aicc, candidates: records, comparison: compared,
                               distance: distance, evidence: "chosen: last-value — \(reason), and no law could be fitted"
                                   + (compared?.scores.compactMap(\.failure).first.map { " (\($0))" } ?? ""))
        }
        let how = supported.count > 1 ? "the simplest of \(supported.map(\.law).joined(separator: ", ")) within ΔAICc 2"
            : simplest.deltaAICc == nil ? "the simplest law that fitted (too few scales to rank by AICc)" : "the AICc-best law"
        return LawDecision(chosen: simplest.law, basis: .aicc, candidates: records, comparison: compared, distance: distance,
                           evidence: "chosen: \(simplest.law) by AICc, \(how) — \(reason)")
    }

    /// Decisions for several curves of one metric, made together: the ladder's evidence decides
    /// unless a curve's own evidence is strong enough to overrule it.
    ///
    /// A curve with two inner origins says little about which method forecasts it best (on
    /// Pythia, choosing per curve from two origins picked a baseline for 40% of the curves and
    /// lost 0.003 of accuracy to choosing one law for all); the other curves of the same metric,
    /// forecast over the same distances, say more. So:
    /// 1. **The ladder's choice** is the method with the least mean, over the curves it was scored
    ///    on, of its inner error minus the last value's (paired on each curve, so that noisy tasks
    ///    do not dominate); ties go to fewer parameters. Methods scored on fewer than half of the
    ///    curves are not eligible.
    /// 2. **A curve overrules it** only with ≥ 3 inner origins and a method whose per-origin errors
    ///    beat the ladder's choice significantly — a one-sided paired t test at 5% on the per-origin
    ///    differences (pooled evidence is the default, a curve's own must reject it): then the
    ///    curve's best such method. With one standard error as the bar, the learning curves of one
    ///    Pythia run overruled the ladder on 45 of 65 tasks, and the checkpoint backtest (every
    ///    0-shot accuracy, a quarter of training predicting the end) scored 0.0303, no better than
    ///    the last value; with the test, 0.0289. Short ladders follow the ladder.
    /// With fewer than 3 curves, nothing is pooled.
    public static func pool(_ decisions: [LawDecision]) -> [LawDecision] {
        let eligible = decisions.indices.filter { decisions[$0].basis == .innerForecasts }
        guard eligible.count >= 3 else { return decisions }
        let reference = Baseline.lastValue.rawValue
        var sums: [String: (total: Double, count: Int)] = [:]
        var parameters: [String: Int] = [:]
        for i in eligible {
            guard let base = decisions[i].candidates.first(where: { $0.method == reference })?.innerError else { continue }
            for candidate in decisions[i].candidates {
                guard let score = candidate.innerError else { continue }
                sums[candidate.method] = ((sums[candidate.method]?.total ?? 0) + score - base, (sums[candidate.method]?.count ?? 0) + 1)
                parameters[candidate.method] = candidate.parameters
            }
        }
        let ladder = sums.filter { 2 * $0.value.count >= eligible.count }
            .map { (method: $0.key, difference: $0.value.total / Double($0.value.count), curves: $0.value.count) }
            .min { ($0.difference, parameters[$0.method] ?? 0, $0.method) < ($1.difference, parameters[$1.method] ?? 0, $1.method) }
        guard let ladder else { return decisions }
        var out = decisions
        for i in eligible {
            let own = decisions[i]
            guard let ladderMeans = own.originMeans[ladder.method] else { continue }  // not scored here: the curve's own choice stands
            var chosen = ladder.method
            var overruled = false
            if ladderMeans.count >= 3 {
                let better = own.candidates.compactMap { candidate -> (String, Double)? in
                    guard candidate.method != ladder.method, let score = candidate.innerError,
                          let means = own.originMeans[candidate.method], means.count == ladderMeans.count else { return nil }
                    let d = zip(means, ladderMeans).map { $0 - $1 }
                    let mean = d.reduce(0, +) / Double(d.count)
                    let variance = d.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(d.count - 1)
                    // A one-sided paired t test at 5%: the curve's own origins must reject the ladder's choice.
                    let t = Probability.studentUpperQuantile(0.05, df: Double(d.count - 1))
                    return mean < -t * (variance / Double(d.count)).squareRoot() ? (candidate.method, score) : nil
                }
                if let best = better.min(by: { $0.1 < $1.1 }) {
                    chosen = best.0
                    overruled = true
                }
            }
            out[i].chosen = chosen
            let score = own.candidates.first { $0.method == chosen }?.innerError
            out[i].evidence = "chosen: \(chosen) — "
                + (overruled ? "this curve's inner forecast error \(score.map(format) ?? "—") beats the ladder's choice \(ladder.method) significantly (paired t, 5%)"
                    : "the ladder's choice: over \(ladder.curves) curves its inner forecast error is \(format(abs(ladder.difference))) "
                        + (ladder.difference <= 0 ? "below" : "above") + " the last value's on average (this curve's own \(score.map(format) ?? "—"))")
                + (LawCatalog.law(named: chosen) == nil ? "; no law forecast these curves' later points better than \(chosen)" : "")
        }
        return out
    }

    static func format(_ value: Double) -> String { String(format: "%.3g", value) }
}
