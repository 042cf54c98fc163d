import Foundation
import Testing
import ScaleLabTestSupport

/// `scalelab backtest --per-family`, `--checkpoints` and `--law two-step --via`, end to end on
/// noiseless ladders with known truth.
@Suite struct BacktestModesCommandTests {
    let folder = TemporaryFolder()

    func importing(_ name: String, _ rows: [String]) throws -> String {
        let db = folder.path("\(name).sqlite")
        let file = folder.write("\(name).csv", rows.joined(separator: "\n"))
        let result = try CLI.run(["import", file, "--db", db, "--quiet"])
        precondition(result.status == 0, result.stderr)
        return db
    }

    func json(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
        let result = try CLI.run(["backtest"] + arguments + ["--json"])
        #expect(result.status == 0, "\(result.stderr)", sourceLocation: sourceLocation)
        return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] ?? [:]
    }

    static func power(_ e: Double, _ a: Double, _ alpha: Double, _ x: Double) -> Double { e + a * pow(x, -alpha) }

    /// Family A: loss = 1.5 + 300·N^−0.3 at 7 sizes 1e7…1e10; B: 2 + 50·N^−0.2 at 6 sizes
    /// 2e7…3.2e10; C: 3 sizes (skipped at the default minimum of 4).
    func familyDatabase() throws -> String {
        var rows = ["model,family,task,metric,value,params"]
        for index in 0..<7 {
            let n = pow(10, 7 + 3 * Double(index) / 6)
            rows.append("a\(index),A,t1,loss,\(Self.power(1.5, 300, 0.3, n)),\(n)")
        }
        for index in 0..<6 {
            let n = 2 * pow(10, 7 + 3.2 * Double(index) / 5)
            rows.append("b\(index),B,t1,loss,\(Self.power(2, 50, 0.2, n)),\(n)")
        }
        for n in [3e7, 3e8, 3e9] { rows.append("c\(Int(log10(n))),C,t1,loss,\(Self.power(1.5, 300, 0.3, n) * 1.1),\(n)") }
        return try importing("families", rows)
    }

    @Test func perFamilyPredictsEachFamilysLargestModel() throws {
        let db = try familyDatabase()
        let report = try json(["--per-family", "--law", "power", "--bootstrap", "30", "--db", db])
        #expect(report["grouping"] as? String == "family")
        let skippedGroups = report["skippedGroups"] as? [[String: Any]] ?? []
        #expect(skippedGroups.compactMap { $0["group"] as? String } == ["C"])
        #expect(skippedGroups.first?["reason"] as? String == "3 distinct sizes, fewer than 4")
        let groups = report["groups"] as? [[String: Any]] ?? []
        #expect(groups.compactMap { $0["group"] as? String } == ["A", "B"])
        let power = (report["predictions"] as? [[String: Any]] ?? []).filter { $0["method"] as? String == "power" }
        #expect(power.count == 2)
        for prediction in power {
            let group = prediction["group"] as? String
            let x = prediction["x"] as? Double ?? .nan
            // Each family's own largest model, predicted within 1e-3 of its own law.
            #expect((prediction["model"] as? String)?.hasPrefix(group?.lowercased() ?? "?") == true)
            let truth = group == "A" ? Self.power(1.5, 300, 0.3, x) : Self.power(2, 50, 0.2, x)
            #expect(abs((prediction["predicted"] as? Double ?? .nan) - truth) < 1e-3)
            #expect(abs(x - (group == "A" ? 1e10 : 2 * pow(10, 10.2))) / x < 1e-9)
        }
        let summaries = report["summaries"] as? [[String: Any]] ?? []
        #expect((summaries.first { $0["method"] as? String == "power" }?["meanAbsoluteError"] as? Double ?? 1) < 1e-3)

        let text = try CLI.run(["backtest", "--per-family", "--law", "power", "--bootstrap", "30", "--db", db])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("per family (largest model held out)"))
        #expect(text.stdout.contains("1 family skipped") && text.stdout.contains("C: 3 distinct sizes, fewer than 4"))
        #expect(text.stderr.contains("[1/2] A:") && text.stderr.contains("[2/2] B:"))

        let csv = try CLI.run(["backtest", "--per-family", "--law", "power", "--bootstrap", "30", "--csv", "--db", db])
        let lines = csv.stdout.split(separator: "\n")
        #expect(lines.first?.hasPrefix("family,task,metric,method,model,") == true)
        #expect(lines.dropFirst().filter { $0.contains(",power,") }.count == 2)

        // A fixed origin within each family: A fits 5 sizes and predicts 3.16e9 and 1e10; B has
        // only 3 sizes up to 1.5e9, too few for the law, so it gets baselines for 1.66e9, 7.3e9
        // and 3.2e10 only.
        let fixed = try json(["--per-family", "--law", "power", "--train-max", "1.5e9", "--bootstrap", "30", "--db", db])
        let fixedPredictions = fixed["predictions"] as? [[String: Any]] ?? []
        let fixedPower = fixedPredictions.filter { $0["method"] as? String == "power" }
        #expect(fixedPower.count == 2 && fixedPower.allSatisfy { $0["group"] as? String == "A" })
        #expect(fixedPredictions.filter { $0["method"] as? String == "last-value" && $0["group"] as? String == "B" }.count == 3)

        let strict = try CLI.run(["backtest", "--per-family", "--min-family-size", "8", "--db", db])
        #expect(strict.status == 1 && strict.stderr.contains("nothing to backtest") && strict.stderr.contains("A (7 distinct sizes, fewer than 8)"))
    }

    @Test func checkpointsPredictTheFinalCheckpoint() throws {
        // Two runs, loss = E + A·step^−α, checkpoints at 0, 1000, 2000, …, 64000; tokens = 2e6·step.
        let laws = ["run-a": (2.2, 40.0, 0.45), "run-b": (1.9, 15.0, 0.3)]
        var rows = ["model,step,tokens,task,metric,value"]
        for (run, law) in laws.sorted(by: { $0.key < $1.key }) {
            for step in [0] + (0..<7).map({ 1000 << $0 }) {
                let value = step == 0 ? 11 : Self.power(law.0, law.1, law.2, Double(step))
                rows.append("\(run),\(step),\(2e6 * Double(step)),pile,loss,\(value)")
            }
        }
        let db = try importing("checkpoints", rows)
        for axis in ["step", "tokens"] {
            let result = try CLI.run(["backtest", "--checkpoints", "--law", "power", "--bootstrap", "30", "--x", axis, "--json", "--db", db])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stderr.contains("dropped 2 points at \(axis) ≤ 0"))
            let report = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] ?? [:]
            #expect(report["grouping"] as? String == "checkpoints" && report["droppedNonPositive"] as? Int == 2)
            let power = (report["predictions"] as? [[String: Any]] ?? []).filter { $0["method"] as? String == "power" }
            #expect(power.compactMap { $0["model"] as? String }.sorted() == ["run-a@64000", "run-b@64000"])
            for prediction in power {
                let law = laws[prediction["group"] as? String ?? ""] ?? (0, 0, 0)
                let truth = Self.power(law.0, law.1, law.2, 64000)
                #expect(abs((prediction["predicted"] as? Double ?? .nan) - truth) < 1e-3, "\(axis): \(prediction)")
            }
        }
        // x defaults to the step in checkpoint mode.
        let text = try CLI.run(["backtest", "--checkpoints", "--law", "power", "--bootstrap", "30", "--db", db])
        #expect(text.status == 0 && text.stdout.contains("per run (largest checkpoint held out)"))
        #expect(text.stdout.contains("run-a") && text.stdout.contains("run-b"))
    }

    @Test func twoStepIsScoredNextToTheDirectLaws() throws {
        // bpb = 1.8 + 400·N^−0.3, acc = 0.25 + 0.6/(1 + exp(3·(bpb − 3))) on 10 sizes; `quiz` has no bpb.
        var rows = ["model,task,metric,value,params"]
        for index in 0..<10 {
            let n = pow(10, 7 + Double(index) / 3)
            let bpb = Self.power(1.8, 400, 0.3, n)
            rows.append("m\(index),cloze,acc,\(0.25 + 0.6 / (1 + exp(3 * (bpb - 3)))),\(n)")
            rows.append("m\(index),cloze,bpb,\(bpb),\(n)")
            rows.append("m\(index),quiz,acc,\(0.3 + 0.02 * log10(n)),\(n)")
        }
        let db = try importing("twostep", rows)
        let arguments = ["--law", "two-step", "--law", "power", "--via", "bpb", "--metric", "acc", "--train-max", "1.5e9", "--bootstrap", "30", "--db", db]
        let report = try json(arguments)
        let summaries = report["summaries"] as? [[String: Any]] ?? []
        let methods = Set(summaries.compactMap { $0["method"] as? String })
        #expect(methods.isSuperset(of: ["two-step(via bpb)", "power", "last-value", "linear-log-x"]))
        let twoStep = (report["predictions"] as? [[String: Any]] ?? []).filter { $0["method"] as? String == "two-step(via bpb)" }
        #expect(twoStep.count == 3)  // 2.15e9, 4.6e9, 1e10
        for prediction in twoStep {
            let bpb = Self.power(1.8, 400, 0.3, prediction["x"] as? Double ?? .nan)
            let truth = 0.25 + 0.6 / (1 + exp(3 * (bpb - 3)))
            #expect(abs((prediction["predicted"] as? Double ?? .nan) - truth) < 5e-3)
        }
        #expect((report["skipped"] as? [String] ?? []).contains { $0.hasPrefix("quiz acc: no 'bpb' scores") })
        // Only cloze/acc is scored: bpb is the intermediate, quiz has no bpb.
        #expect((report["predictions"] as? [[String: Any]] ?? []).allSatisfy { $0["task"] as? String == "cloze" && $0["metric"] as? String == "acc" })

        let text = try CLI.run(["backtest"] + arguments)
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("two-step(via bpb)") && text.stdout.contains("1 curve without 'bpb' skipped (no two-step law): quiz/acc"))
        let csv = try CLI.run(["backtest"] + arguments + ["--csv"])
        #expect(csv.stdout.split(separator: "\n").filter { $0.contains(",two-step(via bpb),") }.count == 3)

        let missingVia = try CLI.run(["backtest", "--law", "two-step", "--db", db])
        #expect(missingVia.status == 1 && missingVia.stderr.contains("--law two-step needs --via"))
        let strayVia = try CLI.run(["backtest", "--via", "bpb", "--db", db])
        #expect(strayVia.status == 1 && strayVia.stderr.contains("--via bpb goes with --law two-step"))
        let noSuchVia = try CLI.run(["backtest", "--law", "two-step", "--via", "ppl", "--db", db])
        #expect(noSuchVia.status == 1 && noSuchVia.stderr.contains("--via ppl: no metric 'ppl' in the database"), "\(noSuchVia.stderr)")
        let both = try CLI.run(["backtest", "--per-family", "--checkpoints", "--db", db])
        #expect(both.status == 1 && both.stderr.contains("choose one of --per-family and --checkpoints"))
        let stray = try CLI.run(["backtest", "--min-family-size", "5", "--db", db])
        #expect(stray.status == 1 && stray.stderr.contains("--min-family-size applies with --per-family or --checkpoints"))
    }
}

/// `--per-family` on the observational-scaling data (Ruan et al. 2024): each family's largest
/// model predicted from its smaller siblings on the benchmark scores.
@Suite(.enabled(if: TestSupport.hasSharedData, "../shared/data is absent"))
struct BacktestModesObsScalingCommandTests {
    @Test func perFamilyOnObsScaling() throws {
        let folder = TemporaryFolder()
        guard let db = try CLI.database(importing: "obsscaling.csv", in: folder) else { return }
        let result = try CLI.run(["backtest", "--per-family", "--metric", "score", "--where", "moe=0", "--bootstrap", "50", "--json", "--db", db])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] ?? [:]
        let summaries = report["summaries"] as? [[String: Any]] ?? []
        let groups = report["groups"] as? [[String: Any]] ?? []
        let skippedGroups = report["skippedGroups"] as? [[String: Any]] ?? []
        print("obsscaling --per-family, metric score, moe=0: \(groups.count) families backtested, \(skippedGroups.count) skipped")
        for summary in summaries {
            let coverage = (summary["coverage"] as? [[String: Any]] ?? []).map {
                String(format: "cover%.0f %.3f", ($0["level"] as? Double ?? 0) * 100, $0["lower"] as? Double ?? .nan)
            }
            print(String(format: "pooled %-16@ n %4d  MAE %.4f  rel %.4f", (summary["method"] as? String ?? "?") as NSString,
                         summary["predictions"] as? Int ?? 0, summary["meanAbsoluteError"] as? Double ?? .nan,
                         summary["meanRelativeError"] as? Double ?? .nan), coverage.joined(separator: " "))
        }
        for group in groups {
            let auto = (group["summaries"] as? [[String: Any]] ?? []).first { $0["method"] as? String == "auto" }
            print("  \(group["group"] as? String ?? "?") (\(group["distinctX"] as? Int ?? 0) sizes): auto MAE",
                  auto.map { String(format: "%.4f", $0["meanAbsoluteError"] as? Double ?? .nan) } ?? "—")
        }
        let names = groups.compactMap { $0["group"] as? String }
        // Families with at least 6 dense sizes, where a law can be fitted after holding one out.
        #expect(Set(["OPT", "Pythia", "Qwen1.5"]).isSubset(of: names))
        #expect(skippedGroups.allSatisfy { ($0["reason"] as? String)?.contains("fewer than 4") == true })
        let predictions = report["predictions"] as? [[String: Any]] ?? []
        // One origin per family and task: each family's largest model is what is predicted.
        var origins: [String: Set<Double>] = [:]
        for p in predictions { origins["\(p["group"] ?? "")|\(p["task"] ?? "")", default: []].insert(p["origin"] as? Double ?? .nan) }
        #expect(origins.values.allSatisfy { $0.count == 1 })
        #expect(predictions.allSatisfy { ($0["x"] as? Double ?? 0) > ($0["origin"] as? Double ?? .infinity) })
        let auto = summaries.first { $0["method"] as? String == "auto" }
        #expect((auto?["predictions"] as? Int ?? 0) > 0)
        #expect((auto?["meanAbsoluteError"] as? Double ?? 1) < 0.1)
    }
}
