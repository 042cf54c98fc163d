import ArgumentParser
import Foundation
import ScaleLabAnalysis
import ScaleLabCore
import ScaleLabFit
import ScaleLabIO

/// `--csv`: one row per prediction, quoted as RFC 4180 requires.
enum PredictCSV {
    static let columns = ["task", "metric", "shots", "law", "x", "x2", "estimate", "lower80", "upper80", "lower95", "upper95"]
    static let crossingColumns = ["crossing_status", "crossing", "crossing_lower80", "crossing_upper80", "crossing_lower95",
                                  "crossing_upper95", "crossing_reaching", "crossing_replicates"]

    /// A number as its shortest round-trip text; blank when absent or not finite.
    static func cell(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "" }
        return "\(value)"
    }

    /// The rows of one curve: one per point, or one without a point when only the crossing was asked.
    static func rows(task: String, metric: String, shots: Int?, law: String, points: [ForecastPoint],
                     crossing: CrossingPrediction?) -> [[String]] {
        let head = [task, metric, shots.map(String.init) ?? "", law]
        var crossingCells: [String] = []
        if let crossing {
            let i80 = crossing.interval(0.8), i95 = crossing.interval(0.95)
            crossingCells = [crossing.status.rawValue, cell(crossing.crossing), cell(i80?.lower), cell(i80?.upper),
                             cell(i95?.lower), cell(i95?.upper), String(crossing.reaching), String(crossing.replicates)]
        }
        guard !points.isEmpty else { return [head + Array(repeating: "", count: 7) + crossingCells] }
        return points.map { point in
            let i80 = point.interval(0.8), i95 = point.interval(0.95)
            return head + [cell(point.x), cell(point.x2), cell(point.estimate), cell(i80?.lower), cell(i80?.upper),
                           cell(i95?.lower), cell(i95?.upper)] + crossingCells
        }
    }

    static func render(_ rows: [[String]], threshold: Bool) -> String {
        let header = columns + (threshold ? crossingColumns : [])
        let width = header.count
        return ([header] + rows.map { Array(($0 + Array(repeating: "", count: max(0, width - $0.count))).prefix(width)) })
            .map { $0.map(TidyExport.csvQuotedCell).joined(separator: ",") }
            .joined(separator: "\n")
    }
}

/// What `scalelab predict` prints for one curve: as text for people, or as JSON.
struct PredictReport: Encodable {
    var task: String
    var metric: String
    var shots: Int?
    var x: String
    var x2: String?
    var points: Int
    var seed: UInt64
    var forecast: Forecast?
    /// The combination the forecast's points come from, with --stack.
    var stacking: StackingReport?
    var crossing: CrossingPrediction?
    var error: String?

    /// The law's name, marked when its points were combined with the baselines.
    var method: String? { forecast.map { $0.law + (stacking == nil ? "" : Stacking.suffix) } }

    static func interval(_ interval: LevelInterval?, size: Bool = false) -> String {
        guard let interval else { return "—" }
        let show = size ? { Show.size($0) } : { FitReport.number($0) }
        return "[\(show(interval.lower)), \(show(interval.upper))]"
    }

    /// Why this method: the policy's evidence (every candidate's inner forecast error in the JSON),
    /// or that it was asked for.
    static func why(_ forecast: Forecast) -> [String] {
        guard let decision = forecast.decision else { return ["law: \(forecast.law), as asked (--law)"] }
        var lines = [decision.evidence]
        let scored = decision.candidates.filter { $0.innerError != nil }
        if scored.count > 1 {
            lines.append("inner forecast errors: " + scored.map { "\($0.method) \(String(format: "%.3g", $0.innerError!))" }.joined(separator: " · "))
        }
        if let comparison = decision.comparison { lines.append("verdict: \(comparison.verdict)") }
        return lines
    }

    /// The formula of the forecast's method: the law's, or what the baseline carries forward.
    static func formula(_ forecast: Forecast) -> String {
        if let fit = forecast.fit { return fit.formula }
        switch forecast.law {
        case "last-value": return "y = the value at the largest fitted x, carried forward"
        case "linear-log-x": return "y = a + b·log10 x, least squares on the fitted points"
        case "local-trend": return "y = a + b·log10 x, least squares on the points at the last three fitted x"
        default: return "y = the value at the largest fitted x + the average task's gain over the same distance"
        }
    }

    /// "crosses T at x* [80%: a, b] [95%: c, d] (k of n replicates reach it)", or why not.
    static func crossingLine(_ crossing: CrossingPrediction, x: String) -> String {
        let threshold = FitReport.number(crossing.threshold)
        let replicates = "(\(crossing.reaching) of \(crossing.replicates) replicates reach it)"
        let range = "[\(Show.size(crossing.rangeLower)), \(Show.size(crossing.rangeUpper))]"
        switch crossing.status {
        case .crosses:
            let intervals = crossing.intervals.map { "[\(Int(($0.level * 100).rounded()))%: \(Show.size($0.lower)), \(Show.size($0.upper))]" }
            return "crosses \(threshold) at \(Show.size(crossing.crossing)) \(intervals.joined(separator: " ")) \(replicates)"
                + (crossing.reaching < crossing.replicates ? "; intervals over the replicates that reach it" : "")
        case .notReached:
            return "\(threshold) not reached within \(range) (min x to max x·100) \(replicates)"
        case .alreadyPast:
            return "already past \(threshold) at the smallest \(x) (\(Show.size(crossing.rangeLower))) \(replicates)"
        }
    }

    /// The scale columns of a table: x, and x2 for two-input laws.
    static func scaleCells(_ point: ForecastPoint) -> [String] {
        [Show.size(point.x)] + (point.x2.map { [Show.size($0)] } ?? [])
    }

    /// The human-readable report of one curve.
    var text: String {
        var lines: [String] = []
        let curve = "\(task) · \(metric)" + (shots.map { " · \($0)-shot" } ?? "")
        guard let forecast else { return "\(curve): \(error ?? "no forecast")" }
        lines.append("\(curve) — \(forecast.law) fit on \(points) points against \(x)" + (x2.map { " and \($0)" } ?? ""))
        lines.append(Self.formula(forecast))
        lines += Self.why(forecast)
        if !forecast.points.isEmpty {
            lines.append("")
            let scaleHeaders = [x] + (x2.map { [$0] } ?? [])
            var table = TextTable(headers: scaleHeaders + ["prediction", "80% interval", "95% interval"],
                                  alignments: scaleHeaders.map { _ in .right } + [.right, .left, .left])
            table.frozen = scaleHeaders.count + 3
            for point in forecast.points {
                table.append(Self.scaleCells(point) + [FitReport.number(point.estimate),
                                                       Self.interval(point.interval(0.8)), Self.interval(point.interval(0.95))])
            }
            lines.append(table.render())
            for point in forecast.points {
                if let warning = point.warning { lines.append("warning: at \(Show.size(point.x)): \(warning)") }
            }
        }
        lines.append(forecast.fit == nil ? "intervals: from the baseline's own inner forecast errors (\(forecast.residuals.count))"
            : "bootstrap: \(forecast.succeeded) of \(forecast.replicates) refits succeeded (seed \(seed))")
        if let crossing { lines.append(Self.crossingLine(crossing, x: x)) }
        return lines.joined(separator: "\n")
    }

    /// One row per curve, for `--all-tasks`: each --at prediction with its 95% interval.
    static func summaryTable(_ reports: [PredictReport], scales: [Scale], threshold: Double?) -> String {
        var headers = ["task", "metric", "points", "law"] + scales.map { "\($0.label) [95%]" }
        if let threshold { headers.append("crosses \(FitReport.number(threshold)) [95%]") }
        var table = TextTable(headers: headers, alignments: [.left, .left, .right, .left] + Array(repeating: .left, count: headers.count - 4))
        table.frozen = 4
        for report in reports {
            guard let forecast = report.forecast else {
                table.append([report.task, report.metric, String(report.points), "—"]
                             + Array(repeating: "", count: max(0, headers.count - 5)) + [report.error ?? ""])
                continue
            }
            var row = [report.task, report.metric, String(report.points), report.method ?? forecast.law]
            row += forecast.points.map { "\(FitReport.number($0.estimate)) \(interval($0.interval(0.95)))" }
            if let crossing = report.crossing {
                switch crossing.status {
                case .crosses: row.append("\(Show.size(crossing.crossing)) \(interval(crossing.interval(0.95), size: true)) (\(crossing.reaching)/\(crossing.replicates))")
                case .notReached: row.append("not reached (\(crossing.reaching)/\(crossing.replicates))")
                case .alreadyPast: row.append("already past")
                }
            } else if threshold != nil {
                row.append(report.error ?? "—")
            }
            table.append(row)
        }
        return table.render()
    }
}

/// What `scalelab predict --aggregate` prints: the mean over tasks forecast two ways.
struct AggregateReport: Encodable {
    var x: String
    var x2: String?
    var seed: UInt64
    var aggregate: AggregateForecast
    /// The crossing of --threshold by the aggregate's own law.
    var crossing: CrossingPrediction?

    /// Labels of the two aggregate rows in tables and CSV.
    static let aggregateLawLabel = "aggregate-law"
    static let meanOfTasksLabel = "mean-of-tasks"

    var csvRows: [[String]] {
        var rows: [[String]] = []
        for task in aggregate.taskForecasts {
            guard let forecast = task.forecast else { continue }
            rows += PredictCSV.rows(task: task.task, metric: aggregate.metric, shots: aggregate.shots, law: forecast.law,
                                    points: forecast.points, crossing: nil)
        }
        if let forecast = aggregate.aggregateLaw {
            rows += PredictCSV.rows(task: Self.aggregateLawLabel, metric: aggregate.metric, shots: aggregate.shots, law: forecast.law,
                                    points: forecast.points, crossing: crossing)
        }
        if !aggregate.meanOfTasks.isEmpty {
            rows += PredictCSV.rows(task: Self.meanOfTasksLabel, metric: aggregate.metric, shots: aggregate.shots, law: "mean",
                                    points: aggregate.meanOfTasks, crossing: nil)
        }
        return rows
    }

    var text: String {
        let curve = aggregate.meanCurve
        var lines = ["mean of \(aggregate.tasks.count) tasks · \(aggregate.metric)" + (aggregate.shots.map { " · \($0)-shot" } ?? "")
                     + " against \(x)" + (x2.map { " and \($0)" } ?? "") + ": \(aggregate.tasks.joined(separator: ", "))"]
        let dropped = curve.dropped.isEmpty ? "none dropped"
            : "\(curve.dropped.count) dropped for missing a task: \(curve.dropped.prefix(6).joined(separator: ", "))\(curve.dropped.count > 6 ? ", …" : "")"
        lines.append("\(AggregateReport.aggregateLawLabel): the law of each model's mean over the tasks (\(curve.models.count) models with every task; \(dropped))")
        lines.append("\(AggregateReport.meanOfTasksLabel): the mean of the tasks' own forecasts; intervals from the mean of their draws, "
            + "paired replicate by replicate (\(aggregate.pairedReplicates) paired)")
        if let forecast = aggregate.aggregateLaw {
            lines.append("aggregate law: \(PredictReport.formula(forecast))")
            lines += PredictReport.why(forecast).map { "  " + $0 }
        } else {
            lines.append("aggregate law: \(aggregate.aggregateLawError ?? "no forecast")")
        }
        if let error = aggregate.meanOfTasksError { lines.append("mean of tasks: \(error)") }

        let scalePoints = aggregate.aggregateLaw?.points ?? aggregate.meanOfTasks
        if !scalePoints.isEmpty {
            lines.append("")
            let scaleHeaders = [x] + (x2.map { [$0] } ?? [])
            var table = TextTable(headers: scaleHeaders + ["forecast", "law", "prediction", "80% interval", "95% interval"],
                                  alignments: scaleHeaders.map { _ in .right } + [.left, .left, .right, .left, .left])
            table.frozen = scaleHeaders.count + 5
            func row(_ point: ForecastPoint, _ name: String, _ law: String) -> [String] {
                PredictReport.scaleCells(point) + [name, law, FitReport.number(point.estimate),
                                                   PredictReport.interval(point.interval(0.8)), PredictReport.interval(point.interval(0.95))]
            }
            for j in scalePoints.indices {
                if let forecast = aggregate.aggregateLaw { table.append(row(forecast.points[j], AggregateReport.aggregateLawLabel, forecast.law)) }
                if !aggregate.meanOfTasks.isEmpty { table.append(row(aggregate.meanOfTasks[j], AggregateReport.meanOfTasksLabel, "mean")) }
                for task in aggregate.taskForecasts {
                    guard let forecast = task.forecast else { continue }
                    table.append(row(forecast.points[j], "  " + task.task, forecast.law))
                }
            }
            lines.append(table.render())
        }
        let succeeded = aggregate.taskForecasts.compactMap { $0.forecast.map { "\($0.succeeded)" } }
        lines.append("bootstrap: aggregate law \(aggregate.aggregateLaw.map { "\($0.succeeded) of \($0.replicates)" } ?? "—") refits succeeded; "
            + "tasks \(succeeded.joined(separator: ", ")) (seed \(seed))")
        for task in aggregate.taskForecasts where task.forecast == nil {
            lines.append("\(task.task): \(task.error ?? "no forecast")")
        }
        if let crossing { lines.append("aggregate law " + PredictReport.crossingLine(crossing, x: x)) }
        return lines.joined(separator: "\n")
    }
}
