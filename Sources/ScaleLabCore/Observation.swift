/// One measured score: model × task × metric × shots × seed → value (tidy, one row per key).
///
/// `stderr` is the standard error the evaluator reported (for an accuracy p on n items,
/// lm-evaluation-harness reports sqrt(p(1−p)/(n−1))); `n` is the number of test items behind it.
/// `extras` and `labels` keep any further per-row columns of the input (a loss used as the x of a
/// second law, the source table, …).
public struct Observation: Hashable, Sendable, Codable {
    public var model: ModelKey
    public var task: String
    public var metric: String
    public var value: Double
    public var stderr: Double?
    public var n: Int?
    public var shots: Int?
    public var seed: Int?
    public var extras: [String: Double]
    public var labels: [String: String]

    public init(
        model: ModelKey, task: String, metric: String, value: Double, stderr: Double? = nil,
        n: Int? = nil, shots: Int? = nil, seed: Int? = nil,
        extras: [String: Double] = [:], labels: [String: String] = [:]
    ) {
        self.model = model
        self.task = task
        self.metric = metric
        self.value = value
        self.stderr = stderr
        self.n = n
        self.shots = shots
        self.seed = seed
        self.extras = extras
        self.labels = labels
    }

    public var key: ObservationKey {
        ObservationKey(model: model, task: task, metric: metric, shots: shots, seed: seed)
    }
}

/// The identity of an observation: at most one value per key.
public struct ObservationKey: Hashable, Sendable, Codable, CustomStringConvertible {
    public var model: ModelKey
    public var task: String
    public var metric: String
    public var shots: Int?
    public var seed: Int?

    public init(model: ModelKey, task: String, metric: String, shots: Int?, seed: Int?) {
        self.model = model
        self.task = task
        self.metric = metric
        self.shots = shots
        self.seed = seed
    }

    public var description: String {
        var text = "model \(model), task \(task), metric \(metric)"
        if let shots { text += ", shots \(shots)" }
        if let seed { text += ", seed \(seed)" }
        return text
    }
}
