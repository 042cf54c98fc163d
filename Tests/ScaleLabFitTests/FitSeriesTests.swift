import Foundation
import Testing
import ScaleLabCore
@testable import ScaleLabFit

@Suite struct FitSeriesTests {
    /// Two tasks × two metrics over four models of two families, stderr on every row.
    func dataset() throws -> Dataset {
        var builder = DatasetBuilder()
        let here = SourceLocation(file: "t.csv", line: 1)
        for (index, (name, family, seed)) in [("a", "f1", 1), ("b", "f1", 2), ("c", "f2", 1), ("d", "f2", 2)].enumerated() {
            let model = builder.addModel(ModelInfo(name: name, family: family, params: pow(10, 7 + Double(index)), seed: seed), at: here)
            for task in ["t1", "t2"] {
                for metric in ["acc", "loss"] {
                    builder.addObservation(model: model, task: builder.task(named: task, at: here), metric: builder.metric(named: metric),
                                           value: 0.2 + 0.1 * Double(index), stderr: 0.01 * Double(index + 1), n: 100, shots: 0, at: here)
                }
            }
        }
        return try builder.build()
    }

    @Test func oneSeriesPerTaskMetricAndShotsSortedByX() throws {
        let series = try dataset().fitSeries(x: .params)
        #expect(series.count == 4)
        #expect(series.allSatisfy { $0.data.x == [1e7, 1e8, 1e9, 1e10] })
        #expect(series.first?.models.map(\.name) == ["a", "b", "c", "d"])
    }

    @Test func stderrWeightsAreInverseAndNormalised() throws {
        let linear = try dataset().fitSeries(x: .params, weighting: .stderr, space: .linear)[0]
        // w ∝ 1/se with se = 0.01, 0.02, 0.03, 0.04, scaled to mean 1.
        let raw = [100.0, 50, 100.0 / 3, 25]
        let expected = raw.map { $0 / (raw.reduce(0, +) / 4) }
        #expect(zip(linear.data.weights!, expected).allSatisfy { abs($0 - $1) < 1e-12 })
        let log = try dataset().fitSeries(x: .params, weighting: .stderr, space: .log)[0]
        // w ∝ y/se on log residuals (delta method).
        let rawLog = [0.2 / 0.01, 0.3 / 0.02, 0.4 / 0.03, 0.5 / 0.04]
        let expectedLog = rawLog.map { $0 / (rawLog.reduce(0, +) / 4) }
        #expect(zip(log.data.weights!, expectedLog).allSatisfy { abs($0 - $1) < 1e-12 })
    }

    @Test func groupedResamplingFollowsFamilyAndSeed() throws {
        let series = try dataset().fitSeries(x: .params)[0]
        #expect(series.resampling(.points) == .points)
        #expect(series.resampling(.family) == .groups([0, 0, 1, 1]))
        #expect(series.resampling(.seed) == .groups([0, 1, 0, 1]))
    }
}
