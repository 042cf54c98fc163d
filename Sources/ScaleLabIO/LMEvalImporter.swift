import Foundation
import ScaleLabCore

/// Reads an lm-evaluation-harness results file into a ``DatasetBuilder``: one observation per
/// task and metric.
///
/// Both layouts the harness has written are read:
/// - before 0.4: `results` → task → `{"acc": 0.5, "acc_stderr": 0.01, "acc_norm": …}`, with
///   `config.model_args` (`pretrained=EleutherAI/pythia-v1.1-70m,revision=step143000`) and
///   `config.num_fewshot`;
/// - 0.4 and later: `results` → task → `{"alias": …, "acc,none": 0.5, "acc_stderr,none": 0.01,
///   "exact_match,strict-match": …}`, with `n-shot`, `n-samples`, `configs`, `config` and
///   `model_name` at the top level.
///
/// The contract:
/// - **Metric.** A key `metric,filter` is the metric `metric` when the filter is `none` (so
///   `acc,none` and the old `acc` are the same metric) and `metric,filter` as written otherwise
///   (`exact_match,strict-match`), since two filters of one metric are two different scores.
///   Keys whose metric part ends in `_stderr` are never metrics; neither are the bookkeeping
///   members `alias`, `name`, `samples`, `sample_len`, `sample_count`, nor any value that is not a
///   JSON number (strings, lists, objects, booleans).
/// - **Stderr** comes from `<metric>_stderr[,filter]`; `"N/A"`, null or absent means unknown (nil).
/// - **Model.** `model_name` when present, else `pretrained=` (or `model=`) of `config.model_args`
///   (a `k=v,k=v` string or a JSON object), else `config.model`. The checkpoint step is the digits
///   after `step` in `revision=stepNNN`, else nil. The name is resolved through the builder's
///   ``ModelDirectory`` (which attaches sizes and the canonical name).
/// - **Shots**: `n-shot[task]`, else `configs[task].num_fewshot`, else `config.num_fewshot`.
/// - **n** (test items): `n-samples[task].effective`, else `.original`, else nil. It is never
///   inferred from a value and its stderr.
/// - **Groups.** Aggregate entries in `results` with numeric metrics (`mmlu`) are imported like any
///   task; entries with no numeric member (group headers) are skipped; the top-level `groups`
///   member, which repeats them, is not read.
///
/// A non-finite value or stderr (`NaN`, `Infinity`) is a problem reported at its line, naming the
/// task and key. A file without `results`, or whose results hold no numeric metric at all, cannot
/// be interpreted and throws.
enum LMEvalImporter {
    /// Members of a task's results that describe the run rather than score it.
    private static let bookkeepingKeys: Set<String> = ["alias", "name", "samples", "sample_len", "sample_count"]

    static func read(_ input: InputFile, json: JSONValue, into builder: inout DatasetBuilder) throws(DataError) {
        let file = input.path
        guard let root = json.object else {
            throw DataError(SourceLocation(file: file), "the JSON document is not an object; an lm-evaluation-harness results file is an object with \"results\"")
        }
        guard let resultsValue = root["results"] else {
            throw DataError(SourceLocation(file: file),
                            "has no \"results\" member; is it an lm-evaluation-harness results file (results_*.json)? Samples files (samples_*.jsonl) are not results")
        }
        guard let results = resultsValue.object else {
            throw DataError(SourceLocation(file: file, line: root.lines["results"], column: "results"),
                            "\"results\" must be an object of task → metrics")
        }

        let config = root["config"]?.object
        let arguments = modelArguments(config?["model_args"])
        guard let rawName = modelName(root: root, config: config, arguments: arguments) else {
            throw DataError(SourceLocation(file: file, line: root.lines["config"] ?? root.lines["results"]),
                            "names no model; expected \"model_name\", or \"config\": {\"model_args\": \"pretrained=…\"}, or \"config\": {\"model\": …}")
        }
        let step = arguments["revision"].flatMap(checkpointStep)
        let modelLine = root.lines["model_name"] ?? root.lines["config"] ?? root.lines["results"]
        let model = builder.addModel(builder.resolveModel(named: rawName, step: step),
                                     at: SourceLocation(file: file, line: modelLine))

        let nShot = root["n-shot"]?.object
        let nSamples = root["n-samples"]?.object
        let taskConfigs = root["configs"]?.object
        let defaultShots = config?["num_fewshot"]?.integer

        var numericMetrics = 0
        for (taskName, entry) in results.members {
            guard let metrics = entry.object else { continue }
            let shots = nShot?[taskName]?.integer
                ?? taskConfigs?[taskName]?["num_fewshot"]?.integer
                ?? defaultShots
            let samples = nSamples?[taskName]
            let count = samples?["effective"]?.integer ?? samples?["original"]?.integer
            var task: Int32?

            for (key, value) in metrics.members {
                guard case .number(let text) = value else { continue }
                let (metricPart, filter) = splitKey(key)
                if metricPart.hasSuffix("_stderr") || bookkeepingKeys.contains(metricPart) { continue }
                numericMetrics += 1
                let here = SourceLocation(file: file, line: metrics.lines[key], column: "results.\(taskName).\(key)")
                guard case .value(let number) = NumberParsing.parse(text) else {
                    builder.report(here, "task \(taskName), metric '\(key)' is \(spelled(text)), not a finite number; rerun the evaluation or delete the member")
                    continue
                }
                let stderrKey = filter.map { "\(metricPart)_stderr,\($0)" } ?? "\(metricPart)_stderr"
                var stderr: Double?
                if case .number(let stderrText)? = metrics[stderrKey] {
                    guard case .value(let parsed) = NumberParsing.parse(stderrText) else {
                        builder.report(SourceLocation(file: file, line: metrics.lines[stderrKey], column: "results.\(taskName).\(stderrKey)"),
                                       "task \(taskName), '\(stderrKey)' is \(spelled(stderrText)), not a finite number; write \"N/A\" or null if the stderr is unknown")
                        continue
                    }
                    stderr = parsed
                }
                let taskIndex: Int32
                if let task { taskIndex = task } else {
                    taskIndex = builder.task(named: taskName, at: SourceLocation(file: file, line: results.lines[taskName]))
                    task = taskIndex
                }
                let metricName = filter.map { $0 == "none" ? metricPart : key } ?? metricPart
                builder.addObservation(
                    model: model, task: taskIndex, metric: builder.metric(named: metricName), value: number,
                    stderr: stderr, n: count, shots: shots, at: here)
            }
        }
        if numericMetrics == 0 {
            throw DataError(SourceLocation(file: file, line: root.lines["results"], column: "results"),
                            "\"results\" holds no numeric metric (only names, \"N/A\" or stderrs); nothing to import from this file")
        }
    }

    /// A non-finite number as Python's `json` writes it (the parser reads `NaN` as `nan`).
    private static func spelled(_ text: String) -> String {
        switch text {
        case "nan": return "NaN"
        case "inf": return "Infinity"
        case "-inf": return "-Infinity"
        default: return text
        }
    }

    /// `acc,none` → (`acc`, `none`); `acc` → (`acc`, nil).
    private static func splitKey(_ key: String) -> (metric: String, filter: String?) {
        guard let comma = key.firstIndex(of: ",") else { return (key, nil) }
        return (String(key[..<comma]), String(key[key.index(after: comma)...]))
    }

    /// `config.model_args` as key → value: from `pretrained=a,revision=b` or a JSON object.
    static func modelArguments(_ value: JSONValue?) -> [String: String] {
        var arguments: [String: String] = [:]
        switch value {
        case .string(let text)?:
            for part in text.split(separator: ",") {
                guard let equals = part.firstIndex(of: "=") else { continue }
                let key = part[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
                let value = part[part.index(after: equals)...].trimmingCharacters(in: .whitespaces)
                if !key.isEmpty && !value.isEmpty { arguments[key] = value }
            }
        case .object(let object)?:
            for (key, member) in object.members {
                if let text = member.cellText, !text.isEmpty { arguments[key.lowercased()] = text }
            }
        default: break
        }
        return arguments
    }

    private static func modelName(root: JSONObject, config: JSONObject?, arguments: [String: String]) -> String? {
        if let name = root["model_name"]?.string?.trimmingCharacters(in: .whitespaces), !name.isEmpty { return name }
        if let name = arguments["pretrained"] ?? arguments["model"] { return name }
        if let name = config?["model"]?.string?.trimmingCharacters(in: .whitespaces), !name.isEmpty { return name }
        return nil
    }

    /// `step143000` → 143000; a revision that is not `step` followed by digits → nil.
    static func checkpointStep(_ revision: String) -> Int? {
        let lowered = revision.lowercased()
        guard lowered.hasPrefix("step") else { return nil }
        let digits = lowered.dropFirst(4).prefix { $0.isASCII && $0.isNumber }
        return digits.isEmpty ? nil : Int(digits)
    }
}
