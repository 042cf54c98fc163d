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
