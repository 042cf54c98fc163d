import ScaleLabCore

/// One curve to fit: the observations of one task, metric and few-shot setting against an x-axis.
public struct FitSeries: Sendable {
    public var task: String
    public var metric: String
    public var shots: Int?
    public var data: FitData
    /// The model of each point, in the order of `data`.
    public var models: [ModelKey]
    /// The family, model seed and evaluation seed of each point, for grouped resampling.
    public var families: [String?]
    public var modelSeeds: [Int?]
    public var evaluationSeeds: [Int?]

    /// A curve; the per-point labels default to unknown.
    public init(task: String, metric: String, shots: Int?, data: FitData, models: [ModelKey],
                families: [String?]? = nil, modelSeeds: [Int?]? = nil, evaluationSeeds: [Int?]? = nil) {
        self.task = task
        self.metric = metric
        self.shots = shots
        self.data = data
        self.models = models
        self.families = families ?? Array(repeating: nil, count: data.count)
        self.modelSeeds = modelSeeds ?? Array(repeating: nil, count: data.count)
        self.evaluationSeeds = evaluationSeeds ?? Array(repeating: nil, count: data.count)
    }

    /// What points share when they are resampled together.
    public enum Grouping: String, Sendable, CaseIterable, Codable {
        case points, family, seed
    }

    /// Bootstrap resampling for a grouping: `.seed` groups by the model's training seed (else the
    /// evaluation seed), `.family` by model family. Points without the label form one group each.
    public func resampling(_ grouping: Grouping) -> BootstrapOptions.Resampling {
        let labels: [String?]
        switch grouping {
        case .points: return .points
        case .family: labels = families
        case .seed: labels = zip(modelSeeds, evaluationSeeds).map { ($0 ?? $1).map(String.init) }
        }
        var ids: [String: Int] = [:]
        var groups: [Int] = []
        for (index, label) in labels.enumerated() {
            let key = label ?? "#point\(index)"
            if ids[key] == nil { ids[key] = ids.count }
            groups.append(ids[key]!)
        }
        return .groups(groups)
    }
}

/// How points are weighted in a fit.
public enum Weighting: String, Sendable, CaseIterable, Codable {
    /// All points count equally.
    case none
    /// Inverse standard error: wᵢ = 1/seᵢ on linear residuals and yᵢ/seᵢ on log residuals (the
    /// delta method: se(log y) ≈ se(y)/y), scaled to mean 1 so that a Huber δ keeps its meaning.
    case stderr
}

extension Dataset {
    /// The dataset's observations as curves, one per (task, metric, shots), with x (and x2 for
    /// two-input laws) from the given axes. Rows without a value on an axis are left out.
    ///
    /// - Throws: ``FitInputError`` when weighting by stderr and a point has none (or a zero one).
    public func fitSeries(x: XAxis, x2: XAxis? = nil, weighting: Weighting = .none, space: ResidualSpace = .log) throws(FitInputError) -> [FitSeries] {
        struct Key: Hashable { var task: Int32; var metric: Int32; var shots: Int? }
        var groups: [Key: [Int]] = [:]
        var order: [Key] = []
        for row in 0..<count {
            guard self.x(x, row: row)?.isFinite == true else { continue }
            if let x2 { guard self.x(x2, row: row)?.isFinite == true else { continue } }
            let key = Key(task: taskIndex[row], metric: metricIndex[row], shots: shots[row])
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(row)
        }
        var series: [FitSeries] = []
        for key in order {
            let rows = groups[key]!.sorted { (self.x(x, row: $0) ?? 0) < (self.x(x, row: $1) ?? 0) }
            var weights: [Double]?
            if weighting == .stderr {
                var raw: [Double] = []
                for row in rows {
                    guard let se = stderrs[row], se > 0 else {
                        throw FitInputError("\(model(ofRow: row).key) on \(tasks[Int(key.task)].name) has no positive stderr; weight with --weights none or supply stderr")
                    }
                    raw.append(space == .log ? abs(values[row]) / se : 1 / se)
                }
                let average = raw.reduce(0, +) / Double(raw.count)
                weights = raw.map { $0 / average }
            }
            series.append(FitSeries(
                task: tasks[Int(key.task)].name, metric: metrics[Int(key.metric)], shots: key.shots,
                data: FitData(
                    x: rows.map { self.x(x, row: $0)! }, x2: x2.map { axis in rows.map { self.x(axis, row: $0)! } },
                    y: rows.map { values[$0] }, weights: weights),
                models: rows.map { model(ofRow: $0).key }, families: rows.map { model(ofRow: $0).family },
                modelSeeds: rows.map { model(ofRow: $0).seed }, evaluationSeeds: rows.map { seeds[$0] }))
        }
        return series
    }
}
