import Foundation
import ScaleLabCore
import ScaleLabFit
import Testing

@testable import ScaleLabAnalysis

/// Per-item data built as in Schaeffer, Miranda & Koyejo (2023, §2): the per-token cross-entropy
/// falls as a power law of scale, CE_i(N) = d_i · (N / N*)^(−α) / L, the per-token probability is
/// p_i = exp(−CE_i), the target has L tokens and exact match needs all of them, so accuracy is
/// mean p_i^L. Items differ in difficulty d_i = exp(0.2·z). Tokens are drawn one by one, so both
/// the correctness and the answer (wrong tokens replaced by "x") are sampled; log p(target) =
/// −L·CE_i is the model's own probability.
///
/// Ten models from 10⁷ to 10¹¹, α = 1.5, L = 10, N* placed between the 7th and 8th model (where
/// L·CE = 1): accuracy is 0 for the six smallest models and then rises to ≈ 0.98 (the expected
/// values are 0, 0, 0, 0, 0, 0, 0.12, 0.62, 0.90, 0.98), its largest step holding ≈ 50% of
/// the change; the per-token cross-entropy is an exact power law, ≈ 1/9 of the change per step on
/// a log scale.
struct MirageWorld {
    static let tokens = 10
    static let alpha = 1.5
    var x: [ModelKey: Double] = [:]
    var items: [ItemResult] = []
    var targets: [String: String] = [:]
    var targetTokens: [String: Int] = [:]

    init(models: Int = 10, itemCount: Int = 200, seed: UInt64 = 7, withLogProbs: Bool = true, withAnswers: Bool = true) {
        var generator = SplitMix64(seed: seed)
        func uniform() -> Double { Double(generator.next() >> 11) / 9_007_199_254_740_992 }
        func normal() -> Double { (-2 * log(uniform() + 1e-300)).squareRoot() * cos(2 * Double.pi * uniform()) }
        let difficulty = (0..<itemCount).map { _ in exp(0.2 * normal()) }
        let target = (0..<Self.tokens).map { "t\($0)" }
        let middle = pow(10, 7 + 4 * 6.5 / 9)
        for item in 0..<itemCount {
            targets["item\(item)"] = target.joined(separator: " ")
            targetTokens["item\(item)"] = Self.tokens
        }
        for k in 0..<models {
            let scale = pow(10, 7 + 4 * Double(k) / 9)
            let model = ModelKey(name: "m\(k)")
            x[model] = scale
            for item in 0..<itemCount {
                let crossEntropy = difficulty[item] * pow(scale / middle, -Self.alpha) / Double(Self.tokens)
                let p = exp(-crossEntropy)
                let answer = target.map { uniform() < p ? $0 : "x" }
                items.append(ItemResult(
                    model: model, task: "synthetic", item: "item\(item)", scorer: "match",
                    correct: answer == target ? 1 : 0,
                    targetLogProb: withLogProbs ? -Double(Self.tokens) * crossEntropy : nil,
                    answer: withAnswers ? answer.joined(separator: " ") : nil))
            }
        }
    }
}

@Suite("Metric mirage")
struct MirageTests {
    @Test("exact match jumps, the per-token metrics improve smoothly: a mirage")
    func schaefferConstruction() throws {
        let world = MirageWorld()
        let report = MirageAnalysis.analyse(items: world.items, x: world.x, targets: world.targets,
                                            targetTokens: world.targetTokens)
        for metric in report.metrics {
            let jump = try #require(metric.jump)
            print(String(format: "%@: y = %@; share %.3f, concentration %.2f, scale %@, jump %@", metric.metric.rawValue,
                         metric.curve.y.map { String(format: "%.3g", $0) }.joined(separator: " "),
                         jump.largestStepShare, jump.concentration, jump.scale.rawValue, jump.isJump ? "yes" : "no"))
        }
        print(report.explanation)

        #expect(report.metrics.map(\.metric) == MirageMetric.allCases)
        let accuracy = try #require(report[.accuracy]?.jump)
        // Expected ≈ 0.50 (the step from 0.12 to 0.62 of a total change of 0.98); 0.4 leaves room for sampling.
        #expect(accuracy.largestStepShare >= 0.4)
        #expect(accuracy.isJump && accuracy.stepImproves)
        // An exact power law on a log scale: 1/9 of the change per step of the even ladder.
        let logProb = try #require(report[.targetLogProb]?.jump)
        #expect(logProb.scale == .logOfNegative)
        #expect(abs(logProb.largestStepShare - 1.0 / 9) < 0.01)
        #expect(!logProb.isJump)
        let perToken = try #require(report[.perTokenProbability]?.jump)
        #expect(perToken.scale == .logOfNegative)
        #expect(abs(perToken.largestStepShare - 1.0 / 9) < 0.01 && !perToken.isJump)
        // Wrong tokens ≈ L·(1 − e^(−CE)): capped at L for the small models, a power law later.
        let editDistance = try #require(report[.tokenEditDistance]?.jump)
        // Expected ≈ 0.25; the last steps count few wrong tokens (≈ 14 and 4 of 2000), noisy on a log scale.
        #expect(editDistance.largestStepShare <= 0.35 && !editDistance.isJump)
        #expect(report[.tokenEditDistance]?.curve.higherIsBetter == false)
        #expect(report[.brierScore]?.curve.higherIsBetter == false)
        #expect(report[.targetLogProb]?.curve.higherIsBetter == true)

        #expect(report.verdict == .mirage)
        #expect(report.explanation.contains("mirage"))
        #expect(report.explanation.contains("target_logprob"))
        #expect(report.notes.isEmpty)
    }

    @Test("small models' zeros are what the smooth metric predicts: not evidence of absence")
    func zerosAreNotEvidenceOfAbsence() throws {
        let world = MirageWorld()
        let report = MirageAnalysis.analyse(items: world.items, x: world.x)
        let resolution = report.resolution
        print(String(format: "n = %d, smallest resolvable accuracy %.4f, 95%% bound on a zero %.4f",
                     resolution.items, resolution.smallestResolvableAccuracy, resolution.zeroUpperBound95))
        for zero in resolution.zeros { print(zero.model, zero.explanation) }
        #expect(resolution.items == 200)
        #expect(resolution.smallestResolvableAccuracy == 0.005)
        // 1 − 0.05^(1/200) = 0.014867…, the rule of three gives 3/200 = 0.015.
        #expect(abs(resolution.zeroUpperBound95 - 0.014867) < 1e-5)
        #expect(resolution.zeros.count >= 5)
        #expect(resolution.zeros.allSatisfy { $0.consistentWithSmoothMetric == true })
        #expect(resolution.zeros.allSatisfy { ($0.expectedCorrect ?? 3) < 3 && ($0.probabilityOfZero ?? 0) > 0.05 })
        #expect(resolution.zeros.first?.explanation.contains("not evidence of absence") == true)
    }

    @Test("a zero the model's own probabilities do not explain is real")
    func realZero() throws {
        let model = ModelKey(name: "confident")
        // p(target) = 0.5 on each of 20 items, yet none correct: 10 were expected.
        let items = (0..<20).map {
            ItemResult(model: model, task: "t", item: "i\($0)", scorer: "match", correct: 0, targetLogProb: log(0.5))
        }
        let report = MirageAnalysis.analyse(items: items, x: [model: 1e9])
        let zero = try #require(report.resolution.zeros.first)
        #expect(abs((zero.expectedCorrect ?? 0) - 10) < 1e-9)
        #expect(zero.consistentWithSmoothMetric == false)
        #expect(abs((zero.probabilityOfZero ?? 1) - pow(0.5, 20)) < 1e-12)
        #expect(report.verdict == .tooFewModels)
    }

    @Test("without log-probabilities or targets only accuracy is scored and the verdict says so")
    func accuracyOnly() throws {
        let world = MirageWorld(withLogProbs: false)
        let report = MirageAnalysis.analyse(items: world.items, x: world.x)
        print(report.explanation)
        #expect(report.metrics.map(\.metric) == [.accuracy])
        #expect(report.verdict == .noContinuousMetric)
        #expect(report.explanation.contains("a continuous metric is unavailable"))
        let zero = try #require(report.resolution.zeros.first)
        #expect(zero.consistentWithSmoothMetric == nil)
        #expect(zero.explanation.contains("cannot be told"))

        // Answers and targets alone give the edit distance, which is enough for a verdict.
        let withTargets = MirageAnalysis.analyse(items: world.items, x: world.x, targets: world.targets)
        #expect(withTargets.metrics.map(\.metric) == [.accuracy, .tokenEditDistance])
        #expect(withTargets.verdict == .mirage)
    }

    @Test("items missing for some models, models without a scale")
    func missingItems() throws {
        let world = MirageWorld()
        // The three smallest models answered only the first 100 items; one more model has no x.
        let partial = world.items.filter { item in
            !(["m0", "m1", "m2"].contains(item.model.name) && Int(item.item.dropFirst(4))! >= 100)
        } + [ItemResult(model: ModelKey(name: "unsized"), task: "synthetic", item: "item0", scorer: "match", correct: 1)]
        let report = MirageAnalysis.analyse(items: partial, x: world.x, targets: world.targets)
        let accuracy = try #require(report[.accuracy])
        #expect(accuracy.curve.x.count == 10)
        #expect(accuracy.items == [100, 100, 100] + Array(repeating: 200, count: 7))
        #expect(accuracy.curve.items == 100)
        #expect(report.notes.contains { $0.contains("unsized") })
        #expect(report.notes.contains { $0.contains("different items") })
        #expect(report.resolution.items == 100)
        #expect(report.verdict == .mirage)

        let common = MirageAnalysis.analyse(items: partial, x: world.x, targets: world.targets, commonItemsOnly: true)
        #expect(common[.accuracy]?.items == Array(repeating: 100, count: 10))
        #expect(common.notes.contains { $0.contains("every model answered") })
    }

    @Test("epochs are averaged per item before the model's mean")
    func epochsAveraged() throws {
        let model = ModelKey(name: "m")
        let items = [
            ItemResult(model: model, task: "t", item: "a", scorer: "s", epoch: 1, correct: 1),
            ItemResult(model: model, task: "t", item: "a", scorer: "s", epoch: 2, correct: 0),
            ItemResult(model: model, task: "t", item: "a", scorer: "s", epoch: 3, correct: 0),
            ItemResult(model: model, task: "t", item: "b", scorer: "s", epoch: 1, correct: 1),
        ]
        let report = MirageAnalysis.analyse(items: items, x: [model: 1])
        // Item a: 1/3, item b: 1 → (1/3 + 1)/2.
        #expect(abs((report[.accuracy]?.curve.y.first ?? 0) - 2.0 / 3) < 1e-12)
    }

    @Test("token edit distance is Levenshtein on whitespace tokens")
    func editDistance() {
        #expect(MirageAnalysis.tokenEditDistance("a b c", "a b c") == 0)
        #expect(MirageAnalysis.tokenEditDistance("a x c", "a b c") == 1)
        #expect(MirageAnalysis.tokenEditDistance("b c d", "a b c d") == 1)
        #expect(MirageAnalysis.tokenEditDistance("", "a  b\n") == 2)
        #expect(MirageAnalysis.tokenEditDistance("kitten sitting", "sitting kitten on") == 2)
    }

    @Test("jump statistic on a pure step, a line and across a gap in the ladder")
    func jumpStatistic() throws {
        let x = (0..<10).map { pow(10, Double($0)) }
        let step = JumpStatistic.measure(TaskCurve(task: "t", metric: "accuracy", x: x, y: (0..<10).map { $0 < 6 ? 0 : 0.9 }))
        #expect(step?.largestStepShare == 1)
        #expect(step?.isJump == true && step?.fromX == 1e5 && step?.toX == 1e6)
        let line = JumpStatistic.measure(TaskCurve(task: "t", metric: "accuracy", x: x, y: (0..<10).map { 0.1 * Double($0) }))
        #expect(abs((line?.largestStepShare ?? 0) - 1.0 / 9) < 1e-12)
        #expect(line?.isJump == false)
        // A linear trend in log x sampled with one wide gap: large share, but no more than the gap's share of log x.
        let gapped = [1.0, 10, 100, 1e7, 1e8]
        let gap = JumpStatistic.measure(TaskCurve(task: "t", metric: "accuracy", x: gapped, y: gapped.map { log10($0) / 8 }))
        #expect((gap?.largestStepShare ?? 0) > 0.6)
        #expect(gap?.isJump == false)
        #expect(JumpStatistic.measure(TaskCurve(task: "t", metric: "accuracy", x: [1, 2], y: [0, 1])) == nil)
        // A step within its own noise is not a jump.
        let noisy = JumpStatistic.measure(TaskCurve(task: "t", metric: "accuracy", x: x, y: (0..<10).map { $0 == 6 ? 0.01 : 0 },
                                                    stderr: Array(repeating: 0.01, count: 10)))
        #expect(noisy?.isJump == false)
    }
}
