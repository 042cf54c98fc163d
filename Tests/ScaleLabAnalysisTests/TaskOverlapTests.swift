import Foundation
import Testing
import ScaleLabFit
@testable import ScaleLabAnalysis

@Suite struct TaskOverlapTests {
    /// The acceptance case of issue 6: 40 tasks from 4 skills plus a block of 5 co-emerging tasks,
    /// 80 models. The truth is the analytic population participation ratio (``SyntheticSuite``).
    /// A 95% interval misses in a given seed with probability ≈ 0.05 if its coverage is nominal, so
    /// "inside in ≥ 4 of 5 seeds" fails by chance with probability 1 − 0.95⁵ − 5·0.95⁴·0.05 ≈ 0.023
    /// (the seeds are fixed, so the outcome is reproducible).
    @Test func effectiveNumberCoversThePlantedTruth() throws {
        var inside = 0
        for seed in UInt64(1)...5 {
            let suite = SyntheticSuite.planted(noise: 0.03, seed: seed)
            let report = try TaskOverlap.analyse(suite.matrix, options: OverlapOptions(replicates: 1000, seed: seed))
            let interval95 = try #require(report.effectiveTasks.intervals.first { $0.level == 0.95 })
            let interval80 = try #require(report.effectiveTasks.intervals.first { $0.level == 0.8 })
            if interval95.contains(suite.truth.effectiveTasks) { inside += 1 }
            print(String(format: "seed %d: truth PR %.2f, estimate %.2f (uncorrected %.2f), 80%% [%.2f, %.2f], 95%% [%.2f, %.2f], Cheverud %.2f, replicates %d",
                         Int(seed), suite.truth.effectiveTasks, report.effectiveTasks.estimate, report.effectiveTasks.uncorrected,
                         interval80.lower, interval80.upper, interval95.lower, interval95.upper, report.effectiveTasks.cheverud,
                         report.effectiveTasks.replicatesUsed))
            #expect(report.effectiveTasks.replicatesUsed == 1000)
            // 45 tasks, 77 residual degrees of freedom: no rank warning.
            #expect(report.residualDegreesOfFreedom == 77)
            #expect(!report.warnings.contains { $0.contains("nonzero eigenvalues") })
        }
        #expect(inside >= 4)
    }

    /// The block jumps by ≥ 0.45 against noise 0.03 (a difference sd of 0.042, so every observed
    /// jump exceeds 0.3 by > 3 sd): ≥ 10 times its other steps. A skill task's largest of 79 steps is about 3 times its typical step, far from
    /// the 5 the detector requires, so no other group should appear in any seed.
    @Test func coEmergingBlockIsFoundExactly() throws {
        for seed in UInt64(1)...5 {
            let suite = SyntheticSuite.planted(noise: 0.03, seed: seed)
            let report = try TaskOverlap.analyse(suite.matrix, options: OverlapOptions(replicates: 0, seed: seed))
            let block = try #require(report.coEmerging.first)
            #expect(block.tasks == suite.truth.coEmergingTasks)
            #expect(block.lowerModel == suite.truth.lowerModel)
            #expect(block.upperModel == suite.truth.upperModel)
            #expect(block.jumps.allSatisfy { $0.jump > 0.3 })
            #expect(!report.coEmerging.dropFirst().contains { $0.tasks.count >= 3 })
            if seed == 1 {
                print("block \(block.lowerModel) (x \(block.lowerX)) → \(block.upperModel) (x \(block.upperX)): jumps "
                      + block.jumps.map { String(format: "%.3f (typical step %.3f)", $0.jump, $0.typicalStep ?? .nan) }.joined(separator: ", ")
                      + "; other groups: \(report.coEmerging.count - 1)")
            }
        }
    }

    /// Planted within-skill correlation is 0.58–0.80 (loadings 0.7–1.3) and zero across skills;
    /// with 77 degrees of freedom a sample r has sd ≈ 0.1, so average linkage cut at 0.5 should
    /// separate the skills and the block (adjusted Rand index ≥ 0.9 on all 45 tasks).
    @Test func clustersRecoverThePlantedSkills() throws {
        for seed in UInt64(1)...3 {
            let suite = SyntheticSuite.planted(noise: 0.03, seed: seed)
            let report = try TaskOverlap.analyse(suite.matrix, options: OverlapOptions(replicates: 0, seed: seed))
            var found = [Int](repeating: -1, count: report.tasks.count)
            for (label, cluster) in report.clusters.enumerated() {
                for task in cluster.tasks { found[report.tasks.firstIndex(of: task)!] = label }
            }
            for k in found.indices where found[k] < 0 { found[k] = 1000 + k }  // singletons are their own group
            let planted = suite.truth.skills.map { $0 ?? -1 }
            let index = adjustedRandIndex(planted, found)
            print(String(format: "seed %d: %d clusters, sizes %@, mean r %@, ARI %.3f", Int(seed), report.clusters.count,
                         report.clusters.map { "\($0.tasks.count)" }.joined(separator: "/"),
                         report.clusters.map { String(format: "%.2f", $0.meanCorrelation) }.joined(separator: "/"), index))
            #expect(index >= 0.9)
            #expect(report.aggregate.warning == nil)
        }
    }

    /// Identical tasks (up to a noise 100 times smaller than their common deviation) have
    /// correlations ≈ 0.9999, so PR = T²/Σr² is 1 within 1e-2.
    @Test func identicalTasksCountAsOne() throws {
        var random = GaussianSource(seed: 7)
        let m = 60, x = (0..<m).map { pow(10, 8 + 3 * Double($0) / Double(m - 1)) }
        let common = (0..<m).map { _ in 0.1 * random.normal() }
        let scores = (0..<10).map { _ in (0..<m).map { k in 0.3 + 0.1 * log10(x[k] / 1e8) + common[k] + 0.001 * random.normal() } }
        let matrix = TaskMatrix(metric: "acc", tasks: (0..<10).map { "t\($0)" }, models: (0..<m).map { "m\($0)" }, x: x, scores: scores)
        let report = try TaskOverlap.analyse(matrix, options: OverlapOptions(replicates: 200))
        print(String(format: "identical: PR %.4f, λ₁ %.3f", report.effectiveTasks.estimate, report.effectiveTasks.leadingEigenvalues[0]))
        #expect(abs(report.effectiveTasks.estimate - 1) < 1e-2)
        #expect(abs(report.effectiveTasks.leadingEigenvalues[0] - 10) < 1e-2)
        #expect(report.clusters.count == 1 && report.clusters[0].tasks.count == 10)
    }

    /// Independent tasks: Σᵢ≠ⱼ ρ̂²ᵢⱼ has mean 0 and, as Var(r²) ≈ 2/ν² at ρ = 0, sd ≈ 2·√45·√2/ν over
    /// the 45 pairs of 10 tasks: 0.10 at ν = 197 and 0.70 at ν = 27, about the sd of PR near T = 10.
    /// Tolerances are about 3 sd. The uncorrected ratio is biased to T²/(T + T(T − 1)/ν) = 7.5 at
    /// ν = 27; the test requires it to be visibly lower than the corrected one.
    @Test func independentTasksCountAsT() throws {
        func independent(models m: Int, seed: UInt64) throws -> EffectiveTaskCount {
            var random = GaussianSource(seed: seed)
            let x = (0..<m).map { pow(10, 8 + 3 * Double($0) / Double(m - 1)) }
            let scores = (0..<10).map { _ in (0..<m).map { k in 0.3 + 0.1 * log10(x[k] / 1e8) + 0.05 * random.normal() } }
            let matrix = TaskMatrix(metric: "acc", tasks: (0..<10).map { "t\($0)" }, models: (0..<m).map { "m\($0)" }, x: x, scores: scores)
            return try TaskOverlap.analyse(matrix, options: OverlapOptions(replicates: 200)).effectiveTasks
        }
        let many = try independent(models: 200, seed: 3)
        let few = try independent(models: 30, seed: 4)
        print(String(format: "independent: 200 models PR %.2f (uncorrected %.2f); 30 models PR %.2f (uncorrected %.2f)",
                     many.estimate, many.uncorrected, few.estimate, few.uncorrected))
        #expect(abs(many.estimate - 10) <= 0.3)
        #expect(few.estimate >= 8)
        #expect(few.uncorrected <= 8.7)
        #expect(few.estimate - few.uncorrected >= 1)
    }

    /// 30 tasks with independent residuals of sd 0.02 and 4 tasks sharing a deviation of sd 0.1:
    /// the four carry 16·0.01 / (16·0.01 + 30·0.0004) ≈ 93% of the aggregate's variance with 12% of
    /// the tasks. The balanced planted suite (4 equal skills, no block) stays near 25% each.
    @Test func dominanceWarning() throws {
        var random = GaussianSource(seed: 11)
        let m = 60, x = (0..<m).map { pow(10, 8 + 3 * Double($0) / Double(m - 1)) }
        let shared = (0..<m).map { _ in 0.1 * random.normal() }
        var scores = (0..<30).map { _ in (0..<m).map { k in 0.3 + 0.1 * log10(x[k] / 1e8) + 0.02 * random.normal() } }
        scores += (0..<4).map { _ in (0..<m).map { k in 0.3 + 0.1 * log10(x[k] / 1e8) + shared[k] + 0.01 * random.normal() } }
        let names = (0..<30).map { "plain\($0)" } + (0..<4).map { "loud\($0)" }
        let matrix = TaskMatrix(metric: "acc", tasks: names, models: (0..<m).map { "m\($0)" }, x: x, scores: scores)
        let report = try TaskOverlap.analyse(matrix, options: OverlapOptions(replicates: 0))
        let loud = try #require(report.clusters.first { $0.tasks.contains("loud0") })
        print(String(format: "dominant: share %.2f of variance with %.2f of tasks; warning: %@", loud.residualVarianceShare, loud.taskShare,
                     report.aggregate.warning ?? "none"))
        #expect(Set(loud.tasks) == Set(names.suffix(4)))
        #expect(loud.residualVarianceShare > 0.85)
        #expect(report.aggregate.warning != nil)

        let balanced = try TaskOverlap.analyse(SyntheticSuite.planted(coEmergingBlock: 0, seed: 2).matrix, options: OverlapOptions(replicates: 0))
        print("balanced shares: " + balanced.clusters.map { String(format: "%.2f", $0.residualVarianceShare) }.joined(separator: ", "))
        #expect(balanced.clusters.count == 4)
        #expect(balanced.aggregate.warning == nil)
    }

    /// Two families interleaved in x. Every task carries its family's offset (±0.1, shared by all
    /// tasks) plus independent noise of sd 0.02: the family offsets in the trend absorb the shared
    /// shift, so the tasks count as independent (PR within 1.5 of T = 8; the sampling sd of PR is
    /// ≈ 2·√28·√2/ν ≈ 0.3 at ν = 49). Three tasks jump by 0.4 between family "b"'s 3rd and 4th
    /// models, which are not adjacent in x overall; a constant task is left out with a warning.
    @Test func familiesGetOffsetsAndTheirOwnLadders() throws {
        var random = GaussianSource(seed: 21)
        let m = 54, x = (0..<m).map { pow(10, 8 + 3 * Double($0) / Double(m - 1)) }
        let families = (0..<m).map { $0 % 2 == 0 ? "a" : "b" }
        let bModels = (0..<m).filter { families[$0] == "b" }
        let jumpFrom = bModels[2], jumpTo = bModels[3]
        var scores = (0..<8).map { _ in
            (0..<m).map { k in 0.3 + 0.1 * log10(x[k] / 1e8) + (families[k] == "a" ? 0.1 : -0.1) + 0.02 * random.normal() }
        }
        scores += (0..<3).map { _ in (0..<m).map { k in 0.25 + (families[k] == "b" && k >= jumpTo ? 0.4 : 0) + 0.01 * random.normal() } }
        scores.append([Double](repeating: 0.25, count: m))
        let names = (0..<8).map { "plain\($0)" } + ["jumpA", "jumpB", "jumpC", "constant"]
        let matrix = TaskMatrix(metric: "acc", tasks: names, models: (0..<m).map { "m\($0)" }, families: families, x: x, scores: scores)
        let report = try TaskOverlap.analyse(matrix, options: OverlapOptions(replicates: 0))
        #expect(report.trendParameters == 4)  // 1, u, u², one family offset
        #expect(report.excludedTasks == ["constant"])
        #expect(report.warnings.contains { $0.contains("constant") })
        let plain = try TaskOverlap.analyse(
            TaskMatrix(metric: "acc", tasks: Array(names.prefix(8)), models: matrix.models, families: families, x: x,
                       scores: Array(scores.prefix(8))), options: OverlapOptions(replicates: 0))
        print(String(format: "families: PR of 8 plain tasks %.2f", plain.effectiveTasks.estimate))
        #expect(plain.effectiveTasks.estimate >= 6.5)
        let group = try #require(report.coEmerging.first)
        #expect(report.coEmerging.count == 1)
        #expect(group.family == "b" && group.tasks == ["jumpA", "jumpB", "jumpC"])
        #expect(group.lowerModel == "m\(jumpFrom)" && group.upperModel == "m\(jumpTo)")
    }

    @Test func sameSeedSameReport() throws {
        let suite = SyntheticSuite.planted(models: 40, noise: 0.03, seed: 9)
        #expect(suite.truth == SyntheticSuite.planted(models: 40, noise: 0.03, seed: 9).truth)
        let first = try TaskOverlap.analyse(suite.matrix, options: OverlapOptions(replicates: 300, seed: 5))
        let second = try TaskOverlap.analyse(suite.matrix, options: OverlapOptions(replicates: 300, seed: 5))
        let other = try TaskOverlap.analyse(suite.matrix, options: OverlapOptions(replicates: 300, seed: 6))
        #expect(first == second)
        #expect(first.effectiveTasks.intervals != other.effectiveTasks.intervals)
        #expect(first.effectiveTasks.estimate == other.effectiveTasks.estimate)
    }

    /// 45 tasks on 20 models: the rank limit is stated, and the report still comes out.
    @Test func rankLimitIsReported() throws {
        let suite = SyntheticSuite.planted(models: 20, noise: 0.03, seed: 1)
        let report = try TaskOverlap.analyse(suite.matrix, options: OverlapOptions(replicates: 100))
        #expect(report.effectiveTasks.rankLimit == 17)
        #expect(report.effectiveTasks.uncorrected <= 17)
        #expect(report.warnings.contains { $0.contains("at most 17 nonzero eigenvalues") })
    }

    @Test func tooFewModelsIsAnError() {
        let matrix = TaskMatrix(metric: "acc", tasks: ["a", "b"], models: ["m1", "m2", "m3", "m4", "m5"],
                                x: [1e8, 1e9, 1e10, 1e11, 1e12], scores: [[0.1, 0.2, 0.3, 0.5, 0.4], [0.2, 0.1, 0.4, 0.3, 0.6]])
        #expect(throws: OverlapError.self) { try TaskOverlap.analyse(matrix) }
    }

    /// The eigen wrapper: a 2 × 2 correlation matrix with r = 0.6 has eigenvalues 1.6 and 0.4 with
    /// eigenvectors (1, 1)/√2 and (1, −1)/√2.
    @Test func symmetricEigenOfACorrelationMatrix() {
        let (values, vectors) = SymmetricEigen.decompose([[1, 0.6], [0.6, 1]])
        #expect(abs(values[0] - 1.6) < 1e-12 && abs(values[1] - 0.4) < 1e-12)
        #expect(abs(abs(vectors[0][0]) - 0.5.squareRoot()) < 1e-12 && abs(vectors[0][0] - vectors[0][1]) < 1e-12)
    }

    /// Hubert & Arabie (1985) adjusted Rand index of two labellings.
    func adjustedRandIndex(_ a: [Int], _ b: [Int]) -> Double {
        func choose2(_ n: Int) -> Double { Double(n * (n - 1)) / 2 }
        var table: [[Int]: Int] = [:], rows: [Int: Int] = [:], columns: [Int: Int] = [:]
        for (p, q) in zip(a, b) {
            table[[p, q], default: 0] += 1
            rows[p, default: 0] += 1
            columns[q, default: 0] += 1
        }
        let index = table.values.reduce(0) { $0 + choose2($1) }
        let rowSum = rows.values.reduce(0) { $0 + choose2($1) }, columnSum = columns.values.reduce(0) { $0 + choose2($1) }
        let expected = rowSum * columnSum / choose2(a.count)
        return (index - expected) / ((rowSum + columnSum) / 2 - expected)
    }
}

