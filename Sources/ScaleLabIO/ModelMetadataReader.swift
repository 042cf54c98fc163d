import ScaleLabCore

/// PLACEHOLDER — replaced by the metadata reader.
public enum ModelMetadataReader {
    public static func read(_ input: InputFile) throws(DataError) -> ModelDirectory {
        throw DataError(SourceLocation(file: input.path), "model metadata is not built yet")
    }
}
