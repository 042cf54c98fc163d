import Foundation
import ScaleLabCore

/// The metric mirage (Schaeffer, Miranda & Koyejo 2023, "Are emergent abilities of large language
/// models a mirage?"): a task whose exact-match accuracy jumps between two adjacent models may
/// improve smoothly underneath, because exact match is a steep nonlinear function of the per-token
/// probability (all L tokens right: accuracy = p^L). Re-scoring the same items with a continuous
/// metric tells the two apart.
///
/// Contract of ``analyse(items:x:targets:targetTokens:chance:commonItemsOnly:)``:
/// - Records are grouped by model, then by item; an item's fields are averaged over its records
///   (epochs, scorers), so every item weighs the same in a model's mean. Models without an x are
///   left out (with a note).
/// - Metrics, per model, over the items that carry what the metric needs:
///   - `accuracy`: mean `correct` (the discontinuous metric under suspicion); stderr
///     √(p̃(1 − p̃)/n) with p̃ = (k + 1)/(n + 2), so a score of 0 or 1 keeps the uncertainty of n items;
///   - `target_logprob`: mean log p(target) (nats, higher is better);
///   - `per_token_probability`: exp(Σ log p(target) / Σ tokens), the geometric-mean probability of
///     a target token, when token counts are given (`targetTokens`, item id → number of tokens);
///   - `target_probability`: mean p(target) = mean exp(log p), the expected exact-match rate of a
///     model that samples its answer. It is as nonlinear in the per-token probability as accuracy
///     (p(target) = Π token probabilities), so it is reported but is not evidence of smoothness;
///   - `brier_score_loss`: mean (1 − p(target))², lower is better. Only p(target) is known, so this
///     is the Brier score of the binary event "the target is produced"; for a multiple-choice item
///     the multi-class score (1 − p_t)² + Σ_{k≠t} p_k² lies between it and twice it;
///   - `token_edit_distance`: mean Levenshtein distance between the whitespace tokens of the answer
///     and of the target (`targets`, item id → target text), lower is better. Without a tokenizer
///     whitespace is the unit: a one-word answer (a hex digest, a number) gives a 0/1 distance.
///   Continuous metrics are stderr-annotated by the sample standard deviation over items / √n.
/// - Each metric's curve is measured by a ``JumpStatistic`` on the scale the metric is read on:
///   scores in [0, 1] linearly, as emergence claims read them; losses on a log scale, where a power
///   law in x is a straight line (Kaplan et al. 2020) — the target's cross-entropy −log p, the
///   per-token cross-entropy −log p̄ (the per-token probability is read through it) and the edit
///   distance.
/// - Verdict: ``MirageVerdict/mirage`` when accuracy jumps and at least one continuous metric
///   (log-prob, per-token probability, Brier, edit distance) does not; ``MirageVerdict/persists`` when
///   every continuous metric jumps too (the jump is not an artefact of the metric).
/// - Too few items: with n items the smallest non-zero accuracy is 1/n, and 0 correct out of n
///   leaves the true rate anywhere up to 1 − 0.05^(1/n) ≈ 3/n (95%, the rule of three; Hanley &
///   Lippman-Hand 1983). For each model scoring 0, its own log-probabilities give the exact-match
///   rate a smoothly improving model would show, E = mean p(target): when n·E < 3 the chance of
///   seeing 0 of n is above about 5% (Π(1 − p_i) ≈ e^(−n·E)), so the zero is what the smooth
///   model predicts and is no evidence that the ability is absent.
public enum MirageAnalysis {
    /// Re-scores per-item results with continuous metrics and says whether accuracy's jump survives.
    ///
    /// - Parameters:
    ///   - items: one task's per-item results (several epochs or scorers per item are averaged).
    ///   - x: each model's scale (parameters, FLOPs, …); models without one are left out.
    ///   - targets: item id → target text, for the token edit distance.
    ///   - targetTokens: item id → number of target tokens, for the per-token probability.
    ///   - chance: accuracy of random guessing, carried on the accuracy curve.
    ///   - commonItemsOnly: score every model on the items all models answered, so that a
    ///     difference between models is not a difference between item sets.
    public static func analyse(
        items: [ItemResult], x: [ModelKey: Double], targets: [String: String]? = nil,
        targetTokens: [String: Int]? = nil, chance: Double? = nil, commonItemsOnly: Bool = false
    ) -> MirageReport {
        var notes: [String] = []
        let tasks = Set(items.map(\.task)).sorted()
        if tasks.count > 1 { notes.append("items of \(tasks.count) tasks were pooled (\(tasks.joined(separator: ", "))); pass one task's items") }
        let scorers = Set(items.map(\.scorer)).sorted()
        if scorers.count > 1 { notes.append("items of \(scorers.count) scorers were averaged per item (\(scorers.joined(separator: ", ")))") }

        // Item records per model, averaged per item.
        var byModel: [ModelKey: [String: [ItemResult]]] = [:]
        for record in items { byModel[record.model, default: [:]][record.item, default: []].append(record) }
        let unplaced = byModel.keys.filter { x[$0].map { $0.isFinite && $0 > 0 } != true }.sorted()
        if !unplaced.isEmpty {
            notes.append("left out \(unplaced.count) model(s) without a positive x: \(unplaced.map(\.description).joined(separator: ", "))")
        }
        let models = byModel.keys.filter { !unplaced.contains($0) }.sorted { (x[$0]!, $0) < (x[$1]!, $1) }
        var scored: [ModelKey: [String: ItemScores]] = [:]
        for model in models {
            scored[model] = byModel[model]!.mapValues { ItemScores($0, targets: targets, targetTokens: targetTokens) }
        }
        let allItems = Set(scored.values.flatMap(\.keys))
        let common = scored.values.reduce(allItems) { $0.intersection($1.keys) }
        if common.count < allItems.count {
            let counts = models.map { "\($0): \(scored[$0]!.count)" }.joined(separator: ", ")
            if commonItemsOnly {
                notes.append("scored on the \(common.count) items every model answered (of \(allItems.count)); items per model: \(counts)")
                for model in models { scored[model] = scored[model]!.filter { common.contains($0.key) } }
            } else {
                notes.append("models answered different items (\(common.count) common of \(allItems.count); \(counts)): differences between models include differences between item sets")
            }
        }

        let taskName = tasks.joined(separator: "+")
        var curves: [MirageMetricCurve] = []
        for metric in MirageMetric.allCases {
            var points: [(model: ModelKey, x: Double, score: MetricScore)] = []
            for model in models {
                if let score = metric.aggregate(Array(scored[model]!.values)) { points.append((model, x[model]!, score)) }
            }
            guard !points.isEmpty else { continue }
            let curve = TaskCurve(task: taskName, metric: metric.rawValue, x: points.map(\.x), y: points.map(\.score.value),
                                  stderr: points.map(\.score.stderr), items: points.map(\.score.items).min(),
                                  chance: metric == .accuracy ? chance : nil, higherIsBetter: metric.higherIsBetter)
            // The per-token probability is read through its logarithm, which does not underflow.
            let read = metric == .perTokenProbability
                ? TaskCurve(task: taskName, metric: "per_token_logprob", x: points.map(\.x), y: points.map(\.score.logValue),
                            stderr: points.map(\.score.logStderr))
                : curve
            curves.append(MirageMetricCurve(metric: metric, curve: curve, models: points.map(\.model), items: points.map(\.score.items),
                                            jump: JumpStatistic.measure(read, scale: metric.readingScale)))
        }

        let resolution = resolutionCheck(models: models, x: x, scored: scored)
        let (verdict, explanation) = judge(curves)
        return MirageReport(task: taskName, metrics: curves, resolution: resolution, verdict: verdict,
                            explanation: explanation, notes: notes)
    }

    /// The too-few-items check on every model whose accuracy is exactly 0.
    static func resolutionCheck(models: [ModelKey], x: [ModelKey: Double], scored: [ModelKey: [String: ItemScores]]) -> ItemResolution {
        let counts = models.map { model in scored[model]!.values.filter { $0.correct != nil }.count }.filter { $0 > 0 }
        let n = counts.min() ?? 0
        var zeros: [ZeroCheck] = []
        for model in models {
            let values = Array(scored[model]!.values)
            let answered = values.compactMap(\.correct)
            guard !answered.isEmpty, answered.allSatisfy({ $0 == 0 }) else { continue }
            let probabilities = values.compactMap(\.logProb).map { exp($0) }
            let count = answered.count
            var check = ZeroCheck(model: model, x: x[model]!, items: count, zeroUpperBound95: zeroUpperBound(count))
            if !probabilities.isEmpty {
                let expected = probabilities.reduce(0, +) / Double(probabilities.count)
                check.expectedAccuracy = expected
                check.expectedCorrect = Double(count) * expected
                check.probabilityOfZero = exp(probabilities.reduce(0) { $0 + log1p(-min($1, 1)) } * Double(count) / Double(probabilities.count))
                check.consistentWithSmoothMetric = Double(count) * expected < 3
            }
            check.explanation = check.describe()
            zeros.append(check)
        }
        return ItemResolution(items: n, smallestResolvableAccuracy: n > 0 ? 1 / Double(n) : .nan,
                              zeroUpperBound95: n > 0 ? zeroUpperBound(n) : .nan, zeros: zeros)
    }

    /// The 95% upper confidence bound on a rate when 0 of n are correct: 1 − 0.05^(1/n) ≈ 3/n.
    public static func zeroUpperBound(_ n: Int) -> Double { n > 0 ? 1 - pow(0.05, 1 / Double(n)) : 1 }

    private static func judge(_ curves: [MirageMetricCurve]) -> (MirageVerdict, String) {
        guard let accuracy = curves.first(where: { $0.metric == .accuracy }) else {
            return (.noContinuousMetric, "no item carries a correctness score: nothing to compare")
        }
        guard let accuracyJump = accuracy.jump else {
            return (.tooFewModels, "accuracy is known at \(Set(accuracy.curve.x).count) distinct scale(s); a jump needs at least 3")
        }
        let continuous = curves.filter { $0.metric.isContinuous }
        guard !continuous.isEmpty else {
            return (.noContinuousMetric,
                    "a continuous metric is unavailable: the items carry no target log-probabilities and no answer/target pairs for an edit distance, so accuracy's shape (\(accuracyJump.summary)) cannot be checked")
        }
        let measured = continuous.filter { $0.jump != nil }
        guard !measured.isEmpty else {
            return (.tooFewModels, "the continuous metrics are known at fewer than 3 distinct scales")
        }
        let smooth = measured.filter { !$0.jump!.isJump }, jumping = measured.filter { $0.jump!.isJump }
        func list(_ curves: [MirageMetricCurve]) -> String {
            curves.map { "\($0.metric.rawValue) (\($0.jump!.summary))" }.joined(separator: "; ")
        }
        guard accuracyJump.isJump else {
            return (.noApparentJump, "accuracy shows no jump (\(accuracyJump.summary)): there is no emergence to explain")
        }
        if smooth.isEmpty {
            return (.persists, "accuracy jumps (\(accuracyJump.summary)) and so does every continuous metric: \(list(jumping)); the jump is not an artefact of the metric")
        }
        var text = "accuracy jumps (\(accuracyJump.summary)) but improves smoothly under \(list(smooth)): the jump is a metric mirage (Schaeffer et al. 2023)"
        if !jumping.isEmpty { text += "; still jumping under \(list(jumping))" }
        return (.mirage, text)
    }

    /// Levenshtein distance between two token sequences (insertions, deletions, substitutions).
    public static func editDistance(_ a: [Substring], _ b: [Substring]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count), current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }

    /// Levenshtein distance between the whitespace tokens of two texts.
    public static func tokenEditDistance(_ answer: String, _ target: String) -> Int {
        editDistance(answer.split(whereSeparator: \.isWhitespace), target.split(whereSeparator: \.isWhitespace))
    }
}

/// One item of one model, its records (epochs, scorers) averaged.
struct ItemScores: Sendable {
    var correct: Double?
    var logProb: Double?
    var tokens: Int?
    var editDistance: Double?

    init(_ records: [ItemResult], targets: [String: String]?, targetTokens: [String: Int]?) {
        func average(_ values: [Double]) -> Double? { values.isEmpty ? nil : values.reduce(0, +) / Double(values.count) }
        let item = records[0].item
        correct = average(records.compactMap(\.correct).filter(\.isFinite))
        logProb = average(records.compactMap(\.targetLogProb).filter(\.isFinite))
        tokens = targetTokens?[item].flatMap { $0 > 0 ? $0 : nil }
        if let target = targets?[item] {
            editDistance = average(records.compactMap(\.answer).map { Double(MirageAnalysis.tokenEditDistance($0, target)) })
        }
    }
}

/// The metrics of the mirage analysis.
public enum MirageMetric: String, Sendable, Codable, CaseIterable {
    case accuracy
    case targetLogProb = "target_logprob"
    case perTokenProbability = "per_token_probability"
    case targetProbability = "target_probability"
    case brierScore = "brier_score_loss"
    case tokenEditDistance = "token_edit_distance"

    public var higherIsBetter: Bool { self != .brierScore && self != .tokenEditDistance }

    /// Whether the metric is linear in the per-token quality, the evidence of Schaeffer et al.
    /// (accuracy and the expected exact-match rate are not).
    public var isContinuous: Bool { self != .accuracy && self != .targetProbability }

    /// The scale the metric's jump is read on (the per-token probability's on its logarithm, the
    /// mean log-probability per token).
    public var readingScale: JumpStatistic.Scale {
        switch self {
        case .accuracy, .targetProbability, .brierScore: return .linear
        case .targetLogProb, .perTokenProbability: return .logOfNegative
        case .tokenEditDistance: return .log
        }
    }

    /// The model's score, its standard error and the number of items behind it; nil when no item
    /// carries what the metric needs.
    func aggregate(_ items: [ItemScores]) -> MetricScore? {
        func meanAndError(_ values: [Double]) -> MetricScore? {
            guard !values.isEmpty else { return nil }
            let n = Double(values.count)
            let mean = values.reduce(0, +) / n
            let variance = values.count > 1 ? values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1) : 0
            return MetricScore(value: mean, stderr: (variance / n).squareRoot(), items: values.count)
        }
        switch self {
        case .accuracy:
            let values = items.compactMap(\.correct)
            guard !values.isEmpty else { return nil }
            let n = Double(values.count), k = values.reduce(0, +)
            let smoothed = (k + 1) / (n + 2)
            return MetricScore(value: k / n, stderr: (smoothed * (1 - smoothed) / n).squareRoot(), items: values.count)
        case .targetLogProb:
            return meanAndError(items.compactMap(\.logProb))
        case .targetProbability:
            return meanAndError(items.compactMap(\.logProb).map { exp($0) })
        case .brierScore:
            return meanAndError(items.compactMap(\.logProb).map { (1 - exp($0)) * (1 - exp($0)) })
        case .tokenEditDistance:
            return meanAndError(items.compactMap(\.editDistance))
        case .perTokenProbability:
            let pairs = items.compactMap { item in item.logProb.flatMap { lp in item.tokens.map { (lp, Double($0)) } } }
            guard !pairs.isEmpty else { return nil }
            let totalTokens = pairs.reduce(0) { $0 + $1.1 }
            let rate = pairs.reduce(0) { $0 + $1.0 } / totalTokens
            // Delta method for the ratio estimator Σ log p / Σ tokens.
            let n = Double(pairs.count)
            let spread = pairs.reduce(0) { $0 + ($1.0 - rate * $1.1) * ($1.0 - rate * $1.1) }
            let rateError = pairs.count > 1 ? (spread * n / (n - 1)).squareRoot() / totalTokens : 0
            return MetricScore(value: exp(rate), stderr: exp(rate) * rateError, items: pairs.count,
                               logValue: rate, logStderr: rateError)
        }
    }
}

/// One model's score on one metric; for the per-token probability also its logarithm, the mean
/// log-probability per token, which keeps its precision where the probability underflows.
struct MetricScore: Sendable {
    var value: Double
    var stderr: Double
    var items: Int
    var logValue: Double = .nan
    var logStderr: Double = .nan
}

/// How concentrated a curve's change is: the share of its total change that happens between two
/// adjacent models (in the spirit of BIG-bench's "breakthroughness", Srivastava et al. 2022).
///
/// With scores s_1 … s_K at K distinct scales (points sharing an x are averaged) read on a
/// ``Scale``, steps Δ_i = s_{i+1} − s_i:
/// - `largestStepShare` = max |Δ_i| / Σ |Δ_i| ∈ (0, 1]: 1/(K − 1) for a curve that changes evenly
///   between evenly spaced models, 1 for a single step;
/// - `logSpanShare` = that step's share of the log-x span, and `concentration` = largestStepShare /
///   logSpanShare, so that a large step across a large gap in the ladder does not count as a jump;
/// - `isJump` when largestStepShare ≥ ``minimumShare`` (1/3), concentration ≥
///   ``minimumConcentration`` (3: three times the change the step's span would carry if change
///   were even in log x) and the step exceeds twice its standard error, √(se_i² + se_{i+1}²), when
///   the points carry one. With 10 evenly spaced models the share threshold binds; with 5, a
///   jump needs 75% of the change in one step. A step whose error is unknown counts as significant.
///
/// Losses are read on a log scale, where a smooth power law is a straight line and every step of an
/// even ladder carries the same share; on a linear scale a steep power law's first step would
/// dominate (its change decays geometrically), which is diminishing returns, not emergence.
public struct JumpStatistic: Sendable, Codable, Hashable {
    public enum Scale: String, Sendable, Codable {
        /// s = y.
        case linear
        /// s = log y, for positive losses.
        case log
        /// s = log(−y), for log-probabilities (−y is a cross-entropy).
        case logOfNegative = "log-of-negative"
    }

    public static let minimumShare = 1.0 / 3
    public static let minimumConcentration = 3.0

    /// The scale actually used (linear when a value falls outside the requested scale's domain).
    public var scale: Scale
    /// Number of distinct scales K.
    public var scales: Int
    public var largestStepShare: Double
    public var logSpanShare: Double
    public var concentration: Double
    /// The largest step, between these adjacent scales, signed, on `scale`.
    public var fromX: Double
    public var toX: Double
    public var step: Double
    /// Whether the step is an improvement (per the curve's `higherIsBetter`).
    public var stepImproves: Bool
    public var stepIsSignificant: Bool
    public var isJump: Bool

    /// "62% of the change between x = 1e9 and 2.8e9", for verdicts.
    public var summary: String {
        String(format: "largest step %.0f%% of the change, between x = %.3g and %.3g, %.1f× its share of log x",
               100 * largestStepShare, fromX, toX, concentration)
    }

    /// The statistic of `curve` read on `scale`; nil with fewer than 3 distinct x.
    public static func measure(_ curve: TaskCurve, scale requested: Scale = .linear) -> JumpStatistic? {
        var groups: [(x: Double, y: [Double], se: [Double?])] = []
        for i in curve.x.indices where curve.y[i].isFinite {
            if let last = groups.last, last.x == curve.x[i] {
                groups[groups.count - 1].y.append(curve.y[i])
                groups[groups.count - 1].se.append(curve.stderr[i])
            } else {
                groups.append((curve.x[i], [curve.y[i]], [curve.stderr[i]]))
            }
        }
        guard groups.count >= 3 else { return nil }
        let means = groups.map { $0.y.reduce(0, +) / Double($0.y.count) }
        let errors: [Double?] = groups.map { group in
            let known = group.se.compactMap { $0 }
            guard known.count == group.se.count else { return nil }
            return (known.reduce(0) { $0 + $1 * $1 }).squareRoot() / Double(known.count)
        }
        let inDomain: Bool
        switch requested {
        case .linear: inDomain = true
        case .log: inDomain = means.allSatisfy { $0 > 0 }
        case .logOfNegative: inDomain = means.allSatisfy { $0 < 0 }
        }
        let scale = inDomain ? requested : .linear
        // Value and derivative of the reading transform (the derivative carries stderr by the delta method).
        func read(_ y: Double) -> (Double, Double) {
            switch scale {
            case .linear: return (y, 1)
            case .log: return (log(y), 1 / y)
            case .logOfNegative: return (log(-y), 1 / y)
            }
        }
        let read = means.map(read)
        let s = read.map(\.0)
        let se: [Double?] = zip(errors, read).map { error, r in error.map { $0 * abs(r.1) } }
        let steps = (0..<(s.count - 1)).map { s[$0 + 1] - s[$0] }
        let total = steps.reduce(0) { $0 + abs($1) }
        let largest = steps.indices.max { abs(steps[$0]) < abs(steps[$1]) }!
        let share = total > 0 ? abs(steps[largest]) / total : 0
        let span = log(groups.last!.x / groups.first!.x)
        let spanShare = span > 0 ? log(groups[largest + 1].x / groups[largest].x) / span : 1
        let concentration = share / spanShare
        let significant: Bool
        if let a = se[largest], let b = se[largest + 1] {
            significant = abs(steps[largest]) > 2 * (a * a + b * b).squareRoot()
        } else {
            significant = true
        }
        // log(−y) reverses the order: a larger cross-entropy is a smaller log-probability.
        let increasing = scale == .logOfNegative ? steps[largest] < 0 : steps[largest] > 0
        return JumpStatistic(
            scale: scale, scales: groups.count, largestStepShare: share, logSpanShare: spanShare,
            concentration: concentration, fromX: groups[largest].x, toX: groups[largest + 1].x, step: steps[largest],
            stepImproves: increasing == curve.higherIsBetter, stepIsSignificant: significant,
            isJump: total > 0 && share >= minimumShare && concentration >= minimumConcentration && significant)
    }
}

/// One metric's curve over the models, with its jump statistic.
public struct MirageMetricCurve: Sendable, Codable {
    public var metric: MirageMetric
    /// The scores against x, ready for the scaling classifier.
    public var curve: TaskCurve
    /// The model behind each point of `curve`, in its order.
    public var models: [ModelKey]
    /// The number of items behind each point.
    public var items: [Int]
    /// nil with fewer than 3 distinct scales.
    public var jump: JumpStatistic?
}

/// Whether a task's apparent jump survives a continuous metric.
public enum MirageVerdict: String, Sendable, Codable {
    /// Accuracy jumps; at least one continuous metric improves smoothly.
    case mirage
    /// Accuracy jumps and so does every continuous metric.
    case persists
    /// Accuracy does not jump.
    case noApparentJump = "no-apparent-jump"
    /// No continuous metric could be computed (no log-probabilities, no answer/target pairs).
    case noContinuousMetric = "no-continuous-metric"
    /// Fewer than 3 distinct scales.
    case tooFewModels = "too-few-models"
}

/// What the item count can resolve, and whether zeros are real.
public struct ItemResolution: Sendable, Codable {
    /// The smallest number of items behind a model's accuracy.
    public var items: Int
    /// 1/n: the smallest non-zero accuracy n items can show.
    public var smallestResolvableAccuracy: Double
    /// 1 − 0.05^(1/n) ≈ 3/n: the 95% upper bound on the true rate when 0 of n are correct.
    public var zeroUpperBound95: Double
    /// One check per model scoring exactly 0, by increasing x.
    public var zeros: [ZeroCheck]
}

/// Whether one model's zero accuracy is evidence that the ability is absent.
public struct ZeroCheck: Sendable, Codable {
    public var model: ModelKey
    public var x: Double
    public var items: Int
    public var zeroUpperBound95: Double
    /// Mean p(target) over the items with a log-probability: the exact-match rate the model's own
    /// probabilities imply.
    public var expectedAccuracy: Double?
    /// n · expectedAccuracy.
    public var expectedCorrect: Double?
    /// Π(1 − p_i) over the n items (an item without a log-probability counts as the geometric mean
    /// of the others' 1 − p).
    public var probabilityOfZero: Double?
    /// n · E < 3: a model improving smoothly would also show 0 of n; nil without log-probabilities.
    public var consistentWithSmoothMetric: Bool?
    public var explanation: String = ""

    func describe() -> String {
        let bound = String(format: "0 of %d correct: the true rate may be up to %.3g (95%%)", items, zeroUpperBound95)
        guard let expectedAccuracy, let expectedCorrect, let consistentWithSmoothMetric else {
            return bound + "; without target log-probabilities a real zero cannot be told from a small rate"
        }
        let implied = String(format: "; its log-probabilities imply an exact-match rate of %.3g, %.3g expected correct, P(0 correct) = %.3g",
                             expectedAccuracy, expectedCorrect, probabilityOfZero ?? .nan)
        return bound + implied + (consistentWithSmoothMetric
            ? ": the zero is what a smoothly improving model shows, not evidence of absence"
            : ": more than 3 were expected, so the zero is real (the model's answers fall short of its probabilities)")
    }
}

/// The mirage analysis of one task.
public struct MirageReport: Sendable, Codable {
    public var task: String
    /// One curve per metric the data allow, accuracy first.
    public var metrics: [MirageMetricCurve]
    public var resolution: ItemResolution
    public var verdict: MirageVerdict
    /// The verdict with its evidence.
    public var explanation: String
    public var notes: [String]

    public subscript(_ metric: MirageMetric) -> MirageMetricCurve? { metrics.first { $0.metric == metric } }
}
