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

            Examples:
              scalelab backtest --metric acc --shots 0 --where step=143000 --train-max 3e9
              scalelab backtest --task lambada_openai --metric acc --law power --law logistic --json
            """
    )

    @Option(name: .long, help: "Laws to test (auto or a name); repeatable.")
    var law: [String] = []

    @Option(name: .customLong("train-max"), help: ArgumentHelp("Fixed origin: fit on x ≤ this value (units allowed).", valueName: "x"))
    var trainMax: String?

    @Option(name: .customLong("min-train"), help: "Rolling origin: the fewest distinct x a fit may use.")
    var minimumTrain = 5

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

    func validate() throws {
        for name in law where name != "auto" && !LawCatalog.singleInput.contains(name) {
            throw ValidationError("unknown or two-input law '\(name)'; choose auto, \(LawCatalog.singleInput.joined(separator: ", "))")
        }
        if let trainMax, NumberParsing.double(trainMax) == nil { throw ValidationError("--train-max '\(trainMax)' is not a number") }
        guard minimumTrain >= 3 else { throw ValidationError("--min-train must be at least 3") }
        guard bootstrap >= 1 else { throw ValidationError("--bootstrap must be at least 1") }
    }

    func run() async throws {
        let xAxis = XAxis(selection.x ?? "params")
        var chosen = try selection.selection()
        chosen.x = xAxis
        let data = try database.open(.read).load(chosen)
        let series = try data.fitSeries(x: xAxis)
        let options = BacktestOptions(laws: law.isEmpty ? ["auto"] : law, trainMax: trainMax.flatMap { NumberParsing.double($0) },
                                      minimumTrain: minimumTrain, replicates: bootstrap, seed: seed)
        let result = await Backtester.run(series, options: options) { index, total, name in
            Terminal.note("[\(index)/\(total)] \(name)")
        }
        guard !result.predictions.isEmpty else {
            throw UserError("nothing to backtest: no curve has models on both sides of the origin"
                + (options.trainMax == nil ? " (rolling origins need more than --min-train \(minimumTrain) distinct x)" : ""))
        }
        if json { try Terminal.json(result); return }
        if csv {
            var lines = ["task,metric,method,model,origin,x,observed,predicted,lower80,upper80,lower95,upper95"]
            for p in result.predictions {
                let i80 = p.intervals.first { abs($0.level - 0.8) < 1e-9 }, i95 = p.intervals.first { abs($0.level - 0.95) < 1e-9 }
                let cells: [String] = [p.task, p.metric, p.method, p.model, "\(p.origin)", "\(p.x)", "\(p.observed)", "\(p.predicted)",
                                       i80.map { "\($0.lower)" } ?? "", i80.map { "\($0.upper)" } ?? "",
                                       i95.map { "\($0.lower)" } ?? "", i95.map { "\($0.upper)" } ?? ""]
                lines.append(cells.map(TidyExport.csvQuotedCell).joined(separator: ","))
            }
            Terminal.out(lines.joined(separator: "\n"))
            return
        }
        var table = TextTable(headers: ["method", "predictions", "mean abs error", "mean rel error", "RMSLE", "80% coverage", "95% coverage"])
        table.frozen = 7
        for summary in result.summaries {
            let coverage = { (level: Double) in summary.coverage.first { abs($0.level - level) < 1e-9 }.map { String(format: "%.1f%%", $0.lower * 100) } ?? "—" }
            table.append([summary.method, String(summary.predictions), String(format: "%.4f", summary.meanAbsoluteError),
                          String(format: "%.4f", summary.meanRelativeError), summary.rmsle.map { String(format: "%.4f", $0) } ?? "—",
                          coverage(0.8), coverage(0.95)])
        }
        Terminal.out(table.render())
        if !result.surprises.isEmpty {
            Terminal.out("\n\(result.surprises.count) surprise\(result.surprises.count == 1 ? "" : "s") (outside the 95% interval), largest first:")
            var list = TextTable(headers: ["task", "model", "observed", "predicted", "z", "direction"],
                                 alignments: [.left, .left, .right, .right, .right, .left])
            list.frozen = 6
            for surprise in result.surprises.prefix(surprises) {
                list.append([surprise.task, surprise.model, String(format: "%.3f", surprise.observed), String(format: "%.3f", surprise.predicted),
                             String(format: "%+.1f", surprise.z), surprise.direction])
            }
            Terminal.out(list.render())
        }
        if !result.skipped.isEmpty { Terminal.note("\(result.skipped.count) fits skipped, e.g. \(result.skipped[0])") }
    }
}
