import ScaleLabCore

/// PLACEHOLDER — replaced by the lm-eval importer.
enum LMEvalImporter {
    static func read(_ input: InputFile, json: JSONValue, into builder: inout DatasetBuilder) throws(DataError) {
        throw DataError(SourceLocation(file: input.path), "lm-eval import is not built yet")
    }
}
