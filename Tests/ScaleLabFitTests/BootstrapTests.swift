import Foundation
import Testing
@testable import ScaleLabFit

/// y = E + A·x^−α with multiplicative lognormal noise σ, on `points` log-spaced x in [1e7, 1e10].
func syntheticPowerLaw(E: Double = 1.69, A: Double = 406.4, alpha: Double = 0.34, sigma: Double, points: Int, seed: UInt64) -> FitData {
    var generator = SplitMix64(seed: seed)
    func normal() -> Double {  // Box–Muller
        let u1 = max(Double(generator.next() >> 11) / Double(1 << 53), 1e-300), u2 = Double(generator.next() >> 11) / Double(1 << 53)
        return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
    }
    let x = (0..<points).map { pow(10, 7 + 3 * Double($0) / Double(points - 1)) }
    let y = x.map { (E + A * pow($0, -alpha)) * exp(sigma * normal()) }
    return FitData(x: x, y: y)
}

@Suite struct BootstrapTests {
    @Test func sameSeedSameIntervalsWhateverTheScheduling() async throws {
        let data = syntheticPowerLaw(sigma: 0.02, points: 12, seed: 5)
        let fitter = Fitter()
        let fit = try fitter.fit(PowerLaw(), to: data)
        let first = try await fitter.bootstrap(PowerLaw(), data: data, fit: fit, options: BootstrapOptions(replicates: 64, seed: 9))
        let second = try await fitter.bootstrap(PowerLaw(), data: data, fit: fit, options: BootstrapOptions(replicates: 64, seed: 9))
        #expect(first.thetas == second.thetas)
        #expect(first.parameters == second.parameters)
        let other = try await fitter.bootstrap(PowerLaw(), data: data, fit: fit, options: BootstrapOptions(replicates: 64, seed: 10))
        #expect(other.thetas != first.thetas)
        #expect(first.succeeded == 64)
        // Replicate i is the same whatever else ran: the first 32 of 64 equal a run of 32.
        let shorter = try await fitter.bootstrap(PowerLaw(), data: data, fit: fit, options: BootstrapOptions(replicates: 32, seed: 9))
        #expect(Array(first.thetas.prefix(32)) == shorter.thetas)
    }

    @Test func optionsThatCannotBeHonouredAreErrors() async throws {
        let data = syntheticPowerLaw(sigma: 0.02, points: 12, seed: 5)
        let fitter = Fitter()
        let fit = try fitter.fit(PowerLaw(), to: data)
        for (options, fragment) in [
            (BootstrapOptions(replicates: 0), "at least 1"),
            (BootstrapOptions(replicates: 10, level: 1.5), "between 0 and 1"),
            (BootstrapOptions(replicates: 10, resampling: .groups([0, 1])), "2 group labels for 12 points"),
        ] {
            do {
                _ = try await fitter.bootstrap(PowerLaw(), data: data, fit: fit, options: options)
                Issue.record("expected an error mentioning \(fragment)")
            } catch {
                #expect(error.description.contains(fragment))
            }
        }
    }

    @Test func percentileIntervalIsTypeSeven() {
        // numpy.percentile([1…10], [10, 90]) = [1.9, 9.1] (linear interpolation, Hyndman & Fan type 7).
        let (lower, upper) = percentileInterval((1...10).map(Double.init), level: 0.8)
        #expect(abs(lower - 1.9) < 1e-12 && abs(upper - 9.1) < 1e-12)
    }

    /// Over 40 simulated data sets with known truth, the 80% percentile interval of α covers the
    /// true α about 80% of the time. With 12 points the percentile bootstrap under-covers a little
    /// (Efron & Tibshirani 1993, §13.3), and 40 trials have a binomial sd of 6 points, hence the
    /// acceptance band [0.6, 0.95].
    @Test func eightyPercentIntervalsCoverTheTruth() async throws {
        let fitter = Fitter()
        var covered = 0
        let trials = 40
        for trial in 0..<trials {
            let data = syntheticPowerLaw(sigma: 0.01, points: 12, seed: UInt64(1000 + trial))
            let fit = try fitter.fit(PowerLaw(), to: data)
            let result = try await fitter.bootstrap(PowerLaw(), data: data, fit: fit, options: BootstrapOptions(replicates: 200, seed: UInt64(trial)))
            let interval = try #require(result["alpha"])
            if interval.lower <= 0.34 && 0.34 <= interval.upper { covered += 1 }
        }
        let coverage = Double(covered) / Double(trials)
        print("80% interval coverage of alpha over \(trials) trials: \(coverage)")
        #expect(coverage >= 0.6 && coverage <= 0.95)
    }

    @Test func groupResamplingKeepsGroupsTogether() async throws {
        // Two groups of points with different offsets: resampling groups draws whole groups.
        var data = syntheticPowerLaw(sigma: 0.01, points: 12, seed: 3)
        data.y = data.y.enumerated().map { $0.offset % 2 == 0 ? $0.element : $0.element * 1.05 }
        let groups = (0..<12).map { $0 % 2 }
        let fitter = Fitter()
        let fit = try fitter.fit(PowerLaw(), to: data)
        let result = try await fitter.bootstrap(PowerLaw(), data: data, fit: fit,
                                            options: BootstrapOptions(replicates: 50, seed: 1, resampling: .groups(groups)))
        // With 2 groups, half the resamples hold one group twice, which has 6 distinct x: still fittable.
        #expect(result.succeeded == 50)
        let offsets = Set(result.thetas.map { ($0[1] * 100).rounded() })
        #expect(offsets.count >= 2)
    }
}

@Suite struct LawComparisonTests {
    @Test func aiccFollowsItsFormula() throws {
        let data = syntheticPowerLaw(sigma: 0.01, points: 15, seed: 11)
        let comparison = Fitter().compare([PowerLaw()], data: data)
        let score = try #require(comparison.scores.first)
        let rss = try #require(score.rss)
        let n = 15.0, k = 3.0
        // Hurvich & Tsai (1989): AICc = n ln(RSS/n) + 2k + 2k(k+1)/(n−k−1).
        #expect(abs(score.aicc! - (n * log(rss / n) + 2 * k + 2 * k * (k + 1) / (n - k - 1))) < 1e-9)
        #expect(score.weight == 1 && score.deltaAICc == 0)
    }

    /// Twins at one scale (Pythia's standard and deduplicated models) share the scale's departure
    /// from the law: AICc's small-sample term counts the 6 scales, its likelihood term the 12 points.
    @Test func twinPointsCountOnceInTheSmallSampleTerm() throws {
        var generator = SplitMix64(seed: 21)
        var x: [Double] = [], y: [Double] = []
        for scale in (0..<6).map({ pow(10, 7.5 + 0.4 * Double($0)) }) {
            for _ in 0..<2 {
                x.append(scale)
                y.append(0.9 - 3 * pow(scale, -0.15) + 0.01 * (Double(generator.next() % 1000) / 500 - 1))
            }
        }
        var fitter = Fitter()
        fitter.residualSpace = .linear
        let comparison = fitter.compare([SaturatingPowerLaw(), LogisticLaw()], data: FitData(x: x, y: y))
        #expect(comparison.scores.count == 2)
        for score in comparison.scores {
            #expect(score.points == 12 && score.scales == 6)
            let rss = try #require(score.rss), aicc = try #require(score.aicc)
            let n = 12.0, m = 6.0, k = Double(score.parameters)
            #expect(abs(aicc - (n * log(rss / n) + 2 * k + 2 * k * (k + 1) / (m - k - 1))) < 1e-9)
        }
        // Three copies of four scales: the 3-parameter law fits (4 ≥ k + 1) but cannot be ranked (4 < k + 2).
        let few = FitData(x: Array(x.prefix(8)) + Array(x.prefix(8)).enumerated().filter { $0.offset % 2 == 0 }.map(\.element),
                          y: Array(y.prefix(8)) + Array(y.prefix(8)).enumerated().filter { $0.offset % 2 == 0 }.map { $0.element + 0.002 })
        let unranked = fitter.compare([SaturatingPowerLaw()], data: few)
        #expect(unranked.scores[0].fit != nil && unranked.scores[0].aicc == nil && unranked.best == nil)
        #expect(unranked.verdict.hasPrefix("4 distinct scales are too few"))
    }

    @Test func prefersTheLawThatMadeTheData() throws {
        let power = syntheticPowerLaw(sigma: 0.01, points: 15, seed: 12)
        let laws: [any ScalingLaw] = [PowerLaw(), LogisticLaw(), BrokenNeuralScalingLaw(breaks: 1)]
        let onPower = Fitter().compare(laws, data: power)
        #expect(onPower.scores.first?.law == "power" || onPower.indistinguishable.contains("power"))
        #expect(onPower.scores.first { $0.law == "logistic" }!.deltaAICc! > 2)

        // An emergent accuracy: chance 0.25 until 1e9, then a sigmoid to 0.9.
        let x = (0..<16).map { pow(10, 7 + 4 * Double($0) / 15) }
        var generator = SplitMix64(seed: 4)
        let y = x.map { 0.25 + 0.65 / (1 + exp(-3 * (log10($0) - 9.5))) + 0.005 * (Double(generator.next() % 1000) / 500 - 1) }
        let onSigmoid = Fitter().compare(laws, data: FitData(x: x, y: y))
        #expect(onSigmoid.residualSpace == .log)
        #expect(onSigmoid.scores.first?.law == "logistic")
        #expect(onSigmoid.verdict.contains("logistic"))
    }
}
