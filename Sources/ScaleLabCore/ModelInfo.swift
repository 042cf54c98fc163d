/// Identifies one model checkpoint: a training run's name and, when the run was evaluated at
/// several points of training, the optimiser step. `pythia-70m` at step 143000 and at step 1000
/// are two models of one ladder; a model evaluated once has `step == nil`.
public struct ModelKey: Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
    public var name: String
    public var step: Int?

    public init(name: String, step: Int? = nil) {
        self.name = name
        self.step = step
    }

    public var description: String {
        guard let step else { return name }
        return "\(name)@\(step)"
    }

    public static func < (lhs: ModelKey, rhs: ModelKey) -> Bool {
        if lhs.name != rhs.name { return lhs.name < rhs.name }
        return (lhs.step ?? -1) < (rhs.step ?? -1)
    }
}

/// A model of a ladder with the resources that made it.
///
/// Sizes follow the field's conventions: `params` is the total parameter count N (embeddings
/// included, as in Hoffmann et al. 2022), `nonEmbeddingParams` the count Kaplan et al. (2020) fit
/// on, `tokens` the training tokens D and `flops` the training compute C. When C is not given but
/// N and D are, it is derived as C = 6·N·D (Kaplan et al. 2020, §2.1) and `flopsAreDerived` is set,
/// so a report can say which compute figures were measured and which were assumed.
///
/// Any further numeric attribute of the input (examples seen, a Chinchilla multiple, …) is kept in
/// `attributes` and may serve as the x-axis of a law; text attributes (variant, role) go to `labels`.
public struct ModelInfo: Hashable, Sendable, Codable {
    public var name: String
    public var step: Int?
    public var family: String?
    public var params: Double?
    public var nonEmbeddingParams: Double?
    public var tokens: Double?
    public var flops: Double?
    public var flopsAreDerived: Bool
    public var seed: Int?
    /// ISO 8601 date, `YYYY-MM-DD`.
    public var releaseDate: String?
    public var attributes: [String: Double]
    public var labels: [String: String]

    public init(
        name: String, step: Int? = nil, family: String? = nil, params: Double? = nil,
        nonEmbeddingParams: Double? = nil, tokens: Double? = nil, flops: Double? = nil,
        flopsAreDerived: Bool = false, seed: Int? = nil, releaseDate: String? = nil,
        attributes: [String: Double] = [:], labels: [String: String] = [:]
    ) {
        self.name = name
        self.step = step
        self.family = family
        self.params = params
        self.nonEmbeddingParams = nonEmbeddingParams
        self.tokens = tokens
        self.flops = flops
        self.flopsAreDerived = flopsAreDerived
        self.seed = seed
        self.releaseDate = releaseDate
        self.attributes = attributes
        self.labels = labels
    }

    public var key: ModelKey { ModelKey(name: name, step: step) }

    /// The same model with C = 6·N·D filled in when compute is missing and N and D are known.
    public func withDerivedFlops() -> ModelInfo {
        var copy = self
        if copy.flops == nil, let n = params, let d = tokens {
            copy.flops = 6 * n * d
            copy.flopsAreDerived = true
        }
        return copy
    }

    /// The value of a named numeric property: a built-in size (`params`, `tokens`, …) or an attribute.
    public func number(_ field: String) -> Double? {
        switch ModelField(name: field) {
        case .params: return params
        case .nonEmbeddingParams: return nonEmbeddingParams
        case .tokens: return tokens
        case .flops: return flops
        case .step: return step.map(Double.init)
        case .seed: return seed.map(Double.init)
        case .name, .family, .releaseDate: return nil
        case nil: return attributes[field]
        }
    }

    /// The value of a named text property: `model`, `family`, `release_date` or a label.
    public func text(_ field: String) -> String? {
        switch ModelField(name: field) {
        case .name: return name
        case .family: return family
        case .releaseDate: return releaseDate
        case .params, .nonEmbeddingParams, .tokens, .flops, .step, .seed: return nil
        case nil: return labels[field]
        }
    }
}

/// The built-in model fields and the column names that mean them (case-insensitive).
public enum ModelField: String, CaseIterable, Sendable {
    case name = "model"
    case step
    case family
    case params
    case nonEmbeddingParams = "params_nonembedding"
    case tokens
    case flops
    /// The training seed of the model (an observation's `seed` is the evaluation seed).
    case seed = "model_seed"
    case releaseDate = "release_date"

    /// Accepted spellings of each field in input headers and in `--where` / `--x`.
    public var spellings: [String] {
        switch self {
        case .name: return ["model", "model_name"]
        case .step: return ["step", "checkpoint_step"]
        case .family: return ["family", "model_family"]
        case .params: return ["params", "n_params", "parameters", "num_params"]
        case .nonEmbeddingParams:
            return ["params_nonembedding", "nonembedding_params", "non_embedding_params", "params_non_embedding"]
        case .tokens: return ["tokens", "n_tokens", "train_tokens"]
        case .flops: return ["flops", "compute", "train_flops"]
        case .seed: return ["model_seed", "training_seed"]
        case .releaseDate: return ["release_date", "date"]
        }
    }

    private static let lookup: [String: ModelField] = {
        var table: [String: ModelField] = [:]
        for field in ModelField.allCases {
            for spelling in field.spellings {
                table[spelling] = field
            }
        }
        return table
    }()

    /// The field a header or `--where` name denotes. The one-letter symbols N, D and C are accepted
    /// only in upper case, since `n` is the item-count column of an observation.
    public init?(name: String) {
        switch name {
        case "N": self = .params
        case "D": self = .tokens
        case "C": self = .flops
        default:
            guard let field = ModelField.lookup[name.lowercased()] else { return nil }
            self = field
        }
    }
}
