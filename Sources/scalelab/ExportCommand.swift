import ArgumentParser
import Foundation
import ScaleLabCore
import ScaleLabIO

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the selected observations as tidy CSV, JSON or JSON Lines.",
        discussion: """
            The output has the layout `import` reads, so an export re-imports to the same data.
            With -o the file is written to a temporary name and renamed when complete, so it is never
            left half-written.

            Examples:
              scalelab export --csv > all.csv
              scalelab export --json --task lambada_openai --metric acc
              scalelab export --csv --where 'params<=3e9' -o small.csv
            """
    )

    @Flag(help: "Output format (default: --csv).")
    var format: TidyExport.Format = .csv

    @Option(name: .shortAndLong, help: ArgumentHelp("Write to this file instead of stdout.", valueName: "file"))
    var output: String?

    @OptionGroup var selection: SelectionOptions
    @OptionGroup var database: DatabaseOptions

    func run() throws {
        let store = try database.open(.read)
        let data = try store.load(try selection.selection())
        guard let output else {
            let handle = FileHandle.standardOutput
            TidyExport.write(data, format: format) { handle.write(Data($0.utf8)) }
            return
        }
        var text = ""
        TidyExport.write(data, format: format) { text += $0 }
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
        } catch {
            throw UserError("cannot write \(output): \(error.localizedDescription)")
        }
        Terminal.note("wrote \(Show.count(data.count)) observations to \(output)")
    }
}

extension TidyExport.Format: EnumerableFlag {}
