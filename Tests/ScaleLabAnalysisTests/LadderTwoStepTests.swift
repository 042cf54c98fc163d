import Foundation
import Testing
import ScaleLabCore
import ScaleLabFit
@testable import ScaleLabAnalysis

/// A ladder laid out like the OLMo one (Bhagia et al. 2024): runs of 190M, 370M, 760M and 1.3B
/// parameters at 1, 2, 5 and 10× Chinchilla tokens (20 per parameter), each evaluated at 8
/// checkpoints (an eighth of its tokens to all of them); truth L(N, D) = 1.69 + 406.4/N^0.34 +
/// 410.7/D^0.28 (Hoffmann et al. 2022's fit) with 1% lognormal noise per checkpoint, and accuracy
/// = 0.25 + 0.7/(1 + exp(5·(L − 2.45))) with binomial noise on 2,000 items (chance 0.25).
/// Targets: 7B and 13B at 20 tokens per parameter.
enum SyntheticLadder {
    static let sizes = [190e6, 370e6, 760e6, 1.3e9]
    static let multiples = [1.0, 2, 5, 10]
    static let targets = [LadderTarget(params: 7e9, tokens: 140e9), LadderTarget(params: 13e9, tokens: 260e9)]
    static let items = 2000.0

    static func loss(_ n: Double, _ d: Double) -> Double { 1.69 + 406.4 / pow(n, 0.34) + 410.7 / pow(d, 0.28) }
    static func accuracy(_ l: Double) -> Double { 0.25 + 0.7 / (1 + exp(5 * (l - 2.45))) }

    static func binomial(_ p: Double, _ noise: inout Noise) -> Double {
        // Normal approximation to a binomial share on `items` items, held inside [0, 1].
        min(max(p + (p * (1 - p) / items).squareRoot() * noise.normal(), 0), 1)
    }

    static func ladder(seed: UInt64) -> Ladder {
        var noise = Noise(seed: seed)
        var points: [LadderPoint] = []
        for n in sizes {
            for m in multiples {
                let d = 20 * n * m, run = "ladder-\(Int(n / 1e6))m-\(Int(m))x"
                for k in 1...8 {
                    let tokens = d * Double(k) / 8
                    let l = loss(n, tokens) * exp(0.01 * noise.normal())
                    points.append(LadderPoint(run: run, step: k * 1000, params: n, tokens: tokens, via: l,
                                              score: binomial(accuracy(l), &noise)))
                }
            }
        }
        return Ladder(task: "synthetic", metric: "acc", via: ViaMetric(metric: "bpb"), chance: 0.25, points: points)
    }
}

@Suite struct LadderTwoStepTests {
    @Test func recoversStage1AndTheTargetsOfAKnownLadder() async throws {
        let ladder = SyntheticLadder.ladder(seed: 7)
        let stageOne = try await LadderStageOne(ladder.points, via: ladder.via, options: LadderOptions(replicates: 100))
        let fit = try LadderTwoStep.fit(ladder, stageOne: stageOne, at: SyntheticLadder.targets)
        // Stage 1 on the 16 finals, extrapolated 5–10× in N past the largest run: the A–B–E
        // trade-off of Chinchilla fits (Besiroglu et al. 2024, §3) leaves a few percent of error
        // at 1% noise (4.3% and 6.7% on this seed), so the test asks that the truth lies inside the
        // 95% interval of the via metric and within 10% of the estimate.
        for point in fit.points {
            let truth = SyntheticLadder.loss(point.target.params!, point.target.tokens!)
            let v95 = try #require(point.viaIntervals.first { abs($0.level - 0.95) < 1e-9 })
            #expect(v95.contains(truth), "stage 1 at \(point.target): truth \(truth) outside \(v95)")
            #expect(abs(point.via / truth - 1) < 0.10, "stage 1 at \(point.target): \(point.via) vs \(truth)")
        }
        #expect(fit.link.form == .sigmoid, "a real sigmoid rise over 128 checkpoints must beat flat and linear by AICc: \(fit.link.candidates)")
        for point in fit.points {
            let truth = SyntheticLadder.accuracy(SyntheticLadder.loss(point.target.params!, point.target.tokens!))
            let i95 = try #require(point.interval(0.95))
            #expect(i95.contains(truth), "target \(point.target): truth \(truth) outside \(i95)")
            // The sigmoid's slope at the target is about 0.7·5/4 ≈ 0.9 per unit loss, so a 0.1 error
            // of stage 1 moves the score by up to ~0.06.
            #expect(abs(point.estimate - truth) < 0.06, "estimate \(point.estimate) vs truth \(truth)")
            #expect(i95.lower >= 0 && i95.upper <= 1)
        }
    }

    /// Over 24 seeds × 2 targets, the 80% intervals hold the target's observed accuracy (truth
    /// plus its binomial noise) 70–90% of the time (±10 points: 48 draws of a 0.8 coverage have a
    /// standard deviation of 5.8 points, so this fails a correct method about 1 time in 12 only
    /// at the edges, and an interval of the stage-2 bootstrap alone, which ignores stage 1's error,
    /// misses it).
    @Test func eightyPercentIntervalsCoverSeventyToNinetyPercent() async throws {
        var covered = 0, total = 0
        for seed in 0..<24 {
            let ladder = SyntheticLadder.ladder(seed: 1000 + UInt64(seed))
            let stageOne = try await LadderStageOne(ladder.points, via: ladder.via, options: LadderOptions(replicates: 60, seed: UInt64(seed)))
            let fit = try LadderTwoStep.fit(ladder, stageOne: stageOne, at: SyntheticLadder.targets)
            var noise = Noise(seed: 99 + UInt64(seed))
            for point in fit.points {
                let l = SyntheticLadder.loss(point.target.params!, point.target.tokens!) * exp(0.01 * noise.normal())
                let observed = SyntheticLadder.binomial(SyntheticLadder.accuracy(l), &noise)
                if try #require(point.interval(0.8)).contains(observed) { covered += 1 }
                total += 1
            }
        }
        let coverage = Double(covered) / Double(total)
        print("synthetic ladder: 80% coverage \(coverage) over \(total) targets")
        #expect(coverage >= 0.70 && coverage <= 0.90, "80% coverage \(coverage) over \(total) targets")
    }

    @Test func chanceTasksGetAFlatLinkNotAnInventedRise() throws {
        // Scores that are noise around chance (0.25 ± binomial noise on 500 items) at every loss.
        var noise = Noise(seed: 3)
        let loss = (0..<40).map { 2.5 + Double($0) * 0.05 }
        let score = loss.map { _ in 0.25 + (0.25 * 0.75 / 500).squareRoot() * noise.normal() }
        let link = try LossLink(floor: 0.25).fit(loss: loss, score: score)
        #expect(link.form == .flat, "AICc must keep no trend in noise: \(link.candidates)")
        #expect(abs(link.predict(2.0) - 0.25) < 0.02)
    }

    @Test func sigmoidWithAFloorStaysBetweenChanceAndOne() throws {
        let law = SigmoidOfLossLaw(floor: 0.25)
        #expect(law.internalNames == ["hi", "k", "L0"])
        let data = FitData(x: [2, 2.5, 3, 3.5, 4], y: [0.8, 0.6, 0.4, 0.3, 0.26])
        let (lower, upper) = law.bounds(for: data)
        #expect(lower[0] == 0.25 && upper[0] == 1)
        let fit = try Fitter().fit(law, to: data)
        for l in [0.01, 1.0, 10, 100] {
            let y = law.predict(fit.theta, x: [l])[0]
            #expect(y >= 0.25 && y <= 1, "sigmoid at L = \(l): \(y)")
        }
    }

    @Test func exponentialLinkMatchesGadresForm() throws {
        // Err = 0.9 − 40·exp(−1.5·L), exact, on losses 2.5…4.
        let loss = stride(from: 2.5, through: 4.0, by: 0.1).map { $0 }
        let error = loss.map { 0.9 - 40 * exp(-1.5 * $0) }
        let law = ExponentialOfLossLaw(centre: loss.reduce(0, +) / Double(loss.count))
        let fit = try Fitter(residualSpace: .linear).fit(law, to: FitData(x: loss, y: error))
        let p = law.parameters(fit.theta)
        // Exact data: the parameters come back to 1e-4 relative (the solver's tolerance).
        #expect(abs(p["epsilon"]! - 0.9) < 1e-4 && abs(p["k"]! / 40 - 1) < 1e-3 && abs(p["gamma"]! - 1.5) < 1e-3, "\(p)")
    }

    @Test func refusesAViaMetricThatDoesNotScale() async {
        var ladder = SyntheticLadder.ladder(seed: 1)
        var noise = Noise(seed: 5)
        for i in ladder.points.indices { ladder.points[i].via = 3 + 0.01 * noise.normal() }
        await #expect(throws: FitInputError.self) {
            _ = try await LadderStageOne(ladder.points, via: ladder.via, options: LadderOptions(replicates: 0))
        }
        do {
            _ = try await LadderStageOne(ladder.points, via: ladder.via, options: LadderOptions(replicates: 0))
        } catch {
            #expect(error.description.contains("does not move with scale"), "\(error.description)")
        }
    }

    @Test func namesTheRunsWithoutTokens() async {
        var ladder = SyntheticLadder.ladder(seed: 1)
        for i in ladder.points.indices where ladder.points[i].run.hasPrefix("ladder-190m") { ladder.points[i].tokens = nil }
        do {
            _ = try await LadderStageOne(ladder.points, via: ladder.via, options: LadderOptions(replicates: 0))
            Issue.record("a stage 1 in N and D accepted runs without tokens")
        } catch {
            #expect(error.description.contains("ladder-190m-1x") && error.description.contains("--x"), "\(error.description)")
        }
    }

    @Test func datasetLadderPairsViaAndDropsUntrainedCheckpoints() throws {
        var builder = DatasetBuilder()
        let here = SourceLocation(file: "t.csv", line: 1)
        let task = builder.task(named: "t", at: here), val = builder.task(named: "val", at: here)
        let acc = builder.metric(named: "acc"), loss = builder.metric(named: "loss")
        for (name, params) in [("a", 1e8), ("b", 2e8)] {
            for step in [0, 1000, 2000] {
                let model = builder.addModel(ModelInfo(name: name, step: step, family: "f", params: params, tokens: Double(step) * 1e6), at: here)
                builder.addObservation(model: model, task: task, metric: acc, value: 0.3, shots: 0, at: here)
                if !(name == "b" && step == 2000) {
                    builder.addObservation(model: model, task: val, metric: loss, value: 3.0, at: here)
                }
            }
        }
        let c = builder.addModel(ModelInfo(name: "c", family: "f", params: 4e8, tokens: 8e9), at: here)
        builder.addObservation(model: c, task: task, metric: acc, value: 0.4, shots: 0, at: here)
        let data = try builder.build()
        let built = data.ladder(task: "t", metric: "acc", shots: 0, via: ViaMetric(parsing: "val:loss")!)
        #expect(built.untrained == 2)
        #expect(built.missingVia == ["c"])
        #expect(built.unpairedCheckpoints == 2)
        #expect(built.ladder.points.count == 3)
        #expect(built.ladder.finals.map(\.step) == [2000, 1000])
    }

    @Test func parsesViaMetrics() {
        #expect(ViaMetric(parsing: "bpb") == ViaMetric(metric: "bpb"))
        #expect(ViaMetric(parsing: "c4_val:loss") == ViaMetric(task: "c4_val", metric: "loss"))
        #expect(ViaMetric(parsing: "a:b:loss") == ViaMetric(task: "a:b", metric: "loss"))
        #expect(ViaMetric(parsing: ":loss") == nil && ViaMetric(parsing: "x:") == nil && ViaMetric(parsing: " ") == nil)
    }
}
