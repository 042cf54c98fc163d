import Foundation
import Testing
import ScaleLabTestSupport

/// `scalelab fit` end to end on data with known truth.
@Suite struct FitCommandTests {
    let folder = TemporaryFolder()
    let database: String

    /// Loss = 1.69 + 406.4·N^−0.34 (Hoffmann et al. 2022's N-term) on 10 sizes, noise-free, and an
    /// accuracy that rises as a logistic in log10 N; a second task makes the selection ambiguous.
    init() throws {
        database = folder.path("fit.sqlite")
        var rows = ["model,task,metric,value,params"]
        for index in 0..<10 {
            let n = pow(10, 7 + 3 * Double(index) / 9)
            rows.append("m\(index),loss_task,loss,\(1.69 + 406.4 * pow(n, -0.34)),\(n)")
            rows.append("m\(index),emergent,acc,\(0.25 + 0.6 / (1 + exp(-2.5 * (log10(n) - 8.8)))),\(n)")
        }
        let file = folder.write("fit.csv", rows.joined(separator: "\n"))
        let result = try CLI.run(["import", file, "--db", database, "--quiet"])
        precondition(result.status == 0, result.stderr)
    }

    func json(_ arguments: [String]) throws -> [String: Any] {
        let result = try CLI.run(["fit"] + arguments + ["--db", database, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] ?? [:]
    }

    func parameter(_ report: [String: Any], _ name: String) -> [String: Any]? {
        (report["parameters"] as? [[String: Any]])?.first { $0["name"] as? String == name }
    }

    @Test func recoversAPowerLawAndPredictsWithAnInterval() throws {
        let report = try json(["--task", "loss_task", "--law", "power", "--bootstrap", "100", "--seed", "3", "--predict", "1e12"])
        #expect(report["law"] as? String == "power")
        // Noise-free data: the fit recovers the generating parameters to optimiser precision.
        #expect(abs((parameter(report, "E")?["estimate"] as? Double ?? 0) - 1.69) < 1e-4)
        #expect(abs((parameter(report, "alpha")?["estimate"] as? Double ?? 0) - 0.34) < 1e-4)
        let prediction = (report["predictions"] as? [[String: Any]])?.first
        let truth = 1.69 + 406.4 * pow(1e12, -0.34)
        #expect(abs((prediction?["estimate"] as? Double ?? 0) - truth) / truth < 1e-4)
        #expect((prediction?["lower"] as? Double ?? .infinity) <= truth + 1e-6)
        #expect((prediction?["upper"] as? Double ?? -.infinity) >= truth - 1e-6)
        // Same seed, same intervals.
        let again = try json(["--task", "loss_task", "--law", "power", "--bootstrap", "100", "--seed", "3", "--predict", "1e12"])
        #expect(parameter(again, "A")?["lower"] as? Double == parameter(report, "A")?["lower"] as? Double)
    }

    /// `auto` chooses by the curve's own inner forecasts and prints the evidence; `--json` carries
    /// every candidate's score, and the parameters are those of the chosen law (issue 15: the
    /// estimates and intervals of one law).
    @Test func autoChoosesByInnerForecastsAndExplains() throws {
        let report = try json(["--task", "emergent", "--law", "auto", "--bootstrap", "50"])
        let decision = report["decision"] as? [String: Any]
        let candidates = decision?["candidates"] as? [[String: Any]] ?? []
        #expect(decision?["basis"] as? String == "inner-forecasts")
        #expect(candidates.contains { $0["method"] as? String == "last-value" && $0["innerError"] is Double })
        #expect(candidates.contains { $0["method"] as? String == "logistic" })
        let chosen = decision?["chosen"] as? String
        if report["referenceOnly"] as? Bool != true { #expect(report["law"] as? String == chosen) }
        for parameter in report["parameters"] as? [[String: Any]] ?? [] {
            let estimate = parameter["estimate"] as? Double ?? .nan
            let lower = parameter["lower"] as? Double ?? .nan, upper = parameter["upper"] as? Double ?? .nan
            #expect(lower <= estimate + 1e-9 * abs(estimate) && estimate <= upper + 1e-9 * abs(estimate), "\(parameter)")
        }
        let text = try CLI.run(["fit", "--task", "emergent", "--law", "auto", "--db", database])
        #expect(text.stdout.contains("chosen: ") && text.stdout.contains("inner error"))
    }

    @Test func ambiguousSelectionsAndBadOptionsAreUserErrors() throws {
        let ambiguous = try CLI.run(["fit", "--law", "power", "--db", database])
        #expect(ambiguous.status == 1)
        #expect(ambiguous.stderr.contains("the selection holds 2 curves") && ambiguous.stderr.contains("--all-tasks"))
        let badLaw = try CLI.run(["fit", "--task", "loss_task", "--law", "cubic", "--db", database])
        #expect(badLaw.status == 1 && badLaw.stderr.contains("unknown law 'cubic'"))
        let badPrediction = try CLI.run(["fit", "--task", "loss_task", "--predict", "big", "--db", database])
        #expect(badPrediction.status == 1 && badPrediction.stderr.contains("--predict 'big' is not a positive number"))
        let noChance = try CLI.run(["fit", "--task", "emergent", "--law", "logistic", "--floor", "chance", "--db", database])
        #expect(noChance.status == 1 && noChance.stderr.contains("no chance level"))
        let fixed = try json(["--task", "emergent", "--law", "logistic", "--floor", "0.25"])
        #expect((fixed["parameters"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["hi", "k", "x0"])
        // The data were made with floor 0.25 and ceiling 0.85, without noise.
        #expect(abs((parameter(fixed, "hi")?["estimate"] as? Double ?? 0) - 0.85) < 1e-4)
        let all = try CLI.run(["fit", "--law", "auto", "--all-tasks", "--db", database])
        #expect(all.status == 0)
        #expect(all.stderr.contains("[1/2]") && all.stderr.contains("[2/2]"))
        #expect(all.stdout.contains("loss_task") && all.stdout.contains("emergent"))
    }
}

/// `--law two-step` on Pythia: perplexity against size, then accuracy against perplexity.
@Suite(.enabled(if: TestSupport.hasSharedData, "../shared/data is absent"))
struct TwoStepCommandTests {
    @Test func lambadaAccuracyThroughPerplexity() throws {
        let folder = TemporaryFolder()
        guard let db = try CLI.database(importing: "pythia_final_0shot.csv", in: folder) else { return }
        let result = try CLI.run(["fit", "--law", "two-step", "--task", "lambada_openai", "--metric", "acc", "--via", "ppl",
                                  "--predict", "1B", "--predict", "12B", "--bootstrap", "50", "--db", db, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] ?? [:]
        #expect(report["points"] as? Int == 15)
        let names = (report["parameters"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        #expect(names == ["E", "A", "alpha", "lo", "hi", "k", "L0"])
        // Lower perplexity means higher accuracy, so the composite must rise with size, stay a
        // probability, and each interval must hold its own estimate.
        let predictions = report["predictions"] as? [[String: Any]] ?? []
        #expect(predictions.count == 2)
        let estimates = predictions.map { $0["estimate"] as? Double ?? .nan }
        #expect(estimates[0] < estimates[1])
        #expect(estimates.allSatisfy { $0 > 0 && $0 < 1 })
        for prediction in predictions {
            let estimate = prediction["estimate"] as? Double ?? .nan
            #expect((prediction["lower"] as? Double ?? 1) <= estimate && estimate <= (prediction["upper"] as? Double ?? 0))
        }
        let missing = try CLI.run(["fit", "--law", "two-step", "--task", "lambada_openai", "--metric", "acc", "--db", db])
        #expect(missing.status == 1 && missing.stderr.contains("--via"))
    }
}
