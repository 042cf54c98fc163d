import Foundation

/// A model's answer to one task, as one line of an answers JSONL file:
/// `{"id": "sum-10", "answer": "55", "model": "openai/gpt-4o", "epoch": 1}`.
///
/// `id` names the task (a string, or a whole number written as one); `answer` is the answer's
/// text. `model` is optional (the grader's default model applies when absent) and so is `epoch`
/// (a whole number ≥ 1, as Inspect counts epochs; 1 when absent).
public struct TaskAnswer: Sendable, Hashable, Codable {
    public var id: String
    public var answer: String
    public var model: String?
    public var epoch: Int?
    /// The 1-based line of the answers file this answer came from (0 when built in code).
    public var line: Int

    public init(id: String, answer: String, model: String? = nil, epoch: Int? = nil, line: Int = 0) {
        self.id = id
        self.answer = answer
        self.model = model
        self.epoch = epoch
        self.line = line
    }
}

/// One thing wrong with one line of a JSONL file.
public struct JSONLProblem: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    /// 1-based line number; nil for a problem of the whole file (e.g. it is empty).
    public var line: Int?
    public var message: String

    public init(file: String, line: Int?, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    public var description: String { line.map { "\(file):\($0): \(message)" } ?? "\(file): \(message)" }
}

/// Every problem found in one or more JSONL files: reading does not stop at the first.
public struct JSONLError: Error, Sendable, CustomStringConvertible {
    public var problems: [JSONLProblem]

    public init(_ problems: [JSONLProblem]) { self.problems = problems }

    /// Shown in full up to 50 problems, so a file with a systematic mistake stays readable.
    public var description: String {
        let limit = 50
        var lines = ["\(problems.count) problem\(problems.count == 1 ? "" : "s") in the input; fix \(problems.count == 1 ? "it" : "them") and grade again:"]
        lines += problems.prefix(limit).map { "  \($0)" }
        if problems.count > limit { lines.append("  … and \(problems.count - limit) more") }
        return lines.joined(separator: "\n")
    }
}

/// Reading and writing tasks (``TaskSample``) and answers (``TaskAnswer``) as JSONL, one JSON
/// object per line. Blank lines are skipped; every malformed line is reported with its file and
/// line number, and all of them are collected before failing.
public enum TaskJSONL {
    // MARK: Tasks

    /// Tasks in the Inspect dataset sample layout. Each line needs `id` (string or whole number)
    /// and `target` (string); `input` is a string (empty when absent); `metadata` is an object of
    /// strings, numbers and booleans. Task ids must be unique.
    public static func readTasks(_ data: Data, file: String) -> Result<[TaskSample], JSONLError> {
        var tasks: [TaskSample] = []
        var problems: [JSONLProblem] = []
        var firstLine: [String: Int] = [:]
        for (line, object) in objects(in: data, file: file, problems: &problems) {
            func problem(_ message: String) { problems.append(JSONLProblem(file: file, line: line, message: message)) }
            var fine = true
            let id = object["id"].flatMap(\.identifier)
            if id == nil {
                problem(object["id"] == nil ? "has no \"id\"; every task needs a unique id" : "\"id\" must be a string or a whole number")
                fine = false
            }
            let target = object["target"]?.text
            if target == nil {
                problem(object["target"] == nil ? "has no \"target\"; every task needs its exact answer" : "\"target\" must be a string")
                fine = false
            }
            var input = ""
            switch object["input"] {
            case nil, .null?: break
            case .string(let text)?: input = text
            default: problem("\"input\" must be a string (the prompt)"); fine = false
            }
            var metadata: [String: MetadataValue] = [:]
            switch object["metadata"] {
            case nil, .null?: break
            case .object(let members)?:
                for (key, value) in members.sorted(by: { $0.key < $1.key }) {
                    switch value {
                    case .string(let text): metadata[key] = .string(text)
                    case .number(let number): metadata[key] = .number(number)
                    case .bool(let flag): metadata[key] = .bool(flag)
                    default: problem("metadata \"\(key)\" must be a string, number or boolean"); fine = false
                    }
                }
            default: problem("\"metadata\" must be an object"); fine = false
            }
            guard fine, let id, let target else { continue }
            if let earlier = firstLine[id] {
                problem("task id '\(id)' repeats line \(earlier); task ids must be unique")
                continue
            }
            firstLine[id] = line
            tasks.append(TaskSample(id: id, input: input, target: target, metadata: metadata))
        }
        if tasks.isEmpty && problems.isEmpty {
            problems.append(JSONLProblem(file: file, line: nil, message: "holds no tasks; expected one JSON object per line with id, input, target and metadata"))
        }
        return problems.isEmpty ? .success(tasks) : .failure(JSONLError(inLineOrder(problems)))
    }

    /// Tasks as JSONL: one object per line with sorted keys, ending with a newline.
    public static func write(_ tasks: [TaskSample]) throws -> Data {
        Data(try tasks.map { try $0.jsonLine() + "\n" }.joined().utf8)
    }

    // MARK: Answers

    /// Answers, one per line: `id` and `answer` required, `model` and `epoch` optional. The same
    /// model, task and epoch answered twice is a problem (both lines are named).
    public static func readAnswers(_ data: Data, file: String) -> Result<[TaskAnswer], JSONLError> {
        var answers: [TaskAnswer] = []
        var problems: [JSONLProblem] = []
        var firstLine: [String: Int] = [:]
        for (line, object) in objects(in: data, file: file, problems: &problems) {
            func problem(_ message: String) { problems.append(JSONLProblem(file: file, line: line, message: message)) }
            var fine = true
            let id = object["id"].flatMap(\.identifier)
            if id == nil {
                problem(object["id"] == nil ? "has no \"id\"; name the task this answer is for" : "\"id\" must be a string or a whole number (the task's id)")
                fine = false
            }
            let answer = object["answer"]?.text
            if answer == nil {
                problem(object["answer"] == nil
                        ? "has no \"answer\"; write the model's answer as a string (\"\" for no answer)"
                        : "\"answer\" must be a string; write numbers and digests in quotes, e.g. \"answer\": \"55\"")
                fine = false
            }
            var model: String?
            switch object["model"] {
            case nil, .null?: break
            case .string(let text)? where !text.trimmingCharacters(in: .whitespaces).isEmpty: model = text
            default: problem("\"model\" must be a non-empty string (e.g. \"openai/gpt-4o\")"); fine = false
            }
            var epoch: Int?
            switch object["epoch"] {
            case nil, .null?: break
            case .number(let number)? where number >= 1 && number <= 1e9 && number == number.rounded(): epoch = Int(number)
            default: problem("\"epoch\" must be a whole number ≥ 1"); fine = false
            }
            guard fine, let id, let answer else { continue }
            let key = "\(model ?? "")\u{0}\(id)\u{0}\(epoch ?? 1)"
            if let earlier = firstLine[key] {
                problem("a second answer to task '\(id)'" + (model.map { " by \($0)" } ?? "") + (epoch.map { " in epoch \($0)" } ?? "")
                        + " (the first is on line \(earlier)); keep one, or give them different epochs")
                continue
            }
            firstLine[key] = line
            answers.append(TaskAnswer(id: id, answer: answer, model: model, epoch: epoch, line: line))
        }
        if answers.isEmpty && problems.isEmpty {
            problems.append(JSONLProblem(file: file, line: nil, message: "holds no answers; expected one JSON object per line with \"id\" and \"answer\""))
        }
        return problems.isEmpty ? .success(answers) : .failure(JSONLError(inLineOrder(problems)))
    }

    /// Answers as JSONL, in the layout ``readAnswers(_:file:)`` reads.
    public static func write(_ answers: [TaskAnswer]) throws -> Data {
        struct Line: Encodable { var id: String; var answer: String; var model: String?; var epoch: Int? }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var out = Data()
        for answer in answers {
            out.append(try encoder.encode(Line(id: answer.id, answer: answer.answer, model: answer.model, epoch: answer.epoch)))
            out.append(0x0A)
        }
        return out
    }

    // MARK: Lines

    /// Problems as a reader meets them going down the file (syntax is checked before fields).
    private static func inLineOrder(_ problems: [JSONLProblem]) -> [JSONLProblem] {
        problems.enumerated().sorted { ($0.element.line ?? 0, $0.offset) < ($1.element.line ?? 0, $1.offset) }.map(\.element)
    }

    /// The JSON objects of the non-blank lines with their 1-based line numbers; a line that is not
    /// JSON, or not an object, is a problem.
    private static func objects(in data: Data, file: String, problems: inout [JSONLProblem]) -> [(Int, [String: LooseJSON])] {
        var result: [(Int, [String: LooseJSON])] = []
        let decoder = JSONDecoder()
        var lineNumber = 0
        for var line in data.split(separator: 0x0A, omittingEmptySubsequences: false) {
            lineNumber += 1
            if line.last == 0x0D { line = line.dropLast() }
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            if lineNumber == 1, line.starts(with: [0xEF, 0xBB, 0xBF]) { line = line.dropFirst(3) }
            guard String(data: Data(line), encoding: .utf8) != nil else {
                problems.append(JSONLProblem(file: file, line: lineNumber, message: "is not UTF-8 text"))
                continue
            }
            do {
                let value = try decoder.decode(LooseJSON.self, from: Data(line))
                guard case .object(let members) = value else {
                    problems.append(JSONLProblem(file: file, line: lineNumber, message: "is JSON but not an object; each line must be one {…} object"))
                    continue
                }
                result.append((lineNumber, members))
            } catch {
                problems.append(JSONLProblem(file: file, line: lineNumber, message: "is not valid JSON (\(describe(error))); each line must be one complete {…} object"))
            }
        }
        return result
    }

    private static func describe(_ error: any Error) -> String {
        if case DecodingError.dataCorrupted(let context) = error {
            let underlying = (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
            return underlying ?? context.debugDescription
        }
        return "\(error)"
    }
}

/// Any JSON value, decoded without a schema so that each field's problem can be named.
private enum LooseJSON: Decodable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([LooseJSON])
    case object([String: LooseJSON])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([LooseJSON].self) { self = .array(value) }
        else { self = .object(try container.decode([String: LooseJSON].self)) }
    }

    var text: String? { if case .string(let value) = self { return value } else { return nil } }

    /// An id: a non-empty string, or a whole number written without a fraction.
    var identifier: String? {
        switch self {
        case .string(let value): return value.isEmpty ? nil : value
        case .number(let value) where value == value.rounded() && abs(value) < 9.0e15: return String(Int64(value))
        default: return nil
        }
    }
}
