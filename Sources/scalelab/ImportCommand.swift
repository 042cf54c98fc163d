import ArgumentParser
import Foundation
import ScaleLabCore
import ScaleLabIO

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import evaluation results into the database, all files in one transaction.",
        discussion: """
            Formats (detected from the file, or set with --format):
              csv      tidy CSV, one observation per row; needs model, task, metric, value;
                       optional stderr, n, shots, seed, family, step, params, params_nonembedding,
                       tokens, flops, release_date and any other column ('#' lines are comments)
              jsonl    the same rows as JSON objects, one per line
              lm-eval  lm-evaluation-harness results JSON (old 'acc' or new 'acc,none' keys)
              inspect  Inspect evaluation logs in JSON, with per-sample scores

            Harness logs carry no model sizes: attach them with --models FILE, a CSV or YAML with
            model, params, tokens, … and optional aliases (names the logs use for the model).

            Every file is checked before anything is written; any problem (listed with file, line
            and column) or conflict with stored rows leaves the database exactly as it was.
            Re-importing identical rows changes nothing.

            Examples:
              scalelab import ../shared/data/pythia_evals.csv
              scalelab import results/*.json --models sizes.yaml
              scalelab import new_run.csv --on-conflict replace
              scalelab import suspicious.csv --dry-run
            """
    )

    @Argument(help: ArgumentHelp("Files to import.", valueName: "file"))
    var files: [String] = []

    @Option(name: .long, help: "The input format (default: detected per file).")
    var format: ImportFormat?

    @Option(name: .long, help: ArgumentHelp("Model metadata (CSV or YAML) attaching sizes to model names.", valueName: "file"))
    var models: String?

    @Option(name: .customLong("on-conflict"), help: "When a row's key is stored with different content: fail (default), replace or skip.")
    var onConflict: ConflictPolicy = .fail

    @Flag(name: .customLong("dry-run"), help: "Check the files and report what would be imported, without writing.")
    var dryRun = false

    @Flag(name: .long, help: "Print the summary as JSON.")
    var json = false

    @Flag(name: .shortAndLong, help: "No progress on stderr.")
    var quiet = false

    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        if files.isEmpty {
            throw ValidationError("name at least one file to import, e.g. `scalelab import results.csv`")
        }
    }

    struct Report: Encodable {
        var database: String
        var files: [String: String]
        var dryRun: Bool
        var observations: Int
        var models: Int
        var tasks: Int
        var metrics: Int
        var itemResults: Int
        var modelsWithoutSize: [String]
        var summary: ImportSummary?
        var seconds: Double
    }

    func run() throws {
        let start = Date()
        var directory = ModelDirectory()
        if let models {
            directory = try ModelMetadataReader.read(try InputFile(path: models))
        }
        var builder = DatasetBuilder(directory: directory)
        var formats: [String: String] = [:]
        var unreadable = ProblemLog()
        for file in files {
            do throws(DataError) {
                let input = try InputFile(path: file)
                if !quiet { Terminal.note("reading \(file) (\(Show.size(Double(input.bytes.count)))B)…") }
                let before = builder.observationCount
                let format = try Importer.read(input, format: format, into: &builder)
                formats[file] = format.rawValue
                if !quiet { Terminal.note("  \(format): \(Show.count(builder.observationCount - before)) observations") }
            } catch {
                unreadable.add(contentsOf: error)
            }
        }
        for problem in builder.problems.problems { unreadable.add(problem.location, problem.message) }
        try unreadable.check()
        let dataset = try builder.build()

        let missingSize = dataset.models.filter { $0.params == nil && $0.tokens == nil && $0.flops == nil }.map(\.key.description)
        var summary: ImportSummary?
        if !dryRun && (!dataset.isEmpty || !dataset.itemResults.isEmpty) {
            let store = try database.open(.create)
            summary = try store.importDataset(dataset, onConflict: onConflict, sources: files)
        }

        let report = Report(
            database: database.path, files: formats, dryRun: dryRun, observations: dataset.count,
            models: dataset.models.count, tasks: dataset.tasks.count, metrics: dataset.metrics.count,
            itemResults: dataset.itemResults.count, modelsWithoutSize: missingSize, summary: summary,
            seconds: Date().timeIntervalSince(start))
        if json {
            try Terminal.json(report)
            return
        }
        let what = "\(Show.count(dataset.count)) observations (\(dataset.models.count) models, \(dataset.tasks.count) tasks, \(dataset.metrics.count) metrics"
            + (dataset.itemResults.isEmpty ? "" : ", \(Show.count(dataset.itemResults.count)) item results") + ")"
        if dryRun {
            Terminal.out("dry run: \(what) are valid; nothing was written")
        } else if let summary {
            var parts = ["\(Show.count(summary.observationsAdded)) added"]
            if summary.observationsUnchanged > 0 { parts.append("\(Show.count(summary.observationsUnchanged)) already stored") }
            if summary.observationsReplaced > 0 { parts.append("\(Show.count(summary.observationsReplaced)) replaced") }
            if summary.observationsSkipped > 0 { parts.append("\(Show.count(summary.observationsSkipped)) skipped (kept the stored values)") }
            Terminal.out("imported \(what) into \(database.path): " + parts.joined(separator: ", ")
                         + String(format: " in %.2f s", report.seconds))
        }
        if !missingSize.isEmpty {
            let shown = missingSize.prefix(5).joined(separator: ", ") + (missingSize.count > 5 ? ", …" : "")
            Terminal.note("note: \(missingSize.count) model\(missingSize.count == 1 ? " has" : "s have") no size (\(shown)); attach sizes with --models FILE to fit laws against them")
        }
    }
}

extension ImportFormat: ExpressibleByArgument {}
extension ConflictPolicy: ExpressibleByArgument {}
