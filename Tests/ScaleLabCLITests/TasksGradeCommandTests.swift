import Foundation
import Testing
import ScaleLabCore
import ScaleLabIO
import ScaleLabTestSupport

/// `scalelab tasks grade` end to end: grading, bad input, and the log `scalelab import` reads.
@Suite struct TasksGradeCommandTests {
    let folder = TemporaryFolder()

    // SHA-256("abc"), FIPS 180-2 appendix B.1.
    static let abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

    private var tasks: String {
        folder.write("sums.jsonl", """
            {"id": "sum-10", "input": "1+…+10?", "target": "55", "metadata": {"family": "sum", "n": 10}}
            {"id": "sum-100", "input": "1+…+100?", "target": "5050", "metadata": {"family": "sum", "n": 100}}
            {"id": "sum-1000000", "input": "1+…+10^6?", "target": "500000500000", "metadata": {"family": "sum", "n": 1000000}}
            {"id": "sha256-1", "input": "sha256(abc)?", "target": "\(Self.abc)", "metadata": {"family": "sha256", "n": 1}}

            """)
    }

    private func json(_ text: String) -> [String: Any] { (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:] }

    @Test func gradesPrintsTheTableAndTheWilsonInterval() throws {
        let answers = folder.write("answers.jsonl", """
            {"id": "sum-10", "answer": "55 "}
            {"id": "sum-100", "answer": "5,050"}
            {"id": "sha256-1", "answer": "\(Self.abc.uppercased())"}
            {"id": "sum-7", "answer": "28"}
            """)
        let result = try CLI.run(["tasks", "grade", tasks, answers, "--model", "m1"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("sum-1000000") && result.stdout.contains("unanswered"))
        #expect(result.stdout.contains("integer-value") && result.stdout.contains("hex-digest"))
        // 3 of 4: Wilson 95% [0.300642, 0.954413].
        #expect(result.stdout.contains("m1: accuracy 0.750 (3/4), 95% Wilson interval [0.301, 0.954]; 1 unanswered"), "\(result.stdout)")
        #expect(result.stderr.contains("'sum-7' (line 4)"), "unknown ids are listed: \(result.stderr)")

        let report = json(try CLI.run(["tasks", "grade", tasks, answers, "--model", "m1", "--json"]).stdout)
        #expect(report["unanswered"] as? Int == 1)
        #expect((report["unknownAnswers"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == ["sum-7"])
        let accuracy = (report["accuracy"] as? [[String: Any]])?.first
        let interval = accuracy?["interval"] as? [String: Double]
        #expect(abs((interval?["lower"] ?? 0) - 0.300642) < 1e-5 && abs((interval?["upper"] ?? 0) - 0.954413) < 1e-5, "\(String(describing: interval))")
    }

    @Test func malformedLinesInBothFilesAreListedWithLineNumbers() throws {
        let badTasks = folder.write("bad-tasks.jsonl", """
            {"id": "a", "target": "1"}
            {"id": "b", "target": 2}
            """)
        let answers = folder.write("bad-answers.jsonl", """
            {"id": "a", "answer": "1"}
            {"id": "a" "answer": "1"}

            {"id": "a"}
            """)
        let result = try CLI.run(["tasks", "grade", badTasks, answers, "--model", "m"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("3 problems"), "\(result.stderr)")
        #expect(result.stderr.contains("\(badTasks):2: \"target\" must be a string"))
        #expect(result.stderr.contains("\(answers):2: is not valid JSON"))
        #expect(result.stderr.contains("\(answers):4: has no \"answer\""))
    }

    @Test func badInputSaysWhatToFix() throws {
        let answers = folder.write("no-model.jsonl", "{\"id\": \"sum-10\", \"answer\": \"55\"}\n")
        let noModel = try CLI.run(["tasks", "grade", tasks, answers])
        #expect(noModel.status == 1 && noModel.stderr.contains("--model"), "\(noModel.stderr)")

        let strangers = folder.write("strangers.jsonl", "{\"id\": \"q1\", \"answer\": \"55\"}\n")
        let wrongFiles = try CLI.run(["tasks", "grade", tasks, strangers, "--model", "m"])
        #expect(wrongFiles.status == 1 && wrongFiles.stderr.contains("no answer names a task"), "\(wrongFiles.stderr)")

        let missing = try CLI.run(["tasks", "grade", folder.path("absent.jsonl"), answers, "--model", "m"])
        #expect(missing.status == 1 && missing.stderr.contains("does not exist"))

        let badOut = try CLI.run(["tasks", "grade", tasks, answers, "--model", "m", "--out", folder.path("log.txt")])
        #expect(badOut.status == 1 && badOut.stderr.contains("--out"))
    }

    @Test func theLogImportsAsItemResults() throws {
        let answers = folder.write("answers.jsonl", """
            {"id": "sum-10", "answer": "55", "model": "mockllm/a"}
            {"id": "sum-100", "answer": "5051", "model": "mockllm/a"}
            {"id": "sum-1000000", "answer": "500 000 500 000", "model": "mockllm/a"}
            {"id": "sum-10", "answer": "+55", "model": "mockllm/b"}
            {"id": "sha256-1", "answer": "0x\(Self.abc)", "model": "mockllm/b"}
            """)
        let out = folder.path("graded.json")
        let graded = try CLI.run(["tasks", "grade", tasks, answers, "--out", out, "--task", "sums"])
        #expect(graded.status == 0, "\(graded.stderr)")
        let logs = ["a", "b"].map { folder.path("graded.mockllm_\($0).json") }
        #expect(logs.allSatisfy { FileManager.default.fileExists(atPath: $0) }, "\(graded.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path).allSatisfy { !$0.hasSuffix(".tmp") })

        let db = folder.path("fresh.sqlite")
        let imported = try CLI.run(["import"] + logs + ["--db", db, "--json", "--quiet"])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(json(imported.stdout)["itemResults"] as? Int == 8)

        let dataset = try Store(path: db, mode: .read).load()
        var correct: [String: Double] = [:]
        for item in dataset.itemResults {
            #expect(item.task == "sums" && item.scorer == "grader" && item.epoch == 1)
            correct["\(item.model.name) \(item.item)"] = item.correct
        }
        #expect(correct == ["mockllm/a sum-10": 1, "mockllm/a sum-100": 0, "mockllm/a sum-1000000": 1, "mockllm/a sha256-1": 0,
                            "mockllm/b sum-10": 1, "mockllm/b sum-100": 0, "mockllm/b sum-1000000": 0, "mockllm/b sha256-1": 1])
        let answerOfA = dataset.itemResults.first { $0.model.name == "mockllm/a" && $0.item == "sum-1000000" }?.answer
        #expect(answerOfA == "500 000 500 000")

        let listed = try CLI.run(["list", "tasks", "--db", db, "--json"])
        let rows = (try? JSONSerialization.jsonObject(with: Data(listed.stdout.utf8))) as? [[String: Any]] ?? []
        #expect(rows.first?["task"] as? String == "sums")
        #expect(rows.first?["min"] as? Double == 0.5 && rows.first?["max"] as? Double == 0.5)
    }

    /// The real Inspect logs of ../shared/data (scorer `match`, exact): their samples rewritten as
    /// tasks and answers must grade to the same accuracy (small 0.3, medium 0.6) and items.
    @Test(.enabled(if: TestSupport.hasSharedData, "../shared/data is absent"))
    func agreesWithInspectOnTheRealLogs() throws {
        for (name, expected) in [("small", 0.3), ("medium", 0.6)] {
            guard let path = TestSupport.sharedFile("inspect_logs/task-families-demo.\(name).json") else { return }
            let log = json(try String(contentsOfFile: path, encoding: .utf8))
            let samples = log["samples"] as? [[String: Any]] ?? []
            #expect(samples.count == 10)
            var taskLines: [String] = [], answerLines: [String] = [], inspectCorrect: [String: Bool] = [:]
            for sample in samples {
                let id = sample["id"] as? String ?? ""
                let task: [String: Any] = ["id": id, "input": sample["input"] as? String ?? "", "target": sample["target"] as? String ?? "",
                                           "metadata": sample["metadata"] as? [String: Any] ?? [String: Any]()]
                taskLines.append(String(decoding: try JSONSerialization.data(withJSONObject: task), as: UTF8.self))
                let match = (sample["scores"] as? [String: Any])?["match"] as? [String: Any] ?? [:]
                let answer: [String: Any] = ["id": id, "answer": match["answer"] as? String ?? ""]
                answerLines.append(String(decoding: try JSONSerialization.data(withJSONObject: answer), as: UTF8.self))
                inspectCorrect[id] = match["value"] as? String == "C"
            }
            let tasks = folder.write("\(name)-tasks.jsonl", taskLines.joined(separator: "\n"))
            let answers = folder.write("\(name)-answers.jsonl", answerLines.joined(separator: "\n"))
            let result = try CLI.run(["tasks", "grade", tasks, answers, "--model", "mockllm/\(name)", "--json"])
            #expect(result.status == 0, "\(result.stderr)")
            let report = json(result.stdout)
            #expect((report["accuracy"] as? [[String: Any]])?.first?["accuracy"] as? Double == expected)
            let items = report["items"] as? [[String: Any]] ?? []
            #expect(items.count == 10)
            for item in items {
                let id = item["taskID"] as? String ?? ""
                #expect((item["correct"] as? Double == 1) == inspectCorrect[id], "\(id)")
            }
        }
    }
}
