import Foundation
import Testing
import ScaleLabCore
import ScaleLabFit
@testable import ScaleLabAnalysis

@Suite struct AggregateTrendTests {
    /// Tasks that share one trend up to a constant offset: the aggregate trend carried from each
    /// task's last value predicts every larger model exactly, where per-task baselines cannot.
    @Test func sharedTrendIsPredictedExactly() async throws {
        let trend = { (n: Double) in 0.3 + 0.05 * log10(n / 1e7) + 0.01 * pow(log10(n / 1e7), 2) }
        let x = (0..<10).map { pow(10, 7 + 3 * Double($0) / 9) }
        let series = (0..<4).map { task in
            FitSeries(task: "t\(task)", metric: "acc", shots: 0, data: FitData(x: x, y: x.map { trend($0) + 0.05 * Double(task) }),
                      models: x.indices.map { ModelKey(name: "m\($0)") })
        }
        let result = await Backtester.run(series, options: BacktestOptions(laws: [], trainMax: 1e9, replicates: 10))
        let aggregate = try #require(result.summaries.first { $0.method == AggregateTrend.name })
        let last = try #require(result.summaries.first { $0.method == "last-value" })
        #expect(aggregate.predictions == 4 * 3)  // three sizes above 1e9, four tasks
        // The shared trend is a line in log x plus a gentle curvature: the aggregate line through
        // the seven scales up to 1e9 carries every task to within the curvature's extrapolation
        // error, the same for every task, while the last value ignores the trend altogether.
        #expect(aggregate.meanAbsoluteError < last.meanAbsoluteError / 3)
    }

    @Test func oneTrendPerMetricWithSeveralCurves() {
        let data = FitData(x: [1e7, 1e8, 1e9], y: [0.2, 0.3, 0.4])
        let one = FitSeries(task: "a", metric: "acc", shots: nil, data: data, models: [])
        var other = one
        other.metric = "loss"
        #expect(AggregateTrend.byMetric([one]).isEmpty)
        #expect(AggregateTrend.byMetric([one, other]).isEmpty)
        let trends = AggregateTrend.byMetric([one, one, other])
        #expect(Array(trends.keys) == ["acc"])
        // 0.1 per decade: from 1e9 to 1e10 the average task gains 0.1.
        let shift = trends["acc"]!.shifts(from: 1e9, to: [1e10])!
        #expect(abs(shift[0] - 0.1) < 1e-12)
    }
}
