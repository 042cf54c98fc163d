import ArgumentParser
import Foundation
import ScaleLabAnalysis
import ScaleLabCore
import ScaleLabFit
import ScaleLabIO

/// The CLI side of two-step laws on a ladder (params and tokens on every run): loading the task
/// and the via metric together, and printing backtests and forecasts.
enum LadderText {
    /// Whether `--law two-step --via …` should run on the ladder (Chinchilla stage 1 on N and D):
    /// the via names another task, or every selected row has params and tokens.
    static func applies(_ data: Dataset, via: ViaMetric, oneInput: Bool) -> Bool {
        if oneInput { return via.task != nil }
        if via.task != nil { return true }
        return !data.isEmpty && (0..<data.count).allSatisfy {
            let model = data.model(ofRow: $0)
            return model.params != nil && model.tokens != nil
        }
    }

    /// The selection with the via task and metric added and the shots filter lifted (a general
    /// validation loss has no few-shot setting); `curves` then applies the shots.
    static func loading(_ selection: Selection, via: ViaMetric) -> Selection {
        var widened = selection
        if let task = via.task, !widened.tasks.isEmpty, !widened.tasks.contains(task) { widened.tasks.append(task) }
        if !widened.metrics.isEmpty, !widened.metrics.contains(via.metric) { widened.metrics.append(via.metric) }
        widened.shots = []
        return widened
    }

    /// A command's ladder options and stage-1 axis: with --x, stage 1 is a power law of that axis
    /// instead of Chinchilla on N and D.
    static func options(_ stage1: LadderOptions.Stage1Points, replicates: Int, seed: UInt64, x: String?) -> (LadderOptions, XAxis?) {
        let axis = x.map(XAxis.init)
        return (LadderOptions(stage1Points: stage1, oneInput: axis == nil ? nil : PowerLaw(), replicates: replicates, seed: seed), axis)
    }

    /// The selection and the via metric loaded together, after checking that the via metric (and
    /// its task) exist, so that a misspelt --via is named as such.
    static func load(_ store: Store, selection: Selection, via: ViaMetric) throws -> Dataset {
        let catalog = try store.catalog()
        func nearest(_ name: String, _ names: [String]) -> String {
            let near = nearestNames(to: name, in: names, limit: 3)
            return near.isEmpty ? "see `scalelab list`" : near.joined(separator: ", ")
        }
        guard catalog.metrics.contains(via.metric) else {
            throw UserError("--via \(via): no metric '\(via.metric)' in the database; nearest: \(nearest(via.metric, catalog.metrics))")
        }
        if let task = via.task, !catalog.tasks.contains(task) {
            throw UserError("--via \(via): no task '\(task)' in the database; nearest: \(nearest(task, catalog.tasks))")
        }
        return try store.load(loading(selection, via: via))
    }

    /// The curves to predict: every (task, metric, shots) of the loaded rows that the original
    /// selection asked for, except the via metric itself.
    static func curves(_ data: Dataset, selection: Selection, via: ViaMetric) -> [LadderCurve] {
        var seen = Set<LadderCurve>()
        var order: [LadderCurve] = []
        for row in 0..<data.count {
            let task = data.task(ofRow: row).name, metric = data.metric(ofRow: row), shots = data.shots[row]
            if metric == via.metric && (via.task == nil || via.task == task) { continue }
            if !selection.tasks.isEmpty && !selection.tasks.contains(where: { globMatches($0, task) }) { continue }
            if !selection.metrics.isEmpty && !selection.metrics.contains(metric) { continue }
            if !selection.shots.isEmpty && !selection.shots.contains(shots ?? -1) { continue }
            let curve = LadderCurve(task: task, metric: metric, shots: shots)
            if seen.insert(curve).inserted { order.append(curve) }
        }
        return order.sorted { ($0.task, $0.metric, $0.shots ?? -1) < ($1.task, $1.metric, $1.shots ?? -1) }
    }

    static func percent(_ value: Double?) -> String { value.map { String(format: "%.1f%%", 100 * $0) } ?? "—" }

    /// The backtest's tables: methods, auto's choice, stage 1 per target, what was skipped.
    static func backtest(_ result: LadderBacktestResult, bounded: Bool) -> String {
        let unit = bounded ? 100.0 : 1.0
        var table = TextTable(headers: ["method", "predictions", bounded ? "MAE (points)" : "MAE", bounded ? "RMSE (points)" : "RMSE", "80% coverage", "95% coverage"])
        table.frozen = 6
        for s in result.summaries {
            table.append([s.method, "\(s.predictions)", String(format: "%.2f", unit * s.mae), String(format: "%.2f", unit * s.rmse),
                          percent(s.coverage80), percent(s.coverage95)])
        }
        var text = "two-step via \(result.via), fit on runs ≤ \(Show.size(result.trainMax)) params, predicting the larger runs' final checkpoints\n"
        text += table.render()
        if !result.chosen.isEmpty {
            text += "\n\nauto, by inner forecasts (runs up to each inner size predicting the later fitted runs; mean abs error over the family's curves):"
            for (family, method) in result.chosen.sorted(by: { $0.key < $1.key }) {
                let errors = (result.innerErrors[family] ?? [:]).sorted { $0.value < $1.value }
                let next = errors.first { $0.key != method }
                let own = result.innerErrors[family]?[method]
                text += "\n  \(family): chosen \(method)" + (own.map { String(format: " — inner error %.2f", unit * $0) } ?? "")
                    + (next.map { String(format: ", next best %@ %.2f", $0.key, unit * $0.value) } ?? "")
            }
        }
        if !result.viaErrors.isEmpty {
            var stage = TextTable(headers: ["family", "run", "params", "tokens", "\(result.via.fitted) observed", "stage 1", "rel. error", "two-step MAE"])
            stage.frozen = 8
            for e in result.viaErrors {
                let mine = result.predictions.filter { $0.method == LadderMethod.twoStep.rawValue && $0.run == e.run && $0.family == e.family }
                let mae = mine.isEmpty ? "—" : String(format: "%.2f", unit * mine.reduce(0) { $0 + abs($1.error) } / Double(mine.count))
                stage.append([e.family, e.run, Show.size(e.params), Show.size(e.tokens), String(format: "%.4g", e.observed),
                              String(format: "%.4g", e.estimate), String(format: "%+.2f%%", 100 * e.relativeError), mae])
            }
            text += "\n\nstage 1 (\(result.via.fitted) against scale) at each predicted run:\n" + stage.render()
        }
        let links = Dictionary(grouping: result.predictions.filter { $0.method == LadderMethod.twoStep.rawValue }, by: { $0.link ?? "?" })
        if !links.isEmpty {
            text += "\n\nstage-2 links chosen by AICc (curves × runs): " + links.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value.count)" }.joined(separator: ", ")
        }
        if !result.skipped.isEmpty {
            text += "\n\n\(result.skipped.count) left out:"
            for s in result.skipped.prefix(12) { text += "\n  \(s)" }
            if result.skipped.count > 12 { text += "\n  … \(result.skipped.count - 12) more in --json" }
        }
        return text
    }

    /// One CSV row per prediction, with both stages' values.
    static func csv(_ result: LadderBacktestResult) -> String {
        var lines = ["family,task,metric,shots,run,params,tokens,method,observed,predicted,via_observed,via_predicted,link,lower80,upper80,lower95,upper95"]
        for p in result.predictions {
            let i80 = p.intervals.first { abs($0.level - 0.8) < 1e-9 }, i95 = p.intervals.first { abs($0.level - 0.95) < 1e-9 }
            let cells: [String] = [p.family, p.task, p.metric, p.shots.map(String.init) ?? "", p.run, p.params.map { "\($0)" } ?? "",
                                   p.tokens.map { "\($0)" } ?? "", p.method, "\(p.observed)", "\(p.estimate)",
                                   p.viaObserved.map { "\($0)" } ?? "", p.viaEstimate.map { "\($0)" } ?? "", p.link ?? "",
                                   i80.map { "\($0.lower)" } ?? "", i80.map { "\($0.upper)" } ?? "",
                                   i95.map { "\($0.lower)" } ?? "", i95.map { "\($0.upper)" } ?? ""]
            lines.append(cells.map(TidyExport.csvQuotedCell).joined(separator: ","))
        }
        return lines.joined(separator: "\n")
    }
}
extension LadderOptions.Stage1Points: ExpressibleByArgument {}

extension LadderText {
    /// Stage 1 on the selection's runs and stage 2 for each curve, forecasting `targets`; notes on
    /// stderr for what was left out. One curve unless `allTasks`.
    static func fit(_ data: Dataset, selection chosen: Selection, via: ViaMetric, options: LadderOptions, axis: XAxis?,
                    targets: [LadderTarget], allTasks: Bool, verb: String) async throws -> (LadderStageOne, [LadderTwoStepFit]) {
        let curves = curves(data, selection: chosen, via: via)
        guard !curves.isEmpty else {
            throw UserError("no curve to \(verb) besides the via metric \(via); select the task's score with --task and --metric")
        }
        if !allTasks && curves.count > 1 {
            let names = curves.prefix(4).map { "\($0.task) \($0.metric)\($0.shots.map { " \($0)-shot" } ?? "")" }.joined(separator: ", ")
            throw UserError("the selection holds \(curves.count) curves (\(names)…); narrow it with --task/--metric/--shots or add --all-tasks")
        }
        let ladders = curves.map { data.ladder(task: $0.task, metric: $0.metric, shots: $0.shots, via: via, x: axis) }
        for build in ladders where !build.missingVia.isEmpty {
            Terminal.note("\(build.ladder.task): \(build.missingVia.count) run\(build.missingVia.count == 1 ? "" : "s") without \(via) skipped: \(build.missingVia.prefix(8).joined(separator: ", "))")
        }
        let untrained = ladders.map(\.untrained).reduce(0, +)
        if untrained > 0 { Terminal.note("left out \(untrained) untrained checkpoint\(untrained == 1 ? "" : "s") (step 0 or zero tokens)") }
        Terminal.note("stage 1: \(via) against \(axis.map { "\($0)" } ?? "N and D"), \(options.replicates) bootstrap refits (runs resampled)…")
        let stageOne: LadderStageOne
        do {
            stageOne = try await LadderStageOne(ladders.flatMap(\.ladder.points), via: via, options: options)
        } catch { throw UserError(error.description) }
        var fits: [LadderTwoStepFit] = []
        for build in ladders {
            do { fits.append(try LadderTwoStep.fit(build.ladder, stageOne: stageOne, at: targets)) } catch {
                if !allTasks { throw UserError(error.description) }
                Terminal.note("warning: \(build.ladder.task) \(build.ladder.metric): \(error.description)")
            }
        }
        return (stageOne, fits)
    }

    /// Both stages in words, and each target's prediction.
    static func describe(_ stageOne: LadderStageOne, _ fits: [LadderTwoStepFit], via: ViaMetric) -> String {
        let e = stageOne.law.parameters(stageOne.fit.theta)
        let which = stageOne.options.stage1Points == .final ? "final checkpoints" : "checkpoints"
        let formula: String = stageOne.law.formula
        var text = "two-step via \(via.fitted): stage 1 " + formula + " on \(stageOne.points.count) " + which + " of \(stageOne.runs.count) runs\n  "
        text += stageOne.law.parameterNames.map { "\($0) = \(String(format: "%.4g", e[$0] ?? .nan))" }.joined(separator: ", ")
        text += String(format: " (Spearman ρ of %@ against scale %.2f)", via.fitted, stageOne.rho)
        if let note = stageOne.note { text += "\n  note: " + note }
        for fit in fits {
            text += "\n\n\(fit.task) \(fit.metric): stage 2 \(fit.link.formula)\n  on \(fit.stage2Points) checkpoints of \(fit.runs) runs; AICc "
            text += fit.link.candidates.sorted { $0.aicc < $1.aicc }.map { String(format: "%@ %.1f", $0.form.rawValue, $0.aicc) }.joined(separator: ", ")
            guard !fit.points.isEmpty else { continue }
            var table = TextTable(headers: ["model", "\(via.fitted) (stage 1)", "80%", "\(fit.metric)", "80%", "95%"])
            table.frozen = 6
            func range(_ i: LevelInterval?) -> String { i.map { "[\(Show.score($0.lower)), \(Show.score($0.upper))]" } ?? "—" }
            for p in fit.points {
                let label = p.target.x.map { Show.size($0) } ?? "N \(Show.size(p.target.params)), D \(Show.size(p.target.tokens))"
                table.append([label, Show.score(p.via), range(p.viaIntervals.first { abs($0.level - 0.8) < 1e-9 }),
                              Show.score(p.estimate), range(p.interval(0.8)), range(p.interval(0.95))])
            }
            text += "\n" + table.render()
            for p in fit.points { if let w = p.warning { text += "\n  warning (\(p.target)): \(w)" } }
            if fit.compositeErrors.isEmpty { text += "\n  (no leave-one-size-out error: the intervals carry the bootstrap alone)" }
        }
        return text
    }
}

extension PredictCommand {
    /// `--law two-step --via …`: stage 1 on the selection's runs, stage 2 on their checkpoints, each
    /// --at model predicted through both.
    func runTwoStep(_ chosen: Selection, via: ViaMetric, scales: [Scale]) async throws {
        let data = try LadderText.load(database.open(.read), selection: chosen, via: via)
        let (options, axis) = LadderText.options(stage1Checkpoints, replicates: bootstrap, seed: seed, x: selection.x)
        let targets = scales.map { scale in
            axis == nil ? LadderTarget(params: scale.x, tokens: scale.x2) : LadderTarget(x: scale.x)
        }
        let (stageOne, fits) = try await LadderText.fit(data, selection: chosen, via: via, options: options, axis: axis,
                                                        targets: targets, allTasks: allTasks, verb: "predict")
        if json {
            if allTasks { try Terminal.json(fits) } else if let fit = fits.first { try Terminal.json(fit) }
            return
        }
        if csv {
            var lines = ["task,metric,params,tokens,x,via,via_lower80,via_upper80,estimate,lower80,upper80,lower95,upper95,link,warning"]
            for fit in fits {
                for p in fit.points {
                    let v80 = p.viaIntervals.first { abs($0.level - 0.8) < 1e-9 }
                    let i80 = p.interval(0.8), i95 = p.interval(0.95)
                    func cell(_ v: Double?) -> String { v.map { "\($0)" } ?? "" }
                    var cells: [String] = [fit.task, fit.metric, cell(p.target.params), cell(p.target.tokens), cell(p.target.x), cell(p.via)]
                    cells += [cell(v80?.lower), cell(v80?.upper), cell(p.estimate), cell(i80?.lower), cell(i80?.upper)]
                    cells += [cell(i95?.lower), cell(i95?.upper), fit.link.form.rawValue, p.warning ?? ""]
                    lines.append(cells.map(TidyExport.csvQuotedCell).joined(separator: ","))
                }
            }
            Terminal.out(lines.joined(separator: "\n"))
            return
        }
        Terminal.out(LadderText.describe(stageOne, fits, via: via))
    }
}
