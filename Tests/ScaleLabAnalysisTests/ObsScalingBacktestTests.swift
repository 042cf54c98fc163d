import Foundation
import Testing
import ScaleLabCore
import ScaleLabFit
import ScaleLabIO
@testable import ScaleLabAnalysis
import ScaleLabTestSupport

/// Issue 5 on observational scaling data: within each family, predict the largest model from the
/// smaller ones, for every task and metric (dense models only: the MoE rows mix total and active
/// parameter counts, see the data README).
@Suite(.enabled(if: TestSupport.hasSharedData, "../shared/data is absent"))
struct ObsScalingBacktestTests {
    @Test func predictEachFamilysLargestModel() async throws {
        guard let path = TestSupport.sharedFile("obsscaling.csv") else { return }
        var builder = DatasetBuilder()
        try Importer.read(InputFile(path: path), into: &builder)
        let all = try builder.build().selecting(Selection(conditions: [try Condition(parsing: "moe=0")]))
        let result = await Backtester.runPerFamily(try all.fitSeries(x: .params), options: BacktestOptions(laws: ["auto"], holdOutLargest: true, replicates: 20))
        print("families:", result.groups.map(\.group))
        for summary in result.summaries {
            print(String(format: "%-14@ n %4d  MAE %.4f  rel %.4f", summary.method as NSString, summary.predictions,
                         summary.meanAbsoluteError, summary.meanRelativeError),
                  summary.coverage.map { String(format: "cover%.0f %.3f", $0.level * 100, $0.lower) }.joined(separator: " "))
        }
        #expect(result.groups.count >= 5)
        // Every held-out prediction is of a family's largest model.
        #expect(result.predictions.allSatisfy { $0.prediction.x > $0.prediction.origin })
        let auto = try #require(result.summaries.first { $0.method == "auto" })
        let stacked = try #require(result.summaries.first { $0.method == "auto" + Stacking.suffix })
        // Both are scored on the same observations (stacking falls back to the law where it cannot combine).
        #expect(auto.predictions == stacked.predictions)
        // Calibration, the target for honest intervals: the combined forecast's 80%
        // intervals cover 70–90% of the held-out models here too (observed 75.2% in this session).
        let coverage80 = try #require(stacked.coverage.first { $0.level == 0.8 }).lower
        #expect(coverage80 >= 0.70 && coverage80 <= 0.90)
    }
}
