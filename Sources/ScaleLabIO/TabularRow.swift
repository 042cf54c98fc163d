import ScaleLabCore

/// One row of a table read from CSV or JSON Lines: cells as byte ranges into a buffer, so that a
/// row is examined without allocating a String per cell.
struct TabularRow {
    var line: Int
    var base: UnsafeBufferPointer<UInt8>
    /// Cell `i`'s bytes; an empty range when the row has no such cell.
    var ranges: [Range<Int>]
    /// Whether cell `i` was quoted and holds doubled quotes that must be collapsed.
    var escaped: [Bool]

    var count: Int { ranges.count }

    func bytes(_ column: Int) -> UnsafeBufferPointer<UInt8> {
        guard column < ranges.count else { return UnsafeBufferPointer(start: nil, count: 0) }
        return UnsafeBufferPointer(rebasing: base[ranges[column]])
    }

    /// Cell `column`'s range without surrounding spaces (empty when the cell is empty or absent).
    func trimmedRange(_ column: Int) -> Range<Int> {
        guard column < ranges.count else { return 0..<0 }
        var range = ranges[column]
        while !range.isEmpty, base[range.lowerBound] == 0x20 || base[range.lowerBound] == 0x09 { range = range.dropFirst() }
        while !range.isEmpty, base[range.upperBound - 1] == 0x20 || base[range.upperBound - 1] == 0x09 || base[range.upperBound - 1] == 0x0D {
            range = range.dropLast()
        }
        return range
    }

    /// The cell as text with surrounding spaces removed, nil when empty or absent.
    func text(_ column: Int) -> String? {
        let range = trimmedRange(column)
        if range.isEmpty { return nil }
        let raw = String(decoding: UnsafeBufferPointer(rebasing: base[range]), as: UTF8.self)
        return escaped[column] ? raw.replacingOccurrences(of: "\"\"", with: "\"") : raw
    }

    /// The id of the cell's text in `interner`, nil when empty or absent.
    func interned(_ column: Int, in interner: inout ByteInterner) -> Int32? {
        let range = trimmedRange(column)
        if range.isEmpty { return nil }
        if escaped[column] { return interner.intern(text(column)!) }
        return interner.intern(UnsafeBufferPointer(rebasing: base[range]))
    }

    func number(_ column: Int) -> NumberParsing.Result {
        NumberParsing.parse(bytes(column))
    }

    /// Whether cells `columns` hold the same bytes here and in `other`.
    func sameCells(_ columns: [Int], as other: TabularRow) -> Bool {
        for column in columns {
            let a = bytes(column), b = other.bytes(column)
            if a.count != b.count { return false }
            if a.count > 0, memcmp(a.baseAddress!, b.baseAddress!, a.count) != 0 { return false }
        }
        return true
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif
import Foundation
