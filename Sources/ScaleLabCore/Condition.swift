/// One `--where` clause: a field, a comparison and a value, e.g. `params<=3e9`, `role=ladder`,
/// `deduped!=1`.
///
/// The field is a built-in of the observation (`value`, `stderr`, `n`, `shots`, `seed`, `task`,
/// `metric`), of the model (`model`, `family`, `params`, `params_nonembedding`, `tokens`, `flops`,
/// `step`, `release_date`), or any extra column of either. A value that reads as a number (units
/// allowed: `3e9`, `1.4B`) compares numerically; otherwise the comparison is on text, where only
/// `=` and `!=` are meaningful... and `<`, `>` compare lexically, which orders ISO dates correctly.
public struct Condition: Sendable, Hashable, CustomStringConvertible {
    public enum Comparison: String, Sendable, CaseIterable {
        case lessOrEqual = "<="
        case greaterOrEqual = ">="
        case notEqual = "!="
        case equal = "="
        case less = "<"
        case greater = ">"
    }

    public enum Operand: Sendable, Hashable {
        case number(Double)
        case text(String)
    }

    public var field: String
    public var comparison: Comparison
    public var operand: Operand
    /// The value as written, for messages.
    public var written: String

    public init(field: String, comparison: Comparison, operand: Operand, written: String) {
        self.field = field
        self.comparison = comparison
        self.operand = operand
        self.written = written
    }

    /// Parses `field<op>value`; `==` is accepted for `=`.
    public init(parsing text: String) throws(SelectionError) {
        let scalars = Array(text.unicodeScalars)
        var split: (Int, Int, Comparison)?
        var index = 0
        while index < scalars.count, split == nil {
            let c = scalars[index]
            let next = index + 1 < scalars.count ? scalars[index + 1] : nil
            switch c {
            case "<": split = next == "=" ? (index, 2, .lessOrEqual) : (index, 1, .less)
            case ">": split = next == "=" ? (index, 2, .greaterOrEqual) : (index, 1, .greater)
            case "!" where next == "=": split = (index, 2, .notEqual)
            case "=": split = next == "=" ? (index, 2, .equal) : (index, 1, .equal)
            default: break
            }
            index += 1
        }
        guard let (at, width, comparison) = split else {
            throw .invalidCondition("--where '\(text)' has no comparison; write e.g. 'params<=3e9' or 'role=ladder' (operators: <= >= < > = !=)")
        }
        let field = String(String.UnicodeScalarView(scalars[..<at])).trimmingSpaces
        let value = String(String.UnicodeScalarView(scalars[(at + width)...])).trimmingSpaces
        guard !field.isEmpty else { throw .invalidCondition("--where '\(text)' names no field before '\(comparison.rawValue)'") }
        guard !value.isEmpty else { throw .invalidCondition("--where '\(text)' has no value after '\(comparison.rawValue)'") }
        switch NumberParsing.parse(value) {
        case .value(let number): operand = .number(number)
        case .nonFinite: throw .invalidCondition("--where '\(text)': compare against a finite number")
        case .missing, .invalid: operand = .text(value)
        }
        self.field = field
        self.comparison = comparison
        self.written = value
    }

    public var description: String { "\(field)\(comparison.rawValue)\(written)" }

    func holds(number: Double) -> Bool {
        guard case .number(let target) = operand else { return false }
        switch comparison {
        case .lessOrEqual: return number <= target
        case .greaterOrEqual: return number >= target
        case .less: return number < target
        case .greater: return number > target
        case .equal: return approximatelyEqual(number, target)
        case .notEqual: return !approximatelyEqual(number, target)
        }
    }

    func holds(text: String) -> Bool {
        let target: String
        switch operand {
        case .text(let value): target = value
        case .number: target = written
        }
        switch comparison {
        case .lessOrEqual: return text <= target
        case .greaterOrEqual: return text >= target
        case .less: return text < target
        case .greater: return text > target
        case .equal: return text == target
        case .notEqual: return text != target
        }
    }
}

extension String {
    var trimmingSpaces: String {
        var scalars = Substring(self)
        while let first = scalars.first, first == " " || first == "\t" { scalars.removeFirst() }
        while let last = scalars.last, last == " " || last == "\t" { scalars.removeLast() }
        return String(scalars)
    }
}
