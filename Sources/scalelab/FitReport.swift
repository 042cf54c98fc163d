import Foundation
import ScaleLabAnalysis
import ScaleLabFit

/// What `scalelab fit` prints for one curve: as a table for people, or as JSON.
struct FitReport: Encodable {
    struct Parameter: Encodable {
        var name: String
        var estimate: Double
        var lower: Double?
        var upper: Double?
    }

    struct Prediction: Encodable {
        var x: Double
        var estimate: Double
        var lower: Double?
        var upper: Double?
    }

    struct BootstrapSummary: Encodable {
        var requested: Int
        var succeeded: Int
        var level: Double
        var seed: UInt64
        var seconds: Double
    }

    var task: String
    var metric: String
    var shots: Int?
    var x: String
    var x2: String?
    var points: Int
    var law: String?
    var formula: String?
    var parameters: [Parameter] = []
    var predictions: [Prediction] = []
    var bootstrap: BootstrapSummary?
    var diagnostics: FitResult?
    /// Stage 1 of a two-step fit (the loss against scale); `diagnostics` is then stage 2.
    var lossDiagnostics: FitResult?
    /// The law-selection policy's decision (`--law auto`): every candidate's inner forecast error.
    var decision: LawDecision?
    /// The policy chose a baseline; the law shown is the best-scoring law, for reference.
    var referenceOnly = false
    var comparison: LawComparison? { decision?.comparison }
    var error: String?

    enum CodingKeys: String, CodingKey {
        case task, metric, shots, x, x2, points, law, formula, parameters, predictions, bootstrap, diagnostics, lossDiagnostics,
             decision, referenceOnly, error
    }

    static func number(_ value: Double?) -> String {
        guard let value else { return "—" }
        if value == 0 { return "0" }
        let magnitude = abs(value)
        return magnitude >= 1e5 || magnitude < 1e-3 ? String(format: "%.4g", value) : String(format: "%.4f", value)
    }

    /// The human-readable report.
    var text: String {
        var lines: [String] = []
        let curve = "\(task) · \(metric)" + (shots.map { " · \($0)-shot" } ?? "")
        lines.append("\(curve) — \(law ?? "?") fit on \(points) points against \(x)\(x2.map { " and \($0)" } ?? "")")
        if let formula { lines.append(formula) }
        if let decision {
            lines.append(decision.evidence)
            if referenceOnly {
                lines.append("no law forecast this curve better than \(decision.chosen); \(law ?? "?") below is the best law by the same evidence, "
                    + "for reference (`scalelab predict` forecasts with \(decision.chosen))")
            }
            let scored = decision.candidates.filter { $0.innerError != nil }
            if !scored.isEmpty {
                lines.append("")
                var table = TextTable(headers: ["candidate", "k", "inner error", "forecasts", "origins"])
                table.frozen = 5
                for score in decision.candidates {
                    table.append([score.method, String(score.parameters), score.innerError.map { String(format: "%.4g", $0) } ?? "—",
                                  String(score.forecasts), String(score.origins)])
                }
                lines.append(table.render())
                lines.append("inner error: mean |error| (score units for scores, log units for losses) "
                    + "forecasting the curve's later points from rolling origins inside the fit set"
                    + (decision.distance.map { String(format: ", weighted towards %.2f decades", $0) } ?? ""))
            }
        }
        if let comparison {
            lines.append("")
            var table = TextTable(headers: ["law", "k", "AICc", "ΔAICc", "weight", "held-out error"])
            table.frozen = 6
            for score in comparison.scores {
                table.append([score.law, String(score.parameters), FitReport.number(score.aicc), FitReport.number(score.deltaAICc),
                              score.weight.map { String(format: "%.2f", $0) } ?? "—",
                              score.extrapolationError.map { String(format: "%.4g", $0) } ?? "—"])
            }
            lines.append(table.render())
            for score in comparison.scores { if let failure = score.failure { lines.append("\(score.law): not fitted — \(failure)") } }
            lines.append("held-out error: mean |r| (\(comparison.residualSpace)) on the \(comparison.scores.first?.heldOut ?? 0) largest-x points, fitted without them")
            lines.append("verdict: \(comparison.verdict)")
        }
        lines.append("")
        let coverage = bootstrap.map { "\(Int(($0.level * 100).rounded()))% interval" } ?? "interval"
        var table = TextTable(headers: ["parameter", "estimate", coverage], alignments: [.left, .right, .left])
        table.frozen = 3
        for parameter in parameters {
            let interval = parameter.lower.map { "[\(FitReport.number($0)), \(FitReport.number(parameter.upper))]" }
                ?? "(use --bootstrap N)"
            table.append([parameter.name, FitReport.number(parameter.estimate), interval])
        }
        lines.append(table.render())
        if let bootstrap {
            lines.append(String(format: "bootstrap: %d of %d refits succeeded (seed %llu, %.2f s)", bootstrap.succeeded,
                                bootstrap.requested, bootstrap.seed, bootstrap.seconds))
        }
        for fit in [lossDiagnostics, diagnostics].compactMap({ $0 }) {
            lines.append("")
            if lossDiagnostics != nil { lines.append("stage \(fit.law):") }
            lines.append((fit.converged ? "converged" : "NOT converged") + " (\(fit.message)) after \(fit.iterations) iterations; "
                         + "best of \(fit.starts) starts (\(fit.convergedStarts) converged)")
            lines.append("rmse \(String(format: "%.4g", fit.rmse)) (\(fit.residualSpace) residuals), objective \(String(format: "%.6g", fit.objective)), "
                         + "condition number \(fit.conditionNumber.map { String(format: "%.3g", $0) } ?? "∞ (singular)")")
            if !fit.atBounds.isEmpty { lines.append("at bounds: \(fit.atBounds.joined(separator: ", ")) — the data push past the allowed range") }
            for direction in fit.weakDirections { lines.append("weakly determined: \(direction)") }
        }
        if !predictions.isEmpty {
            lines.append("")
            var predicted = TextTable(headers: [x, "prediction", coverage], alignments: [.right, .right, .left])
            predicted.frozen = 3
            for prediction in predictions {
                let interval = prediction.lower.map { "[\(FitReport.number($0)), \(FitReport.number(prediction.upper))]" } ?? "(use --bootstrap N)"
                predicted.append([Show.size(prediction.x), FitReport.number(prediction.estimate), interval])
            }
            lines.append(predicted.render())
        }
        return lines.joined(separator: "\n")
    }

    /// One row per curve, for `--all-tasks`.
    static func summaryTable(_ reports: [FitReport]) -> String {
        var table = TextTable(headers: ["task", "metric", "points", "law", "parameters", "rmse", "notes"],
                              alignments: [.left, .left, .right, .left, .left, .right, .left])
        table.frozen = 7
        for report in reports {
            guard let fit = report.diagnostics else {
                table.append([report.task, report.metric, String(report.points), "—", "", "", report.error ?? ""])
                continue
            }
            let parameters = report.parameters.map { "\($0.name)=\(number($0.estimate))" }.joined(separator: " ")
            var notes: [String] = []
            if !fit.converged { notes.append("not converged") }
            if !fit.atBounds.isEmpty { notes.append("at bounds: " + fit.atBounds.joined(separator: ",")) }
            if let comparison = report.comparison, comparison.indistinguishable.count > 1 {
                notes.append("ties: " + comparison.indistinguishable.joined(separator: ","))
            }
            if report.referenceOnly, let chosen = report.decision?.chosen { notes.append("chosen: \(chosen); law for reference") }
            table.append([report.task, report.metric, String(report.points), report.law ?? "—", parameters,
                          String(format: "%.3g", fit.rmse), notes.joined(separator: "; ")])
        }
        return table.render()
    }
}
