/// Where a problem was found in an input: a file, a line (1-based) and a column (a CSV column name
/// or a JSON key path), whichever of these apply.
public struct SourceLocation: Hashable, Sendable, Codable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var column: String?

    public init(file: String, line: Int? = nil, column: String? = nil) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String {
        var text = file
        if let line { text += ":\(line)" }
        if let column { text += " column '\(column)'" }
        return text
    }
}

/// One thing wrong with an input, said so that the user knows what to fix.
public struct DataProblem: Hashable, Sendable, Codable, CustomStringConvertible {
    public var location: SourceLocation
    public var message: String

    public init(_ location: SourceLocation, _ message: String) {
        self.location = location
        self.message = message
    }

    public var description: String { "\(location): \(message)" }
}

/// An input that cannot be imported. It carries every problem found (not just the first), so one
/// round of fixes is enough.
public struct DataError: Error, Sendable, CustomStringConvertible {
    public var problems: [DataProblem]
    /// Problems found beyond those kept in `problems`.
    public var omitted: Int

    public init(problems: [DataProblem], omitted: Int = 0) {
        self.problems = problems
        self.omitted = omitted
    }

    public init(_ location: SourceLocation, _ message: String) {
        self.init(problems: [DataProblem(location, message)])
    }

    /// Shows the first `limit` problems and counts the rest.
    public func summary(limit: Int = 20) -> String {
        let total = problems.count + omitted
        var lines = [total == 1 ? "1 problem in the input; nothing was imported:" : "\(total) problems in the input; nothing was imported:"]
        for problem in problems.prefix(limit) { lines.append("  \(problem)") }
        if total > limit { lines.append("  … and \(total - limit) more") }
        return lines.joined(separator: "\n")
    }

    public var description: String { summary() }
}

/// Collects problems up to a cap, so a file with a million bad rows neither floods the terminal
/// nor exhausts memory.
public struct ProblemLog: Sendable {
    public private(set) var problems: [DataProblem] = []
    public private(set) var omitted = 0
    public let capacity: Int

    public init(capacity: Int = 500) { self.capacity = capacity }

    public var isEmpty: Bool { problems.isEmpty }
    public var count: Int { problems.count + omitted }

    public mutating func add(_ location: SourceLocation, _ message: String) {
        if problems.count < capacity {
            problems.append(DataProblem(location, message))
        } else {
            omitted += 1
        }
    }

    public mutating func add(contentsOf error: DataError) {
        for problem in error.problems { add(problem.location, problem.message) }
        omitted += error.omitted
    }

    public func check() throws(DataError) {
        if !problems.isEmpty { throw DataError(problems: problems, omitted: omitted) }
    }
}
