import ScaleLabCore

/// Reads RFC 4180 CSV from UTF-8 bytes, one record at a time, without copying cells.
///
/// Quoted cells may hold commas, doubled quotes and line breaks. A line whose first character is
/// `#` (outside a quoted cell) is a comment, as in the provenance headers of `shared/data`; blank
/// lines are skipped. Line numbers are 1-based and count every physical line, so messages point at
/// the line an editor shows.
struct CSVReader {
    struct SyntaxError: Error {
        var line: Int
        var message: String
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    private let delimiter: UInt8
    private var position = 0
    private var line = 1

    init(_ bytes: UnsafeBufferPointer<UInt8>, delimiter: UInt8 = UInt8(ascii: ",")) {
        self.bytes = bytes
        self.delimiter = delimiter
        // A UTF-8 byte-order mark is not part of the first column's name.
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { position = 3 }
    }

    /// Fills `row` with the next record; false at the end of the input.
    mutating func next(into row: inout TabularRow) throws(SyntaxError) -> Bool {
        row.ranges.removeAll(keepingCapacity: true)
        row.escaped.removeAll(keepingCapacity: true)
        row.base = bytes
        // Skip blank and comment lines.
        while position < bytes.count {
            let byte = bytes[position]
            if byte == 0x0A { position += 1; line += 1; continue }
            if byte == 0x0D && position + 1 < bytes.count && bytes[position + 1] == 0x0A { position += 2; line += 1; continue }
            if byte == UInt8(ascii: "#") {
                while position < bytes.count && bytes[position] != 0x0A { position += 1 }
                continue
            }
            break
        }
        guard position < bytes.count else { return false }
        row.line = line
        while true {
            if position < bytes.count && bytes[position] == UInt8(ascii: "\"") {
                let openedOn = line
                position += 1
                let start = position
                var hasEscapes = false
                while true {
                    guard position < bytes.count else {
                        throw SyntaxError(line: openedOn, message: "a quoted cell opened on this line is never closed")
                    }
                    let byte = bytes[position]
                    if byte == UInt8(ascii: "\"") {
                        if position + 1 < bytes.count && bytes[position + 1] == UInt8(ascii: "\"") {
                            hasEscapes = true
                            position += 2
                            continue
                        }
                        break
                    }
                    if byte == 0x0A { line += 1 }
                    position += 1
                }
                row.ranges.append(start..<position)
                row.escaped.append(hasEscapes)
                position += 1  // closing quote
                // Anything between the closing quote and the delimiter is kept out of the cell.
                while position < bytes.count && bytes[position] != delimiter && bytes[position] != 0x0A { position += 1 }
            } else {
                let start = position
                while position < bytes.count && bytes[position] != delimiter && bytes[position] != 0x0A { position += 1 }
                var end = position
                if end > start && bytes[end - 1] == 0x0D { end -= 1 }
                row.ranges.append(start..<end)
                row.escaped.append(false)
            }
            if position < bytes.count && bytes[position] == delimiter {
                position += 1
                continue
            }
            if position < bytes.count { position += 1; line += 1 }  // newline
            return true
        }
    }
}
