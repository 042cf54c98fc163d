import Foundation
import ScaleLabTestSupport
import Testing

@Suite struct SimulateCommandTests {
    @Test func writesImportableFilesWithTheTruthAndIsDeterministic() throws {
        let folder = TemporaryFolder()
        let out = folder.path("sim")
        let result = try CLI.run(["simulate", "--family", "sum", "--models", "8", "--humans", "50", "--seed", "3", "--out", out],
                                 environment: ["COLUMNS": "200"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("sim-8") && result.stdout.contains("sum(1..1000000000000)"))
        let names = ["observations.csv", "item_results.csv", "human_runs.csv", "human_run_truth.csv", "truth.json"]
        let listing = try FileManager.default.contentsOfDirectory(atPath: out)
        #expect(Set(listing) == Set(names), "temporary files left behind: \(listing)")

        let observations = try String(contentsOfFile: out + "/observations.csv", encoding: .utf8).split(separator: "\n")
        #expect(observations.first == "model,family,params,task,metric,value,stderr,n,task_n")
        #expect(observations.count == 1 + 8 * 10)
        let runs = try String(contentsOfFile: out + "/human_runs.csv", encoding: .utf8).split(separator: "\n")
        #expect(runs.first == "task,participant,skills,timeout_seconds,completed,seconds,partial_score")
        #expect(runs.count == 1 + 50 * 10)
        let truth = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/truth.json"))) as? [String: Any]
        let ladder = try #require(truth?["ladder"] as? [String: Any])
        #expect((ladder["models"] as? [Any])?.count == 8)
        #expect((truth?["participants"] as? [Any])?.count == 50)

        let db = folder.path("db.sqlite")
        let imported = try CLI.run(["import", out + "/observations.csv", "--db", db])
        #expect(imported.status == 0, "\(imported.stderr)")
        let listed = try CLI.run(["list", "models", "--db", db, "--json"])
        #expect(listed.status == 0 && listed.stdout.contains("sim-1") && listed.stdout.contains("sim-8"))

        let again = folder.path("again")
        #expect(try CLI.run(["simulate", "--family", "sum", "--models", "8", "--humans", "50", "--seed", "3", "--out", again]).status == 0)
        for name in names {
            let first = try Data(contentsOf: URL(fileURLWithPath: out + "/" + name))
            let second = try Data(contentsOf: URL(fileURLWithPath: again + "/" + name))
            #expect(first == second, "\(name) differs between two runs with the same seed")
        }
    }

    @Test func helpHasExamplesAndBadInputIsExplained() throws {
        let help = try CLI.run(["simulate", "--help"])
        #expect(help.status == 0 && help.stdout.contains("Examples:") && help.stdout.contains("scalelab simulate --family"))
        let family = try CLI.run(["simulate", "--family", "sha512"])
        #expect(family.status != 0 && family.stderr.contains("unknown family 'sha512'") && family.stderr.contains("step-graph"))
        let models = try CLI.run(["simulate", "--family", "sha256", "--models", "1"])
        #expect(models.status != 0 && models.stderr.contains("--models"))
        let graph = try CLI.run(["simulate", "--family", "step-graph", "--models", "4", "--humans", "20", "--tasks", "5", "--seed", "2"])
        #expect(graph.status == 0, "\(graph.stderr)")
        #expect(graph.stdout.contains("step-graph-4"))
    }
}
