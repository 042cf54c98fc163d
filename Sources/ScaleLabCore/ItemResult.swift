/// The result of one model on one test item, for analyses that need more than the mean:
/// the metric mirage (Schaeffer et al. 2023) re-scores items with a continuous metric, and IRT
/// fits item difficulties from who got which item right.
///
/// `correct` is the item's score mapped to [0, 1] (Inspect's C = 1, P = 0.5, I = 0); `score` keeps
/// a raw numeric score when the scorer gave one; `targetLogProb` is log p(target) when known.
public struct ItemResult: Hashable, Sendable, Codable {
    public var model: ModelKey
    public var task: String
    public var item: String
    public var scorer: String
    public var epoch: Int?
    public var correct: Double?
    public var score: Double?
    public var targetLogProb: Double?
    public var answer: String?

    public init(
        model: ModelKey, task: String, item: String, scorer: String, epoch: Int? = nil,
        correct: Double? = nil, score: Double? = nil, targetLogProb: Double? = nil, answer: String? = nil
    ) {
        self.model = model
        self.task = task
        self.item = item
        self.scorer = scorer
        self.epoch = epoch
        self.correct = correct
        self.score = score
        self.targetLogProb = targetLogProb
        self.answer = answer
    }

    public var key: ItemResultKey {
        ItemResultKey(model: model, task: task, item: item, scorer: scorer, epoch: epoch)
    }
}

public struct ItemResultKey: Hashable, Sendable, CustomStringConvertible {
    public var model: ModelKey
    public var task: String
    public var item: String
    public var scorer: String
    public var epoch: Int?

    public var description: String {
        "model \(model), task \(task), item \(item), scorer \(scorer)" + (epoch.map { ", epoch \($0)" } ?? "")
    }
}
