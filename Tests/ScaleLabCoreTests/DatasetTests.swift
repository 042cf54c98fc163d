import Foundation
import Testing
@testable import ScaleLabCore

/// A small ladder built through the builder, as importers do.
func sampleDataset() throws -> Dataset {
    var builder = DatasetBuilder()
    let file = "sample.csv"
    let sizes: [(String, Double, Double?)] = [("tiny", 1e7, 1e9), ("small", 1e8, 1e10), ("mid", 1e9, nil), ("large", 1e10, 1e12)]
    var line = 2
    for (name, params, tokens) in sizes {
        var info = ModelInfo(name: name, family: name == "mid" ? "other" : "ladder", params: params, tokens: tokens)
        info.labels["role"] = name == "large" ? "target" : "ladder"
        let model = builder.addModel(info, at: SourceLocation(file: file, line: line))
        for (task, base) in [("arc_easy", 0.3), ("lambada_openai", 0.2), ("hendrycksTest-anatomy", 0.25)] {
            for metric in ["acc", "acc_norm"] {
                let t = builder.task(named: task, at: SourceLocation(file: file, line: line))
                let m = builder.metric(named: metric)
                let value = base + 0.1 * log10(params / 1e7)
                let row = builder.addObservation(model: model, task: t, metric: m, value: value, stderr: 0.01, n: 1000,
                                                 shots: 0, at: SourceLocation(file: file, line: line))
                builder.setExtra("loss", number: 4 - log10(params) / 4, row: row!)
                line += 1
            }
        }
    }
    return try builder.build()
}

@Suite struct DatasetTests {
    @Test func indexesRowsByTaskMetricAndModel() throws {
        let data = try sampleDataset()
        #expect(data.count == 24)
        #expect(data.rowsByTask.map(\.count) == [8, 8, 8])
        #expect(data.rowsByMetric.map(\.count) == [12, 12])
        #expect(data.rowsByModel.map(\.count) == [6, 6, 6, 6])
        let mid = try #require(data.index(of: ModelKey(name: "mid")))
        #expect(data.models[mid].flops == nil)  // no tokens: compute cannot be derived
        let large = try #require(data.index(of: ModelKey(name: "large")))
        #expect(data.models[large].flops == 6e22 && data.models[large].flopsAreDerived)
    }

    @Test func builderRejectsDuplicatesNamingBothPlaces() {
        var builder = DatasetBuilder()
        let here = SourceLocation(file: "a.csv", line: 2)
        let model = builder.addModel(ModelInfo(name: "m"), at: here)
        let task = builder.task(named: "t", at: here)
        let metric = builder.metric(named: "acc")
        builder.addObservation(model: model, task: task, metric: metric, value: 0.5, shots: 0, at: here)
        builder.addObservation(model: model, task: task, metric: metric, value: 0.5, shots: 5, at: SourceLocation(file: "a.csv", line: 3))
        builder.addObservation(model: model, task: task, metric: metric, value: 0.6, shots: 0, at: SourceLocation(file: "b.csv", line: 9))
        #expect(throws: DataError.self) { try builder.build() }
        let problem = builder.problems.problems.first
        #expect(problem?.location == SourceLocation(file: "b.csv", line: 9))
        #expect(problem?.message.contains("duplicate of a.csv:2") == true)
        #expect(builder.problems.count == 1)
    }

    @Test func builderRejectsNonFiniteValuesAndConflictingModels() {
        var builder = DatasetBuilder()
        let here = SourceLocation(file: "a.csv", line: 4)
        let model = builder.addModel(ModelInfo(name: "m", params: 7e7), at: SourceLocation(file: "a.csv", line: 2))
        builder.addModel(ModelInfo(name: "m", params: 4e8), at: here)
        let task = builder.task(named: "t", at: here)
        let metric = builder.metric(named: "acc")
        #expect(builder.addObservation(model: model, task: task, metric: metric, value: .nan, at: here) == nil)
        #expect(builder.addObservation(model: model, task: task, metric: metric, value: 0.5, stderr: -1, at: here) == nil)
        let messages = builder.problems.problems.map(\.message)
        #expect(messages.count == 3)
        #expect(messages[0].contains("params 400000000.0 disagrees with 70000000.0 given at a.csv:2"))
        #expect(builder.problems.problems[0].location.column == "params")
    }

    @Test func observationsRoundTripThroughColumns() throws {
        let data = try sampleDataset()
        let row = try #require(data.rowsByTask[data.index(ofTask: "lambada_openai")!].first.map(Int.init))
        let observation = data.observation(at: row)
        #expect(observation.model == ModelKey(name: "tiny"))
        #expect(observation.metric == "acc")
        #expect(observation.value == 0.2)
        #expect(observation.stderr == 0.01 && observation.n == 1000 && observation.shots == 0 && observation.seed == nil)
        #expect(observation.extras == ["loss": 4 - 7.0 / 4])
    }

    @Test func subsetDropsUnreferencedModelsAndTasks() throws {
        let data = try sampleDataset()
        let rows = data.rowsByTask[data.index(ofTask: "arc_easy")!].map(Int.init).filter { data.model(ofRow: $0).name == "large" }
        let subset = data.subset(rows: rows)
        #expect(subset.count == 2)
        #expect(subset.models.map(\.name) == ["large"])
        #expect(subset.tasks.map(\.name) == ["arc_easy"])
        #expect(subset.metrics == ["acc", "acc_norm"])
        #expect(subset.extraNumbers["loss"]?.count == 2)
    }
}
