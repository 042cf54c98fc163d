import Foundation
import ScaleLabCore
import ScaleLabFit

/// Settings of a backtest.
public struct BacktestOptions: Sendable {
    /// Laws to test (`auto`, or any law as a value); baselines are always added.
    public var laws: [LawChoice]
    /// Fixed origin: fit on x ≤ `trainMax`, predict every larger x. Nil: rolling origin.
    public var trainMax: Double?
    /// Fixed origin per curve just below its largest x: fit on the smaller models, predict the
    /// largest (a family's flagship from its smaller siblings).
    public var holdOutLargest: Bool
    /// Predict only each curve's largest x from the origin (a run's final checkpoint from its
    /// checkpoints up to `trainMax`), not every larger x.
    public var largestOnly = false
    /// Rolling origin: the smallest number of distinct x a fit may use.
    public var minimumTrain: Int
    public var replicates: Int
    public var seed: UInt64
    public var levels: [Double]
    public var fitter: Fitter
    public var floor: Double?
    /// Also score each law combined with the baselines by weights learned on the training ladder
    /// (see ``StackingReport``), where a metric has several curves.
    public var stacking: Bool

    public init(laws: [LawChoice] = [.auto], trainMax: Double? = nil, holdOutLargest: Bool = false, minimumTrain: Int = 5,
                replicates: Int = 200, seed: UInt64 = 42, levels: [Double] = [0.8, 0.95], fitter: Fitter = Fitter(),
                floor: Double? = nil, stacking: Bool = true) {
        self.stacking = stacking
        self.laws = laws
        self.trainMax = trainMax
        self.holdOutLargest = holdOutLargest
        self.minimumTrain = minimumTrain
        self.replicates = replicates
        self.seed = seed
        self.levels = levels
        self.fitter = fitter
        self.floor = floor
    }
}

extension BacktestOptions {
    /// How the backtest forecasts `law` on a curve of `metric`.
    func forecastOptions(law: LawChoice, metric: String, trend: AggregateTrend? = nil) -> ForecastOptions {
        ForecastOptions(law: law, fitter: fitter, replicates: replicates, seed: seed, levels: levels, floor: floor,
                        higherIsBetter: higherIsBetter(metric), trend: trend)
    }
}

/// One held-out observation and what a method predicted for it.
public struct BacktestPrediction: Sendable, Codable {
    public var task: String
    public var metric: String
    /// The law (`auto` shows the law it chose after a colon) or baseline name.
    public var method: String
    public var model: String
    /// The largest x the fit used.
    public var origin: Double
    public var x: Double
    public var observed: Double
    public var predicted: Double
    public var intervals: [LevelInterval]
    /// The law that made the prediction, when the method chose one (`auto`).
    public var law: String? = nil
    /// The few-shot setting of the curve.
    public var shots: Int? = nil
    /// Observed − predicted, in score units.
    public var error: Double { observed - predicted }
    /// |log observed − log predicted|, when both are positive.
    public var logError: Double? { observed > 0 && predicted > 0 ? abs(log(observed) - log(predicted)) : nil }
    /// The error in units of the 80% interval's implied standard deviation (half-width / 1.2816).
    public var z: Double? {
        guard let interval = intervals.first(where: { abs($0.level - 0.8) < 1e-9 }) else { return nil }
        let sigma = (interval.upper - interval.lower) / (2 * 1.281_551_565_545)
        return sigma > 0 ? error / sigma : nil
    }
}

/// The scores of one method over all held-out observations.
public struct BacktestSummary: Sendable, Codable {
    public var method: String
    public var predictions: Int
    /// Mean |observed − predicted| (accuracy points for accuracies).
    public var meanAbsoluteError: Double
    /// Mean |observed − predicted| / |observed|.
    public var meanRelativeError: Double
    /// √mean (log observed − log predicted)² over positive pairs (the Revisiting Neural Scaling Laws metric).
    public var rmsle: Double?
    /// Share of observations inside the interval at each level (nil for baselines).
    public var coverage: [LevelInterval]
}

/// An observation outside its 95% interval.
public struct Surprise: Sendable, Codable {
    /// The method whose interval it fell outside.
    public var method: String
    public var task: String
    public var metric: String
    public var model: String
    public var x: Double
    public var observed: Double
    public var predicted: Double
    public var z: Double
    /// "better than predicted" or "worse than predicted", by the metric's direction.
    public var direction: String
}

public struct BacktestResult: Sendable, Codable {
    public var predictions: [BacktestPrediction]
    public var summaries: [BacktestSummary]
    public var surprises: [Surprise]
    /// Curves that could not be fitted at some origin, with the reason.
    public var skipped: [String]
    /// The combinations learned per metric, law and origin.
    public var stacking: [StackingReport] = []
    /// Each law's mean absolute error minus each baseline's, with a bootstrap interval over curves.
    public var differences: [MethodDifference] = []
}

/// How much a law's mean absolute error differs from a baseline's on the observations both
/// predicted, with a 95% interval from resampling whole curves (a task's held-out models share
/// its quirks, so observations are not independent): negative is better than the baseline.
public struct MethodDifference: Sendable, Codable {
    public var method: String
    public var baseline: String
    public var curves: Int
    public var observations: Int
    public var difference: Double
    public var lower: Double
    public var upper: Double
}

/// How a law was combined with the baselines for the curves of one metric from one origin.
public struct StackingReport: Sendable, Codable {
    public var metric: String
    public var law: String
    public var origin: Double
    /// Weight per member: `law`, `last-value`, `linear-log-x`, `aggregate-trend`.
    public var weights: [String: Double]
    /// The conformal quantile of the scaled inner errors per level.
    public var quantiles: [LevelInterval]
    /// Inner predictions the weights and quantiles were learned from.
    public var examples: Int
}

/// Whether larger values of a metric are better: losses, perplexities, bits, errors, Brier scores
/// and distances are not.
public func higherIsBetter(_ metric: String) -> Bool {
    let lowered = metric.lowercased()
    return !["loss", "ppl", "perplexity", "bpb", "bits", "error", "likelihood_difference", "brier", "distance"].contains { lowered.contains($0) }
}

/// Rolling- or fixed-origin backtests: fit on the smaller models, predict the larger ones, and
/// score the predictions and their intervals against what was observed.
public enum Backtester {
    public static func run(_ series: [FitSeries], options: BacktestOptions,
                           progress: (@Sendable (Int, Int, String) -> Void)? = nil) async -> BacktestResult {
        var predictions: [BacktestPrediction] = []
        var skipped: [String] = []
        let trends = AggregateTrend.byMetric(series)
        /// One law to fit to one curve up to one origin.
        struct Job: Sendable { var curve: Int; var origin: Double; var law: LawChoice; var test: [Int]; var train: FitData; var xs: [Double] }
        /// A job's forecast, kept for stacking.
        struct Pending { var job: Job; var forecast: Forecast }
        var pending: [Pending] = []
        var combinations: [StackingReport] = []
        func record(_ curve: FitSeries, _ method: String, origin: Double, test: [Int], _ predicted: [Double], _ intervals: [[LevelInterval]],
                    law: String? = nil) {
            for (k, row) in test.enumerated() {
                predictions.append(BacktestPrediction(
                    task: curve.task, metric: curve.metric, method: method, model: curve.models[row].description,
                    origin: origin, x: curve.data.x[row], observed: curve.data.y[row], predicted: predicted[k], intervals: intervals[k],
                    law: law, shots: curve.shots))
            }
        }
        var jobs: [Job] = []
        for (index, curve) in series.enumerated() {
            for origin in origins(of: curve, options: options) {
                let train = curve.data.x.indices.filter { curve.data.x[$0] <= origin }
                let largest = curve.data.x.max() ?? origin
                let test = curve.data.x.indices.filter { curve.data.x[$0] > origin && (!options.largestOnly || curve.data.x[$0] == largest) }
                let trainData = curve.data.subset(train)
                let xs = test.map { curve.data.x[$0] }
                let none = xs.map { _ in [LevelInterval]() }
                // Each baseline forecasts as the policy's candidate of the same name does.
                let forecastOptions = options.forecastOptions(law: .auto, metric: curve.metric)
                for method in Baseline.allCases.map(ForecastMethod.baseline) + [.aggregateTrend] {
                    guard let predicted = LawPolicy.predict(method, train: trainData, origin: origin, at: xs, options: forecastOptions,
                                                            trend: trends[curve.metric]) else { continue }
                    record(curve, method.name, origin: origin, test: test, predicted, none)
                }
                for law in options.laws {
                    jobs.append(Job(curve: index, origin: origin, law: law, test: test, train: trainData, xs: xs))
                }
            }
        }
        // The fits run a few at a time (each bootstrap is itself parallel); every forecast has its
        // own seed, and results are gathered in job order, so the outcome does not depend on scheduling.
        let allJobs = jobs
        // The policy's decisions first, pooled over the curves of one metric from one origin.
        let decisions = await Forecaster.decisions(for: allJobs.map { job in
            let metric = series[job.curve].metric
            return Forecaster.Question(data: job.train, xs: job.xs, options: options.forecastOptions(law: job.law, metric: metric, trend: trends[metric]),
                                       group: Forecaster.group(metric: metric, data: job.train))
        })
        var done = 0
        let forecasts = await concurrentMap(allJobs.count, completed: { i in
            done += 1
            let curve = series[allJobs[i].curve]
            progress?(done, allJobs.count, "\(curve.task) \(curve.metric) \(allJobs[i].law.name)")
        }) { i -> Result<Forecast, FitInputError> in
            let job = allJobs[i]
            do throws(FitInputError) {
                let metric = series[job.curve].metric
                let forecastOptions = options.forecastOptions(law: job.law, metric: metric, trend: trends[metric])
                return .success(try await Forecaster.forecast(job.train, at: job.xs, options: forecastOptions, decided: decisions[i]))
            } catch {
                return .failure(error)
            }
        }
        for (job, result) in zip(jobs, forecasts) {
            let curve = series[job.curve]
            switch result {
            case .success(let forecast):
                pending.append(Pending(job: job, forecast: forecast))
            case .failure(let error):
                skipped.append("\(curve.task) \(curve.metric) up to \(job.origin) with \(job.law.name): \(error.description)")
            }
        }
        for item in pending {
            record(series[item.job.curve], item.job.law.name, origin: item.job.origin, test: item.job.test,
                   item.forecast.points.map(\.estimate), item.forecast.points.map(\.intervals), law: item.forecast.law)
        }
        if options.stacking {
            // The curves of one metric forecast by one law from one origin are combined together.
            let groups = Dictionary(grouping: pending.indices) { i in
                "\(series[pending[i].job.curve].metric)|\(pending[i].job.law.name)|\(pending[i].job.origin)"
            }
            var stacked: [(Int, [ForecastPoint])] = []
            for key in groups.keys.sorted() {
                let members = groups[key]!
                let first = pending[members[0]].job, metric = series[first.curve].metric
                let curves = members.compactMap { i -> Stacking.Curve? in
                    let item = pending[i]
                    guard let method = item.forecast.method(options: options.forecastOptions(law: first.law, metric: metric)) else { return nil }
                    return Stacking.Curve(train: item.job.train, xs: item.job.xs, method: method, theta: item.forecast.fit?.theta)
                }
                let combined = curves.count == members.count && curves.count >= Stacking.minimumCurves
                    ? Stacking.combine(curves, trend: trends[metric], options: options.forecastOptions(law: first.law, metric: metric, trend: trends[metric])) : nil
                if let combined {
                    combinations.append(StackingReport(metric: metric, law: first.law.name, origin: first.origin,
                                                       weights: combined.combination.weights, quantiles: combined.combination.quantiles,
                                                       examples: combined.combination.examples))
                }
                // Where no combination can be learned (too few curves or inner predictions), the
                // stacked method is the law alone, so it is scored on every curve the law is.
                for (k, i) in members.enumerated() {
                    stacked.append((i, combined?.points[k] ?? pending[i].forecast.points))
                }
            }
            // A run of fewer curves than a combination needs has no stacked method at all.
            if series.count >= Stacking.minimumCurves {
                for (i, points) in stacked {
                    let item = pending[i]
                    record(series[item.job.curve], item.job.law.name + Stacking.suffix, origin: item.job.origin, test: item.job.test,
                           points.map(\.estimate), points.map(\.intervals), law: item.forecast.law)
                }
            }
        }
        return BacktestResult(predictions: predictions, summaries: summarize(predictions, levels: options.levels),
                              surprises: surprises(predictions, method: primaryMethod(predictions, laws: options.laws.map(\.name))),
                              skipped: skipped, stacking: combinations, differences: differences(predictions, seed: options.seed))
    }

    /// The origins of a curve: the largest x each fit may use.
    static func origins(of curve: FitSeries, options: BacktestOptions) -> [Double] {
        let distinct = Array(Set(curve.data.x)).sorted()
        if options.holdOutLargest {
            return distinct.count >= 2 ? [distinct[distinct.count - 2]] : []
        } else if let trainMax = options.trainMax {
            return distinct.contains { $0 <= trainMax } && distinct.contains { $0 > trainMax } ? [distinct.last { $0 <= trainMax }!] : []
        } else {
            return distinct.count > options.minimumTrain ? Array(distinct[(options.minimumTrain - 1)..<(distinct.count - 1)]) : []
        }
    }

    /// Scores per method over the observations every method predicted (a law that could not be
    /// fitted to a curve would otherwise be compared with baselines on easier curves). The
    /// aggregate-trend baseline exists only where a metric has several curves; it is scored on the
    /// common observations it covers and does not shrink the others' common set.
    public static func summarize(_ predictions: [BacktestPrediction], levels: [Double]) -> [BacktestSummary] {
        let methods = Array(Set(predictions.map(\.method))).sorted()
        let required = Set(methods).subtracting([AggregateTrend.name])
        func key(_ p: BacktestPrediction) -> String { "\(p.task)|\(p.metric)|\(p.shots ?? -1)|\(p.model)|\(p.origin)" }
        var methodsByKey: [String: Set<String>] = [:]
        for prediction in predictions { methodsByKey[key(prediction), default: []].insert(prediction.method) }
        let common = Set(methodsByKey.filter { required.isSubset(of: $0.value) }.keys)
        return methods.map { method in
            let mine = predictions.filter { $0.method == method && common.contains(key($0)) }
            let absolute = mine.map { abs($0.error) }
            let relative = mine.filter { $0.observed != 0 }.map { abs($0.error) / abs($0.observed) }
            let logs = mine.compactMap(\.logError)
            let withIntervals = mine.filter { !$0.intervals.isEmpty }
            let coverage: [LevelInterval] = withIntervals.isEmpty ? [] : levels.map { level in
                let inside = withIntervals.filter { p in p.intervals.first { abs($0.level - level) < 1e-9 }?.contains(p.observed) ?? false }
                let share = Double(inside.count) / Double(withIntervals.count)
                return LevelInterval(level: level, lower: share, upper: share)
            }
            return BacktestSummary(
                method: method, predictions: mine.count,
                meanAbsoluteError: absolute.reduce(0, +) / Double(max(absolute.count, 1)),
                meanRelativeError: relative.reduce(0, +) / Double(max(relative.count, 1)),
                rmsle: logs.isEmpty ? nil : (logs.reduce(0) { $0 + $1 * $1 } / Double(logs.count)).squareRoot(),
                coverage: coverage)
        }
    }

    /// The method a surprise list is about: the first law combined with the baselines when it
    /// was, else the first law (every law would otherwise repeat the same observation).
    public static func primaryMethod(_ predictions: [BacktestPrediction], laws: [String]) -> String? {
        let methods = Set(predictions.map(\.method))
        for law in laws where methods.contains(law + Stacking.suffix) { return law + Stacking.suffix }
        return laws.first { methods.contains($0) }
    }

    /// The methods whose predictions carry intervals (laws, not baselines), sorted.
    static func lawMethods(_ predictions: [BacktestPrediction]) -> [String] {
        Array(Set(predictions.filter { !$0.intervals.isEmpty }.map(\.method))).sorted()
    }

    /// Every method with intervals (a law) against every baseline: the mean over common
    /// observations of |error| − |baseline error|, and its 95% percentile interval over 2,000
    /// bootstrap resamples of the curves (task, metric, shots), each resample's difference being
    /// Σ over its curves of the summed differences / Σ of their observation counts.
    public static func differences(_ predictions: [BacktestPrediction], seed: UInt64, replicates: Int = 2000) -> [MethodDifference] {
        let laws = lawMethods(predictions)
        let baselines = Baseline.allCases.map(\.rawValue) + [AggregateTrend.name]
        func curve(_ p: BacktestPrediction) -> String { "\(p.task)|\(p.metric)|\(p.shots ?? -1)" }
        func key(_ p: BacktestPrediction) -> String { "\(curve(p))|\(p.model)|\(p.origin)" }
        var errors: [String: [String: Double]] = [:]
        for p in predictions { errors[p.method, default: [:]][key(p)] = abs(p.error) }
        var curveOf: [String: String] = [:]
        for p in predictions { curveOf[key(p)] = curve(p) }
        var out: [MethodDifference] = []
        for law in laws {
            for baseline in baselines {
                guard let mine = errors[law], let theirs = errors[baseline] else { continue }
                var sums: [String: (total: Double, count: Int)] = [:]
                for (k, e) in mine {
                    guard let b = theirs[k], let c = curveOf[k] else { continue }
                    sums[c] = ((sums[c]?.total ?? 0) + e - b, (sums[c]?.count ?? 0) + 1)
                }
                let perCurve = sums.keys.sorted().map { sums[$0]! }
                let observations = perCurve.reduce(0) { $0 + $1.count }
                guard observations > 0 else { continue }
                var generator = SplitMix64(seed: seed ^ 0xD1FF)
                var means: [Double] = []
                for _ in 0..<replicates {
                    var total = 0.0, count = 0
                    for _ in perCurve.indices {
                        let pick = perCurve[Int(generator.next() % UInt64(perCurve.count))]
                        total += pick.total
                        count += pick.count
                    }
                    means.append(total / Double(max(count, 1)))
                }
                let (lower, upper) = percentileInterval(means, level: 0.95)
                out.append(MethodDifference(method: law, baseline: baseline, curves: perCurve.count, observations: observations,
                                            difference: perCurve.reduce(0) { $0 + $1.total } / Double(observations),
                                            lower: lower, upper: upper))
            }
        }
        return out
    }

    /// Observations outside the 95% interval of `method` (default: ``primaryMethod(_:laws:)``
    /// of the methods with intervals), largest |z| first.
    public static func surprises(_ predictions: [BacktestPrediction], method: String? = nil) -> [Surprise] {
        let laws = lawMethods(predictions)
        guard let method = method ?? primaryMethod(predictions, laws: laws) else { return [] }
        return predictions.filter { $0.method == method }.compactMap { p -> Surprise? in
            guard let interval = p.intervals.first(where: { abs($0.level - 0.95) < 1e-9 }), !interval.contains(p.observed), let z = p.z else { return nil }
            let better = (p.observed > p.predicted) == higherIsBetter(p.metric)
            return Surprise(method: p.method, task: p.task, metric: p.metric, model: p.model, x: p.x, observed: p.observed, predicted: p.predicted,
                            z: z, direction: better ? "better than predicted" : "worse than predicted")
        }.sorted { abs($0.z) > abs($1.z) }
    }
}
