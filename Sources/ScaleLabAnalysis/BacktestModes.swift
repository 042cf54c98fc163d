import Foundation
import ScaleLabCore
import ScaleLabFit

// Backtest modes beyond one ladder: within each model family, within each training run's
// checkpoints, and a two-step law (loss against scale, then accuracy against loss) scored next to
// the direct laws. Each mode reuses ``Backtester/run(_:options:progress:)`` on re-cut curves and
// scores the pooled predictions with ``Backtester/summarize(_:levels:)``, so the numbers mean the
// same as in a plain backtest.

/// What a grouped backtest fits within.
public enum BacktestGrouping: String, Sendable, Codable, CaseIterable {
    /// Models of one family (`ModelInfo.family`): a family's flagship predicted from its siblings.
    case family
    /// Checkpoints of one training run (`ModelKey.name`): the final checkpoint predicted from the
    /// earlier ones.
    case checkpoints
}

/// A held-out prediction and the group (family or run) whose models it was fitted on. Encoded
/// flat: the fields of ``BacktestPrediction`` plus `group`.
public struct GroupedBacktestPrediction: Sendable, Codable {
    public var group: String
    public var prediction: BacktestPrediction

    public init(group: String, prediction: BacktestPrediction) {
        self.group = group
        self.prediction = prediction
    }

    private enum CodingKeys: String, CodingKey { case group }

    public init(from decoder: any Decoder) throws {
        group = try decoder.container(keyedBy: CodingKeys.self).decode(String.self, forKey: .group)
        prediction = try BacktestPrediction(from: decoder)
    }

    public func encode(to encoder: any Encoder) throws {
        try prediction.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(group, forKey: .group)
    }
}

/// The scores of the methods within one group.
public struct BacktestGroupSummary: Sendable, Codable {
    public var group: String
    /// Distinct x over the group's points: sizes of a family, checkpoints of a run.
    public var distinctX: Int
    /// Curves (task, metric, shots) of the group that were backtested.
    public var curves: Int
    public var summaries: [BacktestSummary]
}

/// A group left out of a grouped backtest, and why.
public struct SkippedBacktestGroup: Sendable, Codable, Equatable {
    public var group: String
    public var reason: String
}

/// A backtest run within groups, pooled: `summaries` and `surprises` score every group's
/// held-out predictions together, `groups` score each group on its own.
public struct GroupedBacktestResult: Sendable, Codable {
    public var grouping: BacktestGrouping
    public var predictions: [GroupedBacktestPrediction]
    /// All groups pooled, by ``Backtester/summarize(_:levels:)``.
    public var summaries: [BacktestSummary]
    public var surprises: [Surprise]
    /// Curves or fits that could not be backtested, with the group and the reason.
    public var skipped: [String]
    public var groups: [BacktestGroupSummary]
    /// Groups too small to backtest (fewer distinct x than the minimum) or without a label.
    public var skippedGroups: [SkippedBacktestGroup]
    /// Points at x ≤ 0 left out before grouping: a log axis cannot hold them (checkpoint step 0).
    public var droppedNonPositive: Int
    /// Each law's pooled mean absolute error minus each baseline's, resampling (group, curve) pairs.
    public var differences: [MethodDifference] = []

    /// The pooled result as a plain backtest (predictions without their groups).
    public var pooled: BacktestResult {
        BacktestResult(predictions: predictions.map(\.prediction), summaries: summaries, surprises: surprises, skipped: skipped,
                       differences: differences)
    }
}

extension FitSeries {
    /// The curve restricted to the points at `indices` (kept in order), with every per-point
    /// column cut alike. Stderr weights are rescaled to mean 1 so a Huber δ keeps its meaning.
    func restricted(to indices: [Int]) -> FitSeries {
        var kept = data.subset(indices)
        if let weights = kept.weights, !weights.isEmpty {
            let mean = weights.reduce(0, +) / Double(weights.count)
            if mean > 0 { kept.weights = weights.map { $0 / mean } }
        }
        return FitSeries(
            task: task, metric: metric, shots: shots, data: kept,
            models: indices.map { models[$0] }, families: indices.map { families[$0] },
            modelSeeds: indices.map { modelSeeds[$0] }, evaluationSeeds: indices.map { evaluationSeeds[$0] })
    }
}

extension Backtester {
    /// Per-family backtests: every curve is cut into one sub-curve per model family, each family
    /// is backtested on its own curves with `options` (``BacktestOptions/holdOutLargest`` predicts
    /// each family's largest model from its smaller siblings; a `trainMax` fixes the origin
    /// within each family), and the predictions of all families are scored together and per
    /// family. A fit never sees another family's models: families differ in data and recipe, so a
    /// law across families would mix ladders (Ruan et al. 2024, observational scaling laws).
    ///
    /// A sub-curve needs at least `minimumSize` distinct x (sizes) to be backtested; a family none
    /// of whose curves reaches it is listed in ``GroupedBacktestResult/skippedGroups``, as are
    /// points without a family. Laws need at least 5 fitted models at 4 distinct x (see
    /// ``LawCatalog/candidates(for:)``), so a family holding out one of 4 or 5 sizes is scored on
    /// the baselines alone; the pooled table, which compares methods on the observations every
    /// method predicted, leaves it out. Points at x ≤ 0 are dropped and counted, as in
    /// ``runCheckpoints(_:options:minimumSize:via:progress:)``.
    ///
    /// - Parameters:
    ///   - via: when given, each family is backtested with ``runWithTwoStep(_:via:options:progress:)``.
    ///   - progress: (family number, families, what is being fitted).
    public static func runPerFamily(
        _ series: [FitSeries], options: BacktestOptions, minimumSize: Int = 4, via: String? = nil,
        progress: (@Sendable (Int, Int, String) -> Void)? = nil
    ) async -> GroupedBacktestResult {
        await runGrouped(series, grouping: .family, options: options, minimumSize: minimumSize, via: via, progress: progress)
    }

    /// Checkpoint backtests: every curve is cut into one sub-curve per training run (model name),
    /// x is whatever the series were built on (the training step, or tokens seen), and each run is
    /// backtested on its own checkpoints; with ``BacktestOptions/holdOutLargest`` the final
    /// checkpoint is predicted from the earlier ones. Points at x ≤ 0 (step 0) cannot sit on the
    /// log axis every law uses and are dropped first (counted in
    /// ``GroupedBacktestResult/droppedNonPositive``); runs with fewer than `minimumSize` distinct
    /// checkpoints are listed as skipped.
    public static func runCheckpoints(
        _ series: [FitSeries], options: BacktestOptions, minimumSize: Int = 4, via: String? = nil,
        progress: (@Sendable (Int, Int, String) -> Void)? = nil
    ) async -> GroupedBacktestResult {
        await runGrouped(series, grouping: .checkpoints, options: options, minimumSize: minimumSize, via: via, progress: progress)
    }

    /// The label of point `index` of `curve` under a grouping; nil when it has none.
    static func groupLabel(_ curve: FitSeries, _ index: Int, _ grouping: BacktestGrouping) -> String? {
        switch grouping {
        case .family: return curve.families[index]
        case .checkpoints: return curve.models[index].name
        }
    }

    /// The curves cut by group, groups in name order, each curve's points in their original order;
    /// points at x ≤ 0 are dropped and counted, unlabelled points counted apart.
    static func split(_ series: [FitSeries], by grouping: BacktestGrouping)
        -> (groups: [(name: String, curves: [FitSeries])], unlabelled: Int, droppedNonPositive: Int) {
        var byGroup: [String: [FitSeries]] = [:]
        var unlabelled = 0, dropped = 0
        for curve in series {
            var indices: [String: [Int]] = [:]
            var order: [String] = []
            for index in curve.data.x.indices {
                guard curve.data.x[index] > 0 && (curve.data.x2?[index] ?? 1) > 0 else {
                    dropped += 1
                    continue
                }
                guard let label = groupLabel(curve, index, grouping) else {
                    unlabelled += 1
                    continue
                }
                if indices[label] == nil { order.append(label) }
                indices[label, default: []].append(index)
            }
            for label in order { byGroup[label, default: []].append(curve.restricted(to: indices[label]!)) }
        }
        return (byGroup.keys.sorted().map { ($0, byGroup[$0]!) }, unlabelled, dropped)
    }

    static func runGrouped(
        _ series: [FitSeries], grouping: BacktestGrouping, options: BacktestOptions, minimumSize: Int, via: String?,
        progress: (@Sendable (Int, Int, String) -> Void)?
    ) async -> GroupedBacktestResult {
        let (groups, unlabelled, dropped) = split(series, by: grouping)
        func distinctX(_ count: Int) -> String {
            "\(count) distinct " + (grouping == .family ? (count == 1 ? "size" : "sizes") : (count == 1 ? "checkpoint" : "checkpoints"))
        }
        var skippedGroups: [SkippedBacktestGroup] = []
        if unlabelled > 0 {
            skippedGroups.append(SkippedBacktestGroup(group: "(no family)", reason: "\(unlabelled) points of models without a family"))
        }
        var predictions: [GroupedBacktestPrediction] = []
        var summaries: [BacktestGroupSummary] = []
        var skipped: [String] = []
        // A curve's own sizes decide whether it can be backtested (a task may lack some models).
        var runnable: [(name: String, distinct: Int, usable: [FitSeries])] = []
        for group in groups {
            let distinct = Set(group.curves.flatMap(\.data.x)).count
            let usable = group.curves.filter { Set($0.data.x).count >= minimumSize }
            guard !usable.isEmpty else {
                let reason = distinct < minimumSize
                    ? "\(distinctX(distinct)), fewer than \(minimumSize)"
                    : "no curve has \(distinctX(minimumSize)) (the group has \(distinct) over all curves)"
                skippedGroups.append(SkippedBacktestGroup(group: group.name, reason: reason))
                continue
            }
            for curve in group.curves where Set(curve.data.x).count < minimumSize {
                skipped.append("\(group.name): \(curve.task) \(curve.metric) has \(distinctX(Set(curve.data.x).count)), fewer than \(minimumSize)")
            }
            runnable.append((group.name, distinct, usable))
        }
        for (number, group) in runnable.enumerated() {
            let (name, distinct, usable) = group
            let total = runnable.count
            var inner: (@Sendable (Int, Int, String) -> Void)?
            if let progress {
                inner = { index, count, what in progress(number + 1, total, "\(name): \(what) (\(index)/\(count))") }
            }
            let result: BacktestResult
            if let via {
                result = await runWithTwoStep(usable, via: via, options: options, progress: inner)
            } else {
                result = await run(usable, options: options, progress: inner)
            }
            predictions += result.predictions.map { GroupedBacktestPrediction(group: name, prediction: $0) }
            skipped += result.skipped.map { "\(name): \($0)" }
            summaries.append(BacktestGroupSummary(group: name, distinctX: distinct, curves: usable.count,
                                                  summaries: result.summaries))
        }
        let pooled = predictions.map(\.prediction)
        return GroupedBacktestResult(
            grouping: grouping, predictions: predictions, summaries: summarize(pooled, levels: options.levels),
            surprises: surprises(pooled), skipped: skipped, groups: summaries, skippedGroups: skippedGroups,
            droppedNonPositive: dropped,
            // A task in two families is two curves: resample them separately.
            differences: differences(predictions.map { item in
                var prediction = item.prediction
                prediction.task = "\(item.group)/\(prediction.task)"
                return prediction
            }, seed: options.seed))
    }
}

// MARK: - Two-step

extension Backtester {
    /// The method name two-step predictions carry: `two-step(via bpb)`.
    public static func twoStepMethod(via: String) -> String { "two-step(via \(via))" }

    /// The curves of `series` paired with the curve of metric `via` of the same task and few-shot
    /// setting, and the curves (other than `via`'s own) that have none.
    public static func twoStepPairs(_ series: [FitSeries], via: String)
        -> (paired: [(accuracy: FitSeries, loss: FitSeries)], unpaired: [FitSeries]) {
        struct Key: Hashable { var task: String; var shots: Int? }
        var losses: [Key: FitSeries] = [:]
        for curve in series where curve.metric == via { losses[Key(task: curve.task, shots: curve.shots)] = curve }
        var paired: [(accuracy: FitSeries, loss: FitSeries)] = []
        var unpaired: [FitSeries] = []
        for curve in series where curve.metric != via {
            if let loss = losses[Key(task: curve.task, shots: curve.shots)] { paired.append((curve, loss)) } else { unpaired.append(curve) }
        }
        return (paired, unpaired)
    }

    /// A backtest of the direct laws and baselines (``run(_:options:progress:)``) and of the
    /// two-step law through `via`, scored together.
    ///
    /// The curves of metric `via` are the intermediate losses. Every other curve with a `via` curve
    /// of the same task and few-shot setting is backtested both ways; curves without one are
    /// listed in `skipped` and left out, so that every method is scored on the same observations.
    /// The `via` curves themselves are not backtested: their errors are in another unit.
    public static func runWithTwoStep(
        _ series: [FitSeries], via: String, options: BacktestOptions, progress: (@Sendable (Int, Int, String) -> Void)? = nil
    ) async -> BacktestResult {
        let (paired, unpaired) = twoStepPairs(series, via: via)
        var skipped = unpaired.map {
            "\($0.task) \($0.metric): no '\(via)' scores for this task\($0.shots.map { " at \($0) shots" } ?? ""), so no two-step law"
        }
        let direct = await run(paired.map(\.accuracy), options: options, progress: progress)
        var predictions = direct.predictions
        skipped += direct.skipped
        for (index, pair) in paired.enumerated() {
            progress?(index + 1, paired.count, "\(pair.accuracy.task) \(pair.accuracy.metric) via \(via)")
            let twoStep = await twoStepPredictions(accuracy: pair.accuracy, loss: pair.loss, options: options)
            predictions += twoStep.predictions
            skipped += twoStep.skipped
        }
        return BacktestResult(predictions: predictions, summaries: summarize(predictions, levels: options.levels),
                              surprises: surprises(predictions), skipped: skipped, differences: differences(predictions, seed: options.seed))
    }

    /// Two-step predictions of one accuracy curve through its loss curve, at the origins
    /// ``run(_:options:progress:)`` uses for that curve, since ``summarize(_:levels:)`` compares
    /// methods on the (task, metric, model, origin) keys they share.
    ///
    /// At an origin, ``TwoStepFit`` is fitted on the models at x ≤ origin that have both scores
    /// (stage 1: the loss against x with a power law, using `options.fitter`; stage 2: the accuracy
    /// against the observed loss with ``SigmoidOfLossLaw``), and every model beyond the origin is
    /// predicted through both stages from its x alone — its own loss is never used, as it would
    /// not be known before training it.
    ///
    /// Intervals are prediction intervals for a new observation, built like
    /// ``Forecaster/forecast(_:at:x2:options:)`` builds them for a direct law, so that their
    /// coverage compares like with like: for each replicate of ``TwoStepFit/bootstrap(scale:loss:accuracy:result:at:options:progress:)``
    /// (both stages refitted on the same resampled models) the composite prediction plus an error
    /// drawn from the composite's leave-one-scale-out errors on the fitted models (both stages
    /// refined without the models of that scale, warm-started from the full fit); the interval
    /// at each level is the percentile interval of those draws (Davison & Hinkley 1997, §6.3.3).
    public static func twoStepPredictions(
        accuracy: FitSeries, loss: FitSeries, options: BacktestOptions
    ) async -> (predictions: [BacktestPrediction], skipped: [String]) {
        let via = loss.metric
        let method = twoStepMethod(via: via)
        var lossByModel: [ModelKey: [Double]] = [:]
        for (index, model) in loss.models.enumerated() { lossByModel[model, default: []].append(loss.data.y[index]) }
        func lossOf(_ row: Int) -> Double? {
            lossByModel[accuracy.models[row]].map { $0.reduce(0, +) / Double($0.count) }
        }
        let twoStep = TwoStepFit(lossFitter: options.fitter, accuracyFitter: Fitter())
        var predictions: [BacktestPrediction] = []
        var skipped: [String] = []
        for origin in origins(of: accuracy, options: options) {
            let train = accuracy.data.x.indices.filter { accuracy.data.x[$0] <= origin && lossOf($0) != nil }
            let test = accuracy.data.x.indices.filter { accuracy.data.x[$0] > origin }
            let scale = train.map { accuracy.data.x[$0] }
            let losses = train.map { lossOf($0)! }
            let scores = train.map { accuracy.data.y[$0] }
            let xs = test.map { accuracy.data.x[$0] }
            do throws(FitInputError) {
                let result = try twoStep.fit(scale: scale, loss: losses, accuracy: scores)
                let bootstrap = try await twoStep.bootstrap(
                    scale: scale, loss: losses, accuracy: scores, result: result, at: xs,
                    options: BootstrapOptions(replicates: options.replicates, seed: options.seed, level: options.levels.first ?? 0.8))
                let errors = compositeErrors(twoStep, result: result, scale: scale, loss: losses, accuracy: scores)
                for (k, row) in test.enumerated() {
                    var draws: [Double] = []
                    for (b, lossTheta) in bootstrap.lossThetas.enumerated() {
                        let predictedLoss = twoStep.lossLaw.predict(lossTheta, x: [xs[k]])[0]
                        let value = twoStep.accuracyLaw.predict(bootstrap.accuracyThetas[b], x: [predictedLoss])[0]
                        guard value.isFinite else { continue }
                        var generator = SplitMix64(seed: options.seed &+ 0x7_5EED &+ UInt64(b) &* 0x9E37_79B9_7F4A_7C15)
                        let error = errors.isEmpty ? 0 : errors[Int(generator.next() % UInt64(errors.count))]
                        draws.append(value + error)
                    }
                    let intervals = draws.isEmpty ? [] : LevelInterval.percentiles(of: draws, levels: options.levels)
                    predictions.append(BacktestPrediction(
                        task: accuracy.task, metric: accuracy.metric, method: method, model: accuracy.models[row].description,
                        origin: origin, x: xs[k], observed: accuracy.data.y[row], predicted: result.predictAccuracy(xs[k]),
                        intervals: intervals, shots: accuracy.shots))
                }
            } catch {
                skipped.append("\(accuracy.task) \(accuracy.metric) up to \(origin) with \(method): \(error.description)")
            }
        }
        return (predictions, skipped)
    }

    /// Leave-one-scale-out errors of the composite, accuracyᵢ − σ(L̂₍₋ᵢ₎(xᵢ)): both stages refined
    /// without the models at xᵢ (from the full fit's solution) and the accuracy predicted from xᵢ
    /// alone. Where the refit fails (too few models left for a stage), the in-sample composite
    /// error, scaled by √(n/(n − p)) with p the parameters of both stages when n > p.
    static func compositeErrors(_ twoStep: TwoStepFit, result: TwoStepResult, scale: [Double], loss: [Double], accuracy: [Double]) -> [Double] {
        let n = scale.count, p = result.lossFit.theta.count + result.accuracyFit.theta.count
        let inflation = n > p ? (Double(n) / Double(n - p)).squareRoot() : 1
        return (0..<n).compactMap { i in
            let keep = (0..<n).filter { scale[$0] != scale[i] }
            if let lossTheta = try? twoStep.lossFitter.refine(
                   twoStep.lossLaw, to: FitData(x: keep.map { scale[$0] }, y: keep.map { loss[$0] }), from: result.lossFit.theta),
               let accuracyTheta = try? twoStep.accuracyFitter.refine(
                   twoStep.accuracyLaw, to: FitData(x: keep.map { loss[$0] }, y: keep.map { accuracy[$0] }), from: result.accuracyFit.theta) {
                let predicted = twoStep.accuracyLaw.predict(accuracyTheta, x: [twoStep.lossLaw.predict(lossTheta, x: [scale[i]])[0]])[0]
                if predicted.isFinite { return accuracy[i] - predicted }
            }
            let fitted = result.predictAccuracy(scale[i])
            return fitted.isFinite ? (accuracy[i] - fitted) * inflation : nil
        }
    }
}
