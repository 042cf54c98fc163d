import Foundation
import Testing
import ScaleLabTestSupport

/// Issue 15: an accuracy's backtest panels stay on an accuracy's axis. Before, a law's 80% whisker
/// reached 4.3 on the wsc panel, stretching its axis to 5; now every interval is inside [0, 1] by
/// construction, so every y tick of every panel of the Pythia report is in [0, 1]. And the panels
/// show the law `backtest` chooses for the same curves (one policy).
@Suite(.enabled(if: TestSupport.hasSharedData, "../shared/data is absent"))
struct ReportRangeTests {
    @Test func backtestPanelsOfAnAccuracyStayInsideZeroOne() throws {
        let folder = TemporaryFolder()
        guard let db = try CLI.database(importing: "pythia_final_0shot.csv", in: folder) else { return }
        let out = folder.path("report")
        let result = try CLI.run(["report", "--db", db, "--out", out, "--format", "svg", "--bootstrap", "50"])
        #expect(result.status == 0, "\(result.stderr)")
        let svg = try String(contentsOfFile: out + "/backtest-1.svg", encoding: .utf8)
        // y-axis tick labels are the right-aligned texts of each panel.
        let pattern = try NSRegularExpression(pattern: #"<text[^>]*text-anchor="end"[^>]*>([^<]*)</text>"#)
        let labels = pattern.matches(in: svg, range: NSRange(svg.startIndex..., in: svg)).compactMap { match in
            Range(match.range(at: 1), in: svg).map { String(svg[$0]) }
        }
        let ticks = labels.compactMap { Double($0.replacingOccurrences(of: "−", with: "-")) }
        #expect(ticks.count >= 9 * 3, "\(labels)")
        for tick in ticks { #expect(tick >= 0 && tick <= 1, "y tick \(tick) on an accuracy panel") }

        // The report draws each panel with the method the policy chose, the same as `backtest`
        // on the same selection (the report fits on all sizes but the two largest: ≤ 2.8B).
        let backtest = try CLI.run(["backtest", "--db", db, "--metric", "acc", "--train-max", "3e9", "--bootstrap", "20", "--json"])
        #expect(backtest.status == 0, "\(backtest.stderr)")
        let report = try JSONSerialization.jsonObject(with: Data(backtest.stdout.utf8)) as? [String: Any] ?? [:]
        var chosen: [String: String] = [:]
        for prediction in report["predictions"] as? [[String: Any]] ?? [] where prediction["method"] as? String == "auto" {
            chosen[prediction["task"] as? String ?? ""] = prediction["law"] as? String
        }
        // Panel titles are cut in the drawing; the figure's <desc> lists them whole: “task · law”.
        let titles = try NSRegularExpression(pattern: #"“([^”]*) · ([^”]*)”"#)
        let panels = titles.matches(in: svg, range: NSRange(svg.startIndex..., in: svg)).compactMap { match -> (String, String)? in
            guard let task = Range(match.range(at: 1), in: svg), let law = Range(match.range(at: 2), in: svg) else { return nil }
            return (String(svg[task]), String(svg[law]))
        }
        #expect(panels.count == 9)
        for (task, law) in panels { #expect(chosen[task] == law, "\(task): report \(law), backtest \(chosen[task] ?? "-")") }
    }
}
