import Foundation
import ScaleLabAnalysis

/// The tables of `scalelab structure`.
enum StructureText {
    static func percent(_ value: Double) -> String { String(format: "%.0f%%", value * 100) }

    static func overlap(_ report: OverlapReport, x: String, dropped: [String]) -> String {
        var lines: [String] = []
        let effective = report.effectiveTasks
        let intervals = effective.intervals.map { "[\(percent($0.level)): \(String(format: "%.1f", $0.lower)), \(String(format: "%.1f", $0.upper))]" }
        lines.append("overlap of \(report.tasks.count) tasks (\(report.metric)) on \(report.models) models, trend removed: "
            + "\(report.trendParameters) parameters in log \(x), \(report.residualDegreesOfFreedom) residual degrees of freedom")
        lines.append("effective number of independent tasks: \(String(format: "%.1f", effective.estimate)) \(intervals.joined(separator: " ")) "
            + "of \(report.tasks.count)  (Cheverud \(String(format: "%.1f", effective.cheverud)); uncorrected \(String(format: "%.1f", effective.uncorrected)); "
            + "\(effective.replicatesUsed) of \(effective.replicatesRequested) replicates)")
        if !effective.varianceShares.isEmpty {
            lines.append("  leading directions of the de-trended scores: "
                + effective.varianceShares.prefix(6).map(percent).joined(separator: " ")
                + (effective.rankLimit < report.tasks.count ? "  (at most \(effective.rankLimit) directions with \(report.models) models)" : ""))
        }
        if !report.excludedTasks.isEmpty {
            lines.append("  left out (constant beyond the trend): \(report.excludedTasks.prefix(8).joined(separator: ", "))\(report.excludedTasks.count > 8 ? ", …" : "")")
        }
        if !dropped.isEmpty {
            lines.append("  to fill every cell: \(dropped.prefix(4).joined(separator: "; "))\(dropped.count > 4 ? "; … \(dropped.count - 4) more" : "")")
        }
        lines.append("")
        if report.clusters.isEmpty {
            lines.append("no clusters of co-moving tasks (average de-trended r ≥ \(String(format: "%.2f", report.clusterCut)))")
        } else {
            lines.append("\(report.clusters.count) cluster\(report.clusters.count == 1 ? "" : "s") of co-moving tasks (average de-trended r ≥ \(String(format: "%.2f", report.clusterCut))):")
            var table = TextTable(headers: ["#", "tasks", "mean r", "share of\ntasks", "share of aggregate\nvariance (de-trended)", "members"],
                                  alignments: [.right, .right, .right, .right, .right, .left])
            table.frozen = 5
            for (index, cluster) in report.clusters.enumerated() {
                let members = cluster.tasks.prefix(6).joined(separator: ", ") + (cluster.tasks.count > 6 ? ", … (\(cluster.tasks.count - 6) more)" : "")
                table.append([String(index + 1), String(cluster.tasks.count), String(format: "%.2f", cluster.meanCorrelation),
                              percent(cluster.taskShare), percent(cluster.residualVarianceShare), members])
            }
            lines.append(table.render())
        }
        lines.append("")
        if report.coEmerging.isEmpty {
            lines.append("no co-emerging groups (tasks whose largest jump falls between the same two adjacent models)")
        } else {
            lines.append("\(report.coEmerging.count) co-emerging group\(report.coEmerging.count == 1 ? "" : "s") (the largest jump of each task between the same two models):")
            for group in report.coEmerging {
                let family = group.family.map { "\($0): " } ?? ""
                lines.append("  \(family)\(group.lowerModel) (\(Show.size(group.lowerX))) → \(group.upperModel) (\(Show.size(group.upperX))): "
                    + group.jumps.map { "\($0.task) \(Show.score($0.before))→\(Show.score($0.after))" }.joined(separator: ", "))
            }
        }
        for warning in [report.aggregate.warning].compactMap({ $0 }) + report.warnings {
            lines.append("warning: \(warning)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func classes(_ classes: [TaskClassification], curves: [TaskCurve], evidence: Int) -> String {
        var lines: [String] = []
        var counts: [ScalingClass: Int] = [:]
        for item in classes { counts[item.scalingClass, default: 0] += 1 }
        lines.append("scaling classes of \(classes.count) curve\(classes.count == 1 ? "" : "s"): "
            + ScalingClass.allCases.compactMap { kind in counts[kind].map { "\(kind.rawValue) \($0)" } }.joined(separator: ", "))
        var table = TextTable(headers: ["task", "metric", "class", "curve", "verdict"], alignments: [.left, .left, .left, .left, .left])
        table.frozen = 4
        let order = ScalingClass.allCases
        let sorted = classes.indices.sorted {
            (order.firstIndex(of: classes[$0].scalingClass)!, classes[$0].task) < (order.firstIndex(of: classes[$1].scalingClass)!, classes[$1].task)
        }
        for index in sorted {
            let item = classes[index], curve = curves[index]
            let lower = curve.chance.map { min($0, curve.y.min() ?? $0) }
            let upper = curve.higherIsBetter && curve.y.allSatisfy({ $0 >= 0 && $0 <= 1 }) ? 1.0 : nil
            let metric = item.metric + (item.shots.map { " \($0)-shot" } ?? "")
            table.append([item.task, metric, item.scalingClass.rawValue, Show.sparkline(x: curve.x, y: curve.y, lower: lower, upper: upper), item.verdict])
            for line in item.evidence.prefix(evidence) { table.append(["", "", "", "", "  " + line]) }
        }
        lines.append(table.render())
        return lines.joined(separator: "\n")
    }
}
