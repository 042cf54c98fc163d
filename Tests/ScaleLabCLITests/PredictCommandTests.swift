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
        #expect(chinchilla.stderr.contains("predict supports single-input laws") && chinchilla.stderr.contains("scalelab fit --law chinchilla --predict"))
        let badScale = try CLI.run(["predict", "--task", "loss_task", "--at", "6.9e9,big", "--db", database])
        #expect(badScale.status == 1 && badScale.stderr.contains("--at 'big' is not a number"))
        let nothing = try CLI.run(["predict", "--task", "loss_task", "--db", database])
        #expect(nothing.status == 1 && nothing.stderr.contains("nothing to predict"))
        let ambiguous = try CLI.run(["predict", "--law", "power", "--at", "1e11", "--db", database])
        #expect(ambiguous.status == 1)
        #expect(ambiguous.stderr.contains("the selection holds 2 curves") && ambiguous.stderr.contains("--all-tasks"))
    }
}
