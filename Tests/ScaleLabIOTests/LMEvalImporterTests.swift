import Foundation
import ScaleLabCore
import Testing
@testable import ScaleLabIO

/// Paths of the test fixtures and of the real data in `../shared/data`, shared by the importer tests.
enum ImportFixtures {
    static func path(_ name: String) -> String {
        Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.appendingPathComponent(name).path
    }

    static func input(_ name: String) throws -> InputFile {
        try InputFile(path: path(name))
    }

    /// `<package root>/../shared/data`, where the package root is three levels above this file.
    static let sharedData: String? = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let data = root.deletingLastPathComponent().appendingPathComponent("shared/data").path
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: data, isDirectory: &isDirectory) && isDirectory.boolValue ? data : nil
    }()

    /// A fresh temporary directory for files a test writes.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("scalelab-io-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// The problems of an import that is expected to fail at `build()`.
    static func buildProblems(_ builder: DatasetBuilder) -> [DataProblem] {
        do {
            _ = try builder.build()
            return []
        } catch {
            return error.problems
        }
    }

    /// Observations of a dataset by key.
    static func byKey(_ dataset: Dataset) -> [ObservationKey: Observation] {
        Dictionary(uniqueKeysWithValues: dataset.observations.map { ($0.key, $0) })
    }
}

/// |a − b| ≤ tolerance · |b|.
func relativelyClose(_ a: Double?, _ b: Double, _ tolerance: Double = 1e-12) -> Bool {
    guard let a else { return false }
    return abs(a - b) <= tolerance * abs(b)
}

@Suite("LMEvalImporter")
struct LMEvalImporterTests {
    private func importFixture(_ name: String, directory: ModelDirectory = ModelDirectory()) throws -> Dataset {
        var builder = DatasetBuilder(directory: directory)
        let format = try Importer.read(ImportFixtures.input(name), into: &builder)
        #expect(format == .lmEval)
        return try builder.build()
    }

    @Test("old layout: acc/acc_stderr keys, model and step from config.model_args, shots from config.num_fewshot")
    func oldLayout() throws {
        let dataset = try importFixture("lmeval_old_layout.json")
        let model = ModelKey(name: "EleutherAI/pythia-v1.1-160m", step: 3000)
        #expect(dataset.models.map(\.key) == [model])
        #expect(dataset.count == 4)
        let rows = ImportFixtures.byKey(dataset)
        func row(_ task: String, _ metric: String) -> Observation? {
            rows[ObservationKey(model: model, task: task, metric: metric, shots: 5, seed: nil)]
        }
        // Values are the fixture's decimal text, read by strtod: exact.
        #expect(row("lambada_openai", "ppl")?.value == 38.37417395245214)
        #expect(row("lambada_openai", "ppl")?.stderr == 1.4212839218452876)
        #expect(row("lambada_openai", "acc")?.value == 0.3312633417426742)
        #expect(row("lambada_openai", "acc")?.stderr == 0.0065569414451508)
        #expect(row("arc_easy", "acc")?.value == 0.4368686868686869)
        #expect(row("arc_easy", "acc_norm")?.value == 0.3926767676767677)
        #expect(row("arc_easy", "acc_norm")?.stderr == 0.01002064706811417)
        #expect(dataset.counts.allSatisfy { $0 == nil }, "n is never inferred from acc and stderr")
        #expect(Set(dataset.metrics) == ["ppl", "acc", "acc_norm"])
        // Each row points at its member's line in the file.
        let row = try #require(dataset.observations.firstIndex { $0.task == "arc_easy" && $0.metric == "acc" })
        let origin = try #require(dataset.origins[row])
        #expect(origin.line == 10)
        #expect(origin.column == "results.arc_easy.acc")
    }

    @Test("a model directory renames the harness's model and attaches its sizes")
    func directoryResolvesModel() throws {
        let directory = try ModelMetadataReader.read(ImportFixtures.input("metadata.csv"))
        let dataset = try importFixture("lmeval_old_layout.json", directory: directory)
        let model = try #require(dataset.models.first)
        #expect(dataset.models.count == 1)
        #expect(model.key == ModelKey(name: "pythia-160m", step: 3000))
        #expect(model.params == 162_322_944)
        #expect(model.tokens == 6_291_456_000)
        #expect(model.family == "pythia")
    }

    @Test("new layout: filters, N/A stderr, n-shot, configs, n-samples, groups")
    func newLayout() throws {
        let dataset = try importFixture("lmeval_new_layout.json")
        let model = ModelKey(name: "EleutherAI/pythia-410m", step: 100_000)
        #expect(dataset.models.map(\.key) == [model])
        let rows = ImportFixtures.byKey(dataset)
        func row(_ task: String, _ metric: String, shots: Int?) -> Observation? {
            rows[ObservationKey(model: model, task: task, metric: metric, shots: shots, seed: nil)]
        }
        let acc = try #require(row("arc_easy", "acc", shots: 0))
        #expect(acc.value == 0.5858585858585859)
        #expect(acc.stderr == 0.010107387673002531)
        #expect(acc.n == 2376)
        #expect(row("arc_easy", "acc_norm", shots: 0)?.value == 0.5265151515151515)

        let strict = try #require(row("gsm8k", "exact_match,strict-match", shots: 5))
        #expect(strict.value == 0.02)
        #expect(strict.stderr == 0.014070529413628952)
        #expect(strict.n == 100, "n is n-samples.effective when a limit was set")
        let flexible = try #require(row("gsm8k", "exact_match,flexible-extract", shots: 5))
        #expect(flexible.value == 0.03)
        #expect(flexible.stderr == nil, "\"N/A\" stderr is unknown")

        let piqa = try #require(row("piqa", "acc", shots: 2), "shots fall back to configs.piqa.num_fewshot")
        #expect(piqa.stderr == nil)
        #expect(piqa.n == 1838, "n falls back to n-samples.original")

        let group = try #require(row("mmlu", "acc", shots: nil), "a group with metrics is a task; no n-shot, config or num_fewshot for it")
        #expect(group.value == 0.2529554194559179)
        #expect(group.n == nil)
        #expect(row("mmlu_formal_logic", "acc", shots: 0)?.value == 0.2777777777777778)

        #expect(dataset.index(ofTask: "mmlu_humanities") == nil, "a group header with no numeric value is skipped")
        #expect(dataset.index(ofMetric: "sample_len") == nil, "bookkeeping members are not metrics")
        #expect(dataset.index(ofMetric: "alias") == nil)
        #expect(!dataset.metrics.contains { $0.contains("stderr") })
        #expect(dataset.count == 7)
    }

    @Test("model name: model_args as an object, model= and config.model as fallbacks; step only from revision=stepN")
    func modelNameFallbacks() throws {
        func model(_ document: String) throws -> ModelKey {
            var builder = DatasetBuilder()
            let input = InputFile(path: "inline.json", bytes: Array(document.utf8))
            try Importer.read(input, format: .lmEval, into: &builder)
            return try #require(try builder.build().models.first).key
        }
        let results = #""results": {"t": {"acc,none": 0.5}}"#
        #expect(try model(#"{\#(results), "config": {"model": "hf", "model_args": {"pretrained": "org/m-1b", "revision": "main"}}}"#)
                == ModelKey(name: "org/m-1b", step: nil))
        #expect(try model(#"{\#(results), "config": {"model": "hf", "model_args": {"pretrained": "org/m-1b", "revision": "step2000"}}}"#)
                == ModelKey(name: "org/m-1b", step: 2000))
        #expect(try model(#"{\#(results), "config": {"model": "openai-completions", "model_args": "model=davinci-002"}}"#)
                == ModelKey(name: "davinci-002"))
        #expect(try model(#"{\#(results), "config": {"model": "dummy", "model_args": ""}}"#) == ModelKey(name: "dummy"))
        #expect(try model(#"{\#(results), "model_name": "", "config": {"model_args": "use_accelerate=True,pretrained=a/b,revision=step7"}}"#)
                == ModelKey(name: "a/b", step: 7))
    }

    @Test("checkpoint steps are the digits after 'step' in a revision")
    func checkpointSteps() {
        #expect(LMEvalImporter.checkpointStep("step143000") == 143_000)
        #expect(LMEvalImporter.checkpointStep("Step12-tokens") == 12)
        #expect(LMEvalImporter.checkpointStep("step") == nil)
        #expect(LMEvalImporter.checkpointStep("main") == nil)
        #expect(LMEvalImporter.checkpointStep("v1.1") == nil)
    }

    @Test("NaN values and infinite stderrs are reported with task, key and line; the rest is checked too")
    func nonFiniteValues() throws {
        var builder = DatasetBuilder()
        try Importer.read(ImportFixtures.input("lmeval_nonfinite.json"), into: &builder)
        let problems = ImportFixtures.buildProblems(builder)
        #expect(problems.count == 2)
        let value = try #require(problems.first { $0.location.line == 5 })
        #expect(value.location.column == "results.arc_easy.acc,none")
        #expect(value.message.contains("arc_easy") && value.message.contains("'acc,none'") && value.message.contains("NaN"))
        let stderr = try #require(problems.first { $0.location.line == 8 })
        #expect(stderr.message.contains("acc_norm_stderr,none") && stderr.message.contains("Infinity"))
    }

    @Test("a file without results cannot be read, with a message saying what it needs")
    func missingResults() throws {
        var builder = DatasetBuilder()
        let input = try ImportFixtures.input("lmeval_no_results.json")
        let forced = #expect(throws: DataError.self) { try Importer.read(input, format: .lmEval, into: &builder) }
        #expect(forced?.problems.first?.message.contains("\"results\"") == true)
        let detected = #expect(throws: DataError.self) { try Importer.read(input, into: &builder) }
        #expect(detected?.problems.first?.message.contains("neither an lm-evaluation-harness results file") == true)
    }

    @Test("results with no numeric metric at all are an error")
    func noNumericMetric() throws {
        var builder = DatasetBuilder()
        let document = #"{"results": {"mmlu": {"alias": "mmlu", "acc,none": "N/A", "acc_stderr,none": 0.1}}, "config": {"model": "hf", "model_args": "pretrained=x"}}"#
        let input = InputFile(path: "groups-only.json", bytes: Array(document.utf8))
        let error = #expect(throws: DataError.self) { try Importer.read(input, into: &builder) }
        #expect(error?.problems.first?.message.contains("no numeric metric") == true)
    }

    @Test("a truncated file is a DataError at the line and column where it ends")
    func truncatedFile() throws {
        var builder = DatasetBuilder()
        let input = try ImportFixtures.input("lmeval_truncated.json")
        let error = #expect(throws: DataError.self) { try Importer.read(input, format: .lmEval, into: &builder) }
        let problem = try #require(error?.problems.first)
        #expect(problem.location.line == 6)
        #expect(problem.location.column == "character 1")
        #expect(problem.message.contains("truncated"))
    }

    @Test("the same results imported twice are duplicates, reported with both places")
    func duplicateAcrossFiles() throws {
        var builder = DatasetBuilder()
        try Importer.read(ImportFixtures.input("lmeval_old_layout.json"), into: &builder)
        try Importer.read(ImportFixtures.input("lmeval_old_layout.json"), into: &builder)
        let problems = ImportFixtures.buildProblems(builder)
        #expect(problems.count == 4)
        #expect(problems.allSatisfy { $0.message.contains("duplicate of") })
    }

    // MARK: - Real data

    /// THE acceptance test of the lm-eval importer: the 16 unmodified harness files of
    /// `shared/data/lm_eval_pythia/`, given sizes by a metadata file built from
    /// `pythia_final_0shot.csv`, reproduce every row of that table.
    @Test("lm_eval_pythia/*.json + metadata reproduce pythia_final_0shot.csv",
          .enabled(if: ImportFixtures.sharedData != nil, "skipped: ../shared/data is not next to the package"))
    func pythiaHarnessFilesReproduceTheTable() throws {
        let data = try #require(ImportFixtures.sharedData)

        // The table, read with the project's own tidy CSV reader.
        var tableBuilder = DatasetBuilder()
        try Importer.read(InputFile(path: data + "/pythia_final_0shot.csv"), into: &tableBuilder)
        let table = try tableBuilder.build()
        #expect(table.count == 2580)
        #expect(table.models.count == 15)

        // A metadata file with one row per model; its alias is the name the harness files use.
        var csv = ["model,family,variant,deduped,params,params_nonembedding,step,tokens,flops,aliases"]
        for model in table.models {
            let size = model.name.dropFirst("pythia-".count)
            let fields: [String] = [
                model.name, model.family ?? "", model.labels["variant"] ?? "",
                model.attributes["deduped"].map(format) ?? "", model.params.map(format) ?? "",
                model.nonEmbeddingParams.map(format) ?? "", model.step.map(String.init) ?? "",
                model.tokens.map(format) ?? "", model.flops.map(format) ?? "", "pythia-v1.1-\(size)",
            ]
            csv.append(fields.joined(separator: ","))
        }
        let folder = try ImportFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let metadataPath = folder.appendingPathComponent("pythia-models.csv").path
        try csv.joined(separator: "\n").write(toFile: metadataPath, atomically: true, encoding: .utf8)
        let directory = try ModelMetadataReader.read(InputFile(path: metadataPath))
        #expect(directory.entries.count == 15)

        // The harness files.
        let folderOfFiles = data + "/lm_eval_pythia"
        let files = try FileManager.default.contentsOfDirectory(atPath: folderOfFiles).filter { $0.hasSuffix(".json") }.sorted()
        #expect(files.count == 16)
        var builder = DatasetBuilder(directory: directory)
        for file in files {
            let format = try Importer.read(InputFile(path: folderOfFiles + "/" + file), into: &builder)
            #expect(format == .lmEval, "\(file)")
        }
        let harness = try builder.build()
        let harnessRows = ImportFixtures.byKey(harness)

        // Every table row, reproduced: same model (canonical name, step 143000, sizes), task,
        // metric, shots 0; value and stderr from the same decimal text, hence bit-equal (checked
        // with a 1e-12 relative tolerance, and for exact equality).
        var missing: [ObservationKey] = []
        var differing: [ObservationKey] = []
        var notBitEqual = 0
        for observation in table.observations {
            #expect(observation.model.step == 143_000 && observation.shots == 0)
            guard let reproduced = harnessRows[observation.key] else {
                missing.append(observation.key)
                continue
            }
            let stderrClose = observation.stderr.map { relativelyClose(reproduced.stderr, $0) } ?? (reproduced.stderr == nil)
            if !relativelyClose(reproduced.value, observation.value) || !stderrClose { differing.append(observation.key) }
            if reproduced.value != observation.value || reproduced.stderr != observation.stderr { notBitEqual += 1 }
        }
        #expect(missing.isEmpty, "rows of the table the harness files did not reproduce: \(missing.prefix(5))")
        #expect(differing.isEmpty, "rows whose value or stderr differ: \(differing.prefix(5))")
        #expect(notBitEqual == 0)

        for model in table.models {
            let index = try #require(harness.index(of: model.key), "model \(model.key) missing from the harness import")
            let imported = harness.models[index]
            #expect(imported.params == model.params && imported.tokens == model.tokens, "\(model.key)")
            #expect(imported == model, "the directory gives the harness's model the table's full description")
        }

        // pythia-1b-bf16 has no row in the table and no metadata: it keeps the harness's name.
        let extra = harness.models.filter { table.index(of: $0.key) == nil }
        #expect(extra.map(\.key) == [ModelKey(name: "EleutherAI/pythia-v1.1-1b-bf16", step: 143_000)])
        #expect(extra.first?.params == nil)
        let extraRows = harness.rowsByModel[try #require(harness.index(of: extra[0].key))]
        #expect(extraRows.count == 172)
        #expect(Set(extraRows.map { harness.taskIndex[Int($0)] }).count == 87)
        #expect(harness.count == table.count + 172)
    }
}
