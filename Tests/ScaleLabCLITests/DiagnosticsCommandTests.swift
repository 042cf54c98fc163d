import Foundation
import Testing
import ScaleLabTestSupport

/// `scalelab structure`, `seeds-needed` and `mirage` end to end, on data with planted structure.
@Suite struct DiagnosticsCommandTests {
    let folder = TemporaryFolder()
    let database: String

    /// 30 models of one family at log-spaced sizes 1e7…1e11, 1,000 items per task:
    /// - 3 skills × 4 tasks: y = 0.3 + 0.3·u + δ(skill, model) + ε, u the position in log x,
    ///   δ ~ ±0.05 shared by a skill's tasks, ε ~ ±0.015 (binomial at 1,000 items);
    /// - a block of 3 tasks at 0.25 until model 18, then 0.75 (the sha256^n pattern);
    /// - "guess": 0.25 + ε everywhere (needs --chance to be called at-chance).
    /// Pseudo-random draws come from a fixed linear congruential generator, so the data are fixed.
    init() throws {
        database = folder.path("planted.sqlite")
        var state: UInt64 = 12345
        func uniform() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53) * 2 - 1
        }
        var rows = ["model,family,params,task,metric,value,n"]
        for k in 0..<30 {
            let u = Double(k) / 29, params = pow(10, 7 + 4 * u)
            let deviations = (0..<3).map { _ in 0.05 * uniform() }
            for skill in 0..<3 {
                for task in 0..<4 {
                    rows.append("m\(k),ladder,\(params),skill\(skill)-\(task),acc,\(0.3 + 0.3 * u + deviations[skill] + 0.015 * uniform()),1000")
                }
            }
            for task in 0..<3 { rows.append("m\(k),ladder,\(params),block\(task),acc,\((k >= 18 ? 0.75 : 0.25) + 0.01 * uniform()),1000") }
            rows.append("m\(k),ladder,\(params),guess,acc,\(0.25 + 0.01 * uniform()),1000")
            rows.append("m\(k),ladder,\(params),guess,loss,\(2 - 0.1 * u),1000")
        }
        let result = try CLI.run(["import", folder.write("planted.csv", rows.joined(separator: "\n")), "--db", database, "--quiet"])
        precondition(result.status == 0, result.stderr)
    }

    private func json(_ text: String) -> [String: Any] { (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:] }

    @Test func structureFindsTheBlockAndTheClasses() throws {
        let result = try CLI.run(["structure", "--metric", "acc", "--chance", "guess=0.25", "--chance", "block*=0.25", "--bootstrap", "200",
                                  "--db", database, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let report = json(result.stdout)
        let overlap = report["overlap"] as? [String: Any] ?? [:]
        let groups = overlap["coEmerging"] as? [[String: Any]] ?? []
        #expect(groups.count == 1)
        let jumps = groups.first?["jumps"] as? [[String: Any]] ?? []
        #expect(Set(jumps.compactMap { $0["task"] as? String }) == ["block0", "block1", "block2"])
        #expect(groups.first?["lowerModel"] as? String == "m17" && groups.first?["upperModel"] as? String == "m18")
        // Independent skills with δ (sd ≈ 0.029) against ε (≈ 0.009) per task: tasks of one skill
        // correlate ≈ 0.9, so 16 tasks act like 3 skills + the block + guess (which is noise): the
        // estimate must sit well below 16 and its 95% interval above 1.
        let effective = overlap["effectiveTasks"] as? [String: Any] ?? [:]
        let estimate = effective["estimate"] as? Double ?? 0
        #expect(estimate > 2 && estimate < 9, "effective number \(estimate)")
        let clusters = overlap["clusters"] as? [[String: Any]] ?? []
        let skillClusters = clusters.compactMap { $0["tasks"] as? [String] }.filter { $0.allSatisfy { $0.hasPrefix("skill") } }
        #expect(skillClusters.map { Set($0.map { $0.prefix(6) }) }.allSatisfy { $0.count == 1 }, "a cluster mixes skills: \(skillClusters)")
        #expect(skillClusters.count == 3)

        let classes = report["classes"] as? [[String: Any]] ?? []
        var byTask: [String: String] = [:]
        for item in classes { byTask[item["task"] as? String ?? ""] = item["class"] as? String }
        #expect(byTask["guess"] == "at-chance")
        #expect((0..<3).filter { byTask["block\($0)"] == "emergent" }.count >= 2)
        #expect((0..<3).flatMap { s in (0..<4).map { "skill\(s)-\($0)" } }.filter { byTask[$0] == "smooth" }.count >= 11)
    }

    @Test func structureWithSeveralMetricsStillClassifiesAndSaysWhyNoOverlap() throws {
        let result = try CLI.run(["structure", "--task", "guess", "--db", database])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("overlap not analysed: the selection has 2 metrics"))
        #expect(result.stdout.contains("--metric"))
        #expect(result.stdout.contains("scaling classes of 2 curves"))
        // The falling loss is a smooth improvement, not inverse scaling.
        #expect(result.stdout.contains("guess") && result.stdout.range(of: #"loss.*smooth"#, options: .regularExpression) != nil)
    }

    @Test func structureRejectsAChanceLevelOutsideZeroOne() throws {
        let result = try CLI.run(["structure", "--chance", "guess=1.5", "--db", database])
        #expect(result.status != 0)
        #expect(result.stderr.contains("--chance 'guess=1.5'"))
    }

    @Test func seedsNeededPlansOnTheErrorRate() throws {
        let result = try CLI.run(["seeds-needed", "--task", "skill0-0", "--metric", "acc", "--tolerance", "0.05", "--simulations", "40",
                                  "--seeds", "1,4", "--db", database, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let report = json(result.stdout)
        let rows = report["rows"] as? [[String: Any]] ?? []
        #expect(rows.count >= 4)
        let everywhere = rows.filter { $0["design"] as? String == "everywhere" }
        let success = everywhere.compactMap { $0["success"] as? Double }
        #expect(success.count == 2 && success.allSatisfy { $0 >= 0 && $0 <= 1 })
        // Four seeds per scale cannot do worse than one beyond Monte-Carlo noise (40 simulations:
        // se ≤ 0.08; the draws are shared between designs, so 0.1 is generous).
        if success.count == 2 { #expect(success[1] >= success[0] - 0.1) }
        #expect((report["notes"] as? [String] ?? []).contains { $0.contains("error rate 1 − acc") })
    }

    @Test func seedsNeededNamesBadInput() throws {
        let result = try CLI.run(["seeds-needed", "--task", "skill0-0", "--metric", "acc", "--tolerance", "0", "--db", database])
        #expect(result.status != 0)
        #expect(result.stderr.contains("--tolerance must be a positive error"))
        let many = try CLI.run(["seeds-needed", "--metric", "acc", "--tolerance", "0.05", "--db", database])
        #expect(many.status == 1)
        #expect(many.stderr.contains("curves"))
    }

    @Test func mirageSaysWhatIsMissing() throws {
        let noItems = try CLI.run(["mirage", "--task", "guess", "--db", database])
        #expect(noItems.status == 1)
        #expect(noItems.stderr.contains("no per-item results"))
    }

    /// The real Inspect logs: two models with ten items each, accuracy only.
    @Test(.enabled(if: TestSupport.hasSharedData, "../shared/data is absent"))
    func mirageOnRealInspectLogs() throws {
        let logs = ["task-families-demo.small.json", "task-families-demo.medium.json"].compactMap { TestSupport.sharedFile("inspect_logs/" + $0) }
        guard logs.count == 2 else { return }
        let sizes = folder.write("sizes.csv", "model,params\nmockllm/small,1e8\nmockllm/medium,1e9\n")
        let db = folder.path("inspect.sqlite")
        let imported = try CLI.run(["import"] + logs + ["--models", sizes, "--db", db, "--quiet"])
        #expect(imported.status == 0, "\(imported.stderr)")
        let result = try CLI.run(["mirage", "--db", db, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let report = json(result.stdout)["report"] as? [String: Any] ?? [:]
        #expect(report["verdict"] as? String == "too-few-models")
        let resolution = report["resolution"] as? [String: Any] ?? [:]
        #expect(resolution["items"] as? Int == 10)
        // 0 of 10 correct bounds the true rate by 1 − 0.05^(1/10) = 0.2589 (95%).
        #expect(abs((resolution["zeroUpperBound95"] as? Double ?? 0) - 0.2589) < 1e-4)
    }
}
