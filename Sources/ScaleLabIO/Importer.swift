import ScaleLabCore

/// The input formats ScaleLab reads.
public enum ImportFormat: String, CaseIterable, Sendable, CustomStringConvertible {
    /// Tidy CSV, one observation per row (the layout of `shared/data/*.csv`).
    case csv
    /// Tidy JSON Lines, one observation object per line.
    case jsonl
    /// An lm-evaluation-harness results file (old `acc` / new `acc,none` keys).
    case lmEval = "lm-eval"
    /// An Inspect evaluation log in JSON.
    case inspect

    public var description: String { rawValue }
}

/// Reads input files into a ``DatasetBuilder``, detecting their format.
public enum Importer {
    /// Reads one file. Problems in the file's rows are recorded in `builder` (so that all files of
    /// an import are checked before any error is shown); a file that cannot be read at all throws.
    /// - Returns: the format used.
    @discardableResult
    public static func read(_ input: InputFile, format: ImportFormat? = nil, into builder: inout DatasetBuilder) throws(DataError) -> ImportFormat {
        try input.requireText()
        let chosen: ImportFormat
        var json: JSONValue?  // parsed once, whether for detection or for reading
        if let format {
            chosen = format
        } else {
            (chosen, json) = try detect(input)
        }
        switch chosen {
        case .csv: try TidyCSVReader.read(input, into: &builder)
        case .jsonl: try TidyJSONLReader.read(input, into: &builder)
        case .lmEval:
            if json == nil { json = try parseJSON(input) }
            try LMEvalImporter.read(input, json: json!, into: &builder)
        case .inspect:
            if json == nil { json = try parseJSON(input) }
            try InspectLogImporter.read(input, json: json!, into: &builder)
        }
        return chosen
    }

    /// Reads a whole file as one JSON document, with the line and column of a syntax error.
    static func parseJSON(_ input: InputFile) throws(DataError) -> JSONValue {
        try input.validatedUTF8()
        let result: Result<JSONValue, JSONParser.SyntaxError> = input.bytes.withUnsafeBufferPointer { buffer in
            do throws(JSONParser.SyntaxError) { return .success(try JSONParser.parse(buffer)) } catch { return .failure(error) }
        }
        switch result {
        case .success(let value): return value
        case .failure(let error):
            throw DataError(SourceLocation(file: input.path, line: error.line, column: "character \(error.column)"),
                            "invalid JSON: \(error.message)")
        }
    }

    /// The format of a file from its extension and, for JSON, its top-level members.
    public static func detectFormat(_ input: InputFile) throws(DataError) -> ImportFormat {
        try detect(input).format
    }

    /// The format, and the parsed document when detection had to parse it.
    private static func detect(_ input: InputFile) throws(DataError) -> (format: ImportFormat, json: JSONValue?) {
        let lowered = input.path.lowercased()
        if lowered.hasSuffix(".csv") { return (.csv, nil) }
        if lowered.hasSuffix(".jsonl") || lowered.hasSuffix(".ndjson") { return (.jsonl, nil) }
        if lowered.hasSuffix(".json") {
            let json = try parseJSON(input)
            return (try jsonFlavour(json, input), json)
        }
        try input.requireText()
        let first = input.bytes.first { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 && $0 != 0xEF && $0 != 0xBB && $0 != 0xBF }
        if first == UInt8(ascii: "{") {
            // One document spanning lines is a log; one object per line is JSON Lines.
            let json: JSONValue
            do throws(DataError) {
                json = try parseJSON(input)
            } catch {
                return (.jsonl, nil)
            }
            return (try jsonFlavour(json, input), json)
        }
        let firstLine = input.bytes.split(separator: 0x0A).first { !$0.starts(with: [UInt8(ascii: "#")]) } ?? []
        let header = String(decoding: firstLine, as: UTF8.self).lowercased()
        if header.contains(",") && header.contains("model") && header.contains("task") { return (.csv, nil) }
        throw DataError(SourceLocation(file: input.path),
                        "unknown format; pass --format with one of: \(ImportFormat.allCases.map(\.rawValue).joined(separator: ", "))")
    }

    private static func jsonFlavour(_ json: JSONValue, _ input: InputFile) throws(DataError) -> ImportFormat {
        guard let object = json.object else {
            throw DataError(SourceLocation(file: input.path), "the JSON document is not an object; expected an lm-eval results file or an Inspect log")
        }
        if object["eval"] != nil && (object["results"] != nil || object["samples"] != nil || object["status"] != nil) { return .inspect }
        if object["results"]?.object != nil { return .lmEval }
        throw DataError(SourceLocation(file: input.path),
                        "is JSON but neither an lm-evaluation-harness results file (with \"results\") nor an Inspect log (with \"eval\"); for one observation per line use .jsonl, or pass --format")
    }
}
