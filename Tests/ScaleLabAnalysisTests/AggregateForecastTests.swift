import Foundation
import Testing
import ScaleLabCore
import ScaleLabFit
@testable import ScaleLabAnalysis

/// Tasks with known truth for the aggregate: y_t = E_t + A_t·N^−α_t on 10 models from 1e7 to 1e10
/// (the same models on every task), with lognormal scatter of relative size `noise`.
private func powerLawTasks(_ laws: [(e: Double, a: Double, alpha: Double)], noise: Double, seed: UInt64) -> [FitSeries] {
    var generator = SplitMix64(seed: seed)
    func normal() -> Double {
        let u1 = max(Double(generator.next() >> 11) / Double(1 << 53), 1e-300), u2 = Double(generator.next() >> 11) / Double(1 << 53)
        return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
    }
    let x = (0..<10).map { pow(10, 7 + 3 * Double($0) / 9) }
    let models = x.indices.map { ModelKey(name: "m\($0)") }
    return laws.enumerated().map { index, law in
        let y = x.map { (law.e + law.a * pow($0, -law.alpha)) * exp(noise * normal()) }
        return FitSeries(task: "task\(index)", metric: "loss", shots: 0, data: FitData(x: x, y: y), models: models)
    }
}

private func truth(_ law: (e: Double, a: Double, alpha: Double), at x: Double) -> Double { law.e + law.a * pow(x, -law.alpha) }

/// Four Hoffmann-like N-terms with different floors, sizes and exponents.
private let laws: [(e: Double, a: Double, alpha: Double)] = [(1.69, 406.4, 0.34), (2.1, 120, 0.28), (1.2, 900, 0.4), (0.8, 60, 0.25)]

@Suite struct AggregateForecastTests {
    /// Tasks whose draws and estimates differ by constants c_t: the mean's draws are the base draws
    /// plus mean(c), so its percentile interval is the base interval shifted by mean(c), exactly
    /// (up to the rounding of a sum of four doubles, 1e-12 relative).
    @Test func intervalOfTheMeanOfConstantOffsetsIsExact() {
        let base: [Double] = (0..<301).map { (index: Int) -> Double in
            let wave: Double = 0.3 * sin(Double(index) * 1.7)
            return 1 + wave + 0.01 * Double(index % 13)
        }
        let offsets = [0.0, 0.25, -0.1, 1.5]
        let shift = offsets.reduce(0, +) / Double(offsets.count)
        let tasks = offsets.enumerated().map { index, c in
            // The last task has one more draw: the pairing truncates to the shortest.
            let draws = base.map { $0 + c } + (index == 3 ? [99] : [])
            return [ForecastPoint(x: 1e10, estimate: 1.2 + c, intervals: [], draws: draws)]
        }
        let (points, paired) = AggregateForecaster.meanOfTasks(tasks, levels: [0.8, 0.95])
        #expect(paired == base.count)
        #expect(points.count == 1 && points[0].x == 1e10)
        #expect(abs(points[0].estimate - (1.2 + shift)) < 1e-12)
        for level in [0.8, 0.95] {
            let expected = percentileInterval(base, level: level)
            let interval = points[0].interval(level)
            #expect(abs((interval?.lower ?? .nan) - (expected.lower + shift)) < 1e-12)
            #expect(abs((interval?.upper ?? .nan) - (expected.upper + shift)) < 1e-12)
        }
        // A task without draws leaves the mean without intervals rather than with NaN ones.
        let empty = AggregateForecaster.meanOfTasks([tasks[0], [ForecastPoint(x: 1e10, estimate: 1, intervals: [])]], levels: [0.8])
        #expect(empty.pairedReplicates == 0 && empty.points[0].intervals.isEmpty)
    }

    /// Four noisy power laws (2% lognormal scatter per model): the mean of the per-task estimates
    /// at 3e10 (3× past the largest model) is the mean of the truths within 3%. Tolerance: the
    /// calibrated single-task forecasts of ForecastTests have a relative error of about the point
    /// scatter (2%) at this distance, and the mean of four independent tasks about half of that
    /// (1%), so 3% is three standard deviations. The mean-of-tasks estimate is the arithmetic
    /// mean of the task estimates (1e-12), and its 95% interval holds the mean of the truths.
    @Test func meanOfTaskForecastsRecoversTheMeanOfTruths() async throws {
        let series = powerLawTasks(laws, noise: 0.02, seed: 7)
        let options = ForecastOptions(law: "power", replicates: 200, seed: 3)
        let result = try await AggregateForecaster.forecast(series, at: [3e10], options: options)
        #expect(result.taskForecasts.allSatisfy { $0.forecast != nil })
        #expect(result.meanCurve.models.count == 10 && result.meanCurve.dropped.isEmpty)
        let estimates = result.taskForecasts.compactMap { $0.forecast?.points[0].estimate }
        let meanOfEstimates = estimates.reduce(0, +) / Double(estimates.count)
        let point = try #require(result.meanOfTasks.first)
        #expect(abs(point.estimate - meanOfEstimates) <= 1e-12 * meanOfEstimates)
        let meanOfTruths = laws.map { truth($0, at: 3e10) }.reduce(0, +) / Double(laws.count)
        print("mean of task estimates \(point.estimate) vs mean of truths \(meanOfTruths)")
        #expect(abs(point.estimate - meanOfTruths) / meanOfTruths < 0.03)
        #expect(point.interval(0.95)?.contains(meanOfTruths) == true)
        #expect(result.pairedReplicates >= 190 && result.pairedReplicates <= 200)
        // The aggregate law, a power law of the mean (not itself a power law), lands near it too.
        let aggregate = try #require(result.aggregateLaw?.points.first)
        #expect(abs(aggregate.estimate - meanOfTruths) / meanOfTruths < 0.05)
    }

    /// Identical tasks: the mean curve is the task's curve (up to the rounding of (y + y + y)/3),
    /// so the aggregate law and the mean of the tasks' forecasts are the same forecast. They agree
    /// to 1e-6 relative, which allows for the optimiser amplifying last-digit differences in y.
    @Test func aggregateLawAndMeanOfTasksAgreeWhenTasksAreIdentical() async throws {
        let one = powerLawTasks([laws[0]], noise: 0.02, seed: 11)[0]
        let series = (0..<3).map { index in
            FitSeries(task: "copy\(index)", metric: one.metric, shots: one.shots, data: one.data, models: one.models)
        }
        let result = try await AggregateForecaster.forecast(series, at: [3e10, 1e11], options: ForecastOptions(law: "power", replicates: 100, seed: 5))
        let aggregate = try #require(result.aggregateLaw)
        #expect(result.meanOfTasks.count == 2)
        for (a, b) in zip(aggregate.points, result.meanOfTasks) {
            #expect(abs(a.estimate - b.estimate) <= 1e-6 * abs(a.estimate))
            for level in [0.8, 0.95] {
                let ia = try #require(a.interval(level)), ib = try #require(b.interval(level))
                #expect(abs(ia.lower - ib.lower) <= 1e-6 * abs(ia.lower))
                #expect(abs(ia.upper - ib.upper) <= 1e-6 * abs(ia.upper))
            }
        }
    }

    /// The mean curve keeps only models with every task, averages a model's repeated rows (seeds)
    /// within a task first, and lists the models it dropped.
    @Test func meanCurveUsesModelsWithEveryTask() {
        let m = (0..<4).map { ModelKey(name: "m\($0)") }
        let a = FitSeries(task: "a", metric: "acc", shots: nil, data: FitData(x: [1, 2, 3, 4], y: [0.1, 0.2, 0.3, 0.4]), models: m)
        // Task b lacks m2 and has two seeds of m1 (0.3 and 0.5, mean 0.4).
        let b = FitSeries(task: "b", metric: "acc", shots: nil, data: FitData(x: [1, 2, 2, 4], y: [0.3, 0.3, 0.5, 0.8]),
                          models: [m[0], m[1], m[1], m[3]])
        let curve = AggregateForecaster.meanCurve([a, b])
        #expect(curve.models == ["m0", "m1", "m3"])
        #expect(curve.dropped == ["m2"])
        #expect(curve.x == [1, 2, 4])
        #expect(zip(curve.y, [0.2, 0.3, 0.6]).allSatisfy { abs($0 - $1) < 1e-12 })
        #expect(curve.x2 == nil)
    }

    @Test func refusesCurvesThatDoNotMakeOneAggregate() async {
        let series = powerLawTasks(Array(laws.prefix(2)), noise: 0, seed: 1)
        await #expect(throws: FitInputError.self) {
            try await AggregateForecaster.forecast([series[0]], at: [1e11], options: ForecastOptions(law: "power", replicates: 5))
        }
        var other = series[1]
        other.metric = "acc"
        await #expect(throws: FitInputError.self) {
            try await AggregateForecaster.forecast([series[0], other], at: [1e11], options: ForecastOptions(law: "power", replicates: 5))
        }
    }
}
