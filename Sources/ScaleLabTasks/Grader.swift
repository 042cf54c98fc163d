import Foundation
import ScaleLabCore

/// How an answer is compared with a task's target, chosen by the task's `metadata["family"]`.
///
/// Every rule first removes whitespace (spaces, tabs, newlines) around the answer — a harness's
/// trailing newline is never the model's mistake — and is otherwise strict: an answer is right
/// only when it states the same value in a notation the rule names below. Nothing is rounded,
/// and no answer gets partial credit.
public enum GradingRule: String, Sendable, Hashable, Codable, CaseIterable {
    /// `sha256`, `sha256-hex`: a hexadecimal digest. Compared case-insensitively, because a hex
    /// digit means the same value in either case (`AB` = `ab`), and with an optional `0x`/`0X`
    /// prefix, a common way to mark hexadecimal that changes no digit. No other character is
    /// allowed: no inner spaces, no colons, no truncation.
    case hexDigest = "hex-digest"
    /// `sum`: the integer's value. A leading `+` and thousands separators are allowed: one kind
    /// per answer among `,`, `_`, a space, a no-break space (U+00A0), a narrow no-break space
    /// (U+202F) or a thin space (U+2009), and only between groups of exactly three digits
    /// (`1,234,567`, not `12,34,567` nor `5,5`). Leading zeros do not change the value. Nothing
    /// else is tolerated: no decimals (`55.0`), exponents or words.
    case integerValue = "integer-value"
    /// `step-graph`: the text, with each run of inner whitespace read as one space; case matters.
    case collapsedWhitespace = "collapsed-whitespace"
    /// `step-graph` whose metadata says `"case_sensitive": false`: as ``collapsedWhitespace`` and
    /// ignoring letter case.
    case collapsedWhitespaceIgnoringCase = "collapsed-whitespace-ignoring-case"
    /// Any other family, or none: the text exactly as written once surrounding whitespace is
    /// removed. An unknown family gets no tolerance because nothing says which would be safe.
    case exact

    /// The rule for a task, from its family (and, for step graphs, its `case_sensitive` flag).
    public static func rule(for task: TaskSample) -> GradingRule {
        switch task.metadata["family"]?.string {
        case "sha256", "sha256-hex": return .hexDigest
        case "sum": return .integerValue
        case "step-graph":
            if case .bool(false)? = task.metadata["case_sensitive"] { return .collapsedWhitespaceIgnoringCase }
            return .collapsedWhitespace
        default: return .exact
        }
    }

    /// The canonical form of a text under this rule, or nil when the text is not in a notation
    /// the rule accepts (such an answer is wrong whatever the target).
    public func normalise(_ text: String) -> String? {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        switch self {
        case .hexDigest: return Self.hexDigest(trimmed)
        case .integerValue: return Self.integer(trimmed)
        case .collapsedWhitespace: return Self.collapsed(trimmed)
        case .collapsedWhitespaceIgnoringCase: return Self.collapsed(trimmed).lowercased()
        case .exact: return trimmed
        }
    }

    private static func hexDigest(_ text: String) -> String? {
        var digits = Substring(text)
        if digits.hasPrefix("0x") || digits.hasPrefix("0X") { digits = digits.dropFirst(2) }
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isHexDigit }) else { return nil }
        return digits.lowercased()
    }

    private static let separators: Set<Character> = [",", "_", " ", "\u{00A0}", "\u{202F}", "\u{2009}"]

    private static func integer(_ text: String) -> String? {
        var body = Substring(text)
        var negative = false
        if body.first == "+" { body = body.dropFirst() } else if body.first == "-" { negative = true; body = body.dropFirst() }
        let used = Set(body.filter { separators.contains($0) })
        guard used.count <= 1 else { return nil }
        let groups = used.first.map { separator in body.split(separator: separator, omittingEmptySubsequences: false) } ?? [body]
        func isDigits(_ group: Substring) -> Bool { !group.isEmpty && group.allSatisfy { $0.isASCII && $0.isNumber } }
        guard groups.allSatisfy(isDigits) else { return nil }
        if groups.count > 1 {
            guard groups[0].count <= 3, groups.dropFirst().allSatisfy({ $0.count == 3 }) else { return nil }
        }
        let digits = groups.joined().drop { $0 == "0" }
        if digits.isEmpty { return "0" }
        return (negative ? "-" : "") + digits
    }

    private static func collapsed(_ text: String) -> String {
        text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }
}

/// The grade of one answer (or of its absence) to one task.
public struct GradedItem: Sendable, Hashable, Codable {
    public var taskID: String
    public var family: String?
    public var model: String
    /// Inspect's 1-based epoch.
    public var epoch: Int
    /// The answer as given; nil when the model gave none (scored incorrect).
    public var answer: String?
    /// The answer in the rule's canonical form; nil when unanswered or not in an accepted notation.
    public var normalisedAnswer: String?
    /// The target in the rule's canonical form (the trimmed target when the rule cannot read it).
    public var normalisedTarget: String
    public var rule: GradingRule
    /// 1 when right, else 0.
    public var correct: Double
    /// The score, equal to `correct` (no rule gives partial credit).
    public var score: Double
    /// Why an answer is wrong when that is not plain inequality, e.g. "not an integer".
    public var note: String?

    public var answered: Bool { answer != nil }

    /// The item as the database stores it, under `task` (the evaluation's name) and `scorer`.
    public func itemResult(task: String, scorer: String = Grader.scorer) -> ItemResult {
        ItemResult(model: ModelKey(name: model), task: task, item: taskID, scorer: scorer, epoch: epoch,
                   correct: correct, score: score, answer: answer)
    }
}

/// A binomial proportion's Wilson score interval (Wilson 1927): with p̂ = k/n and z the normal
/// quantile, centre (p̂ + z²/2n) / (1 + z²/n) ± z·√(p̂(1 − p̂)/n + z²/4n²) / (1 + z²/n). Unlike
/// p̂ ± z·se it stays inside [0, 1] and keeps a useful width at k = 0 or k = n; its coverage is
/// close to nominal from n ≈ 10 (Brown, Cai & DasGupta 2001).
public struct WilsonInterval: Sendable, Hashable, Codable {
    public var lower: Double
    public var upper: Double

    /// z = 1.959964 gives 95%. n = 0 gives [0, 1]: no data, no information.
    public init(successes: Int, trials: Int, z: Double = 1.959963984540054) {
        precondition(successes >= 0 && successes <= trials, "successes must lie in 0…trials")
        guard trials > 0 else { lower = 0; upper = 1; return }
        let n = Double(trials), p = Double(successes) / n, z2 = z * z
        let denominator = 1 + z2 / n
        let centre = (p + z2 / (2 * n)) / denominator
        let half = z * (p * (1 - p) / n + z2 / (4 * n * n)).squareRoot() / denominator
        // At k = 0 and k = n the bounds are exactly 0 and 1; rounding would leave ±1e-17.
        lower = successes == 0 ? 0 : max(0, centre - half)
        upper = successes == trials ? 1 : min(1, centre + half)
    }
}

/// One model's accuracy over all its graded items (unanswered ones count as incorrect).
public struct ModelAccuracy: Sendable, Hashable, Codable {
    public var model: String
    public var items: Int
    public var correct: Int
    public var unanswered: Int
    public var accuracy: Double
    /// 95% Wilson interval of the accuracy.
    public var interval: WilsonInterval
}

/// Everything a grading run found: the graded items, the per-model accuracy, and the answers that
/// name tasks the tasks file does not hold.
public struct GradingReport: Sendable, Hashable, Codable {
    /// One per model, task and answered epoch, plus one per task a model never answered (epoch 1);
    /// ordered by model, then the tasks file's order, then epoch.
    public var items: [GradedItem]
    public var accuracy: [ModelAccuracy]
    /// Answers whose `id` is no task of the tasks file, in file order: reported, not graded.
    public var unknownAnswers: [TaskAnswer]

    public var unansweredCount: Int { items.count(where: { !$0.answered }) }
}

/// Why answers cannot be graded at all.
public enum GradingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// These answer lines name no model and no default model was given.
    case noModel(lines: [Int])
    /// No answer names a task of the tasks file: probably the wrong pair of files.
    case noKnownTask(unknownIDs: [String])

    public var description: String {
        switch self {
        case .noModel(let lines):
            let shown = lines.prefix(10).map(String.init).joined(separator: ", ") + (lines.count > 10 ? ", …" : "")
            return "answers on line\(lines.count == 1 ? "" : "s") \(shown) name no model; add \"model\" to them or pass --model NAME"
        case .noKnownTask(let ids):
            let shown = ids.prefix(5).map { "'\($0)'" }.joined(separator: ", ") + (ids.count > 5 ? ", …" : "")
            return "no answer names a task of the tasks file (answers name \(shown)); are these the answers to these tasks?"
        }
    }
}

/// Grades answers against tasks by the family rules of ``GradingRule``.
public enum Grader {
    /// The scorer name under which grades are stored and written to Inspect logs.
    public static let scorer = "grader"

    /// Grades one answer (nil: the model gave none) to one task.
    public static func grade(_ answer: String?, for task: TaskSample, model: String, epoch: Int = 1) -> GradedItem {
        let rule = GradingRule.rule(for: task)
        var note: String?
        let target: String
        if let normalised = rule.normalise(task.target) {
            target = normalised
        } else {
            target = task.target.trimmingCharacters(in: .whitespacesAndNewlines)
            note = "the target is not in the \(rule.rawValue) notation, so it was compared exactly"
        }
        let normalisedAnswer: String?
        if let answer {
            normalisedAnswer = note == nil ? rule.normalise(answer) : GradingRule.exact.normalise(answer)
            if normalisedAnswer == nil {
                note = switch rule {
                case .hexDigest: "not a hex digest"
                case .integerValue: "not an integer"
                default: nil
                }
            }
        } else {
            normalisedAnswer = nil
            note = "unanswered"
        }
        let right = normalisedAnswer == target
        return GradedItem(taskID: task.id, family: task.metadata["family"]?.string, model: model, epoch: epoch, answer: answer,
                          normalisedAnswer: normalisedAnswer, normalisedTarget: target, rule: rule,
                          correct: right ? 1 : 0, score: right ? 1 : 0, note: note)
    }

    /// Grades every answer; a task a model never answered (in any epoch) is graded as unanswered.
    /// Answers without a `model` take `defaultModel`. Answers to unknown task ids are returned in
    /// ``GradingReport/unknownAnswers``; it is an error when no answer names a known task.
    public static func grade(tasks: [TaskSample], answers: [TaskAnswer], defaultModel: String? = nil) throws(GradingError) -> GradingReport {
        let missingModel = answers.filter { $0.model == nil }.map(\.line)
        if defaultModel == nil && !missingModel.isEmpty { throw .noModel(lines: missingModel) }
        let byID = Dictionary(tasks.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let unknown = answers.filter { byID[$0.id] == nil }
        if !answers.isEmpty && unknown.count == answers.count {
            var seen = Set<String>()
            throw .noKnownTask(unknownIDs: unknown.map(\.id).filter { seen.insert($0).inserted })
        }

        var byModel: [String: [String: [TaskAnswer]]] = [:]
        for answer in answers where byID[answer.id] != nil {
            byModel[answer.model ?? defaultModel!, default: [:]][answer.id, default: []].append(answer)
        }
        var items: [GradedItem] = []
        var accuracy: [ModelAccuracy] = []
        for model in byModel.keys.sorted() {
            let answered = byModel[model]!
            var modelItems: [GradedItem] = []
            for task in tasks {
                guard let given = answered[task.id] else {
                    modelItems.append(grade(nil, for: task, model: model))
                    continue
                }
                for answer in given.sorted(by: { ($0.epoch ?? 1) < ($1.epoch ?? 1) }) {
                    modelItems.append(grade(answer.answer, for: task, model: model, epoch: answer.epoch ?? 1))
                }
            }
            let right = modelItems.count(where: { $0.correct == 1 })
            accuracy.append(ModelAccuracy(
                model: model, items: modelItems.count, correct: right, unanswered: modelItems.count(where: { !$0.answered }),
                accuracy: Double(right) / Double(modelItems.count), interval: WilsonInterval(successes: right, trials: modelItems.count)))
            items += modelItems
        }
        return GradingReport(items: items, accuracy: accuracy, unknownAnswers: unknown)
    }
}

// MARK: Inspect logs

extension GradingReport {
    /// One Inspect evaluation log (JSON, `--log-format json` layout) per model, named `task`, with
    /// one sample per graded item under the scorer ``Grader/scorer``: value 1 or 0, the answer,
    /// the rule and both normalised forms; `results` hold accuracy and its standard error
    /// √(p(1 − p)/(n − 1)) as Inspect's `stderr` metric computes it. `scalelab import` reads these
    /// logs into observations (accuracy) and ``ItemResult``s. Unanswered items are samples with
    /// value 0 and no answer, marked `"unanswered": true`. `created` is the logs' timestamp, so the
    /// same grades and time give the same bytes.
    public func inspectLogs(task: String, tasks: [TaskSample], created: Date) throws -> [(model: String, log: Data)] {
        let tasksByID = Dictionary(tasks.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let formatter = ISO8601DateFormatter()
        let timestamp = formatter.string(from: created)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try accuracy.map { summary in
            let graded = items.filter { $0.model == summary.model }
            let n = Double(summary.items), p = summary.accuracy
            var metrics = ["accuracy": InspectLog.Metric(name: "accuracy", value: p)]
            if summary.items > 1 { metrics["stderr"] = InspectLog.Metric(name: "stderr", value: (p * (1 - p) / (n - 1)).squareRoot()) }
            let samples = graded.map { item in
                let source = tasksByID[item.taskID]
                var scoreMetadata: [String: MetadataValue] = ["rule": .string(item.rule.rawValue), "normalised_target": .string(item.normalisedTarget),
                                                              "unanswered": .bool(!item.answered)]
                if let normalised = item.normalisedAnswer { scoreMetadata["normalised_answer"] = .string(normalised) }
                let explanation = item.answered
                    ? "\(item.rule.rawValue): \(item.normalisedAnswer.map { "'\($0)'" } ?? "unreadable") \(item.correct == 1 ? "=" : "≠") '\(item.normalisedTarget)'"
                        + (item.note.map { " (\($0))" } ?? "")
                    : "unanswered"
                return InspectLog.Sample(
                    id: item.taskID, epoch: item.epoch, input: source?.input ?? "", target: source?.target ?? item.normalisedTarget,
                    metadata: source?.metadata ?? [:],
                    scores: [Grader.scorer: InspectLog.Score(value: item.correct, answer: item.answer, explanation: explanation, metadata: scoreMetadata)])
            }
            let log = InspectLog(
                version: 2, status: "success",
                eval: InspectLog.Eval(task: task, model: summary.model, created: timestamp,
                                      dataset: InspectLog.Dataset(name: task, samples: tasks.count),
                                      config: ["epochs": .number(Double(graded.map(\.epoch).max() ?? 1))]),
                results: InspectLog.Results(
                    totalSamples: summary.items, completedSamples: summary.items,
                    scores: [InspectLog.ScoreSummary(name: Grader.scorer, scorer: Grader.scorer, scoredSamples: summary.items, metrics: metrics)]),
                stats: InspectLog.Stats(startedAt: timestamp, completedAt: timestamp),
                samples: samples)
            return (summary.model, try encoder.encode(log))
        }
    }
}

/// The parts of Inspect's `EvalLog` that a grading run fills in, with Inspect's field names.
private struct InspectLog: Encodable {
    struct Eval: Encodable {
        var task: String
        var model: String
        var created: String
        var dataset: Dataset
        var config: [String: MetadataValue]
    }
    struct Dataset: Encodable {
        var name: String
        var samples: Int
    }
    struct Metric: Encodable {
        var name: String
        var value: Double
    }
    struct ScoreSummary: Encodable {
        var name: String
        var scorer: String
        var scoredSamples: Int
        var metrics: [String: Metric]
        enum CodingKeys: String, CodingKey { case name, scorer, scoredSamples = "scored_samples", metrics }
    }
    struct Results: Encodable {
        var totalSamples: Int
        var completedSamples: Int
        var scores: [ScoreSummary]
        enum CodingKeys: String, CodingKey { case totalSamples = "total_samples", completedSamples = "completed_samples", scores }
    }
    struct Stats: Encodable {
        var startedAt: String
        var completedAt: String
        enum CodingKeys: String, CodingKey { case startedAt = "started_at", completedAt = "completed_at" }
    }
    struct Score: Encodable {
        var value: Double
        var answer: String?
        var explanation: String
        var metadata: [String: MetadataValue]
    }
    struct Sample: Encodable {
        var id: String
        var epoch: Int
        var input: String
        var target: String
        var metadata: [String: MetadataValue]
        var scores: [String: Score]
    }

    var version: Int
    var status: String
    var eval: Eval
    var results: Results
    var stats: Stats
    var samples: [Sample]
}
