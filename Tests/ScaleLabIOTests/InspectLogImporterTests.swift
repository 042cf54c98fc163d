import Foundation
import ScaleLabCore
import Testing
@testable import ScaleLabIO

@Suite("InspectLogImporter")
struct InspectLogImporterTests {
    private func importFixture(_ name: String, directory: ModelDirectory = ModelDirectory()) throws -> Dataset {
        var builder = DatasetBuilder(directory: directory)
        let format = try Importer.read(ImportFixtures.input(name), into: &builder)
        #expect(format == .inspect)
        return try builder.build()
    }

    private func items(_ dataset: Dataset) -> [String: ItemResult] {
        Dictionary(uniqueKeysWithValues: dataset.itemResults.map { ("\($0.item)#\($0.epoch.map(String.init) ?? "-")#\($0.scorer)", $0) })
    }

    @Test("one scorer: the metric is named after the metric, stderr attached, n = scored_samples, shots unknown")
    func oneScorer() throws {
        let dataset = try importFixture("inspect_log.json")
        #expect(dataset.models.map(\.key) == [ModelKey(name: "mockllm/model")])
        #expect(dataset.count == 1)
        let observation = dataset.observation(at: 0)
        #expect(observation.task == "arith_demo")
        #expect(observation.metric == "accuracy")
        #expect(observation.value == 0.4375)
        #expect(observation.stderr == 0.17519122205668378)
        #expect(observation.n == 8)
        #expect(observation.shots == nil)
        #expect(dataset.origins[0]?.column == "results.scores[0].metrics.accuracy.value")
    }

    @Test("samples become item results with epochs, C/I/P/N mapped as Inspect's value_to_float")
    func sampleItems() throws {
        let dataset = try importFixture("inspect_log.json")
        #expect(dataset.itemResults.count == 8)
        let byKey = items(dataset)
        func correct(_ item: String, _ epoch: Int) -> Double? { byKey["\(item)#\(epoch)#match"]?.correct }
        #expect(correct("sum-10", 1) == 1)
        #expect(correct("sum-10", 2) == 1)
        #expect(correct("sha256-2", 1) == 0)
        #expect(correct("sha256-2", 2) == 0.5)
        #expect(correct("sum-1000", 1) == 0)
        #expect(correct("sum-1000", 2) == 1)
        #expect(correct("4", 1) == 0, "a numeric sample id is kept as its text")
        #expect(byKey["sha256-2#2#match"]?.answer == "ab")
        #expect(byKey["sum-10#1#match"]?.score == nil, "letter grades have no raw score")
        #expect(dataset.itemResults.allSatisfy { $0.model == ModelKey(name: "mockllm/model") && $0.task == "arith_demo" })
        // The mean of the item results is the log's accuracy (1+1+0+0.5+0+1+0+0)/8.
        let mean = dataset.itemResults.compactMap(\.correct).reduce(0, +) / 8
        #expect(mean == 0.4375)
    }

    @Test("several scorers: scorer/metric names, stderr per scorer, n falls back to completed_samples; varied values")
    func twoScorers() throws {
        let dataset = try importFixture("inspect_two_scorers.json")
        let rows = ImportFixtures.byKey(dataset)
        let model = ModelKey(name: "openai/gpt-4o-mini")
        let match = try #require(rows[ObservationKey(model: model, task: "qa_demo", metric: "match/accuracy", shots: nil, seed: nil)])
        #expect(match.value == 0.75)
        #expect(match.stderr == 0.5)
        #expect(match.n == 4)
        let judge = try #require(rows[ObservationKey(model: model, task: "qa_demo", metric: "judge/mean", shots: nil, seed: nil)])
        #expect(judge.value == 2.0)
        #expect(judge.stderr == nil)
        #expect(judge.n == 4)
        #expect(dataset.count == 2)

        let byKey = items(dataset)
        #expect(byKey["q1#1#judge"]?.correct == 1, "true")
        #expect(byKey["q2#1#judge"]?.correct == nil, "3.0 is outside [0, 1]: a score, not a correctness")
        #expect(byKey["q2#1#judge"]?.score == 3.0)
        #expect(byKey["q3#1#judge"]?.correct == 1, "\"yes\"")
        #expect(byKey["q4#1#judge/fluency"]?.correct == 0.5)
        #expect(byKey["q4#1#judge/fluency"]?.score == 0.5)
        #expect(byKey["q4#1#judge/correct"]?.correct == 1)
        #expect(byKey["q2#1#match"]?.correct == 0)
        #expect(byKey["q4#1#match"]?.answer == "Metz")
        #expect(dataset.itemResults.count == 9)
    }

    @Test("without samples, the reduced per-sample scores are the items (no epoch)")
    func reductionsOnly() throws {
        let dataset = try importFixture("inspect_reductions_only.json")
        #expect(dataset.observation(at: 0).n == 2)
        let byKey = items(dataset)
        #expect(byKey.count == 2)
        #expect(byKey["sum-10#-#match"]?.correct == 0.6666666666666666)
        #expect(byKey["17#-#match"]?.correct == 1)
        #expect(byKey["17#-#match"]?.answer == "ba7816bf")
    }

    @Test("a log whose status is error is reported, with its error message, and nothing of it is imported")
    func errorStatus() throws {
        var builder = DatasetBuilder()
        try Importer.read(ImportFixtures.input("inspect_error.json"), into: &builder)
        #expect(builder.observationCount == 0)
        #expect(builder.modelCount == 0)
        let problems = ImportFixtures.buildProblems(builder)
        #expect(problems.count == 1)
        let problem = try #require(problems.first)
        #expect(problem.location.line == 3)
        #expect(problem.message.contains("status is 'error'"))
        #expect(problem.message.contains("RateLimitError: Error code: 429"))
        #expect(!problem.message.contains("Request id"), "only the first line of the error")
    }

    @Test("a score value that is none of Inspect's kinds is reported with the sample id")
    func uninterpretableValue() throws {
        let document = #"""
        {"status": "success", "eval": {"task": "t", "model": "m/x"},
         "results": {"scores": [{"name": "match", "metrics": {"accuracy": {"value": 1.0}}}], "completed_samples": 1},
         "samples": [{"id": "s-9", "epoch": 1, "scores": {"match": {"value": "maybe"}}}]}
        """#
        var builder = DatasetBuilder()
        try Importer.read(InputFile(path: "inline.json", bytes: Array(document.utf8)), into: &builder)
        let problems = ImportFixtures.buildProblems(builder)
        #expect(problems.count == 1)
        #expect(problems.first?.message.contains("sample s-9") == true)
        #expect(problems.first?.message.contains("\"maybe\"") == true)
        #expect(problems.first?.location.line == 3)
    }

    @Test("a finished log without scores is reported rather than imported as nothing")
    func noScores() throws {
        let document = #"{"status": "success", "eval": {"task": "t", "model": "m/x"}, "results": {"total_samples": 3, "scores": []}}"#
        var builder = DatasetBuilder()
        try Importer.read(InputFile(path: "unscored.json", bytes: Array(document.utf8)), into: &builder)
        let problems = ImportFixtures.buildProblems(builder)
        #expect(problems.count == 1)
        #expect(problems.first?.location.column == "results.scores")
        #expect(problems.first?.message.contains("no scores") == true)
    }

    @Test("Inspect's value_to_float, as a table")
    func valueToFloat() throws {
        func read(_ json: String) throws -> (Double?, Double?)? {
            InspectLogImporter.interpret(try JSONParser.parse(json)).map { ($0.correct, $0.score) }
        }
        #expect(try read(#""C""#)! == (1, nil))
        #expect(try read(#""I""#)! == (0, nil))
        #expect(try read(#""P""#)! == (0.5, nil))
        #expect(try read(#""N""#)! == (0, nil))
        #expect(try read("true")! == (1, nil))
        #expect(try read("false")! == (0, nil))
        #expect(try read(#""Yes""#)! == (1, nil))
        #expect(try read(#""no""#)! == (0, nil))
        #expect(try read("0.25")! == (0.25, 0.25))
        #expect(try read("7")! == (nil, 7))
        #expect(try read(#""0.5""#)! == (0.5, 0.5))
        #expect(try read("-1")! == (nil, -1))
        #expect(try read(#""c""#) == nil)
        #expect(try read(#""70M""#) == nil, "no size units in scores")
        #expect(try read("null") == nil)
        #expect(try read("NaN") == nil)
    }

    @Test("an .eval (zip) log is refused with the command that converts it")
    func evalZipIsRefused() {
        var builder = DatasetBuilder()
        let input = InputFile(path: "run.eval", bytes: [0x50, 0x4B, 0x03, 0x04, 0, 0, 0, 0])
        let error = #expect(throws: DataError.self) { try Importer.read(input, into: &builder) }
        #expect(error?.problems.first?.message.contains("inspect log convert --to json") == true)
    }

    // MARK: - Real data

    @Test("the two Inspect JSON logs of shared/data with sizes from a YAML metadata file",
          .enabled(if: ImportFixtures.sharedData != nil, "skipped: ../shared/data is not next to the package"))
    func realLogs() throws {
        let data = try #require(ImportFixtures.sharedData)
        let folder = try ImportFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let metadataPath = folder.appendingPathComponent("mock-models.yaml").path
        try """
        - model: mock-small
          aliases: [mockllm/small]
          family: mock
          params: 1B
        - model: mock-medium
          aliases: [mockllm/medium]
          family: mock
          params: 7B
        """.write(toFile: metadataPath, atomically: true, encoding: .utf8)
        var builder = DatasetBuilder(directory: try ModelMetadataReader.read(InputFile(path: metadataPath)))
        for size in ["small", "medium"] {
            let format = try Importer.read(InputFile(path: "\(data)/inspect_logs/task-families-demo.\(size).json"), into: &builder)
            #expect(format == .inspect)
        }
        let dataset = try builder.build()
        #expect(dataset.models.map(\.name).sorted() == ["mock-medium", "mock-small"])
        #expect(dataset.models.first { $0.name == "mock-medium" }?.params == 7e9)

        let expected: [(model: String, accuracy: Double, correct: Set<String>)] = [
            ("mock-small", 0.3, ["sum-10", "sum-100", "sum-1000"]),
            ("mock-medium", 0.6, ["sha256-1", "sum-10", "sum-100", "sum-1000", "sum-1000000", "sum-1000000000000"]),
        ]
        let ids: Set<String> = ["sha256-1", "sha256-2", "sha256-5", "sha256-10", "sha256-100",
                                "sum-10", "sum-100", "sum-1000", "sum-1000000", "sum-1000000000000"]
        for (name, accuracy, correct) in expected {
            let key = ModelKey(name: name)
            let observation = try #require(ImportFixtures.byKey(dataset)[
                ObservationKey(model: key, task: "task_families_demo", metric: "accuracy", shots: nil, seed: nil)])
            #expect(observation.value == accuracy)
            // Inspect's stderr of a mean is the sample sd / √n = √(p(1−p)/(n−1)) for 0/1 scores.
            #expect(relativelyClose(observation.stderr, (accuracy * (1 - accuracy) / 9).squareRoot(), 1e-12))
            #expect(observation.n == 10)
            let results = dataset.itemResults.filter { $0.model == key }
            #expect(results.count == 10)
            #expect(Set(results.map(\.item)) == ids)
            #expect(results.allSatisfy { $0.scorer == "match" && $0.epoch == 1 && $0.task == "task_families_demo" })
            for result in results {
                #expect(result.correct == (correct.contains(result.item) ? 1 : 0), "\(name) \(result.item)")
            }
        }
        let medium = dataset.itemResults.first { $0.model.name == "mock-medium" && $0.item == "sha256-1" }
        #expect(medium?.answer == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }
}
