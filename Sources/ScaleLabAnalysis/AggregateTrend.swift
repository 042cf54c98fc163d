import Foundation
import ScaleLabFit

/// The aggregate-trend baseline: a task moves as the average task of its metric moves.
///
/// The mean score over the curves of one metric (per scale, over the curves measured there) is a
/// smoother curve than any one task. A line in log₁₀ x fitted to that mean on the scales up to the
/// origin says how much the average task gains per decade; the baseline adds the gain from the
/// origin to a larger scale to the task's last observed score. It beats per-task laws when tasks are
/// noisy but share a trend, and loses when tasks differ in shape (emergence): the comparison shows
/// which the data are. (A line, not a fitted law: with a handful of scales, choosing a law for the
/// aggregate would itself be noisy, and a baseline should be simple.)
public struct AggregateTrend: Sendable {
    public static let name = "aggregate-trend"

    /// Mean score per scale over the curves that have it.
    let scales: [Double]
    let means: [Double]

    /// One trend per metric with at least two curves.
    public static func byMetric(_ series: [FitSeries]) -> [String: AggregateTrend] {
        var trends: [String: AggregateTrend] = [:]
        for (metric, curves) in Dictionary(grouping: series, by: \.metric) where curves.count >= 2 {
            trends[metric] = AggregateTrend(curves)
        }
        return trends
    }

    public init(_ series: [FitSeries]) {
        var sums: [Double: (total: Double, count: Int)] = [:]
        for curve in series {
            // Each curve counts once per scale, whatever its number of models there.
            var perScale: [Double: [Double]] = [:]
            for (x, y) in zip(curve.data.x, curve.data.y) { perScale[x, default: []].append(y) }
            for (x, values) in perScale {
                let mean = values.reduce(0, +) / Double(values.count)
                sums[x] = ((sums[x]?.total ?? 0) + mean, (sums[x]?.count ?? 0) + 1)
            }
        }
        scales = sums.keys.sorted()
        means = scales.map { sums[$0]!.total / Double(sums[$0]!.count) }
    }

    /// The average task's gain from `origin` to each of `xs`; nil with fewer than two scales up to
    /// the origin.
    func shifts(from origin: Double, to xs: [Double]) -> [Double]? {
        let kept = scales.indices.filter { scales[$0] <= origin }
        guard kept.count >= 2 else { return nil }
        let data = FitData(x: kept.map { scales[$0] }, y: kept.map { means[$0] })
        let line = Baseline.linearInLogX
        let start = line.predict(data, at: origin)
        return xs.map { line.predict(data, at: $0) - start }
    }
}
