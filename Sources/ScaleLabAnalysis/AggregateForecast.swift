import Foundation
import ScaleLabCore
import ScaleLabFit

/// The mean score over a set of tasks at a new scale, forecast two ways side by side.
///
/// For T tasks of one metric (and few-shot setting), the aggregate is A(x) = (1/T)·Σₜ yₜ(x).
///
/// 1. **The aggregate's own law.** The mean score of each model over the tasks,
///    ȳₘ = (1/T)·Σₜ yₜ,ₘ (yₜ,ₘ itself the mean of the model's rows on task t, when it has several
///    seeds), is one curve; it is fitted and forecast like any other (``Forecaster``). Only models
///    with a score on *every* task enter (a mean over a different subset of tasks is a different
///    quantity); the others are listed in ``MeanCurve/dropped``.
/// 2. **The mean of per-task forecasts.** Each task is forecast on its own models; the estimate is
///    Â(x) = (1/T)·Σₜ ŷₜ(x), and the prediction interval at level L is the (1 ∓ L)/2 percentiles
///    of the per-replicate means A*_b = (1/T)·Σₜ y*ₜ,b over b < B = minₜ Bₜ, where y*ₜ,b is
///    replicate b's simulated new observation of task t (``ForecastPoint/draws``) and Bₜ their count.
///
/// Pairing replicate b across tasks (rather than drawing each task independently) keeps what the
/// tasks share. Every task is forecast with the same seed, so when the tasks hold the same models
/// in the same order, replicate b resamples the same models on every task and adds the
/// leave-one-out error of the same model: the draws of the mean come from the joint bootstrap of
/// the tasks, and a model that does well on one task and well on the others widens the interval
/// of the mean as it should. Independent draws would shrink the interval by about 1/√T and cover
/// too rarely when tasks move together. Draws are paired by position: a replicate whose refit
/// failed on one task (rare) shifts that task's later draws by one, and the longest tasks are
/// truncated to the shortest (B, reported as ``AggregateForecast/pairedReplicates``).
///
/// The two answers differ when tasks differ in shape: a mean of sigmoids with different midpoints
/// is not a sigmoid, so the aggregate's law can misfit where each task's does not, while the mean
/// of forecasts inherits every task's extrapolation error. Agreement between them is evidence that
/// the aggregate is predictable; disagreement says which assumption matters.
public enum AggregateForecaster {
    /// The per-model mean over the tasks of `series`, on the models that have every task, sorted by
    /// x (then model). x and x2 of a model are taken from the first task that holds it.
    public static func meanCurve(_ series: [FitSeries]) -> MeanCurve {
        struct Scores { var x: Double; var x2: Double?; var sum = 0.0; var count = 0 }
        var perTask: [[ModelKey: Scores]] = []
        for curve in series {
            var scores: [ModelKey: Scores] = [:]
            for (index, model) in curve.models.enumerated() {
                var entry = scores[model] ?? Scores(x: curve.data.x[index], x2: curve.data.x2?[index])
                entry.sum += curve.data.y[index]
                entry.count += 1
                scores[model] = entry
            }
            perTask.append(scores)
        }
        let all = Set(perTask.flatMap(\.keys))
        let complete = all.filter { model in perTask.allSatisfy { $0[model] != nil } }
        let first = complete.map { model in (model, perTask.first { $0[model] != nil }![model]!) }
            .sorted { ($0.1.x, $0.0) < ($1.1.x, $1.0) }
        let means = first.map { model, _ in
            perTask.reduce(0) { $0 + $1[model]!.sum / Double($1[model]!.count) } / Double(max(perTask.count, 1))
        }
        let hasX2 = series.contains { $0.data.x2 != nil }
        return MeanCurve(models: first.map(\.0.description), x: first.map(\.1.x),
                         x2: hasX2 ? first.map { $0.1.x2 ?? .nan } : nil, y: means,
                         dropped: all.subtracting(complete).sorted().map(\.description))
    }

    /// The mean of T tasks' forecasts at the same scales: `tasks[t][j]` is task t's forecast at the
    /// j-th scale. The estimate is the mean of estimates; the intervals are the percentiles of the
    /// per-replicate means of the draws, paired by position and truncated to the shortest (see
    /// ``AggregateForecaster``). A scale where some task has no draws gets no intervals.
    ///
    /// - Returns: the combined points (their `draws` are the per-replicate means) and the number of
    ///   paired replicates, the smallest over the scales.
    public static func meanOfTasks(_ tasks: [[ForecastPoint]], levels: [Double]) -> (points: [ForecastPoint], pairedReplicates: Int) {
        guard let scales = tasks.first?.count, tasks.allSatisfy({ $0.count == scales }) else { return ([], 0) }
        let count = Double(tasks.count)
        var paired = Int.max
        let points = (0..<scales).map { j -> ForecastPoint in
            let b = tasks.map { $0[j].draws.count }.min() ?? 0
            paired = min(paired, b)
            let draws = (0..<b).map { replicate in tasks.reduce(0) { $0 + $1[j].draws[replicate] } / count }
            let estimate = tasks.reduce(0) { $0 + $1[j].estimate } / count
            let intervals = draws.isEmpty ? [] : LevelInterval.percentiles(of: draws, levels: levels)
            return ForecastPoint(x: tasks[0][j].x, x2: tasks[0][j].x2, estimate: estimate, intervals: intervals, draws: draws)
        }
        return (points, scales == 0 ? 0 : paired)
    }

    /// Forecasts the mean over the tasks of `series` at `xs` (and `x2` for two-input laws) both
    /// ways, every forecast with `options` (same law choice, replicates and seed).
    ///
    /// - Parameters:
    ///   - floors: the logistic floor of each curve (its chance level), overriding `options.floor`;
    ///     the aggregate law's floor is their mean (the floor of a mean is the mean of the floors),
    ///     or `options.floor` when some curve has none.
    ///   - progress: called before each forecast with (step, steps, what): the T tasks, then the
    ///     aggregate law.
    /// - Throws: ``FitInputError`` when the curves are fewer than two, or differ in metric or
    ///   few-shot setting, or name a task twice. A forecast that fails is reported in the result.
    public static func forecast(_ series: [FitSeries], at xs: [Double], x2: [Double]? = nil, options: ForecastOptions,
                                floors: [Double?]? = nil,
                                progress: (@Sendable (Int, Int, String) -> Void)? = nil) async throws(FitInputError) -> AggregateForecast {
        guard series.count >= 2 else {
            throw FitInputError("an aggregate needs at least two tasks; the selection holds \(series.count) curve\(series.count == 1 ? "" : "s")")
        }
        let metrics = Set(series.map(\.metric)), shots = Set(series.map { $0.shots ?? -1 })
        guard metrics.count == 1, shots.count == 1 else {
            throw FitInputError("an aggregate is a mean over tasks of one metric and few-shot setting; the curves hold metrics "
                + "\(metrics.sorted().joined(separator: ", ")) and shots \(shots.sorted().map { $0 < 0 ? "none" : String($0) }.joined(separator: ", "))")
        }
        let names = series.map(\.task)
        if let twice = names.first(where: { name in names.filter { $0 == name }.count > 1 }) {
            throw FitInputError("task '\(twice)' appears in more than one curve; an aggregate counts each task once")
        }
        if let floors, floors.count != series.count {
            throw FitInputError("\(floors.count) floors for \(series.count) curves; give one per curve")
        }
        let steps = series.count + 1
        var taskForecasts: [TaskForecast] = []
        for (index, curve) in series.enumerated() {
            progress?(index + 1, steps, "\(curve.task): \(curve.data.count) points")
            var taskOptions = options
            if let floor = floors?[index] { taskOptions.floor = floor }
            var entry = TaskForecast(task: curve.task, points: curve.data.count)
            do throws(FitInputError) {
                entry.forecast = try await Forecaster.forecast(curve.data, at: xs, x2: x2, options: taskOptions)
            } catch {
                entry.error = error.description
            }
            taskForecasts.append(entry)
        }

        let curve = meanCurve(series)
        progress?(steps, steps, "aggregate law: mean of \(series.count) tasks on \(curve.models.count) models")
        var aggregateOptions = options
        if let floors, floors.allSatisfy({ $0 != nil }) {
            aggregateOptions.floor = floors.reduce(0) { $0 + $1! } / Double(floors.count)
        }
        var aggregateLaw: Forecast?
        var aggregateLawError: String?
        if curve.models.isEmpty {
            aggregateLawError = "no model has a score on every task"
        } else {
            do throws(FitInputError) {
                aggregateLaw = try await Forecaster.forecast(curve.data, at: xs, x2: x2, options: aggregateOptions)
            } catch {
                aggregateLawError = error.description
            }
        }

        var meanOfTasks: [ForecastPoint] = []
        var meanOfTasksError: String?
        var paired = 0
        let failed = taskForecasts.filter { $0.forecast == nil }
        if failed.isEmpty {
            (meanOfTasks, paired) = Self.meanOfTasks(taskForecasts.map { $0.forecast!.points }, levels: options.levels)
        } else {
            meanOfTasksError = "no forecast for \(failed.map(\.task).joined(separator: ", ")), so no mean over all tasks"
        }
        return AggregateForecast(metric: series[0].metric, shots: series[0].shots, tasks: names, meanCurve: curve,
                                 aggregateLaw: aggregateLaw, aggregateLawError: aggregateLawError, taskForecasts: taskForecasts,
                                 meanOfTasks: meanOfTasks, meanOfTasksError: meanOfTasksError, pairedReplicates: paired)
    }
}

/// The per-model mean score over a set of tasks (see ``AggregateForecaster/meanCurve(_:)``).
public struct MeanCurve: Sendable, Codable, Equatable {
    /// The models with a score on every task, in the order of `x`.
    public var models: [String]
    public var x: [Double]
    public var x2: [Double]?
    /// The mean score of each model over the tasks.
    public var y: [Double]
    /// Models left out because some task has no score for them.
    public var dropped: [String]

    public init(models: [String], x: [Double], x2: [Double]?, y: [Double], dropped: [String]) {
        self.models = models
        self.x = x
        self.x2 = x2
        self.y = y
        self.dropped = dropped
    }

    /// The curve as points to fit.
    public var data: FitData { FitData(x: x, x2: x2, y: y) }
}

/// One task's forecast within an aggregate, or why there is none.
public struct TaskForecast: Sendable, Codable {
    public var task: String
    /// Points the task was fitted on.
    public var points: Int
    public var forecast: Forecast?
    public var error: String?

    public init(task: String, points: Int, forecast: Forecast? = nil, error: String? = nil) {
        self.task = task
        self.points = points
        self.forecast = forecast
        self.error = error
    }
}

/// The mean score over tasks at new scales, forecast two ways (see ``AggregateForecaster``).
public struct AggregateForecast: Sendable, Codable {
    public var metric: String
    public var shots: Int?
    public var tasks: [String]
    /// (1) The per-model mean over the tasks the aggregate law is fitted to.
    public var meanCurve: MeanCurve
    /// (1) The aggregate's own law, forecast like one curve; nil with `aggregateLawError` when it fails.
    public var aggregateLaw: Forecast?
    public var aggregateLawError: String?
    /// Each task's own forecast.
    public var taskForecasts: [TaskForecast]
    /// (2) The mean of the per-task forecasts at each scale; empty with `meanOfTasksError` when a
    /// task has no forecast.
    public var meanOfTasks: [ForecastPoint]
    public var meanOfTasksError: String?
    /// Replicates paired across tasks for the intervals of (2): the smallest draw count.
    public var pairedReplicates: Int
}
