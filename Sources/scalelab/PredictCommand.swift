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
            The weights are printed on stderr. Where a task's own law is weak (few sizes, noisy
            scores) the stack leans on the baselines; see README for measured figures.

            Two-step laws (--law two-step --via METRIC or TASK:METRIC): on a ladder (runs with params
            and tokens, checkpoints as steps) stage 1 fits the via metric against N and D on each run's
            final checkpoint, stage 2 the score against the via metric on every checkpoint (flat,
            linear or a chance-floored sigmoid, by AICc); each --at names a model as
            params=…,tokens=… and prints the stage-1 value beside the score, both with intervals
            from bootstraps that resample runs.

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
              scalelab predict --task hellaswag --metric acc --law two-step --via c4_val:loss --where 'params<1e9' --family rpj --at params=6.9e9,tokens=1.38e11
            """
    )

    @Option(name: .long, help: ArgumentHelp(
        "Scales to predict: comma-separated values (units allowed: 6.9e9,12B), or for a two-input law one model as named values (params=7.3e9,tokens=4e12); repeatable.",
        valueName: "x,…|name=x,name=x2"))
    var at: [String] = []

    @Option(name: .long, help: "The law: auto (chosen by how each law forecasts the curve's own later points), \(LawCatalog.singleInput.joined(separator: ", ")), chinchilla, two-step (with --via).")
    var law = "auto"

    @Option(name: .long, help: ArgumentHelp("For --law two-step: the intermediate metric, of the same task (bpb, ppl) or TASK:METRIC of another (c4_val:loss).", valueName: "metric"))
    var via: String?

    @Option(name: .customLong("stage1-checkpoints"), help: ArgumentHelp("Two-step: fit stage 1 on each run's final checkpoint or on all.", valueName: "final|all"))
    var stage1Checkpoints: LadderOptions.Stage1Points = .final

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

    /// Whether the law takes two inputs (x and x2): chinchilla, and two-step unless --x names one input.
    var isTwoInput: Bool { LawCatalog.law(named: law)?.inputs == 2 || (law == "two-step" && selection.x == nil) }

    var xAxis: XAxis { XAxis(selection.x ?? "params") }

    /// The second input, for two-input laws only.
    var x2Axis: XAxis? { isTwoInput ? XAxis(secondAxis ?? "tokens") : nil }

    /// The models to predict, read from --at.
    func scales() throws -> [Scale] {
        try Scale.parse(at, xAxis: xAxis, x2Axis: x2Axis, law: law)
    }

    func validate() throws {
        guard law == "auto" || law == "two-step" || LawCatalog.names.contains(law) else {
            throw ValidationError("unknown law '\(law)'; choose auto, \(LawCatalog.names.joined(separator: ", ")), two-step")
        }
        if law == "two-step" {
            guard let via else {
                throw ValidationError("--law two-step needs --via METRIC or TASK:METRIC, the loss that links scale to the score (e.g. --via bpb, --via c4_val:loss)")
            }
            guard ViaMetric(parsing: via) != nil else { throw ValidationError("--via '\(via)' is not METRIC or TASK:METRIC (e.g. bpb, c4_val:loss)") }
            if threshold != nil || aggregate || stack {
                throw ValidationError("--law two-step predicts named models (--at params=…,tokens=…); --threshold, --aggregate and --stack are for direct laws")
            }
        } else if let via {
            throw ValidationError("--via \(via) goes with --law two-step")
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
        if law == "two-step", let text = via, let viaMetric = ViaMetric(parsing: text) {
            return try await runTwoStep(chosen, via: viaMetric, scales: scales)
        }
        let data = try database.open(.read).load(chosen)
        let series = try data.fitSeries(x: xAxis, x2: x2Axis)
        guard !series.isEmpty else {
            throw UserError("no points with both a value and \(xAxis)\(x2Axis.map { " and \($0)" } ?? ""); check --x and the selection")
        }
        let chances = series.map { curve in data.index(ofTask: curve.task).flatMap { data.tasks[$0].chance } }
        if aggregate { return try await runAggregate(series, chances: chances, scales: scales) }
        if !allTasks { try requireOneCurve(series, verb: "predict") }
        var reports: [PredictReport] = []
        // The average task's trend of each metric (from ≥ 2 curves) is one of auto's candidates,
        // as in `backtest`.
        let trends = AggregateTrend.byMetric(series)
        // The policy decides for every curve together (pooled over the curves of one metric and
        // origin), as `backtest`, `fit` and the report do.
        let decisions = await Forecaster.decisions(for: series.enumerated().map { index, curve in
            let floorValue = (try? logisticFloor(floor, chance: chances[index])) ?? nil
            return Forecaster.Question(data: curve.data, xs: isTwoInput ? nil : scales.map(\.x),
                                       options: options(floor: floorValue, metric: curve.metric, trend: trends[curve.metric]),
                                       group: Forecaster.group(metric: curve.metric, data: curve.data))
        })
        for (index, curve) in series.enumerated() {
            let name = "\(curve.task) \(curve.metric)" + (curve.shots.map { " \($0)-shot" } ?? "")
            Terminal.note((allTasks ? "[\(index + 1)/\(series.count)] " : "")
                + "\(name): fitting \(curve.data.count) points, bootstrap \(bootstrap) refits on \(ProcessInfo.processInfo.activeProcessorCount) cores…")
            reports.append(await predictOne(curve, scales: scales, chance: chances[index], trend: trends[curve.metric],
                                            decided: decisions[index]))
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
    private func options(floor value: Double?, metric: String, trend: AggregateTrend? = nil) -> ForecastOptions {
        let fitter = isTwoInput ? Fitter(loss: .huber(delta: 1e-3), maxStarts: 200) : Fitter()
        return ForecastOptions(law: LawChoice(name: law) ?? .auto, fitter: fitter, replicates: bootstrap, seed: seed, levels: Self.levels, floor: value,
                               higherIsBetter: higherIsBetter(metric), trend: trend)
    }

    /// The crossing of `threshold` by a forecast's law, from its bootstrap refits.
    private func crossing(of forecast: Forecast, x: [Double]) -> CrossingPrediction? {
        guard let threshold, let fitted = forecast.fittedLaw else { return nil }
        guard let theta = forecast.fit?.theta else { return nil }
        return ThresholdCrossing.predictCrossing(of: fitted, theta: theta, replicates: forecast.thetas,
                                                 threshold: threshold, x: x, levels: Self.levels)
    }

    private func predictOne(_ curve: FitSeries, scales: [Scale], chance: Double?, trend: AggregateTrend?,
                            decided: LawDecision?) async -> PredictReport {
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
                                                         options: options(floor: floorValue, metric: curve.metric, trend: trend), decided: decided)
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
