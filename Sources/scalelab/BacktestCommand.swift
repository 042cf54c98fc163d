import ArgumentParser
import Foundation
import ScaleLabAnalysis
import ScaleLabCore
import ScaleLabFit
import ScaleLabIO

struct BacktestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backtest",
        abstract: "Fit on the smaller models, predict the larger ones, and score the predictions and their intervals.",
        discussion: """
            Every curve (task, metric, shots) in the selection is backtested with each --law and the
            baselines: last value carried forward, a line in log x, and (with several curves of a
            metric) the aggregate trend, the average task's gain added to the task's last value. With --train-max the origin is
            fixed (fit on x ≤ the value, predict the rest); otherwise it rolls over the ladder from
            --min-train distinct x. Prints per method: mean absolute error, relative error, RMSLE
            and the share of observations inside the 80% and 95% prediction intervals, then the
            surprise list (observations outside their 95% interval, by z).

            Modes:
              --per-family   fit within each model family and predict its largest model from the
                             smaller ones (with --train-max: a fixed origin within each family).
                             Families with fewer than --min-family-size distinct sizes are skipped
                             and listed. The first table pools all families, the second scores each.
                             A law needs 5 fitted models at 4 distinct sizes, so a family of 4 or 5
                             is scored on the baselines alone.
              --checkpoints  fit within each training run (model name) against the step (or --x
                             tokens) and predict its final checkpoint from the earlier ones (with
                             --train-max: from the checkpoints up to that step). Step 0
                             cannot sit on a log axis and is dropped (the count goes to stderr).
              --law two-step --via METRIC | --via TASK:METRIC
                             a ladder (every run with params and tokens, or --via naming another
                             task, e.g. c4_val:loss): stage 1 fits the via metric against N and D,
                             L = E + A/N^alpha + B/D^beta (Huber δ = 1e-3), on each run's final
                             checkpoint (--stage1-checkpoints all: every checkpoint); stage 2 the
                             score against the via metric on every checkpoint of the fitted runs
                             (flat, linear or a sigmoid with chance as its floor, by AICc). Needs
                             --train-max: runs up to it are fitted, the larger runs' finals
                             predicted, with --per-family within each family. Side by side: the
                             two-step with the sigmoid and with Gadre's exponential link, the score
                             against compute C = 6ND (a logistic; a power law on −log score), the
                             evidence-based law choice applied to C, the last value, and auto (the
                             method with the least inner forecast error over the family's curves).
                             Rows without tokens: stage 1 is a power law of --x, scored next to the
                             direct laws (the other --law values, else auto) and the baselines.

            Examples:
              scalelab backtest --metric acc --shots 0 --where step=143000 --train-max 3e9
              scalelab backtest --task lambada_openai --metric acc --law power --law logistic --json
              scalelab backtest --per-family --metric score --where moe=0 --min-family-size 5
              scalelab backtest --checkpoints --task lambada_openai --metric acc --where 'step>=1000'
              scalelab backtest --checkpoints --task lambada_openai --metric ppl --shots 0 --x step --train-max 36000
              scalelab backtest --law two-step --via bpb --metric acc --train-max 1e9 --csv
              scalelab backtest --per-family --train-max 1e9 --law two-step --via c4_val:loss --metric acc
            """
    )

    @Option(name: .long, help: "Laws to test (auto, a name, or two-step with --via); repeatable.")
    var law: [String] = []

    @Option(name: .long, help: ArgumentHelp("For --law two-step: the intermediate metric, of the same task (bpb, ppl) or TASK:METRIC of another (c4_val:loss).", valueName: "metric"))
    var via: String?

    @Option(name: .customLong("stage1-checkpoints"), help: ArgumentHelp("Ladder two-step: fit stage 1 on each run's final checkpoint or on all.", valueName: "final|all"))
    var stage1Checkpoints: LadderOptions.Stage1Points = .final

    @Option(name: .customLong("train-max"), help: ArgumentHelp("Fixed origin: fit on x ≤ this value (units allowed).", valueName: "x"))
    var trainMax: String?

    @Option(name: .customLong("min-train"), help: "Rolling origin: the fewest distinct x a fit may use.")
    var minimumTrain = 5

    @Flag(name: .customLong("per-family"), help: "Backtest within each model family: predict each family's largest model.")
    var perFamily = false

    @Flag(name: .customLong("largest-only"), help: "With --train-max: predict only each curve's largest x, not every x above the origin (the default with --checkpoints).")
    var largestOnly = false

    @Flag(name: .long, help: "Backtest within each model's checkpoints: predict its final checkpoint (x: step unless --x).")
    var checkpoints = false

    @Option(name: .customLong("min-family-size"), help: ArgumentHelp(
        "With --per-family (--checkpoints): the fewest distinct sizes (checkpoints) a family (model) needs; default 4.", valueName: "n"))
    var minimumFamilySize: Int?

    @Option(name: .long, help: "Bootstrap replicates per fit.")
    var bootstrap = 200

    @Option(name: .long, help: "Seed of the bootstraps.")
    var seed: UInt64 = 42

    @Option(name: .long, help: "Number of surprises to list.")
    var surprises = 15

    @Flag(name: .long, help: "Print JSON (summaries, surprises and every prediction).")
    var json = false

    @Flag(name: .long, help: "Print every prediction as CSV.")
    var csv = false

    @OptionGroup var selection: SelectionOptions
    @OptionGroup var database: DatabaseOptions

    private static let twoStep = "two-step"

    private var usesTwoStep: Bool { law.contains(Self.twoStep) }

    func validate() throws {
        for name in law where name != "auto" && name != Self.twoStep && !LawCatalog.singleInput.contains(name) {
            throw ValidationError("unknown or two-input law '\(name)'; choose auto, \(LawCatalog.singleInput.joined(separator: ", ")), two-step")
        }
        if usesTwoStep && via == nil {
            throw ValidationError("--law two-step needs --via METRIC, the loss-like metric of the same task that links scale to accuracy (e.g. --via bpb)")
        }
        if let via, !usesTwoStep { throw ValidationError("--via \(via) goes with --law two-step; add --law two-step (and any direct laws to compare)") }
        if let via, ViaMetric(parsing: via) == nil { throw ValidationError("--via '\(via)' is not METRIC or TASK:METRIC (e.g. bpb, c4_val:loss)") }
        if perFamily && checkpoints { throw ValidationError("choose one of --per-family and --checkpoints") }
        if let minimumFamilySize {
            guard perFamily || checkpoints else { throw ValidationError("--min-family-size applies with --per-family or --checkpoints") }
            guard minimumFamilySize >= 3 else { throw ValidationError("--min-family-size must be at least 3 (two to fit a line, one to predict)") }
        }
        if let trainMax, NumberParsing.double(trainMax) == nil { throw ValidationError("--train-max '\(trainMax)' is not a number") }
        guard minimumTrain >= 3 else { throw ValidationError("--min-train must be at least 3") }
        guard bootstrap >= 1 else { throw ValidationError("--bootstrap must be at least 1") }
    }

    func run() async throws {
        let xAxis = XAxis(selection.x ?? (checkpoints ? "step" : "params"))
        var chosen = try selection.selection()
        chosen.x = xAxis
        if usesTwoStep, !checkpoints, let text = via, let viaMetric = ViaMetric(parsing: text) {
            let ladderData = try LadderText.load(database.open(.read), selection: chosen, via: viaMetric)
            if LadderText.applies(ladderData, via: viaMetric, oneInput: selection.x != nil) {
                try await runLadder(ladderData, selection: chosen, via: viaMetric)
                return
            }
        }
        if let via, !chosen.metrics.isEmpty, !chosen.metrics.contains(via) { chosen.metrics.append(via) }
        let data = try database.open(.read).load(chosen)
        let series = try data.fitSeries(x: xAxis)
        let directLaws = law.filter { $0 != Self.twoStep }
        let grouped = perFamily || checkpoints
        var options = BacktestOptions(
            laws: directLaws.isEmpty ? [.auto] : directLaws.compactMap(LawChoice.init(name:)), trainMax: trainMax.flatMap { NumberParsing.double($0) },
            holdOutLargest: grouped && trainMax == nil, minimumTrain: minimumTrain, replicates: bootstrap, seed: seed)
        // A run's checkpoints are backtested for its final one: with --train-max, the checkpoints up
        // to it predict the last (a quarter of training predicting the end, as the issue asks).
        options.largestOnly = largestOnly || checkpoints
        let progress: @Sendable (Int, Int, String) -> Void = { index, total, name in Terminal.note("[\(index)/\(total)] \(name)") }
        let via = usesTwoStep ? via : nil
        var unpaired: [FitSeries] = []
        if let via {
            let pairs = Backtester.twoStepPairs(series, via: via)
            unpaired = pairs.unpaired
            guard !pairs.paired.isEmpty else {
                throw UserError("no task in the selection has both '\(via)' and another metric; --via names a loss-like metric of the same task "
                    + "(see `scalelab list metrics`)")
            }
        }

        if grouped {
            let size = minimumFamilySize ?? 4
            let result: GroupedBacktestResult
            if checkpoints {
                result = await Backtester.runCheckpoints(series, options: options, minimumSize: size, via: via, progress: progress)
            } else {
                result = await Backtester.runPerFamily(series, options: options, minimumSize: size, via: via, progress: progress)
            }
            if result.droppedNonPositive > 0 {
                Terminal.note("dropped \(result.droppedNonPositive) point\(result.droppedNonPositive == 1 ? "" : "s") at \(xAxis) ≤ 0: "
                    + "a log axis cannot hold them (step 0 is the untrained model)")
            }
            guard !result.predictions.isEmpty else { throw nothingToBacktest(result.skippedGroups, size: size) }
            if json { try Terminal.json(result); return }
            let column = checkpoints ? "run" : "family"
            if csv {
                csvOut(result.predictions.map(\.prediction), group: (column, result.predictions.map(\.group)))
                return
            }
            Terminal.out(summaryTable(result.summaries))
            printDifferences(result.differences)
            Terminal.out("\nper \(column) (\(options.trainMax == nil ? "largest \(checkpoints ? "checkpoint" : "model") held out" : "fixed origin")):")
            Terminal.out(groupTable(result.groups, column: column, sizes: checkpoints ? "checkpoints" : "sizes"))
            if !result.skippedGroups.isEmpty {
                let count = result.skippedGroups.count
                let noun = checkpoints ? (count == 1 ? "model" : "models") : (count == 1 ? "family" : "families")
                Terminal.out("\n\(count) \(noun) skipped:")
                for group in result.skippedGroups { Terminal.out("  \(group.group): \(group.reason)") }
            }
            finish(result.surprises, skipped: result.skipped, unpaired: unpaired, via: via)
            return
        }

        let result: BacktestResult
        if let via {
            result = await Backtester.runWithTwoStep(series, via: via, options: options, progress: progress)
        } else {
            result = await Backtester.run(series, options: options, progress: progress)
        }
        guard !result.predictions.isEmpty else {
            throw UserError("nothing to backtest: no curve has models on both sides of the origin"
                + (options.trainMax == nil ? " (rolling origins need more than --min-train \(minimumTrain) distinct x)" : ""))
        }
        if json { try Terminal.json(result); return }
        if csv {
            csvOut(result.predictions, group: nil)
            return
        }
        Terminal.out(summaryTable(result.summaries))
        printDifferences(result.differences)
        if !result.stacking.isEmpty {
            Terminal.out("\n\(result.stacking.count) stacked combination\(result.stacking.count == 1 ? "" : "s") (law with the baselines, learned on the models up to the origin):")
            for report in result.stacking.prefix(8) {
                Terminal.out("  \(report.metric), \(report.law), origin \(Show.size(report.origin)): \(report.weightsLine)")
            }
            if result.stacking.count > 8 { Terminal.out("  … \(result.stacking.count - 8) more in --json") }
        }
        finish(result.surprises, skipped: result.skipped, unpaired: unpaired, via: via)
    }

    /// The ladder backtest of two-step laws on (N, D) and the methods compared with it.
    private func runLadder(_ data: Dataset, selection chosen: Selection, via: ViaMetric) async throws {
        guard let text = trainMax, let limit = NumberParsing.double(text) else {
            throw UserError("a ladder backtest needs --train-max N: runs up to N parameters are fitted and the larger runs predicted (e.g. --train-max 1e9)")
        }
        let curves = LadderText.curves(data, selection: chosen, via: via)
        guard !curves.isEmpty else {
            throw UserError("no curve to predict besides the via metric \(via); select a task metric with --task/--metric (see `scalelab list metrics`)")
        }
        let (ladder, axis) = LadderText.options(stage1Checkpoints, replicates: bootstrap, seed: seed, x: selection.x)
        let options = LadderBacktestOptions(trainMax: limit, ladder: ladder, perFamily: perFamily, xAxis: axis)
        Terminal.note("ladder backtest: \(curves.count) curve\(curves.count == 1 ? "" : "s") via \(via), \(perFamily ? "within each family" : "one ladder"), \(bootstrap) bootstrap replicates")
        let result = await LadderBacktester.run(data, curves: curves, via: via, options: options) { family in Terminal.note("[\(family)] fitting…") }
        guard !result.predictions.isEmpty else {
            throw UserError("nothing to backtest: " + (result.skipped.first ?? "no run above --train-max \(text) has the selected scores"))
        }
        if json { try Terminal.json(result); return }
        if csv { Terminal.out(LadderText.csv(result)); return }
        Terminal.out(LadderText.backtest(result, bounded: result.predictions.allSatisfy { $0.observed >= 0 && $0.observed <= 1 }))
    }

    /// The error when no group could be backtested, naming the groups and why.
    private func nothingToBacktest(_ skipped: [SkippedBacktestGroup], size: Int) -> UserError {
        let what = checkpoints ? "model with several checkpoints" : "family"
        var message = "nothing to backtest: no \(what) has a curve with \(size) distinct x and models on both sides of the origin"
        if !skipped.isEmpty {
            let listed = skipped.prefix(6).map { "\($0.group) (\($0.reason))" }.joined(separator: "; ")
            message += "; skipped: \(listed)\(skipped.count > 6 ? "; …" : "")"
        }
        if checkpoints { message += "; checkpoints need a step column (or --x tokens) and several steps per model" }
        return UserError(message + (skipped.isEmpty ? "" : "; --min-family-size \(size - 1) would admit smaller groups"))
    }

    private func csvOut(_ predictions: [BacktestPrediction], group: (column: String, values: [String])?) {
        var lines = [(group.map { "\($0.column)," } ?? "") + "task,metric,method,model,origin,x,observed,predicted,lower80,upper80,lower95,upper95"]
        for (index, p) in predictions.enumerated() {
            let i80 = p.intervals.first { abs($0.level - 0.8) < 1e-9 }, i95 = p.intervals.first { abs($0.level - 0.95) < 1e-9 }
            var cells: [String] = group.map { [$0.values[index]] } ?? []
            cells += [p.task, p.metric, p.method, p.model, "\(p.origin)", "\(p.x)", "\(p.observed)", "\(p.predicted)"]
            cells += [i80.map { "\($0.lower)" } ?? "", i80.map { "\($0.upper)" } ?? ""]
            cells += [i95.map { "\($0.lower)" } ?? "", i95.map { "\($0.upper)" } ?? ""]
            lines.append(cells.map(TidyExport.csvQuotedCell).joined(separator: ","))
        }
        Terminal.out(lines.joined(separator: "\n"))
    }

    private static func coverage(_ summary: BacktestSummary, _ level: Double) -> String {
        summary.coverage.first { abs($0.level - level) < 1e-9 }.map { String(format: "%.1f%%", $0.lower * 100) } ?? "—"
    }

    private func summaryTable(_ summaries: [BacktestSummary]) -> String {
        var table = TextTable(headers: ["method", "predictions", "mean abs error", "mean rel error", "RMSLE", "80% coverage", "95% coverage"])
        table.frozen = 7
        for summary in summaries {
            table.append([summary.method, String(summary.predictions), String(format: "%.4f", summary.meanAbsoluteError),
                          String(format: "%.4f", summary.meanRelativeError), summary.rmsle.map { String(format: "%.4f", $0) } ?? "—",
                          Self.coverage(summary, 0.8), Self.coverage(summary, 0.95)])
        }
        return table.render()
    }

    /// One row per group and method: the group's own scores, on the observations all its methods predicted.
    private func groupTable(_ groups: [BacktestGroupSummary], column: String, sizes: String) -> String {
        var table = TextTable(headers: [column, sizes, "curves", "method", "predictions", "mean abs error", "80% coverage", "95% coverage"],
                              alignments: [.left, .right, .right, .left, .right, .right, .right, .right])
        table.frozen = 8
        for group in groups {
            for (index, summary) in group.summaries.enumerated() {
                let head = index == 0 ? [group.group, String(group.distinctX), String(group.curves)] : ["", "", ""]
                table.append(head + [summary.method, String(summary.predictions), String(format: "%.4f", summary.meanAbsoluteError),
                                     Self.coverage(summary, 0.8), Self.coverage(summary, 0.95)])
            }
        }
        return table.render()
    }

    /// Each law's mean absolute error minus each baseline's, with its interval.
    private func printDifferences(_ differences: [MethodDifference]) {
        guard !differences.isEmpty else { return }
        Terminal.out("\nmean abs error minus each baseline's (95% interval, resampling whole curves; negative = better):")
        for d in differences {
            Terminal.out("  \(d.method) − \(d.baseline): " + String(format: "%+.4f [%+.4f, %+.4f]", d.difference, d.lower, d.upper)
                + " over \(d.observations) predictions of \(d.curves) curves")
        }
    }

    /// The surprise list, the curves without the --via metric, and the count of failed fits.
    private func finish(_ found: [Surprise], skipped: [String], unpaired: [FitSeries], via: String?) {
        if !found.isEmpty {
            Terminal.out("\n\(found.count) surprise\(found.count == 1 ? "" : "s") (outside the 95% interval of \(found[0].method)), largest first:")
            var list = TextTable(headers: ["task", "model", "observed", "predicted", "z", "direction"],
                                 alignments: [.left, .left, .right, .right, .right, .left])
            list.frozen = 6
            for surprise in found.prefix(surprises) {
                list.append([surprise.task, surprise.model, String(format: "%.3f", surprise.observed), String(format: "%.3f", surprise.predicted),
                             String(format: "%+.1f", surprise.z), surprise.direction])
            }
            Terminal.out(list.render())
        }
        if let via, !unpaired.isEmpty {
            let names = unpaired.map { "\($0.task)/\($0.metric)" + ($0.shots.map { "/\($0)-shot" } ?? "") }
            Terminal.out("\n\(unpaired.count) curve\(unpaired.count == 1 ? "" : "s") without '\(via)' skipped (no two-step law): "
                + names.prefix(20).joined(separator: ", ") + (names.count > 20 ? ", …" : ""))
        }
        // Curves without the --via metric are listed above; the rest are fits that failed.
        let failures = via.map { via in skipped.filter { !$0.contains("no '\(via)' scores") } } ?? skipped
        if !failures.isEmpty { Terminal.note("\(failures.count) fits skipped, e.g. \(failures[0])") }
    }
}
