import Foundation
import ScaleLabCore
import ScaleLabFit

/// How a ladder's two-step law is fitted.
public struct LadderOptions: Sendable {
    /// The checkpoints stage 1 is fitted on.
    public enum Stage1Points: String, Sendable, Codable, CaseIterable {
        /// Each run's final checkpoint (the OLMo ladder's choice: a checkpoint before the end of
        /// its learning-rate schedule is not a model trained on that many tokens).
        case final
        /// Every checkpoint, each at its own token count.
        case all
    }

    public var stage1Points: Stage1Points
    /// Stage 1 as a law of one input (the points' `x`) instead of Chinchilla on (N, D).
    public var oneInput: (any ScalingLaw)?
    /// The stage-2 forms AICc chooses among (``LossLink``).
    public var links: [LinkForm]
    public var replicates: Int
    public var seed: UInt64
    public var levels: [Double]

    public init(stage1Points: Stage1Points = .final, oneInput: (any ScalingLaw)? = nil,
                links: [LinkForm] = [.flat, .linear, .sigmoid], replicates: Int = 200, seed: UInt64 = 42,
                levels: [Double] = [0.8, 0.95]) {
        self.stage1Points = stage1Points
        self.oneInput = oneInput
        self.links = links
        self.replicates = replicates
        self.seed = seed
        self.levels = levels
    }
}

/// A model to predict: N and D for a Chinchilla stage 1, or x for a stage 1 of one input.
public struct LadderTarget: Sendable, Codable, Equatable, CustomStringConvertible {
    public var params: Double?
    public var tokens: Double?
    public var x: Double?

    public init(params: Double? = nil, tokens: Double? = nil, x: Double? = nil) {
        self.params = params
        self.tokens = tokens
        self.x = x
    }

    public var description: String {
        if let x { return String(format: "x=%.3g", x) }
        return String(format: "params=%.3g,tokens=%.3g", params ?? .nan, tokens ?? .nan)
    }
}

/// Stage 1 of a ladder, fitted once and shared by every task predicted through the same via
/// metric: the via metric against scale — **L(N, D) = E + A/N^α + B/D^β** (Hoffmann et al. 2022,
/// eq. 2; Huber δ = 10⁻³ on log residuals, as in their Approach 3) when the points have params
/// and tokens, else a law of one input — with the bootstrap refits (runs resampled) and the
/// leave-one-size-out refits that both stages' intervals are built from.
public struct LadderStageOne: Sendable {
    public let law: any ScalingLaw
    public let fit: FitResult
    public let options: LadderOptions
    /// The runs, in the order replicates index them.
    public let runs: [String]
    /// The points stage 1 was fitted on (finals or all checkpoints).
    public let points: [LadderPoint]
    /// Each replicate's drawn run indices and its stage-1 θ (nil when the refit failed).
    let draws: [[Int]]
    let thetas: [[Double]?]
    /// Stage-1 θ refitted without the runs of each size (params), keyed by that size.
    let leaveOut: [Double: [Double]]
    /// Spearman's ρ of the via metric against compute (or x) over the fitted points.
    public let rho: Double
    /// Stage 1 is a law of params alone (the runs share one token count; see `note`).
    public let onParams: Bool
    /// Why stage 1 departs from the law asked for, when it does.
    public let note: String?

    /// Fits stage 1 on the ladder's points (their via values), validating what a two-step law on
    /// them needs; `progress` is told of each bootstrap replicate.
    public init(_ points: [LadderPoint], via: ViaMetric, options: LadderOptions,
                progress: (@Sendable (Int) -> Void)? = nil) async throws(FitInputError) {
        // One point per (run, step): tasks share their via values.
        var seen = Set<String>()
        let unique = points.filter { seen.insert("\($0.run)@\($0.step ?? -1)").inserted }
        let chosen = options.stage1Points == .final ? Ladder.finals(unique) : unique
        var law: any ScalingLaw = options.oneInput ?? ChinchillaLaw()
        var onParams = false, note: String?
        // Runs that all share one token count (a suite trained on one data budget, as Pythia's
        // 300B) make B/D^β a constant: E and B cannot be told apart, and a size left out leaves
        // fewer distinct points than parameters. Stage 1 is then its one-input form in N.
        let tokenCounts = Set(chosen.compactMap(\.tokens))
        if law.inputs == 2, tokenCounts.count == 1, chosen.allSatisfy({ ($0.params ?? 0) > 0 }) {
            law = PowerLaw()
            onParams = true
            note = String(format: "every fitted run has %.3g tokens, so B/D^β is a constant: stage 1 is E + A·N^(−α) in N", tokenCounts.first!)
        }
        if law.inputs == 2 {
            let missing = Set(chosen.filter { !(($0.params ?? 0) > 0 && ($0.tokens ?? 0) > 0) }.map(\.run)).sorted()
            guard missing.isEmpty else {
                throw FitInputError("stage 1 (\(law.name) in params and tokens) needs both for every run; \(missing.count) run\(missing.count == 1 ? "" : "s") lack\(missing.count == 1 ? "s" : "") tokens or params: \(Self.list(missing)) — add them to the model metadata, or fit stage 1 on one input with --x AXIS")
            }
        } else if !onParams, let bad = chosen.first(where: { !(($0.x ?? 0) > 0) }) {
            throw FitInputError("stage 1 (\(law.name) of one input) needs a positive x for every run; \(bad.run) has none")
        }
        let law1 = law
        let data = Self.data(chosen, law: law1, onParams: onParams)
        let fitter = Self.fitter(for: law)
        guard Set(chosen.map(\.run)).count >= 3 else {
            throw FitInputError("stage 1 needs at least 3 runs with the via metric \(via); the selection has \(Set(chosen.map(\.run)).count)")
        }
        // The intermediate must move with scale, or stage 1 has nothing to extrapolate.
        let scale = law.inputs == 2 ? zip(data.x, data.x2!).map { log($0) + log($1) } : data.logX
        let rho = RankStatistics.spearman(scale, data.y)
        let n = Double(data.count)
        let t = abs(rho) < 1 ? abs(rho) * ((n - 2) / (1 - rho * rho)).squareRoot() : .infinity
        let p = Probability.studentTwoSided(t, df: max(n - 2, 1))
        guard p < 0.05 else {
            throw FitInputError(String(format: "stage 1 refuses: the via metric %@ does not move with scale over the %d fitted points (Spearman ρ = %.2f against %@, p = %.2f); a two-step law needs an intermediate that scales — choose a loss (e.g. bits per byte, a validation loss)", via.description, data.count, rho, law.inputs == 2 ? "compute N·D" : "x", p))
        }
        let fit: FitResult
        do { fit = try fitter.fit(law, to: data) } catch { throw FitInputError("stage 1 (\(law.name), \(via) against scale): \(error.description)") }

        let runs = Array(Set(chosen.map(\.run))).sorted()
        let index = Dictionary(uniqueKeysWithValues: runs.enumerated().map { ($1, $0) })
        let byRun = Dictionary(grouping: chosen.indices) { index[chosen[$0].run]! }
        let count = options.replicates, seed = options.seed
        let drawn: [[Int]] = (0..<count).map { b in
            var generator = SplitMix64.stream(seed: seed, index: b)
            return (0..<runs.count).map { _ in Int(generator.next() % UInt64(runs.count)) }
        }
        let thetas: [[Double]?] = await concurrentMap(count, completed: progress) { b in
            let rows = drawn[b].flatMap { byRun[$0] ?? [] }
            let sample = data.subset(rows)
            return fitter.refit(law1, to: sample, warmStart: fit.theta, coldStarts: law1.initialGuesses(for: sample))
        }
        // Each size left out in turn (every run of it), as the direct laws' jackknife does
        // (``Forecaster``): on the over-training testbed leaving out only the largest fitted size
        // gave 80% intervals that held 61% of the held-out runs, every size 72%.
        var leaveOut: [Double: [Double]] = [:]
        for size in Set(chosen.compactMap(\.params)).sorted() {
            let rest = data.subset(chosen.indices.filter { chosen[$0].params != size })
            if Set(chosen.filter { $0.params != size }.compactMap(\.params)).count >= 2,
               let theta = try? fitter.refine(law, to: rest, from: fit.theta) {
                leaveOut[size] = theta
            }
        }
        self.law = law
        self.fit = fit
        self.options = options
        self.runs = runs
        self.points = chosen
        self.draws = drawn
        self.thetas = thetas
        self.leaveOut = leaveOut
        self.rho = rho
        self.onParams = onParams
        self.note = note
    }

    /// Chinchilla with the Huber loss of Approach 3; a law of one input with squared log residuals.
    static func fitter(for law: any ScalingLaw) -> Fitter {
        law.inputs == 2 ? Fitter(loss: .huber(delta: 1e-3), residualSpace: .log) : Fitter(loss: .squared, residualSpace: .log)
    }

    static func data(_ points: [LadderPoint], law: any ScalingLaw, onParams: Bool) -> FitData {
        law.inputs == 2
            ? FitData(x: points.map { $0.params! }, x2: points.map { $0.tokens! }, y: points.map(\.via))
            : FitData(x: points.map { onParams ? $0.params! : $0.x! }, y: points.map(\.via))
    }

    /// The via metric at `target` under θ.
    func via(_ theta: [Double], at target: LadderTarget) -> Double {
        law.inputs == 2
            ? law.predict(theta, x: [target.params ?? .nan], x2: [target.tokens ?? .nan])[0]
            : law.predict(theta, x: [(onParams ? target.params : target.x ?? target.params) ?? .nan])[0]
    }

    /// The fitted via metric at `target`.
    public func via(at target: LadderTarget) -> Double { via(fit.theta, at: target) }

    /// The target of a point (its scale on stage 1's inputs).
    public func target(of point: LadderPoint) -> LadderTarget {
        law.inputs == 2 || onParams ? LadderTarget(params: point.params, tokens: point.tokens) : LadderTarget(x: point.x)
    }

    static func list(_ names: [String]) -> String {
        names.count <= 8 ? names.joined(separator: ", ") : names.prefix(8).joined(separator: ", ") + " and \(names.count - 8) more"
    }
}

/// A two-step prediction of one model: the via metric from stage 1 and the score through the link.
public struct LadderForecastPoint: Sendable, Codable {
    public var target: LadderTarget
    /// Stage 1: the via metric predicted at the target, with intervals.
    public var via: Double
    public var viaIntervals: [LevelInterval]
    /// Stage 2 through stage 1: the score, with intervals that carry both stages' uncertainty.
    public var estimate: Double
    public var intervals: [LevelInterval]
    public var warning: String?

    public func interval(_ level: Double) -> LevelInterval? { intervals.first { abs($0.level - level) < 1e-9 } }
}

/// A ladder's two-step law fitted for one task: stage 1 (shared), the stage-2 link, and forecasts.
public struct LadderTwoStepFit: Sendable, Encodable {
    public var task: String
    public var metric: String
    public var via: ViaMetric
    public var stage1: FitResult
    public var link: LossLinkFit
    public var runs: Int
    public var stage2Points: Int
    /// Leave-one-size-out errors of the composite on the metric's scale (logit for a score in [0, 1]).
    public var compositeErrors: [Double]
    public var scale: MetricScale
    public var points: [LadderForecastPoint]
}

/// The two-step law on a ladder: stage 1 the via metric against (N, D) (``LadderStageOne``),
/// stage 2 the task's score against the via metric on every checkpoint of the fitted runs
/// (``LossLink``: flat, linear or a sigmoid with chance as its floor, by AICc), composed as
/// score(N, D) = link(L(N, D)) — the method of the OLMo ladder (Bhagia et al. 2024, "Establishing
/// Task Scaling Laws via Compute-Efficient Model Ladders") and, with the exponential link, of
/// Gadre et al. 2024.
///
/// Stage 2 is fitted on *observed* via values, so it does not inherit stage 1's errors; the
/// composite's intervals carry both: each bootstrap replicate resamples *runs* (not checkpoints,
/// which share their run's deviations) and refits both stages on the same runs, and a new model's
/// scatter is added from the composite's leave-one-size-out errors (every run of one size left out
/// of both stages, then predicted) through a Gaussian kernel (``SmoothedResiduals``), on the
/// logit scale for a score in [0, 1] so that every interval stays inside it.
public enum LadderTwoStep {
    /// Fits stage 2 for `ladder` on top of `stageOne` and forecasts `targets`.
    public static func fit(_ ladder: Ladder, stageOne: LadderStageOne, at targets: [LadderTarget],
                           links: [LinkForm]? = nil) throws(FitInputError) -> LadderTwoStepFit {
        let fittedRuns = Set(stageOne.runs)
        let stage2 = ladder.points.filter { fittedRuns.contains($0.run) && $0.score?.isFinite == true }
        guard Set(stage2.map(\.run)).count >= 3 else {
            throw FitInputError("stage 2 needs scores of at least 3 stage-1 runs on \(ladder.task) \(ladder.metric); found \(Set(stage2.map(\.run)).count)")
        }
        let linker = LossLink(forms: links ?? stageOne.options.links, floor: ladder.chance)
        let scores = stage2.map { $0.score! }
        let link: LossLinkFit
        do { link = try linker.fit(loss: stage2.map(\.via), score: scores) } catch {
            throw FitInputError("stage 2 (\(ladder.task) \(ladder.metric) against \(ladder.via)): \(error.description)")
        }
        let scale = MetricScale.of(scores, higherIsBetter: scores.allSatisfy { $0 >= 0 && $0 <= 1 } ? true : nil)
        let runIndex = Dictionary(uniqueKeysWithValues: stageOne.runs.enumerated().map { ($1, $0) })
        let byRun = Dictionary(grouping: stage2.indices) { runIndex[stage2[$0].run]! }
        // Refits (leave-outs, replicates) keep the chosen form: the intervals are conditional on it.
        let refitter = LossLink(forms: [link.form], floor: ladder.chance)

        // Leave-one-size-out errors of the composite, each held-out run predicted at its final point.
        var errors: [Double] = [], viaErrors: [Double] = []
        let finals = ladder.restricted(to: fittedRuns).finals
        for size in Set(finals.compactMap(\.params)).sorted() {
            guard let theta = stageOne.leaveOut[size] else { continue }
            let kept = stage2.filter { $0.params != size }
            guard Set(kept.map(\.run)).count >= 3,
                  let refit = try? refitter.fit(loss: kept.map(\.via), score: kept.map { $0.score! }, warmStart: link)
            else { continue }
            for point in finals where point.params == size {
                let via = stageOne.via(theta, at: stageOne.target(of: point))
                if let e = MetricScale.positive.error(observed: point.via, predicted: via) { viaErrors.append(e) }
                if let score = point.score, let e = scale.error(observed: score, predicted: scale.clamp(refit.predict(via))) { errors.append(e) }
            }
        }
        let smoothed = SmoothedResiduals(errors), smoothedVia = SmoothedResiduals(viaErrors)

        // Bootstrap: the replicate's stage-1 θ and a stage-2 refit on the same runs.
        var viaDraws = [[Double]](repeating: [], count: targets.count)
        var scoreDraws = [[Double]](repeating: [], count: targets.count)
        for (b, theta) in stageOne.thetas.enumerated() {
            guard let theta else { continue }
            let rows = stageOne.draws[b].flatMap { byRun[$0] ?? [] }
            guard Set(rows.map { stage2[$0].run }).count >= 3,
                  let refit = try? refitter.fit(
                    loss: rows.map { stage2[$0].via }, score: rows.map { stage2[$0].score! }, warmStart: link)
            else { continue }
            var generator = SplitMix64(seed: stageOne.options.seed &+ 0x1ADD &+ UInt64(b) &* 0x9E37_79B9_7F4A_7C15)
            for (j, target) in targets.enumerated() {
                let via = stageOne.via(theta, at: target)
                guard via.isFinite, via > 0 else { continue }
                let score = scale.clamp(refit.predict(via))
                viaDraws[j].append(MetricScale.positive.shift(via, by: smoothedVia.draw(&generator)))
                if score.isFinite { scoreDraws[j].append(scale.shift(score, by: smoothed.draw(&generator))) }
            }
        }
        let fittedParams = finals.compactMap(\.params)
        let points = targets.enumerated().map { j, target -> LadderForecastPoint in
            let via = stageOne.via(at: target)
            let warning = (target.params ?? target.x).flatMap {
                Forecaster.extrapolationWarning(x: $0, fitted: stageOne.law.inputs == 2 || stageOne.onParams ? fittedParams : stageOne.points.compactMap(\.x))
            }
            return LadderForecastPoint(
                target: target, via: via, viaIntervals: LevelInterval.percentiles(of: viaDraws[j], levels: stageOne.options.levels),
                estimate: scale.clamp(link.predict(via)),
                intervals: LevelInterval.percentiles(of: scoreDraws[j], levels: stageOne.options.levels), warning: warning)
        }
        return LadderTwoStepFit(task: ladder.task, metric: ladder.metric, via: ladder.via, stage1: stageOne.fit, link: link,
                                runs: Set(stage2.map(\.run)).count, stage2Points: stage2.count, compositeErrors: errors,
                                scale: scale, points: points)
    }
}
