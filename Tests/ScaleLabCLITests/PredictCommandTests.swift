import Foundation
import Testing
import ScaleLabTestSupport

/// `scalelab predict` end to end on data with known truth.
@Suite struct PredictCommandTests {
    let folder = TemporaryFolder()
    let database: String

    /// Loss = 1.69 + 406.4·N^−0.34 (Hoffmann et al. 2022's N-term) on 10 sizes from 1e7 to 1e10,
    /// noise-free, and an accuracy 0.25 + 0.6/(1 + exp(−2.5·(log10 N − 8.8))), which is 0.55 at
    /// N = 10^8.8; two tasks make a selection without --task ambiguous.
    init() throws {
        database = folder.path("predict.sqlite")
        var rows = ["model,task,metric,value,params"]
        for index in 0..<10 {
            let n = pow(10, 7 + 3 * Double(index) / 9)
            rows.append("m\(index),loss_task,loss,\(1.69 + 406.4 * pow(n, -0.34)),\(n)")
            rows.append("m\(index),emergent,acc,\(0.25 + 0.6 / (1 + exp(-2.5 * (log10(n) - 8.8)))),\(n)")
        }
        let file = folder.write("predict.csv", rows.joined(separator: "\n"))
        let result = try CLI.run(["import", file, "--db", database, "--quiet"])
        precondition(result.status == 0, result.stderr)
    }

    func json(_ arguments: [String]) throws -> [String: Any] {
        let result = try CLI.run(["predict"] + arguments + ["--db", database, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] ?? [:]
    }

    @Test func predictsANoiseFreePowerLawInsideBothIntervals() throws {
        let report = try json(["--task", "loss_task", "--law", "power", "--at", "3e10,1e11", "--bootstrap", "50"])
        let forecast = report["forecast"] as? [String: Any]
        #expect(forecast?["law"] as? String == "power")
        let points = forecast?["points"] as? [[String: Any]] ?? []
        #expect(points.compactMap { $0["x"] as? Double } == [3e10, 1e11])
        let point = points.last ?? [:]
        let truth = 1.69 + 406.4 * pow(1e11, -0.34)
        #expect(abs((point["estimate"] as? Double ?? 0) - truth) / truth < 1e-4)
        // Noise-free data give intervals of width ~0 about the truth; allow for optimiser precision.
        let intervals = point["intervals"] as? [[String: Any]] ?? []
        #expect(intervals.compactMap { $0["level"] as? Double } == [0.8, 0.95])
        for interval in intervals {
            #expect((interval["lower"] as? Double ?? .infinity) <= truth * (1 + 1e-6))
            #expect((interval["upper"] as? Double ?? -.infinity) >= truth * (1 - 1e-6))
        }
        let text = try CLI.run(["predict", "--task", "loss_task", "--law", "power", "--at", "1e11", "--bootstrap", "20", "--db", database])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("80% interval") && text.stdout.contains("95% interval") && text.stdout.contains("100B"))
        #expect(text.stdout.contains("as asked"))
        #expect(text.stderr.contains("bootstrap 20 refits"))
    }

    @Test func thresholdCrossingOfAnAccuracyCurve() throws {
        let truth = pow(10, 8.8)
        let report = try json(["--task", "emergent", "--law", "logistic", "--threshold", "0.55", "--bootstrap", "50"])
        let crossing = report["crossing"] as? [String: Any]
        #expect(crossing?["status"] as? String == "crosses")
        #expect(abs((crossing?["crossing"] as? Double ?? 0) - truth) / truth < 1e-3)
        // Noise-free data: every refit that succeeds (a resample with too few distinct x is skipped) reaches it.
        let replicates = crossing?["replicates"] as? Int ?? 0
        #expect(replicates >= 45 && crossing?["reaching"] as? Int == replicates)
        for interval in crossing?["intervals"] as? [[String: Any]] ?? [] {
            #expect((interval["lower"] as? Double ?? .infinity) <= truth * (1 + 1e-3))
            #expect((interval["upper"] as? Double ?? -.infinity) >= truth * (1 - 1e-3))
        }
        let text = try CLI.run(["predict", "--task", "emergent", "--law", "logistic", "--threshold", "0.55", "--bootstrap", "50",
                                "--db", database])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("crosses 0.5500 at 631M [80%:") && text.stdout.contains("of 50 refits succeeded")
                && text.stdout.contains("replicates reach it)"))
        // 0.9 is above the fitted ceiling of 0.85: never reached.
        let above = try CLI.run(["predict", "--task", "emergent", "--law", "logistic", "--threshold", "0.9", "--bootstrap", "20",
                                 "--db", database])
        #expect(above.stdout.contains("not reached within [10M, 1T]"))
    }

    @Test func allTasksGivesOneRowPerCurve() throws {
        let result = try CLI.run(["predict", "--all-tasks", "--law", "auto", "--at", "1e11", "--bootstrap", "20", "--db", database])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("loss_task") && result.stdout.contains("emergent") && result.stdout.contains("100B [95%]"))
        #expect(result.stderr.contains("[1/2]") && result.stderr.contains("[2/2]"))
    }

    @Test func badRequestsAreUserErrors() throws {
        let chinchilla = try CLI.run(["predict", "--task", "loss_task", "--law", "chinchilla", "--at", "1e11", "--db", database])
        #expect(chinchilla.status == 1)
        #expect(chinchilla.stderr.contains("--law chinchilla is a law of two inputs (params and tokens): name both in each --at")
                && chinchilla.stderr.contains("--at params=7.3e9,tokens=4e12"))
        let named = try CLI.run(["predict", "--task", "loss_task", "--law", "power", "--at", "params=7.3e9,tokens=4e12", "--db", database])
        #expect(named.status == 1 && named.stderr.contains("names its values, which is for two-input laws (--law chinchilla)"))
        let half = try CLI.run(["predict", "--task", "loss_task", "--law", "chinchilla", "--at", "params=7.3e9", "--db", database])
        #expect(half.status == 1 && half.stderr.contains("needs both params and tokens"))
        let stranger = try CLI.run(["predict", "--task", "loss_task", "--law", "chinchilla", "--at", "params=7.3e9,steps=4e12", "--db", database])
        #expect(stranger.status == 1 && stranger.stderr.contains("'steps' is neither the x-axis (params) nor the second input (tokens)"))
        let crossing = try CLI.run(["predict", "--task", "loss_task", "--law", "chinchilla", "--threshold", "2", "--db", database])
        #expect(crossing.status == 1 && crossing.stderr.contains("--threshold looks for the scale at which a single-input law"))
        let formats = try CLI.run(["predict", "--task", "loss_task", "--at", "1e11", "--csv", "--json", "--db", database])
        #expect(formats.status == 1 && formats.stderr.contains("--json and --csv both choose the output"))
        let lonely = try CLI.run(["predict", "--task", "loss_task", "--aggregate", "--at", "1e11", "--db", database])
        #expect(lonely.status == 1 && lonely.stderr.contains("an aggregate needs at least two tasks"))
        let badScale = try CLI.run(["predict", "--task", "loss_task", "--at", "6.9e9,big", "--db", database])
        #expect(badScale.status == 1 && badScale.stderr.contains("--at 'big' is not a number"))
        let nothing = try CLI.run(["predict", "--task", "loss_task", "--db", database])
        #expect(nothing.status == 1 && nothing.stderr.contains("nothing to predict"))
        let ambiguous = try CLI.run(["predict", "--law", "power", "--at", "1e11", "--db", database])
        #expect(ambiguous.status == 1)
        #expect(ambiguous.stderr.contains("the selection holds 2 curves") && ambiguous.stderr.contains("--all-tasks"))
    }

    /// `--csv` parsed back: the columns, one row per --at scale, and the same estimate as --json.
    @Test func csvHasOneRowPerPredictionWithTheJSONEstimate() throws {
        let arguments = ["predict", "--task", "loss_task", "--law", "power", "--at", "3e10,1e11", "--bootstrap", "30", "--db", database]
        let result = try CLI.run(arguments + ["--csv"])
        #expect(result.status == 0, "\(result.stderr)")
        let table = csvTable(result.stdout)
        #expect(table.header == ["task", "metric", "shots", "law", "x", "x2", "estimate", "lower80", "upper80", "lower95", "upper95"])
        #expect(table.rows.count == 2)
        #expect(table.rows.map { $0["task"] } == ["loss_task", "loss_task"] && table.rows.map { $0["law"] } == ["power", "power"])
        #expect(table.rows.compactMap { $0["x"].flatMap(Double.init) } == [3e10, 1e11])
        #expect(table.rows.allSatisfy { $0["x2"] == "" && $0["shots"] == "" })
        let report = try json(["--task", "loss_task", "--law", "power", "--at", "3e10,1e11", "--bootstrap", "30"])
        let points = (report["forecast"] as? [String: Any])?["points"] as? [[String: Any]] ?? []
        #expect(points.count == 2)
        for (row, point) in zip(table.rows, points) {
            let estimate = point["estimate"] as? Double ?? .nan
            // The same fit, written as shortest round-trip text both ways: equal to the last digit.
            #expect(abs((row["estimate"].flatMap(Double.init) ?? .nan) - estimate) <= 1e-12 * abs(estimate))
            let lower95 = row["lower95"].flatMap(Double.init) ?? .nan, upper95 = row["upper95"].flatMap(Double.init) ?? .nan
            let lower80 = row["lower80"].flatMap(Double.init) ?? .nan, upper80 = row["upper80"].flatMap(Double.init) ?? .nan
            #expect(lower95 <= lower80 && lower80 <= upper80 && upper80 <= upper95)
        }
        // With --threshold the crossing columns follow, on every row of the curve.
        let crossing = try CLI.run(["predict", "--task", "emergent", "--law", "logistic", "--threshold", "0.55", "--at", "1e9",
                                    "--bootstrap", "30", "--csv", "--db", database])
        #expect(crossing.status == 0, "\(crossing.stderr)")
        let withCrossing = csvTable(crossing.stdout)
        #expect(withCrossing.header.suffix(8) == ["crossing_status", "crossing", "crossing_lower80", "crossing_upper80",
                                                  "crossing_lower95", "crossing_upper95", "crossing_reaching", "crossing_replicates"])
        let row = withCrossing.rows.first ?? [:]
        #expect(row["crossing_status"] == "crosses")
        // The noise-free logistic crosses 0.55 at 10^8.8; 1e-3 relative as in thresholdCrossingOfAnAccuracyCurve.
        #expect(abs((row["crossing"].flatMap(Double.init) ?? 0) / pow(10, 8.8) - 1) < 1e-3)
    }

    /// Chinchilla on a noise-free 5 × 4 grid of (N, D) with Hoffmann et al.'s constants
    /// L = 1.69 + 406.4/N^0.34 + 410.7/D^0.28: the prediction at (7.3e9, 4e12), 7× and 200× past
    /// the grid, is the truth within 1e-3 relative (the fit recovers the law to optimiser precision;
    /// the A–B ridge is flat but predictions along it barely move).
    @Test func chinchillaPredictsNamedModels() throws {
        let truth = { (n: Double, d: Double) in 1.69 + 406.4 * pow(n, -0.34) + 410.7 * pow(d, -0.28) }
        var rows = ["model,task,metric,value,params,tokens"]
        for n in [1e7, 3e7, 1e8, 3e8, 1e9] {
            for d in [2e8, 1e9, 5e9, 2e10] { rows.append("n\(n)-d\(d),pretrain,loss,\(truth(n, d)),\(n),\(d)") }
        }
        let grid = folder.path("chinchilla.sqlite")
        let imported = try CLI.run(["import", folder.write("chinchilla.csv", rows.joined(separator: "\n")), "--db", grid, "--quiet"])
        #expect(imported.status == 0, "\(imported.stderr)")
        let result = try CLI.run(["predict", "--law", "chinchilla", "--at", "params=7.3e9,tokens=4e12", "--at", "N=70B,D=1.4T",
                                  "--bootstrap", "20", "--db", grid, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] ?? [:]
        #expect(report["x"] as? String == "params" && report["x2"] as? String == "tokens")
        let forecast = report["forecast"] as? [String: Any]
        #expect(forecast?["law"] as? String == "chinchilla")
        let points = forecast?["points"] as? [[String: Any]] ?? []
        #expect(points.compactMap { $0["x"] as? Double } == [7.3e9, 7e10] && points.compactMap { $0["x2"] as? Double } == [4e12, 1.4e12])
        for (point, (n, d)) in zip(points, [(7.3e9, 4e12), (7e10, 1.4e12)]) {
            let expected = truth(n, d)
            #expect(abs((point["estimate"] as? Double ?? 0) - expected) / expected < 1e-3)
        }
        let text = try CLI.run(["predict", "--law", "chinchilla", "--at", "params=7.3e9,tokens=4e12", "--bootstrap", "20", "--db", grid])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("against params and tokens") && text.stdout.contains("7.3B") && text.stdout.contains("4T"))
        let csv = try CLI.run(["predict", "--law", "chinchilla", "--at", "params=7.3e9,tokens=4e12", "--bootstrap", "20", "--db", grid, "--csv"])
        let row = csvTable(csv.stdout).rows.first ?? [:]
        #expect(row["law"] == "chinchilla" && row["x"].flatMap(Double.init) == 7.3e9 && row["x2"].flatMap(Double.init) == 4e12)
    }

    /// Three noise-free power-law tasks of one metric on 10 shared models, plus a model only the
    /// first task has: --aggregate forecasts the mean both ways. Each task's fit is exact, so the
    /// mean of tasks is the mean of the truths within 1e-4 (optimiser precision, as in the
    /// single-curve test); the mean of three power laws is not a power law, so the aggregate law
    /// is held to 2% at 3× past the largest model.
    @Test func aggregateForecastsTheMeanBothWays() throws {
        let laws = [(1.69, 406.4, 0.34), (2.1, 120.0, 0.28), (1.2, 900.0, 0.4)]
        var rows = ["model,task,metric,value,params"]
        let sizes = (0..<10).map { pow(10, 7 + 3 * Double($0) / 9) }
        for (index, size) in sizes.enumerated() {
            for (task, law) in laws.enumerated() { rows.append("m\(index),t\(task),loss,\(law.0 + law.1 * pow(size, -law.2)),\(size)") }
        }
        rows.append("extra,t0,loss,\(laws[0].0 + laws[0].1 * pow(5e9, -laws[0].2)),5e9")
        let path = folder.path("aggregate.sqlite")
        let imported = try CLI.run(["import", folder.write("aggregate.csv", rows.joined(separator: "\n")), "--db", path, "--quiet"])
        #expect(imported.status == 0, "\(imported.stderr)")
        let arguments = ["predict", "--metric", "loss", "--aggregate", "--law", "power", "--at", "3e10", "--bootstrap", "30", "--db", path]
        let result = try CLI.run(arguments + ["--json"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("[1/4] t0") && result.stderr.contains("[3/4] t2") && result.stderr.contains("[4/4] aggregate law"))
        let report = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] ?? [:]
        let aggregate = report["aggregate"] as? [String: Any] ?? [:]
        #expect(aggregate["tasks"] as? [String] == ["t0", "t1", "t2"])
        let curve = aggregate["meanCurve"] as? [String: Any] ?? [:]
        #expect(curve["dropped"] as? [String] == ["extra"] && (curve["models"] as? [String])?.count == 10)
        let truth = laws.map { $0.0 + $0.1 * pow(3e10, -$0.2) }.reduce(0, +) / 3
        let mean = (aggregate["meanOfTasks"] as? [[String: Any]])?.first?["estimate"] as? Double ?? 0
        #expect(abs(mean - truth) / truth < 1e-4)
        let lawPoint = ((aggregate["aggregateLaw"] as? [String: Any])?["points"] as? [[String: Any]])?.first
        #expect(abs((lawPoint?["estimate"] as? Double ?? 0) - truth) / truth < 0.02)
        #expect(aggregate["pairedReplicates"] as? Int ?? 0 >= 25)

        let csv = try CLI.run(arguments + ["--csv"])
        #expect(csv.status == 0, "\(csv.stderr)")
        let table = csvTable(csv.stdout)
        #expect(table.rows.map { $0["task"] ?? "" } == ["t0", "t1", "t2", "aggregate-law", "mean-of-tasks"])
        #expect(abs((table.rows.last?["estimate"].flatMap(Double.init) ?? 0) - mean) <= 1e-12 * mean)

        let text = try CLI.run(arguments)
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("mean of 3 tasks · loss") && text.stdout.contains("10 models with every task; 1 dropped for missing a task: extra"))
        #expect(text.stdout.contains("aggregate-law") && text.stdout.contains("mean-of-tasks") && text.stdout.contains("30 paired"))
    }
}

/// A CSV as a header and rows keyed by it (the cells these tests write need no quoting).
private func csvTable(_ text: String) -> (header: [String], rows: [[String: String]]) {
    let lines = text.split(separator: "\n").map(String.init)
    guard let first = lines.first else { return ([], []) }
    let header = first.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    let rows = lines.dropFirst().map { line in
        let cells = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        return Dictionary(uniqueKeysWithValues: zip(header, cells))
    }
    return (header, rows)
}
