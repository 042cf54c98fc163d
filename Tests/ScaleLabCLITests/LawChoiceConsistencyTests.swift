import Foundation
import Testing
import ScaleLabTestSupport

/// Issue 15: one law-selection policy. On all 65 Pythia 0-shot accuracy curves, fitted on the
/// models up to 2.8B and asked about 6.9B and 12B, `fit --all-tasks`, `predict --all-tasks` and
/// `backtest --train-max 3e9` choose the same method for every curve, and `fit --bootstrap`'s
/// intervals contain their own estimates.
@Suite(.enabled(if: TestSupport.hasSharedData, "../shared/data is absent"))
struct LawChoiceConsistencyTests {
    @Test func fitPredictAndBacktestChooseTheSameLaw() throws {
        let folder = TemporaryFolder()
        guard let db = try CLI.database(importing: "pythia_final_0shot.csv", in: folder) else { return }
        let common = ["--metric", "acc", "--shots", "0", "--db", db]
        func json(_ arguments: [String]) throws -> Any {
            let result = try CLI.run(arguments + common + ["--json"])
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
            return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
        }
        let backtest = try json(["backtest", "--train-max", "3e9", "--bootstrap", "20"]) as? [String: Any] ?? [:]
        var backtestChoice: [String: String] = [:]
        for prediction in backtest["predictions"] as? [[String: Any]] ?? [] where prediction["method"] as? String == "auto" {
            backtestChoice[prediction["task"] as? String ?? ""] = prediction["law"] as? String
        }
        #expect(backtestChoice.count == 65)
        let predict = try json(["predict", "--where", "params<=3e9", "--all-tasks", "--at", "6.9e9,12e9", "--bootstrap", "20"]) as? [[String: Any]] ?? []
        let fit = try json(["fit", "--where", "params<=3e9", "--all-tasks", "--predict", "6.9e9", "--predict", "12e9", "--bootstrap", "30"])
            as? [[String: Any]] ?? []
        #expect(predict.count == 65 && fit.count == 65)
        var checkedIntervals = 0, outside: [String] = []
        for report in predict {
            let task = report["task"] as? String ?? ""
            let chosen = (report["forecast"] as? [String: Any])?["law"] as? String
            #expect(chosen == backtestChoice[task], "\(task): predict \(chosen ?? "-") vs backtest \(backtestChoice[task] ?? "-")")
        }
        for report in fit {
            let task = report["task"] as? String ?? ""
            let decision = report["decision"] as? [String: Any]
            #expect(decision?["chosen"] as? String == backtestChoice[task], "\(task): fit \(decision?["chosen"] ?? "-")")
            for parameter in report["parameters"] as? [[String: Any]] ?? [] {
                guard let estimate = parameter["estimate"] as? Double, let lower = parameter["lower"] as? Double,
                      let upper = parameter["upper"] as? Double else { continue }
                checkedIntervals += 1
                let slack = 1e-9 * max(1, abs(estimate))
                if !(lower - slack <= estimate && estimate <= upper + slack) {
                    outside.append("\(task) \(parameter["name"] ?? ""): \(estimate) outside [\(lower), \(upper)]")
                }
            }
        }
        #expect(checkedIntervals >= 65 * 3)
        // Before issue 15 every estimate of `fit --law auto --bootstrap` was outside its interval
        // when the choice and the bootstrap used different laws. Now the intervals are the chosen
        // law's own; a percentile interval may still miss its estimate where the bootstrap
        // distribution is strongly skewed (a weakly determined A ~ 1e37, C at its bound): at most 3%.
        print("fit --bootstrap: \(outside.count) of \(checkedIntervals) estimates outside their 80% percentile interval:", outside)
        #expect(Double(outside.count) <= 0.03 * Double(checkedIntervals))
    }
}
