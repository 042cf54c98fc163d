import Foundation
import ScaleLabFit

/// How many runs (training seeds) at which scales are needed to predict past a break within a
/// tolerance, by simulation from a fitted 1-break BNSL (Caballero et al. 2022).
///
/// Contract:
/// - The law: y = a + b·x^(−c0)·(1 + (x/d)^(1/f))^(−c1·f), fitted to the ladder (all points,
///   replicate seeds included) or given (a planted θ). Its prediction at `target` is the truth.
/// - Seed noise σ, in the units of y, additive and Gaussian: a given `seedSD` when there is one
///   (an explicit value, e.g. from a separate seed study, is the user's decision); else the pooled
///   standard deviation of replicate points sharing an x, Σ(y − ȳ_x)² / Σ(k_x − 1); else the fit's
///   residual standard deviation √(Σ(y − ŷ)² / (n − 6)), which also holds any misfit of the law
///   and so overstates σ when the law is wrong. ``SeedNoise/source`` says which.
/// - Designs, for every r in `seedCounts`: ``SeedsNeededDesign/everywhere`` (r seeds at every scale
///   of the ladder), ``SeedsNeededDesign/nearBreak`` (r seeds at the scales within a factor
///   `nearBreakFactor` of the break d, one seed elsewhere) and, when `extraScalesNearBreak` > 0,
///   ``SeedsNeededDesign/extraScalesNearBreak`` (the near-break design plus that many new scales
///   spread evenly in log x over [d / factor, d · factor], r seeds each).
/// - Each simulation draws y = f(x) + σ·z per run (draws below a floor of 10⁻⁶ × the smallest
///   true value are raised to it: the law is fitted on log residuals; the report notes how many),
///   refits the BNSL warm-started from the true θ (``Fitter/refine(_:to:from:)``: fast, and it
///   measures the statistical error of the design, not the risk of the multistart search landing
///   in a wrong basin, so the needs it reports are lower bounds), and records |ŷ(target) − f(target)|.
///   A refit that fails counts as a miss.
/// - Per design: the share within `tolerance` (with its Monte-Carlo standard error √(s(1 − s)/S)),
///   the median and 90th percentile of the error over the successful refits; per design kind, the
///   smallest r whose share reaches `successRate`, or none.
/// - Determinism: the noise of run j at scale i in simulation s comes from its own SplitMix64
///   stream seeded by (seed, s, i, j), whatever the scheduling. The streams are shared across
///   designs (common random numbers): a design with more seeds sees the same first draws plus
///   more, so differences between designs are not Monte-Carlo noise between independent draws.
public enum SeedsNeeded {
    /// The law the plan simulates.
    public static let law = BrokenNeuralScalingLaw(breaks: 1)

    /// Fits a 1-break BNSL to the ladder (`x` may repeat for replicate seeds), estimates the seed
    /// noise, and simulates the designs.
    public static func plan(
        x: [Double], y: [Double], seedSD: Double? = nil, target: Double, tolerance: Double,
        options: SeedsNeededOptions = SeedsNeededOptions()
    ) async throws(SeedsNeededError) -> SeedsNeededReport {
        guard x.count == y.count else { throw SeedsNeededError("\(x.count) scales for \(y.count) scores: give one score per run") }
        if let seedSD, !(seedSD.isFinite && seedSD >= 0) {
            throw SeedsNeededError("seed standard deviation \(seedSD): give a finite value ≥ 0 in the units of the score")
        }
        let data = FitData(x: x, y: y)
        let fit: FitResult
        do {
            fit = try Fitter().fit(law, to: data)
        } catch {
            throw SeedsNeededError("the ladder cannot support a 1-break BNSL: \(error)")
        }
        let noise = estimateNoise(x: x, y: y, theta: fit.theta, given: seedSD)
        var report = try await plan(planted: fit.theta, scales: x, noise: noise, target: target,
                                    tolerance: tolerance, options: options)
        report.notes.insert(String(format: "BNSL fitted to %d runs at %d scales: RMSE %.3g (log residuals)%@",
                                   x.count, Set(x).count, fit.rmse, fit.converged ? "" : ", not converged: \(fit.message)"), at: 0)
        if !fit.atBounds.isEmpty { report.notes.append("fitted parameters at a bound: \(fit.atBounds.joined(separator: ", "))") }
        return report
    }

    /// Simulates the designs around a known law θ (`law`'s internal parameters: a, log b, c0, c1,
    /// log d, log f) on the ladder's distinct `scales` with seed noise `noise`.
    public static func plan(
        planted theta: [Double], scales: [Double], noise: SeedNoise, target: Double, tolerance: Double,
        options: SeedsNeededOptions = SeedsNeededOptions()
    ) async throws(SeedsNeededError) -> SeedsNeededReport {
        try options.validate()
        guard theta.count == law.internalNames.count, theta.allSatisfy(\.isFinite) else {
            throw SeedsNeededError("θ has \(theta.count) values; a 1-break BNSL needs \(law.internalNames.count) finite ones (\(law.internalNames.joined(separator: ", ")))")
        }
        guard tolerance.isFinite, tolerance > 0 else { throw SeedsNeededError("tolerance \(tolerance): give a positive error in the units of the score") }
        guard target.isFinite, target > 0 else { throw SeedsNeededError("target scale \(target): give a positive x to predict at") }
        guard noise.sd.isFinite, noise.sd >= 0 else { throw SeedsNeededError("seed noise \(noise.sd): give a finite standard deviation ≥ 0") }
        let ladder = Array(Set(scales)).sorted()
        guard ladder.allSatisfy({ $0.isFinite && $0 > 0 }) else { throw SeedsNeededError("scales must be positive and finite") }
        let needed = law.internalNames.count + 1
        guard ladder.count >= needed else {
            throw SeedsNeededError("\(ladder.count) distinct scales: refitting a 1-break BNSL needs at least \(needed)")
        }
        var notes: [String] = []
        let breakScale = exp(theta[4])
        let factor = options.nearBreakFactor
        let nearBreak = ladder.indices.filter { ladder[$0] >= breakScale / factor && ladder[$0] <= breakScale * factor }
        if nearBreak.isEmpty {
            notes.append(String(format: "no scale of the ladder lies within ×%.3g of the break (%.3g): the near-break design equals one seed everywhere", factor, breakScale))
        }
        if target <= breakScale { notes.append(String(format: "the target %.3g is not past the break %.3g", target, breakScale)) }
        let k = options.extraScalesNearBreak
        let extra = (0..<k).map { j in
            exp(log(breakScale / factor) + (Double(j) + 0.5) / Double(k) * 2 * log(factor))
        }.filter { !ladder.contains($0) }
        let truth = law.predict(theta, x: [target])[0]
        guard truth.isFinite else { throw SeedsNeededError("the law is not finite at the target \(target)") }

        // Each design: (design, r) and its runs as (scale, stream index of the scale, seeds there).
        var designs: [Design] = []
        for r in options.seedCounts.sorted() {
            designs.append(Design(kind: .everywhere, seeds: r, runs: ladder.indices.map { (ladder[$0], $0, r) }))
            designs.append(Design(kind: .nearBreak, seeds: r,
                                  runs: ladder.indices.map { (ladder[$0], $0, nearBreak.contains($0) ? r : 1) }))
            if !extra.isEmpty {
                designs.append(Design(kind: .extraScalesNearBreak, seeds: r,
                                      runs: ladder.indices.map { (ladder[$0], $0, nearBreak.contains($0) ? r : 1) }
                                        + extra.indices.map { (extra[$0], 1_000 + $0, r) }))
            }
        }
        let allScales = ladder + extra
        let floor = 1e-6 * law.predict(theta, x: allScales).map { abs($0) }.filter { $0 > 0 }.min()!

        let outcomes = await simulate(designs: designs, theta: theta, sd: noise.sd, target: target, truth: truth,
                                      floor: floor, options: options)
        var rows: [SeedsNeededRow] = []
        var clamped = 0
        for (index, design) in designs.enumerated() {
            let results = outcomes[index]
            clamped += results.reduce(0) { $0 + $1.clamped }
            let errors = results.compactMap(\.error)
            let hits = errors.filter { $0 <= tolerance }.count
            let success = Double(hits) / Double(options.simulations)
            let sorted = errors.sorted()
            rows.append(SeedsNeededRow(
                design: design.kind, seeds: design.seeds, scales: design.runs.count,
                runs: design.runs.reduce(0) { $0 + $1.seeds }, simulations: options.simulations,
                failedFits: options.simulations - errors.count, success: success,
                successStderr: (success * (1 - success) / Double(options.simulations)).squareRoot(),
                medianError: empiricalQuantile(sorted: sorted, 0.5), p90Error: empiricalQuantile(sorted: sorted, 0.9)))
        }
        if clamped > 0 {
            notes.append("\(clamped) simulated runs fell below \(String(format: "%.3g", floor)) and were raised to it (the law is fitted on log residuals)")
        }
        let kinds = SeedsNeededDesign.allCases.filter { kind in rows.contains { $0.design == kind } }
        let requirements = kinds.map { kind -> SeedsNeededRequirement in
            let row = rows.filter { $0.design == kind }.sorted { $0.seeds < $1.seeds }.first { $0.success >= options.successRate }
            return SeedsNeededRequirement(design: kind, seeds: row?.seeds, runs: row?.runs)
        }
        let maximum = options.seedCounts.max()!
        let sentences = requirements.map { requirement -> String in
            let what: String
            switch requirement.design {
            case .everywhere: what = "seeds at each of the \(ladder.count) scales"
            case .nearBreak: what = "seeds at the \(nearBreak.count) scales within ×\(String(format: "%.3g", factor)) of the break (one elsewhere)"
            case .extraScalesNearBreak: what = "seeds near the break plus \(extra.count) new scales there"
            }
            guard let seeds = requirement.seeds, let runs = requirement.runs else { return "not reached with ≤ \(maximum) \(what)" }
            return "\(seeds) \(what) (\(runs) runs)"
        }
        let summary = String(format: "predicting y(%.3g) = %.4g within ±%.3g in %.0f%% of %d simulations, with seed noise σ = %.3g (%@): ",
                             target, truth, tolerance, 100 * options.successRate, options.simulations, noise.sd, noise.source.rawValue)
            + sentences.joined(separator: "; ")
        return SeedsNeededReport(
            law: law.name, theta: theta, parameters: law.parameters(theta), breakScale: breakScale, ladder: ladder,
            nearBreakScales: nearBreak.map { ladder[$0] }, extraScales: extra, target: target, truth: truth,
            tolerance: tolerance, noise: noise, options: options, rows: rows, needed: requirements,
            summary: summary, notes: notes)
    }

    /// The seed noise: `given`, else pooled over replicate x, else the residual sd of the fit θ.
    public static func estimateNoise(x: [Double], y: [Double], theta: [Double], given: Double?) -> SeedNoise {
        if let given { return SeedNoise(sd: given, source: .given, degreesOfFreedom: nil) }
        let groups = Dictionary(grouping: x.indices) { x[$0] }.values.filter { $0.count > 1 }
        let freedom = groups.reduce(0) { $0 + $1.count - 1 }
        if freedom > 0 {
            let sum = groups.reduce(0.0) { total, group in
                let mean = group.reduce(0) { $0 + y[$1] } / Double(group.count)
                return total + group.reduce(0) { $0 + (y[$1] - mean) * (y[$1] - mean) }
            }
            return SeedNoise(sd: (sum / Double(freedom)).squareRoot(), source: .replicates, degreesOfFreedom: freedom)
        }
        let predicted = law.predict(theta, x: x)
        let freedomLeft = max(x.count - theta.count, 1)
        let sum = zip(y, predicted).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
        return SeedNoise(sd: (sum / Double(freedomLeft)).squareRoot(), source: .residuals, degreesOfFreedom: x.count - theta.count)
    }

    struct Design: Sendable {
        var kind: SeedsNeededDesign
        var seeds: Int
        var runs: [(x: Double, stream: Int, seeds: Int)]
    }

    struct Outcome: Sendable {
        var error: Double?
        var clamped: Int
    }

    /// Outcomes per design, in simulation order, computed in parallel over all cores.
    private static func simulate(designs: [Design], theta: [Double], sd: Double, target: Double, truth: Double,
                                 floor: Double, options: SeedsNeededOptions) async -> [[Outcome]] {
        let jobs = designs.count * options.simulations
        let workers = max(1, ProcessInfo.processInfo.activeProcessorCount)
        let results = await withTaskGroup(of: [(Int, Outcome)].self) { group in
            for worker in 0..<workers {
                group.addTask {
                    var done: [(Int, Outcome)] = []
                    for job in stride(from: worker, to: jobs, by: workers) {
                        let design = designs[job / options.simulations], simulation = job % options.simulations
                        done.append((job, run(design, simulation: simulation, theta: theta, sd: sd, target: target,
                                              truth: truth, floor: floor, seed: options.seed)))
                    }
                    return done
                }
            }
            var all = [Outcome](repeating: Outcome(error: nil, clamped: 0), count: jobs)
            for await part in group { for (job, outcome) in part { all[job] = outcome } }
            return all
        }
        return designs.indices.map { Array(results[($0 * options.simulations)..<(($0 + 1) * options.simulations)]) }
    }

    private static func run(_ design: Design, simulation: Int, theta: [Double], sd: Double, target: Double,
                            truth: Double, floor: Double, seed: UInt64) -> Outcome {
        var x: [Double] = [], y: [Double] = []
        var clamped = 0
        let means = law.predict(theta, x: design.runs.map(\.x))
        for (index, scale) in design.runs.enumerated() {
            for replicate in 0..<scale.seeds {
                let draw = means[index] + sd * standardNormal(seed: seed, simulation: simulation, scale: scale.stream, replicate: replicate)
                if draw < floor { clamped += 1 }
                x.append(scale.x)
                y.append(max(draw, floor))
            }
        }
        guard let refit = try? Fitter().refine(law, to: FitData(x: x, y: y), from: theta) else {
            return Outcome(error: nil, clamped: clamped)
        }
        let prediction = law.predict(refit, x: [target])[0]
        return Outcome(error: prediction.isFinite ? abs(prediction - truth) : nil, clamped: clamped)
    }

    /// A standard normal draw (Box–Muller) from the stream of (seed, simulation, scale, replicate).
    static func standardNormal(seed: UInt64, simulation: Int, scale: Int, replicate: Int) -> Double {
        var state = seed
        for value in [simulation, scale, replicate] {
            var mixer = SplitMix64(seed: state ^ (UInt64(truncatingIfNeeded: value) &* 0xD1B5_4A32_D192_ED03))
            state = mixer.next()
        }
        var generator = SplitMix64(seed: state)
        let u1 = (Double(generator.next() >> 11) + 0.5) / 9_007_199_254_740_992
        let u2 = Double(generator.next() >> 11) / 9_007_199_254_740_992
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }
}

/// Settings of ``SeedsNeeded``.
public struct SeedsNeededOptions: Sendable, Codable, Hashable {
    /// Seeds per scale to try.
    public var seedCounts: [Int]
    /// Simulations per design.
    public var simulations: Int
    public var seed: UInt64
    /// The share of simulations within tolerance a design must reach.
    public var successRate: Double
    /// Scales within [d / factor, d · factor] of the break d count as near it.
    public var nearBreakFactor: Double
    /// New scales added near the break in the third design; 0 leaves that design out.
    public var extraScalesNearBreak: Int

    public init(seedCounts: [Int] = [1, 2, 4, 8, 16], simulations: Int = 200, seed: UInt64 = 42, successRate: Double = 0.8,
                nearBreakFactor: Double = 3, extraScalesNearBreak: Int = 0) {
        self.seedCounts = seedCounts
        self.simulations = simulations
        self.seed = seed
        self.successRate = successRate
        self.nearBreakFactor = nearBreakFactor
        self.extraScalesNearBreak = extraScalesNearBreak
    }

    func validate() throws(SeedsNeededError) {
        guard !seedCounts.isEmpty, seedCounts.allSatisfy({ $0 >= 1 }) else {
            throw SeedsNeededError("seed counts \(seedCounts): give one or more counts ≥ 1, e.g. 1, 2, 4, 8, 16")
        }
        guard simulations >= 1 else { throw SeedsNeededError("\(simulations) simulations: ask for at least 1 (200 is usual)") }
        guard successRate > 0, successRate <= 1 else {
            throw SeedsNeededError("success rate \(successRate): give a share in (0, 1], e.g. 0.8")
        }
        guard nearBreakFactor.isFinite, nearBreakFactor > 1 else {
            throw SeedsNeededError("near-break factor \(nearBreakFactor): give a factor > 1, e.g. 3")
        }
        guard extraScalesNearBreak >= 0 else { throw SeedsNeededError("\(extraScalesNearBreak) extra scales: give 0 or more") }
    }
}

/// Where the runs go.
public enum SeedsNeededDesign: String, Sendable, Codable, CaseIterable {
    /// r seeds at every scale of the ladder.
    case everywhere
    /// r seeds at the scales near the break, one elsewhere.
    case nearBreak = "near-break"
    /// The near-break design plus new scales near the break with r seeds each.
    case extraScalesNearBreak = "near-break-extra-scales"
}

/// The per-seed noise the simulations draw, and where it came from.
public struct SeedNoise: Sendable, Codable, Hashable {
    public enum Source: String, Sendable, Codable {
        /// Given by the caller.
        case given
        /// Pooled over replicate runs at the same scale.
        case replicates
        /// The residual standard deviation of the ladder's fit (includes misfit).
        case residuals
    }

    /// Standard deviation of one run's score, in the units of the score.
    public var sd: Double
    public var source: Source
    /// Degrees of freedom behind an estimated sd.
    public var degreesOfFreedom: Int?

    public init(sd: Double, source: Source = .given, degreesOfFreedom: Int? = nil) {
        self.sd = sd
        self.source = source
        self.degreesOfFreedom = degreesOfFreedom
    }
}

/// One design's outcome: a row of the plot-ready table.
public struct SeedsNeededRow: Sendable, Codable, Hashable {
    public var design: SeedsNeededDesign
    /// r, the seeds at the scales the design favours.
    public var seeds: Int
    /// Distinct scales run.
    public var scales: Int
    /// Total runs.
    public var runs: Int
    public var simulations: Int
    public var failedFits: Int
    /// Share of simulations whose prediction at the target is within tolerance.
    public var success: Double
    /// Monte-Carlo standard error of `success`.
    public var successStderr: Double
    /// Median and 90th percentile of |prediction − truth| over the successful refits.
    public var medianError: Double
    public var p90Error: Double
}

/// The smallest r of one design kind that reaches the success rate; nil when none does.
public struct SeedsNeededRequirement: Sendable, Codable, Hashable {
    public var design: SeedsNeededDesign
    public var seeds: Int?
    public var runs: Int?
}

/// The plan: the law, the noise, the table and what each design needs.
public struct SeedsNeededReport: Sendable, Codable {
    public var law: String
    public var theta: [Double]
    public var parameters: [String: Double]
    /// The break d.
    public var breakScale: Double
    /// Distinct scales of the ladder.
    public var ladder: [Double]
    public var nearBreakScales: [Double]
    public var extraScales: [Double]
    public var target: Double
    /// The law's value at the target.
    public var truth: Double
    public var tolerance: Double
    public var noise: SeedNoise
    public var options: SeedsNeededOptions
    public var rows: [SeedsNeededRow]
    public var needed: [SeedsNeededRequirement]
    public var summary: String
    public var notes: [String]

    public func requirement(_ design: SeedsNeededDesign) -> SeedsNeededRequirement? { needed.first { $0.design == design } }
}

/// Options or data the seeds-needed plan cannot use; the message says what to give instead.
public struct SeedsNeededError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
