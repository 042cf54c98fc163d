import Foundation
import Testing
@testable import ScaleLabAnalysis

@Suite struct MethodDifferenceTests {
    func prediction(_ task: Int, model: Int, method: String, error: Double, interval: Bool) -> BacktestPrediction {
        BacktestPrediction(task: "t\(task)", metric: "acc", method: method, model: "m\(model)", origin: 1, x: 2, observed: 0.5,
                           predicted: 0.5 - error, intervals: interval ? [LevelInterval(level: 0.8, lower: 0, upper: 1)] : [])
    }

    /// A law that errs by 0.01 everywhere against a baseline that errs by 0.03: the difference is
    /// −0.02 and every resample says so (the interval collapses onto it).
    @Test func constantDifferenceHasADegenerateInterval() throws {
        var predictions: [BacktestPrediction] = []
        for task in 0..<10 {
            for model in 0..<2 {
                predictions.append(prediction(task, model: model, method: "auto", error: 0.01, interval: true))
                predictions.append(prediction(task, model: model, method: "last-value", error: -0.03, interval: false))
            }
        }
        let difference = try #require(Backtester.differences(predictions, seed: 1).first { $0.baseline == "last-value" })
        #expect(difference.curves == 10 && difference.observations == 20)
        #expect(abs(difference.difference + 0.02) < 1e-12)
        #expect(abs(difference.lower + 0.02) < 1e-12 && abs(difference.upper + 0.02) < 1e-12)
    }

    /// Curves that disagree widen the interval, which then spans the mean: half the tasks favour the
    /// law by 0.02, half the baseline by 0.02 → difference 0, interval about ±2·0.02/√10.
    @Test func disagreeingCurvesGiveAnIntervalAroundZero() throws {
        var predictions: [BacktestPrediction] = []
        for task in 0..<10 {
            let lawError = task % 2 == 0 ? 0.01 : 0.03
            predictions.append(prediction(task, model: 0, method: "auto", error: lawError, interval: true))
            predictions.append(prediction(task, model: 0, method: "last-value", error: 0.02, interval: false))
        }
        let difference = try #require(Backtester.differences(predictions, seed: 1).first { $0.baseline == "last-value" })
        #expect(abs(difference.difference) < 1e-12)
        #expect(difference.lower < -0.005 && difference.upper > 0.005)
        #expect(difference.lower > -0.02 && difference.upper < 0.02)
    }
}
