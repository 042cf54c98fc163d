import Foundation

/// Which observations an analysis works on: the `--task`, `--metric`, `--family`, `--model`,
/// `--shots`, `--x` and `--where` options every analysis command shares.
///
/// Names may be exact or glob patterns (`hendrycksTest-*`, `arc_?????`); several values of one
/// option are alternatives (OR), different options must all hold (AND). A name or pattern that
/// matches nothing is an error that lists the nearest names, because an empty analysis caused by a
/// typo looks exactly like a real null result.
public struct Selection: Sendable, Hashable {
    public var tasks: [String]
    public var metrics: [String]
    public var families: [String]
    public var models: [String]
    public var shots: [Int]
    /// Rows whose model has no value on this axis are dropped.
    public var x: XAxis?
    public var conditions: [Condition]

    public init(
        tasks: [String] = [], metrics: [String] = [], families: [String] = [], models: [String] = [],
        shots: [Int] = [], x: XAxis? = nil, conditions: [Condition] = []
    ) {
        self.tasks = tasks
        self.metrics = metrics
        self.families = families
        self.models = models
        self.shots = shots
        self.x = x
        self.conditions = conditions
    }

    public static let all = Selection()

    public var isEmpty: Bool {
        tasks.isEmpty && metrics.isEmpty && families.isEmpty && models.isEmpty && shots.isEmpty && x == nil
            && conditions.isEmpty
    }
}

/// Why a selection cannot be served.
public enum SelectionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A name or pattern of one option matched nothing; `suggestions` are the nearest names.
    case noMatch(option: String, value: String, suggestions: [String])
    /// A `--where` or `--x` field no model or row has.
    case unknownField(String, suggestions: [String])
    /// Each option matched something, but no row satisfies all of them together.
    case emptyResult(String)
    case invalidCondition(String)

    public var description: String {
        switch self {
        case .noMatch(let option, let value, let suggestions):
            var text = "--\(option) '\(value)' matches no \(option) in the data"
            if !suggestions.isEmpty { text += "; nearest: " + suggestions.joined(separator: ", ") }
            return text
        case .unknownField(let field, let suggestions):
            var text = "no model or observation has a field '\(field)'"
            if !suggestions.isEmpty { text += "; known fields include: " + suggestions.joined(separator: ", ") }
            return text
        case .emptyResult(let what):
            return "the selection matches no observations (\(what)); relax one of the options"
        case .invalidCondition(let text):
            return text
        }
    }
}

/// Shell-style pattern matching: `*` any run of characters, `?` one character, otherwise exact.
public func globMatches(_ pattern: String, _ name: String) -> Bool {
    if !pattern.contains("*") && !pattern.contains("?") { return pattern == name }
    let p = Array(pattern.unicodeScalars), s = Array(name.unicodeScalars)
    var pi = 0, si = 0, star = -1, mark = 0
    while si < s.count {
        if pi < p.count && (p[pi] == "?" || p[pi] == s[si]) {
            pi += 1; si += 1
        } else if pi < p.count && p[pi] == "*" {
            star = pi; mark = si; pi += 1
        } else if star >= 0 {
            pi = star + 1; mark += 1; si = mark
        } else {
            return false
        }
    }
    while pi < p.count && p[pi] == "*" { pi += 1 }
    return pi == p.count
}

/// The names closest to `query`: those containing it or contained in it (ignoring case) first,
/// then those within an edit distance of max(3, half its length).
public func nearestNames(to query: String, in names: [String], limit: Int = 5) -> [String] {
    let lowered = query.lowercased().replacingOccurrences(of: "*", with: "").replacingOccurrences(of: "?", with: "")
    let scored = names.map { name -> (String, Int) in
        let candidate = name.lowercased()
        let contained = !lowered.isEmpty && (candidate.contains(lowered) || (candidate.count >= 2 && lowered.contains(candidate)))
        let distance = contained ? 0 : editDistance(lowered, candidate)
        return (name, distance)
    }
    let cutoff = max(3, lowered.count / 2)
    return scored.filter { $0.1 <= cutoff }.sorted { ($0.1, $0.0) < ($1.1, $1.0) }.prefix(limit).map(\.0)
}

/// Levenshtein distance over Unicode scalars.
public func editDistance(_ a: String, _ b: String) -> Int {
    let x = Array(a.unicodeScalars), y = Array(b.unicodeScalars)
    if x.isEmpty { return y.count }
    if y.isEmpty { return x.count }
    var previous = Array(0...y.count)
    var current = [Int](repeating: 0, count: y.count + 1)
    for i in 1...x.count {
        current[0] = i
        for j in 1...y.count {
            let cost = x[i - 1] == y[j - 1] ? 0 : 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
        }
        swap(&previous, &current)
    }
    return previous[y.count]
}
