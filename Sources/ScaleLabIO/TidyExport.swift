import ScaleLabCore

/// Writes a dataset back out as tidy rows — the same layout the importers read, so an export
/// re-imports to the same dataset.
///
/// Columns appear only when some row has a value in them. Compute derived as 6·N·D is left out
/// (it is derived again on import, and stays marked as derived); compute that was given is kept.
/// Numbers are written as integers when whole, else with `Double.description`, the shortest text
/// that reads back bit for bit.
public enum TidyExport {
    public enum Format: String, CaseIterable, Sendable {
        case csv
        /// One JSON array of row objects.
        case json
        /// One row object per line (re-importable with `--format jsonl`).
        case jsonl
    }

    private enum Cell {
        case text(String)
        case number(Double)
        case integer(Int)
        case missing
    }

    private struct Column {
        var name: String
        var cell: (Dataset, Int) -> Cell
    }

    /// The dataset in the chosen format, streamed to `write` in chunks.
    public static func write(_ dataset: Dataset, format: Format, to write: (String) -> Void) {
        let columns = columns(for: dataset)
        switch format {
        case .csv:
            write(columns.map { csvQuoted($0.name) }.joined(separator: ",") + "\n")
            var chunk = ""
            chunk.reserveCapacity(1 << 16)
            for row in 0..<dataset.count {
                var first = true
                for column in columns {
                    if !first { chunk += "," }
                    first = false
                    switch column.cell(dataset, row) {
                    case .text(let text): chunk += csvQuoted(text)
                    case .number(let number): chunk += numberText(number)
                    case .integer(let integer): chunk += String(integer)
                    case .missing: break
                    }
                }
                chunk += "\n"
                if chunk.utf8.count > 60_000 { write(chunk); chunk.removeAll(keepingCapacity: true) }
            }
            write(chunk)
        case .json, .jsonl:
            if format == .json { write("[\n") }
            var chunk = ""
            for row in 0..<dataset.count {
                var members: [String] = []
                for column in columns {
                    switch column.cell(dataset, row) {
                    case .text(let text): members.append(ExtrasCoding.quote(column.name) + ":" + ExtrasCoding.quote(text))
                    case .number(let number): members.append(ExtrasCoding.quote(column.name) + ":" + numberText(number))
                    case .integer(let integer): members.append(ExtrasCoding.quote(column.name) + ":" + String(integer))
                    case .missing: break
                    }
                }
                chunk += "{" + members.joined(separator: ",") + "}"
                if format == .json && row + 1 < dataset.count { chunk += "," }
                chunk += "\n"
                if chunk.utf8.count > 60_000 { write(chunk); chunk.removeAll(keepingCapacity: true) }
            }
            if format == .json { chunk += "]\n" }
            write(chunk)
        }
    }

    public static func string(_ dataset: Dataset, format: Format) -> String {
        var out = ""
        write(dataset, format: format) { out += $0 }
        return out
    }

    private static func columns(for dataset: Dataset) -> [Column] {
        var columns: [Column] = []
        let models = dataset.models
        func modelColumn(_ name: String, _ value: @escaping (ModelInfo) -> Cell) {
            guard models.contains(where: { if case .missing = value($0) { return false } else { return true } }) else { return }
            columns.append(Column(name: name) { data, row in value(data.model(ofRow: row)) })
        }
        func number(_ value: Double?) -> Cell { value.map(Cell.number) ?? .missing }
        func integer(_ value: Int?) -> Cell { value.map(Cell.integer) ?? .missing }
        func text(_ value: String?) -> Cell { value.map(Cell.text) ?? .missing }

        modelColumn("family") { text($0.family) }
        modelColumn("model") { .text($0.name) }
        modelColumn("step") { integer($0.step) }
        modelColumn("params") { number($0.params) }
        modelColumn("params_nonembedding") { number($0.nonEmbeddingParams) }
        modelColumn("tokens") { number($0.tokens) }
        modelColumn("flops") { $0.flopsAreDerived ? .missing : number($0.flops) }
        modelColumn("model_seed") { integer($0.seed) }
        modelColumn("release_date") { text($0.releaseDate) }
        for name in Set(models.flatMap(\.attributes.keys)).sorted() {
            modelColumn(name) { number($0.attributes[name]) }
        }
        for name in Set(models.flatMap(\.labels.keys)).sorted() {
            modelColumn(name) { text($0.labels[name]) }
        }
        columns.append(Column(name: "task") { data, row in .text(data.task(ofRow: row).name) })
        if dataset.tasks.contains(where: { $0.suite != nil }) {
            columns.append(Column(name: "suite") { data, row in text(data.task(ofRow: row).suite) })
        }
        if dataset.tasks.contains(where: { $0.chance != nil }) {
            columns.append(Column(name: "chance") { data, row in number(data.task(ofRow: row).chance) })
        }
        columns.append(Column(name: "metric") { data, row in .text(data.metric(ofRow: row)) })
        columns.append(Column(name: "value") { data, row in .number(data.values[row]) })
        if dataset.stderrs.contains(where: { $0 != nil }) {
            columns.append(Column(name: "stderr") { data, row in number(data.stderrs[row]) })
        }
        if dataset.counts.contains(where: { $0 != nil }) {
            columns.append(Column(name: "n") { data, row in integer(data.counts[row]) })
        }
        if dataset.shots.contains(where: { $0 != nil }) {
            columns.append(Column(name: "shots") { data, row in integer(data.shots[row]) })
        }
        if dataset.seeds.contains(where: { $0 != nil }) {
            columns.append(Column(name: "seed") { data, row in integer(data.seeds[row]) })
        }
        for name in dataset.extraNumbers.keys.sorted() {
            columns.append(Column(name: name) { data, row in
                let value = data.extraNumbers[name]![row]
                return value.isNaN ? .missing : .number(value)
            })
        }
        for name in dataset.extraLabels.keys.sorted() {
            columns.append(Column(name: name) { data, row in text(data.extraLabels[name]![row]) })
        }
        return columns
    }

    /// Whole numbers below 10¹⁵ as integers (`70426624`, `0`), others as the shortest round-trip
    /// decimal; both read back to the identical Double.
    static func numberText(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return value.description
    }

    /// One CSV cell, quoted as RFC 4180 requires (for other writers of CSV).
    public static func csvQuotedCell(_ text: String) -> String { csvQuoted(text) }

    /// RFC 4180 quoting where needed; a leading `#` is quoted too, or the line would read as a comment.
    static func csvQuoted(_ text: String) -> String {
        let needs = text.utf8.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D }
            || text.hasPrefix("#") || text.hasPrefix(" ") || text.hasSuffix(" ")
        guard needs else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

import Foundation
