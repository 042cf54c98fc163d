import Foundation
import Testing
import ScaleLabFit
@testable import ScaleLabAnalysis

/// Ladders with known truth: y = 1.69 + 406.4·N^−0.34 with 2% lognormal scatter about the law, 10
/// models from 1e7 to 1e10; the next model, at 3e10, is the one to predict.
func ladder(seed: UInt64) -> (data: FitData, next: Double) {
    var generator = SplitMix64(seed: seed)
    func normal() -> Double {
        let u1 = max(Double(generator.next() >> 11) / Double(1 << 53), 1e-300), u2 = Double(generator.next() >> 11) / Double(1 << 53)
        return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
    }
    let law = { (n: Double) in 1.69 + 406.4 * pow(n, -0.34) }
    let x = (0..<10).map { pow(10, 7 + 3 * Double($0) / 9) }
    return (FitData(x: x, y: x.map { law($0) * exp(0.02 * normal()) }), law(3e10) * exp(0.02 * normal()))
}

@Suite struct ForecastTests {
    /// Issue 5: on a synthetic ladder with known truth, coverage within ±10 points of nominal.
    /// 80 trials give a binomial sd of 4.5 points at 80% and 2.4 at 95%, so a correct method passes.
    @Test func predictionIntervalsAreCalibratedOnKnownTruth() async throws {
        var inside80 = 0, inside95 = 0
        let trials = 80
        for trial in 0..<trials {
            let (data, next) = ladder(seed: UInt64(500 + trial))
            let forecast = try await Forecaster.forecast(data, at: [3e10], options: ForecastOptions(law: "power", replicates: 200, seed: UInt64(trial)))
            let point = forecast.points[0]
            if point.interval(0.8)!.contains(next) { inside80 += 1 }
            if point.interval(0.95)!.contains(next) { inside95 += 1 }
        }
        let coverage80 = Double(inside80) / Double(trials), coverage95 = Double(inside95) / Double(trials)
        print("coverage of the next model: 80% → \(coverage80), 95% → \(coverage95)")
        #expect(abs(coverage80 - 0.8) <= 0.1)
        #expect(abs(coverage95 - 0.95) <= 0.1)
    }

    /// `auto` records why: every candidate's inner forecast error, the chosen one the least (or the
    /// ladder's tie rule), and the evidence sentence.
    @Test func autoRecordsWhyItChoseTheLaw() async throws {
        let (data, _) = ladder(seed: 1)
        let forecast = try await Forecaster.forecast(data, at: [3e10, 1e11], options: ForecastOptions(replicates: 50))
        let decision = try #require(forecast.decision)
        #expect(decision.basis == .innerForecasts)
        #expect(decision.chosen == forecast.law)
        let chosen = try #require(decision.candidates.first { $0.method == forecast.law })
        let best = try #require(decision.candidates.compactMap(\.innerError).min())
        // Chosen: the least inner error, or within one standard error of it with fewer parameters.
        #expect(chosen.innerError! >= best)
        #expect(chosen.innerError == best || decision.evidence.contains("within one standard error"))
        #expect(forecast.points.count == 2)
        for point in forecast.points {
            let narrow = point.interval(0.8)!, wide = point.interval(0.95)!
            #expect(wide.lower <= narrow.lower && narrow.upper <= wide.upper)
            #expect(narrow.lower > 0)
        }
    }
}
