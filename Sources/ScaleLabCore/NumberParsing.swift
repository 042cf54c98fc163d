#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif

/// Reads numbers as people write them in evaluation tables.
///
/// Accepted: decimal and scientific notation (`0.25`, `3e21`, `-1.5E-3`) and a size suffix
/// K = 10³, M = 10⁶, B or G = 10⁹, T = 10¹², P = 10¹⁵, in either case (`70M`, `1.4b`, `2T`), the
/// way model sizes and token counts are named (`pythia-70m`, `Llama-2-7b`). Surrounding spaces are
/// ignored. Decimal digits are converted with the C library's `strtod`, which rounds correctly, so
/// a value written by `Double.description` reads back bit for bit.
public enum NumberParsing {
    /// The outcome of reading a cell that should hold a number.
    public enum Result: Equatable, Sendable {
        /// The cell is empty (or only spaces): the value is not available.
        case missing
        case value(Double)
        /// `nan`, `inf`, `-infinity`, …: a number, but not a finite one.
        case nonFinite
        /// Not a number at all.
        case invalid
    }

    /// Parses UTF-8 bytes (no allocation for fields up to 63 bytes).
    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Result {
        var start = 0
        var end = bytes.count
        while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
        while end > start, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 || bytes[end - 1] == 0x0D { end -= 1 }
        if start == end { return .missing }

        var multiplier = 1.0
        switch bytes[end - 1] | 0x20 {  // ASCII lower-case
        case UInt8(ascii: "k"): multiplier = 1e3
        case UInt8(ascii: "m"): multiplier = 1e6
        case UInt8(ascii: "b"), UInt8(ascii: "g"): multiplier = 1e9
        case UInt8(ascii: "t"): multiplier = 1e12
        case UInt8(ascii: "p"): multiplier = 1e15
        default: break
        }
        if multiplier != 1 {
            end -= 1
            if start == end { return .invalid }
        }
        // Only digits, sign, point and exponent may reach strtod: it would also accept hex floats,
        // "nan(…)" and leading spaces, none of which belong in a table of scores.
        var sawDigit = false
        for index in start..<end {
            switch bytes[index] {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): sawDigit = true
            case UInt8(ascii: "."), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "e"), UInt8(ascii: "E"): break
            default:
                return isNonFiniteWord(bytes, start, end) && multiplier == 1 ? .nonFinite : .invalid
            }
        }
        guard sawDigit else { return .invalid }
        let length = end - start
        let parsed: Double? = withUnsafeTemporaryAllocation(of: CChar.self, capacity: length + 1) { buffer in
            for offset in 0..<length { buffer[offset] = CChar(bitPattern: bytes[start + offset]) }
            buffer[length] = 0
            var tail: UnsafeMutablePointer<CChar>?
            let result = strtod(buffer.baseAddress!, &tail)
            guard let tail, tail == buffer.baseAddress! + length else { return nil }
            return result
        }
        guard let parsed else { return .invalid }
        let value = parsed * multiplier
        return value.isFinite ? .value(value) : .nonFinite
    }

    public static func parse(_ text: some StringProtocol) -> Result {
        var copy = String(text)
        return copy.withUTF8 { parse($0) }
    }

    /// A finite number or nil.
    public static func double(_ text: some StringProtocol) -> Double? {
        if case .value(let value) = parse(text) { return value }
        return nil
    }

    private static func isNonFiniteWord(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
        var word = ""
        for index in start..<end {
            let byte = bytes[index]
            if word.isEmpty, byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-") { continue }
            word.append(Character(Unicode.Scalar(byte | 0x20)))
        }
        return word == "nan" || word == "inf" || word == "infinity"
    }
}
