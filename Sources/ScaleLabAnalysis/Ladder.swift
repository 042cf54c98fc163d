import Foundation
import ScaleLabCore
import ScaleLabFit

/// The intermediate metric of a two-step law: a metric of the same task (`bpb`, `ppl`) or another
/// task's metric (`c4_val:loss`, a general validation loss).
public struct ViaMetric: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The task, or nil for the predicted task itself.
    public var task: String?
    public var metric: String

    public init(task: String? = nil, metric: String) {
        self.task = task
        self.metric = metric
    }

    /// `METRIC` or `TASK:METRIC` (the task may itself contain colons; the metric is after the last).
    public init?(parsing text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { return nil }
        if let colon = trimmed.lastIndex(of: ":") {
            let task = String(trimmed[..<colon]), metric = String(trimmed[trimmed.index(after: colon)...])
            guard !task.isEmpty, !metric.isEmpty else { return nil }
            self.init(task: task, metric: metric)
        } else {
            self.init(metric: trimmed)
        }
    }

    public var description: String { task.map { "\($0):\(metric)" } ?? metric }

    /// A perplexity (`ppl`, `*_ppl`, `*perplexity*`): the exponential of a loss. Both stages use
    /// its logarithm, the loss itself (nats per token or word), since the laws of stage 1 are laws
    /// of loss — a power law fitted to perplexity itself bends to its steep small-model end.
    public var isPerplexity: Bool {
        let name = metric.lowercased()
        return name == "ppl" || name.hasSuffix("_ppl") || name.contains("perplexity")
    }

    /// The quantity the stages are fitted on: the metric, or `log ppl` for a perplexity.
    public var fitted: String { isPerplexity ? "log \(description)" : description }
}

/// One checkpoint of a ladder run: its scale, the via metric and (when measured) the task's score.
public struct LadderPoint: Sendable, Codable, Equatable {
    public var run: String
    public var step: Int?
    public var family: String?
    public var params: Double?
    public var tokens: Double?
    /// The one-input axis (``XAxis``) value, for a stage 1 of one input.
    public var x: Double?
    public var via: Double
    public var score: Double?

    /// Training compute C = 6·N·D (Kaplan et al. 2020, §2.1, as ``ModelInfo/withDerivedFlops()``),
    /// or nil without positive params and tokens.
    public var compute: Double? {
        guard let n = params, let d = tokens, n > 0, d > 0 else { return nil }
        return 6 * n * d
    }

    public init(run: String, step: Int? = nil, family: String? = nil, params: Double? = nil, tokens: Double? = nil,
                x: Double? = nil, via: Double, score: Double? = nil) {
        self.run = run
        self.step = step
        self.family = family
        self.params = params
        self.tokens = tokens
        self.x = x
        self.via = via
        self.score = score
    }
}

/// A ladder for a two-step law: training runs (a model name) with their checkpoints (steps), each
/// with params N and tokens D, the via metric and the task's score. The OLMo ladder (Bhagia et al.
/// 2024) is five sizes × four token multiples, each run evaluated at many checkpoints; the
/// over-training testbed of Gadre et al. (2024) has one checkpoint per run.
public struct Ladder: Sendable {
    public var task: String
    public var metric: String
    public var via: ViaMetric
    /// The task's chance level, the sigmoid's floor, when known.
    public var chance: Double?
    public var points: [LadderPoint]

    public init(task: String, metric: String, via: ViaMetric, chance: Double? = nil, points: [LadderPoint]) {
        self.task = task
        self.metric = metric
        self.via = via
        self.chance = chance
        self.points = points
    }

    /// The runs, sorted by name.
    public var runs: [String] { Array(Set(points.map(\.run))).sorted() }

    /// Each run's final checkpoint: its largest step (a run evaluated once is its own final).
    public var finals: [LadderPoint] { Self.finals(points) }

    /// The final checkpoint of each run among `points`, sorted by params, tokens and run.
    public static func finals(_ points: [LadderPoint]) -> [LadderPoint] {
        var best: [String: LadderPoint] = [:]
        for point in points {
            if let current = best[point.run], (current.step ?? Int.max) >= (point.step ?? Int.max) { continue }
            best[point.run] = point
        }
        return best.values.sorted { ($0.params ?? 0, $0.tokens ?? 0, $0.run) < ($1.params ?? 0, $1.tokens ?? 0, $1.run) }
    }

    /// The ladder restricted to the given runs.
    public func restricted(to runs: Set<String>) -> Ladder {
        var copy = self
        copy.points = points.filter { runs.contains($0.run) }
        return copy
    }
}

/// A ladder read from a dataset, with what was left out and why.
public struct LadderBuild: Sendable {
    public var ladder: Ladder
    /// Runs with scores but no via value at any checkpoint (skipped).
    public var missingVia: [String]
    /// Checkpoints with a score but no via value at that step (skipped).
    public var unpairedCheckpoints: Int
    /// Checkpoints at step 0 or with zero tokens (untrained; no law of log N or log D holds them).
    public var untrained: Int
}

extension Dataset {
    /// The ladder of (`task`, `metric`, `shots`) through `via`: one point per model key (run and
    /// step) that has both the score and the via value. With `via.task` nil the via metric is the
    /// task's own (same shots); another task's via takes that task's row for the model (its
    /// 0-shot or unlabelled row when several). `x` is recorded for a stage 1 of one input. A
    /// perplexity is stored as its logarithm (``ViaMetric/isPerplexity``).
    /// Points at step 0 or with zero tokens are dropped and counted.
    public func ladder(task: String, metric: String, shots: Int?, via: ViaMetric, x: XAxis? = nil) -> LadderBuild {
        let viaTask = via.task ?? task
        var viaValue: [ModelKey: (Double, Int?)] = [:]
        var scores: [(row: Int, key: ModelKey)] = []
        for row in 0..<count {
            let rowTask = self.task(ofRow: row).name, rowMetric = self.metric(ofRow: row)
            let key = model(ofRow: row).key
            if rowTask == viaTask && rowMetric == via.metric {
                if via.task == nil && self.shots[row] != shots { continue }
                // Prefer the via row of the same shots, then 0-shot or unlabelled ones.
                if let existing = viaValue[key] {
                    let better = self.shots[row] == shots || (existing.1 != shots && (self.shots[row] ?? 0) == 0)
                    if !better { continue }
                }
                viaValue[key] = (values[row], self.shots[row])
            }
            if rowTask == task && rowMetric == metric && self.shots[row] == shots { scores.append((row, key)) }
        }
        var points: [LadderPoint] = []
        var missing: Set<String> = [], present: Set<String> = []
        var unpaired = 0, untrained = 0
        for (row, key) in scores {
            let info = model(ofRow: row)
            guard let raw = viaValue[key]?.0, raw.isFinite, !via.isPerplexity || raw > 0 else { unpaired += 1; missing.insert(key.name); continue }
            let value = via.isPerplexity ? log(raw) : raw
            if key.step == 0 || info.tokens == 0 { untrained += 1; continue }
            present.insert(key.name)
            points.append(LadderPoint(run: key.name, step: key.step, family: info.family, params: info.params, tokens: info.tokens,
                                      x: x.flatMap { self.x($0, row: row) }, via: value, score: values[row]))
        }
        let chance = index(ofTask: task).flatMap { tasks[$0].chance }
        return LadderBuild(ladder: Ladder(task: task, metric: metric, via: via, chance: chance, points: points),
                           missingVia: missing.subtracting(present).sorted(), unpairedCheckpoints: unpaired, untrained: untrained)
    }
}
