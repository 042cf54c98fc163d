import Foundation
import ScaleLabFit

/// A central interval at one coverage level.
public struct LevelInterval: Sendable, Codable, Equatable {
    public var level: Double
    public var lower: Double
    public var upper: Double

    public init(level: Double, lower: Double, upper: Double) {
        self.level = level
        self.lower = lower
        self.upper = upper
    }

    public func contains(_ value: Double) -> Bool { lower <= value && value <= upper }

    /// The central percentile interval of `draws` at each of `levels`.
    public static func percentiles(of draws: [Double], levels: [Double]) -> [LevelInterval] {
        // No draws (every replicate failed or was undefined there): no interval, rather than NaN.
        guard !draws.isEmpty else { return [] }
        return levels.map { level in
            let (lower, upper) = percentileInterval(draws, level: level)
            return LevelInterval(level: level, lower: lower, upper: upper)
        }
    }
}

/// A prediction at one scale: the law's value and prediction intervals for a new observation.
public struct ForecastPoint: Sendable, Codable {
    public var x: Double
    public var x2: Double?
    public var estimate: Double
    public var intervals: [LevelInterval]
    /// Why this prediction deserves caution: far outside the fitted range (see ``Forecaster/extrapolationWarning(x:fitted:)``).
    public var warning: String?
    /// The simulated new observations y*_b the intervals are percentiles of, one per successful
    /// bootstrap replicate in replicate order (not encoded: for combining forecasts, e.g. the mean
    /// of several tasks' predictions).
    public var draws: [Double]

    enum CodingKeys: String, CodingKey { case x, x2, estimate, intervals, warning }

    public init(x: Double, x2: Double? = nil, estimate: Double, intervals: [LevelInterval], warning: String? = nil, draws: [Double] = []) {
        self.x = x
        self.x2 = x2
        self.estimate = estimate
        self.intervals = intervals
        self.warning = warning
        self.draws = draws
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(x: try container.decode(Double.self, forKey: .x), x2: try container.decodeIfPresent(Double.self, forKey: .x2),
                  estimate: try container.decode(Double.self, forKey: .estimate),
                  intervals: try container.decode([LevelInterval].self, forKey: .intervals),
                  warning: try container.decodeIfPresent(String.self, forKey: .warning))
    }

    public func interval(_ level: Double) -> LevelInterval? { intervals.first { abs($0.level - level) < 1e-9 } }
}

/// How a forecast is made.
public struct ForecastOptions: Sendable {
    /// `auto` (the evidence-based choice of ``LawPolicy``) or one law.
    public var law: LawChoice
    public var fitter: Fitter
    public var replicates: Int
    public var seed: UInt64
    public var levels: [Double]
    public var resampling: BootstrapOptions.Resampling
    /// The logistic floor, when known (chance level).
    public var floor: Double?
    /// Whether larger values are better (an accuracy) or worse (a loss), when known: `auto` then
    /// only considers laws that move the metric's way (see ``LawCatalog/candidates(for:higherIsBetter:)``),
    /// and forecasts of scores in [0, 1] stay inside it (``MetricScale``).
    public var higherIsBetter: Bool?
    /// The average task's trend of the same metric (other curves), a candidate of `auto` when known.
    public var trend: AggregateTrend?

    public init(law: LawChoice = .auto, fitter: Fitter = Fitter(), replicates: Int = 200, seed: UInt64 = 42,
                levels: [Double] = [0.8, 0.95], resampling: BootstrapOptions.Resampling = .points, floor: Double? = nil,
                higherIsBetter: Bool? = nil, trend: AggregateTrend? = nil) {
        self.higherIsBetter = higherIsBetter
        self.law = law
        self.fitter = fitter
        self.replicates = replicates
        self.seed = seed
        self.levels = levels
        self.resampling = resampling
        self.floor = floor
        self.trend = trend
    }

    /// The law as these options fit it: the logistic floor fixed when known.
    public func configured(_ law: any ScalingLaw) -> any ScalingLaw {
        guard let floor, law is LogisticLaw else { return law }
        return LogisticLaw(floor: floor)
    }
}

/// A curve's forecast at the requested scales, by the method chosen for it.
public struct Forecast: Sendable, Codable {
    /// The method that made the forecast: a law's name, or a baseline's (`last-value`,
    /// `linear-log-x`, `aggregate-trend`) when no law forecast the curve's own future better.
    public var law: String
    /// The law's fit (nil when a baseline was chosen).
    public var fit: FitResult?
    /// Why this method: the policy's decision with every candidate's inner forecast error (`auto`).
    public var decision: LawDecision?
    public var points: [ForecastPoint]
    public var replicates: Int
    public var succeeded: Int
    /// θ of each successful bootstrap refit, for other quantities of the same fit (a threshold
    /// crossing) without refitting.
    public var thetas: [[Double]]
    /// The logistic floor the law was fitted with, when fixed.
    public var floor: Double?
    /// The leave-one-scale-out prediction errors the intervals add to each refit, on the metric's
    /// scale (``MetricScale``: logit for scores, log for losses).
    public var residuals: [Double]
    /// The scale intervals were built on.
    public var scale: MetricScale

    /// The AICc comparison of the laws, when the decision made one.
    public var comparison: LawComparison? { decision?.comparison }

    /// The method that made the forecast, as `options` configure it.
    public func method(options: ForecastOptions) -> ForecastMethod? {
        if let law = fittedLaw { return .law(law) }
        return LawPolicy.method(named: law, options: options)
    }

    /// The law object that was fitted (its floor fixed as it was); nil for a baseline.
    public var fittedLaw: (any ScalingLaw)? {
        guard fit != nil else { return nil }
        if law == "logistic", let floor { return LogisticLaw(floor: floor) }
        return LawCatalog.law(named: law)
    }
}

/// Predicts new observations with intervals that carry both sources of error.
///
/// The interval for a new observation at x is a bootstrap prediction interval (Davison &
/// Hinkley 1997, §6.3.3, algorithm 6.4): for each replicate b, the law refitted on resampled data
/// gives ŷ*_b(x), and an error e*_b drawn from the leave-one-scale-out prediction errors of the
/// fit is added on the metric's scale g (``MetricScale``: logit for scores in [0, 1], log for
/// losses), y*_b = g⁻¹(g(ŷ*_b) + e*_b). The interval at level L is the (1 ∓ L)/2 percentiles of
/// y*, inside the metric's range by construction. Parameter uncertainty alone (the spread of ŷ*)
/// would ignore that the next model scatters about the law as the ladder's models did.
///
/// When the policy chooses a baseline, its interval comes from its own inner forecast errors
/// (see ``baselinePoints(_:estimates:errors:xs:origin:scale:levels:replicates:)``).
public enum Forecaster {
    /// The method for `data` and its full-data fit (nil for a baseline): the asked law, or with
    /// `auto` the ``LawPolicy`` decision for forecasts at `xs` (nil: no scale requested).
    public static func choose(_ data: FitData, at xs: [Double]? = nil, options: ForecastOptions, decided: LawDecision? = nil) throws(FitInputError)
        -> (method: ForecastMethod, fit: FitResult?, decision: LawDecision?) {
        let fitter = options.fitter
        guard case .auto = options.law else {
            guard case .law(let asked) = options.law else { preconditionFailure() }
            let law = options.configured(asked)
            return (.law(law), try fitter.fit(law, to: data), nil)
        }
        let decision = decided ?? LawPolicy.decide(data, options: options, distance: requestedDistance(data, xs), trend: options.trend)
        // The decided method, or (should its full-data fit fail) the next candidate that fits.
        let order = [decision.chosen] + decision.candidates.map(\.method).filter { $0 != decision.chosen }
        var failures: [String] = []
        for name in order {
            guard let method = LawPolicy.method(named: name, options: options) else { continue }
            guard let law = method.law else {
                if case .aggregateTrend = method, options.trend == nil { continue }
                return (method, nil, failures.isEmpty ? decision : noted(decision, name, failures))
            }
            do throws(FitInputError) {
                let fit = try fitter.fit(law, to: data)
                return (method, fit, failures.isEmpty ? decision : noted(decision, name, failures))
            } catch {
                failures.append("\(name): \(error.description)")
            }
        }
        throw FitInputError(failures.first ?? "no method could be fitted")
    }

    private static func noted(_ decision: LawDecision, _ used: String, _ failures: [String]) -> LawDecision {
        var decision = decision
        decision.evidence += "; used \(used) because the full-data fit failed (\(failures.joined(separator: "; ")))"
        decision.chosen = used
        return decision
    }

    /// One curve to decide for: its points, the scales it will be forecast at, its options, and
    /// the group of curves whose evidence it shares (one metric from one origin).
    public struct Question: Sendable {
        public var data: FitData
        public var xs: [Double]?
        public var options: ForecastOptions
        public var group: String
        public init(data: FitData, xs: [Double]?, options: ForecastOptions, group: String) {
            self.data = data
            self.xs = xs
            self.options = options
            self.group = group
        }
    }

    /// The group whose evidence a curve shares: its metric and origin (largest fitted x).
    public static func group(metric: String, data: FitData) -> String { "\(metric)|\(data.x.max() ?? 0)" }

    /// The policy's decisions for many curves at once (in parallel; nil where the law was asked,
    /// not chosen), each group's pooled by ``LawPolicy/pool(_:)``: what `backtest`, `predict
    /// --all-tasks`, `fit --all-tasks` and the report use, so that they choose alike.
    public static func decisions(for questions: [Question]) async -> [LawDecision?] {
        let made = await concurrentMap(questions.count) { i -> LawDecision? in
            let q = questions[i]
            guard case .auto = q.options.law, q.data.x2 == nil else { return nil }
            return LawPolicy.decide(q.data, options: q.options, distance: requestedDistance(q.data, q.xs), trend: q.options.trend)
        }
        var out = made
        for (_, members) in Dictionary(grouping: questions.indices.filter { made[$0] != nil }, by: { questions[$0].group }) {
            let pooled = LawPolicy.pool(members.map { made[$0]! })
            for (i, decision) in zip(members, pooled) { out[i] = decision }
        }
        return out
    }

    /// The mean log₁₀ distance from the largest fitted x to the requested scales beyond it.
    static func requestedDistance(_ data: FitData, _ xs: [Double]?) -> Double? {
        guard let xs, let largest = data.x.max(), largest > 0 else { return nil }
        let beyond = xs.filter { $0 > largest }.map { log10($0 / largest) }
        return beyond.isEmpty ? nil : beyond.reduce(0, +) / Double(beyond.count)
    }

    /// A warning for a prediction far outside the fitted range: more than three decades past the
    /// largest fitted x, or below the smallest; nil inside.
    public static func extrapolationWarning(x: Double, fitted: [Double]) -> String? {
        guard let low = fitted.min(), let high = fitted.max(), x.isFinite, x > 0 else { return nil }
        if x > high * 1e3 {
            return String(format: "%.1f decades past the largest fitted x (%.3g): the law is extrapolated far beyond its evidence", log10(x / high), high)
        }
        if x < low {
            return String(format: "below the smallest fitted x (%.3g): the law was not fitted there", low)
        }
        return nil
    }

    /// The forecast of `data` at `xs` (and `x2` for two-input laws) by the method `options` ask
    /// for; with `auto`, by `decided` when the decision was made already (pooled over a ladder,
    /// ``decisions(for:options:)``), else by ``LawPolicy/decide(_:options:distance:trend:)``.
    public static func forecast(_ data: FitData, at xs: [Double], x2: [Double]? = nil, options: ForecastOptions,
                                decided: LawDecision? = nil) async throws(FitInputError) -> Forecast {
        let fitter = options.fitter
        let (method, chosenFit, decision) = try choose(data, at: xs, options: options, decided: decided)
        let scale = MetricScale.of(data.y, higherIsBetter: options.higherIsBetter)
        let warnings = xs.map { extrapolationWarning(x: $0, fitted: data.x) }
        guard let law = method.law, let fit = chosenFit else {
            let origin = data.x.max() ?? 0
            guard let estimates = LawPolicy.predict(method, train: data, origin: origin, at: xs, options: options, trend: options.trend) else {
                throw FitInputError("\(method.name) cannot forecast these scales")
            }
            let errors = LawPolicy.innerErrors(of: method, data: data, options: options, trend: options.trend)
            var points = baselinePoints(method, estimates: estimates, errors: errors, xs: xs, origin: origin, scale: scale,
                                        levels: options.levels, replicates: options.replicates)
            for j in points.indices { points[j].warning = warnings[j] }
            return Forecast(law: method.name, fit: nil, decision: decision, points: points, replicates: options.replicates,
                            succeeded: points.first?.draws.count ?? 0, thetas: [], floor: nil, residuals: errors.map(\.error), scale: scale)
        }
        let residuals = jackknifeResiduals(law: law, fit: fit, data: data, fitter: fitter, scale: scale)
        let bootstrap = try await fitter.bootstrap(
            law, data: data, fit: fit,
            options: BootstrapOptions(replicates: options.replicates, seed: options.seed, level: options.levels.first ?? 0.8,
                                      resampling: options.resampling))
        let estimates = law.predict(fit.theta, x: xs, x2: x2).map(scale.clamp)
        let smoothed = SmoothedResiduals(residuals)
        var draws = [[Double]](repeating: [], count: xs.count)
        for (b, theta) in bootstrap.thetas.enumerated() {
            let predictions = law.predict(theta, x: xs, x2: x2)
            var generator = SplitMix64(seed: options.seed &+ 0x5EED &+ UInt64(b) &* 0x9E37_79B9_7F4A_7C15)
            for (j, raw) in predictions.enumerated() {
                // A score's law value is held inside [0, 1] first (a power law at x → 0 is +∞).
                let prediction = scale == .unit ? scale.clamp(raw) : raw
                let e = smoothed.draw(&generator)
                guard prediction.isFinite, scale != .positive || prediction > 0 else { continue }
                draws[j].append(scale.shift(prediction, by: e))
            }
        }
        let points = xs.indices.map { j in
            ForecastPoint(x: xs[j], x2: x2?[j], estimate: estimates[j],
                          intervals: LevelInterval.percentiles(of: draws[j], levels: options.levels), warning: warnings[j], draws: draws[j])
        }
        return Forecast(law: law.name, fit: fit, decision: decision, points: points,
                        replicates: options.replicates, succeeded: bootstrap.succeeded, thetas: bootstrap.thetas,
                        floor: law is LogisticLaw ? options.floor : nil, residuals: residuals, scale: scale)
    }

    /// A baseline's forecast with intervals from its own inner forecast errors: each error e (on
    /// the metric's scale, made at distance d) is scaled to the requested distance h as
    /// e·√(h/d) — a naive forecast's error variance grows in proportion to the horizon (Hyndman &
    /// Athanasopoulos 2021, §5.5) — and the interval is ŷ moved on the metric's scale by the
    /// Student-t quantiles of the scaled errors' root mean square (ν = their number).
    /// Draws are the t quantiles at (b − ½)/B, b = 1…B, so intervals and combined draws agree.
    static func baselinePoints(_ method: ForecastMethod, estimates: [Double], errors: [LawPolicy.InnerError], xs: [Double],
                               origin: Double, scale: MetricScale, levels: [Double], replicates: Int) -> [ForecastPoint] {
        let count = max(replicates, 20)
        let nu = Double(max(errors.count, 1))
        let quantiles: [Double] = (1...count).map { b in
            let p = (Double(b) - 0.5) / Double(count)
            return p < 0.5 ? -Probability.studentUpperQuantile(p, df: nu) : Probability.studentUpperQuantile(1 - p, df: nu)
        }
        return xs.indices.map { j in
            let h = origin > 0 && xs[j] > origin ? log10(xs[j] / origin) : 0
            let squares = errors.compactMap { e -> Double? in
                guard e.distance > 0 else { return nil }
                return e.error * e.error * (h > 0 ? h / e.distance : 1)
            }
            let sigma = squares.isEmpty ? 0 : (squares.reduce(0, +) / Double(squares.count)).squareRoot()
            let estimate = scale.clamp(estimates[j])
            let draws = quantiles.map { scale.shift(estimate, by: sigma * $0) }
            let intervals = levels.map { level -> LevelInterval in
                let t = Probability.studentUpperQuantile((1 - level) / 2, df: nu)
                return LevelInterval(level: level, lower: scale.shift(estimate, by: -t * sigma), upper: scale.shift(estimate, by: t * sigma))
            }
            return ForecastPoint(x: xs[j], estimate: estimate, intervals: sigma > 0 ? intervals : [], draws: sigma > 0 ? draws : [])
        }
    }

    /// Leave-one-scale-out prediction errors g(yᵢ) − g(ŷ₍₋ᵢ₎(xᵢ)) on the metric's scale g: each
    /// point predicted by the law refitted without the points at its scale (warm-started from the
    /// full fit). They measure how far a point the fit has not seen falls from the law — the
    /// quantity a prediction interval is about — where in-sample residuals are shrunk by the
    /// parameters the fit spent on them (the jackknife residuals behind jackknife+ intervals,
    /// Barber et al. 2021). A point whose removal leaves the law unidentifiable falls back to its
    /// in-sample residual scaled by √(n/(n − p)).
    static func jackknifeResiduals(law: any ScalingLaw, fit: FitResult, data: FitData, fitter: Fitter, scale: MetricScale) -> [Double] {
        func residual(_ observed: Double, _ predicted: Double) -> Double? {
            scale.error(observed: observed, predicted: scale.clamp(predicted))
        }
        let n = data.count, p = fit.theta.count
        let inflation = n > p ? (Double(n) / Double(n - p)).squareRoot() : 1
        let fitted = law.predict(fit.theta, x: data.x, x2: data.x2)
        // One refit per distinct scale: the models of one size are left out together.
        struct Scale: Hashable { var x: Double; var x2: Double? }
        func scaleOf(_ i: Int) -> Scale { Scale(x: data.x[i], x2: data.x2?[i]) }
        var refits: [Scale: [Double]?] = [:]
        return (0..<n).compactMap { i in
            // Leave out every point at this scale: models of one size (a standard and a
            // deduplicated run, two seeds) share their deviation from the law, so leaving one in
            // would let its twin vouch for it.
            let key = scaleOf(i)
            if refits[key] == nil {
                let rest = data.subset((0..<n).filter { scaleOf($0) != key })
                refits[key] = .some(try? fitter.refine(law, to: rest, from: fit.theta))
            }
            if let theta = refits[key] ?? nil {
                let x2 = data.x2.map { [$0[i]] }
                if let r = residual(data.y[i], law.predict(theta, x: [data.x[i]], x2: x2)[0]) { return r }
            }
            return residual(data.y[i], fitted[i]).map { $0 * inflation }
        }
    }
}

/// `transform(0..<count)` computed a few at a time on all cores, gathered in index order (the
/// result does not depend on the scheduling); `completed` is told of each index as it finishes.
func concurrentMap<T: Sendable>(_ count: Int, completed: ((Int) -> Void)? = nil,
                                _ transform: @escaping @Sendable (Int) async -> T) async -> [T] {
    await withTaskGroup(of: (Int, T).self) { group in
        var results = [T?](repeating: nil, count: count)
        var next = 0
        let width = max(2, ProcessInfo.processInfo.activeProcessorCount)
        while next < min(width, count) {
            let i = next
            group.addTask { (i, await transform(i)) }
            next += 1
        }
        for await (i, result) in group {
            results[i] = result
            completed?(i)
            if next < count {
                let j = next
                group.addTask { (j, await transform(j)) }
                next += 1
            }
        }
        return results.map { $0! }
    }
}
