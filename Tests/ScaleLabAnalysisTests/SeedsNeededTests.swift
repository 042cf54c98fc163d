import Foundation
import ScaleLabFit
import Testing

@testable import ScaleLabAnalysis

/// A planted 1-break BNSL: a loss-like curve y = 1.5 + 5.6·x^(−0.05)·(1 + (x/10⁹)^(1/0.3))^(−0.5·0.3)
/// that bends at d = 10⁹ (4.00 at 10⁷, 3.29 at 10⁹, 1.658 at 10¹¹), run on ten scales from 10⁷ to
/// 10¹¹ and predicted at 10¹², a decade past the ladder, where it is 1.5445.
///
/// The linearised standard deviation of that prediction (Gauss–Newton covariance of the log-residual
/// fit, computed separately with numpy) is 0.036·σ/0.02 with one seed per scale, shrinking as 1/√r.
/// With the ladder ending at 10¹⁰ and the target at 10¹¹ it is 0.17·σ/0.02: extrapolating a decade
/// with only one decade seen past the break barely pins the floor a.
enum PlantedBreak {
    static let theta = [1.5, log(5.6), 0.05, 0.5, log(1e9), log(0.3)]
    static let ladder = (0..<10).map { pow(10, 7 + 4 * Double($0) / 9) }
    static let target = 1e12
}

@Suite("Seeds needed near a break")
struct SeedsNeededTests {
    static func show(_ report: SeedsNeededReport) {
        print(report.summary)
        for row in report.rows {
            print(String(format: "%@ r=%d scales=%d runs=%d success=%.2f±%.2f median=%.4f p90=%.4f failed=%d",
                         row.design.rawValue, row.seeds, row.scales, row.runs, row.success, row.successStderr,
                         row.medianError, row.p90Error, row.failedFits))
        }
        for note in report.notes { print("note:", note) }
    }

    @Test("the planted law's values")
    func plantedLaw() {
        let y = SeedsNeeded.law.predict(PlantedBreak.theta, x: [1e7, 1e9, 1e11, 1e12])
        for (value, expected) in zip(y, [4.0014, 3.2907, 1.6578, 1.5445]) { #expect(abs(value - expected) < 1e-4) }
    }

    @Test("more seeds never lower the success rate beyond Monte-Carlo noise")
    func moreSeedsHelp() async throws {
        let report = try await SeedsNeeded.plan(
            planted: PlantedBreak.theta, scales: PlantedBreak.ladder, noise: SeedNoise(sd: 0.02), target: PlantedBreak.target,
            tolerance: 0.02, options: SeedsNeededOptions(simulations: 100, seed: 1, extraScalesNearBreak: 3))
        Self.show(report)
        #expect(report.rows.count == 15)
        // 6.0e8 and 1.67e9 lie within ×3 of 10⁹.
        #expect(report.nearBreakScales.count == 2)
        #expect(report.extraScales.count == 3)
        for design in SeedsNeededDesign.allCases {
            let rows = report.rows.filter { $0.design == design }.sorted { $0.seeds < $1.seeds }
            for (fewer, more) in zip(rows, rows.dropFirst()) {
                // Two Monte-Carlo standard errors of the difference, as if the shares were independent
                // (they share their draws, so the real noise of the difference is smaller).
                let allowance = 2 * (fewer.successStderr * fewer.successStderr + more.successStderr * more.successStderr).squareRoot()
                #expect(more.success >= fewer.success - allowance, "\(design.rawValue): r = \(fewer.seeds) → \(more.seeds)")
                #expect(more.medianError <= fewer.medianError * 1.25)
            }
        }
        // Linearised theory: sd 0.036/√r, so P(|error| ≤ 0.02) ≈ 0.42, 0.58, 0.73, 0.88, 0.97 for
        // r = 1…16: 8 seeds everywhere (4 or 16 within Monte-Carlo noise).
        let everywhere = try #require(report.requirement(.everywhere)?.seeds)
        #expect([4, 8, 16].contains(everywhere))
    }

    @Test("without noise one seed is enough")
    func noiseFree() async throws {
        let report = try await SeedsNeeded.plan(
            planted: PlantedBreak.theta, scales: PlantedBreak.ladder, noise: SeedNoise(sd: 0), target: PlantedBreak.target,
            tolerance: 1e-3, options: SeedsNeededOptions(seedCounts: [1, 2], simulations: 10, seed: 3))
        Self.show(report)
        #expect(report.requirement(.everywhere)?.seeds == 1)
        #expect(report.requirement(.nearBreak)?.seeds == 1)
        #expect(report.rows.allSatisfy { $0.success == 1 && $0.medianError < 1e-6 && $0.failedFits == 0 })
    }

    /// With σ = 0.05 and a tolerance of 0.2σ = 0.01, one seed cannot do it: even if every parameter
    /// but the floor a were known, a prediction ŷ = â + g(target) has variance ≥ σ²/n over n runs
    /// (the Cramér–Rao bound for a, whose derivative is 1 at every point), so with one seed at 10
    /// scales its sd is ≥ σ/√10 = 0.0158 and P(|error| ≤ 0.01) ≤ P(|Z| ≤ 0.63) = 0.47 < 0.8.
    @Test("seed noise far above the tolerance needs more than one seed")
    func oneSeedCannotReach() async throws {
        let report = try await SeedsNeeded.plan(
            planted: PlantedBreak.theta, scales: PlantedBreak.ladder, noise: SeedNoise(sd: 0.05), target: PlantedBreak.target,
            tolerance: 0.01, options: SeedsNeededOptions(simulations: 100, seed: 11))
        Self.show(report)
        let oneSeed = try #require(report.rows.first { $0.design == .everywhere && $0.seeds == 1 })
        #expect(oneSeed.success < 0.6)
        let needed = report.requirement(.everywhere)?.seeds
        #expect(needed == nil || needed! > 1)
        #expect(report.summary.contains(needed == nil ? "not reached with ≤ 16" : "\(needed!) seeds"))
    }

    @Test("the same seed gives the same table")
    func deterministic() async throws {
        let options = SeedsNeededOptions(seedCounts: [1, 4], simulations: 40, seed: 99)
        func run(_ options: SeedsNeededOptions) async throws -> [SeedsNeededRow] {
            try await SeedsNeeded.plan(planted: PlantedBreak.theta, scales: PlantedBreak.ladder, noise: SeedNoise(sd: 0.03),
                                       target: PlantedBreak.target, tolerance: 0.03, options: options).rows
        }
        let first = try await run(options), second = try await run(options)
        #expect(first == second)
        var other = options
        other.seed = 100
        #expect(try await run(other) != first)
        // The table is plot-ready: it round-trips through JSON.
        let decoded = try JSONDecoder().decode([SeedsNeededRow].self, from: JSONEncoder().encode(first))
        #expect(decoded == first)
    }

    @Test("the noise comes from the caller, the replicates or the residuals")
    func noiseSource() async throws {
        var generator = SplitMix64(seed: 5)
        func normal() -> Double {
            let u1 = (Double(generator.next() >> 11) + 0.5) / 9_007_199_254_740_992
            let u2 = Double(generator.next() >> 11) / 9_007_199_254_740_992
            return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
        }
        let truth = SeedsNeeded.law.predict(PlantedBreak.theta, x: PlantedBreak.ladder)
        // Three seeds at every scale, σ = 0.02.
        let x = PlantedBreak.ladder.flatMap { [$0, $0, $0] }
        let y = truth.flatMap { value in (0..<3).map { _ in value + 0.02 * normal() } }
        let options = SeedsNeededOptions(seedCounts: [1, 4], simulations: 20, seed: 2)
        let replicated = try await SeedsNeeded.plan(x: x, y: y, target: PlantedBreak.target, tolerance: 0.05, options: options)
        Self.show(replicated)
        #expect(replicated.noise.source == .replicates)
        #expect(replicated.noise.degreesOfFreedom == 20)
        // 20 degrees of freedom: the estimate's relative sd is about 1/√40 ≈ 0.16.
        #expect(abs(replicated.noise.sd - 0.02) < 0.008)
        #expect(abs(replicated.breakScale / 1e9 - 1) < 1)

        let single = try await SeedsNeeded.plan(x: PlantedBreak.ladder, y: truth.map { $0 + 0.02 * normal() },
                                                target: PlantedBreak.target, tolerance: 0.05, options: options)
        #expect(single.noise.source == .residuals)
        let given = try await SeedsNeeded.plan(x: x, y: y, seedSD: 0.01, target: PlantedBreak.target, tolerance: 0.05, options: options)
        #expect(given.noise.source == .given && given.noise.sd == 0.01)
    }

    @Test("plans the data cannot support are refused with a reason")
    func refusals() async {
        await #expect(throws: SeedsNeededError.self) {
            try await SeedsNeeded.plan(planted: PlantedBreak.theta, scales: Array(PlantedBreak.ladder.prefix(6)),
                                       noise: SeedNoise(sd: 0.01), target: 1e11, tolerance: 0.01)
        }
        await #expect(throws: SeedsNeededError.self) {
            try await SeedsNeeded.plan(planted: PlantedBreak.theta, scales: PlantedBreak.ladder, noise: SeedNoise(sd: 0.01),
                                       target: 1e11, tolerance: 0.01, options: SeedsNeededOptions(seedCounts: []))
        }
        await #expect(throws: SeedsNeededError.self) {
            try await SeedsNeeded.plan(x: [1, 2, 3], y: [3, 2, 1], target: 10, tolerance: 0.1)
        }
    }
}
