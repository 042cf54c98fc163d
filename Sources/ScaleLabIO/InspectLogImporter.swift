import ScaleLabCore

/// Reads an Inspect evaluation log in JSON (`inspect eval --log-format json`, or
/// `inspect log convert --to json` of an `.eval` file) into a ``DatasetBuilder``.
///
/// The contract:
/// - **Model and task**: `eval.model` (`mockllm/medium`, `openai/gpt-4o`), resolved through the
///   builder's ``ModelDirectory`` with no checkpoint step, and `eval.task` as written.
/// - **Observations** come from `results.scores[]`, one per scorer and metric. The metric is named
///   after the metric (`accuracy`) when the log has one scorer and `scorer/metric`
///   (`match/accuracy`) when it has several; a scorer listed more than once (one entry per
///   reducer) is named `scorer/reducer`. A metric named `stderr` is not an observation: it is the
///   standard error of that scorer's other metrics. n is the scorer's `scored_samples`, else
///   `results.completed_samples`, else `results.total_samples`. Shots are unknown (nil).
/// - **Items** come from `samples[]` (or, when the log has no samples, from the per-sample
///   `reductions[]`, which have no epoch): one ``ItemResult`` per sample and scorer, with the
///   sample's id (a string or number, as text), epoch, the scorer's key, and the score's `answer`.
///   `correct` follows Inspect's `value_to_float`: `C` = 1, `P` = 0.5, `I` = `N` = 0, `true`/`yes`
///   = 1, `false`/`no` = 0, and a number in [0, 1] is itself; any number is also kept as `score`.
///   A score whose value is an object or a list (a scorer with several values) gives one item per
///   member, with scorer `scorer/member`. A value that fits none of these is a reported problem
///   naming the sample. A sample without scores (one that ended in an error) gives no items, as
///   it gave nothing to the log's metrics.
/// - **Status.** A log whose `status` is not `success` (`error`, `cancelled`, `started`), or that
///   is marked `invalidated`, holds partial or withdrawn results: it is reported as a problem and
///   nothing of it is imported.
///
/// A log without `eval.model`, `eval.task` or `results` cannot be interpreted and throws; one
/// whose `results` hold no scores is reported.
enum InspectLogImporter {
    static func read(_ input: InputFile, json: JSONValue, into builder: inout DatasetBuilder) throws(DataError) {
        let file = input.path
        guard let root = json.object else {
            throw DataError(SourceLocation(file: file), "the JSON document is not an object; an Inspect log is an object with \"eval\" and \"results\"")
        }
        guard let eval = root["eval"]?.object else {
            throw DataError(SourceLocation(file: file), "has no \"eval\" object; is it an Inspect log in JSON format?")
        }
        let evalLine = root.lines["eval"]
        guard let modelName = eval["model"]?.string, !modelName.isEmpty else {
            throw DataError(SourceLocation(file: file, line: eval.lines["model"] ?? evalLine, column: "eval.model"),
                            "names no model; an Inspect log needs \"eval\": {\"model\": \"provider/name\"}")
        }
        guard let taskName = eval["task"]?.string, !taskName.isEmpty else {
            throw DataError(SourceLocation(file: file, line: eval.lines["task"] ?? evalLine, column: "eval.task"),
                            "names no task; an Inspect log needs \"eval\": {\"task\": …}")
        }

        if let status = root["status"]?.string, status != "success" {
            var message = "the evaluation's status is '\(status)', so its results are incomplete and were not imported"
            if let reason = root["error"]?["message"]?.string, let first = reason.split(separator: "\n").first {
                message += " (error: \(first))"
            }
            message += status == "started"
                ? "; the run is still going or was killed: import the log once it has finished, or resume it with inspect eval-retry"
                : "; resume it with inspect eval-retry and import the finished log"
            builder.report(SourceLocation(file: file, line: root.lines["status"], column: "status"), message)
            return
        }
        if case .bool(true)? = root["invalidated"] {
            builder.report(SourceLocation(file: file, line: root.lines["invalidated"], column: "invalidated"),
                           "the log is marked invalidated, so its results were not imported; import a valid log instead")
            return
        }
        guard let results = root["results"]?.object else {
            throw DataError(SourceLocation(file: file, line: root.lines["results"], column: "results"),
                            "has no \"results\" object with scores; was the evaluation run to the end?")
        }

        let model = builder.addModel(builder.resolveModel(named: modelName, step: nil),
                                     at: SourceLocation(file: file, line: eval.lines["model"]))
        let modelKey = builder.model(at: model).key
        let task = builder.task(named: taskName, at: SourceLocation(file: file, line: eval.lines["task"]))

        readScores(results, resultsLine: root.lines["results"], file: file, model: model, task: task, into: &builder)

        let samples = root["samples"]?.array ?? []
        if !samples.isEmpty {
            readSamples(samples, file: file, model: modelKey, task: taskName, into: &builder)
        } else if let reductions = (root["reductions"] ?? results["sample_reductions"])?.array {
            readReductions(reductions, file: file, model: modelKey, task: taskName, into: &builder)
        }
    }

    /// One observation per scorer and metric, with the scorer's `stderr` metric as the stderr.
    private static func readScores(
        _ results: JSONObject, resultsLine: Int?, file: String, model: Int32, task: Int32,
        into builder: inout DatasetBuilder
    ) {
        let scores = results["scores"]?.array ?? []
        if scores.isEmpty {
            builder.report(SourceLocation(file: file, line: resultsLine, column: "results.scores"),
                           "the log has no scores (the task has no scorer, or scoring did not run); score it with inspect score and import the scored log")
            return
        }
        let fallbackCount = results["completed_samples"]?.integer ?? results["total_samples"]?.integer
        let names = scores.map { $0["name"]?.string ?? $0["scorer"]?.string ?? "score" }
        var labels = names
        for (index, name) in names.enumerated() where names.filter({ $0 == name }).count > 1 {
            labels[index] = "\(name)/\(scores[index]["reducer"]?.string ?? String(index + 1))"
        }
        let prefixed = labels.count > 1

        for (index, score) in scores.enumerated() {
            guard let metrics = score["metrics"]?.object else { continue }
            let path = "results.scores[\(index)].metrics"
            let count = score["scored_samples"]?.integer ?? fallbackCount
            var stderr: Double?
            if let stderrMetric = metrics["stderr"]?.object, let value = stderrMetric["value"] {
                switch number(value) {
                case .value(let parsed): stderr = parsed
                case .missing: break
                case .nonFinite, .invalid:
                    builder.report(SourceLocation(file: file, line: metrics.lines["stderr"], column: "\(path).stderr.value"),
                                   "scorer \(names[index]): stderr \(value.cellText ?? "") is not a finite number; rerun the scoring (inspect score) or remove the stderr metric")
                }
            }
            for (metricName, metric) in metrics.members where metricName != "stderr" {
                let here = SourceLocation(file: file, line: metrics.lines[metricName], column: "\(path).\(metricName).value")
                let raw = metric["value"] ?? .null
                switch number(raw) {
                case .value(let value):
                    let name = prefixed ? "\(labels[index])/\(metricName)" : metricName
                    builder.addObservation(
                        model: model, task: task, metric: builder.metric(named: name), value: value,
                        stderr: stderr, n: count, shots: nil, at: here)
                case .missing:
                    builder.report(here, "scorer \(names[index]), metric \(metricName) has no value; rerun the scoring (inspect score)")
                case .nonFinite, .invalid:
                    builder.report(here, "scorer \(names[index]), metric \(metricName): \(raw.cellText ?? "the value") is not a finite number; rerun the scoring (inspect score)")
                }
            }
        }
    }

    private static func number(_ value: JSONValue) -> NumberParsing.Result {
        switch value {
        case .number(let text): return NumberParsing.parse(text)
        case .null: return .missing
        case .bool, .string, .array, .object: return .invalid
        }
    }

    private static func readSamples(
        _ samples: [JSONValue], file: String, model: ModelKey, task: String, into builder: inout DatasetBuilder
    ) {
        for (index, sample) in samples.enumerated() {
            guard let object = sample.object, let scores = object["scores"]?.object else { continue }
            let path = "samples[\(index)]"
            guard let id = object["id"]?.cellText else {
                builder.report(SourceLocation(file: file, line: object.lines["scores"], column: "\(path).id"),
                               "sample \(index + 1) has no id; every Inspect sample needs one")
                continue
            }
            let epoch = object["epoch"]?.integer
            for (scorer, score) in scores.members {
                let line = score.object?.lines["value"] ?? scores.lines[scorer]
                let here = SourceLocation(file: file, line: line, column: "\(path).scores.\(scorer).value")
                addItems(score, scorer: scorer, item: id, epoch: epoch, model: model, task: task, at: here, into: &builder)
            }
        }
    }

    private static func readReductions(
        _ reductions: [JSONValue], file: String, model: ModelKey, task: String, into builder: inout DatasetBuilder
    ) {
        let names = reductions.map { $0["scorer"]?.string ?? "score" }
        for (index, reduction) in reductions.enumerated() {
            guard let samples = reduction["samples"]?.array else { continue }
            var scorer = names[index]
            if names.filter({ $0 == scorer }).count > 1 {
                scorer += "/\(reduction["reducer"]?.string ?? String(index + 1))"
            }
            for (sampleIndex, sample) in samples.enumerated() {
                guard let object = sample.object else { continue }
                let path = "reductions[\(index)].samples[\(sampleIndex)]"
                let line = object.lines["value"] ?? object.lines["sample_id"]
                guard let id = object["sample_id"]?.cellText else {
                    builder.report(SourceLocation(file: file, line: line, column: "\(path).sample_id"),
                                   "a reduced sample of scorer \(scorer) has no sample_id")
                    continue
                }
                addItems(sample, scorer: scorer, item: id, epoch: nil, model: model, task: task,
                         at: SourceLocation(file: file, line: line, column: "\(path).value"), into: &builder)
            }
        }
    }

    /// The item results of one score: one for a plain value, one per member of an object or list.
    private static func addItems(
        _ score: JSONValue, scorer: String, item: String, epoch: Int?, model: ModelKey, task: String,
        at location: SourceLocation, into builder: inout DatasetBuilder
    ) {
        let answer = score["answer"]?.cellText
        var parts: [(scorer: String, value: JSONValue)] = []
        switch score["value"] {
        case .object(let members)?: parts = members.members.map { ("\(scorer)/\($0.key)", $0.value) }
        case .array(let members)?: parts = members.enumerated().map { ("\(scorer)/\($0.offset)", $0.element) }
        case let value?: parts = [(scorer, value)]
        case nil:
            builder.report(location, "sample \(item), scorer \(scorer): the score has no value")
            return
        }
        for part in parts {
            guard let (correct, raw) = interpret(part.value) else {
                builder.report(location, "sample \(item), scorer \(part.scorer): cannot read \(describe(part.value)) as a score; expected C, I, P, N, true/false, yes/no or a number")
                continue
            }
            builder.addItemResult(
                ItemResult(model: model, task: task, item: item, scorer: part.scorer, epoch: epoch,
                           correct: correct, score: raw, answer: answer),
                at: location)
        }
    }

    /// Inspect's `value_to_float`: (correct in [0, 1], raw numeric score), or nil when unreadable.
    static func interpret(_ value: JSONValue) -> (correct: Double?, score: Double?)? {
        switch value {
        case .bool(let flag): return (flag ? 1 : 0, nil)
        case .number(let text):
            guard case .value(let number) = NumberParsing.parse(text) else { return nil }
            return (number >= 0 && number <= 1 ? number : nil, number)
        case .string(let text):
            switch text {
            case "C": return (1, nil)
            case "I", "N": return (0, nil)
            case "P": return (0.5, nil)
            default: break
            }
            switch text.lowercased() {
            case "yes", "true": return (1, nil)
            case "no", "false": return (0, nil)
            default: break
            }
            // As Inspect: digits with at most a decimal point (no sign, exponent or unit).
            guard !text.isEmpty, text.allSatisfy({ $0 == "." || ($0.isASCII && $0.isNumber) }),
                  text.filter({ $0 == "." }).count <= 1, let number = Double(text) else { return nil }
            return (number <= 1 ? number : nil, number)
        case .null, .array, .object: return nil
        }
    }

    private static func describe(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .string(let text): return "\"\(text)\""
        case .number(let text): return text
        case .bool(let flag): return flag ? "true" : "false"
        case .array: return "a list"
        case .object: return "an object"
        }
    }
}
