import Foundation

/// A family of tasks with exact answers, generated at sizes n on a grid.
///
/// What n means is the family's: the number of chained SHA-256 steps for `sha256`, the upper
/// bound of the sum for `sum`, the number of steps for `step-graph`. Every family checks the
/// whole grid (`check`) before doing any work, so a bad or too large n fails at once.
public protocol TaskFamily: Sendable {
    /// The name used on the command line and in `metadata.family`.
    var name: String { get }
    /// One line saying what the tasks are and what n means.
    var summary: String { get }
    /// Largest n generated unless the caller raises the limit: what fits the family's time budget.
    var defaultMaxN: BigUnsigned { get }
    /// Throws a `TaskFamilyError` when some n of the grid cannot be generated under `maxN`.
    func check(_ grid: [BigUnsigned], maxN: BigUnsigned) throws
    /// The tasks for every n of the grid, in grid order.
    func generate(_ grid: [BigUnsigned], options: TaskGenerationOptions) throws -> [TaskSample]
}

/// What a family may use besides the grid.
public struct TaskGenerationOptions: Sendable {
    /// Seed of the families that draw (step-graph); same seed, same tasks.
    public var seed: UInt64
    /// Tasks per n, for the families that draw several (step-graph).
    public var count: Int
    /// A folder for a file cache of expensive answers (the SHA-256 chains), or nil.
    public var cacheDirectory: URL?
    /// Called with (steps done, steps in all) during long computations.
    public var progress: (@Sendable (UInt64, UInt64) -> Void)?

    public init(seed: UInt64 = 0, count: Int = 1, cacheDirectory: URL? = nil, progress: (@Sendable (UInt64, UInt64) -> Void)? = nil) {
        self.seed = seed
        self.count = count
        self.cacheDirectory = cacheDirectory
        self.progress = progress
    }
}

/// Why tasks could not be generated; each message says what to change.
public enum TaskFamilyError: Error, CustomStringConvertible, Equatable {
    case unknownFamily(String, known: [String])
    case emptyGrid
    case notAnInteger(String)
    case notPositive(String)
    case tooLarge(family: String, n: BigUnsigned, maxN: BigUnsigned, estimate: String?)
    case badCount(Int)

    public var description: String {
        switch self {
        case .unknownFamily(let name, let known):
            return "unknown task family '\(name)'; known families: \(known.joined(separator: ", "))"
        case .emptyGrid:
            return "the n grid is empty; give comma-separated whole numbers, e.g. 1,10,100,1e6"
        case .notAnInteger(let text):
            return "n '\(text)' is not a whole number; write n as digits (1000000), as 1e6 or as 10^6"
        case .notPositive(let text):
            return "n '\(text)' must be at least 1"
        case .tooLarge(let family, let n, let maxN, let estimate):
            let cost = estimate.map { " (\($0))" } ?? ""
            return "n = \(n) is above the limit \(maxN) for \(family)\(cost); use a smaller n, or raise the limit with --max-n \(n) if you mean it"
        case .badCount(let count):
            return "the count of tasks per n must be at least 1 (got \(count))"
        }
    }
}

/// The known families, by name.
public enum TaskFamilies {
    public static let all: [any TaskFamily] = [
        Sha256Family(variant: .digest), Sha256Family(variant: .hex), SumFamily(), StepGraphFamily(),
    ]

    public static var names: [String] { all.map(\.name) }

    public static func family(named name: String) throws -> any TaskFamily {
        guard let family = all.first(where: { $0.name == name }) else {
            throw TaskFamilyError.unknownFamily(name, known: names)
        }
        return family
    }
}

/// The grid of n: comma-separated whole numbers written as digits, `1e6` or `10^6`
/// (`2.5e3` is 2500; `1.5` and `1e-3` are not whole and are refused). Returned sorted
/// ascending without repeats, so that chained computations can run along it once.
public enum TaskGrid {
    public static func parse(_ text: String) throws -> [BigUnsigned] {
        let parts = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !parts.isEmpty else { throw TaskFamilyError.emptyGrid }
        var values: Set<BigUnsigned> = []
        for part in parts {
            guard let value = parseOne(part) else {
                if part.hasPrefix("-") { throw TaskFamilyError.notPositive(part) }
                throw TaskFamilyError.notAnInteger(part)
            }
            guard !value.isZero else { throw TaskFamilyError.notPositive(part) }
            values.insert(value)
        }
        return values.sorted()
    }

    /// One whole number, or nil. Exponents are capped at 10,000 digits to keep parsing instant.
    static func parseOne(_ text: String) -> BigUnsigned? {
        let lower = text.lowercased()
        if let caret = lower.firstIndex(of: "^") {
            guard lower[..<caret] == "10", let exponent = Int(lower[lower.index(after: caret)...]),
                  exponent >= 0, exponent <= 10_000 else { return nil }
            return BigUnsigned.powerOfTen(exponent)
        }
        var mantissa = Substring(lower), exponent = 0
        if let e = lower.firstIndex(of: "e") {
            mantissa = lower[..<e]
            var exponentText = lower[lower.index(after: e)...]
            if exponentText.hasPrefix("+") { exponentText = exponentText.dropFirst() }
            guard let value = Int(exponentText), value <= 10_000 else { return nil }
            exponent = value
        }
        var digits = String(mantissa)
        if let dot = mantissa.firstIndex(of: ".") {
            let fraction = mantissa[mantissa.index(after: dot)...]
            // Trailing zeros of a fraction do not make it less whole.
            let significant = fraction.reversed().drop(while: { $0 == "0" }).count
            digits = String(mantissa[..<dot]) + fraction.prefix(significant)
            exponent -= significant
        }
        guard exponent >= 0, !digits.isEmpty, let value = BigUnsigned(decimal: digits) else { return nil }
        return exponent == 0 ? value : value * BigUnsigned.powerOfTen(exponent)
    }
}

extension TaskSample {
    /// One JSONL line (no newline): keys sorted, slashes unescaped, so the same task is the same line.
    public func jsonLine() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}

extension MetadataValue {
    /// A count or size: a JSON number while a Double holds it exactly (≤ 2⁵³), else a decimal string.
    public static func integer(_ value: BigUnsigned) -> MetadataValue {
        if let small = value.uint64, small <= 1 << 53 { return .number(Double(small)) }
        return .string(value.description)
    }
}
