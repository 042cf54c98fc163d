import Foundation
import Testing
import ScaleLabTestSupport

/// Issue 15: an accuracy's backtest panels stay on an accuracy's axis. Before, a law's 80% whisker
/// reached 4.3 on the wsc panel, stretching its axis to 5; now every interval is inside [0, 1] by
/// construction, so every y tick of every panel of the Pythia report is in [0, 1].
@Suite(.enabled(if: TestSupport.hasSharedData, "../shared/data is absent"))
struct ReportRangeTests {
    @Test func backtestPanelsOfAnAccuracyStayInsideZeroOne() throws {
        guard let source = TestSupport.sharedFile("pythia_final_0shot.csv") else { return }
        let folder = TemporaryFolder()
        let db = folder.path("p.sqlite")
        #expect(try CLI.run(["import", source, "--db", db, "--quiet"]).status == 0)
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
    }
}
