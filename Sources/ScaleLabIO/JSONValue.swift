import ScaleLabCore

/// A parsed JSON document.
///
/// Numbers keep the text they were written with, so a value read from JSON converts to the same
/// Double as the same digits read from CSV (`strtod`, correctly rounded) and integers beyond 2⁵³
/// are not silently rounded. Object members keep their order.
public indirect enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(String)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    public subscript(key: String) -> JSONValue? {
        if case .object(let object) = self { return object[key] }
        return nil
    }

    public var object: JSONObject? {
        if case .object(let object) = self { return object }
        return nil
    }

    public var array: [JSONValue]? {
        if case .array(let array) = self { return array }
        return nil
    }

    public var string: String? {
        if case .string(let string) = self { return string }
        return nil
    }

    /// A finite number, from a JSON number or a numeric string.
    public var double: Double? {
        switch self {
        case .number(let text), .string(let text): return NumberParsing.double(text)
        case .bool, .null, .array, .object: return nil
        }
    }

    /// An exact integer, from a JSON number or a numeric string.
    public var integer: Int? {
        switch self {
        case .number(let text), .string(let text):
            if let value = Int(text) { return value }
            if let value = NumberParsing.double(text), value == value.rounded(), abs(value) < 9.0e15 { return Int(value) }
            return nil
        case .bool, .null, .array, .object: return nil
        }
    }

    /// The value as one table cell: numbers and strings as written, booleans as 1/0, null as
    /// missing; arrays and objects have no cell form.
    public var cellText: String? {
        switch self {
        case .null: return nil
        case .bool(let flag): return flag ? "1" : "0"
        case .number(let text), .string(let text): return text
        case .array, .object: return nil
        }
    }
}

/// JSON object members in document order, with lookup by key (the last of repeated keys wins, as
/// in JavaScript and Python).
public struct JSONObject: Sendable, Equatable {
    public private(set) var keys: [String] = []
    public private(set) var values: [String: JSONValue] = [:]
    /// 1-based line of each member's key, for messages.
    public private(set) var lines: [String: Int] = [:]

    public init() {}

    public subscript(key: String) -> JSONValue? { values[key] }

    mutating func set(_ key: String, _ value: JSONValue, line: Int) {
        if values.updateValue(value, forKey: key) == nil { keys.append(key) }
        lines[key] = line
    }

    public var members: [(key: String, value: JSONValue)] { keys.map { ($0, values[$0]!) } }

    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        lhs.keys == rhs.keys && lhs.values == rhs.values
    }
}
