/// The resource a law is fitted against: a model size (N, non-embedding N, D, C, step) or any
/// other numeric column of the data (examples seen, a Chinchilla multiple, a loss for the second
/// stage of a two-step law).
public enum XAxis: Hashable, Sendable, CustomStringConvertible {
    case model(ModelField)
    case column(String)

    public static let params = XAxis.model(.params)
    public static let nonEmbeddingParams = XAxis.model(.nonEmbeddingParams)
    public static let tokens = XAxis.model(.tokens)
    public static let flops = XAxis.model(.flops)
    public static let step = XAxis.model(.step)

    /// `params`/`N`, `params_nonembedding`, `tokens`/`D`, `flops`/`C`/`compute`, `step`, or the
    /// name of another numeric column.
    public init(_ name: String) {
        if let field = ModelField(name: name), field != .name, field != .family, field != .releaseDate, field != .seed {
            self = .model(field)
        } else {
            self = .column(name)
        }
    }

    public var description: String {
        switch self {
        case .model(let field): return field.rawValue
        case .column(let name): return name
        }
    }
}

extension ModelInfo {
    /// The model's value on `axis`: a model field, else one of its numeric attributes; nil when
    /// it has none. (Per-row columns of a dataset are looked up by `Dataset.x(_:row:)`.)
    public func value(on axis: XAxis) -> Double? {
        switch axis {
        case .model(let field): return number(field.rawValue)
        case .column(let name): return attributes[name]
        }
    }
}
