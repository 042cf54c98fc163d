import Foundation
import Testing
import ScaleLabCore
import ScaleLabFit
import ScaleLabIO
@testable import ScaleLabAnalysis
import ScaleLabTestSupport

@Suite struct MetricScaleTests {
    /// The logit scale maps any error back inside (0, 1); the log scale keeps losses > 0.
    @Test func shiftsStayInsideTheRange() {
        for y in [0.0, 1e-9, 0.25, 0.5, 0.999, 1.0] {
            for e in [-1e6, -5.0, 0, 3.0, 1e6] {
                let shifted = MetricScale.unit.shift(y, by: e)
                #expect(shifted >= 0 && shifted <= 1, "\(y) + \(e) → \(shifted)")
            }
        }
        #expect(MetricScale.positive.shift(2.0, by: -800) >= 0)
        #expect(abs(MetricScale.unit.inverse(MetricScale.unit.forward(0.37)) - 0.37) < 1e-12)
        #expect(MetricScale.of([0.2, 0.7], higherIsBetter: true) == .unit)
        #expect(MetricScale.of([3.2, 2.1], higherIsBetter: false) == .positive)
        #expect(MetricScale.of([-1, 2], higherIsBetter: nil) == .unbounded)
    }

    @Test func farExtrapolationsAreWarned() {
        #expect(Forecaster.extrapolationWarning(x: 5e12, fitted: [1e8, 1e9]) != nil)
        #expect(Forecaster.extrapolationWarning(x: 1e7, fitted: [1e8, 1e9]) != nil)
        #expect(Forecaster.extrapolationWarning(x: 1e11, fitted: [1e8, 1e9]) == nil)
    }
}

/// Issue 15: no accuracy estimate or interval outside [0, 1], on every Pythia 0-shot accuracy curve,
/// with every law that can be fitted to it and `auto`, at scales from far below to far above the
/// ladder (1e-300 and 1e300 included).
@Suite(.enabled(if: TestSupport.hasSharedData, "../shared/data is absent"))
struct PythiaRangeTests {
    @Test func everyForecastOfAnAccuracyStaysInsideZeroOne() async throws {
        guard let path = TestSupport.sharedFile("pythia_final_0shot.csv") else { return }
        var builder = DatasetBuilder()
        try Importer.read(InputFile(path: path), into: &builder)
        let series = try builder.build().selecting(Selection(metrics: ["acc"], shots: [0])).fitSeries(x: .params)
        #expect(series.count == 65)
        let xs = [1e-300, 1e3, 1e8, 1e11, 1e13, 1e300]
        var checked = 0, warned = 0
        for curve in series {
            for law in [LawChoice.auto] + LawCatalog.singleInput.compactMap(LawChoice.init(name:)) {
                let options = ForecastOptions(law: law, replicates: 8, seed: 1, higherIsBetter: true)
                guard let forecast = try? await Forecaster.forecast(curve.data, at: xs, options: options) else { continue }
                for point in forecast.points {
                    checked += 1
                    if point.warning != nil { warned += 1 }
                    #expect(point.estimate >= 0 && point.estimate <= 1, "\(curve.task) \(forecast.law) at \(point.x): \(point.estimate)")
                    for interval in point.intervals {
                        #expect(interval.lower >= 0 && interval.upper <= 1,
                                "\(curve.task) \(forecast.law) at \(point.x): [\(interval.lower), \(interval.upper)]")
                    }
                }
            }
        }
        print("range: \(checked) forecasts checked, \(warned) warned as far outside the fitted range")
        #expect(checked >= 65 * 2 * xs.count)
        // 1e-300, 1e3 (below the smallest) and 1e300 (far past the largest) always warn.
        #expect(warned >= checked / 2)
    }
}
