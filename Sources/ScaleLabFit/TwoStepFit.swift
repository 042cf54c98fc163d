import Foundation

/// A two-step law of downstream accuracy: loss against scale, then accuracy against loss,
/// composed as **accuracy(x) = σ(L(x))** with L a ``ScalingLaw`` of one input (by default the
/// ``PowerLaw`` L = E + A·x^(−α) on log residuals) and σ the ``SigmoidOfLossLaw``
/// lo + (hi − lo)/(1 + exp(k·(L − L0))) on linear residuals.
///
/// Accuracy on a task is a noisy, saturating, often step-like function of scale, while the loss
/// (or the task's negative log-likelihood, or bits per byte) scales smoothly; fitting each smooth
/// relation separately and composing them is how Llama 3 (Dubey et al. 2024, §3.2.1) and the
/// OLMo ladder (Bhagia et al. 2024, "Establishing Task Scaling Laws via Compute-Efficient Model
/// Ladders") predict downstream scores; Gadre et al. 2024 link error to loss in the same two
/// steps with an exponential instead of a sigmoid. Stage 1 is fitted on
/// (scale, loss) pairs, stage 2 on the *observed* (loss, accuracy) pairs, so stage 2 does not
/// inherit stage 1's errors; the composite's uncertainty comes from ``bootstrap(scale:loss:accuracy:result:at:options:progress:)``,
/// which resamples models jointly for both stages.
///
/// The two stages have separate fitters because their residuals differ (relative errors of a loss,
/// additive errors of an accuracy): a Huber loss or log residuals for stage 1 need not apply to
/// stage 2.
public struct TwoStepFit: Sendable {
    /// Stage 1: loss against scale. Any law with one input.
    public var lossLaw: any ScalingLaw
    /// Stage 2: accuracy against loss.
    public let accuracyLaw = SigmoidOfLossLaw()
    public var lossFitter: Fitter
    public var accuracyFitter: Fitter

    public init(lossLaw: any ScalingLaw = PowerLaw(), lossFitter: Fitter = Fitter(), accuracyFitter: Fitter = Fitter()) {
        self.lossLaw = lossLaw
        self.lossFitter = lossFitter
        self.accuracyFitter = accuracyFitter
    }

    /// The fewest models a two-step fit accepts: two more than the larger stage's parameter count,
    /// so that each stage keeps at least two residual degrees of freedom.
    public var minimumPoints: Int { max(lossLaw.internalNames.count, accuracyLaw.internalNames.count) + 2 }

    /// Checks that the three columns can support both stages, with a message that names the stage
    /// and says what to fix: a loss law of one input, equal lengths, at least ``minimumPoints``
    /// models, and each stage's own checks (``Fitter/validate(_:_:)``: finite values, scale and
    /// loss > 0, enough distinct inputs, a response that varies).
    public func validate(scale: [Double], loss: [Double], accuracy: [Double]) throws(FitInputError) {
        guard lossLaw.inputs == 1 else {
            throw FitInputError(
                "the loss law \(lossLaw.name) takes \(lossLaw.inputs) inputs per point; a two-step fit needs a law of one scale variable (power, bnsl1…3)")
        }
        guard scale.count == loss.count, loss.count == accuracy.count else {
            throw FitInputError(
                "scale has \(scale.count) values, loss \(loss.count) and accuracy \(accuracy.count): give one loss and one accuracy per model")
        }
        guard scale.count >= minimumPoints else {
            throw FitInputError(
                "\(scale.count) models for a two-step fit of \(lossLaw.name) (\(lossLaw.internalNames.count) parameters) then \(accuracyLaw.name) (\(accuracyLaw.internalNames.count)): need at least \(minimumPoints)")
        }
        do {
            try lossFitter.validate(lossLaw, FitData(x: scale, y: loss))
        } catch {
            throw Self.stage1(lossLaw, error)
        }
        do {
            try accuracyFitter.validate(accuracyLaw, FitData(x: loss, y: accuracy))
        } catch {
            throw Self.stage2(accuracyLaw, error)
        }
    }

    /// Fits both stages (each with its fitter's multistart search) and returns them with the
    /// composite predictor.
    public func fit(scale: [Double], loss: [Double], accuracy: [Double]) throws(FitInputError) -> TwoStepResult {
        try validate(scale: scale, loss: loss, accuracy: accuracy)
        let lossFit: FitResult, accuracyFit: FitResult
        do {
            lossFit = try lossFitter.fit(lossLaw, to: FitData(x: scale, y: loss))
        } catch {
            throw Self.stage1(lossLaw, error)
        }
        do {
            accuracyFit = try accuracyFitter.fit(accuracyLaw, to: FitData(x: loss, y: accuracy))
        } catch {
            throw Self.stage2(accuracyLaw, error)
        }
        return TwoStepResult(lossLaw: lossLaw, lossFit: lossFit, accuracyFit: accuracyFit)
    }

    /// Percentile intervals of the composite prediction at each scale in `at`, from refits of both
    /// stages on resampled models (Efron & Tibshirani 1993, ch. 6 and 13).
    ///
    /// A replicate draws model indices with replacement (or whole groups, for
    /// ``BootstrapOptions/Resampling/groups(_:)``) and uses the *same* indices in both stages, so a
    /// model's loss and accuracy stay paired and the correlation of the two stages' errors is kept.
    /// Each stage is refined from `result`'s solution and from its best data-driven start, as in
    /// ``Fitter/bootstrap(_:data:fit:options:progress:)``; a replicate counts only when both
    /// stages refit (a resample with too few distinct models is skipped). Replicate i draws from its
    /// own stream seeded by (seed, i) and replicates run in parallel over all cores, so the result
    /// is the same for a given seed whatever the scheduling.
    ///
    /// Percentile intervals from a dozen models undercover: on simulated 12-model ladders
    /// (`TwoStepFitTests`) the nominal 80/90/95% intervals one decade past the data held the truth
    /// 70/82/88% of the time. Read them as a lower bound on the uncertainty.
    ///
    /// Throws when the data fail ``validate(scale:loss:accuracy:)``, when `result` is not a fit of
    /// this law pair, when `options` ask for no replicates, a level outside (0, 1) or group labels
    /// that do not match the models, or when a scale in `at` is not finite and positive.
    public func bootstrap(
        scale: [Double], loss: [Double], accuracy: [Double], result: TwoStepResult, at x: [Double],
        options: BootstrapOptions, progress: (@Sendable (Int) -> Void)? = nil
    ) async throws(FitInputError) -> TwoStepBootstrapResult {
        try validate(scale: scale, loss: loss, accuracy: accuracy)
        guard result.lossFit.law == lossLaw.name, result.lossFit.theta.count == lossLaw.internalNames.count,
            result.accuracyFit.law == accuracyLaw.name, result.accuracyFit.theta.count == accuracyLaw.internalNames.count
        else {
            throw FitInputError(
                "the result is a fit of \(result.lossFit.law) then \(result.accuracyFit.law), not \(lossLaw.name) then \(accuracyLaw.name): bootstrap with the TwoStepFit that produced it")
        }
        guard options.level > 0, options.level < 1 else {
            throw FitInputError("bootstrap level \(options.level) is not a coverage: give a value between 0 and 1 (0.8 → 10th to 90th percentile)")
        }
        guard options.replicates >= 1 else {
            throw FitInputError("\(options.replicates) bootstrap replicates: ask for at least 1 (1000 is usual)")
        }
        if case .groups(let groups) = options.resampling, groups.count != scale.count {
            throw FitInputError("\(groups.count) group labels for \(scale.count) models: give one group per model")
        }
        if let bad = x.first(where: { !$0.isFinite || $0 <= 0 }) {
            throw FitInputError("prediction scale \(bad) is not a finite positive number")
        }

        let workers = max(1, ProcessInfo.processInfo.activeProcessorCount)
        let count = options.replicates
        let chunks = (0..<workers).map { worker in stride(from: worker, to: count, by: workers).map { $0 } }
        let stages = self
        let solutions: [(Int, [Double], [Double])] = await withTaskGroup(of: [(Int, [Double], [Double])].self) { group in
            for chunk in chunks where !chunk.isEmpty {
                group.addTask {
                    var out: [(Int, [Double], [Double])] = []
                    for index in chunk {
                        if let pair = stages.replicate(index, scale: scale, loss: loss, accuracy: accuracy, result: result, options: options) {
                            out.append((index, pair.loss, pair.accuracy))
                        }
                        progress?(index)
                    }
                    return out
                }
            }
            var all: [(Int, [Double], [Double])] = []
            for await part in group { all += part }
            return all.sorted { $0.0 < $1.0 }
        }
        let lossThetas = solutions.map(\.1), accuracyThetas = solutions.map(\.2)

        func parameterIntervals(_ law: any ScalingLaw, estimate: [Double], draws: [[Double]]) -> [Interval] {
            let estimates = law.parameters(estimate)
            let named = draws.map(law.parameters)
            return law.parameterNames.map { name in
                let (lower, upper) = percentileInterval(named.compactMap { $0[name] }.filter(\.isFinite), level: options.level)
                return Interval(name: name, estimate: estimates[name] ?? .nan, lower: lower, upper: upper)
            }
        }
        var lossIntervals: [Interval] = [], accuracyIntervals: [Interval] = []
        for point in x {
            let lossDraws = lossThetas.map { lossLaw.predict($0, x: [point])[0] }
            let accuracyDraws = zip(lossDraws, accuracyThetas).map { accuracyLaw.predict($1, x: [$0])[0] }
            let (lossLower, lossUpper) = percentileInterval(lossDraws.filter(\.isFinite), level: options.level)
            let (lower, upper) = percentileInterval(accuracyDraws.filter(\.isFinite), level: options.level)
            lossIntervals.append(Interval(name: "loss(\(point))", estimate: result.predictLoss(point), lower: lossLower, upper: lossUpper))
            accuracyIntervals.append(Interval(name: "accuracy(\(point))", estimate: result.predictAccuracy(point), lower: lower, upper: upper))
        }
        return TwoStepBootstrapResult(
            requested: count, succeeded: solutions.count, level: options.level,
            lossParameters: parameterIntervals(lossLaw, estimate: result.lossFit.theta, draws: lossThetas),
            accuracyParameters: parameterIntervals(accuracyLaw, estimate: result.accuracyFit.theta, draws: accuracyThetas),
            loss: lossIntervals, accuracy: accuracyIntervals, lossThetas: lossThetas, accuracyThetas: accuracyThetas)
    }

    /// One replicate: one draw of model indices, then both stages refitted on the same models.
    func replicate(
        _ index: Int, scale: [Double], loss: [Double], accuracy: [Double], result: TwoStepResult, options: BootstrapOptions
    ) -> (loss: [Double], accuracy: [Double])? {
        let picked = options.indices(forReplicate: index, count: scale.count)
        let lossSample = FitData(x: picked.map { scale[$0] }, y: picked.map { loss[$0] })
        let accuracySample = FitData(x: picked.map { loss[$0] }, y: picked.map { accuracy[$0] })
        guard let lossTheta = refine(lossLaw, lossSample, fitter: lossFitter, warmStart: result.lossFit.theta),
            let accuracyTheta = refine(accuracyLaw, accuracySample, fitter: accuracyFitter, warmStart: result.accuracyFit.theta)
        else { return nil }
        return (lossTheta, accuracyTheta)
    }

    private static func stage1(_ law: any ScalingLaw, _ error: FitInputError) -> FitInputError {
        FitInputError("stage 1 (\(law.name), loss against scale): \(error.description)")
    }

    private static func stage2(_ law: any ScalingLaw, _ error: FitInputError) -> FitInputError {
        FitInputError("stage 2 (\(law.name), accuracy against loss): \(error.description)")
    }
}

/// Refines `law` on a resample from the full-data solution and from the best data-driven start;
/// nil when the resample cannot support the law or no start reaches a finite objective.
private func refine(_ law: any ScalingLaw, _ sample: FitData, fitter: Fitter, warmStart: [Double]) -> [Double]? {
    fitter.refit(law, to: sample, warmStart: warmStart, coldStarts: law.initialGuesses(for: sample))
}

/// A fitted two-step law: both stages' results and the composite predictor.
///
/// Codable as the two ``FitResult``s; decoding rebuilds the loss law from `lossFit.law`, which
/// must name a law of one input in ``LawCatalog`` (`power`, `logistic`, `bnsl1`…`bnsl3`) or
/// `sigmoid-of-loss`. A result of a custom loss law encodes, but does not decode.
public struct TwoStepResult: Sendable, Codable {
    /// The stage 1 law, which ``predictLoss(_:)`` evaluates with `lossFit.theta`.
    public let lossLaw: any ScalingLaw
    public let lossFit: FitResult
    public let accuracyFit: FitResult

    /// `lossFit` must be a fit of `lossLaw` and `accuracyFit` of ``SigmoidOfLossLaw``, which
    /// ``TwoStepFit/fit(scale:loss:accuracy:)`` and decoding guarantee.
    init(lossLaw: any ScalingLaw, lossFit: FitResult, accuracyFit: FitResult) {
        self.lossLaw = lossLaw
        self.lossFit = lossFit
        self.accuracyFit = accuracyFit
    }

    /// Stage 1: the predicted loss at scale x.
    public func predictLoss(_ x: Double) -> Double {
        lossLaw.predict(lossFit.theta, x: [x])[0]
    }

    /// Stage 2 alone: the predicted accuracy at loss L.
    public func predictAccuracy(fromLoss loss: Double) -> Double {
        SigmoidOfLossLaw().predict(accuracyFit.theta, x: [loss])[0]
    }

    /// The composite: the predicted accuracy at scale x, σ(L(x)).
    public func predictAccuracy(_ x: Double) -> Double {
        predictAccuracy(fromLoss: predictLoss(x))
    }

    private enum CodingKeys: String, CodingKey {
        case lossFit, accuracyFit
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let lossFit = try container.decode(FitResult.self, forKey: .lossFit)
        let accuracyFit = try container.decode(FitResult.self, forKey: .accuracyFit)
        let stage2: any ScalingLaw = SigmoidOfLossLaw()
        let named = LawCatalog.law(named: lossFit.law) ?? (lossFit.law == stage2.name ? stage2 : nil)
        guard let law = named, law.inputs == 1 else {
            throw DecodingError.dataCorruptedError(
                forKey: .lossFit, in: container,
                debugDescription: "loss law '\(lossFit.law)' is not a law of one input in LawCatalog (power, logistic, bnsl1…3) or sigmoid-of-loss")
        }
        guard lossFit.theta.count == law.internalNames.count else {
            throw DecodingError.dataCorruptedError(
                forKey: .lossFit, in: container,
                debugDescription: "\(law.name) has \(law.internalNames.count) parameters but theta has \(lossFit.theta.count)")
        }
        guard accuracyFit.law == SigmoidOfLossLaw().name, accuracyFit.theta.count == 4 else {
            throw DecodingError.dataCorruptedError(
                forKey: .accuracyFit, in: container,
                debugDescription: "stage 2 must be a sigmoid-of-loss fit with 4 parameters, not \(accuracyFit.law) with \(accuracyFit.theta.count)")
        }
        self.init(lossLaw: law, lossFit: lossFit, accuracyFit: accuracyFit)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(lossFit, forKey: .lossFit)
        try container.encode(accuracyFit, forKey: .accuracyFit)
    }
}

/// The bootstrap distribution of a two-step fit: intervals for both stages' parameters and for the
/// predicted loss and accuracy at the requested scales, plus the paired replicate solutions.
public struct TwoStepBootstrapResult: Sendable, Codable {
    public var requested: Int
    /// Replicates where both stages refitted.
    public var succeeded: Int
    public var level: Double
    public var lossParameters: [Interval]
    public var accuracyParameters: [Interval]
    /// Predicted loss at each requested scale, in request order.
    public var loss: [Interval]
    /// Predicted accuracy at each requested scale, in request order.
    public var accuracy: [Interval]
    /// Stage 1 θ of each successful replicate, in replicate order; `accuracyThetas[i]` is its pair.
    public var lossThetas: [[Double]]
    public var accuracyThetas: [[Double]]
}
