import Foundation
import ScaleLabFit

/// Settings of the overlap analysis (``TaskOverlap``).
public struct OverlapOptions: Sendable, Codable, Equatable {
    /// Degree of the polynomial in log₁₀ x removed from each task as its scale trend (see
    /// ``TaskOverlap``). 2 by default; at least 1.
    public var detrendDegree: Int
    /// Bootstrap replicates (models resampled with replacement) for the interval of the effective
    /// number of tasks; 0 skips the bootstrap.
    public var replicates: Int
    public var seed: UInt64
    /// Central coverages of the effective-number intervals.
    public var levels: [Double]
    /// Clusters are cut where the average correlation between two groups of tasks falls below
    /// this value.
    public var clusterCorrelation: Double
    /// A co-emerging jump must exceed this many measurement standard deviations of the
    /// difference (when the task's stderr or item count gives one).
    public var jumpNoiseMultiple: Double
    /// … and this many times the typical size of the task's other steps on the same ladder.
    public var jumpStepMultiple: Double
    /// Smallest co-emerging group reported.
    public var minimumGroupSize: Int
    /// Dominance warning: at most `dominantClusters` clusters carry more than `dominanceShare` of
    /// the aggregate's variance with at most 1/`dominanceRatio` of that share of the tasks.
    public var dominantClusters: Int
    public var dominanceShare: Double
    public var dominanceRatio: Double
    /// How many leading eigenvalues of the correlation matrix are reported.
    public var leadingEigenvalues: Int

    public init(detrendDegree: Int = 2, replicates: Int = 1000, seed: UInt64 = 42, levels: [Double] = [0.8, 0.95],
                clusterCorrelation: Double = 0.5, jumpNoiseMultiple: Double = 4, jumpStepMultiple: Double = 5,
                minimumGroupSize: Int = 2, dominantClusters: Int = 2, dominanceShare: Double = 0.5, dominanceRatio: Double = 2,
                leadingEigenvalues: Int = 10) {
        self.detrendDegree = detrendDegree
        self.replicates = replicates
        self.seed = seed
        self.levels = levels
        self.clusterCorrelation = clusterCorrelation
        self.jumpNoiseMultiple = jumpNoiseMultiple
        self.jumpStepMultiple = jumpStepMultiple
        self.minimumGroupSize = minimumGroupSize
        self.dominantClusters = dominantClusters
        self.dominanceShare = dominanceShare
        self.dominanceRatio = dominanceRatio
        self.leadingEigenvalues = leadingEigenvalues
    }
}

/// Why the overlap analysis cannot run on a matrix.
public struct OverlapError: Error, CustomStringConvertible, Sendable, Equatable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// The effective number of independent tasks, with its uncertainty.
public struct EffectiveTaskCount: Sendable, Codable, Equatable {
    /// Participation ratio T² / Σᵢⱼ ρ̂²ᵢⱼ with the small-sample correction of the squared
    /// correlations; in [1, T].
    public var estimate: Double
    /// The plain participation ratio (Σλ)² / Σλ² of the sample correlation matrix: biased low with
    /// few models.
    public var uncorrected: Double
    /// Cheverud's (2001) M_eff = 1 + (T − 1)(1 − Var(λ)/T) = T + 1 − Σρ²/T with the same correction
    /// (linear in Σρ², so the correction leaves it unbiased).
    public var cheverud: Double
    /// Basic bootstrap intervals of `estimate` over models, one per requested level.
    public var intervals: [LevelInterval]
    public var replicatesRequested: Int
    /// Replicates that could be analysed (a resample with too few distinct x, or with a task left
    /// constant, is skipped).
    public var replicatesUsed: Int
    /// The largest eigenvalues of the sample correlation matrix, descending; they sum to T over
    /// all eigenvalues.
    public var leadingEigenvalues: [Double]
    /// λₖ / T: the share of the tasks' standardised residual variance along each leading direction.
    public var varianceShares: [Double]
    /// The sample correlation matrix has at most this many nonzero eigenvalues:
    /// min(T, models − trend parameters).
    public var rankLimit: Int
}

/// Tasks whose de-trended scores move together across models.
public struct TaskCluster: Sendable, Codable, Equatable {
    public var tasks: [String]
    /// Mean correlation of the de-trended scores over the cluster's pairs of tasks.
    public var meanCorrelation: Double
    /// The cluster's tasks as a share of all analysed tasks.
    public var taskShare: Double
    /// The cluster's share of the variance across models of the aggregate (mean over tasks) of
    /// the de-trended scores: Σ_{i∈C} Cov(eᵢ, ē) / Var(ē). Shares over all tasks sum to 1.
    public var residualVarianceShare: Double
    /// The same share for the raw scores, whose variance is mostly the common scale trend.
    public var rawVarianceShare: Double
}

/// One task's jump within a co-emerging group.
public struct CoEmergingJump: Sendable, Codable, Equatable {
    public var task: String
    public var before: Double
    public var after: Double
    /// Improvement between the two models (after − before, sign flipped for losses).
    public var jump: Double
    /// Typical size of the task's other steps on the same ladder: max(1.4826 · MAD, median |step|).
    public var typicalStep: Double?
    /// Standard deviation of the difference from the scores' stderr, else from the binomial
    /// variance of `items` answers, when known.
    public var measurementNoise: Double?
}

/// Tasks whose largest improvement falls between the same two adjacent models (the `sha256^n`
/// pattern: one capability unlocks several tasks at once).
public struct CoEmergingGroup: Sendable, Codable, Equatable {
    /// The models' family, when the matrix gives families.
    public var family: String?
    public var lowerModel: String
    public var lowerX: Double
    public var upperModel: String
    public var upperX: Double
    public var jumps: [CoEmergingJump]
    public var tasks: [String] { jumps.map(\.task) }
}

/// The variance across models of the aggregate score (mean over the analysed tasks).
public struct AggregateVariance: Sendable, Codable, Equatable {
    /// Var(ē) of the de-trended scores: (1/T²) Σᵢⱼ Cov(eᵢ, eⱼ). The warning is based on this.
    public var residual: Double
    /// Var(ȳ) of the raw scores.
    public var raw: Double
    /// Set when a few clusters carry most of the residual variance with few of the tasks.
    public var warning: String?
}

/// What the overlap analysis found.
public struct OverlapReport: Sendable, Codable, Equatable {
    public var metric: String
    /// Tasks in the correlation analysis (in matrix order), and those left out because their
    /// de-trended scores are constant.
    public var tasks: [String]
    public var excludedTasks: [String]
    public var models: Int
    /// Parameters of the scale trend (polynomial and family offsets) and the residual degrees of
    /// freedom, models − parameters.
    public var trendParameters: Int
    public var residualDegreesOfFreedom: Int
    /// Pearson correlation of the de-trended scores across models, tasks × tasks.
    public var correlations: [[Double]]
    public var effectiveTasks: EffectiveTaskCount
    /// The correlation at which clusters were cut: `options.clusterCorrelation`, raised to the
    /// smallest correlation significant at 5% after a Bonferroni correction over the T(T − 1)/2
    /// pairs when the models are too few for the option's value to mean anything.
    public var clusterCut: Double
    /// Clusters of two or more tasks, largest first.
    public var clusters: [TaskCluster]
    public var coEmerging: [CoEmergingGroup]
    public var aggregate: AggregateVariance
    /// Caveats to print with the numbers.
    public var warnings: [String]
    public var options: OverlapOptions
}

/// How much a task set overlaps: which tasks measure the same thing beyond model scale.
///
/// **De-trending.** Every task improves with scale, so raw scores correlate across models whatever
/// the tasks measure. Each task's scores yᵢ (over models k = 1…m) are regressed by least squares on
/// a polynomial of degree d (default 2) in u = standardised log₁₀ x, plus one offset per model
/// family when the models come from several families (a family offset per family of two or more
/// models: models of different families at one x differ by their training recipe, a shift common
/// to every task that is no more about task overlap than scale is). The residuals eᵢ are what a
/// model does on the task beyond its size and family. A quadratic absorbs the curvature of a slow
/// start or of saturation that a line leaves in the residuals (and that would make all tasks look
/// alike); higher degrees would begin to absorb the genuine model-to-model deviations and the very
/// jumps the analysis looks for, and cost degrees of freedom. With p trend parameters the residuals
/// keep ν = m − p degrees of freedom.
///
/// **Effective number of tasks.** With rᵢⱼ the Pearson correlation of eᵢ and eⱼ and λ the
/// eigenvalues of R = (rᵢⱼ), the participation ratio PR = (Σλ)² / Σλ² = T² / Σᵢⱼ r²ᵢⱼ (Σλ = tr R = T,
/// Σλ² = ‖R‖²_F) counts the tasks that vary independently: T for uncorrelated tasks, 1 for identical
/// ones (Gao et al. 2017, *A theory of multineuronal dimensionality*; Recanatesi et al. 2019). A
/// sample r² overestimates ρ²: with ν residual degrees of freedom E[r² | ρ = 0] = 1/ν, which adds
/// T(T − 1)/ν to Σr² and caps the sample PR at the rank of R, min(T, ν). Each off-diagonal r² is
/// therefore replaced by Olkin & Pratt's (1958) unbiased estimator of ρ² (bivariate normal),
/// ρ̂² = 1 − ((N − 3)/(N − 2))(1 − r²) ₂F₁(1, 1; N/2; 1 − r²), with N = ν + 1 because residuals
/// after a p-parameter trend correlate like plain samples of m − p + 1 (partial correlation). Its
/// first-order form r² − (1 − r²)/(ν − 1) is unbiased only at ρ = 0 and over-corrects correlated
/// pairs by ≈ 2ρ²(1 − ρ²)/ν each, which over-states PR by a few per cent on a clustered suite. The
/// terms are summed *unclipped*, since clipping each at 0 would re-introduce a positive bias of
/// order 1/ν per independent pair; only the total is bounded so that PR ∈ [1, T]. Cheverud's (2001)
/// effective number of tests, M = T + 1 − Σρ̂²/T, is reported alongside (Li & Ji 2005 discuss
/// both).
///
/// **Interval.** Models are resampled with replacement and everything is recomputed, trend fit
/// included. In the bootstrap world the true value is the *plug-in* PR of the sample (uncorrected),
/// while the estimator is the corrected one, so the percentile interval would sit around the
/// biased plug-in value. The interval is therefore the basic (pivotal) bootstrap interval of
/// log PR (Davison & Hinkley 1997, §5.2): with Δ* = log PR̂* − log PR_plug-in,
/// [PR̂ · exp(−q_{1−α/2}(Δ*)), PR̂ · exp(−q_{α/2}(Δ*))], clipped to [1, T].
///
/// **Clusters.** Average-linkage agglomerative clustering on the distance 1 − rᵢⱼ, merging while
/// the average correlation between two groups is at least `clusterCorrelation` (raised to the
/// Bonferroni-significant correlation when the models are few, see ``OverlapReport/clusterCut``). Singletons are not
/// reported.
///
/// **Co-emergence.** Models are arranged in ladders (one per family, by x). For each task and
/// ladder, the largest improvement between adjacent models of distinct x is a *jump* when it
/// exceeds `jumpNoiseMultiple` × the measurement standard deviation of the difference (stderr,
/// else binomial √(p(1 − p)/n) from the item count; skipped when neither is known) and
/// `jumpStepMultiple` × the typical size of the task's other steps on the ladder,
/// max(1.4826 · MAD, median |step|) (the MAD measures noise around a flat stretch, the median step
/// the pace of a steady climb, which is not emergence). Tasks jumping between the same two models
/// form a group.
///
/// **Dominance.** Var(ē) = (1/T²) Σᵢⱼ Cov(eᵢ, eⱼ) splits exactly into per-task parts Cov(eᵢ, ē)
/// (the Euler allocation), summed per cluster. The warning uses the de-trended scores: on raw
/// scores the common scale trend dominates the variance and the shares mostly rank the tasks'
/// slopes, whereas the question "does the aggregate mostly measure one cluster?" is about what the
/// aggregate says beyond scale. The raw shares are reported too.
public enum TaskOverlap {
    /// Analyses the tasks × models matrix. Deterministic for a given `options.seed`.
    ///
    /// - Throws: ``OverlapError`` when fewer than 2 tasks vary beyond their trend, when the models
    ///   leave fewer than 5 residual degrees of freedom, or for options out of range.
    public static func analyse(_ matrix: TaskMatrix, options: OverlapOptions = .init()) throws(OverlapError) -> OverlapReport {
        guard options.detrendDegree >= 1 else {
            throw OverlapError("de-trend degree \(options.detrendDegree): use at least 1 (a line in log x)")
        }
        guard options.replicates >= 0 else { throw OverlapError("\(options.replicates) bootstrap replicates: use 0 or more (1000 is usual)") }
        if let level = options.levels.first(where: { !($0 > 0 && $0 < 1) }) {
            throw OverlapError("interval level \(level) is not a coverage: give values between 0 and 1 (0.8, 0.95)")
        }
        guard options.clusterCorrelation > -1, options.clusterCorrelation < 1 else {
            throw OverlapError("cluster correlation \(options.clusterCorrelation): give a value between -1 and 1 (0.5 is usual)")
        }
        let m = matrix.models.count
        let design = TrendDesign(x: matrix.x, families: matrix.families, degree: options.detrendDegree)
        let unit = [Double](repeating: 1, count: m)
        let projection = TrendProjection(design.columns, weights: unit)
        let df = m - projection.rank
        guard df >= minimumDegreesOfFreedom else {
            throw OverlapError("\(m) models leave \(df) degrees of freedom after a \(projection.rank)-parameter trend; "
                + "need at least \(minimumDegreesOfFreedom): add models or lower the de-trend degree")
        }
        var kept: [Int] = [], excluded: [String] = []
        var residuals: [[Double]] = []
        for t in matrix.tasks.indices {
            let e = projection.residual(matrix.scores[t])
            let spread = matrix.scores[t].reduce(0) { $0 + abs($1) } / Double(m)
            if e.reduce(0, { $0 + $1 * $1 }).squareRoot() > 1e-10 * (spread + 1e-300) * Double(m).squareRoot() {
                kept.append(t)
                residuals.append(e)
            } else {
                excluded.append(matrix.tasks[t])
            }
        }
        guard kept.count >= 2 else {
            throw OverlapError("only \(kept.count) task(s) vary beyond the scale trend; the overlap analysis needs at least 2")
        }
        let taskCount = kept.count
        let names = kept.map { matrix.tasks[$0] }
        let correlation = Correlations(residuals: residuals, weights: unit)!
        let sums = correlation.squaredSums(degreesOfFreedom: Double(df))
        let estimate = participationRatio(sums.corrected, tasks: taskCount)
        let plugIn = participationRatio(sums.raw, tasks: taskCount)

        var warnings: [String] = []
        if !excluded.isEmpty {
            warnings.append("left out \(excluded.count) task(s) whose scores are fully explained by the scale trend: \(excluded.prefix(8).joined(separator: ", "))")
        }
        if taskCount > df {
            warnings.append("\(taskCount) tasks but only \(df) residual degrees of freedom (\(m) models − \(projection.rank) trend parameters): "
                + "the sample correlation matrix has at most \(df) nonzero eigenvalues, so the uncorrected participation ratio cannot exceed \(df); "
                + "the corrected estimate relies on the small-sample correction. Add models to tighten it.")
        }

        // Bootstrap over models.
        var deltas: [Double] = []
        for replicate in 0..<options.replicates {
            var generator = replicateStream(seed: options.seed, index: replicate)
            var weights = [Double](repeating: 0, count: m)
            for _ in 0..<m { weights[Int(generator.next() % UInt64(m))] += 1 }
            let resampled = TrendProjection(design.columns, weights: weights)
            let replicateDF = Double(m - resampled.rank)
            guard replicateDF >= Double(minimumDegreesOfFreedom),
                  let replicateCorrelation = Correlations(residuals: kept.map { resampled.residual(matrix.scores[$0]) }, weights: weights)
            else { continue }
            let replicateSums = replicateCorrelation.squaredSums(degreesOfFreedom: replicateDF)
            deltas.append(log(participationRatio(replicateSums.corrected, tasks: taskCount)) - log(plugIn))
        }
        if options.replicates > 0, deltas.count < options.replicates * 9 / 10 {
            warnings.append("only \(deltas.count) of \(options.replicates) bootstrap resamples could be analysed: the interval is unreliable")
        }
        let intervals: [LevelInterval] = deltas.isEmpty ? [] : options.levels.map { level in
            let (low, high) = percentileInterval(deltas, level: level)
            return LevelInterval(level: level, lower: min(max(estimate * exp(-high), 1), Double(taskCount)),
                                 upper: min(max(estimate * exp(-low), 1), Double(taskCount)))
        }

        let eigen = SymmetricEigen.decompose(correlation.matrix)
        let leading = Array(eigen.values.prefix(max(options.leadingEigenvalues, 0)))
        let effective = EffectiveTaskCount(
            estimate: estimate, uncorrected: plugIn,
            cheverud: Double(taskCount) + 1 - min(max(sums.corrected, Double(taskCount)), Double(taskCount * taskCount)) / Double(taskCount),
            intervals: intervals, replicatesRequested: options.replicates, replicatesUsed: deltas.count,
            leadingEigenvalues: leading, varianceShares: leading.map { $0 / Double(taskCount) }, rankLimit: min(taskCount, df))

        // Clusters and their share of the aggregate's variance.
        let cut = max(options.clusterCorrelation, significantCorrelation(tasks: taskCount, residualDegreesOfFreedom: df))
        let members = averageLinkage(correlation.matrix, threshold: cut)
        let residualShares = varianceShares(residuals)
        let rawShares = varianceShares(kept.map { matrix.scores[$0] })
        let clusters = members.map { group in
            var total = 0.0, pairs = 0
            for a in group.indices { for b in group.indices where b > a { total += correlation.matrix[group[a]][group[b]]; pairs += 1 } }
            return TaskCluster(
                tasks: group.map { names[$0] }, meanCorrelation: total / Double(pairs),
                taskShare: Double(group.count) / Double(taskCount),
                residualVarianceShare: residualShares.shares.map { shares in group.reduce(0) { $0 + shares[$1] } } ?? 0,
                rawVarianceShare: rawShares.shares.map { shares in group.reduce(0) { $0 + shares[$1] } } ?? 0)
        }
        let warning = dominanceWarning(clusters, options: options)
        if let warning { warnings.append(warning) }

        return OverlapReport(
            metric: matrix.metric, tasks: names, excludedTasks: excluded, models: m, trendParameters: projection.rank,
            residualDegreesOfFreedom: df, correlations: correlation.matrix, effectiveTasks: effective, clusterCut: cut, clusters: clusters,
            coEmerging: coEmergingGroups(matrix, options: options),
            aggregate: AggregateVariance(residual: residualShares.variance, raw: rawShares.variance, warning: warning),
            warnings: warnings, options: options)
    }

    /// The smallest |r| significant at `alpha` after a Bonferroni correction over the T(T − 1)/2
    /// pairs of tasks: the root in r of P(|t| ≥ r·√(d/(1 − r²))) = α / pairs on d = ν − 1 degrees
    /// of freedom (the residuals are partial correlations given the trend, as for ρ̂²). With few
    /// models a fixed cut such as 0.5 would join tasks by noise alone: on 12 residual degrees of
    /// freedom and 65 tasks, pure noise puts hundreds of pairs above 0.5, while this cut is ≈ 0.9.
    static func significantCorrelation(tasks: Int, residualDegreesOfFreedom ν: Int, alpha: Double = 0.05) -> Double {
        let pairs = Double(max(tasks * (tasks - 1) / 2, 1)), d = Double(max(ν - 1, 1))
        // Two-sided at α / pairs: t* with P(T ≥ t*) = α / (2·pairs); r = t* / √(t*² + d).
        let t = Probability.studentUpperQuantile(alpha / pairs / 2, df: d)
        return t / (t * t + d).squareRoot()
    }

    /// Fewest residual degrees of freedom the correlations are computed with: the unbiased ρ̂²
    /// needs ν ≥ 5 to be finite and stable.
    static let minimumDegreesOfFreedom = 5

    /// T² / S with S bounded to [T, T²], so that the ratio lies in [1, T].
    static func participationRatio(_ sumOfSquares: Double, tasks: Int) -> Double {
        let t = Double(tasks)
        return t * t / min(max(sumOfSquares, t), t * t)
    }

    /// Replicate `index`'s own generator, so that replicates do not depend on one another's draws.
    static func replicateStream(seed: UInt64, index: Int) -> SplitMix64 {
        var mixer = SplitMix64(seed: seed ^ (UInt64(truncatingIfNeeded: index) &* 0x9FB2_1C65_1E98_DF25))
        return SplitMix64(seed: mixer.next())
    }

    /// Each series' share Cov(sᵢ, s̄) / Var(s̄) of the variance across models of the mean series.
    static func varianceShares(_ series: [[Double]]) -> (variance: Double, shares: [Double]?) {
        let m = series[0].count, t = Double(series.count)
        let centred = series.map { row -> [Double] in
            let mean = row.reduce(0, +) / Double(m)
            return row.map { $0 - mean }
        }
        let aggregate = (0..<m).map { k in centred.reduce(0) { $0 + $1[k] } / t }
        let variance = aggregate.reduce(0) { $0 + $1 * $1 } / Double(m - 1)
        guard variance > 0 else { return (0, nil) }
        let shares = centred.map { row in zip(row, aggregate).reduce(0) { $0 + $1.0 * $1.1 } / Double(m - 1) / t / variance }
        return (variance, shares)
    }

    static func dominanceWarning(_ clusters: [TaskCluster], options: OverlapOptions) -> String? {
        let ranked = clusters.sorted { $0.residualVarianceShare > $1.residualVarianceShare }
        for count in 1...max(1, options.dominantClusters) where count <= ranked.count {
            let top = ranked.prefix(count)
            let share = top.reduce(0) { $0 + $1.residualVarianceShare }, taskShare = top.reduce(0) { $0 + $1.taskShare }
            if share > options.dominanceShare, taskShare * options.dominanceRatio <= share {
                let percent = { (value: Double) in "\(Int((value * 100).rounded()))%" }
                let list = top.map { "[\($0.tasks.prefix(4).joined(separator: ", "))\($0.tasks.count > 4 ? ", …" : "")]" }.joined(separator: " and ")
                return "the aggregate is dominated by \(count) cluster\(count == 1 ? "" : "s") of co-moving tasks: \(list) hold "
                    + "\(percent(taskShare)) of the tasks but carry \(percent(share)) of the aggregate's variance across models beyond scale"
            }
        }
        return nil
    }

    /// Average-linkage clusters (lists of row indices, each sorted) of two or more members, largest first.
    static func averageLinkage(_ correlation: [[Double]], threshold: Double) -> [[Int]] {
        var groups = correlation.indices.map { [$0] }
        var similarity = correlation
        var active = Array(correlation.indices)
        while active.count > 1 {
            var best: (a: Int, b: Int, value: Double)?
            for (i, a) in active.enumerated() {
                for b in active[(i + 1)...] where similarity[a][b] > (best?.value ?? -.infinity) {
                    best = (a, b, similarity[a][b])
                }
            }
            guard let (a, b, value) = best, value >= threshold else { break }
            let sizeA = Double(groups[a].count), sizeB = Double(groups[b].count)
            for c in active where c != a && c != b {
                // Lance–Williams update: the average over all cross pairs of the merged group.
                let merged = (sizeA * similarity[a][c] + sizeB * similarity[b][c]) / (sizeA + sizeB)
                similarity[a][c] = merged
                similarity[c][a] = merged
            }
            groups[a] = (groups[a] + groups[b]).sorted()
            active.removeAll { $0 == b }
        }
        return active.map { groups[$0] }.filter { $0.count >= 2 }.sorted { ($0.count, $1[0]) > ($1.count, $0[0]) }
    }

    static func coEmergingGroups(_ matrix: TaskMatrix, options: OverlapOptions) -> [CoEmergingGroup] {
        let sign = higherIsBetter(matrix.metric) ? 1.0 : -1.0
        var ladders: [String?: [Int]] = [:]
        var ladderOrder: [String?] = []
        for k in matrix.models.indices {
            if ladders[matrix.families[k]] == nil { ladderOrder.append(matrix.families[k]) }
            ladders[matrix.families[k], default: []].append(k)
        }
        struct Pair: Hashable { var lower: Int; var upper: Int }
        var found: [Pair: [CoEmergingJump]] = [:]
        for family in ladderOrder {
            let ladder = ladders[family]!
            let pairs = zip(ladder, ladder.dropFirst()).filter { matrix.x[$0.1] > matrix.x[$0.0] }.map { Pair(lower: $0.0, upper: $0.1) }
            guard pairs.count >= 2 else { continue }
            for t in matrix.tasks.indices {
                let y = matrix.scores[t]
                let steps = pairs.map { sign * (y[$0.upper] - y[$0.lower]) }
                let largest = steps.indices.max { (steps[$0], $1) < (steps[$1], $0) }!
                let jump = steps[largest], pair = pairs[largest]
                guard jump > 1e-12 else { continue }
                let others = steps.indices.filter { $0 != largest }.map { steps[$0] }
                let typical: Double? = others.count >= 2 ? max(1.4826 * medianAbsoluteDeviation(others), median(others.map(abs))) : nil
                let noise = measurementNoise(matrix, task: t, pair.lower, pair.upper)
                guard typical != nil || noise != nil else { continue }
                if let typical, jump < options.jumpStepMultiple * typical { continue }
                if let noise, jump < options.jumpNoiseMultiple * noise { continue }
                found[pair, default: []].append(CoEmergingJump(
                    task: matrix.tasks[t], before: y[pair.lower], after: y[pair.upper], jump: jump, typicalStep: typical,
                    measurementNoise: noise))
            }
        }
        return found.filter { $0.value.count >= max(options.minimumGroupSize, 2) }
            .sorted { ($0.value.count, $1.key.lower, $1.key.upper) > ($1.value.count, $0.key.lower, $0.key.upper) }
            .map { pair, jumps in
                CoEmergingGroup(family: matrix.families[pair.lower], lowerModel: matrix.models[pair.lower], lowerX: matrix.x[pair.lower],
                                upperModel: matrix.models[pair.upper], upperX: matrix.x[pair.upper], jumps: jumps)
            }
    }

    /// Standard deviation of the difference of task `t`'s scores on two models: from the reported
    /// stderr, else from the binomial variance of the task's items (scores in [0, 1] only, with p
    /// kept at least 1/(2n) from 0 and 1 so that a zero score still has some noise).
    static func measurementNoise(_ matrix: TaskMatrix, task t: Int, _ a: Int, _ b: Int) -> Double? {
        if let first = matrix.stderr[t][a], let second = matrix.stderr[t][b] {
            return (first * first + second * second).squareRoot()
        }
        guard let n = matrix.items[t], n > 0 else { return nil }
        let scores = [matrix.scores[t][a], matrix.scores[t][b]]
        guard scores.allSatisfy({ $0 >= 0 && $0 <= 1 }) else { return nil }
        let count = Double(n)
        return scores.reduce(0) { total, score in
            let p = min(max(score, 0.5 / count), 1 - 0.5 / count)
            return total + p * (1 - p) / count
        }.squareRoot()
    }

    static func median(_ values: [Double]) -> Double { empiricalQuantile(sorted: values.sorted(), 0.5) }

    static func medianAbsoluteDeviation(_ values: [Double]) -> Double {
        let centre = median(values)
        return median(values.map { abs($0 - centre) })
    }
}

/// The columns of the trend regression: 1, u, …, u^d with u the standardised log₁₀ x, and one
/// indicator per family of two or more models when there are several families (models without a
/// family form one more group).
struct TrendDesign {
    let columns: [[Double]]

    init(x: [Double], families: [String?], degree: Int) {
        let logs = x.map { log10($0) }
        let mean = logs.reduce(0, +) / Double(logs.count)
        let spread = (logs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(logs.count)).squareRoot()
        let u = logs.map { spread > 0 ? ($0 - mean) / spread : 0 }
        var columns = (0...degree).map { power in u.map { pow($0, Double(power)) } }
        var counts: [String?: Int] = [:]
        var order: [String?] = []
        for family in families {
            if counts[family] == nil { order.append(family) }
            counts[family, default: 0] += 1
        }
        if order.count > 1 {
            for family in order where counts[family]! >= 2 {
                columns.append(families.map { $0 == family ? 1 : 0 })
            }
        }
        self.columns = columns
    }
}

/// Weighted least-squares residuals onto the span of the trend columns, by modified Gram–Schmidt
/// (twice, for orthogonality) under ⟨a, b⟩ = Σ wₖ aₖ bₖ. Columns that are (numerically) in the span
/// of earlier ones — a family absent from a resample, a power of too few distinct x — are dropped,
/// so `rank` is the number of trend parameters actually fitted.
struct TrendProjection {
    let basis: [[Double]]
    let weights: [Double]
    var rank: Int { basis.count }

    init(_ columns: [[Double]], weights: [Double]) {
        var basis: [[Double]] = []
        for column in columns {
            var v = column
            let original = Self.dot(v, v, weights).squareRoot()
            guard original > 0 else { continue }
            for _ in 0..<2 {
                for q in basis {
                    let c = Self.dot(v, q, weights)
                    for k in v.indices { v[k] -= c * q[k] }
                }
            }
            let norm = Self.dot(v, v, weights).squareRoot()
            if norm > 1e-9 * original { basis.append(v.map { $0 / norm }) }
        }
        self.basis = basis
        self.weights = weights
    }

    func residual(_ y: [Double]) -> [Double] {
        var e = y
        for q in basis {
            let c = Self.dot(e, q, weights)
            for k in e.indices { e[k] -= c * q[k] }
        }
        return e
    }

    static func dot(_ a: [Double], _ b: [Double], _ w: [Double]) -> Double {
        var total = 0.0
        for k in a.indices where w[k] != 0 { total += w[k] * a[k] * b[k] }
        return total
    }
}

/// Weighted Pearson correlations of residuals that have weighted mean zero (the trend includes an
/// intercept), with the sums of squared correlations the participation ratio needs.
struct Correlations {
    let matrix: [[Double]]

    /// nil when a row has no variance under the weights.
    init?(residuals: [[Double]], weights: [Double]) {
        let used = weights.indices.filter { weights[$0] > 0 }
        var standardised: [[Double]] = []
        for e in residuals {
            let norm = used.reduce(0) { $0 + weights[$1] * e[$1] * e[$1] }.squareRoot()
            guard norm > 1e-300 else { return nil }
            standardised.append(used.map { weights[$0].squareRoot() * e[$0] / norm })
        }
        let t = residuals.count
        var matrix = [[Double]](repeating: [Double](repeating: 0, count: t), count: t)
        for i in 0..<t {
            matrix[i][i] = 1
            for j in (i + 1)..<t {
                var total = 0.0
                standardised[i].withUnsafeBufferPointer { a in
                    standardised[j].withUnsafeBufferPointer { b in
                        for k in 0..<a.count { total += a[k] * b[k] }
                    }
                }
                let r = min(max(total, -1), 1)
                matrix[i][j] = r
                matrix[j][i] = r
            }
        }
        self.matrix = matrix
    }

    /// Σᵢⱼ r²ᵢⱼ, and the same with each off-diagonal r² replaced by its unbiased estimate.
    func squaredSums(degreesOfFreedom nu: Double) -> (raw: Double, corrected: Double) {
        let t = matrix.count
        var raw = Double(t), corrected = Double(t)
        for i in 0..<t {
            for j in (i + 1)..<t {
                raw += 2 * matrix[i][j] * matrix[i][j]
                corrected += 2 * Self.unbiasedSquare(matrix[i][j], degreesOfFreedom: nu)
            }
        }
        return (raw, corrected)
    }

    /// Olkin & Pratt's (1958) minimum-variance unbiased estimator of ρ² from a correlation r of
    /// residuals with ν degrees of freedom (N = ν + 1):
    /// ρ̂² = 1 − ((ν − 2)/(ν − 1))(1 − r²) ₂F₁(1, 1; (ν + 1)/2; 1 − r²), ν ≥ 5.
    ///
    /// The series ₂F₁(1, 1; c; z) = Σₖ k!/(c)ₖ zᵏ has term ratio (k + 1)z/(c + k): it converges for
    /// z ≤ 1 when c > 2, within a few dozen terms for the usual ν. It is cut after 5000 terms, which
    /// only matters for r ≈ 0 at ν = 5, where the remainder is below 4·10⁻⁴.
    static func unbiasedSquare(_ r: Double, degreesOfFreedom nu: Double) -> Double {
        let z = 1 - r * r, c = (nu + 1) / 2
        var sum = 1.0, term = 1.0
        for k in 0..<5000 {
            term *= Double(k + 1) / (c + Double(k)) * z
            sum += term
            if term < 1e-15 * sum { break }
        }
        return 1 - (nu - 2) / (nu - 1) * z * sum
    }
}
