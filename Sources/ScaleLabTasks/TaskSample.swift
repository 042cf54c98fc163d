import Foundation

/// One generated task in the Inspect dataset sample layout (`id`, `input`, `target`, `metadata`),
/// one JSON object per line of a JSONL file, so that any harness can run it.
public struct TaskSample: Sendable, Hashable, Codable {
    public var id: String
    /// The prompt, stating the convention of the answer exactly.
    public var input: String
    /// The exact answer.
    public var target: String
    /// Family, parameters and structure of the task (`family`, `n`, `required_steps`, …): strings,
    /// numbers and booleans only, so the line stays plain JSON.
    public var metadata: [String: MetadataValue]

    public init(id: String, input: String, target: String, metadata: [String: MetadataValue]) {
        self.id = id
        self.input = input
        self.target = target
        self.metadata = metadata
    }
}

/// A metadata value: a string, a number or a boolean.
public enum MetadataValue: Sendable, Hashable, Codable {
    case string(String)
    case number(Double)
    case bool(Bool)

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else { self = .string(try container.decode(String.self)) }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .bool(let value): try container.encode(value)
        }
    }

    public var string: String? { if case .string(let value) = self { return value } else { return nil } }
    public var number: Double? { if case .number(let value) = self { return value } else { return nil } }
}
