import Foundation

/// A small, fast, deterministic generator (SplitMix64, Steele, Lea & Flood 2014). Bootstrap
/// replicate i draws from its own stream seeded by (seed, i), so results do not depend on how
/// replicates are scheduled across cores.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// The stream of replicate `index` of a run seeded with `seed`.
    public static func stream(seed: UInt64, index: Int) -> SplitMix64 {
        var mixer = SplitMix64(seed: seed ^ (UInt64(truncatingIfNeeded: index) &* 0xD1B5_4A32_D192_ED03))
        return SplitMix64(seed: mixer.next())
    }
}

/// Settings of a bootstrap (Efron & Tibshirani 1993, ch. 6 and 13).
public struct BootstrapOptions: Sendable {
    /// What is resampled with replacement.
    public enum Resampling: Sendable, Equatable {
        /// Individual points (the classic case resampling).
        case points
        /// Whole groups (a training seed, a model family): group `groups[i]` holds point i. Points
        /// of one group share their errors, so resampling them together keeps intervals honest.
        case groups([Int])
    }

    public var replicates: Int
    public var seed: UInt64
    /// Central coverage of the percentile intervals (0.8 → 10th to 90th percentile).
    public var level: Double
    public var resampling: Resampling

    public init(replicates: Int = 1000, seed: UInt64 = 42, level: Double = 0.8, resampling: Resampling = .points) {
        self.replicates = replicates
        self.seed = seed
        self.level = level
        self.resampling = resampling
    }
}

extension BootstrapOptions {
    /// The point indices of replicate `index` of `count` points: drawn with replacement from the
    /// replicate's own stream, points one by one or whole groups at a time.
    public func indices(forReplicate index: Int, count: Int) -> [Int] {
        var generator = SplitMix64.stream(seed: seed, index: index)
        var picked: [Int] = []
        picked.reserveCapacity(count)
        switch resampling {
        case .points:
            for _ in 0..<count { picked.append(Int(generator.next() % UInt64(count))) }
        case .groups(let groups):
            let members = Dictionary(grouping: 0..<count) { groups[$0] }
            let keys = members.keys.sorted()
            for _ in 0..<keys.count { picked += members[keys[Int(generator.next() % UInt64(keys.count))]]! }
        }
        return picked
    }
}

/// A percentile interval for one named quantity.
public struct Interval: Sendable, Codable, Equatable {
    public var name: String
    public var estimate: Double
    public var lower: Double
    public var upper: Double
}

/// The bootstrap distribution of a fit: parameter intervals, and the replicate solutions for
/// prediction intervals at any x.
public struct BootstrapResult: Sendable, Codable {
    public var requested: Int
    /// Replicates whose refit succeeded (a resample with too few distinct x is skipped).
    public var succeeded: Int
    public var level: Double
    public var parameters: [Interval]
    /// θ of each successful replicate, in replicate order.
    public var thetas: [[Double]]

    public subscript(_ name: String) -> Interval? { parameters.first { $0.name == name } }

    /// The percentile interval of the prediction at one input.
    public func prediction(_ law: any ScalingLaw, estimate: [Double], x: Double, x2: Double? = nil) -> Interval {
        let point = law.predict(estimate, x: [x], x2: x2.map { [$0] })[0]
        let draws = thetas.map { law.predict($0, x: [x], x2: x2.map { [$0] })[0] }.filter(\.isFinite)
        let (lower, upper) = percentileInterval(draws, level: level)
        return Interval(name: "y(\(x))", estimate: point, lower: lower, upper: upper)
    }
}

/// The empirical quantile `q` of ascending `sorted` values (linear interpolation, Hyndman & Fan
/// type 7); q = ½ is the median (the mean of the two middle values for an even count). NaN when empty.
/// Values may include ±∞ (an unbounded bootstrap draw): between an infinite and a finite
/// neighbour the quantile is the infinite one unless it falls exactly on the finite one.
public func empiricalQuantile(sorted: [Double], _ q: Double) -> Double {
    guard !sorted.isEmpty else { return .nan }
    let position = q * Double(sorted.count - 1)
    let below = Int(position.rounded(.down)), above = min(below + 1, sorted.count - 1)
    let fraction = position - Double(below)
    if fraction == 0 { return sorted[below] }
    if sorted[below].isInfinite || sorted[above].isInfinite { return sorted[above].isInfinite ? sorted[above] : sorted[below] }
    return sorted[below] + (sorted[above] - sorted[below]) * fraction
}

/// The (1 − level)/2 and (1 + level)/2 empirical quantiles (``empiricalQuantile(sorted:_:)``).
public func percentileInterval(_ values: [Double], level: Double) -> (lower: Double, upper: Double) {
    let sorted = values.sorted()
    return (empiricalQuantile(sorted: sorted, (1 - level) / 2), empiricalQuantile(sorted: sorted, (1 + level) / 2))
}

extension Fitter {
    /// Refits `law` on resampled data `options.replicates` times, in parallel over all cores, each
    /// refit warm-started from the full-data solution and from the data-driven start that scores
    /// best on the resample. Deterministic for a given seed, whatever the scheduling.
    ///
    /// - Throws: ``FitInputError`` for options that cannot be honoured: no replicates, a level
    ///   outside (0, 1), or group labels that do not give one group per point.
    public func bootstrap(_ law: any ScalingLaw, data: FitData, fit: FitResult, options: BootstrapOptions,
                          progress: (@Sendable (Int) -> Void)? = nil) async throws(FitInputError) -> BootstrapResult {
        guard options.replicates >= 1 else {
            throw FitInputError("\(options.replicates) bootstrap replicates: ask for at least 1 (1000 is usual)")
        }
        guard options.level > 0, options.level < 1 else {
            throw FitInputError("bootstrap level \(options.level) is not a coverage: give a value between 0 and 1 (0.8 → 10th to 90th percentile)")
        }
        if case .groups(let groups) = options.resampling, groups.count != data.count {
            throw FitInputError("\(groups.count) group labels for \(data.count) points: give one group per point")
        }
        guard fit.theta.count == law.internalNames.count else {
            throw FitInputError("the fit has \(fit.theta.count) parameters but \(law.name) has \(law.internalNames.count): bootstrap the law that was fitted")
        }
        // Cold starts are derived once from the full data (a grid search per replicate would cost
        // more than the refits), keeping the 16 that fit it best.
        let space = residualSpace ?? law.residualSpace
        let (lower, upper) = law.bounds(for: data)
        let fullSolver = LevenbergMarquardt(law: law, data: data, loss: loss, space: space, lower: lower, upper: upper)
        var scratch = [Double](repeating: 0, count: data.count)
        let coldStarts = law.initialGuesses(for: data)
            .map { ($0, fullSolver.objective($0, values: &scratch)) }
            .filter { $0.1.isFinite }
            .sorted { $0.1 < $1.1 }
            .prefix(16)
            .map(\.0)

        let workers = max(1, ProcessInfo.processInfo.activeProcessorCount)
        let count = options.replicates
        let chunks = (0..<workers).map { worker in stride(from: worker, to: count, by: workers).map { $0 } }
        let fitter = self
        let solutions: [(Int, [Double])] = await withTaskGroup(of: [(Int, [Double])].self) { group in
            for chunk in chunks where !chunk.isEmpty {
                group.addTask {
                    var out: [(Int, [Double])] = []
                    for index in chunk {
                        if let theta = fitter.replicate(index, law: law, data: data, fit: fit, coldStarts: coldStarts, options: options) {
                            out.append((index, theta))
                        }
                        progress?(index)
                    }
                    return out
                }
            }
            var all: [(Int, [Double])] = []
            for await part in group { all += part }
            return all.sorted { $0.0 < $1.0 }
        }
        let thetas = solutions.map(\.1)
        let estimates = law.parameters(fit.theta)
        let draws = thetas.map(law.parameters)
        let intervals = law.parameterNames.map { name -> Interval in
            let (lower, upper) = percentileInterval(draws.compactMap { $0[name] }.filter(\.isFinite), level: options.level)
            return Interval(name: name, estimate: estimates[name] ?? .nan, lower: lower, upper: upper)
        }
        return BootstrapResult(requested: count, succeeded: thetas.count, level: options.level, parameters: intervals, thetas: thetas)
    }

    /// One replicate: resample, then refine from the full-data θ and the cold start that fits the
    /// resample best.
    func replicate(_ index: Int, law: any ScalingLaw, data: FitData, fit: FitResult, coldStarts: [[Double]],
                   options: BootstrapOptions) -> [Double]? {
        let sample = data.subset(options.indices(forReplicate: index, count: data.count))
        return refit(law, to: sample, warmStart: fit.theta, coldStarts: coldStarts)
    }

    /// θ refined on `sample` from `warmStart` and from whichever of `coldStarts` fits the sample
    /// best, the lower objective winning; nil when the sample cannot support the law. Cold starts
    /// are only computed for a valid sample.
    public func refit(_ law: any ScalingLaw, to sample: FitData, warmStart: [Double],
               coldStarts: @autoclosure () -> [[Double]]) -> [Double]? {
        guard (try? validate(law, sample)) != nil else { return nil }
        let space = residualSpace ?? law.residualSpace
        let (lower, upper) = law.bounds(for: sample)
        var solver = LevenbergMarquardt(law: law, data: sample, loss: loss, space: space, lower: lower, upper: upper)
        solver.options.maxIterations = maxIterations
        var values = [Double](repeating: 0, count: sample.count)
        let cold = coldStarts().map { ($0, solver.objective($0, values: &values)) }.filter { $0.1.isFinite }.min { $0.1 < $1.1 }?.0
        var best: LevenbergMarquardt.Outcome?
        for start in [warmStart] + (cold.map { [$0] } ?? []) {
            let outcome = solver.minimize(from: start)
            if outcome.objective.isFinite, best == nil || outcome.objective < best!.objective { best = outcome }
        }
        return best?.theta
    }
}
