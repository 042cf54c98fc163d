import Foundation
import Testing
import ScaleLabTestSupport

/// The acceptance path of issue 3 on the real Pythia data in ../shared/data.
@Suite(.enabled(if: TestSupport.hasSharedData, "../shared/data is absent"))
struct RealDataTests {
    @Test func pythiaImportsListsAndRoundTrips() throws {
        guard let source = TestSupport.sharedFile("pythia_evals.csv") else { return }
        let folder = TemporaryFolder()
        let db = folder.path("pythia.sqlite")
        let imported = try CLI.run(["import", source, "--db", db, "--json", "--quiet"])
        #expect(imported.status == 0, "\(imported.stderr)")
        let report = try JSONSerialization.jsonObject(with: Data(imported.stdout.utf8)) as? [String: Any]
        let summary = report?["summary"] as? [String: Any]
        // shared/data/README.md: 98,460 rows, 15 models × 27 (0-shot) checkpoints, 87 tasks.
        #expect(summary?["observationsAdded"] as? Int == 98_460)
        #expect(report?["models"] as? Int == 405)
        #expect(report?["tasks"] as? Int == 87)

        let tasks = try CLI.run(["list", "tasks", "--db", db, "--json"])
        let taskRows = try JSONSerialization.jsonObject(with: Data(tasks.stdout.utf8)) as? [[String: Any]]
        #expect(taskRows?.count == 87)
        #expect(taskRows?.contains { $0["task"] as? String == "lambada_openai" } == true)

        let small = try CLI.run(["list", "models", "--db", db, "--where", "params<=3e9", "--where", "step=143000", "--json"])
        let smallRows = try JSONSerialization.jsonObject(with: Data(small.stdout.utf8)) as? [[String: Any]]
        #expect(smallRows?.count == 11)  // 70m, 160m, 410m, 1.4b, 2.8b × {standard, deduped}, and 1b-deduped (no standard 1b)

        // Export, re-import into a fresh database, export again: the same text.
        let first = folder.path("first.csv")
        #expect(try CLI.run(["export", "--csv", "-o", first, "--db", db]).status == 0)
        let db2 = folder.path("again.sqlite")
        let again = try CLI.run(["import", first, "--db", db2, "--quiet"])
        #expect(again.status == 0, "\(again.stderr)")
        let second = folder.path("second.csv")
        #expect(try CLI.run(["export", "--csv", "-o", second, "--db", db2]).status == 0)
        let firstText = try String(contentsOfFile: first, encoding: .utf8)
        #expect(firstText == (try String(contentsOfFile: second, encoding: .utf8)))

        // Every source row is in the export with the same numbers, bit for bit.
        func rows(_ path: String) throws -> [String: [String: String]] {
            let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").filter { !$0.hasPrefix("#") }
            let header = lines[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            var result: [String: [String: String]] = [:]
            for line in lines.dropFirst() {
                let cells = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                let row = Dictionary(uniqueKeysWithValues: zip(header, cells))
                result[[row["model"]!, row["step"]!, row["task"]!, row["metric"]!, row["shots"]!].joined(separator: "|")] = row
            }
            return result
        }
        let original = try rows(source)
        let exported = try rows(first)
        #expect(original.count == 98_460 && exported.count == 98_460)
        var mismatches = 0
        for (key, row) in original {
            guard let out = exported[key] else { mismatches += 1; continue }
            for column in ["value", "stderr", "params", "params_nonembedding", "tokens", "flops"] {
                let a = Double(row[column] ?? ""), b = Double(out[column] ?? "")
                if a?.bitPattern != b?.bitPattern { mismatches += 1 }
            }
            if row["n"] != out["n"] || Double(row["deduped"]!) != Double(out["deduped"] ?? "") || row["variant"] != out["variant"] {
                mismatches += 1
            }
        }
        #expect(mismatches == 0)

        // Re-importing the same file changes nothing.
        let twice = try CLI.run(["import", source, "--db", db, "--json", "--quiet"])
        let twiceSummary = (try JSONSerialization.jsonObject(with: Data(twice.stdout.utf8)) as? [String: Any])?["summary"] as? [String: Any]
        #expect(twiceSummary?["observationsUnchanged"] as? Int == 98_460)
        #expect(twiceSummary?["observationsAdded"] as? Int == 0)
    }
}

/// Harness logs carry no sizes: `--models` attaches them through aliases.
@Suite(.enabled(if: TestSupport.hasSharedData, "../shared/data is absent"))
struct HarnessImportTests {
    @Test func lmEvalFilesWithModelMetadata() throws {
        let folder = TemporaryFolder()
        let sizes = ["70m": 70_426_624, "160m": 162_322_944, "410m": 405_334_016, "1b": 1_011_781_632,
                     "1.4b": 1_414_647_808, "2.8b": 2_775_208_960, "6.9b": 6_857_302_016, "12b": 11_846_072_320]
        var meta = "model,aliases,params,tokens,family\n"
        for (size, params) in sizes {
            for suffix in ["", "-deduped"] {
                meta += "pythia-\(size)\(suffix),pythia-v1.1-\(size)\(suffix),\(params),299892736000,pythia\n"
            }
        }
        let metaPath = folder.write("sizes.csv", meta)
        let logs = try FileManager.default.contentsOfDirectory(atPath: TestSupport.sharedData.appendingPathComponent("lm_eval_pythia").path)
            .filter { $0.hasSuffix(".json") }.sorted()
            .map { TestSupport.sharedData.appendingPathComponent("lm_eval_pythia/\($0)").path }
        #expect(logs.count == 16)
        let db = folder.path("db.sqlite")
        let imported = try CLI.run(["import"] + logs + ["--models", metaPath, "--db", db, "--quiet"])
        #expect(imported.status == 0, "\(imported.stderr)")
        // The bf16 run has no metadata row, so the import names it and says it has no size.
        #expect(imported.stderr.contains("1 model has no size (EleutherAI/pythia-v1.1-1b-bf16@143000)"))
        let listed = try CLI.run(["list", "models", "--db", db, "--json"])
        let models = try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]] ?? []
        #expect(models.count == 16)
        let small = models.first { $0["model"] as? String == "pythia-70m" }
        #expect(small?["params"] as? Double == 70_426_624)
        #expect(small?["step"] as? Int == 143_000)
        #expect(small?["flopsDerived"] as? Bool == true)
        #expect(small?["observations"] as? Int == 172)

        // The same values as the tidy file for the same model, task and metric.
        let exported = try CLI.run(["export", "--json", "--model", "pythia-410m", "--task", "lambada_openai", "--metric", "acc", "--db", db])
        let rows = try JSONSerialization.jsonObject(with: Data(exported.stdout.utf8)) as? [[String: Any]]
        #expect(rows?.count == 1)
        // pythia_final_0shot.csv: pythia-410m lambada_openai acc = 0.5161 (README: 0.516).
        #expect(abs((rows?.first?["value"] as? Double ?? 0) - 0.516) < 5e-4)
    }

    @Test func inspectLogsWithYAMLMetadata() throws {
        let folder = TemporaryFolder()
        let meta = folder.write("mock.yaml", """
            mockllm/small: {params: 1e8, tokens: 2e10}
            mockllm/medium: {params: 1e9, tokens: 2e10}
            """)
        let logs = ["small", "medium"].map { TestSupport.sharedData.appendingPathComponent("inspect_logs/task-families-demo.\($0).json").path }
        let db = folder.path("db.sqlite")
        let imported = try CLI.run(["import"] + logs + ["--models", meta, "--db", db, "--json", "--quiet"])
        #expect(imported.status == 0, "\(imported.stderr)")
        let report = try JSONSerialization.jsonObject(with: Data(imported.stdout.utf8)) as? [String: Any]
        #expect(report?["itemResults"] as? Int == 20)
        let exported = try CLI.run(["export", "--json", "--metric", "accuracy", "--db", db])
        let rows = try JSONSerialization.jsonObject(with: Data(exported.stdout.utf8)) as? [[String: Any]] ?? []
        let accuracy = Dictionary(uniqueKeysWithValues: rows.map { ($0["model"] as? String ?? "", $0["value"] as? Double ?? -1) })
        // shared/data/README.md: small answers 3 of 10, medium 6 of 10.
        #expect(accuracy == ["mockllm/small": 0.3, "mockllm/medium": 0.6])
        #expect(rows.allSatisfy { $0["n"] as? Int == 10 && $0["params"] != nil })
    }
}
