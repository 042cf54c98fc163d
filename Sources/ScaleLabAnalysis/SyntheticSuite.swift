import Foundation
import ScaleLabFit

/// A task suite with planted structure and known truth, for testing the overlap analysis and for
/// simulation.
///
/// **Generator.** One ladder of `models` models at x log-spaced from 10⁷ to 10¹¹; u ∈ [0, 1] is the
/// position in log x. Each of `skills` latent skills has a model-specific deviation
/// δₛ,ₖ ~ N(0, `modelDeviation`²), independent across models and skills (what a model is good at
/// beyond its size). Task t of skill s scores
///
///     yₜ,ₖ = cₜ + bₜ uₖ + gₜ δₛ,ₖ + εₜ,ₖ,   εₜ,ₖ ~ N(0, `noise`²),
///
/// with offset cₜ ~ U(0.30, 0.40), slope bₜ ~ U(0.20, 0.35) and loading gₜ ~ U(0.7, 1.3). The trend is
/// a line in u, so any de-trend of degree ≥ 1 removes it exactly. The `coEmergingBlock` tasks sit at
/// chance (0.25) and jump by hⱼ ~ U(0.45, 0.60) between models k* − 1 and k* = ⌊3·models/5⌋:
/// yⱼ,ₖ = 0.25 + hⱼ·[k ≥ k*] + εⱼ,ₖ. Scores are not clipped (so that the truth is exact); with the
/// defaults they stay inside (0.1, 1) with overwhelming probability. Every task has chance 0.25 and
/// ⌊0.25/noise²⌉ items, the count whose binomial standard deviation at p = ½ equals `noise`.
///
/// **Truth.** Computed analytically, conditional on the ladder. With M the residual projection of
/// the analysis' de-trend (``OverlapOptions/detrendDegree``) and ν = models − rank, the expected
/// residual covariance (divisor ν) of tasks t and t′ is
///
///     Cₜₜ′ = (M fₜ)·(M fₜ′)/ν + [s(t) = s(t′)] gₜ gₜ′ modelDeviation² + [t = t′] noise²,
///
/// where fₜ is the task's deterministic part (the trend, or the block's step), since E[zᵀMz]/ν = σ²
/// for white noise z and the cross terms have mean zero. The truth correlation is
/// ρₜₜ′ = Cₜₜ′/√(Cₜₜ Cₜ′ₜ′) and the truth participation ratio T²/Σρ²ₜₜ′.
public struct SyntheticSuite: Sendable, Codable {
    /// What was planted.
    public struct Truth: Sendable, Codable, Equatable {
        /// Population participation ratio of the de-trended correlation.
        public var effectiveTasks: Double
        /// The population correlation matrix it comes from.
        public var correlations: [[Double]]
        /// The skill of each task (0-based); nil for the co-emerging block.
        public var skills: [Int?]
        public var coEmergingTasks: [String]
        /// The models between which the block jumps (nil without a block).
        public var lowerModel: String?
        public var upperModel: String?
        public var detrendDegree: Int
    }

    public var matrix: TaskMatrix
    public var truth: Truth

    /// A suite of `skills × tasksPerSkill` skill tasks followed by `coEmergingBlock` block tasks.
    /// Deterministic for a given seed.
    public static func planted(models: Int = 80, skills: Int = 4, tasksPerSkill: Int = 10, coEmergingBlock: Int = 5,
                               noise: Double = 0.03, modelDeviation: Double = 0.05, detrendDegree: Int = OverlapOptions().detrendDegree,
                               seed: UInt64) -> SyntheticSuite {
        precondition(models >= detrendDegree + 5, "SyntheticSuite: too few models for the de-trend")
        precondition(skills >= 0 && tasksPerSkill >= 0 && coEmergingBlock >= 0 && skills * tasksPerSkill + coEmergingBlock >= 2,
                     "SyntheticSuite: need at least 2 tasks")
        precondition(noise >= 0 && modelDeviation >= 0, "SyntheticSuite: spreads must be non-negative")
        var random = GaussianSource(seed: seed)
        let u = (0..<models).map { Double($0) / Double(models - 1) }
        let x = u.map { pow(10, 7 + 4 * $0) }
        let modelNames = (0..<models).map { String(format: "model-%03d", $0) }
        let deviations = (0..<skills).map { _ in (0..<models).map { _ in modelDeviation * random.normal() } }
        let jumpAt = (3 * models) / 5

        var names: [String] = [], skillOf: [Int?] = [], loadings: [Double] = [], deterministic: [[Double]] = [], scores: [[Double]] = []
        for skill in 0..<skills {
            for task in 0..<tasksPerSkill {
                let offset = random.uniform(0.30, 0.40), slope = random.uniform(0.20, 0.35), loading = random.uniform(0.7, 1.3)
                let mean = u.map { offset + slope * $0 }
                names.append("skill\(skill + 1)-task\(String(format: "%02d", task + 1))")
                skillOf.append(skill)
                loadings.append(loading)
                deterministic.append(mean)
                scores.append((0..<models).map { k in mean[k] + loading * deviations[skill][k] + noise * random.normal() })
            }
        }
        for task in 0..<coEmergingBlock {
            let height = random.uniform(0.45, 0.60)
            let mean = (0..<models).map { 0.25 + ($0 >= jumpAt ? height : 0) }
            names.append("emerge-task\(String(format: "%02d", task + 1))")
            skillOf.append(nil)
            loadings.append(0)
            deterministic.append(mean)
            scores.append(mean.map { $0 + noise * random.normal() })
        }

        let matrix = TaskMatrix(
            metric: "acc", tasks: names, chance: names.map { _ in 0.25 },
            items: names.map { _ in noise > 0 ? Int((0.25 / (noise * noise)).rounded()) : nil },
            models: modelNames, families: modelNames.map { _ in "ladder" }, x: x, scores: scores)

        let projection = TrendProjection(TrendDesign(x: x, families: matrix.families, degree: detrendDegree).columns,
                                         weights: [Double](repeating: 1, count: models))
        let nu = Double(models - projection.rank)
        let projected = deterministic.map { projection.residual($0) }
        let count = names.count
        var covariance = [[Double]](repeating: [Double](repeating: 0, count: count), count: count)
        for i in 0..<count {
            for j in i..<count {
                var value = zip(projected[i], projected[j]).reduce(0) { $0 + $1.0 * $1.1 } / nu
                if let skill = skillOf[i], skill == skillOf[j] { value += loadings[i] * loadings[j] * modelDeviation * modelDeviation }
                if i == j { value += noise * noise }
                covariance[i][j] = value
                covariance[j][i] = value
            }
        }
        let correlations = (0..<count).map { i in
            (0..<count).map { j in covariance[i][j] / (covariance[i][i] * covariance[j][j]).squareRoot() }
        }
        let sumOfSquares = correlations.reduce(0) { $0 + $1.reduce(0) { $0 + $1 * $1 } }
        let hasBlock = coEmergingBlock > 0
        let truth = Truth(
            effectiveTasks: Double(count * count) / sumOfSquares, correlations: correlations, skills: skillOf,
            coEmergingTasks: Array(names.suffix(coEmergingBlock)),
            lowerModel: hasBlock ? modelNames[jumpAt - 1] : nil, upperModel: hasBlock ? modelNames[jumpAt] : nil,
            detrendDegree: detrendDegree)
        return SyntheticSuite(matrix: matrix, truth: truth)
    }
}

/// Uniform and standard normal draws (Box–Muller) from a seeded SplitMix64 stream.
struct GaussianSource {
    var generator: SplitMix64

    init(seed: UInt64) { generator = SplitMix64(seed: seed) }

    /// Uniform on the open interval (0, 1), 53 bits.
    mutating func unit() -> Double { (Double(generator.next() >> 11) + 0.5) / 9_007_199_254_740_992 }

    mutating func uniform(_ low: Double, _ high: Double) -> Double { low + (high - low) * unit() }

    mutating func normal() -> Double {
        let radius = (-2 * log(unit())).squareRoot()
        return radius * cos(2 * Double.pi * unit())
    }
}
