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
        levels.map { level in
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
    /// The simulated new observations y*_b the intervals are percentiles of, one per successful
    /// bootstrap replicate in replicate order (not encoded: for combining forecasts, e.g. the mean
    /// of several tasks' predictions).
    public var draws: [Double]

    enum CodingKeys: String, CodingKey { case x, x2, estimate, intervals }

    public init(x: Double, x2: Double? = nil, estimate: Double, intervals: [LevelInterval], draws: [Double] = []) {
        self.x = x
        self.x2 = x2
        self.estimate = estimate
        self.intervals = intervals
        self.draws = draws
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(x: try container.decode(Double.self, forKey: .x), x2: try container.decodeIfPresent(Double.self, forKey: .x2),
                  estimate: try container.decode(Double.self, forKey: .estimate),
                  intervals: try container.decode([LevelInterval].self, forKey: .intervals))
    }

    public func interval(_ level: Double) -> LevelInterval? { intervals.first { abs($0.level - level) < 1e-9 } }
}

/// How a forecast is made.
public struct ForecastOptions: Sendable {
    /// A law name from ``LawCatalog`` or `auto`: of the single-input laws the data support, the
    /// one with the fewest parameters among those within ΔAICc 2 of the AICc-best.
    public var law: String
    public var fitter: Fitter
    public var replicates: Int
    public var seed: UInt64
    public var levels: [Double]
    public var resampling: BootstrapOptions.Resampling
    /// The logistic floor, when known (chance level).
    public var floor: Double?
    /// Whether larger values are better (an accuracy) or worse (a loss), when known: `auto` then
    /// only considers laws that move the metric's way (see ``LawCatalog/candidates(for:higherIsBetter:)``)
    /// and compares them on additive residuals for scores.
    public var higherIsBetter: Bool?

    public init(law: String = "auto", fitter: Fitter = Fitter(), replicates: Int = 200, seed: UInt64 = 42,
                levels: [Double] = [0.8, 0.95], resampling: BootstrapOptions.Resampling = .points, floor: Double? = nil,
                higherIsBetter: Bool? = nil) {
        self.higherIsBetter = higherIsBetter
        self.law = law
        self.fitter = fitter
        self.replicates = replicates
        self.seed = seed
        self.levels = levels
        self.resampling = resampling
        self.floor = floor
    }
}

/// A fitted law with prediction intervals at the requested scales.
public struct Forecast: Sendable, Codable {
    public var law: String
    public var fit: FitResult
    /// Why this law: the comparison when `auto` chose it.
    public var comparison: LawComparison?
    public var points: [ForecastPoint]
    public var replicates: Int
    public var succeeded: Int
    /// θ of each successful bootstrap refit, for other quantities of the same fit (a threshold
    /// crossing) without refitting.
    public var thetas: [[Double]]
    /// The logistic floor the law was fitted with, when fixed.
    public var floor: Double?
    /// The leave-one-scale-out prediction errors the intervals add to each refit (in the fit's
    /// residual space).
    public var residuals: [Double]

    /// The law object that was fitted (its floor fixed as it was).
    public var fittedLaw: (any ScalingLaw)? {
        if law == "logistic", let floor { return LogisticLaw(floor: floor) }
        return LawCatalog.law(named: law)
    }
}

/// Predicts new observations with intervals that carry both sources of error.
///
/// The interval for a new observation at x is a bootstrap prediction interval (Davison &
/// Hinkley 1997, §6.3.3, algorithm 6.4): for each replicate b, the law refitted on resampled data
/// gives ŷ*_b(x), and an error e*_b drawn from the leave-one-out prediction errors of the fit (in
/// the law's residual space; see `jackknifeResiduals`) is added, y*_b = g⁻¹(g(ŷ*_b) + e*_b). The interval at level L is the (1 ∓ L)/2 percentiles of y*. Parameter
/// uncertainty alone (the spread of ŷ*) would ignore that the next model scatters about the law as
/// the ladder's models did, and would cover too rarely.
public enum Forecaster {
    /// The law `options.law` names, or with `auto` the AICc-best candidate the data support,
    /// fitted in its own residual space (unless the fitter fixes one); no bootstrap.
    public static func choose(_ data: FitData, options: ForecastOptions) throws(FitInputError)
        -> (law: any ScalingLaw, fit: FitResult, comparison: LawComparison?) {
        let fitter = options.fitter
        func configured(_ law: any ScalingLaw) -> any ScalingLaw {
            guard let floor = options.floor, law is LogisticLaw else { return law }
            return LogisticLaw(floor: floor)
        }
        guard options.law == "auto" else {
            guard let named = LawCatalog.law(named: options.law) else { throw FitInputError("unknown law '\(options.law)'") }
            let law = configured(named)
            return (law, try fitter.fit(law, to: data), nil)
        }
        let candidates = LawCatalog.candidates(for: data, higherIsBetter: options.higherIsBetter).map(configured)
        guard !candidates.isEmpty else {
            throw FitInputError("\(data.count) points at \(Set(data.x).count) distinct x are too few for any law")
        }
        // A score's noise is additive (binomial): compare laws on linear residuals, as the rising
        // laws are fitted; a loss's on log residuals (the comparison's default for positive y).
        var comparer = fitter
        if comparer.residualSpace == nil, options.higherIsBetter == true { comparer.residualSpace = .linear }
        let compared = comparer.compare(candidates, data: data)
        // Parsimony among the laws the data cannot tell apart (ΔAICc < 2, Burnham & Anderson 2002,
        // §2.6): the one with the fewest parameters, whose extrapolation rests on less.
        // When no law can be ranked (too few scales for AICc), the simplest law that fitted.
        let supported = compared.scores.filter { $0.fit != nil && ($0.deltaAICc ?? .infinity) < 2 }
        let fitted = supported.isEmpty ? compared.scores.filter { $0.fit != nil } : supported
        let simplest = fitted.min { ($0.parameters, $0.aicc ?? $0.rss ?? .infinity) < ($1.parameters, $1.aicc ?? $1.rss ?? .infinity) }
        guard let best = simplest, let bestFit = best.fit,
              let bestLaw = LawCatalog.law(named: best.law).map(configured) else {
            throw FitInputError(compared.scores.compactMap(\.failure).first ?? "no law could be fitted")
        }
        // Refit in the law's own residual space unless the caller fixed one.
        return (bestLaw, fitter.residualSpace == nil ? try fitter.fit(bestLaw, to: data) : bestFit, compared)
    }

    public static func forecast(_ data: FitData, at xs: [Double], x2: [Double]? = nil, options: ForecastOptions) async throws(FitInputError) -> Forecast {
        let fitter = options.fitter
        let (law, fit, comparison) = try choose(data, options: options)
        let space = fit.residualSpace
        let residuals = jackknifeResiduals(law: law, fit: fit, data: data, fitter: fitter)
        let bootstrap = try await fitter.bootstrap(
            law, data: data, fit: fit,
            options: BootstrapOptions(replicates: options.replicates, seed: options.seed, level: options.levels.first ?? 0.8,
                                      resampling: options.resampling))
        let estimates = law.predict(fit.theta, x: xs, x2: x2)
        var draws = [[Double]](repeating: [], count: xs.count)
        for (b, theta) in bootstrap.thetas.enumerated() {
            let predictions = law.predict(theta, x: xs, x2: x2)
            var generator = SplitMix64(seed: options.seed &+ 0x5EED &+ UInt64(b) &* 0x9E37_79B9_7F4A_7C15)
            for (j, prediction) in predictions.enumerated() where prediction.isFinite {
                let e = residuals.isEmpty ? 0 : residuals[Int(generator.next() % UInt64(residuals.count))]
                switch space {
                case .log: if prediction > 0 { draws[j].append(prediction * exp(e)) }
                case .linear: draws[j].append(prediction + e)
                }
            }
        }
        let points = xs.indices.map { j in
            ForecastPoint(x: xs[j], x2: x2?[j], estimate: estimates[j],
                          intervals: LevelInterval.percentiles(of: draws[j], levels: options.levels), draws: draws[j])
        }
        return Forecast(law: law.name, fit: fit, comparison: comparison, points: points,
                        replicates: options.replicates, succeeded: bootstrap.succeeded, thetas: bootstrap.thetas,
                        floor: law is LogisticLaw ? options.floor : nil, residuals: residuals)
    }

    /// Leave-one-scale-out prediction errors g(yᵢ) − g(ŷ₍₋ᵢ₎(xᵢ)) in the fit's residual space: each
    /// point predicted by the law refitted without the points at its scale (warm-started from the full fit). They measure how
    /// far a point the fit has not seen falls from the law — the quantity a prediction interval is
    /// about — where in-sample residuals are shrunk by the parameters the fit spent on them (the
    /// jackknife residuals behind jackknife+ intervals, Barber et al. 2021). A point whose removal
    /// leaves the law unidentifiable falls back to its in-sample residual scaled by √(n/(n − p)).
    static func jackknifeResiduals(law: any ScalingLaw, fit: FitResult, data: FitData, fitter: Fitter) -> [Double] {
        let space = fit.residualSpace
        func residual(_ observed: Double, _ predicted: Double) -> Double? {
            switch space {
            case .log: return observed > 0 && predicted > 0 ? log(observed) - log(predicted) : nil
            case .linear: return predicted.isFinite ? observed - predicted : nil
            }
        }
        let n = data.count, p = fit.theta.count
        let inflation = n > p ? (Double(n) / Double(n - p)).squareRoot() : 1
        let fitted = law.predict(fit.theta, x: data.x, x2: data.x2)
        // One refit per distinct scale: the models of one size are left out together.
        struct Scale: Hashable { var x: Double; var x2: Double? }
        func scale(_ i: Int) -> Scale { Scale(x: data.x[i], x2: data.x2?[i]) }
        var refits: [Scale: [Double]?] = [:]
        return (0..<n).compactMap { i in
            // Leave out every point at this scale: models of one size (a standard and a
            // deduplicated run, two seeds) share their deviation from the law, so leaving one in
            // would let its twin vouch for it.
            let key = scale(i)
            if refits[key] == nil {
                let rest = data.subset((0..<n).filter { scale($0) != key })
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
