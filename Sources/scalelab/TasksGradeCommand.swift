import ArgumentParser
import Foundation
import ScaleLabTasks

struct TasksGradeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grade",
        abstract: "Grade answers against tasks: per-task correct, accuracy with a Wilson 95% interval, and an importable Inspect log.",
        discussion: """
            TASKS is JSONL in the Inspect dataset sample layout (id, input,
            target, metadata), as `scalelab tasks generate` writes it.
            ANSWERS is JSONL with one answer per line, model and epoch optional
            (defaults: --model, epoch 1):
              {"id": "sum-10", "answer": "55", "model": "openai/gpt-4o"}

            Rules, by the task's metadata family (surrounding whitespace never
            matters):
              sha256, sha256-hex  hex digest; case-insensitive, optional 0x
              sum                 the integer's value; a leading + and one kind
                                  of thousands separator (, _ or a space)
                                  between groups of three digits are allowed;
                                  no decimals, exponents or words
              step-graph          runs of inner whitespace count as one space;
                                  case matters unless the metadata says
                                  "case_sensitive": false
              anything else       exact text
            A task a model did not answer is scored incorrect and counted as
            unanswered. Answers to ids that are not in TASKS are listed and not
            graded. Every malformed line of either file is reported with its
            line number.

            --out writes the grades as an Inspect evaluation log (JSON) that
            `scalelab import` reads into item results (scorer "grader") and an
            accuracy observation, named --task (default: the tasks file's name).
            With several models, one log per model: RESULTS.<model>.json.

            Examples:
              scalelab tasks grade sum.jsonl answers.jsonl --model openai/gpt-4o
              scalelab tasks grade sha256.jsonl answers.jsonl --out graded.json
              scalelab import graded.json
              scalelab tasks grade steps.jsonl answers.jsonl --model m1 --json
            """
    )

    @Argument(help: ArgumentHelp("The tasks (JSONL, Inspect dataset samples).", valueName: "tasks.jsonl"))
    var tasks: String

    @Argument(help: ArgumentHelp("The answers (JSONL: id, answer, optional model and epoch).", valueName: "answers.jsonl"))
    var answers: String

    @Option(name: .long, help: ArgumentHelp("The model of answers that name none (e.g. openai/gpt-4o).", valueName: "name"))
    var model: String?

    @Option(name: .long, help: ArgumentHelp("The evaluation's task name in the log (default: the tasks file's name without extension).", valueName: "name"))
    var task: String?

    @Option(name: .long, help: ArgumentHelp("Write the grades as an Inspect JSON log for `scalelab import`.", valueName: "results.json"))
    var out: String?

    @Flag(name: .long, help: "Print JSON (every graded item, the accuracy per model and the unknown answers).")
    var json = false

    func validate() throws {
        if let model, model.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--model needs a name, e.g. --model openai/gpt-4o") }
        if let task, task.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--task needs a name, e.g. --task sha256") }
        if let out, !out.hasSuffix(".json") { throw ValidationError("--out '\(out)' must end in .json: it is an Inspect log in JSON") }
    }

    struct Report: Encodable {
        var task: String
        var tasksFile: String
        var answersFile: String
        var items: [GradedItem]
        var accuracy: [ModelAccuracy]
        var unanswered: Int
        var unknownAnswers: [TaskAnswer]
        var logs: [String]
    }

    func run() throws {
        let taskData = try read(tasks, what: "tasks")
        let answerData = try read(answers, what: "answers")
        // Both files are checked in full before failing, so one run lists every problem.
        var problems: [JSONLProblem] = []
        var samples: [TaskSample] = []
        var given: [TaskAnswer] = []
        switch TaskJSONL.readTasks(taskData, file: tasks) {
        case .success(let read): samples = read
        case .failure(let error): problems += error.problems
        }
        switch TaskJSONL.readAnswers(answerData, file: answers) {
        case .success(let read): given = read
        case .failure(let error): problems += error.problems
        }
        if !problems.isEmpty { throw UserError(JSONLError(problems).description) }

        let report: GradingReport
        do {
            report = try Grader.grade(tasks: samples, answers: given, defaultModel: model)
        } catch {
            throw UserError(error.description)
        }
        let taskName = task ?? URL(fileURLWithPath: tasks).deletingPathExtension().lastPathComponent
        var logs: [String] = []
        if let out {
            logs = try writeLogs(report.inspectLogs(task: taskName, tasks: samples, created: Date()), to: out)
        }

        if !report.unknownAnswers.isEmpty {
            let listed = report.unknownAnswers.prefix(20).map { "'\($0.id)' (line \($0.line))" }.joined(separator: ", ")
            Terminal.note("warning: \(report.unknownAnswers.count) answer\(report.unknownAnswers.count == 1 ? " names a task" : "s name tasks") not in \(tasks), not graded: "
                          + listed + (report.unknownAnswers.count > 20 ? ", …" : ""))
        }
        if json {
            try Terminal.json(Report(task: taskName, tasksFile: tasks, answersFile: answers, items: report.items, accuracy: report.accuracy,
                                     unanswered: report.unansweredCount, unknownAnswers: report.unknownAnswers, logs: logs))
            return
        }
        Terminal.out(render(report, tasks: samples))
        for path in logs { Terminal.note("wrote \(path); import it with `scalelab import \(path)`") }
    }

    private func read(_ path: String, what: String) throws -> Data {
        guard FileManager.default.fileExists(atPath: path) else { throw UserError("the \(what) file \(path) does not exist") }
        guard let data = FileManager.default.contents(atPath: path) else { throw UserError("cannot read the \(what) file \(path); check its permissions") }
        return data
    }

    /// Writes every log beside its destination first, then renames them all into place, so a
    /// failure leaves no half-written log.
    private func writeLogs(_ logs: [(model: String, log: Data)], to out: String) throws -> [String] {
        let base = URL(fileURLWithPath: out)
        let paths = logs.count == 1 ? [base] : logs.map { entry in
            let safe = String(entry.model.map { $0.isLetter || $0.isNumber || "-_.".contains($0) ? $0 : "_" })
            return base.deletingPathExtension().appendingPathExtension(safe).appendingPathExtension("json")
        }
        var temporary: [URL] = []
        defer { for url in temporary { try? FileManager.default.removeItem(at: url) } }
        for (path, entry) in zip(paths, logs) {
            let scratch = path.deletingLastPathComponent().appendingPathComponent(".\(path.lastPathComponent).\(UUID().uuidString).tmp")
            do {
                try entry.log.write(to: scratch)
            } catch {
                throw UserError("cannot write \(path.path): \(error.localizedDescription); check that its folder exists and is writable")
            }
            temporary.append(scratch)
        }
        // rename(2) replaces the destination atomically: a reader sees the old log or the new one.
        for (scratch, path) in zip(temporary, paths) {
            guard rename(scratch.path, path.path) == 0 else {
                throw UserError("cannot move the finished log into \(path.path): \(String(cString: strerror(errno)))")
            }
        }
        temporary.removeAll()
        return paths.map(\.path)
    }

    private func render(_ report: GradingReport, tasks samples: [TaskSample]) -> String {
        let byID = Dictionary(samples.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let models = Set(report.items.map(\.model))
        let epochs = report.items.contains { $0.epoch > 1 }
        var headers = ["task", "family", "n"]
        if models.count > 1 { headers.insert("model", at: 0) }
        if epochs { headers.append("epoch") }
        headers += ["correct", "rule"]
        var table = TextTable(headers: headers, alignments: headers.map { ["n", "epoch"].contains($0) ? .right : .left })
        table.frozen = models.count > 1 ? 2 : 1
        for item in report.items {
            var row = [item.taskID, item.family ?? "—", sizeText(byID[item.taskID])]
            if models.count > 1 { row.insert(item.model, at: 0) }
            if epochs { row.append(String(item.epoch)) }
            let verdict = !item.answered ? "unanswered" : item.correct == 1 ? "yes" : "no" + (item.note.map { " (\($0))" } ?? "")
            row += [verdict, item.rule.rawValue]
            table.append(row)
        }
        var lines = [table.render(), ""]
        for summary in report.accuracy {
            lines.append("\(summary.model): accuracy \(Show.score(summary.accuracy)) (\(summary.correct)/\(summary.items)), "
                         + "95% Wilson interval [\(Show.score(summary.interval.lower)), \(Show.score(summary.interval.upper))]"
                         + (summary.unanswered > 0 ? "; \(summary.unanswered) unanswered (scored incorrect)" : ""))
        }
        return lines.joined(separator: "\n")
    }

    /// The task's `n` (a whole number in full, so 10000000 reads as itself), or blank.
    private func sizeText(_ task: TaskSample?) -> String {
        guard let n = task?.metadata["n"]?.number else { return "" }
        return n == n.rounded() && abs(n) < 1e18 ? String(Int64(n)) : String(n)
    }
}
