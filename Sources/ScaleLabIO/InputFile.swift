import Foundation
import ScaleLabCore

/// The bytes of one input file, read whole after checks that turn the usual mistakes — a path
/// that does not exist, a directory, an empty or binary file — into messages saying what to fix.
public struct InputFile: Sendable {
    public let path: String
    public let bytes: [UInt8]

    /// Kinds of content recognised by their first bytes, to name them in messages.
    enum Signature {
        case zip, gzip, zstd, sqlite, text, binary
    }

    public init(path: String) throws(DataError) {
        self.path = path
        let location = SourceLocation(file: path)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw DataError(location, "no such file; check the path")
        }
        if isDirectory.boolValue {
            throw DataError(location, "is a directory; name the files inside it (e.g. \(path)/*.json)")
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw DataError(location, "cannot be read (permissions?)")
        }
        defer { try? handle.close() }
        let data: Data
        do {
            data = try handle.readToEnd() ?? Data()  // nil: nothing before the end of the file
        } catch {
            throw DataError(location, "cannot be read: \(error.localizedDescription)")
        }
        guard !data.isEmpty else { throw DataError(location, "is empty") }
        bytes = [UInt8](data)
    }

    /// For tests and embedded data.
    public init(path: String, bytes: [UInt8]) {
        self.path = path
        self.bytes = bytes
    }

    var signature: Signature {
        if bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) { return .zip }
        if bytes.starts(with: [0x1F, 0x8B]) { return .gzip }
        if bytes.starts(with: [0x28, 0xB5, 0x2F, 0xFD]) { return .zstd }
        if bytes.starts(with: Array("SQLite format 3\0".utf8)) { return .sqlite }
        let head = bytes.prefix(65_536)
        if head.contains(0) { return .binary }
        // A cut in the middle of a multi-byte character at the end of the sample is not an error.
        var sample = Array(head)
        while let last = sample.last, last & 0xC0 == 0x80 || last >= 0xC0, sample.count > head.count - 4 { sample.removeLast() }
        if String(validating: sample, as: UTF8.self) == nil && bytes.count > 0 { return .binary }
        return .text
    }

    /// Fails unless the file is text, with a message naming what it is instead.
    func requireText() throws(DataError) {
        let location = SourceLocation(file: path)
        switch signature {
        case .text: return
        case .zip:
            if path.hasSuffix(".eval") {
                throw DataError(location, "is an Inspect .eval log (a zip archive); ScaleLab reads Inspect logs in JSON: convert it with `inspect log convert --to json \(path)`")
            }
            throw DataError(location, "is a zip archive, not a table or log; unzip it and import the files inside")
        case .gzip, .zstd: throw DataError(location, "is compressed; decompress it first")
        case .sqlite: throw DataError(location, "is a SQLite database, not an input file; use it with --db")
        case .binary: throw DataError(location, "is a binary file, not text (CSV, JSON Lines, lm-eval JSON or Inspect JSON)")
        }
    }

    /// The whole file as UTF-8, or a problem naming the line with invalid bytes.
    func validatedUTF8() throws(DataError) {
        try requireText()
        if !isValidUTF8(bytes) {
            var line = 1
            var index = 0
            while index < bytes.count {
                let end = bytes[index...].firstIndex(of: 0x0A) ?? bytes.count
                if String(validating: bytes[index..<end], as: UTF8.self) == nil {
                    throw DataError(SourceLocation(file: path, line: line), "the line is not valid UTF-8; save the file as UTF-8")
                }
                index = end + 1
                line += 1
            }
        }
    }
}

/// Whether bytes are well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, ≤ U+10FFFF),
/// checked without building a String. ASCII runs, almost all of a results table, take the fast path.
func isValidUTF8(_ bytes: [UInt8]) -> Bool {
    bytes.withUnsafeBufferPointer { buffer in
        var index = 0
        let count = buffer.count
        while index < count {
            let lead = buffer[index]
            if lead < 0x80 { index += 1; continue }
            let length: Int
            var minimum: UInt32
            var scalar: UInt32
            switch lead {
            case 0xC2...0xDF: length = 2; minimum = 0x80; scalar = UInt32(lead & 0x1F)
            case 0xE0...0xEF: length = 3; minimum = 0x800; scalar = UInt32(lead & 0x0F)
            case 0xF0...0xF4: length = 4; minimum = 0x10000; scalar = UInt32(lead & 0x07)
            default: return false
            }
            guard index + length <= count else { return false }
            for offset in 1..<length {
                let byte = buffer[index + offset]
                guard byte & 0xC0 == 0x80 else { return false }
                scalar = scalar << 6 | UInt32(byte & 0x3F)
            }
            if scalar < minimum || scalar > 0x10FFFF || (0xD800...0xDFFF).contains(scalar) { return false }
            index += length
        }
        return true
    }
}
