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
        let stacked = try #require(result.summaries.first { $0.method == "auto" + Stacking.suffix })
        #expect(auto.predictions == 65 * 4)
        #expect(stacked.predictions == 65 * 4)
        // Issue 5's first target: the selected law beats every baseline on mean absolute error, and
        // so does its combination with the baselines (weights learned on the models up to 2.8B).
        for baseline in [Baseline.lastValue.rawValue, Baseline.linearInLogX.rawValue, AggregateTrend.name] {
            let score = try #require(result.summaries.first { $0.method == baseline })
            for method in [auto, stacked] {
                #expect(method.meanAbsoluteError < score.meanAbsoluteError,
                        "\(method.method) \(method.meanAbsoluteError) vs \(baseline) \(score.meanAbsoluteError)")
            }
        }
        // The second: 80% intervals cover between 70% and 90% of the held-out observations (and
        // 95% intervals at least 85%: over-wide intervals fail too).
        for method in [auto, stacked] {
            let coverage80 = try #require(method.coverage.first { $0.level == 0.8 }).lower
            let coverage95 = try #require(method.coverage.first { $0.level == 0.95 }).lower
            #expect(coverage80 >= 0.70 && coverage80 <= 0.90, "\(method.method) 80% coverage \(coverage80)")
            #expect(coverage95 >= 0.85, "\(method.method) 95% coverage \(coverage95)")
        }
        // The surprise list is about the combined forecast and names each observation once.
        #expect(result.surprises.allSatisfy { $0.method == stacked.method })
        #expect(Set(result.surprises.map { "\($0.task)|\($0.model)" }).count == result.surprises.count)
    }
}
