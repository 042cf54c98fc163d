import Foundation
import Testing
import ScaleLabFit
@testable import ScaleLabAnalysis

/// Crossings of laws whose crossing is known in closed form.
@Suite struct ThresholdCrossingTests {
    /// y = 1 + 10·x^−0.3 falls through 1.5 where x^−0.3 = 0.05, i.e. x* = 20^(1/0.3).
    @Test func decreasingPowerLawCrossesWhereAlgebraSays() {
        let law = PowerLaw()
        let theta = [1, log(10), 0.3]
        let truth = pow(20, 1 / 0.3)  // ≈ 21,715
        let result = ThresholdCrossing.predictCrossing(of: law, theta: theta, replicates: [], threshold: 1.5, x: [100, 1000, 10_000])
        #expect(result.status == .crosses)
        #expect(abs((result.crossing ?? 0) - truth) / truth < 1e-9)
        #expect(result.rangeLower == 100 && result.rangeUpper == 1e6)
        #expect(result.intervals.isEmpty && result.share == nil)
    }

    /// A logistic with lo = 0.25 and hi = 0.75 is 0.5 exactly at its midpoint, x = 10^x0.
    @Test func logisticCrossesHalfwayAtItsMidpoint() {
        let law = LogisticLaw()
        let x0 = 9.5
        let result = ThresholdCrossing.predictCrossing(of: law, theta: [0.25, 0.75, 2, x0], replicates: [], threshold: 0.5,
                                                       x: [1e7, 1e8, 1e9])
        #expect(result.status == .crosses)
        #expect(abs((result.crossing ?? 0) - pow(10, x0)) / pow(10, x0) < 1e-9)
        // A decreasing logistic (lo > hi, inverse scaling) crosses at the same midpoint.
        let falling = ThresholdCrossing.crossing(of: law, theta: [0.75, 0.25, 2, x0], threshold: 0.5, in: 1e7...1e11)
        #expect(falling.status == .crosses)
        #expect(abs((falling.x ?? 0) - pow(10, x0)) / pow(10, x0) < 1e-9)
    }

    /// Thresholds the curve never reaches, reaches only past the supported range, or had already
    /// passed at the smallest model.
    @Test func thresholdsOutsideTheCurveAreNotReached() {
        let law = LogisticLaw()
        let theta = [0.25, 0.75, 2, 9.5]
        let above = ThresholdCrossing.predictCrossing(of: law, theta: theta, replicates: [theta, theta], threshold: 0.9, x: [1e7, 1e9])
        #expect(above.status == .notReached && above.crossing == nil && above.intervals.isEmpty)
        #expect(above.reaching == 0 && above.share == 0)
        // 10^12.5 is past 1e9 · 100: within the curve's range but not the range the fit supports.
        let far = ThresholdCrossing.predictCrossing(of: law, theta: [0.25, 0.75, 2, 12.5], replicates: [], threshold: 0.5, x: [1e7, 1e9])
        #expect(far.status == .notReached)
        let below = ThresholdCrossing.predictCrossing(of: law, theta: theta, replicates: [], threshold: 0.1, x: [1e7, 1e9])
        #expect(below.status == .alreadyPast && below.crossing == nil)
    }

    /// When fewer than half of the replicates reach the threshold, the verdict is "not reached"
    /// even if the fitted law reaches it; the share is reported.
    @Test func fewReachingReplicatesMeanNotReached() {
        let law = LogisticLaw()
        let reaching = [0.25, 0.75, 2, 9.5], missing = [0.25, 0.45, 2, 9.5]
        let result = ThresholdCrossing.predictCrossing(of: law, theta: reaching, replicates: [reaching, missing, missing], threshold: 0.5,
                                                       x: [1e7, 1e9])
        #expect(result.status == .notReached && result.crossing == nil)
        #expect(result.reaching == 1 && result.replicates == 3)
        #expect(abs((result.share ?? 0) - 1.0 / 3) < 1e-12)
    }

    /// y = 1.69 + 406.4·N^−0.34 with 2% lognormal scatter on 10 models from 1e7 to 1e10; T = 1.8 is
    /// reached at N* = (406.4/0.11)^(1/0.34) ≈ 3.1e10, just past the largest model. Over 20 ladders
    /// the 95% interval must hold N* at least 16 times: a binomial(20, 0.95) falls below that with
    /// probability 0.3%, so a calibrated interval passes (the seeds are fixed, so the test is too).
    @Test func intervalsHoldTheTrueCrossingOnNoisyLadders() async throws {
        let law = PowerLaw()
        let truth = pow(406.4 / 0.11, 1 / 0.34)
        let fitter = Fitter()
        var inside80 = 0, inside95 = 0, crossed = 0
        for trial in 0..<20 {
            var generator = SplitMix64(seed: UInt64(900 + trial))
            func normal() -> Double {
                let u1 = max(Double(generator.next() >> 11) / Double(1 << 53), 1e-300), u2 = Double(generator.next() >> 11) / Double(1 << 53)
                return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
            }
            let x = (0..<10).map { pow(10, 7 + 3 * Double($0) / 9) }
            let data = FitData(x: x, y: x.map { (1.69 + 406.4 * pow($0, -0.34)) * exp(0.02 * normal()) })
            let fit = try fitter.fit(law, to: data)
            let bootstrap = try await fitter.bootstrap(law, data: data, fit: fit, options: BootstrapOptions(replicates: 200, seed: UInt64(trial)))
            let result = ThresholdCrossing.predictCrossing(of: law, theta: fit.theta, replicates: bootstrap.thetas, threshold: 1.8, x: data.x)
            guard result.status == .crosses else { continue }
            crossed += 1
            let narrow = result.interval(0.8)!, wide = result.interval(0.95)!
            #expect(wide.lower <= narrow.lower && narrow.upper <= wide.upper)
            if narrow.contains(truth) { inside80 += 1 }
            if wide.contains(truth) { inside95 += 1 }
        }
        print("true crossing inside the 80% interval \(inside80)/20, 95% \(inside95)/20; \(crossed) ladders cross")
        #expect(crossed >= 18)
        #expect(inside95 >= 16)
    }
}
