import Foundation
import Testing
import ScaleLabTestSupport

/// `scalelab predict/fit/backtest --law two-step` end to end on a ladder with known truth laid out
/// like the OLMo one: runs of 190M–1.3B at 1, 2, 5 and 10× Chinchilla tokens, 6 checkpoints each
/// (model = run, step = checkpoint, params and tokens on every row); bpb = 0.8 + 250/N^0.34 +
/// 260/D^0.28 (a Chinchilla law in bits per byte) and acc = 0.25 + 0.7/(1 + exp(6·(bpb − 1.12))),
/// noise-free, plus a 7B and a 13B run to hold out.
@Suite struct LadderCommandTests {
    let folder = TemporaryFolder()
    let database: String

    static func bpb(_ n: Double, _ d: Double) -> Double { 0.8 + 250 / pow(n, 0.34) + 260 / pow(d, 0.28) }
    static func acc(_ l: Double) -> Double { 0.25 + 0.7 / (1 + exp(6 * (l - 1.12))) }

    init() throws {
        database = folder.path("ladder.sqlite")
        var rows = ["model,step,family,params,tokens,task,metric,value,chance"]
        for n in [190e6, 370e6, 760e6, 1.3e9, 7e9, 13e9] {
            for m in n > 2e9 ? [1.0] : [1.0, 2, 5, 10] {
                let d = 20 * n * m
                for k in 0...6 {
                    let tokens = d * Double(k) / 6, step = k * 1000
                    let name = "run-\(Int(n / 1e6))m-\(Int(m))x"
                    let l = k == 0 ? 3.0 : Self.bpb(n, tokens)
                    rows.append("\(name),\(step),ladder,\(n),\(tokens),hellaswag,bpb,\(l),0.25")
                    rows.append("\(name),\(step),ladder,\(n),\(tokens),hellaswag,acc,\(Self.acc(l)),0.25")
                }
            }
        }
        let file = folder.write("ladder.csv", rows.joined(separator: "\n"))
        let result = try CLI.run(["import", file, "--db", database, "--quiet"])
        precondition(result.status == 0, result.stderr)
    }

    @Test func predictRecoversTheTargetsThroughBothStages() throws {
        let result = try CLI.run(["predict", "--task", "hellaswag", "--metric", "acc", "--law", "two-step", "--via", "bpb",
                                  "--where", "params<2e9", "--at", "params=7e9,tokens=1.4e11", "--at", "params=13e9,tokens=2.6e11",
                                  "--bootstrap", "60", "--db", database, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        // Step 0 (zero tokens) is left out and said so.
        #expect(result.stderr.contains("untrained checkpoint"))
        let fit = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] ?? [:]
        #expect((fit["link"] as? [String: Any])?["form"] as? String == "sigmoid")
        let points = fit["points"] as? [[String: Any]] ?? []
        #expect(points.count == 2)
        for (point, (n, d)) in zip(points, [(7e9, 1.4e11), (13e9, 2.6e11)]) {
            let truthVia = Self.bpb(n, d), truth = Self.acc(truthVia)
            // Noise-free data from the law's own family: stage 1 within 1% and the score within
            // 0.02 (the sigmoid's slope at the target is ≤ 1.05 per bit, so 1% of bpb moves it ≤ 0.012).
            let via = point["via"] as? Double ?? 0, estimate = point["estimate"] as? Double ?? 0
            #expect(abs(via / truthVia - 1) < 0.01, "stage 1 \(via) vs \(truthVia)")
            #expect(abs(estimate - truth) < 0.02, "score \(estimate) vs \(truth)")
            let intervals = point["intervals"] as? [[String: Any]] ?? []
            let i95 = intervals.first { ($0["level"] as? Double) == 0.95 }
            let lower = i95?["lower"] as? Double ?? 1, upper = i95?["upper"] as? Double ?? 0
            #expect(lower <= truth + 0.005 && truth - 0.005 <= upper, "truth \(truth) outside [\(lower), \(upper)]")
            #expect(lower >= 0 && upper <= 1)
        }
    }

    @Test func backtestScoresTheMethodsSideBySide() throws {
        let result = try CLI.run(["backtest", "--task", "hellaswag", "--metric", "acc", "--law", "two-step", "--via", "bpb",
                                  "--train-max", "2e9", "--bootstrap", "20", "--db", database, "--csv"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.contains("via_observed,via_predicted,link") == true)
        let methods = Set(lines.dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false)[7] })
        for method in ["two-step", "two-step-sigmoid", "compute-sigmoid", "direct-auto", "last-value", "two-step+direct", "auto"] {
            #expect(methods.contains(Substring(method)), "\(method) missing from \(methods)")
        }
        // Two runs held out, one prediction each per method.
        #expect(lines.dropFirst().filter { $0.contains(",two-step,") }.count == 2)
    }

    @Test func reportDrawsBothStages() throws {
        let out = folder.path("report")
        let result = try CLI.run(["report", "--db", database, "--out", out, "--bootstrap", "20", "--format", "svg", "--quiet"])
        #expect(result.status == 0, "\(result.stderr)")
        let html = try String(contentsOfFile: out + "/report.html", encoding: .utf8)
        #expect(html.contains("Two-step law on the ladder"))
        #expect(html.contains("Two-step through bpb"))
        let charts = try FileManager.default.contentsOfDirectory(atPath: out).filter { $0.hasPrefix("ladder-") && $0.hasSuffix(".svg") }
        #expect(charts.count == 2, "stage 1 and stage 2 charts: \(charts)")
        let stage2 = try String(contentsOfFile: out + "/" + charts.sorted().last!, encoding: .utf8)
        #expect(stage2.contains("Stage 2") && stage2.contains("sigmoid link"))
    }

    @Test func stageOneOnEveryCheckpoint() throws {
        let result = try CLI.run(["predict", "--task", "hellaswag", "--metric", "acc", "--law", "two-step", "--via", "bpb",
                                  "--where", "params<2e9", "--at", "params=7e9,tokens=1.4e11", "--stage1-checkpoints", "all",
                                  "--bootstrap", "20", "--db", database])
        #expect(result.status == 0, "\(result.stderr)")
        // 16 runs × 6 trained checkpoints.
        #expect(result.stdout.contains("on 96 checkpoints of 16 runs"), "\(result.stdout)")
    }

    @Test func badInputSaysWhatToFix() throws {
        let noTrain = try CLI.run(["backtest", "--task", "hellaswag", "--metric", "acc", "--law", "two-step", "--via", "bpb", "--db", database])
        #expect(noTrain.status != 0 && noTrain.stderr.contains("--train-max"))
        let badVia = try CLI.run(["predict", "--task", "hellaswag", "--metric", "acc", "--law", "two-step", "--via", "c4:",
                                  "--at", "params=7e9,tokens=1e11", "--db", database])
        #expect(badVia.status != 0 && badVia.stderr.contains("TASK:METRIC"))
        let typo = try CLI.run(["backtest", "--task", "hellaswag", "--metric", "acc", "--law", "two-step", "--via", "hellaswag:bpq",
                                "--train-max", "2e9", "--db", database])
        #expect(typo.status != 0 && typo.stderr.contains("--via hellaswag:bpq: no metric 'bpq'") && typo.stderr.contains("bpb"), "\(typo.stderr)")
        let plain = try CLI.run(["predict", "--task", "hellaswag", "--metric", "acc", "--law", "two-step", "--via", "bpb",
                                 "--at", "7e9", "--db", database])
        #expect(plain.status != 0 && plain.stderr.contains("params="))
    }
}
