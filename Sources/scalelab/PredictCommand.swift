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

            The selection must name one curve (task, metric, few-shot setting) unless --all-tasks
            (one forecast per curve) or --aggregate.

            Two-input laws: --law chinchilla (L = E + A/N^alpha + B/D^beta, Huber δ = 1e-3 as in
            Approach 3) is a law of the x-axis (--x, default params) and --x2 (default tokens), so
            each --at names one model by both: --at params=7.3e9,tokens=4e12 (repeat --at for more
            models). Plain numbers are refused for it, and named values for single-input laws.

            --aggregate forecasts the mean score over the tasks of the selection (one metric and
            few-shot setting) two ways side by side: the aggregate law (each model's mean over the
            tasks, on the models that have every task, fitted and forecast as one curve) and the
            mean of tasks (each task forecast on its own; the mean of their estimates, with intervals
            from the mean of their bootstrap draws paired replicate by replicate), then each task's
            own forecast; --threshold then applies to the aggregate law.

            --stack (with --all-tasks) combines each task's law with three baselines — the last value,
            a line in log x, and the average task's trend — by weights learned on the ladder itself:
            each task is refitted without its largest models, all four predict them, and the weights
            with the least error are kept; intervals are conformal, scaled from those inner errors.
            The weights are printed on stderr. On Pythia (fit ≤ 2.8B, predict 6.9B and 12B) this
            beats the law alone and every baseline; see README.

            --csv prints one row per prediction (task, metric, shots, law, x, x2, estimate, lower80,
            upper80, lower95, upper95, and the crossing with --threshold); --json prints everything.

            Examples:
              scalelab predict --task lambada_openai --metric acc --shots 0 --where 'params<=3e9' --at 6.9e9,12e9
              scalelab predict --task lambada_openai --metric acc --shots 0 --threshold 0.7 --floor chance
              scalelab predict --metric acc --shots 0 --all-tasks --at 12B --json
              scalelab predict --metric acc --shots 0 --all-tasks --at 6.9e9,12B --threshold 0.6 --csv > predictions.csv
              scalelab predict --metric acc --shots 0 --where 'params<=3e9' --all-tasks --stack --at 6.9e9,12e9
              scalelab predict --task loss --metric loss --law chinchilla --at params=7.3e9,tokens=4e12 --at N=70B,D=1.4T
              scalelab predict --task 'arc*' --task hellaswag --metric acc --shots 0 --aggregate --at 12B --csv
            """
    )

    @Option(name: .long, help: ArgumentHelp(
        "Scales to predict: comma-separated values (units allowed: 6.9e9,12B), or for a two-input law one model as named values (params=7.3e9,tokens=4e12); repeatable.",
        valueName: "x,…|name=x,name=x2"))
    var at: [String] = []

    @Option(name: .long, help: "The law: auto (the simplest law within ΔAICc 2 of the best the points support, rising for scores and falling for losses), \(LawCatalog.singleInput.joined(separator: ", ")), chinchilla.")
    var law = "auto"

    @Option(name: .customLong("x2"), help: ArgumentHelp("Second input of two-input laws (default: tokens).", valueName: "column"))
    var secondAxis: String?

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

    @Flag(name: .long, help: "With --all-tasks: combine each task's law with the baselines by weights learned on the ladder itself (stacking).")
    var stack = false

    @Flag(name: .long, help: "Forecast the mean over the selected tasks of one metric: its own law and the mean of per-task forecasts.")
    var aggregate = false

    @Flag(name: .long, help: "Print JSON (the forecast with its fit and comparison, and the crossing).")
    var json = false

    @Flag(name: .long, help: "Print CSV, one row per prediction (with the crossing columns when --threshold).")
    var csv = false

    @OptionGroup var selection: SelectionOptions
    @OptionGroup var database: DatabaseOptions

    /// The coverages reported.
    static let levels = [0.8, 0.95]

    /// Whether the law takes two inputs (x and x2).
    var isTwoInput: Bool { LawCatalog.law(named: law)?.inputs == 2 }

    var xAxis: XAxis { XAxis(selection.x ?? "params") }

    /// The second input, for two-input laws only.
    var x2Axis: XAxis? { isTwoInput ? XAxis(secondAxis ?? "tokens") : nil }

    /// The models to predict, read from --at.
    func scales() throws -> [Scale] {
        try Scale.parse(at, xAxis: xAxis, x2Axis: x2Axis, law: law)
    }

    func validate() throws {
        guard law == "auto" || LawCatalog.names.contains(law) else {
            throw ValidationError("unknown law '\(law)'; choose auto, \(LawCatalog.names.joined(separator: ", "))")
        }
        if json && csv { throw ValidationError("--json and --csv both choose the output; give one of them") }
        if stack && (!allTasks || aggregate || isTwoInput) {
            throw ValidationError("--stack combines the forecasts of several tasks of one metric: use it with --all-tasks "
                + "(not with --aggregate or a two-input law)")
        }
        if secondAxis != nil && !isTwoInput {
            throw ValidationError("--x2 names the second input of a two-input law; use it with --law chinchilla")
        }
        if isTwoInput && threshold != nil {
            throw ValidationError("--threshold looks for the scale at which a single-input law reaches a value; \(law) has two "
                + "inputs: predict named models instead (--at params=…,tokens=…)")
        }
        _ = try scales()
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
        let xAxis = xAxis, x2Axis = x2Axis
        let scales = try scales()
        var chosen = try selection.selection()
        chosen.x = xAxis
        let data = try database.open(.read).load(chosen)
        let series = try data.fitSeries(x: xAxis, x2: x2Axis)
        guard !series.isEmpty else {
            throw UserError("no points with both a value and \(xAxis)\(x2Axis.map { " and \($0)" } ?? ""); check --x and the selection")
        }
        let chances = series.map { curve in data.index(ofTask: curve.task).flatMap { data.tasks[$0].chance } }
        if aggregate { return try await runAggregate(series, chances: chances, scales: scales) }
        if !allTasks { try requireOneCurve(series, verb: "predict") }
        var reports: [PredictReport] = []
        for (index, curve) in series.enumerated() {
            let name = "\(curve.task) \(curve.metric)" + (curve.shots.map { " \($0)-shot" } ?? "")
            Terminal.note((allTasks ? "[\(index + 1)/\(series.count)] " : "")
                + "\(name): fitting \(curve.data.count) points, bootstrap \(bootstrap) refits on \(ProcessInfo.processInfo.activeProcessorCount) cores…")
            reports.append(await predictOne(curve, scales: scales, chance: chances[index]))
        }
        if stack { stackReports(&reports, series: series) }
        if json {
            if allTasks { try Terminal.json(reports) } else { try Terminal.json(reports[0]) }
            return
        }
        if csv {
            for report in reports where report.forecast == nil {
                Terminal.note("warning: \(report.task) \(report.metric): \(report.error ?? "no forecast"); no rows")
            }
            if !allTasks, let failure = reports[0].error { throw UserError("\(reports[0].task) \(reports[0].metric): \(failure)") }
            let rows = reports.flatMap { report in
                report.forecast.map { PredictCSV.rows(task: report.task, metric: report.metric, shots: report.shots, law: report.method ?? $0.law,
                                                      points: $0.points, crossing: report.crossing) } ?? []
            }
            Terminal.out(PredictCSV.render(rows, threshold: threshold != nil))
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

    /// --stack: the forecasts of each metric and few-shot setting with at least three tasks,
    /// combined with the baselines (``Stacking``); the others are left as they are, with a note.
    private func stackReports(_ reports: inout [PredictReport], series: [FitSeries]) {
        let groups = Dictionary(grouping: reports.indices.filter { reports[$0].forecast != nil }) { "\(series[$0].metric)|\(series[$0].shots ?? -1)" }
        for key in groups.keys.sorted() {
            let members = groups[key]!
            let label = "\(series[members[0]].metric)" + (series[members[0]].shots.map { " \($0)-shot" } ?? "")
            guard let (report, points) = Stacking.stack(members.map { series[$0] }, forecasts: members.map { reports[$0].forecast! },
                                                        options: options(floor: floor.flatMap { NumberParsing.double($0) }, metric: series[members[0]].metric)) else {
                Terminal.note("--stack: \(label): \(members.count) task\(members.count == 1 ? "" : "s") with a forecast, too few "
                    + "(≥ 3 tasks with ≥ 4 distinct x each) to learn a combination; the laws' own forecasts are shown")
                continue
            }
            Terminal.note("--stack: \(label): " + report.weightsLine)
            for (i, combined) in zip(members, points) {
                reports[i].forecast!.points = combined
                reports[i].stacking = report
            }
        }
    }

    /// How every forecast is made; Chinchilla is fitted as `scalelab fit` fits it (Huber δ = 1e-3,
    /// 200 starts of Epoch's grid).
    private func options(floor value: Double?, metric: String) -> ForecastOptions {
        let fitter = isTwoInput ? Fitter(loss: .huber(delta: 1e-3), maxStarts: 200) : Fitter()
        return ForecastOptions(law: law, fitter: fitter, replicates: bootstrap, seed: seed, levels: Self.levels, floor: value,
                               higherIsBetter: higherIsBetter(metric))
    }

    /// The crossing of `threshold` by a forecast's law, from its bootstrap refits.
    private func crossing(of forecast: Forecast, x: [Double]) -> CrossingPrediction? {
        guard let threshold, let fitted = forecast.fittedLaw else { return nil }
        return ThresholdCrossing.predictCrossing(of: fitted, theta: forecast.fit.theta, replicates: forecast.thetas,
                                                 threshold: threshold, x: x, levels: Self.levels)
    }

    private func predictOne(_ curve: FitSeries, scales: [Scale], chance: Double?) async -> PredictReport {
        var report = PredictReport(task: curve.task, metric: curve.metric, shots: curve.shots, x: xAxis.description,
                                   x2: x2Axis?.description, points: curve.data.count, seed: seed)
        let floorValue: Double?
        do throws(UserError) {
            floorValue = try logisticFloor(floor, chance: chance)
        } catch {
            report.error = error.description
            return report
        }
        do throws(FitInputError) {
            let forecast = try await Forecaster.forecast(curve.data, at: scales.map(\.x), x2: isTwoInput ? scales.map { $0.x2! } : nil,
                                                         options: options(floor: floorValue, metric: curve.metric))
            report.forecast = forecast
            report.crossing = crossing(of: forecast, x: curve.data.x)
        } catch {
            report.error = error.description
        }
        return report
    }

    /// --aggregate: the mean over the selected tasks, as its own law and as the mean of the tasks' forecasts.
    private func runAggregate(_ series: [FitSeries], chances: [Double?], scales: [Scale]) async throws {
        let floors = try chances.map { try logisticFloor(floor, chance: $0) }
        Terminal.note("aggregate of \(series.count) tasks: bootstrap \(bootstrap) refits each on \(ProcessInfo.processInfo.activeProcessorCount) cores…")
        let result: AggregateForecast
        do throws(FitInputError) {
            result = try await AggregateForecaster.forecast(
                series, at: scales.map(\.x), x2: isTwoInput ? scales.map { $0.x2! } : nil, options: options(floor: nil, metric: series[0].metric),
                floors: floors) { step, steps, what in Terminal.note("[\(step)/\(steps)] \(what)") }
        } catch {
            throw UserError("--aggregate: \(error.description); narrow the selection with --metric and --shots")
        }
        var report = AggregateReport(x: xAxis.description, x2: x2Axis?.description, seed: seed, aggregate: result)
        if let forecast = result.aggregateLaw { report.crossing = crossing(of: forecast, x: result.meanCurve.x) }
        if json { return try Terminal.json(report) }
        if result.aggregateLaw == nil && result.meanOfTasks.isEmpty {
            throw UserError("no aggregate forecast: the aggregate law failed (\(result.aggregateLawError ?? "?")) and "
                + (result.meanOfTasksError ?? "the mean of tasks has no points"))
        }
        if csv {
            for failure in result.taskForecasts where failure.forecast == nil {
                Terminal.note("warning: \(failure.task): \(failure.error ?? "no forecast"); no rows")
            }
            if let error = result.aggregateLawError { Terminal.note("warning: aggregate law: \(error); no rows") }
            if let error = result.meanOfTasksError { Terminal.note("warning: mean of tasks: \(error); no rows") }
            Terminal.out(PredictCSV.render(report.csvRows, threshold: threshold != nil))
        } else {
            Terminal.out(report.text)
        }
    }
}

/// One model to predict: its value on the x-axis and, for two-input laws, on the second input.
struct Scale: Equatable {
    var x: Double
    var x2: Double?

    /// "12B", or "N 7.3B, D 4T" for two inputs.
    var label: String { x2.map { "\(Show.size(x)), \(Show.size($0))" } ?? Show.size(x) }

    /// Reads --at values: plain scales separated by commas (single-input laws), or one model per
    /// value as `x-name=value,x2-name=value` (two-input laws, `x2Axis` given). The names are those
    /// of the axes (`params`/`N`, `tokens`/`D`, or the columns given to --x and --x2).
    static func parse(_ values: [String], xAxis: XAxis, x2Axis: XAxis?, law: String) throws -> [Scale] {
        var scales: [Scale] = []
        for value in values {
            let parts = value.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            func number(_ text: String, _ shown: String) throws -> Double {
                guard let x = NumberParsing.double(text) else {
                    throw ValidationError("--at '\(shown)' is not a number (units allowed: 6.9e9, 12B; separate values with commas)")
                }
                guard x > 0 else { throw ValidationError("--at \(shown): scales must be positive") }
                return x
            }
            let named = parts.filter { $0.contains("=") }
            if named.isEmpty {
                let xs = try parts.map { try number($0, $0) }
                if let x2Axis {
                    throw ValidationError("--law \(law) is a law of two inputs (\(xAxis) and \(x2Axis)): name both in each --at, "
                        + "e.g. --at \(xAxis)=7.3e9,\(x2Axis)=4e12 (one model per --at)")
                }
                scales += xs.map { Scale(x: $0) }
                continue
            }
            guard named.count == parts.count else {
                throw ValidationError("--at '\(value)' mixes named and plain values; name every value (\(xAxis)=…,\(x2Axis?.description ?? "tokens")=…) or none")
            }
            guard let x2Axis else {
                throw ValidationError("--at '\(value)' names its values, which is for two-input laws (--law chinchilla); "
                    + "with --law \(law) give plain scales, e.g. --at 6.9e9,12B")
            }
            var x: Double?, x2: Double?
            for part in parts {
                let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                let name = pair.first ?? "", text = pair.count > 1 ? pair[1] : ""
                let axis = XAxis(name)
                if axis == xAxis {
                    guard x == nil else { throw ValidationError("--at '\(value)' gives \(xAxis) twice; one model per --at") }
                    x = try number(text, part)
                } else if axis == x2Axis {
                    guard x2 == nil else { throw ValidationError("--at '\(value)' gives \(x2Axis) twice; one model per --at") }
                    x2 = try number(text, part)
                } else {
                    throw ValidationError("--at '\(value)': '\(name)' is neither the x-axis (\(xAxis)) nor the second input (\(x2Axis)); "
                        + "change them with --x and --x2")
                }
            }
            guard let x, let x2 else {
                throw ValidationError("--at '\(value)' needs both \(xAxis) and \(x2Axis), e.g. --at \(xAxis)=7.3e9,\(x2Axis)=4e12")
            }
            scales.append(Scale(x: x, x2: x2))
        }
        return scales
    }
}

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

    /// Why this law: the runner-up's ΔAICc and the comparison's verdict, or that it was asked for.
    static func why(_ forecast: Forecast) -> [String] {
        guard let comparison = forecast.comparison else { return ["law: \(forecast.law), as asked (--law)"] }
        let runnerUp = comparison.scores.dropFirst().first { $0.deltaAICc != nil }
        let runner = runnerUp.map { "runner-up \($0.law) at ΔAICc \(String(format: "%.1f", $0.deltaAICc!))" } ?? "no other law could be scored"
        if let best = comparison.best, best != forecast.law {
            return ["law: \(forecast.law), the fewest parameters among the laws within ΔAICc 2 of the best, \(best) "
                + "(of \(comparison.scores.map(\.law).joined(separator: ", ")))",
                    "verdict: \(comparison.verdict)"]
        }
        return ["law: \(forecast.law), the AICc-best of \(comparison.scores.map(\.law).joined(separator: ", ")) (\(runner))",
                "verdict: \(comparison.verdict)"]
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
        lines.append(forecast.fit.formula)
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
        }
        lines.append("bootstrap: \(forecast.succeeded) of \(forecast.replicates) refits succeeded (seed \(seed))")
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
            lines.append("aggregate law: \(forecast.fit.formula)")
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
