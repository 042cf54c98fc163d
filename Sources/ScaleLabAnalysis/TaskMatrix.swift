import Foundation
import ScaleLabCore

/// One task's scores against scale: the input of the per-task diagnostics (scaling class).
///
/// Points are sorted by x; several points may share an x (twins, seeds).
public struct TaskCurve: Sendable, Hashable, Codable {
    public var task: String
    public var metric: String
    public var shots: Int?
    public var x: [Double]
    public var y: [Double]
    /// Standard error of each score, when the evaluation reported one.
    public var stderr: [Double?]
    /// Number of test items behind each score (the task's item count when the row has none).
    public var items: Int?
    /// The score of random guessing (multiple choice: 1 / number of options), when known.
    public var chance: Double?
    /// Whether larger values are better (accuracies) or worse (losses).
    public var higherIsBetter: Bool

    public init(task: String, metric: String, shots: Int? = nil, x: [Double], y: [Double], stderr: [Double?]? = nil,
                items: Int? = nil, chance: Double? = nil, higherIsBetter: Bool = true) {
        let order = x.indices.sorted { (x[$0], $0) < (x[$1], $1) }
        self.task = task
        self.metric = metric
        self.shots = shots
        self.x = order.map { x[$0] }
        self.y = order.map { y[$0] }
        let errors = stderr ?? Array(repeating: nil, count: x.count)
        self.stderr = order.map { errors[$0] }
        self.items = items
        self.chance = chance
        self.higherIsBetter = higherIsBetter
    }
}

/// One metric's scores on a set of tasks × a set of models, every cell filled: the input of the
/// overlap analysis (de-trended correlations across models, effective number of tasks).
public struct TaskMatrix: Sendable, Codable {
    public var metric: String
    public var shots: Int?
    public var tasks: [String]
    /// Per task: suite, chance level and item count when known.
    public var suites: [String?]
    public var chance: [Double?]
    public var items: [Int?]
    /// Models (columns), sorted by x.
    public var models: [String]
    public var families: [String?]
    public var x: [Double]
    /// scores[task][model].
    public var scores: [[Double]]
    /// stderr[task][model], when known.
    public var stderr: [[Double?]]
    /// Why models or tasks were left out to fill every cell (for the report).
    public var dropped: [String]

    public init(metric: String, shots: Int? = nil, tasks: [String], suites: [String?]? = nil, chance: [Double?]? = nil,
                items: [Int?]? = nil, models: [String], families: [String?]? = nil, x: [Double], scores: [[Double]],
                stderr: [[Double?]]? = nil, dropped: [String] = []) {
        precondition(scores.count == tasks.count && scores.allSatisfy { $0.count == models.count } && x.count == models.count,
                     "TaskMatrix: scores must be tasks × models")
        let order = x.indices.sorted { (x[$0], $0) < (x[$1], $1) }
        self.metric = metric
        self.shots = shots
        self.tasks = tasks
        self.suites = suites ?? Array(repeating: nil, count: tasks.count)
        self.chance = chance ?? Array(repeating: nil, count: tasks.count)
        self.items = items ?? Array(repeating: nil, count: tasks.count)
        self.models = order.map { models[$0] }
        self.families = order.map { (families ?? Array(repeating: nil, count: models.count))[$0] }
        self.x = order.map { x[$0] }
        self.scores = scores.map { row in order.map { row[$0] } }
        self.stderr = (stderr ?? scores.map { Array(repeating: nil, count: $0.count) }).map { row in order.map { row[$0] } }
        self.dropped = dropped
    }

    /// Task `t` as a curve against x.
    public func curve(_ t: Int) -> TaskCurve {
        TaskCurve(task: tasks[t], metric: metric, shots: shots, x: x, y: scores[t], stderr: stderr[t],
                  items: items[t], chance: chance[t], higherIsBetter: ScaleLabAnalysis.higherIsBetter(metric))
    }
}

/// Why a task matrix cannot be built from a selection.
public struct TaskMatrixError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

extension Dataset {
    /// Every (task, metric, shots) of the dataset as a curve against `x`; rows without x are left
    /// out. Chance and item counts come from the task's metadata, else the rows' item counts.
    public func taskCurves(x axis: XAxis) -> [TaskCurve] {
        struct Key: Hashable { var task: Int32; var metric: Int32; var shots: Int? }
        var groups: [Key: [Int]] = [:]
        var order: [Key] = []
        for row in 0..<count {
            guard let value = self.x(axis, row: row), value.isFinite, values[row].isFinite else { continue }
            let key = Key(task: taskIndex[row], metric: metricIndex[row], shots: shots[row])
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(row)
        }
        return order.map { key in
            let rows = groups[key]!, task = tasks[Int(key.task)], metric = metrics[Int(key.metric)]
            return TaskCurve(task: task.name, metric: metric, shots: key.shots, x: rows.map { self.x(axis, row: $0)! },
                             y: rows.map { values[$0] }, stderr: rows.map { stderrs[$0] },
                             items: task.items ?? rows.compactMap { counts[$0] }.max(), chance: task.chance,
                             higherIsBetter: ScaleLabAnalysis.higherIsBetter(metric))
        }
    }

    /// One metric's tasks × models with every cell filled, for the overlap analysis. Several rows
    /// of one (model, task) — evaluation seeds — are averaged. Where cells are missing, the model
    /// or task with the largest share of missing cells is dropped, repeatedly, until every cell
    /// is filled; each drop is listed in `dropped`.
    ///
    /// - Throws: ``TaskMatrixError`` when the selection has several metrics or few-shot settings
    ///   (the caller must choose one), or fewer than 2 tasks and 4 models remain.
    public func taskMatrix(x axis: XAxis) throws(TaskMatrixError) -> TaskMatrix {
        let usedMetrics = Set(metricIndex).map { metrics[Int($0)] }.sorted()
        guard usedMetrics.count == 1, let metric = usedMetrics.first else {
            throw TaskMatrixError(usedMetrics.isEmpty ? "no observations selected"
                : "the selection has \(usedMetrics.count) metrics (\(usedMetrics.prefix(6).joined(separator: ", "))); choose one with --metric")
        }
        let usedShots = Set(shots)
        guard usedShots.count == 1 else {
            throw TaskMatrixError("the selection mixes few-shot settings (\(usedShots.map { $0.map(String.init) ?? "none" }.sorted().joined(separator: ", "))); choose one with --shots")
        }
        var sums: [Int32: [Int32: (sum: Double, count: Int, se: Double?)]] = [:]
        var itemCounts: [Int32: Int] = [:]
        var xOf: [Int32: Double] = [:]
        var noX = 0
        for row in 0..<count where values[row].isFinite {
            guard let value = self.x(axis, row: row), value.isFinite else { noX += 1; continue }
            xOf[modelIndex[row]] = value
            if let n = counts[row] { itemCounts[taskIndex[row]] = max(itemCounts[taskIndex[row]] ?? 0, n) }
            let old = sums[taskIndex[row], default: [:]][modelIndex[row]] ?? (0, 0, nil)
            sums[taskIndex[row], default: [:]][modelIndex[row]] = (old.sum + values[row], old.count + 1, old.se ?? stderrs[row])
        }
        var dropped: [String] = noX > 0 ? ["\(noX) rows without \(axis) left out"] : []
        var taskSet = Set(sums.keys), modelSet = Set(xOf.keys)
        while true {
            var worstTask: (Int32, Double)?, worstModel: (Int32, Double)?
            for task in taskSet {
                let missing = modelSet.filter { sums[task]?[$0] == nil }.count
                let share = Double(missing) / Double(max(modelSet.count, 1))
                if missing > 0, share > (worstTask?.1 ?? 0) || (share == worstTask?.1 && task < worstTask!.0) { worstTask = (task, share) }
            }
            for model in modelSet {
                let missing = taskSet.filter { sums[$0]?[model] == nil }.count
                let share = Double(missing) / Double(max(taskSet.count, 1))
                if missing > 0, share > (worstModel?.1 ?? 0) || (share == worstModel?.1 && model < worstModel!.0) { worstModel = (model, share) }
            }
            if worstTask == nil && worstModel == nil { break }
            if let (model, share) = worstModel, share >= (worstTask?.1 ?? 0) {
                modelSet.remove(model)
                dropped.append("model \(models[Int(model)].key): no score on \(Int((share * 100).rounded()))% of the tasks")
            } else if let (task, share) = worstTask {
                taskSet.remove(task)
                dropped.append("task \(tasks[Int(task)].name): no score for \(Int((share * 100).rounded()))% of the models")
            }
        }
        guard taskSet.count >= 2, modelSet.count >= 4 else {
            throw TaskMatrixError("only \(taskSet.count) tasks scored on all of \(modelSet.count) models remain; need at least 2 tasks on 4 models")
        }
        let taskOrder = taskSet.sorted { tasks[Int($0)].name < tasks[Int($1)].name }
        let modelOrder = modelSet.sorted { (xOf[$0]!, models[Int($0)].key) < (xOf[$1]!, models[Int($1)].key) }
        return TaskMatrix(
            metric: metric, shots: usedShots.first!, tasks: taskOrder.map { tasks[Int($0)].name },
            suites: taskOrder.map { tasks[Int($0)].suite }, chance: taskOrder.map { tasks[Int($0)].chance },
            items: taskOrder.map { task in tasks[Int(task)].items ?? itemCounts[task] }, models: modelOrder.map { models[Int($0)].key.description },
            families: modelOrder.map { models[Int($0)].family }, x: modelOrder.map { xOf[$0]! },
            scores: taskOrder.map { task in modelOrder.map { let cell = sums[task]![$0]!; return cell.sum / Double(cell.count) } },
            stderr: taskOrder.map { task in modelOrder.map { sums[task]![$0]!.se } }, dropped: dropped)
    }
}
