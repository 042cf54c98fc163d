import Foundation
import Testing
import ScaleLabCore
import ScaleLabTasks

@Suite struct GraderTests {
    // SHA-256("abc"), FIPS 180-2 appendix B.1.
    static let abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

    private func task(_ id: String, _ target: String, family: String?, _ extra: [String: MetadataValue] = [:]) -> TaskSample {
        var metadata = extra
        if let family { metadata["family"] = .string(family) }
        return TaskSample(id: id, input: "…", target: target, metadata: metadata)
    }

    private func isCorrect(_ answer: String, _ sample: TaskSample) -> Bool {
        Grader.grade(answer, for: sample, model: "m").correct == 1
    }

    @Test func hexDigestsIgnoreCaseAndSurroundingSpaceButNothingElse() {
        for family in ["sha256", "sha256-hex"] {
            let sample = task("h", Self.abc, family: family)
            #expect(GradingRule.rule(for: sample) == .hexDigest)
            #expect(isCorrect(Self.abc, sample))
            #expect(isCorrect(Self.abc.uppercased(), sample))
            #expect(isCorrect("  0x" + Self.abc + "\n", sample))
            #expect(isCorrect("0X" + Self.abc.uppercased(), sample))
            #expect(!isCorrect(String(Self.abc.dropLast()), sample), "a truncated digest")
            #expect(!isCorrect(String(Self.abc.dropLast()) + "e", sample), "the last digit wrong")
            #expect(!isCorrect(Self.abc.prefix(32) + " " + Self.abc.dropFirst(32), sample), "inner space")
            #expect(!isCorrect("0x", sample))
            #expect(!isCorrect("", sample))
        }
        let graded = Grader.grade(" BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD ", for: task("h", Self.abc, family: "sha256"), model: "m")
        #expect(graded.normalisedAnswer == Self.abc && graded.normalisedTarget == Self.abc && graded.score == 1)
        let notHex = Grader.grade("the digest is " + Self.abc, for: task("h", Self.abc, family: "sha256"), model: "m")
        #expect(notHex.correct == 0 && notHex.normalisedAnswer == nil && notHex.note == "not a hex digest")
    }

    @Test func sumsCompareIntegerValuesWithSeparatorsOnlyBetweenGroupsOfThree() {
        let ten = task("sum-10", "55", family: "sum", ["n": .number(10)])
        #expect(GradingRule.rule(for: ten) == .integerValue)
        #expect(isCorrect("55", ten))
        #expect(isCorrect("55 ", ten))
        #expect(isCorrect("\t+55\n", ten))
        #expect(isCorrect("055", ten), "a leading zero does not change the value")
        #expect(!isCorrect("56", ten))
        #expect(!isCorrect("5,5", ten), "a separator must sit between groups of three")
        #expect(!isCorrect("5 5", ten))
        #expect(!isCorrect("55.0", ten))
        #expect(!isCorrect("5.5e1", ten))
        #expect(!isCorrect("-55", ten))
        #expect(!isCorrect("+ 55", ten))
        #expect(!isCorrect("fifty-five", ten))
        #expect(!isCorrect("55 apples", ten))

        // 1 + … + 10^6 = 500000500000.
        let million = task("sum-1e6", "500000500000", family: "sum")
        for answer in ["500,000,500,000", "500_000_500_000", "500 000 500 000", "500\u{202F}000\u{202F}500\u{202F}000", "+500000500000"] {
            #expect(isCorrect(answer, million), "\(answer)")
        }
        for answer in ["500,000_500,000", "5000,00,500,000", "500,000,500,00", ",500,000,500,000", "500,000,500,000,", "500000500001"] {
            #expect(!isCorrect(answer, million), "\(answer)")
        }
        // Beyond 64 bits: compared as digit strings, never through a float.
        let huge = task("sum-big", "50000000000000000000000000000000000005", family: "sum")
        #expect(isCorrect("50,000,000,000,000,000,000,000,000,000,000,000,005", huge))
        #expect(!isCorrect("50000000000000000000000000000000000006", huge))
    }

    @Test func stepGraphsCollapseWhitespaceAndFoldCaseOnlyWhenTheTaskSaysSo() {
        let strict = task("g", "Alpha beta\tgamma", family: "step-graph")
        #expect(GradingRule.rule(for: strict) == .collapsedWhitespace)
        #expect(isCorrect("  Alpha   beta\n gamma ", strict))
        #expect(!isCorrect("alpha beta gamma", strict))
        #expect(!isCorrect("Alphabeta gamma", strict))
        let loose = task("g", "Alpha beta gamma", family: "step-graph", ["case_sensitive": .bool(false)])
        #expect(GradingRule.rule(for: loose) == .collapsedWhitespaceIgnoringCase)
        #expect(isCorrect("ALPHA  BETA gamma", loose))
        #expect(!isCorrect("alpha beta delta", loose))
        let stated = task("g", "Alpha", family: "step-graph", ["case_sensitive": .bool(true)])
        #expect(!isCorrect("alpha", stated))
    }

    @Test func unknownFamiliesAreExactAfterTrimming() {
        for sample in [task("x", "Paris  France", family: "geography"), task("y", "Paris  France", family: nil)] {
            #expect(GradingRule.rule(for: sample) == .exact)
            #expect(isCorrect(" Paris  France\n", sample))
            #expect(!isCorrect("Paris France", sample))
            #expect(!isCorrect("paris  france", sample))
        }
    }

    /// Reference: the closed form in Python with z = NormalDist().inv_cdf(0.975) for 7 of 10
    /// = (0.396778, 0.892209); by hand, centre 0.644493 ± 0.247715.
    @Test func wilsonIntervalMatchesTheClosedForm() {
        let seven = WilsonInterval(successes: 7, trials: 10)
        #expect(abs(seven.lower - 0.396778) < 1e-6 && abs(seven.upper - 0.892209) < 1e-6, "\(seven)")
        // k = 0 of 10: [0, z²/(n + z²)] = [0, 0.277533].
        let none = WilsonInterval(successes: 0, trials: 10)
        #expect(none.lower == 0 && abs(none.upper - 0.277533) < 1e-5)
        let all = WilsonInterval(successes: 10, trials: 10)
        #expect(abs(all.lower - 0.722467) < 1e-5 && all.upper == 1)
        #expect(WilsonInterval(successes: 0, trials: 0) == WilsonInterval(successes: 0, trials: 0))
        #expect(WilsonInterval(successes: 0, trials: 0).upper == 1)
    }

    // MARK: Files

    private func tasksData() -> Data {
        Data("""
            {"id": "sum-10", "input": "1+…+10?", "target": "55", "metadata": {"family": "sum", "n": 10}}
            {"id": "sum-100", "input": "1+…+100?", "target": "5050", "metadata": {"family": "sum", "n": 100}}
            {"id": "sha-1", "input": "sha256(abc)?", "target": "\(Self.abc)", "metadata": {"family": "sha256", "n": 1}}
            {"id": 7, "input": "free text", "target": "ok"}

            """.utf8)
    }

    @Test func malformedAnswerLinesAreAllReportedWithTheirLineNumbers() throws {
        let text = """
            {"id": "sum-10", "answer": "55"}
            {"id": "sum-100", "answer": 5050}
            not json

            {"answer": "x"}
            ["sum-10", "55"]
            {"id": "sha-1", "answer": "abc", "epoch": 0}
            {"id": "sum-10", "answer": "54"}
            {"id": "sum-10", "answer": "54", "model": 3}
            """
        guard case .failure(let error) = TaskJSONL.readAnswers(Data(text.utf8), file: "answers.jsonl") else {
            Issue.record("malformed answers were accepted")
            return
        }
        #expect(error.problems.map(\.line) == [2, 3, 5, 6, 7, 8, 9], "\(error)")
        #expect(error.problems.allSatisfy { $0.file == "answers.jsonl" })
        #expect(error.problems[0].message.contains("\"answer\" must be a string"))
        #expect(error.problems[1].message.contains("not valid JSON"))
        #expect(error.problems[2].message.contains("no \"id\""))
        #expect(error.problems[3].message.contains("not an object"))
        #expect(error.problems[4].message.contains("epoch"))
        #expect(error.problems[5].message.contains("line 1"), "a repeated answer names the first")
        #expect(error.problems[6].message.contains("\"model\""))
        #expect(error.description.contains("answers.jsonl:3: is not valid JSON"))
    }

    @Test func malformedTaskLinesAndRepeatedIdsAreReported() {
        let text = """
            {"id": "a", "target": "1"}
            {"id": "a", "target": "2"}
            {"id": "b"}
            {"id": "c", "target": "3", "metadata": {"family": ["sum"]}}
            {"id": 1.5, "target": "4"}
            """
        guard case .failure(let error) = TaskJSONL.readTasks(Data(text.utf8), file: "t.jsonl") else {
            Issue.record("malformed tasks were accepted")
            return
        }
        #expect(error.problems.map(\.line) == [2, 3, 4, 5], "\(error)")
        #expect(error.problems[0].message.contains("repeats line 1"))
        guard case .failure(let empty) = TaskJSONL.readTasks(Data("\n\n".utf8), file: "t.jsonl") else {
            Issue.record("an empty tasks file was accepted")
            return
        }
        #expect(empty.problems.count == 1 && empty.problems[0].line == nil)
    }

    @Test func tasksRoundTripThroughJSONL() throws {
        let tasks = try TaskJSONL.readTasks(tasksData(), file: "t").get()
        #expect(tasks.map(\.id) == ["sum-10", "sum-100", "sha-1", "7"])
        #expect(tasks[0].metadata["n"] == .number(10))
        #expect(try TaskJSONL.readTasks(TaskJSONL.write(tasks), file: "t").get() == tasks)
        let answers = [TaskAnswer(id: "sum-10", answer: " 55", model: "m", epoch: 2)]
        let read = try TaskJSONL.readAnswers(TaskJSONL.write(answers), file: "a").get()
        #expect(read.count == 1 && read[0].answer == " 55" && read[0].epoch == 2 && read[0].model == "m" && read[0].line == 1)
    }

    @Test func unknownIdsAreReportedAndUnansweredTasksCounted() throws {
        let tasks = try TaskJSONL.readTasks(tasksData(), file: "t").get()
        let answers = try TaskJSONL.readAnswers(Data("""
            {"id": "sum-10", "answer": "55 "}
            {"id": "sum-100", "answer": "5,051"}
            {"id": "sum-1000", "answer": "500500"}
            {"id": 7, "answer": "ok"}
            {"id": "sum-10", "answer": "55", "model": "other"}
            {"id": "nope", "answer": "?", "model": "other"}
            """.utf8), file: "a").get()
        let report = try Grader.grade(tasks: tasks, answers: answers, defaultModel: "main")
        #expect(report.unknownAnswers.map(\.id) == ["sum-1000", "nope"])
        #expect(report.unknownAnswers.map(\.line) == [3, 6])
        #expect(report.accuracy.map(\.model) == ["main", "other"])
        let main = try #require(report.accuracy.first)
        #expect(main.items == 4 && main.correct == 2 && main.unanswered == 1)
        #expect(main.interval == WilsonInterval(successes: 2, trials: 4))
        let other = try #require(report.accuracy.last)
        #expect(other.items == 4 && other.correct == 1 && other.unanswered == 3)
        #expect(report.unansweredCount == 4)
        let sha = try #require(report.items.first { $0.model == "main" && $0.taskID == "sha-1" })
        #expect(sha.answer == nil && sha.correct == 0 && sha.note == "unanswered")
        let wrongSum = try #require(report.items.first { $0.model == "main" && $0.taskID == "sum-100" })
        #expect(wrongSum.correct == 0 && wrongSum.normalisedAnswer == "5051" && wrongSum.normalisedTarget == "5050")
        let item = wrongSum.itemResult(task: "sums")
        #expect(item.model == ModelKey(name: "main") && item.item == "sum-100" && item.scorer == "grader" && item.correct == 0 && item.answer == "5,051")
    }

    @Test func answersWithoutAModelOrForNoKnownTaskAreErrors() throws {
        let tasks = try TaskJSONL.readTasks(tasksData(), file: "t").get()
        let answers = [TaskAnswer(id: "sum-10", answer: "55", line: 1), TaskAnswer(id: "sum-100", answer: "5050", model: "m", line: 2),
                       TaskAnswer(id: "sha-1", answer: "x", line: 3)]
        #expect(throws: GradingError.noModel(lines: [1, 3])) { try Grader.grade(tasks: tasks, answers: answers) }
        #expect(throws: GradingError.noKnownTask(unknownIDs: ["x", "y"])) {
            try Grader.grade(tasks: tasks, answers: [TaskAnswer(id: "x", answer: "1"), TaskAnswer(id: "y", answer: "1"), TaskAnswer(id: "x", answer: "2", epoch: 2)],
                             defaultModel: "m")
        }
    }

    @Test func inspectLogHoldsOneScoredSamplePerItem() throws {
        let tasks = try TaskJSONL.readTasks(tasksData(), file: "t").get()
        let answers = [TaskAnswer(id: "sum-10", answer: "55"), TaskAnswer(id: "sum-100", answer: "5050"), TaskAnswer(id: "7", answer: "no")]
        let report = try Grader.grade(tasks: tasks, answers: answers, defaultModel: "mockllm/model")
        let logs = try report.inspectLogs(task: "mixed", tasks: tasks, created: Date(timeIntervalSince1970: 0))
        #expect(logs.count == 1 && logs[0].model == "mockllm/model")
        let root = try #require(try JSONSerialization.jsonObject(with: logs[0].log) as? [String: Any])
        #expect(root["status"] as? String == "success")
        let eval = try #require(root["eval"] as? [String: Any])
        #expect(eval["task"] as? String == "mixed" && eval["model"] as? String == "mockllm/model")
        let score = try #require(((root["results"] as? [String: Any])?["scores"] as? [[String: Any]])?.first)
        let metrics = try #require(score["metrics"] as? [String: [String: Any]])
        #expect(metrics["accuracy"]?["value"] as? Double == 0.5)
        // Inspect's stderr: √(p(1 − p)/(n − 1)) = √(0.25/3).
        #expect(abs((metrics["stderr"]?["value"] as? Double ?? 0) - (0.25 / 3).squareRoot()) < 1e-12)
        let samples = try #require(root["samples"] as? [[String: Any]])
        #expect(samples.compactMap { $0["id"] as? String } == ["sum-10", "sum-100", "sha-1", "7"])
        let values = samples.map { (($0["scores"] as? [String: Any])?["grader"] as? [String: Any])?["value"] as? Double }
        #expect(values == [1, 1, 0, 0])
        #expect(try report.inspectLogs(task: "mixed", tasks: tasks, created: Date(timeIntervalSince1970: 0))[0].log == logs[0].log)
    }
}
