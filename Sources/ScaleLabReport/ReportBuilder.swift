import Foundation
import ScaleLabAnalysis
import ScaleLabCore
import ScaleLabDifficulty
import ScaleLabFit

/// Options of a report: how much bootstrap work, which metric for the scaling sections.
public struct ReportOptions: Sendable {
    /// The metric of the scaling sections (nil: `acc` if present, else the only accuracy-like one).
    public var metric: String?
    /// Bootstrap replicates for backtest intervals, overlap, orderings and horizons.
    public var replicates: Int
    /// Largest curves shown as panels.
    public var panels: Int
    public var seed: UInt64

    public init(metric: String? = nil, replicates: Int = 200, panels: Int = 9, seed: UInt64 = 42) {
        self.metric = metric
        self.replicates = replicates
        self.panels = panels
        self.seed = seed
    }
}

public enum ReportError: Error, Sendable, CustomStringConvertible {
    case nothingToReport

    public var description: String {
        switch self {
        case .nothingToReport:
            return "the database holds nothing to report: import evaluations (a tidy CSV, lm-eval or Inspect files with model sizes), "
                + "human runs or METR-style runs first, e.g. scalelab import ../shared/data/pythia_final_0shot.csv"
        }
    }
}

/// Runs every analysis the data support and lays the results out as a ``ReportDocument``:
/// backtest (fit on the smaller models, predict the two largest), task-set structure, human
/// difficulty and time horizons. A section whose data are absent is left out, with a note.
public enum ReportBuilder {
    public static func build(
        _ data: Dataset, title: String = "ScaleLab report", options: ReportOptions = ReportOptions(),
        progress: (@Sendable (String) -> Void)? = nil
    ) async throws -> ReportDocument {
        var summary: [String] = []
        var sections: [ReportSection] = []
        var notes: [String] = []

        if let scaling = scalingData(data, metric: options.metric) {
            progress?("backtest of \(scaling.metric)")
            if let section = await backtestSection(scaling.data, metric: scaling.metric, options: options, summary: &summary) {
                sections.append(section)
            } else {
                notes.append("no backtest: fewer than five model sizes with \(scaling.metric)")
            }
            progress?("two-step law on the ladder")
            if let section = await ladderSection(data, metric: scaling.metric, options: options, summary: &summary) { sections.append(section) }
            progress?("task-set structure")
            sections.append(await structureSection(scaling.data, options: options, summary: &summary))
        } else {
            notes.append("no scaling sections: no accuracy-like metric with model sizes (params)")
        }
        if !data.itemResults.isEmpty {
            progress?("metric mirage")
            if let section = mirageSection(data) { sections.append(section) }
        }
        if !data.humanRuns.isEmpty || data.taskRuns.contains(where: \.isHuman) {
            progress?("human difficulty")
            sections.append(difficultySection(data, options: options, summary: &summary))
        }
        if data.taskRuns.contains(where: { !$0.isHuman && $0.humanMinutes != nil }) {
            progress?("time horizons")
            if let section = horizonSection(data, options: options, summary: &summary) { sections.append(section) }
        }
        guard !sections.isEmpty else { throw ReportError.nothingToReport }
        summary.append(contentsOf: notes)
        let provenance = "ScaleLab report of \(data.models.count) models, \(data.tasks.count) tasks, \(data.count) observations, "
            + "\(data.humanRuns.count + data.taskRuns.count) runs; \(options.replicates) bootstrap replicates, seed \(options.seed)."
        return ReportDocument(title: title, summary: summary, sections: sections, provenance: provenance)
    }

    // MARK: - Scaling data

    /// The rows of one accuracy-like metric (and one few-shot setting) whose models have a size.
    static func scalingData(_ data: Dataset, metric requested: String?) -> (data: Dataset, metric: String)? {
        let candidates = data.metrics.indices.filter { index in
            let rows = data.rowsByMetric[index]
            return !rows.isEmpty && rows.allSatisfy { data.values[Int($0)] >= 0 && data.values[Int($0)] <= 1 }
                && Set(rows.compactMap { data.models[Int(data.modelIndex[Int($0)])].params }).count >= 4
        }
        let chosen: Int?
        if let requested { chosen = data.metrics.firstIndex(of: requested) } else {
            chosen = candidates.first { ["acc", "accuracy"].contains(data.metrics[$0]) } ?? candidates.first
        }
        guard let index = chosen else { return nil }
        var rows = data.rowsByMetric[index].map(Int.init).filter { data.models[Int(data.modelIndex[$0])].params != nil }
        let shots = Set(rows.map { data.shots[$0] })
        if shots.count > 1 {
            let keep: Int? = shots.contains(0) ? 0 : shots.compactMap { $0 }.min()
            rows = rows.filter { data.shots[$0] == keep }
        }
        guard !rows.isEmpty else { return nil }
        return (data.subset(rows: rows), data.metrics[index])
    }

    // MARK: - Backtest

    static func backtestSection(_ data: Dataset, metric: String, options: ReportOptions, summary: inout [String]) async -> ReportSection? {
        guard let series = try? data.fitSeries(x: XAxis("params")), !series.isEmpty else { return nil }
        let sizes = Set(series.flatMap(\.data.x)).sorted()
        guard sizes.count >= 5 else { return nil }
        let trainMax = sizes[sizes.count - 3]
        let heldOut = sizes.suffix(2)
        let result = await Backtester.run(
            series, options: BacktestOptions(laws: [.auto], trainMax: trainMax, replicates: options.replicates, seed: options.seed))
        let trends = AggregateTrend.byMetric(series)
        guard !result.predictions.isEmpty else { return nil }
        let auto = result.predictions.filter { $0.method.hasPrefix("auto") && !$0.method.contains("stacked") }
        let surprises = result.surprises.filter { $0.method.hasPrefix("auto") && !$0.method.contains("stacked") }

        // Panels: the curves with surprises first, then those that change most with scale (the
        // curves a law is about; flat, noisy ones say little in a picture).
        let byTask = Dictionary(grouping: series, by: \.task)
        func change(_ task: String) -> Double {
            guard let y = byTask[task]?.first?.data.y, let low = y.min(), let high = y.max() else { return 0 }
            return high - low
        }
        var order: [String] = []
        for surprise in surprises.sorted(by: { abs($0.z) > abs($1.z) }) where !order.contains(surprise.task) { order.append(surprise.task) }
        for task in Set(auto.map(\.task)).sorted(by: { (change($0), $1) > (change($1), $0) }) where !order.contains(task) {
            order.append(task)
        }
        var charts: [LineChart] = []
        for task in order.prefix(options.panels) {
            guard let curve = byTask[task]?.first else { continue }
            let fitted = zip(curve.data.x, curve.data.y).filter { $0.0 <= trainMax }
            let held = zip(curve.data.x, curve.data.y).filter { $0.0 > trainMax }
            let predicted = auto.filter { $0.task == task }.sorted { $0.x < $1.x }
            let interval = predicted.map { $0.intervals.first { abs($0.level - 0.8) < 1e-9 } }
            var chartSeries = [
                ChartSeries(name: "fitted on", x: fitted.map(\.0), y: fitted.map(\.1), style: .points, color: 0),
                ChartSeries(name: "held out", x: held.map(\.0), y: held.map(\.1), style: .points, color: 0, hollow: true),
            ]
            if !predicted.isEmpty {
                chartSeries.append(ChartSeries(
                    name: "predicted (80%)", x: predicted.map(\.x), y: predicted.map(\.predicted),
                    lower: interval.map { $0?.lower ?? .nan }, upper: interval.map { $0?.upper ?? .nan }, style: .points, color: 1))
            }
            // The law the prediction used, fitted on the same models, drawn across the whole ladder
            // with its 80% prediction band.
            if let low = curve.data.x.min(), let high = curve.data.x.max(), fitted.count >= 3 {
                let grid = (0...40).map { pow(10, log10(low) + Double($0) / 40 * (log10(high) - log10(low))) }
                // The method the backtest chose for this curve (the policy's choice, a law or a
                // baseline), drawn across the ladder: a law's curve with its 80% band, or the
                // baseline's forecast. Intervals stay inside the metric's range by construction.
                let law = predicted.first?.law.flatMap { LawChoice(name: $0) } ?? .auto
                if let forecast = try? await Forecaster.forecast(
                    FitData(x: fitted.map(\.0), y: fitted.map(\.1)), at: grid,
                    options: ForecastOptions(law: law, replicates: min(options.replicates, 100), seed: options.seed,
                                             higherIsBetter: higherIsBetter(metric), trend: trends[metric])) {
                    let band = forecast.points.map { $0.intervals.first { abs($0.level - 0.8) < 1e-9 } }
                    chartSeries.insert(ChartSeries(
                        name: "\(forecast.law) (80% band)", x: forecast.points.map(\.x), y: forecast.points.map(\.estimate),
                        lower: band.map { $0?.lower ?? .nan }, upper: band.map { $0?.upper ?? .nan }, style: .line, color: 2), at: 0)
                }
            }
            let markers = surprises.filter { $0.task == task }.map { ChartMarker(x: $0.x, y: $0.observed, label: String(format: "%+.1fσ", $0.z)) }
            let law = predicted.first?.law.map { " · \($0)" } ?? ""
            charts.append(LineChart(title: task + law, xLabel: "parameters", yLabel: metric, xScale: .log10, series: chartSeries, markers: markers,
                                    width: 360, height: 260))
        }
        var figures: [String] = []
        if !charts.isEmpty {
            figures.append(SmallMultiples(title: "Fit on ≤ \(size(trainMax)), predict \(heldOut.map(size).joined(separator: " and ")): "
                + "surprises first, then the curves that change most", charts: charts, columns: 3).svg())
        }
        let rows = result.summaries.map { summary -> [String] in
            let coverage80 = summary.coverage.first { abs($0.level - 0.8) < 1e-9 }.map { percent($0.lower) } ?? "—"
            let coverage95 = summary.coverage.first { abs($0.level - 0.95) < 1e-9 }.map { percent($0.lower) } ?? "—"
            return [summary.method, String(summary.predictions), String(format: "%.4f", summary.meanAbsoluteError), coverage80, coverage95]
        }
        let surpriseRows = surprises.sorted { abs($0.z) > abs($1.z) }.prefix(15).map {
            [$0.task, $0.model, String(format: "%.3f", $0.observed), String(format: "%.3f", $0.predicted), String(format: "%+.1f", $0.z), $0.direction]
        }
        if let best = result.summaries.first(where: { $0.method.hasPrefix("auto") && !$0.method.contains("stacked") }) {
            let coverage = best.coverage.first { abs($0.level - 0.8) < 1e-9 }.map { ", 80% intervals cover \(percent($0.lower))" } ?? ""
            summary.append("Predicting the \(heldOut.map(size).joined(separator: " and ")) models from those up to \(size(trainMax)) "
                + "on \(Set(auto.map(\.task)).count) \(metric) curves: mean absolute error \(String(format: "%.4f", best.meanAbsoluteError))\(coverage).")
        }
        let autoSurprises = surprises.count
        summary.append(autoSurprises == 0 ? "No held-out observation fell outside its 95% interval."
            : "\(autoSurprises) held-out observation\(autoSurprises == 1 ? "" : "s") fell outside the 95% interval; largest: "
                + surprises.sorted { abs($0.z) > abs($1.z) }.prefix(3).map { "\($0.task) on \($0.model) (\(String(format: "%+.1f", $0.z))σ)" }
                .joined(separator: ", ") + ".")
        return ReportSection(
            id: "backtest", title: "Prediction and backtest",
            paragraphs: ["Each curve is forecast by the method `auto` chooses — the law or baseline that best forecast the curve's own later "
                + "points from its earlier ones (rolling origins inside the fit set) — on the models up to "
                + "\(size(trainMax)) parameters; the \(heldOut.count) largest sizes are predicted with 80% and 95% intervals from "
                + "\(options.replicates) bootstrap refits. Hollow points were held out; red rings are surprises (outside 95%), labelled by z."],
            figures: figures,
            tables: [ReportTable(caption: "Methods: mean absolute error and interval coverage", headers: ["method", "predictions", "MAE", "80% cov", "95% cov"], rows: rows)]
                + (surpriseRows.isEmpty ? [] : [ReportTable(caption: "Surprises of auto (outside its 95% interval)",
                                                            headers: ["task", "model", "observed", "predicted", "z", ""], rows: Array(surpriseRows))]))
    }

    // MARK: - Structure

    static func structureSection(_ data: Dataset, options: ReportOptions, summary: inout [String]) async -> ReportSection {
        let axis = XAxis("params")
        let curves = data.taskCurves(x: axis)
        let classes = await ScalingClassifier.classify(curves)
        var figures: [String] = []
        var paragraphs: [String] = []
        if let matrix = try? data.taskMatrix(x: axis),
           let overlap = try? TaskOverlap.analyse(matrix, options: OverlapOptions(replicates: options.replicates, seed: options.seed)) {
            let shown = Array(overlap.tasks.prefix(30).indices)
            let values = shown.map { i in shown.map { j in overlap.correlations[i][j] } }
            let labels = shown.map { overlap.tasks[$0] }
            let effective = overlap.effectiveTasks
            let interval = effective.intervals.first { abs($0.level - 0.95) < 1e-9 }
            let range = interval.map { String(format: " [%.1f, %.1f]", $0.lower, $0.upper) } ?? ""
            figures.append(HeatMap(title: "Correlation of de-trended scores across models",
                                   subtitle: String(format: "effective number of independent tasks %.1f", effective.estimate) + range
                                    + " of \(overlap.tasks.count)" + (overlap.tasks.count > 30 ? " (first 30 shown)" : ""),
                                   rowLabels: labels, columnLabels: labels, values: values).svg())
            summary.append(String(format: "The %d tasks behave like %.1f independent ones", overlap.tasks.count, effective.estimate) + range
                + (overlap.clusters.isEmpty ? "." : "; \(overlap.clusters.count) cluster\(overlap.clusters.count == 1 ? "" : "s") of co-moving tasks."))
            paragraphs.append("Scores are de-trended on log scale (and family) before correlating: what remains is what a model does on a task "
                + "beyond its size. The effective number is the participation ratio of the correlation matrix's eigenvalues.")
        } else {
            paragraphs.append("The overlap analysis needs at least 2 tasks scored on the same 4 or more models.")
        }
        if curves.allSatisfy({ $0.chance == nil }) {
            paragraphs.append("No task states its chance level, so a task whose models all score near chance shows as too-noisy rather "
                + "than at-chance; import a chance column (e.g. 0.25 for four-way multiple choice) to tell them apart.")
        }
        let categories = ScalingClass.allCases.map(\.rawValue)
        figures.append(CategoryGrid(title: "Scaling class per task", categories: categories,
                                    items: classes.map { CategoryGrid.Item(label: $0.task, category: $0.scalingClass.rawValue, detail: $0.verdict) },
                                    columns: 5).svg())
        var counts: [String: Int] = [:]
        for item in classes { counts[item.scalingClass.rawValue, default: 0] += 1 }
        let lawless = classes.filter { $0.scalingClass != .smooth }
        if !lawless.isEmpty {
            summary.append("\(lawless.count) of \(classes.count) tasks cannot support a smooth law: "
                + counts.filter { $0.key != ScalingClass.smooth.rawValue }.sorted { $0.value > $1.value }.map { "\($0.value) \($0.key)" }.joined(separator: ", ") + ".")
        }
        let rows = classes.filter { $0.scalingClass != .smooth && $0.scalingClass != .atChance }.prefix(30).map { [$0.task, $0.scalingClass.rawValue, $0.verdict] }
        return ReportSection(id: "structure", title: "Can these tasks support a law?", paragraphs: paragraphs, figures: figures,
                             tables: rows.isEmpty ? [] : [ReportTable(caption: "Tasks that are not smooth (at-chance omitted)", headers: ["task", "class", "why"], rows: Array(rows))])
    }

    // MARK: - Metric mirage

    /// Per task with per-item results: accuracy beside the continuous metrics of the same answers
    /// (Schaeffer, Miranda & Koyejo 2023), against model size.
    static func mirageSection(_ data: Dataset) -> ReportSection? {
        var sizes: [ModelKey: Double] = [:]
        for model in data.models { if let params = model.params, params > 0 { sizes[model.key] = params } }
        let byTask = Dictionary(grouping: data.itemResults.filter { sizes[$0.model] != nil }, by: \.task)
        guard !byTask.isEmpty else { return nil }
        var figures: [String] = []
        var rows: [[String]] = []
        for task in byTask.keys.sorted().prefix(4) {
            let chance = data.tasks.first { $0.name == task }?.chance
            let report = MirageAnalysis.analyse(items: byTask[task]!, x: sizes, chance: chance)
            let charts = report.metrics.map { metric in
                LineChart(title: metric.metric.rawValue + (metric.metric.isContinuous ? " (continuous)" : " (discrete)"),
                          xLabel: "parameters", yLabel: metric.metric.rawValue, xScale: .log10,
                          series: [ChartSeries(name: metric.metric.rawValue, x: metric.curve.x, y: metric.curve.y, style: .lineAndPoints,
                                               color: metric.metric.isContinuous ? 2 : 0)], width: 320, height: 240)
            }
            if !charts.isEmpty {
                figures.append(SmallMultiples(title: "\(task): \(report.verdict.rawValue)", charts: charts, columns: min(3, charts.count)).svg())
            }
            rows.append([task, report.verdict.rawValue, report.explanation])
        }
        return ReportSection(
            id: "mirage", title: "Metric mirage",
            paragraphs: ["Emergence under exact match can vanish under a continuous metric of the same answers. Each task's items are "
                + "re-scored with every metric its results allow; a jump that survives them all is real."],
            figures: figures, tables: [ReportTable(caption: "Verdicts", headers: ["task", "verdict", "why"], rows: rows)])
    }

    // MARK: - Human difficulty

    static func difficultySection(_ data: Dataset, options: ReportOptions, summary: inout [String]) -> ReportSection {
        var outcomes = Outcomes()
        outcomes.addHumans(data.humanRuns, timeoutSeconds: nil)
        outcomes.addRuns(data.taskRuns)
        let humanTasks = Set(data.humanRuns.map(\.task)).union(data.taskRuns.filter(\.isHuman).map(\.task))
        // Model accuracies on the tasks people did, when no model runs say what models solved.
        let covering = data.metrics.indices.filter { ["acc", "accuracy"].contains(data.metrics[$0]) }.max { first, second in
            func covered(_ index: Int) -> Int { data.rowsByMetric[index].filter { humanTasks.contains(data.tasks[Int(data.taskIndex[Int($0)])].name) }.count }
            return covered(first) < covered(second)
        }
        if !data.taskRuns.contains(where: { !$0.isHuman }), let index = covering {
            outcomes.addModelAccuracies(data, metric: index, tasks: humanTasks)
        }
        let report = DifficultyReport.build(humanRuns: data.humanRuns, taskRuns: data.taskRuns, outcomes: outcomes,
                                            options: DifficultyOptions(replicates: options.replicates, seed: options.seed))
        var figures: [String] = []
        let rated = report.tasks.filter { ($0.passRate?.trials ?? 0) > 0 }.sorted { $0.passRate!.rate < $1.passRate!.rate }
        if !rated.isEmpty {
            let step = max(1, rated.count / 40)
            let rows = stride(from: 0, to: rated.count, by: step).map { rated[$0] }.map { task in
                IntervalChart.Row(label: task.task, estimate: task.passRate!.rate, lower: task.passRate!.wilson.lower, upper: task.passRate!.wilson.upper,
                                  group: task.passRate!.isSaturated ? 1 : 0)
            }
            figures.append(IntervalChart(title: "Share of people who finish within the timeout (Wilson 95%)",
                                         subtitle: (rated.count > rows.count ? "every \(step)th of \(rated.count) tasks; " : "") + "blue: saturated (pressed against 0 or 1)",
                                         xLabel: "pass rate", rows: rows, references: [0.5]).svg())
            let timed = rated.compactMap { task -> (Double, TaskDifficulty)? in
                if let median = task.medianSeconds?.median { return (median / 60, task) }
                if let minutes = task.humanMinutes { return (minutes, task) }
                return nil
            }
            if !timed.isEmpty {
                figures.append(LineChart(
                    title: "Pass rate against median human time", xLabel: "median time (minutes)", yLabel: "pass rate", xScale: .log10,
                    series: [ChartSeries(name: "tasks", x: timed.map(\.0), y: timed.map { $0.1.passRate!.rate },
                                         lower: timed.map { $0.1.passRate!.wilson.lower }, upper: timed.map { $0.1.passRate!.wilson.upper }, style: .points)],
                    yRange: 0...1).svg())
            }
        }
        var tables: [ReportTable] = []
        if let comparison = report.comparison {
            tables.append(ReportTable(
                caption: "Which ordering predicts what models solve (\(comparison.tasks.count) tasks, \(comparison.replicates) bootstrap replicates)",
                headers: ["ordering", "Spearman ρ", "AUC", "Guttman errors"],
                rows: comparison.scores.map { [$0.ordering, interval($0.spearman), interval($0.auc), interval($0.guttman)] }))
            if let best = comparison.scores.max(by: { ($0.auc.estimate.isNaN ? 0 : $0.auc.estimate) < ($1.auc.estimate.isNaN ? 0 : $1.auc.estimate) }) {
                let human = comparison.scores.filter { $0.ordering != "IRT" }.max { $0.auc.estimate < $1.auc.estimate }
                summary.append("Human difficulty: of the human measures, \(human?.ordering ?? best.ordering) predicts which tasks models solve best "
                    + "(AUC \(interval(human?.auc ?? best.auc))).")
            }
        }
        if let irt = report.irt {
            let models = irt.respondents.filter { !$0.isHuman }
            let sizes = Dictionary(data.models.compactMap { model in model.params.map { (model.key.description, $0) } }, uniquingKeysWith: { a, _ in a })
            let placed = models.compactMap { respondent in sizes[respondent.name].map { ($0, respondent) } }
            if placed.count >= 3 {
                figures.append(LineChart(
                    title: "IRT ability of each model against its size (joint Rasch with people)", xLabel: "parameters", yLabel: "ability θ (logits)",
                    xScale: .log10,
                    series: [ChartSeries(name: "models", x: placed.map(\.0), y: placed.map(\.1.ability),
                                         lower: placed.map { $0.1.ability - 1.96 * $0.1.abilityStandardError },
                                         upper: placed.map { $0.1.ability + 1.96 * $0.1.abilityStandardError }, style: .points)]).svg())
            }
        }
        return ReportSection(
            id: "difficulty", title: "Human difficulty",
            paragraphs: ["Per task: the share of people who finish within the timeout, with its Wilson interval, against the median "
                + "completion time (Kaplan–Meier, so people who ran out of time count). The orderings are compared on each model's "
                + "successes; IRT is judged out of fold."] + report.notes,
            figures: figures, tables: tables)
    }

    // MARK: - Time horizons

    static func horizonSection(_ data: Dataset, options: ReportOptions, summary: inout [String]) -> ReportSection? {
        let runs = data.taskRuns
        let weights = Set(runs.filter { !$0.isHuman }.flatMap { $0.weights.keys })
        let weighting = weights.contains("invsqrt") ? "invsqrt" : nil
        guard let analysis = try? TimeHorizon.analyse(runs, options: HorizonOptions(weighting: weighting, replicates: options.replicates, seed: options.seed)) else {
            return nil
        }
        let longest = analysis.models.map(\.longestTask).filter(\.isFinite).max() ?? 1000
        let grid = (0...60).map { exp2(log2(0.5) + Double($0) / 60 * (log2(longest * 2) - log2(0.5))) }
        let ordered = analysis.models.sorted { ($0.horizons.first?.minutes ?? 0) < ($1.horizons.first?.minutes ?? 0) }
        var figures = [LineChart(
            title: "Success against task length, per model", subtitle: "logistic fits of success on log2(human minutes)",
            xLabel: "task length (human minutes)", yLabel: "P(success)", xScale: .log10,
            series: ordered.enumerated().map { index, model in
                ChartSeries(name: model.model, x: grid, y: grid.map { model.curve.probability(minutes: $0) }, style: .line, color: index % 8)
            }, references: [ReferenceLine(y: 0.5, label: "50%")], yRange: 0...1).svg()]
        let rows = ordered.compactMap { model -> IntervalChart.Row? in
            guard let h = model.horizons.first, h.minutes > 0, h.minutes.isFinite else { return nil }
            return IntervalChart.Row(label: model.model, estimate: h.minutes, lower: max(h.lower, 1e-3), upper: h.upper, group: h.extrapolated ? 1 : 0)
        }
        if !rows.isEmpty {
            figures.append(IntervalChart(title: "50% time horizon per model", subtitle: "\(Int(analysis.level * 100))% bootstrap over task families; blue: outside the tested lengths (extrapolated)",
                                         xLabel: "minutes", xScale: .log10, rows: rows).svg())
        }
        var positions: [String: Double] = [:]
        for model in data.models { if let date = model.releaseDate, let year = DecimalYear.from(date) { positions[model.name] = year } }
        var paragraphs = ["The p-horizon is the task length at which the fitted success curve crosses p (Kwa et al. 2025)."]
        if let trend = try? HorizonTrend.fit(analysis, positions: positions, axis: .releaseDate, excludeExtrapolated: true), let months = trend.doublingMonths {
            let points = trend.points
            let line = points.map(\.position).sorted()
            figures.append(LineChart(
                title: "50% horizon over release date", subtitle: String(format: "doubles every %.1f months", months),
                xLabel: "release date (year)", yLabel: "50% horizon (minutes)", yScale: .log10,
                series: [ChartSeries(name: "models", x: points.map(\.position), y: points.map { exp2($0.log2Minutes) }, style: .points),
                         ChartSeries(name: "trend", x: [line.first!, line.last!], y: [line.first!, line.last!].map { exp2(trend.intercept + trend.slope * $0) },
                                     style: .dashed, color: 1)]).svg())
            let range = trend.doublingMonthsLower.map { lower in String(format: " [%.1f, %@]", lower, trend.doublingMonthsUpper.map { $0.isFinite ? String(format: "%.1f", $0) : "∞" } ?? "—") } ?? ""
            summary.append(String(format: "Time horizons: the 50%% horizon doubles every %.1f months", months) + range + " over \(points.count) models.")
            paragraphs.append(String(format: "Trend: %.2f doublings per year, R² %.2f; left out: %@.", trend.slope, trend.rSquared,
                                     trend.excluded.isEmpty ? "none" : trend.excluded.joined(separator: ", ")))
        }
        let table = ReportTable(caption: "Horizons", headers: ["model", "runs", "h50", "h50 interval", "h80"], rows: ordered.map { model in
            let h50 = model.horizons.first, h80 = model.horizons.dropFirst().first
            return [model.model, String(model.runs), h50.map { minutes($0.minutes) } ?? "—",
                    h50.map { "[\(minutes($0.lower)), \(minutes($0.upper))]" } ?? "—", h80.map { minutes($0.minutes) } ?? "—"]
        })
        let unbounded = ordered.filter { $0.horizons.first?.minutes == .infinity }.map(\.model)
        if let best = ordered.last(where: { ($0.horizons.first?.minutes ?? .nan).isFinite }), let h = best.horizons.first {
            summary.append("Longest finite 50% horizon: \(best.model), \(minutes(h.minutes)) [\(minutes(h.lower)), \(minutes(h.upper))]"
                + (unbounded.isEmpty ? "." : "; \(unbounded.joined(separator: ", ")) succeed\(unbounded.count == 1 ? "s" : "") at every tested length (no finite horizon)."))
        }
        return ReportSection(id: "horizon", title: "Time horizons", paragraphs: paragraphs, figures: figures, tables: [table])
    }

    // MARK: - Formatting

    static func size(_ value: Double) -> String {
        let units: [(Double, String)] = [(1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")]
        for (scale, suffix) in units where value >= scale {
            let scaled = value / scale
            return (scaled >= 10 ? String(format: "%.0f", scaled) : String(format: "%.1f", scaled)) + suffix
        }
        return String(format: "%.3g", value)
    }

    static func percent(_ share: Double) -> String { String(format: "%.1f%%", share * 100) }

    static func interval(_ value: EstimateWithInterval) -> String {
        String(format: "%.2f [%.2f, %.2f]", value.estimate, value.lower, value.upper)
    }

    /// A task length in minutes for people: 0.3 → "18 s", 4.7 → "4.7 min", 190 → "3.2 h",
    /// 3000 → "2.1 d"; "∞", "0" and "—" (NaN) as such.
    public static func minutes(_ value: Double) -> String {
        if value.isNaN { return "—" }
        if value == .infinity { return "∞" }
        if value <= 0 { return "0" }
        if value < 1 { return String(format: "%.0f s", value * 60) }
        if value < 60 { return String(format: value < 10 ? "%.1f min" : "%.0f min", value) }
        if value < 1440 { return String(format: "%.1f h", value / 60) }
        return String(format: "%.1f d", value / 1440)
    }
}
