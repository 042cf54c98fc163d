import Foundation
import ScaleLabFit

/// Naive forecasts a scaling law has to beat, so a backtest shows what the law buys.
public enum Baseline: String, CaseIterable, Sendable, Codable {
    /// The score of the largest model fitted on, carried forward (mean when it has several points).
    case lastValue = "last-value"
    /// A straight line in log₁₀ x through the fitted points (least squares).
    case linearInLogX = "linear-log-x"
    /// The recent trend: a line in log₁₀ x through the points at the last three distinct x (the
    /// fewest that estimate a slope with a residual degree of freedom), carried forward — the
    /// drift of a learning curve late in training, where a law fitted to the whole curve is
    /// dominated by its early, differently shaped part (Hyndman & Athanasopoulos 2021, §5.2, the
    /// drift method, on the log-x scale).
    case localTrend = "local-trend"

    /// The forecast at `x`; on a `positive` scale (losses) the lines are fitted to log y — a
    /// straight line in log–log, the power law with no floor — so that they forecast relative
    /// change, as losses are judged, and never go below zero.
    public func predict(_ data: FitData, at x: Double, scale: MetricScale) -> Double {
        guard scale == .positive, self != .lastValue, data.y.allSatisfy({ $0 > 0 }) else { return predict(data, at: x) }
        var logged = data
        logged.y = data.y.map(log)
        return exp(predict(logged, at: x))
    }

    public func predict(_ data: FitData, at x: Double) -> Double {
        switch self {
        case .lastValue:
            let largest = data.x.max() ?? 0
            let values = zip(data.x, data.y).filter { $0.0 == largest }.map(\.1)
            return values.reduce(0, +) / Double(max(values.count, 1))
        case .localTrend:
            let recent = Set(Array(Set(data.x)).sorted().suffix(3))
            return Baseline.linearInLogX.predict(data.subset(data.x.indices.filter { recent.contains(data.x[$0]) }), at: x)
        case .linearInLogX:
            let u = data.x.map(log10)
            let mu = u.reduce(0, +) / Double(u.count), my = data.y.reduce(0, +) / Double(data.y.count)
            var suu = 0.0, suy = 0.0
            for (a, b) in zip(u, data.y) {
                suu += (a - mu) * (a - mu)
                suy += (a - mu) * (b - my)
            }
            let slope = suu > 0 ? suy / suu : 0
            return my + slope * (log10(x) - mu)
        }
    }
}
