import Foundation
import Testing
import ScaleLabTestSupport

/// `scalelab predict --all-tasks --stack` on a suite of tasks with known, shared structure.
@Suite struct PredictStackCommandTests {
    let folder = TemporaryFolder()
    let database: String

    /// Six tasks, each y = c − a·N^−0.3 exactly (c and a differ per task), on 8 sizes from 1e8 to
    /// 1e10: every member of the stack is fitted on noise-free curves, so the law is exact and the
    /// inner backtest gives it all the weight.
    init() throws {
        database = folder.path("stack.sqlite")
        var rows = ["model,task,metric,value,params"]
        for index in 0..<8 {
            let n = pow(10, 8 + 2 * Double(index) / 7)
            for task in 0..<6 {
                let c = 0.6 + 0.05 * Double(task), a = 20 + 5 * Double(task)
                rows.append("m\(index),t\(task),acc,\(c - a * pow(n, -0.3)),\(n)")
            }
        }
        let file = folder.write("stack.csv", rows.joined(separator: "\n"))
        let result = try CLI.run(["import", file, "--db", database, "--quiet"])
        precondition(result.status == 0, result.stderr)
    }

    @Test func stackingAnExactLawKeepsTheLaw() throws {
        let result = try CLI.run(["predict", "--metric", "acc", "--all-tasks", "--stack", "--at", "1e11", "--law", "saturating",
                                  "--bootstrap", "20", "--db", database, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("--stack: acc: weights law 1.0"))
        let reports = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]] ?? []
        #expect(reports.count == 6)
        for (task, report) in reports.enumerated() {
            let stacking = report["stacking"] as? [String: Any]
            let weights = stacking?["weights"] as? [String: Double] ?? [:]
            #expect(abs(weights.values.reduce(0, +) - 1) < 1e-9)
            let point = ((report["forecast"] as? [String: Any])?["points"] as? [[String: Any]])?.first ?? [:]
            let name = report["task"] as? String ?? ""
            let index = Double(Int(name.dropFirst()) ?? task)
            let truth = 0.6 + 0.05 * index - (20 + 5 * index) * pow(1e11, -0.3)
            // A noise-free law refitted on 8 points extrapolates a decade to ~1e-6; 1e-4 leaves room.
            #expect(abs((point["estimate"] as? Double ?? 0) - truth) < 1e-4, "\(name)")
        }
    }

    @Test func stackNeedsSeveralTasks() throws {
        let result = try CLI.run(["predict", "--task", "t0", "--metric", "acc", "--stack", "--at", "1e11", "--db", database])
        #expect(result.status == 1)
        #expect(result.stderr.contains("--stack combines the forecasts of several tasks"))
    }
}
