import ArgumentParser
import Foundation
import ScaleLabCore
import ScaleLabIO

struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run ScaleLab on its embedded Pythia data, in a fresh database in a temporary folder.",
        discussion: """
            Loads the final-checkpoint zero-shot evaluations of the 15 Pythia models (70M–12B
            parameters, 87 tasks; EleutherAI/pythia, Apache-2.0) into a new database and prints the
            task × model table of one metric. Nothing outside the temporary folder is touched.

            Examples:
              scalelab demo
              scalelab demo --metric acc_norm --keep
            """
    )

    @Option(name: .long, help: "The metric to tabulate.")
    var metric = "acc"

    @Flag(name: .long, help: "Keep the temporary database and print its path.")
    var keep = false

    @Flag(name: .long, help: "Print the table as JSON (task → model → value).")
    var json = false

    func run() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("scalelab-demo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { if !keep { try? FileManager.default.removeItem(at: folder) } }
        let path = folder.appendingPathComponent("scalelab.sqlite").path

        var builder = DatasetBuilder()
        try Importer.read(InputFile(path: DemoFixture.name, bytes: Array(DemoFixture.csv.utf8)), format: .csv, into: &builder)
        let dataset = try builder.build()
        let store = try Store(path: path, mode: .create)
        let summary = try store.importDataset(dataset, onConflict: .fail, sources: [DemoFixture.name])
        let data = try store.load(Selection(metrics: [metric]))

        let models = data.models.indices.sorted {
            (data.models[$0].params ?? 0, data.models[$0].name) < (data.models[$1].params ?? 0, data.models[$1].name)
        }
        var value = [[Double?]](repeating: [Double?](repeating: nil, count: data.models.count), count: data.tasks.count)
        for row in 0..<data.count { value[Int(data.taskIndex[row])][Int(data.modelIndex[row])] = data.values[row] }
        let largest = models.last!
        let tasks = data.tasks.indices.sorted { (value[$0][largest] ?? -1, data.tasks[$1].name) > (value[$1][largest] ?? -1, data.tasks[$0].name) }

        if json {
            var table: [String: [String: Double]] = [:]
            for task in tasks {
                var row: [String: Double] = [:]
                for model in models { if let v = value[task][model] { row[data.models[model].name] = v } }
                table[data.tasks[task].name] = row
            }
            try Terminal.json(table)
            return
        }

        let names = models.map { data.models[$0].name }
        let prefix = commonPrefix(names)
        // Two-line headers ("1.4b" over "deduped") keep the columns as narrow as the scores.
        let labels = names.map { String($0.dropFirst(prefix.count)).replacingOccurrences(of: "-", with: "\n") }
        var table = TextTable(headers: ["task"] + labels)
        for task in tasks {
            table.append([data.tasks[task].name] + models.map { model in value[task][model].map { Show.score($0) } ?? "—" })
        }
        let means = models.map { model -> String in
            let column = tasks.compactMap { value[$0][model] }
            return column.isEmpty ? "—" : Show.score(column.reduce(0, +) / Double(column.count))
        }
        table.append(["mean of \(tasks.count) tasks"] + means)

        let sizes = models.compactMap { data.models[$0].params }
        Terminal.out("""
            ScaleLab demo — Pythia suite, final checkpoint (step 143000), zero-shot
            \(Show.count(summary.observationsAdded)) observations imported into a fresh database; \
            \(data.models.count) models from \(Show.size(sizes.min()))\u{2009}to \(Show.size(sizes.max())) parameters, \
            \(data.tasks.count) tasks with metric '\(metric)'.
            Rows sorted by the largest model's score; columns by size\
            \(prefix.isEmpty ? "" : " (model names without '\(prefix)')").

            """)
        Terminal.out(table.render())
        if keep {
            Terminal.out("\nThe database is kept at \(path); try: scalelab list models --db \(path)")
        }
    }

    private func commonPrefix(_ names: [String]) -> String {
        guard var prefix = names.first else { return "" }
        for name in names.dropFirst() {
            while !name.hasPrefix(prefix) { prefix.removeLast() }
        }
        // Cut back to a separator so no column header starts mid-word.
        while let last = prefix.last, !"-_/. ".contains(last) { prefix.removeLast() }
        return prefix
    }
}
