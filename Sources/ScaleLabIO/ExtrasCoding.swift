import ScaleLabCore

/// Extra columns stored as one JSON object per row: numbers as JSON numbers (written with
/// `Double.description`, which reads back bit for bit), text as JSON strings. Keys are sorted so
/// the same extras always give the same text.
enum ExtrasCoding {
    static func encode(numbers: [String: Double], labels: [String: String]) -> String? {
        if numbers.isEmpty && labels.isEmpty { return nil }
        var members: [(String, String)] = []
        for (key, value) in numbers { members.append((key, value.description)) }
        for (key, value) in labels { members.append((key, quote(value))) }
        members.sort { $0.0 < $1.0 }
        return "{" + members.map { quote($0.0) + ":" + $0.1 }.joined(separator: ",") + "}"
    }

    static func decode(_ text: String?) -> (numbers: [String: Double], labels: [String: String]) {
        guard let text, let object = (try? JSONParser.parse(text))?.object else { return ([:], [:]) }
        var numbers: [String: Double] = [:]
        var labels: [String: String] = [:]
        for (key, value) in object.members {
            switch value {
            case .number(let digits): numbers[key] = NumberParsing.double(digits)
            case .string(let string): labels[key] = string
            default: break
            }
        }
        return (numbers, labels)
    }

    static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    out += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count) + String(scalar.value, radix: 16)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
