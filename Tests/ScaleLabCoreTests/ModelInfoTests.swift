import Testing
@testable import ScaleLabCore

@Suite struct ModelInfoTests {
    @Test func derivesComputeAsSixNDAndMarksIt() {
        let model = ModelInfo(name: "m", params: 70_426_624, tokens: 299_892_736_000).withDerivedFlops()
        // 6·N·D of pythia-70m at step 143000, the value in pythia_evals.csv's flops column.
        #expect(model.flops == 6.0 * 70_426_624.0 * 299_892_736_000.0)
        #expect(model.flopsAreDerived)
        let given = ModelInfo(name: "m", params: 1e9, tokens: 1e10, flops: 5e19).withDerivedFlops()
        #expect(given.flops == 5e19)
        #expect(!given.flopsAreDerived)
    }

    @Test func mergeFillsGapsAndReportsDisagreements() {
        let stored = ModelInfo(name: "m", params: 7e7, attributes: ["deduped": 0])
        let incoming = ModelInfo(name: "m", family: "pythia", params: 70_000_000.0, tokens: 3e11, attributes: ["deduped": 1])
        let (merged, conflicts) = stored.merging(incoming)
        #expect(merged.family == "pythia")
        #expect(merged.tokens == 3e11)
        #expect(conflicts.map(\.field) == ["deduped"])
        let (_, sizeConflicts) = stored.merging(ModelInfo(name: "m", params: 70_426_624))
        #expect(sizeConflicts.map(\.field) == ["params"])
    }

    @Test func givenComputeBeatsDerivedCompute() {
        let derived = ModelInfo(name: "m", params: 1e9, tokens: 1e10).withDerivedFlops()
        let (merged, conflicts) = derived.merging(ModelInfo(name: "m", flops: 7e19))
        #expect(conflicts.isEmpty)
        #expect(merged.flops == 7e19 && !merged.flopsAreDerived)
        let (kept, none) = ModelInfo(name: "m", flops: 7e19).merging(derived)
        #expect(none.isEmpty)
        #expect(kept.flops == 7e19 && !kept.flopsAreDerived)
    }

    @Test func validationRejectsImpossibleSizes() {
        #expect(ModelInfo(name: "m", params: 0).validationProblems().map(\.field) == ["params"])
        #expect(ModelInfo(name: "m", params: -5).validationProblems().map(\.field) == ["params"])
        #expect(ModelInfo(name: "m", tokens: -1).validationProblems().map(\.field) == ["tokens"])
        // Zero tokens is the untrained initialisation only.
        #expect(ModelInfo(name: "m", step: 0, params: 7e7, tokens: 0, flops: 0).validationProblems().isEmpty)
        #expect(ModelInfo(name: "m", step: 5, tokens: 0).validationProblems().map(\.field) == ["tokens"])
        #expect(ModelInfo(name: "m", tokens: 0).validationProblems().map(\.field) == ["tokens"])
        #expect(ModelInfo(name: "m", params: 1e6, nonEmbeddingParams: 2e6).validationProblems().map(\.field) == ["params_nonembedding"])
    }

    @Test func fieldNamesAreCaseInsensitiveAndSymbolsAreUpperCase() {
        #expect(ModelField(name: "PARAMS") == .params)
        #expect(ModelField(name: "Non_Embedding_Params") == .nonEmbeddingParams)
        #expect(ModelField(name: "N") == .params)
        #expect(ModelField(name: "D") == .tokens)
        #expect(ModelField(name: "C") == .flops)
        #expect(ModelField(name: "n") == nil)  // the item count of an observation
        #expect(XAxis("compute") == .flops)
        #expect(XAxis("chinchilla_multiple") == .column("chinchilla_multiple"))
    }

    @Test func directoryMatchesHubIdsAndAliases() throws {
        let location = SourceLocation(file: "meta.csv", line: 2)
        let directory = try ModelDirectory(entries: [
            .init(model: ModelInfo(name: "pythia-70m", params: 70_426_624), aliases: ["pythia-v1.1-70m"], location: location),
            .init(model: ModelInfo(name: "big", step: 10, params: 1e9), location: location),
        ])
        let found = directory.lookup(name: "EleutherAI/Pythia-v1.1-70M", step: 143_000)
        #expect(found?.name == "pythia-70m")
        #expect(found?.step == 143_000)
        #expect(found?.params == 70_426_624)
        #expect(directory.lookup(name: "big", step: 10)?.params == 1e9)
        #expect(directory.lookup(name: "big", step: 11) == nil)
        #expect(directory.lookup(name: "unknown", step: nil) == nil)
        #expect(throws: DataError.self) {
            try ModelDirectory(entries: [
                .init(model: ModelInfo(name: "a"), aliases: ["x"], location: location),
                .init(model: ModelInfo(name: "b"), aliases: ["X"], location: location),
            ])
        }
    }
}
