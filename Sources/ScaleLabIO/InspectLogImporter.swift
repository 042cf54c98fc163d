import ScaleLabCore

/// PLACEHOLDER — replaced by the Inspect importer.
enum InspectLogImporter {
    static func read(_ input: InputFile, json: JSONValue, into builder: inout DatasetBuilder) throws(DataError) {
        throw DataError(SourceLocation(file: input.path), "Inspect import is not built yet")
    }
}
