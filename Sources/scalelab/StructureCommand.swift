import ArgumentParser
import Foundation
import ScaleLabAnalysis
import ScaleLabCore
import ScaleLabIO

struct StructureCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "structure",
        abstract: "Can this task set support a scaling law? Overlap between tasks, and a scaling class per task with its evidence.",
        discussion: """
            Overlap (one metric and few-shot setting; choose with --metric and --shots): each task's
            scale trend (a quadratic in log x, plus a family offset with several families) is removed,
            the residuals are correlated across models, and the effective number of independent tasks
            is the participation ratio T²/Σρ² of that correlation matrix (squared correlations
            corrected for the few models), with a bootstrap interval over models. Then clusters of
            co-moving tasks, co-emerging groups (tasks whose largest jump falls between the same two
            adjacent models, the sha256^n pattern), and a warning when a few clusters carry most of
            the aggregate score's variance.

            Classes (every curve of the selection): smooth, emergent, inverse, u-shaped, at-chance,
            saturated or too-noisy, each decided by tests against the scores' noise (stderr, else the
            binomial noise of the item count) and AICc comparisons of smooth and step laws; the
            evidence lists every test with its numbers (--json has them all). At-chance needs the
            task's chance level: from the data (a 'chance' column at import) or --chance.

            Examples:
              scalelab structure --metric acc --shots 0 --where step=143000
              scalelab structure --metric acc --shots 0 --chance 'hendrycksTest-*=0.25' --chance 'arc_*=0.25'
              scalelab structure --metric score --where moe=0 --x flops --json
            """
    )

    @Option(name: .long, help: ArgumentHelp("Only tasks of this suite (a 'suite' column at import); name or glob; repeatable.", valueName: "name"))
    var suite: [String] = []

    @Option(name: .long, help: ArgumentHelp(
        "Chance level for tasks without one: VALUE for all, or TASK=VALUE (TASK a name or glob); repeatable, the first match wins.",
        valueName: "[task=]value"))
    var chance: [String] = []

    @Option(name: .long, help: "Bootstrap replicates (over models) for the effective number of tasks.")
    var bootstrap = 1000

    @Option(name: .long, help: "Seed of the bootstrap.")
    var seed: UInt64 = 42

    @Option(name: .customLong("cluster-correlation"), help: ArgumentHelp(
        "Clusters are cut where the average de-trended correlation between two groups of tasks falls below this.", valueName: "r"))
    var clusterCorrelation = 0.5

    @Flag(name: .customLong("classes-only"), help: "Only the scaling classes (no overlap analysis).")
    var classesOnly = false

    @Option(name: .long, help: "Evidence lines to print under each task's verdict (all of them with --json).")
    var evidence = 0

    @Flag(name: .long, help: "Print JSON (the overlap report and every classification with its statistics).")
    var json = false

    @Flag(name: .long, help: "Print the classes as CSV (task, metric, shots, class, verdict).")
    var csv = false

    @OptionGroup var selection: SelectionOptions
    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        _ = try chanceRules()
        guard bootstrap >= 0 else { throw ValidationError("--bootstrap must be 0 (no interval) or more") }
        guard clusterCorrelation > 0 && clusterCorrelation < 1 else { throw ValidationError("--cluster-correlation must lie in (0, 1), e.g. 0.5") }
        guard evidence >= 0 else { throw ValidationError("--evidence must be 0 or more") }
        if json && csv { throw ValidationError("choose one of --json and --csv") }
    }

    /// `--chance` as (pattern, value) rules; a bare value is the rule for every task.
    private func chanceRules() throws -> [(pattern: String, value: Double)] {
        try chance.map { rule in
            let parts = rule.split(separator: "=", maxSplits: 1).map(String.init)
            let pattern = parts.count == 2 ? parts[0] : "*"
            guard let value = NumberParsing.double(parts.last ?? ""), value >= 0, value < 1 else {
                throw ValidationError("--chance '\(rule)': give a level in [0, 1), e.g. 0.25 or 'hendrycksTest-*=0.25'")
            }
            return (pattern, value)
        }
    }

    func run() async throws {
        let xAxis = XAxis(selection.x ?? "params")
        var chosen = try selection.selection()
        chosen.x = xAxis
        var data = try database.open(.read).load(chosen)
        if !suite.isEmpty {
            let suites = Set(data.tasks.compactMap(\.suite))
            guard !suites.isEmpty else {
                throw UserError("no task has a suite in this database (import a 'suite' column); select tasks with --task 'glob' or --where instead")
            }
            let rows = (0..<data.count).filter { row in
                data.task(ofRow: row).suite.map { name in suite.contains { globMatches($0, name) } } ?? false
            }
            guard !rows.isEmpty else {
                throw UserError("no task belongs to suite \(suite.joined(separator: ", ")); suites here: \(suites.sorted().prefix(12).joined(separator: ", "))")
            }
            data = data.subset(rows: rows)
        }
        let rules = try chanceRules()
        func chanceLevel(_ task: String, _ known: Double?) -> Double? {
            known ?? rules.first { globMatches($0.pattern, task) }?.value
        }

        var curves = data.taskCurves(x: xAxis)
        guard !curves.isEmpty else { throw UserError("no observations with \(xAxis) in the selection") }
        for index in curves.indices { curves[index].chance = chanceLevel(curves[index].task, curves[index].chance) }
        Terminal.note("classifying \(curves.count) curve\(curves.count == 1 ? "" : "s") …")
        let classes = await ScalingClassifier.classify(curves)

        var overlap: OverlapReport?
        var overlapSkipped: String?
        var matrixDropped: [String] = []
        if classesOnly {
            overlapSkipped = "--classes-only"
        } else {
            do {
                var matrix = try data.taskMatrix(x: xAxis)
                matrix.chance = zip(matrix.tasks, matrix.chance).map { chanceLevel($0, $1) }
                matrixDropped = matrix.dropped
                Terminal.note("overlap of \(matrix.tasks.count) tasks on \(matrix.models.count) models, \(bootstrap) bootstrap replicates …")
                overlap = try TaskOverlap.analyse(matrix, options: OverlapOptions(replicates: bootstrap, seed: seed, clusterCorrelation: clusterCorrelation))
            } catch let error as TaskMatrixError {
                overlapSkipped = error.description
            } catch let error as OverlapError {
                overlapSkipped = error.description
            }
        }

        if json {
            try Terminal.json(StructureReport(x: xAxis.description, overlap: overlap, overlapSkipped: overlapSkipped,
                                              modelsOrTasksDropped: matrixDropped, classes: classes))
            return
        }
        if csv {
            let rows = [["task", "metric", "shots", "class", "verdict"]]
                + classes.map { [$0.task, $0.metric, $0.shots.map(String.init) ?? "", $0.scalingClass.rawValue, $0.verdict] }
            Terminal.out(rows.map { $0.map(TidyExport.csvQuotedCell).joined(separator: ",") }.joined(separator: "\n"))
            return
        }
        if let overlap {
            Terminal.out(StructureText.overlap(overlap, x: xAxis.description, dropped: matrixDropped))
        } else if let overlapSkipped, !classesOnly {
            Terminal.out("overlap not analysed: \(overlapSkipped)\n")
        }
        Terminal.out(StructureText.classes(classes, curves: curves, evidence: evidence))
    }
}

/// `structure --json`.
struct StructureReport: Encodable {
    var x: String
    var overlap: OverlapReport?
    var overlapSkipped: String?
    var modelsOrTasksDropped: [String]
    var classes: [TaskClassification]
}
