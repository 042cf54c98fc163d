import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writing to the terminal: results to stdout, progress and errors to stderr.
enum Terminal {
    static func out(_ text: String) {
        FileHandle.standardOutput.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
    }

    static func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    static func error(_ text: String) {
        FileHandle.standardError.write(Data(("error: " + text + "\n").utf8))
    }

    static func note(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    /// Width to lay tables out in: $COLUMNS, else the terminal's width when stdout is one, else
    /// unlimited (a file or pipe gets whole rows).
    static var width: Int {
        if let columns = ProcessInfo.processInfo.environment["COLUMNS"], let value = Int(columns), value >= 40 { return value }
        guard isatty(STDOUT_FILENO) != 0 else { return Int.max }
        var size = winsize()
        if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col >= 40 { return Int(size.ws_col) }
        return 100
    }

    static func json<T: Encodable>(_ value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // JSON has no infinity or NaN; write them as the strings Python's json module reads back.
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        let data = try encoder.encode(value)
        FileHandle.standardOutput.write(data)
        FileHandle.standardOutput.write(Data("\n".utf8))
    }
}

/// Numbers for people: sizes with SI suffixes, scores with fixed decimals, counts with separators.
enum Show {
    /// 70426624 → "70.4M", 2.99e11 → "300B", 1.2e21 → "1.2e21".
    static func size(_ value: Double?) -> String {
        guard let value else { return "—" }
        let magnitude = abs(value)
        let units: [(Double, String)] = [(1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")]
        if magnitude >= 1e15 { return String(format: "%.2g", value).replacingOccurrences(of: "e+", with: "e") }
        for (scale, suffix) in units where magnitude >= scale {
            let scaled = value / scale
            return (scaled >= 100 ? String(format: "%.0f", scaled) : String(format: "%.3g", scaled)) + suffix
        }
        return value == value.rounded() ? String(Int(value)) : String(format: "%.3g", value)
    }

    /// Scores in [−1000, 1000] with fixed decimals; larger magnitudes (perplexities) in 4 significant digits.
    static func score(_ value: Double, digits: Int = 3) -> String {
        abs(value) < 1000 ? String(format: "%.\(digits)f", value) : String(format: "%.4g", value)
    }

    /// A curve in one line of block characters (▁ … █): one per distinct x (points sharing an x
    /// averaged), or with more than `width` distinct x, one per equal-width bin of log x; scaled
    /// from `lower` to `upper` (default: the values' own range).
    static func sparkline(x: [Double], y: [Double], lower: Double? = nil, upper: Double? = nil, width: Int = 16) -> String {
        let blocks = Array("▁▂▃▄▅▆▇█")
        let points = zip(x, y).filter { $0.0 > 0 && $0.0.isFinite && $0.1.isFinite }
        guard let first = points.map(\.0).min(), let last = points.map(\.0).max() else { return "" }
        let distinct = Set(points.map(\.0)).sorted()
        let span = log(last) - log(first)
        func bin(_ value: Double) -> Int {
            guard distinct.count > width, span > 0 else { return distinct.firstIndex(of: value)! }
            return min(Int((log(value) - log(first)) / span * Double(width)), width - 1)
        }
        var sums: [Int: (Double, Int)] = [:]
        for (a, b) in points {
            let old = sums[bin(a)] ?? (0, 0)
            sums[bin(a)] = (old.0 + b, old.1 + 1)
        }
        let means = sums.keys.sorted().map { sums[$0]!.0 / Double(sums[$0]!.1) }
        guard let low = lower ?? means.min(), let high = upper ?? means.max() else { return "" }
        return String(means.map { value in
            guard high > low else { return blocks[0] }
            let level = Int(((value - low) / (high - low) * Double(blocks.count - 1)).rounded())
            return blocks[min(max(level, 0), blocks.count - 1)]
        })
    }

    static func count(_ value: Int) -> String {
        let digits = String(value)
        var out = ""
        for (index, character) in digits.reversed().enumerated() {
            if index > 0 && index % 3 == 0 { out.append(",") }
            out.append(character)
        }
        return String(out.reversed())
    }
}
