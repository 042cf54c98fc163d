import Foundation
import ScaleLabCore
import Testing
@testable import ScaleLabIO

@Suite("ModelMetadataReader")
struct ModelMetadataTests {
    private func entry(_ directory: ModelDirectory, _ name: String) -> ModelDirectory.Entry? {
        directory.entries.first { $0.model.name == name }
    }

    private func problems(_ input: InputFile) -> [DataProblem] {
        do {
            _ = try ModelMetadataReader.read(input)
            return []
        } catch {
            return error.problems
        }
    }

    private func inline(_ path: String, _ text: String) -> InputFile {
        InputFile(path: path, bytes: Array(text.utf8))
    }

    @Test("CSV: sizes with and without units, steps, dates, aliases, numeric and text extras")
    func csv() throws {
        let directory = try ModelMetadataReader.read(ImportFixtures.input("metadata.csv"))
        #expect(directory.entries.map(\.model.name) == ["pythia-160m", "pythia-410m", "gpt2-small"])

        let small = try #require(entry(directory, "pythia-160m"))
        #expect(small.model.step == 3000)
        #expect(small.model.family == "pythia")
        #expect(small.model.params == 162_322_944)
        #expect(small.model.nonEmbeddingParams == 85_056_000)
        #expect(small.model.tokens == 6_291_456_000)
        #expect(small.model.flops == nil, "not given; the dataset derives 6·N·D later")
        #expect(small.model.releaseDate == "2023-02-13")
        #expect(small.aliases == ["pythia-v1.1-160m", "EleutherAI/pythia-160m"])
        #expect(small.model.attributes == ["deduped": 0])
        #expect(small.model.labels == ["variant": "standard"])
        #expect(small.location == SourceLocation(file: ImportFixtures.path("metadata.csv"), line: 3))

        let medium = try #require(entry(directory, "pythia-410m"))
        #expect(medium.model.step == nil)
        #expect(medium.model.params == 405e6)
        #expect(medium.model.nonEmbeddingParams == 302e6)
        #expect(medium.model.tokens == 300e9)
        #expect(medium.model.flops == 7.29e20)
        #expect(!medium.model.flopsAreDerived)
        #expect(medium.model.attributes == ["deduped": 1])

        let gpt2 = try #require(entry(directory, "gpt2-small"))
        #expect(gpt2.model.params == 124e6)
        #expect(gpt2.model.tokens == nil)
        #expect(gpt2.model.attributes.isEmpty)
        #expect(gpt2.model.labels == ["variant": "web text, filtered"])
    }

    @Test("a directory read from CSV resolves harness names: alias, hub id, case, step")
    func csvLookup() throws {
        let directory = try ModelMetadataReader.read(ImportFixtures.input("metadata.csv"))
        #expect(directory.lookup(name: "EleutherAI/pythia-v1.1-160m", step: 3000)?.name == "pythia-160m")
        #expect(directory.lookup(name: "ELEUTHERAI/PYTHIA-160M", step: 3000)?.name == "pythia-160m")
        #expect(directory.lookup(name: "EleutherAI/pythia-v1.1-160m", step: 143_000) == nil, "the entry is for step 3000 only")
        #expect(directory.lookup(name: "pythia-v1.1-410m", step: 143_000)?.key == ModelKey(name: "pythia-410m", step: 143_000))
        #expect(directory.lookup(name: "openai-community/gpt2", step: nil)?.name == "gpt2-small")
    }

    @Test("YAML list of mappings: aliases as a list or a ';' string, units, dates, extras")
    func yamlList() throws {
        let directory = try ModelMetadataReader.read(ImportFixtures.input("metadata_list.yaml"))
        #expect(directory.entries.count == 2)
        let small = try #require(entry(directory, "mock-small"))
        #expect(small.aliases == ["mockllm/small"])
        #expect(small.model.params == 1e9)
        #expect(small.model.tokens == 20e9)
        #expect(small.model.family == "mock")
        #expect(small.location.line == 2)
        let medium = try #require(entry(directory, "mock-medium"))
        #expect(medium.aliases == ["mockllm/medium", "medium-chat"])
        #expect(medium.model.params == 7e9)
        #expect(medium.model.flops == 5.88e21)
        #expect(medium.model.releaseDate == "2024-05-01")
        #expect(medium.model.attributes == ["context_length": 8192])
        #expect(medium.model.labels == ["tier": "gold"])
        #expect(medium.location.line == 7)
        #expect(directory.lookup(name: "mockllm/medium", step: nil)?.name == "mock-medium")
    }

    @Test("YAML mapping from name to attributes, including an entry with none")
    func yamlMapping() throws {
        let directory = try ModelMetadataReader.read(ImportFixtures.input("metadata_map.yaml"))
        #expect(directory.entries.map(\.model.name) == ["pythia-70m", "pythia-1b", "bare-model"])
        let small = try #require(entry(directory, "pythia-70m"))
        #expect(small.model.params == 70_426_624)
        #expect(small.model.nonEmbeddingParams == 18_915_328)
        #expect(small.aliases == ["pythia-v1.1-70m"])
        #expect(small.location.line == 2)
        let large = try #require(entry(directory, "pythia-1b"))
        #expect(large.model.params == 1e9)
        #expect(large.model.step == 143_000)
        #expect(large.model.tokens == 299_892_736_000)
        #expect(entry(directory, "bare-model")?.model == ModelInfo(name: "bare-model"))
    }

    @Test("every problem of a bad CSV is reported at once, with line and column")
    func badCSV() throws {
        let found = problems(try ImportFixtures.input("metadata_bad.csv"))
        func problem(_ line: Int, _ column: String?) -> DataProblem? {
            found.first { $0.location.line == line && $0.location.column == column }
        }
        #expect(problem(2, "params")?.message.contains("'70Q' is not a number") == true)
        #expect(problem(3, "params")?.message.contains("must be positive") == true)
        #expect(problem(4, "tokens")?.message.contains("'inf' is not finite") == true)
        #expect(problem(5, "model")?.message.contains("names no model") == true)
        #expect(problem(6, "release_date")?.message.contains("YYYY-MM-DD") == true)
        #expect(problem(7, "score")?.message.contains("'nan' is not finite") == true)
        #expect(problem(7, nil)?.message.contains("'m2' is described twice") == true)
        #expect(found.count == 7)
    }

    @Test("a YAML syntax error names its line")
    func badYAML() throws {
        let found = problems(try ImportFixtures.input("metadata_bad.yaml"))
        #expect(found.count == 1)
        let problem = try #require(found.first)
        #expect(problem.message.hasPrefix("invalid YAML"))
        #expect(problem.location.line == 5)
    }

    @Test("YAML shape problems: duplicate keys, nested values, a name key that disagrees, a scalar document")
    func yamlShapes() throws {
        let duplicate = problems(inline("m.yaml", "a:\n  params: 1B\na:\n  params: 2B\n"))
        #expect(duplicate.first?.message.contains("'a' appears twice") == true)
        #expect(duplicate.first?.location.line == 1)

        let nested = problems(inline("m.yaml", "- model: a\n  params: {value: 1B}\n"))
        #expect(nested.count == 1)
        #expect(nested.first?.location == SourceLocation(file: "m.yaml", line: 2, column: "params"))
        #expect(nested.first?.message.contains("holds a mapping") == true)

        let disagreeing = problems(inline("m.yaml", "a:\n  model: b\n"))
        #expect(disagreeing.first?.message.contains("listed under the key 'a'") == true)

        let scalar = problems(inline("m.yaml", "just a name\n"))
        #expect(scalar.first?.message.contains("expected a list of models") == true)

        let listValue = problems(inline("m.yaml", "- model: a\n  params: [1B, 2B]\n"))
        #expect(listValue.first?.message.contains("only aliases may be a list") == true)
    }

    @Test("CSV header problems: no model column, two spellings of one field")
    func csvHeaders() {
        let noModel = problems(inline("m.csv", "params,tokens\n1B,2B\n"))
        #expect(noModel.count == 1)
        #expect(noModel.first?.message.contains("missing the column 'model'") == true)
        let twice = problems(inline("m.csv", "model,params,n_params\na,1B,1B\n"))
        #expect(twice.first?.message.contains("'params' and 'n_params' mean the same thing") == true)
        #expect(twice.first?.location.column == "n_params")
        let empty = problems(inline("m.csv", "model,params\n"))
        #expect(empty.first?.message.contains("describes no models") == true)
    }

    @Test("other extensions are sniffed: YAML by a leading '-', '[' or 'key:', else CSV")
    func sniffing() throws {
        let yaml = try ModelMetadataReader.read(inline("models.txt", "# sizes\n- model: a\n  params: 1B\n"))
        #expect(yaml.entries.first?.model.params == 1e9)
        let mapping = try ModelMetadataReader.read(inline("models", "a:\n  params: 2B\n"))
        #expect(mapping.entries.first?.model.params == 2e9)
        let csv = try ModelMetadataReader.read(inline("models.tsv.txt", "model,params,note\na,3B,x: y\n"))
        #expect(csv.entries.first?.model.params == 3e9)
        #expect(csv.entries.first?.model.labels == ["note": "x: y"])
        let json = try ModelMetadataReader.read(inline("models.json", #"[{"model": "j", "params": "4B", "aliases": ["org/j"]}]"#))
        #expect(json.entries.first?.model.params == 4e9)
        #expect(json.entries.first?.aliases == ["org/j"])
    }

    @Test("model_seed and seed both set the model's seed; name is a spelling of model")
    func spellings() throws {
        let directory = try ModelMetadataReader.read(inline("m.yaml", "- name: a\n  model_seed: 3\n  N: 1M\n"))
        let model = try #require(directory.entries.first?.model)
        #expect(model.name == "a")
        #expect(model.seed == 3)
        #expect(model.params == 1e6)
        let fractional = problems(inline("m.csv", "model,seed\na,1.5\n"))
        #expect(fractional.count == 1)
        #expect(fractional.first?.message.contains("must be a whole number") == true)
    }
}
