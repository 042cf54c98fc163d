/// A strict JSON parser (RFC 8259) over UTF-8 bytes that reports the line and column of the first
/// error, so a truncated or hand-edited results file can be fixed at the right place.
///
/// Accepted beyond the RFC: the bare words `NaN`, `Infinity` and `-Infinity` that Python's `json`
/// module writes for non-finite floats; they are read as numbers so that the importer can reject
/// them with a message about the value rather than about syntax.
public struct JSONParser {
    public struct SyntaxError: Error, Sendable, CustomStringConvertible {
        public var line: Int
        public var column: Int
        public var message: String
        public var description: String { "line \(line), column \(column): \(message)" }
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    private var position = 0
    private var line = 1
    private var lineStart = 0
    private var depth = 0
    private static let maximumDepth = 512

    private init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    /// Parses one complete document; trailing non-space content is an error.
    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>, firstLine: Int = 1) throws(SyntaxError) -> JSONValue {
        var parser = JSONParser(bytes)
        parser.line = firstLine
        parser.skipSpace()
        let value = try parser.parseValue()
        parser.skipSpace()
        if parser.position < bytes.count { throw parser.error("unexpected content after the JSON value") }
        return value
    }

    public static func parse(_ text: String) throws(SyntaxError) -> JSONValue {
        var copy = text
        let result: Result<JSONValue, SyntaxError> = copy.withUTF8 { buffer in
            do throws(SyntaxError) { return .success(try parse(buffer)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    private func error(_ message: String) -> SyntaxError {
        SyntaxError(line: line, column: position - lineStart + 1, message: message)
    }

    private mutating func skipSpace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0D: position += 1
            case 0x0A:
                position += 1
                line += 1
                lineStart = position
            default: return
            }
        }
    }

    private mutating func parseValue() throws(SyntaxError) -> JSONValue {
        guard position < bytes.count else { throw error("the document ends where a value was expected (truncated file?)") }
        switch bytes[position] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectWord("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectWord("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectWord("null"); return .null
        case UInt8(ascii: "N"): try expectWord("NaN"); return .number("nan")
        case UInt8(ascii: "I"): try expectWord("Infinity"); return .number("inf")
        case UInt8(ascii: "-") where position + 1 < bytes.count && bytes[position + 1] == UInt8(ascii: "I"):
            position += 1
            try expectWord("Infinity")
            return .number("-inf")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw error("unexpected character '\(Character(Unicode.Scalar(bytes[position])))' where a value was expected")
        }
    }

    private mutating func expectWord(_ word: StaticString) throws(SyntaxError) {
        let length = word.utf8CodeUnitCount
        guard position + length <= bytes.count else { throw error("the document ends inside '\(word)' (truncated file?)") }
        for offset in 0..<length where bytes[position + offset] != word.utf8Start[offset] {
            throw error("invalid literal; expected '\(word)'")
        }
        position += length
    }

    private mutating func enter() throws(SyntaxError) {
        depth += 1
        if depth > JSONParser.maximumDepth { throw error("nesting deeper than \(JSONParser.maximumDepth) levels") }
    }

    private mutating func parseObject() throws(SyntaxError) -> JSONValue {
        try enter()
        position += 1
        var object = JSONObject()
        skipSpace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "}") {
            position += 1
            depth -= 1
            return .object(object)
        }
        while true {
            skipSpace()
            guard position < bytes.count else { throw error("the document ends inside an object (truncated file?)") }
            guard bytes[position] == UInt8(ascii: "\"") else { throw error("expected a quoted member name") }
            let keyLine = line
            let key = try parseString()
            skipSpace()
            guard position < bytes.count else { throw error("the document ends inside an object (truncated file?)") }
            guard bytes[position] == UInt8(ascii: ":") else { throw error("expected ':' after member name \"\(key)\"") }
            position += 1
            skipSpace()
            object.set(key, try parseValue(), line: keyLine)
            skipSpace()
            guard position < bytes.count else { throw error("the document ends inside an object (truncated file?)") }
            if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
            if bytes[position] == UInt8(ascii: "}") { position += 1; break }
            throw error("expected ',' or '}' in an object")
        }
        depth -= 1
        return .object(object)
    }

    private mutating func parseArray() throws(SyntaxError) -> JSONValue {
        try enter()
        position += 1
        var array: [JSONValue] = []
        skipSpace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "]") {
            position += 1
            depth -= 1
            return .array(array)
        }
        while true {
            skipSpace()
            array.append(try parseValue())
            skipSpace()
            guard position < bytes.count else { throw error("the document ends inside an array (truncated file?)") }
            if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
            if bytes[position] == UInt8(ascii: "]") { position += 1; break }
            throw error("expected ',' or ']' in an array")
        }
        depth -= 1
        return .array(array)
    }

    private mutating func parseNumber() throws(SyntaxError) -> JSONValue {
        let start = position
        if bytes[position] == UInt8(ascii: "-") { position += 1 }
        func digits(_ parser: inout JSONParser) -> Int {
            let from = parser.position
            while parser.position < parser.bytes.count,
                  parser.bytes[parser.position] >= UInt8(ascii: "0"), parser.bytes[parser.position] <= UInt8(ascii: "9") {
                parser.position += 1
            }
            return parser.position - from
        }
        guard digits(&self) > 0 else { throw error("a number needs digits") }
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
            position += 1
            guard digits(&self) > 0 else { throw error("a number needs digits after '.'") }
        }
        if position < bytes.count, bytes[position] | 0x20 == UInt8(ascii: "e") {
            position += 1
            if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") { position += 1 }
            guard digits(&self) > 0 else { throw error("a number needs digits in its exponent") }
        }
        return .number(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self))
    }

    private mutating func parseString() throws(SyntaxError) -> String {
        position += 1
        let start = position
        // Fast path: no escapes.
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                let text = String(validating: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
                guard let text else { throw error("a string is not valid UTF-8") }
                position += 1
                return text
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw error(byte == 0x0A ? "the string is not closed before the end of the line" : "control character in a string") }
            position += 1
        }
        var buffer = Array(UnsafeBufferPointer(rebasing: bytes[start..<position]))
        while position < bytes.count {
            let byte = bytes[position]
            switch byte {
            case UInt8(ascii: "\""):
                position += 1
                guard let text = String(validating: buffer, as: UTF8.self) else { throw error("a string is not valid UTF-8") }
                return text
            case UInt8(ascii: "\\"):
                position += 1
                guard position < bytes.count else { break }
                let escape = bytes[position]
                position += 1
                switch escape {
                case UInt8(ascii: "\""): buffer.append(0x22)
                case UInt8(ascii: "\\"): buffer.append(0x5C)
                case UInt8(ascii: "/"): buffer.append(0x2F)
                case UInt8(ascii: "b"): buffer.append(0x08)
                case UInt8(ascii: "f"): buffer.append(0x0C)
                case UInt8(ascii: "n"): buffer.append(0x0A)
                case UInt8(ascii: "r"): buffer.append(0x0D)
                case UInt8(ascii: "t"): buffer.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try parseHex4()
                    if (0xD800..<0xDC00).contains(scalar) {
                        guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u") else {
                            throw error("unpaired UTF-16 surrogate in a \\u escape")
                        }
                        position += 2
                        let low = try parseHex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw error("invalid UTF-16 surrogate pair") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00..<0xE000).contains(scalar) {
                        throw error("unpaired UTF-16 surrogate in a \\u escape")
                    }
                    guard let unicode = Unicode.Scalar(scalar) else { throw error("invalid \\u escape") }
                    buffer.append(contentsOf: Array(String(Character(unicode)).utf8))
                default: throw error("invalid escape '\\\(Character(Unicode.Scalar(escape)))'")
                }
            default:
                if byte < 0x20 { throw error(byte == 0x0A ? "the string is not closed before the end of the line" : "control character in a string") }
                buffer.append(byte)
                position += 1
            }
        }
        throw error("the document ends inside a string (truncated file?)")
    }

    private mutating func parseHex4() throws(SyntaxError) -> UInt32 {
        guard position + 4 <= bytes.count else { throw error("the document ends inside a \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw error("invalid hex digit in a \\u escape")
            }
            value = value << 4 | digit
            position += 1
        }
        return value
    }
}
