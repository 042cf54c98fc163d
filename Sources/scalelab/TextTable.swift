/// A plain-text table: a header (a header cell may span lines, split at "\n"), aligned columns,
/// and column blocks wrapped to the terminal width (the leading `frozen` columns repeat in every
/// block), like a wide data frame in a REPL.
struct TextTable {
    enum Alignment { case left, right }

    var headers: [String]
    var alignments: [Alignment]
    var rows: [[String]] = []
    var frozen = 1

    init(headers: [String], alignments: [Alignment]? = nil) {
        self.headers = headers
        self.alignments = alignments ?? headers.indices.map { $0 == 0 ? .left : .right }
    }

    /// Adds a row; missing cells are blank and extra cells are dropped.
    mutating func append(_ row: [String]) {
        rows.append(Array((row + Array(repeating: "", count: max(0, headers.count - row.count))).prefix(headers.count)))
    }

    func render(width: Int = Terminal.width) -> String {
        let headerLines = headers.map { $0.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }
        let headerHeight = headerLines.map(\.count).max() ?? 1
        let widths = headers.indices.map { column in
            max(headerLines[column].map(\.count).max() ?? 0, rows.map { $0[column].count }.max() ?? 0)
        }
        let frozenWidth = (0..<min(frozen, headers.count)).reduce(0) { $0 + widths[$1] + 2 }
        var blocks: [[Int]] = []
        var current: [Int] = []
        var used = frozenWidth
        for column in frozen..<headers.count {
            if !current.isEmpty && used + widths[column] + 2 > width {
                blocks.append(current)
                current = []
                used = frozenWidth
            }
            current.append(column)
            used += widths[column] + 2
        }
        if !current.isEmpty || blocks.isEmpty { blocks.append(current) }

        var lines: [String] = []
        for (index, block) in blocks.enumerated() {
            if index > 0 { lines.append("") }
            let columns = Array(0..<min(frozen, headers.count)) + block
            func line(_ cells: [String]) -> String {
                columns.map { column in
                    let cell = cells[column]
                    let pad = String(repeating: " ", count: max(0, widths[column] - cell.count))
                    return alignments[column] == .left ? cell + pad : pad + cell
                }.joined(separator: "  ")
            }
            for level in 0..<headerHeight {
                // Header cells sit at the bottom of the header block.
                let offset = headerHeight - level
                lines.append(line(headerLines.map { $0.count >= offset ? $0[$0.count - offset] : "" }))
            }
            lines.append(columns.map { String(repeating: "─", count: widths[$0]) }.joined(separator: "  "))
            for row in rows { lines.append(line(row)) }
        }
        return lines.map { $0.replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression) }.joined(separator: "\n")
    }
}

import Foundation
