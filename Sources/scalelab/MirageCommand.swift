import ArgumentParser
import Foundation
import ScaleLabAnalysis
import ScaleLabCore
import ScaleLabIO

struct MirageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mirage",
        abstract: "Does a task's jump survive a continuous metric? Re-score its per-item results and check what its item count can resolve.",
        discussion: """
            Emergence often appears under exact-match or multiple-choice accuracy and vanishes under a
            continuous metric of the same answers (Schaeffer, Miranda & Koyejo 2023). From the task's
            per-item results (imported from Inspect logs or lm-evaluation-harness samples) every model
            is re-scored with: accuracy, mean target log-probability, target probability, the Brier
            score of producing the target, per-token probability (with target token counts) and token
            edit distance (with targets). Each curve gets a jump statistic (the largest step's share of
            the total change against its share of log x) and a scaling class (see `scalelab structure`);
            the verdict says whether accuracy's jump is a mirage (a continuous metric is smooth) or
            persists.

            Too few items: with n items the smallest accuracy above 0 is 1/n, and 0 of n correct
            leaves the true rate anywhere up to 1 − 0.05^(1/n) ≈ 3/n. For every model scoring 0, its own
            log-probabilities give the rate a smoothly improving model would show; when fewer than 3
            correct answers were expected, the zero is no evidence the ability is absent.

            The models need an x (--x, default params): import model metadata with the results.

            Examples:
              scalelab mirage --task task_families_demo
              scalelab mirage --task arithmetic_3da --x flops --common-items --json
            """
    )

    @Option(name: .long, help: "Chance level of the task's accuracy (default: the task's, when the data give one).")
    var chance: Double?

    @Flag(name: .customLong("common-items"), help: "Score every model on the items all models answered.")
    var commonItems = false

    @Flag(name: .long, help: "Print JSON (every metric's curve, jump statistic and class, and the zero checks).")
    var json = false

    @OptionGroup var selection: SelectionOptions
    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        if let chance, !(chance >= 0 && chance < 1) { throw ValidationError("--chance must lie in [0, 1), e.g. 0.25 for four options") }
    }

    func run() async throws {
        let xAxis = XAxis(selection.x ?? "params")
        let chosen = try selection.selection()
        let data = try database.open(.read).load(chosen)
        let tasks = Set(data.itemResults.map(\.task)).sorted()
        guard !tasks.isEmpty else {
            throw UserError("the selection has no per-item results; import Inspect logs (.eval or .json) or lm-evaluation-harness samples, "
                + "which carry one row per test item")
        }
        guard tasks.count == 1, let task = tasks.first else {
            throw UserError("per-item results of \(tasks.count) tasks (\(tasks.prefix(6).joined(separator: ", "))\(tasks.count > 6 ? ", …" : "")); choose one with --task")
        }
        var x: [ModelKey: Double] = [:]
        for model in data.models {
            if let value = model.value(on: xAxis), value.isFinite, value > 0 { x[model.key] = value }
        }
        let items = data.itemResults.filter { $0.task == task }
        let answered = Set(items.map(\.model))
        guard answered.contains(where: { x[$0] != nil }) else {
            throw UserError("no model with items on \(task) has a positive \(xAxis) (\(answered.map(\.description).sorted().prefix(4).joined(separator: ", "))); "
                + "import the models' sizes (a models file with name and params) or choose another --x")
        }
        let known = data.tasks.first { $0.name == task }?.chance
        let report = MirageAnalysis.analyse(items: items, x: x, chance: chance ?? known, commonItemsOnly: commonItems)
        let classes = await ScalingClassifier.classify(report.metrics.map(\.curve))
        if json {
            try Terminal.json(MirageOutput(report: report, classes: classes))
            return
        }
        Terminal.out(MirageText.render(report, classes: classes, x: xAxis.description))
    }
}

/// `mirage --json`: the report and the class of each metric's curve, in the same order.
struct MirageOutput: Encodable {
    var report: MirageReport
    var classes: [TaskClassification]
}

enum MirageText {
    static func render(_ report: MirageReport, classes: [TaskClassification], x: String) -> String {
        var lines = ["\(report.task): \(report.verdict.rawValue) — \(report.explanation)", ""]
        var table = TextTable(headers: ["metric", "models", "curve", "largest step", "between", "class"],
                              alignments: [.left, .right, .left, .right, .left, .left])
        table.frozen = 6
        for (curve, kind) in zip(report.metrics, classes) {
            let step = curve.jump.map { String(format: "%.0f%% (%.1f×)", $0.largestStepShare * 100, $0.concentration) + ($0.isJump ? " jump" : "") } ?? "—"
            let between = curve.jump.map { "\(Show.size($0.fromX)) → \(Show.size($0.toX))" } ?? "—"
            table.append([curve.metric.rawValue, String(curve.models.count), Show.sparkline(x: curve.curve.x, y: curve.curve.y), step, between,
                          kind.scalingClass.rawValue])
        }
        lines.append(table.render())
        let resolution = report.resolution
        if resolution.items > 0 {
            lines.append("")
            lines.append("items: \(resolution.items) per model at least; the smallest accuracy above 0 is \(Show.score(resolution.smallestResolvableAccuracy, digits: 4)), "
                + "and 0 correct leaves the true rate up to \(Show.score(resolution.zeroUpperBound95, digits: 4)) (95%)")
            for zero in resolution.zeros { lines.append("  \(zero.model) (\(x) \(Show.size(zero.x))): \(zero.explanation)") }
        }
        for note in report.notes { lines.append("note: \(note)") }
        return lines.joined(separator: "\n")
    }
}
