import Foundation
import Testing
import ScaleLabTestSupport

@Suite struct BacktestCommandTests {
    /// A loss ladder on the law 1.69 + 406.4·N^−0.34, 12 sizes from 1e7 to 1e11, with a
    /// deterministic ±1% zig-zag so the fit has residuals.
    func database(_ folder: TemporaryFolder) throws -> String {
        let db = folder.path("bt.sqlite")
        var rows = ["model,task,metric,value,params"]
        for index in 0..<12 {
            let n = pow(10, 7 + 4 * Double(index) / 11)
            let value = (1.69 + 406.4 * pow(n, -0.34)) * (index % 2 == 0 ? 1.01 : 0.99)
            rows.append("m\(index),held,loss,\(value),\(n)")
        }
        let file = folder.write("bt.csv", rows.joined(separator: "\n"))
        let result = try CLI.run(["import", file, "--db", db, "--quiet"])
        precondition(result.status == 0, result.stderr)
        return db
    }

    @Test func theLawBeatsTheBaselinesOnACleanLadder() throws {
        let folder = TemporaryFolder()
        let db = try database(folder)
        let result = try CLI.run(["backtest", "--train-max", "1e9", "--law", "power", "--bootstrap", "50", "--json", "--db", db])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] ?? [:]
        let summaries = report["summaries"] as? [[String: Any]] ?? []
        func mae(_ method: String) -> Double { summaries.first { $0["method"] as? String == method }?["meanAbsoluteError"] as? Double ?? .nan }
        #expect(Set(summaries.compactMap { $0["method"] as? String }) == ["power", "last-value", "linear-log-x", "local-trend"])
        // A decreasing power law: carrying the last loss forward overshoots every larger model.
        #expect(mae("power") < mae("last-value"))
        #expect(mae("power") < mae("linear-log-x"))
        let predictions = report["predictions"] as? [[String: Any]] ?? []
        #expect(predictions.filter { $0["method"] as? String == "power" }.count == 6)  // sizes above 1e9

        let text = try CLI.run(["backtest", "--train-max", "1e9", "--law", "power", "--bootstrap", "50", "--db", db])
        #expect(text.stdout.contains("80% coverage") && text.stdout.contains("last-value"))
        let nothing = try CLI.run(["backtest", "--train-max", "1e12", "--db", db])
        #expect(nothing.status == 1 && nothing.stderr.contains("nothing to backtest"))
    }
}
