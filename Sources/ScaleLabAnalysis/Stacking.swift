import Foundation
import ScaleLabFit

/// Forecasts of many tasks of one metric, combined with the baselines by weights learned on the
/// training ladder itself, with conformal prediction intervals.
///
/// A law fitted to one task's handful of models extrapolates the task's noise as readily as its
/// trend; a baseline is robust but blind to curvature. Which to trust is an empirical question the
/// ladder can answer before the larger models exist. For every task and each of the last two
/// inner origins o′ below the real origin o, each member — the law (chosen afresh on the points
/// ≤ o′), last value, line in log x, aggregate trend — predicts the task's points in (o′, o].
/// The weights w on the simplex minimise the mean absolute error of Σ wₘ ŷₘ over these inner
/// predictions (stacking: Wolpert 1992; Breiman 1996), on a grid of step 0.1. The forecast at o is
/// Σ wₘ ŷₘ(x) with every member refitted on all points ≤ o.
///
/// The interval is split-conformal with normalised scores (Papadopoulos et al. 2008; Lei et al.
/// 2018): each inner error is divided by its scale s = √(σ² + D²) — σ the task's noise (the
/// residual standard deviation of the law fitted up to o′, Σr²/(n − p), moderated towards the
/// tasks' median) and D the spread of the members' predictions, which grows with the distance
/// extrapolated — and the interval at level L is ŷ ± q·s, q the ⌈(N + 1)L⌉-th smallest of the N
/// scaled errors. Tasks with few items, whose
/// scores scatter more, get wider intervals; the coverage is that of the inner backtest, which
/// extrapolates over the same kind of distance as the real one.
///
/// When fewer than ``minimumExamples`` inner predictions exist, nothing is combined.
public enum Stacking {
    /// The members a law is combined with, in weight order.
    static let members = ["law", Baseline.lastValue.rawValue, Baseline.linearInLogX.rawValue, AggregateTrend.name]
    static let minimumExamples = 12
    /// The fewest curves worth combining.
    static let minimumCurves = 3
    /// Appended to a law's name for its combined forecasts in backtests.
    public static let suffix = "+stacked"

    /// One task's training points, the scales it is to be predicted at, and its law's outer fit.
    struct Curve {
        var train: FitData
        /// The largest x of `train`.
        var origin: Double { train.x.max() ?? 0 }
        var xs: [Double]
        /// The method the policy chose for the curve, and its law's θ when it is a law.
        var method: ForecastMethod
        var theta: [Double]?
    }

    /// The combination: weights per member, the scaled-error quantile per level, and how many
    /// inner predictions they were learned from.
    struct Combination: Sendable, Codable {
        var weights: [String: Double]
        var quantiles: [LevelInterval]
        var examples: Int
    }

    /// Stacks the forecasts of several tasks of one metric (each fitted on all of its series'
    /// points, `forecasts[i]` of `series[i]`): the combined points, in the forecasts' order, and
    /// the combination; nil when the tasks are too few or the inner backtest too small.
    public static func stack(_ series: [FitSeries], forecasts: [Forecast], options: ForecastOptions)
        -> (report: StackingReport, points: [[ForecastPoint]])? {
        guard series.count == forecasts.count, series.count >= minimumCurves, Set(series.map(\.metric)).count == 1 else { return nil }
        var curves: [Curve] = []
        for (curve, forecast) in zip(series, forecasts) {
            guard let method = forecast.method(options: options) else { return nil }
            curves.append(Curve(train: curve.data, xs: forecast.points.map(\.x), method: method, theta: forecast.fit?.theta))
        }
        var options = options
        options.trend = options.trend ?? AggregateTrend(series)
        guard let (combination, points) = combine(curves, trend: options.trend, options: options) else { return nil }
        let origins = Set(curves.map(\.origin))
        return (StackingReport(metric: series[0].metric, law: options.law.name, origin: origins.count == 1 ? origins.first! : .nan,
                               weights: combination.weights, quantiles: combination.quantiles, examples: combination.examples), points)
    }

    /// Combines the curves' forecasts; nil when the inner backtest is too small to learn from.
    static func combine(_ curves: [Curve], trend: AggregateTrend?, options: ForecastOptions)
        -> (combination: Combination, points: [[ForecastPoint]])? {
        // Inner predictions: (member predictions, observed, σ).
        var examples: [(predictions: [Double], observed: Double, sigma: Noise)] = []
        for curve in curves {
            let scales = Array(Set(curve.train.x)).sorted()
            guard scales.count >= 4 else { continue }
            for inner in scales[max(2, scales.count - 3)..<(scales.count - 1)] {
                let keep = curve.train.x.indices.filter { curve.train.x[$0] <= inner }
                let test = curve.train.x.indices.filter { curve.train.x[$0] > inner }
                let data = curve.train.subset(keep)
                let xs = test.map { curve.train.x[$0] }
                guard let chosen = try? Forecaster.choose(data, at: xs, options: options) else { continue }
                let sigma = noise(chosen.method, theta: chosen.fit?.theta, data: data)
                guard let predictions = memberPredictions(chosen.method, theta: chosen.fit?.theta, data: data,
                                                          origin: inner, xs: xs, trend: trend), sigma.variance.isFinite else { continue }
                for (k, row) in test.enumerated() {
                    examples.append((predictions.map { $0[k] }, curve.train.y[row], sigma))
                }
            }
        }
        guard examples.count >= minimumExamples else { return nil }
        let weights = bestWeights(examples.map { ($0.predictions, $0.observed) })
        let typical = examples.map(\.sigma.variance).sorted()[examples.count / 2]
        let scores = examples.map { example in
            abs(example.observed - combined(weights, example.predictions))
                / scale(example.sigma.moderated(typical), example.predictions)
        }.sorted()
        let quantiles = options.levels.map { level -> LevelInterval in
            let rank = min(Int((Double(scores.count + 1) * level).rounded(.up)), scores.count)
            return LevelInterval(level: level, lower: scores[rank - 1], upper: scores[rank - 1])
        }
        var points: [[ForecastPoint]] = []
        for curve in curves {
            let sigma = noise(curve.method, theta: curve.theta, data: curve.train).moderated(typical)
            guard let predictions = memberPredictions(curve.method, theta: curve.theta, data: curve.train,
                                                      origin: curve.origin, xs: curve.xs, trend: trend) else { return nil }
            points.append(curve.xs.indices.map { k in
                let estimate = combined(weights, predictions.map { $0[k] })
                let width = scale(sigma, predictions.map { $0[k] })
                return ForecastPoint(x: curve.xs[k], estimate: estimate, intervals: quantiles.map {
                    LevelInterval(level: $0.level, lower: estimate - $0.lower * width, upper: estimate + $0.lower * width)
                })
            })
        }
        let combination = Combination(weights: Dictionary(uniqueKeysWithValues: zip(members, weights)),
                                      quantiles: quantiles, examples: examples.count)
        return (combination, points)
    }

    /// Each member's predictions at `xs` from the points ≤ `origin`; nil without an aggregate trend there.
    static func memberPredictions(_ method: ForecastMethod, theta: [Double]?, data: FitData, origin: Double, xs: [Double],
                                  trend: AggregateTrend?) -> [[Double]]? {
        guard let shifts = trend?.shifts(from: origin, to: xs) else { return nil }
        let last = Baseline.lastValue.predict(data, at: origin)
        let chosen: [Double]
        if let law = method.law, let theta {
            chosen = law.predict(theta, x: xs, x2: nil)
        } else if case .baseline(let baseline) = method {
            chosen = xs.map { baseline.predict(data, at: $0) }
        } else {
            chosen = shifts.map { last + $0 }
        }
        return [chosen,
                xs.map { _ in last },
                xs.map { Baseline.linearInLogX.predict(data, at: $0) },
                shifts.map { last + $0 }]
    }

    /// The scale of an error: √(σ² + D²), σ the task's noise and D the standard deviation of the
    /// members' predictions — members agree near the data and part ways as the extrapolation
    /// lengthens, so the interval widens with distance as the errors do.
    static func scale(_ sigma: Double, _ predictions: [Double]) -> Double {
        let mean = predictions.reduce(0, +) / Double(predictions.count)
        let spread = predictions.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(max(predictions.count - 1, 1))
        return (sigma * sigma + spread).squareRoot()
    }

    /// A task's residual variance s² = Σr²/(n − p) (score units) with its ν = n − p degrees of freedom.
    struct Noise {
        var variance: Double
        var degrees: Double
        /// Prior degrees of freedom of the moderated estimate.
        static let priorDegrees = 2.0

        /// σ moderated towards the typical variance s₀² of the tasks (Smyth 2004):
        /// √((ν s² + ν₀ s₀²)/(ν + ν₀)), ν₀ = 2 — a five-point fit that happens to pass through its
        /// points does not claim a noise of zero.
        func moderated(_ typical: Double) -> Double {
            ((degrees * variance + Self.priorDegrees * typical) / (degrees + Self.priorDegrees)).squareRoot()
        }
    }

    /// The residual variance of the chosen method's curve on its data: the law's, or for a
    /// baseline the line in log x's (a baseline has no curve through the points of its own).
    static func noise(_ method: ForecastMethod, theta: [Double]?, data: FitData) -> Noise {
        let fitted: [Double], p: Int
        if let law = method.law, let theta {
            fitted = law.predict(theta, x: data.x, x2: data.x2)
            p = theta.count
        } else {
            fitted = data.x.map { Baseline.linearInLogX.predict(data, at: $0) }
            p = 2
        }
        let squares = zip(fitted, data.y).map { ($0 - $1) * ($0 - $1) }.filter(\.isFinite)
        let n = squares.count
        guard n > p else { return Noise(variance: .nan, degrees: 0) }
        return Noise(variance: squares.reduce(0, +) / Double(n - p), degrees: Double(n - p))
    }

    /// Σ wₘ ŷₘ.
    static func combined(_ weights: [Double], _ predictions: [Double]) -> Double {
        zip(weights, predictions).reduce(0) { $0 + $1.0 * $1.1 }
    }

    /// The simplex weights (grid step 0.1) with the least mean absolute error; ties go to the
    /// earlier member (the law).
    static func bestWeights(_ examples: [(predictions: [Double], observed: Double)]) -> [Double] {
        let steps = 10
        var best: (error: Double, weights: [Double]) = (.infinity, [1, 0, 0, 0])
        for a in stride(from: steps, through: 0, by: -1) {
            for b in 0...(steps - a) {
                for c in 0...(steps - a - b) {
                    let w = [Double(a), Double(b), Double(c), Double(steps - a - b - c)].map { $0 / Double(steps) }
                    var error = 0.0
                    for example in examples {
                        error += abs(example.observed - combined(w, example.predictions))
                    }
                    if error < best.error - 1e-12 { best = (error, w) }
                }
            }
        }
        return best.weights
    }
}
