import Foundation
import Testing
import ScaleLabCore
import ScaleLabFit
import ScaleLabIO
@testable import ScaleLabAnalysis
import ScaleLabTestSupport

/// Issue 5 on observational scaling data: within each family, predict the largest model from the
/// smaller ones, for every task.
@Suite(.enabled(if: TestSupport.hasSharedData, "../shared/data is absent"))
struct ObsScalingBacktestTests {
    @Test func predictEachFamilysLargestModel() async throws {
        guard let path = TestSupport.sharedFile("obsscaling.csv") else { return }
        var builder = DatasetBuilder()
        try Importer.read(InputFile(path: path), into: &builder)
        let all = try builder.build().selecting(Selection(conditions: [try Condition(parsing: "moe=0")]))
        var predictions: [BacktestPrediction] = []
        var familiesUsed: [String] = []
        for family in all.families {
            let members = try all.selecting(Selection(families: [family]))
            guard Set(members.models.compactMap(\.params)).count >= 5 else { continue }
            familiesUsed.append(family)
            let series = try members.fitSeries(x: .params)
            let result = await Backtester.run(series, options: BacktestOptions(laws: ["auto"], holdOutLargest: true, replicates: 50))
            predictions += result.predictions
        }
        let summaries = Backtester.summarize(predictions, levels: [0.8, 0.95])
        print("families:", familiesUsed)
        for summary in summaries {
            print(String(format: "%-14@ n %4d  MAE %.4f  rel %.4f", summary.method as NSString, summary.predictions,
                         summary.meanAbsoluteError, summary.meanRelativeError),
                  summary.coverage.map { String(format: "cover%.0f %.3f", $0.level * 100, $0.lower) }.joined(separator: " "))
        }
        #expect(familiesUsed.count >= 5)
        // Every held-out prediction is of a family's largest model.
        let auto = predictions.filter { $0.method == "auto" }
        #expect(!auto.isEmpty)
        #expect(auto.allSatisfy { $0.x > $0.origin })
    }
}
