import Foundation
import Testing
import ScaleLabCore
import ScaleLabFit
@testable import ScaleLabAnalysis

/// The backtest modes of issue 5 (per family, per run's checkpoints, two-step) on synthetic
/// ladders whose truth is known: noiseless laws, so every tolerance below is optimiser precision
/// plus a margin, not statistics.
@Suite struct BacktestModesTests {
    /// A power law E + A·x^(−α).
    struct Power {
        var e: Double, a: Double, alpha: Double
        func callAsFunction(_ x: Double) -> Double { e + a * pow(x, -alpha) }
    }

    /// Family A (7 sizes 1e7…1e10) and B (6 sizes 2e7…3e10, interleaved with A's) each follow
    /// their own power law on task `t1` and another on `t2`; family C has 3 sizes; two points
    /// have no family.
    static let lawsA = ["t1": Power(e: 1.5, a: 300, alpha: 0.3), "t2": Power(e: 2.5, a: 80, alpha: 0.25)]
    static let lawsB = ["t1": Power(e: 2.0, a: 50, alpha: 0.2), "t2": Power(e: 1.2, a: 900, alpha: 0.35)]
    static let sizesA = (0..<7).map { pow(10, 7 + 3 * Double($0) / 6) }
    static let sizesB = (0..<6).map { 2 * pow(10, 7 + 3.2 * Double($0) / 5) }
    static let sizesC = [3e7, 3e8, 3e9]

    static func familySeries() -> [FitSeries] {
        ["t1", "t2"].map { task in
            var points: [(x: Double, y: Double, model: String, family: String?)] = []
            for n in sizesA { points.append((n, lawsA[task]!(n), "a-\(n)", "A")) }
            for n in sizesB { points.append((n, lawsB[task]!(n), "b-\(n)", "B")) }
            for n in sizesC { points.append((n, lawsA[task]!(n) * 1.1, "c-\(n)", "C")) }
            points.append((5e8, 3, "loner-1", nil))
            points.append((5e9, 3, "loner-2", nil))
            points.sort { $0.x < $1.x }
            return FitSeries(task: task, metric: "loss", shots: nil, data: FitData(x: points.map(\.x), y: points.map(\.y)),
                             models: points.map { ModelKey(name: $0.model) }, families: points.map(\.family))
        }
    }

    @Test func familySplitNeverMixesFamilies() {
        let (groups, unlabelled, dropped) = Backtester.split(Self.familySeries(), by: .family)
        #expect(groups.map(\.name) == ["A", "B", "C"])
        #expect(unlabelled == 4)  // two models without a family, on two tasks
        #expect(dropped == 0)
        for group in groups {
            #expect(group.curves.count == 2)
            for curve in group.curves {
                #expect(curve.families.allSatisfy { $0 == group.name })
                #expect(curve.models.allSatisfy { $0.name.hasPrefix(group.name.lowercased() + "-") })
                #expect(curve.data.x == curve.data.x.sorted())
                #expect(curve.data.count == curve.models.count && curve.families.count == curve.models.count)
                #expect(curve.modelSeeds.count == curve.models.count && curve.evaluationSeeds.count == curve.models.count)
            }
        }
    }

    @Test func perFamilyHoldOutPredictsEachFamilysLargestModel() async throws {
        let options = BacktestOptions(laws: ["power"], holdOutLargest: true, replicates: 20)
        let result = await Backtester.runPerFamily(Self.familySeries(), options: options, minimumSize: 4)
        #expect(result.grouping == .family)
        #expect(result.groups.map(\.group) == ["A", "B"])
        #expect(result.groups.map(\.distinctX) == [7, 6])
        #expect(result.skippedGroups.map(\.group).sorted() == ["(no family)", "C"])
        let power = result.predictions.filter { $0.prediction.method == "power" }
        #expect(power.count == 4)  // two families × two tasks, one held-out model each
        for item in power {
            let p = item.prediction
            let (laws, sizes) = item.group == "A" ? (Self.lawsA, Self.sizesA) : (Self.lawsB, Self.sizesB)
            // Held out: the family's own largest model, fitted on its own smaller models.
            #expect(p.x == sizes.last!)
            #expect(p.origin == sizes[sizes.count - 2])
            #expect(p.model.hasPrefix(item.group.lowercased() + "-"))
            let truth = laws[p.task]!(p.x)
            #expect(abs(p.predicted - truth) < 1e-3, "\(item.group) \(p.task): predicted \(p.predicted), truth \(truth)")
            #expect(abs(p.observed - truth) < 1e-12)
        }
        // The pooled table scores both families; each family's table its own two predictions.
        let pooled = try #require(result.summaries.first { $0.method == "power" })
        #expect(pooled.predictions == 4 && pooled.meanAbsoluteError < 1e-3)
        for group in result.groups {
            #expect(group.summaries.first { $0.method == "power" }?.predictions == 2)
        }
        #expect(result.pooled.predictions.count == result.predictions.count)

        // The control: one law through both families (the plain backtest) misses by far more.
        let mixed = await Backtester.run(Self.familySeries(), options: options)
        let mixedPower = mixed.predictions.filter { $0.method == "power" }
        #expect(!mixedPower.isEmpty)
        print("per-family power errors:", power.map { abs($0.prediction.error) }, "mixed:", mixedPower.map { abs($0.error) })
        #expect(mixedPower.allSatisfy { abs($0.error) > 1e-2 })
    }

    @Test func perFamilyWithAFixedOriginAndALargerMinimum() async {
        let options = BacktestOptions(laws: ["power"], trainMax: 1.5e9, replicates: 20)
        let result = await Backtester.runPerFamily(Self.familySeries(), options: options, minimumSize: 7)
        // B has 6 sizes: too few for a minimum of 7.
        #expect(result.groups.map(\.group) == ["A"])
        #expect(result.skippedGroups.contains(SkippedBacktestGroup(group: "B", reason: "6 distinct sizes, fewer than 7")))
        let power = result.predictions.filter { $0.prediction.method == "power" }.map(\.prediction)
        // A's sizes above 1.5e9: 3.16e9 and 1e10, for two tasks.
        #expect(power.count == 4)
        #expect(power.allSatisfy { $0.origin == Self.sizesA[4] && abs($0.predicted - Self.lawsA[$0.task]!($0.x)) < 1e-3 })
    }

    /// Two runs with checkpoints at steps 0, 1000, 2000, …, 64000 whose loss follows a known
    /// power law in the step; a third run has two checkpoints.
    static let runLaws = ["run-a": Power(e: 2.2, a: 40, alpha: 0.45), "run-b": Power(e: 1.9, a: 15, alpha: 0.3)]
    static let steps = [0] + (0..<7).map { 1000 << $0 }

    static func checkpointSeries() -> [FitSeries] {
        var points: [(x: Double, y: Double, model: ModelKey)] = []
        for (name, law) in runLaws {
            for step in steps { points.append((Double(step), step == 0 ? 11.0 : law(Double(step)), ModelKey(name: name, step: step))) }
        }
        points.append((1000, 4, ModelKey(name: "short", step: 1000)))
        points.append((2000, 3.5, ModelKey(name: "short", step: 2000)))
        points.sort { ($0.x, $0.model) < ($1.x, $1.model) }
        return [FitSeries(task: "pile", metric: "loss", shots: nil, data: FitData(x: points.map(\.x), y: points.map(\.y)),
                          models: points.map(\.model))]
    }

    @Test func checkpointLadderPredictsTheFinalCheckpoint() async throws {
        let options = BacktestOptions(laws: ["power"], holdOutLargest: true, replicates: 20)
        let result = await Backtester.runCheckpoints(Self.checkpointSeries(), options: options, minimumSize: 4)
        #expect(result.grouping == .checkpoints)
        #expect(result.droppedNonPositive == 2)  // step 0 of both long runs
        #expect(result.groups.map(\.group) == ["run-a", "run-b"])
        #expect(result.groups.map(\.distinctX) == [7, 7])
        #expect(result.skippedGroups == [SkippedBacktestGroup(group: "short", reason: "2 distinct checkpoints, fewer than 4")])
        let power = result.predictions.filter { $0.prediction.method == "power" }
        #expect(power.map(\.prediction.model).sorted() == ["run-a@64000", "run-b@64000"])
        for item in power {
            let p = item.prediction
            #expect(p.origin == 32000 && p.x == 64000)
            let truth = Self.runLaws[item.group]!(64000)
            #expect(abs(p.predicted - truth) < 1e-3, "\(item.group): predicted \(p.predicted), truth \(truth)")
        }
    }

    /// A two-step ladder: bpb = 1.8 + 400·N^(−0.3) and acc = 0.25 + 0.6/(1 + exp(3·(bpb − 3))),
    /// 10 sizes from 1e7 to 1e10 (bpb 4.98 → 2.2, acc 0.25 → 0.80); a second task has no bpb.
    static let bpb = Power(e: 1.8, a: 400, alpha: 0.3)
    static func accuracy(_ loss: Double) -> Double { 0.25 + 0.6 / (1 + exp(3 * (loss - 3))) }
    static let twoStepSizes = (0..<10).map { pow(10, 7 + Double($0) / 3) }

    static func twoStepSeries() -> [FitSeries] {
        let models = twoStepSizes.indices.map { ModelKey(name: "m\($0)") }
        let x = twoStepSizes
        return [
            FitSeries(task: "cloze", metric: "acc", shots: 0, data: FitData(x: x, y: x.map { accuracy(bpb($0)) }), models: models),
            FitSeries(task: "cloze", metric: "bpb", shots: 0, data: FitData(x: x, y: x.map { bpb($0) }), models: models),
            FitSeries(task: "cloze", metric: "acc", shots: 5, data: FitData(x: x, y: x.map { accuracy(bpb($0)) + 0.05 }), models: models),
            FitSeries(task: "quiz", metric: "acc", shots: 0, data: FitData(x: x, y: x.map { 0.3 + 0.02 * log10($0) }), models: models),
        ]
    }

    @Test func twoStepPredictionMatchesTheTruth() async throws {
        let options = BacktestOptions(laws: ["power"], holdOutLargest: true, replicates: 40)
        let result = await Backtester.runWithTwoStep(Self.twoStepSeries(), via: "bpb", options: options)
        let method = Backtester.twoStepMethod(via: "bpb")
        #expect(method == "two-step(via bpb)")
        let twoStep = result.predictions.filter { $0.method == method }
        #expect(twoStep.count == 1)
        let p = try #require(twoStep.first)
        #expect(p.task == "cloze" && p.model == "m9" && p.origin == Self.twoStepSizes[8])
        let truth = Self.accuracy(Self.bpb(Self.twoStepSizes[9]))
        print("two-step: predicted \(p.predicted), truth \(truth), intervals \(p.intervals)")
        #expect(abs(p.predicted - truth) < 2e-3, "predicted \(p.predicted), truth \(truth)")
        #expect(p.intervals.map(\.level) == [0.8, 0.95])
        #expect(p.intervals.allSatisfy { $0.lower <= p.predicted + 1e-9 && p.predicted - 1e-9 <= $0.upper })
        // Scored next to the direct law and the baselines, on the same observation.
        let methods = Set(result.summaries.filter { $0.predictions > 0 }.map(\.method))
        #expect(methods.isSuperset(of: [method, "power", "last-value", "linear-log-x"]))
        #expect(result.summaries.first { $0.method == method }?.predictions == 1)
        // The 5-shot accuracy and the task without bpb are skipped, and their curves not backtested.
        #expect(result.skipped.contains { $0.hasPrefix("quiz acc: no 'bpb' scores") })
        #expect(result.skipped.contains { $0.hasPrefix("cloze acc: no 'bpb' scores for this task at 5 shots") })
        #expect(result.predictions.allSatisfy { $0.task == "cloze" && $0.metric == "acc" })
        // Same seed, same intervals.
        let again = await Backtester.runWithTwoStep(Self.twoStepSeries(), via: "bpb", options: options)
        #expect(again.predictions.first { $0.method == method }?.intervals == p.intervals)
    }

    @Test func twoStepWithAFixedOriginUsesTheDirectLawsOrigins() async throws {
        let options = BacktestOptions(laws: ["power"], trainMax: 1.5e9, replicates: 40)
        let result = await Backtester.runWithTwoStep(Self.twoStepSeries(), via: "bpb", options: options)
        let method = Backtester.twoStepMethod(via: "bpb")
        let twoStep = result.predictions.filter { $0.method == method }
        let power = result.predictions.filter { $0.method == "power" }
        // 1e7 … 1e9 (7 models) fitted; 2.15e9, 4.6e9 and 1e10 predicted by both methods.
        #expect(twoStep.count == 3)
        #expect(Set(twoStep.map { "\($0.model)|\($0.origin)" }) == Set(power.map { "\($0.model)|\($0.origin)" }))
        for p in twoStep {
            let truth = Self.accuracy(Self.bpb(p.x))
            #expect(abs(p.predicted - truth) < 5e-3, "\(p.model): predicted \(p.predicted), truth \(truth)")
        }
        #expect(result.summaries.first { $0.method == method }?.predictions == 3)
    }

    @Test func twoStepIntervalsCarryTheScatterOfNoisyModels() async throws {
        // The same ladder with a deterministic ±0.01 zig-zag on the accuracy and ±1% on bpb.
        let x = Self.twoStepSizes
        let models = x.indices.map { ModelKey(name: "m\($0)") }
        let sign = x.indices.map { $0 % 2 == 0 ? 1.0 : -1.0 }
        let series = [
            FitSeries(task: "cloze", metric: "acc", shots: 0,
                      data: FitData(x: x, y: x.indices.map { Self.accuracy(Self.bpb(x[$0])) + 0.01 * sign[$0] }), models: models),
            FitSeries(task: "cloze", metric: "bpb", shots: 0,
                      data: FitData(x: x, y: x.indices.map { Self.bpb(x[$0]) * (1 + 0.01 * sign[$0]) }), models: models),
        ]
        let options = BacktestOptions(laws: ["power"], holdOutLargest: true, replicates: 100)
        let result = await Backtester.runWithTwoStep(series, via: "bpb", options: options)
        let p = try #require(result.predictions.first { $0.method == Backtester.twoStepMethod(via: "bpb") })
        let truth = Self.accuracy(Self.bpb(x[9]))
        print("noisy two-step: predicted \(p.predicted), truth \(truth), intervals \(p.intervals)")
        // Noise of 0.01 per point: the prediction stays within a few noise units of the truth, and
        // the intervals are as wide as the scatter (leave-one-scale-out errors of ~0.01 and more).
        #expect(abs(p.predicted - truth) < 0.03)
        let i80 = try #require(p.intervals.first { $0.level == 0.8 }), i95 = try #require(p.intervals.first { $0.level == 0.95 })
        #expect(i80.upper - i80.lower > 0.01)
        #expect(i95.lower <= i80.lower && i80.upper <= i95.upper)
        #expect(i95.contains(truth))
    }

    @Test func twoStepWithinFamilies() async throws {
        // The two-step ladder as family F, and a copy shifted in size as family G.
        let series = Self.twoStepSeries().filter { $0.task == "cloze" && $0.shots == 0 }.flatMap { curve -> [FitSeries] in
            let shifted = FitSeries(task: curve.task, metric: curve.metric, shots: curve.shots,
                                    data: FitData(x: curve.data.x.map { $0 * 3 }, y: curve.data.y),
                                    models: curve.models.map { ModelKey(name: "g-" + $0.name) }, families: curve.models.map { _ in "G" })
            var own = curve
            own.families = curve.models.map { _ in "F" }
            return [own, shifted]
        }
        let options = BacktestOptions(laws: ["power"], holdOutLargest: true, replicates: 30)
        let result = await Backtester.runPerFamily(series, options: options, via: "bpb")
        let twoStep = result.predictions.filter { $0.prediction.method == Backtester.twoStepMethod(via: "bpb") }
        #expect(twoStep.map(\.group) == ["F", "G"])
        for item in twoStep {
            let scale = item.group == "F" ? 1.0 : 3.0
            let truth = Self.accuracy(Self.bpb(item.prediction.x / scale))
            #expect(abs(item.prediction.predicted - truth) < 2e-3)
        }
    }

    @Test func groupedPredictionsEncodeFlat() throws {
        let prediction = BacktestPrediction(task: "t", metric: "acc", method: "power", model: "m@10", origin: 5, x: 10, observed: 0.5,
                                            predicted: 0.4, intervals: [LevelInterval(level: 0.8, lower: 0.3, upper: 0.6)])
        let data = try JSONEncoder().encode(GroupedBacktestPrediction(group: "F", prediction: prediction))
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["group"] as? String == "F" && object["model"] as? String == "m@10" && object["predicted"] as? Double == 0.4)
        let decoded = try JSONDecoder().decode(GroupedBacktestPrediction.self, from: data)
        #expect(decoded.group == "F" && decoded.prediction.model == "m@10" && decoded.prediction.intervals == prediction.intervals)
    }
}
