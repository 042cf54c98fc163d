import Foundation
import ScaleLabCore
import ScaleLabFit

/// The methods a ladder backtest compares, side by side.
public enum LadderMethod: String, Sendable, Codable, CaseIterable, CustomStringConvertible {
    /// Two-step through the via metric, the link chosen by AICc (flat, linear, sigmoid).
    case twoStep = "two-step"
    /// Two-step with the sigmoid link always (the OLMo ladder's and the scipy yardstick's form).
    case twoStepSigmoid = "two-step-sigmoid"
    /// Two-step with Gadre et al.'s exponential link.
    case twoStepExponential = "two-step-exponential"
    /// The score directly against compute C = 6ND: a logistic in log C with chance as its floor.
    case computeSigmoid = "compute-sigmoid"
    /// −log(score) as a power law of compute, E + A·C^(−α) (Krajewski et al. 2025 fit downstream
    /// metrics this way, directly on compute).
    case computeLogPower = "compute-log-power"
    /// The evidence-based law choice of ``LawPolicy`` applied directly to the score against C.
    case directAuto = "direct-auto"
    /// The largest fitted size's score at the nearest tokens-per-parameter ratio.
    case lastValue = "last-value"
    /// The equal-weight mean of `two-step` and `direct-auto`: two forecasts with different errors
    /// (one through the loss, one through compute), combined the way the forecast-combination
    /// literature finds hardest to beat (Bates & Granger 1969; Clemen 1989; the simple average
    /// beats estimated weights on short records — Smith & Wallis 2009). Intervals: the mean of the
    /// two methods' interval ends (the quantiles of the average of two comonotone forecasts).
    case combined = "two-step+direct"

    public var description: String { rawValue }

    /// Whether the method goes through the via metric.
    public var usesVia: Bool { self == .twoStep || self == .twoStepSigmoid || self == .twoStepExponential || self == .combined }
}

/// How a ladder backtest runs.
public struct LadderBacktestOptions: Sendable {
    /// Runs with params ≤ this are fitted; the larger runs are predicted.
    public var trainMax: Double
    public var methods: [LadderMethod]
    /// Also score `auto`: the method with the least inner forecast error over the family's tasks.
    public var auto: Bool
    public var ladder: LadderOptions
    /// Fit and predict within each family (`ModelInfo.family`), or all runs as one ladder.
    public var perFamily: Bool
    /// The axis of a stage 1 of one input (with `ladder.oneInput`).
    public var xAxis: XAxis?

    public init(trainMax: Double, methods: [LadderMethod] = LadderMethod.allCases, auto: Bool = true,
                ladder: LadderOptions = LadderOptions(replicates: 100), perFamily: Bool = true, xAxis: XAxis? = nil) {
        self.trainMax = trainMax
        self.perFamily = perFamily
        self.xAxis = xAxis
        self.methods = methods
        self.auto = auto
        self.ladder = ladder
    }
}

/// One held-out prediction of a ladder backtest.
public struct LadderPrediction: Sendable, Codable {
    public var family: String
    public var task: String
    public var metric: String
    public var shots: Int?
    public var run: String
    public var params: Double?
    public var tokens: Double?
    /// A method's name, or `auto`.
    public var method: String
    public var observed: Double
    public var estimate: Double
    /// Stage 1 (two-step methods): the via metric predicted and observed at the target.
    public var viaEstimate: Double?
    public var viaObserved: Double?
    /// Stage 2 (two-step methods): the link's form.
    public var link: String?
    public var intervals: [LevelInterval]

    public var error: Double { estimate - observed }
}

/// One method's score over a backtest's predictions.
public struct LadderMethodSummary: Sendable, Codable {
    public var method: String
    public var predictions: Int
    /// Mean absolute error, in the metric's units (points ×100 for a score are printed by callers).
    public var mae: Double
    public var rmse: Double
    /// Share of observed values inside the 80% and 95% intervals, over predictions that have them.
    public var coverage80: Double?
    public var coverage95: Double?
}

/// Stage 1's error at one target: the via metric predicted against observed.
public struct LadderViaError: Sendable, Codable {
    public var family: String
    public var run: String
    public var params: Double?
    public var tokens: Double?
    public var observed: Double
    public var estimate: Double
    public var relativeError: Double { (estimate - observed) / observed }
}

/// A ladder backtest's result.
public struct LadderBacktestResult: Sendable, Codable {
    public var via: ViaMetric
    public var trainMax: Double
    public var predictions: [LadderPrediction]
    public var summaries: [LadderMethodSummary]
    public var viaErrors: [LadderViaError]
    /// The method `auto` chose in each family, and the inner forecast errors behind the choice.
    public var chosen: [String: String]
    public var innerErrors: [String: [String: Double]]
    /// Families or curves left out, with the reason.
    public var skipped: [String]
}

/// A curve of a ladder backtest: task, metric, few-shot setting.
public struct LadderCurve: Hashable, Sendable {
    public var task: String
    public var metric: String
    public var shots: Int?

    public init(task: String, metric: String, shots: Int?) {
        self.task = task
        self.metric = metric
        self.shots = shots
    }
}

/// Ladder backtests: within each family (a training set, a model suite), every method is fitted on
/// the runs up to `trainMax` parameters and predicts the larger runs' final checkpoints — the
/// protocol of Bhagia et al. 2024 (fit 190M–1.3B, predict 7B and 13B) and of Gadre et al. 2024
/// (fit ≤ 411M, predict 1.4B and 6.9B).
///
/// `auto` picks one method per family by the evidence of inner forecasts: each method is refitted
/// on the runs up to each inner size (every fitted size but the smallest and the largest) and
/// predicts the later fitted runs; the method with the least mean absolute inner error over all
/// the family's curves is used for every curve. The choice is pooled over curves because one
/// curve's handful of inner forecasts is noise: on the over-training testbed a per-task choice
/// lost to the pooled one.
public enum LadderBacktester {
    public static func run(_ data: Dataset, curves: [LadderCurve], via: ViaMetric, options: LadderBacktestOptions,
                           progress: (@Sendable (String) -> Void)? = nil) async -> LadderBacktestResult {
        var predictions: [LadderPrediction] = [], viaErrors: [LadderViaError] = [], skipped: [String] = []
        var chosen: [String: String] = [:], inner: [String: [String: Double]] = [:]
        let families = data.families.isEmpty || !options.perFamily ? [""] : data.families
        for family in families {
            let rows = (0..<data.count).filter { family.isEmpty || data.model(ofRow: $0).family == family }
            let subset = data.subset(rows: rows)
            let label = family.isEmpty ? "all models" : family
            let builds = curves.map { curve in
                (curve, subset.ladder(task: curve.task, metric: curve.metric, shots: curve.shots, via: via,
                                      x: options.ladder.oneInput == nil ? nil : options.xAxis ?? .params))
            }
            let ladders = builds.compactMap { $0.1.ladder.points.isEmpty ? nil : ($0.0, $0.1.ladder) }
            // What the ladder could not use, said once per family: runs without the via metric,
            // untrained checkpoints (step 0, zero tokens).
            let missing = Set(builds.flatMap(\.1.missingVia)).sorted()
            if !missing.isEmpty {
                skipped.append("\(label): \(missing.count) run\(missing.count == 1 ? "" : "s") without \(via) skipped: \(LadderStageOne.list(missing))")
            }
            let untrained = builds.map(\.1.untrained).reduce(0, +)
            if untrained > 0 { skipped.append("\(label): \(untrained) untrained checkpoint scores left out (step 0 or zero tokens)") }
            guard !ladders.isEmpty else { continue }
            progress?(label)
            let all = ladders.flatMap(\.1.points)
            let trainRuns = Set(all.filter { ($0.params ?? .infinity) <= options.trainMax }.map(\.run))
            let targetRuns = Set(all.map(\.run)).subtracting(trainRuns)
            guard !targetRuns.isEmpty else { skipped.append("\(label): no run above \(options.trainMax) parameters to predict"); continue }
            let outcome: FamilyOutcome
            do {
                outcome = try await predictFamily(label, ladders: ladders, train: trainRuns, targets: targetRuns, via: via,
                                                  options: options, intervals: true)
            } catch {
                skipped.append("\(label): \(error.description)")
                continue
            }
            predictions += outcome.predictions
            viaErrors += outcome.viaErrors
            skipped += outcome.skipped
            if options.auto {
                let errors = await innerErrors(label, ladders: ladders, train: trainRuns, via: via, options: options)
                inner[label] = errors
                let pick = options.methods.filter { errors[$0.rawValue] != nil }.min { errors[$0.rawValue]! < errors[$1.rawValue]! }
                    ?? options.methods.first ?? .twoStep
                chosen[label] = pick.rawValue
                predictions += outcome.predictions.filter { $0.method == pick.rawValue }.map { var p = $0; p.method = "auto"; return p }
            }
        }
        let methods = options.methods.map(\.rawValue) + (options.auto ? ["auto"] : [])
        let summaries = methods.compactMap { method -> LadderMethodSummary? in
            let chosen = predictions.filter { $0.method == method }
            return chosen.isEmpty ? nil : summarize(method, chosen)
        }
        return LadderBacktestResult(via: via, trainMax: options.trainMax, predictions: predictions, summaries: summaries,
                                    viaErrors: viaErrors, chosen: chosen, innerErrors: inner, skipped: skipped)
    }

    static func summarize(_ method: String, _ predictions: [LadderPrediction]) -> LadderMethodSummary {
        let n = Double(predictions.count)
        let mae = predictions.reduce(0) { $0 + abs($1.error) } / n
        let rmse = (predictions.reduce(0) { $0 + $1.error * $1.error } / n).squareRoot()
        func coverage(_ level: Double) -> Double? {
            let withInterval = predictions.compactMap { p in p.intervals.first { abs($0.level - level) < 1e-9 }.map { $0.contains(p.observed) } }
            return withInterval.isEmpty ? nil : Double(withInterval.filter { $0 }.count) / Double(withInterval.count)
        }
        return LadderMethodSummary(method: method, predictions: predictions.count, mae: mae, rmse: rmse,
                                   coverage80: coverage(0.8), coverage95: coverage(0.95))
    }

    struct FamilyOutcome {
        var predictions: [LadderPrediction]
        var viaErrors: [LadderViaError]
        var skipped: [String]
    }

    /// Every method fitted on the `train` runs of each ladder, predicting the `targets` runs' finals.
    static func predictFamily(_ label: String, ladders: [(LadderCurve, Ladder)], train: Set<String>, targets: Set<String>,
                              via: ViaMetric, options: LadderBacktestOptions, intervals: Bool) async throws(FitInputError) -> FamilyOutcome {
        var ladderOptions = options.ladder
        if !intervals { ladderOptions.replicates = 0 }
        let trainPoints = ladders.flatMap { $0.1.restricted(to: train).points }
        let stageOne: LadderStageOne? = options.methods.contains(where: \.usesVia)
            ? try await LadderStageOne(trainPoints, via: via, options: ladderOptions) : nil
        // Curves are independent once stage 1 is fitted: one task per core.
        let replicates = ladderOptions.replicates
        let parts: [FamilyOutcome] = await concurrentMap(ladders.count) { index in
            await predictCurve(label, curve: ladders[index].0, ladder: ladders[index].1, train: train, targets: targets,
                               stageOne: stageOne, options: options, replicates: replicates, intervals: intervals)
        }
        // Stage 1 is the same for every curve: its error at each predicted run, once.
        let viaErrors = stageOne.map { stageOne in
            Ladder.finals(ladders.flatMap { $0.1.restricted(to: targets).points }).map { point in
                LadderViaError(family: label, run: point.run, params: point.params, tokens: point.tokens,
                               observed: point.via, estimate: stageOne.via(at: stageOne.target(of: point)))
            }
        } ?? []
        return FamilyOutcome(predictions: parts.flatMap(\.predictions), viaErrors: viaErrors, skipped: parts.flatMap(\.skipped))
    }

    /// Every method on one curve.
    static func predictCurve(_ label: String, curve: LadderCurve, ladder: Ladder, train: Set<String>, targets: Set<String>,
                             stageOne: LadderStageOne?, options: LadderBacktestOptions, replicates: Int, intervals: Bool) async -> FamilyOutcome {
        var outcome = FamilyOutcome(predictions: [], viaErrors: [], skipped: [])
        let fitted = ladder.restricted(to: train)
        let held = ladder.restricted(to: targets).finals.filter { $0.score != nil }
        guard !held.isEmpty else { return outcome }
        let finals = fitted.finals.filter { $0.score != nil }
        func record(_ method: LadderMethod, _ point: LadderPoint, _ estimate: Double, _ intervals: [LevelInterval],
                    via: Double? = nil, link: String? = nil) {
            outcome.predictions.append(LadderPrediction(
                family: label, task: curve.task, metric: curve.metric, shots: curve.shots, run: point.run, params: point.params,
                tokens: point.tokens, method: method.rawValue, observed: point.score!, estimate: estimate,
                viaEstimate: via, viaObserved: via == nil ? nil : point.via, link: link, intervals: intervals))
        }
        // The combination needs both of its members, scored or not.
        var methods = options.methods
        if methods.contains(.combined) {
            for member in [LadderMethod.twoStep, .directAuto] where !methods.contains(member) { methods.insert(member, at: 0) }
        }
        for method in methods {
            switch method {
            case .combined:
                continue
            case .twoStep, .twoStepSigmoid, .twoStepExponential:
                guard let stageOne else { continue }
                let links: [LinkForm]? = method == .twoStep ? nil : [method == .twoStepSigmoid ? .sigmoid : .exponential]
                do {
                    let fit = try LadderTwoStep.fit(fitted, stageOne: stageOne, at: held.map(stageOne.target(of:)), links: links)
                    for (point, forecast) in zip(held, fit.points) {
                        record(method, point, forecast.estimate, forecast.intervals, via: forecast.via, link: fit.link.form.rawValue)
                    }
                } catch {
                    outcome.skipped.append("\(label) \(curve.task) \(curve.metric) \(method): \(error.description)")
                }
            case .lastValue:
                for point in held {
                    if let nearest = nearestLargest(finals, to: point) { record(method, point, nearest.score!, []) }
                }
            case .computeSigmoid, .computeLogPower, .directAuto:
                guard let estimates = await direct(method, finals: finals, held: held, chance: ladder.chance,
                                                   replicates: intervals ? replicates : 0, seed: options.ladder.seed)
                else {
                    outcome.skipped.append("\(label) \(curve.task) \(curve.metric) \(method): cannot be fitted on \(finals.count) runs")
                    continue
                }
                for (point, estimate) in zip(held, estimates) { record(method, point, estimate.0, estimate.1) }
            }
        }
        if options.methods.contains(.combined) {
            let twoStep = outcome.predictions.filter { $0.method == LadderMethod.twoStep.rawValue }
            let direct = Dictionary(outcome.predictions.filter { $0.method == LadderMethod.directAuto.rawValue }.map { ($0.run, $0) },
                                    uniquingKeysWith: { a, _ in a })
            for first in twoStep {
                guard let second = direct[first.run] else { continue }
                var combined = first
                combined.method = LadderMethod.combined.rawValue
                combined.estimate = (first.estimate + second.estimate) / 2
                combined.intervals = first.intervals.compactMap { a in
                    second.intervals.first { abs($0.level - a.level) < 1e-9 }.map {
                        LevelInterval(level: a.level, lower: (a.lower + $0.lower) / 2, upper: (a.upper + $0.upper) / 2)
                    }
                }
                outcome.predictions.append(combined)
            }
            // Members added only to combine are not scored.
            let asked = Set(options.methods.map(\.rawValue))
            outcome.predictions.removeAll { !asked.contains($0.method) }
        }
        return outcome
    }

    /// The run of the largest fitted size whose tokens-per-parameter ratio is nearest the target's.
    static func nearestLargest(_ finals: [LadderPoint], to target: LadderPoint) -> LadderPoint? {
        guard let top = finals.compactMap(\.params).max() else { return finals.last }
        func ratio(_ p: LadderPoint) -> Double { log(max(p.tokens ?? 1, 1) / max(p.params ?? 1, 1)) }
        return finals.filter { $0.params == top }.min { abs(ratio($0) - ratio(target)) < abs(ratio($1) - ratio(target)) }
    }

    /// A direct law of the score against compute C = 6ND on the fitted runs' finals.
    static func direct(_ method: LadderMethod, finals: [LadderPoint], held: [LadderPoint], chance: Double?,
                       replicates: Int, seed: UInt64) async -> [(Double, [LevelInterval])]? {
        let usable = finals.filter { $0.compute != nil }
        guard usable.count >= 4, held.allSatisfy({ $0.compute != nil }) else { return nil }
        let xs = usable.map { $0.compute! }, ys = usable.map { $0.score! }, at = held.map { $0.compute! }
        let bounded = ys.allSatisfy { $0 >= 0 && $0 <= 1 }
        switch method {
        case .computeLogPower:
            guard bounded else { return nil }
            let transformed = ys.map { -log(min(max($0, 1e-4), 1 - 1e-4)) }
            guard let fit = try? Fitter(loss: .squared, residualSpace: .log).fit(PowerLaw(), to: FitData(x: xs, y: transformed)) else { return nil }
            return PowerLaw().predict(fit.theta, x: at).map { (exp(-$0), []) }
        case .computeSigmoid, .directAuto:
            let law: LawChoice = method == .directAuto ? .auto : .law(LogisticLaw(floor: chance))
            let options = ForecastOptions(law: law, replicates: max(replicates, 1), seed: seed, floor: chance,
                                          higherIsBetter: bounded ? true : nil)
            guard let forecast = try? await Forecaster.forecast(FitData(x: xs, y: ys), at: at, options: options) else { return nil }
            return forecast.points.map { ($0.estimate, replicates > 0 ? $0.intervals : []) }
        default:
            return nil
        }
    }

    /// Each method's mean absolute inner forecast error over the family's curves: refitted on the
    /// runs up to each inner size, predicting the later fitted runs.
    static func innerErrors(_ label: String, ladders: [(LadderCurve, Ladder)], train: Set<String>, via: ViaMetric,
                            options: LadderBacktestOptions) async -> [String: Double] {
        let trainPoints = ladders.flatMap { $0.1.restricted(to: train).points }
        let sizes = Array(Set(trainPoints.compactMap(\.params))).sorted()
        guard sizes.count >= 3 else { return [:] }
        var totals: [String: (Double, Int)] = [:]
        for origin in sizes.dropFirst().dropLast() {
            let early = Set(trainPoints.filter { ($0.params ?? .infinity) <= origin }.map(\.run))
            let later = train.subtracting(early)
            guard let outcome = try? await predictFamily(label, ladders: ladders, train: early, targets: later, via: via,
                                                         options: options, intervals: false) else { continue }
            for p in outcome.predictions {
                let current = totals[p.method] ?? (0, 0)
                totals[p.method] = (current.0 + abs(p.error), current.1 + 1)
            }
        }
        return totals.mapValues { $0.0 / Double($0.1) }
    }
}
