import ArgumentParser
import Foundation
import ScaleLabCore
import ScaleLabFit
import ScaleLabIO

/// `--db`: where the database lives.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The ScaleLab database file.", discussion: "Default: $SCALELAB_DB, else ./scalelab.sqlite.", valueName: "path"))
    var db: String?

    var path: String {
        if let db { return db }
        if let env = ProcessInfo.processInfo.environment["SCALELAB_DB"], !env.isEmpty { return env }
        return "scalelab.sqlite"
    }

    func open(_ mode: Store.Mode) throws -> Store { try Store(path: path, mode: mode) }
}

/// The selection options every analysis command shares.
struct SelectionOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Tasks to use (name or glob such as 'hendrycksTest-*'); repeatable.", valueName: "name"))
    var task: [String] = []

    @Option(name: .long, help: ArgumentHelp("Metrics to use (e.g. acc, acc_norm); repeatable.", valueName: "name"))
    var metric: [String] = []

    @Option(name: .long, help: ArgumentHelp("Model families to use; repeatable.", valueName: "name"))
    var family: [String] = []

    @Option(name: .long, help: ArgumentHelp("Models to use (name or glob); repeatable.", valueName: "name"))
    var model: [String] = []

    @Option(name: .long, help: ArgumentHelp("Few-shot settings to use; repeatable.", valueName: "k"))
    var shots: [Int] = []

    @Option(name: .customLong("x"), help: ArgumentHelp(
        "The x-axis: params (N), params_nonembedding, tokens (D), flops (C, 6·N·D when not given), step, or any numeric column; rows without it are dropped.",
        valueName: "column"))
    var x: String?

    @Option(name: .customLong("where"), help: ArgumentHelp(
        "A condition on any field, e.g. 'params<=3e9', 'role=ladder', 'deduped!=1' (operators <= >= < > = !=); repeatable, all must hold.",
        valueName: "condition"))
    var conditions: [String] = []

    func selection() throws -> Selection {
        Selection(
            tasks: task, metrics: metric, families: family, models: model, shots: shots,
            x: x.map(XAxis.init), conditions: try conditions.map { try Condition(parsing: $0) })
    }

    func validate() throws {
        for condition in conditions {
            do { _ = try Condition(parsing: condition) } catch { throw ValidationError(error.description) }
        }
    }
}

/// The value of `--floor`: a number, or `chance` for the task's chance level; nil when not given.
func logisticFloor(_ option: String?, chance: Double?) throws(UserError) -> Double? {
    guard let option else { return nil }
    guard option == "chance" else { return NumberParsing.double(option) }
    guard let chance else {
        throw UserError("the task has no chance level in the data; give it with --floor VALUE (e.g. 0.25) or a 'chance' column at import")
    }
    return chance
}

/// Fails unless the selection holds exactly one curve, naming the curves it holds.
func requireOneCurve(_ series: [FitSeries], verb: String) throws(UserError) {
    guard series.count > 1 else { return }
    let listed = series.prefix(8).map { "\($0.task)/\($0.metric)" + ($0.shots.map { "/\($0)-shot" } ?? "") }
    throw UserError("the selection holds \(series.count) curves (\(listed.joined(separator: ", "))\(series.count > 8 ? ", …" : "")); "
        + "narrow it with --task, --metric and --shots, or \(verb) them all with --all-tasks")
}
