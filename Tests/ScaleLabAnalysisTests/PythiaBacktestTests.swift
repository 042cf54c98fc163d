import Foundation
import Testing
import ScaleLabCore
import ScaleLabFit
import ScaleLabIO
@testable import ScaleLabAnalysis
import ScaleLabTestSupport

/// Issue 5's Pythia backtest: final checkpoint, 0-shot, fit on the models up to 2.8B parameters,
/// predict 6.9B and 12B (standard and deduplicated) for every task with an accuracy.
@Suite(.enabled(if: TestSupport.hasSharedData, "../shared/data is absent"))
struct PythiaBacktestTests {
    @Test func fixedOriginBacktest() async throws {
        guard let path = TestSupport.sharedFile("pythia_final_0shot.csv") else { return }
        var builder = DatasetBuilder()
        try Importer.read(InputFile(path: path), into: &builder)
        let data = try builder.build().selecting(Selection(metrics: ["acc"], shots: [0]))
        let series = try data.fitSeries(x: .params)
        #expect(series.count == 65)
        let result = await Backtester.run(series, options: BacktestOptions(laws: ["auto"], trainMax: 3e9, replicates: 100))
        for summary in result.summaries {
            print(String(format: "%-14@ n %4d  MAE %.4f  rel %.4f", summary.method as NSString, summary.predictions,
                         summary.meanAbsoluteError, summary.meanRelativeError),
                  summary.coverage.map { String(format: "cover%.0f %.3f", $0.level * 100, $0.lower) }.joined(separator: " "))
        }
        print("skipped:", result.skipped.count, result.skipped.prefix(3))
        print("surprises:", result.surprises.count, result.surprises.prefix(5).map { "\($0.task) \($0.model) z=\(String(format: "%.1f", $0.z)) \($0.direction)" })
        let auto = try #require(result.summaries.first { $0.method == "auto" })
        #expect(auto.predictions == 65 * 4)
        // Issue 5's first target: the selected law beats every baseline on mean absolute error.
        for baseline in Baseline.allCases {
            let score = try #require(result.summaries.first { $0.method == baseline.rawValue })
            #expect(auto.meanAbsoluteError < score.meanAbsoluteError, "auto \(auto.meanAbsoluteError) vs \(baseline.rawValue) \(score.meanAbsoluteError)")
        }
        // The second target (80% intervals covering 70–90%) is not met yet: see the closing note of
        // this session; the coverage is printed above so progress on it is visible.
        #expect(auto.coverage.count == 2)
    }
}
