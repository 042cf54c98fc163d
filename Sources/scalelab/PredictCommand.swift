import ArgumentParser
import Foundation
import ScaleLabAnalysis
import ScaleLabCore
import ScaleLabFit
import ScaleLabIO

struct PredictCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Predict the score of models not in the data, with 80% and 95% prediction intervals.",
        discussion: """
            The law is fitted to the selection (so --where 'params<=3e9' holds the larger models out)
            and predicts each --at scale; observations at that scale, if any, are not shown: this is
            a prediction, not a lookup. The intervals are bootstrap prediction intervals for a new
            model (refits on resampled models plus the scatter of a model the fit has not seen).

            --threshold T reports the scale at which the law reaches T (searched from the smallest
            model up to two decades past the largest, where an extrapolation stops being a
            prediction), with intervals over the bootstrap refits that reach it and how many do.

            The selection must name one curve (task, metric, few-shot setting) unless --all-tasks.
            Single-input laws only; for Chinchilla use `scalelab fit --law chinchilla --predict`.

            Examples:
              scalelab predict --task lambada_openai --metric acc --shots 0 --where 'params<=3e9' --at 6.9e9,12e9
              scalelab predict --task lambada_openai --metric acc --shots 0 --threshold 0.7 --floor chance
              scalelab predict --metric acc --shots 0 --all-tasks --at 12B --json
            """
    )

    @Option(name: .long, help: ArgumentHelp("Scales to predict, comma-separated (units allowed: 6.9e9,12B); repeatable.", valueName: "x,…"))
    var at: [String] = []

    @Option(name: .long, help: "The law: auto (the AICc-best the points support), \(LawCatalog.singleInput.joined(separator: ", ")).")
    var law = "auto"

    @Option(name: .long, help: ArgumentHelp("Report the scale at which the law reaches this value.", valueName: "value"))
    var threshold: Double?

    @Option(name: .long, help: "Bootstrap replicates for the intervals.")
    var bootstrap = 200

    @Option(name: .long, help: "Seed of the bootstrap (same seed, same intervals).")
    var seed: UInt64 = 42

    @Option(name: .long, help: ArgumentHelp(
        "Fix the logistic floor: a value (0.25 for four-way multiple choice) or 'chance' for the task's chance level.",
        valueName: "value|chance"))
    var floor: String?

    @Flag(name: .customLong("all-tasks"), help: "Predict every curve in the selection (one row each; progress on stderr).")
    var allTasks = false

    @Flag(name: .long, help: "Print JSON (the forecast with its fit and comparison, and the crossing).")
    var json = false

    @OptionGroup var selection: SelectionOptions
    @OptionGroup var database: DatabaseOptions

    /// The coverages reported.
    static let levels = [0.8, 0.95]

    /// The --at values, split at commas and read with units.
    var scales: [Double] {
        at.flatMap { $0.split(separator: ",", omittingEmptySubsequences: false) }
            .compactMap { NumberParsing.double($0.trimmingCharacters(in: .whitespaces)) }
    }

    func validate() throws {
        // chinchilla passes here and is refused in run() with advice on what to use instead.
        guard law == "auto" || law == "chinchilla" || LawCatalog.singleInput.contains(law) else {
            throw ValidationError("unknown law '\(law)'; choose auto, \(LawCatalog.singleInput.joined(separator: ", "))")
        }
        for value in at.flatMap({ $0.split(separator: ",", omittingEmptySubsequences: false) }) {
            let text = value.trimmingCharacters(in: .whitespaces)
            guard let x = NumberParsing.double(text) else {
                throw ValidationError("--at '\(text)' is not a number (units allowed: 6.9e9, 12B; separate values with commas)")
            }
            guard x > 0 else { throw ValidationError("--at \(text): scales must be positive") }
        }
        guard !at.isEmpty || threshold != nil else {
            throw ValidationError("nothing to predict: give --at SCALES (e.g. --at 6.9e9,12B) or --threshold VALUE")
        }
        guard bootstrap >= 1 else { throw ValidationError("--bootstrap takes a count ≥ 1 (200 is usual): intervals need refits") }
        if let threshold, !threshold.isFinite { throw ValidationError("--threshold must be a finite number") }
        if let floor, floor != "chance", NumberParsing.double(floor) == nil {
            throw ValidationError("--floor takes a number (e.g. 0.25) or 'chance'")
        }
    }

    func run() async throws {
        if law == "chinchilla" {
            throw UserError("predict supports single-input laws so far; for Chinchilla (a law of N and D) use "
                + "`scalelab fit --law chinchilla --predict X`")
        }
        let xAxis = XAxis(selection.x ?? "params")
        var chosen = try selection.selection()
        chosen.x = xAxis
        let data = try database.open(.read).load(chosen)
        let series = try data.fitSeries(x: xAxis)
        guard !series.isEmpty else { throw UserError("no points with both a value and \(xAxis); check --x and the selection") }
        if !allTasks { try requireOneCurve(series, verb: "predict") }
        var reports: [PredictReport] = []
        for (index, curve) in series.enumerated() {
            let name = "\(curve.task) \(curve.metric)" + (curve.shots.map { " \($0)-shot" } ?? "")
            Terminal.note((allTasks ? "[\(index + 1)/\(series.count)] " : "")
                + "\(name): fitting \(curve.data.count) points, bootstrap \(bootstrap) refits on \(ProcessInfo.processInfo.activeProcessorCount) cores…")
            let chance = data.index(ofTask: curve.task).flatMap { data.tasks[$0].chance }
            reports.append(await predictOne(curve, xAxis: xAxis, chance: chance))
        }
        if json {
            if allTasks { try Terminal.json(reports) } else { try Terminal.json(reports[0]) }
            return
        }
        if allTasks {
            Terminal.out(PredictReport.summaryTable(reports, scales: scales, threshold: threshold))
        } else if let failure = reports[0].error {
            throw UserError("\(reports[0].task) \(reports[0].metric): \(failure)")
        } else {
            Terminal.out(reports[0].text)
        }
    }

    private func predictOne(_ curve: FitSeries, xAxis: XAxis, chance: Double?) async -> PredictReport {
        var report = PredictReport(task: curve.task, metric: curve.metric, shots: curve.shots, x: xAxis.description,
                                   points: curve.data.count, seed: seed)
        let floorValue: Double?
        do throws(UserError) {
            floorValue = try logisticFloor(floor, chance: chance)
        } catch {
            report.error = error.description
            return report
        }
        let options = ForecastOptions(law: law, replicates: bootstrap, seed: seed, levels: Self.levels, floor: floorValue)
        do throws(FitInputError) {
            let forecast = try await Forecaster.forecast(curve.data, at: scales, options: options)
            report.forecast = forecast
            if let threshold {
                guard var fitted = LawCatalog.law(named: forecast.law) else { throw FitInputError("unknown law '\(forecast.law)'") }
                if let floorValue, fitted is LogisticLaw { fitted = LogisticLaw(floor: floorValue) }
                report.crossing = ThresholdCrossing.predictCrossing(of: fitted, theta: forecast.fit.theta, replicates: forecast.thetas,
                                                                    threshold: threshold, x: curve.data.x, levels: Self.levels)
            }
        } catch {
            report.error = error.description
        }
        return report
    }
}

/// What `scalelab predict` prints for one curve: as text for people, or as JSON.
struct PredictReport: Encodable {
    var task: String
    var metric: String
    var shots: Int?
    var x: String
    var points: Int
    var seed: UInt64
    var forecast: Forecast?
    var crossing: CrossingPrediction?
    var error: String?

    private static func interval(_ interval: LevelInterval?, size: Bool = false) -> String {
        guard let interval else { return "—" }
        let show = size ? { Show.size($0) } : { FitReport.number($0) }
        return "[\(show(interval.lower)), \(show(interval.upper))]"
    }

    /// Why this law: the runner-up's ΔAICc and the comparison's verdict, or that it was asked for.
    var why: [String] {
        guard let forecast else { return [] }
        guard let comparison = forecast.comparison else { return ["law: \(forecast.law), as asked (--law)"] }
        let runnerUp = comparison.scores.dropFirst().first { $0.deltaAICc != nil }
        let runner = runnerUp.map { "runner-up \($0.law) at ΔAICc \(String(format: "%.1f", $0.deltaAICc!))" } ?? "no other law could be scored"
        return ["law: \(forecast.law), the AICc-best of \(comparison.scores.map(\.law).joined(separator: ", ")) (\(runner))",
                "verdict: \(comparison.verdict)"]
    }

    /// "crosses T at x* [80%: a, b] [95%: c, d] (k of n replicates reach it)", or why not.
    var crossingLine: String? {
        guard let crossing else { return nil }
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

    /// The human-readable report of one curve.
    var text: String {
        var lines: [String] = []
        let curve = "\(task) · \(metric)" + (shots.map { " · \($0)-shot" } ?? "")
        guard let forecast else { return "\(curve): \(error ?? "no forecast")" }
        lines.append("\(curve) — \(forecast.law) fit on \(points) points against \(x)")
        lines.append(forecast.fit.formula)
        lines += why
        if !forecast.points.isEmpty {
            lines.append("")
            var table = TextTable(headers: [x, "prediction", "80% interval", "95% interval"], alignments: [.right, .right, .left, .left])
            table.frozen = 4
            for point in forecast.points {
                table.append([Show.size(point.x), FitReport.number(point.estimate),
                              Self.interval(point.interval(0.8)), Self.interval(point.interval(0.95))])
            }
            lines.append(table.render())
        }
        lines.append("bootstrap: \(forecast.succeeded) of \(forecast.replicates) refits succeeded (seed \(seed))")
        if let crossingLine { lines.append(crossingLine) }
        return lines.joined(separator: "\n")
    }

    /// One row per curve, for `--all-tasks`: each --at prediction with its 95% interval.
    static func summaryTable(_ reports: [PredictReport], scales: [Double], threshold: Double?) -> String {
        var headers = ["task", "metric", "points", "law"] + scales.map { "\(Show.size($0)) [95%]" }
        if let threshold { headers.append("crosses \(FitReport.number(threshold)) [95%]") }
        var table = TextTable(headers: headers, alignments: [.left, .left, .right, .left] + Array(repeating: .left, count: headers.count - 4))
        table.frozen = 4
        for report in reports {
            guard let forecast = report.forecast else {
                table.append([report.task, report.metric, String(report.points), "—"]
                             + Array(repeating: "", count: max(0, headers.count - 5)) + [report.error ?? ""])
                continue
            }
            var row = [report.task, report.metric, String(report.points), forecast.law]
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
