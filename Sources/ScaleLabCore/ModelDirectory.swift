/// Sizes and metadata of models by name, for inputs that carry only a model's name.
///
/// lm-evaluation-harness and Inspect logs name a model (`EleutherAI/pythia-v1.1-70m`,
/// `mockllm/medium`) but not its parameters or tokens. A directory, read from a model-metadata
/// file, attaches them. A name matches an entry when it equals, ignoring case, the entry's name
/// or one of its aliases, either as a whole or after its last `/` (the organisation prefix of a
/// hub id). An entry with a step applies to that checkpoint only; one without, to every step.
/// A matched model takes the entry's canonical name.
public struct ModelDirectory: Sendable {
    public struct Entry: Sendable {
        public var model: ModelInfo
        public var aliases: [String]
        public var location: SourceLocation

        public init(model: ModelInfo, aliases: [String] = [], location: SourceLocation) {
            self.model = model
            self.aliases = aliases
            self.location = location
        }
    }

    public private(set) var entries: [Entry] = []
    private var byName: [String: [Int]] = [:]

    public init() {}

    /// Builds a directory; two entries for the same name (or alias) and step are an error.
    public init(entries: [Entry]) throws(DataError) {
        var problems = ProblemLog()
        var seen: [String: SourceLocation] = [:]
        for entry in entries {
            let index = self.entries.count
            self.entries.append(entry)
            for spelling in Set(([entry.model.name] + entry.aliases).map { $0.lowercased() }) {
                let claim = "\(spelling)@\(entry.model.step.map(String.init) ?? "*")"
                if let first = seen[claim] {
                    problems.add(entry.location, "model '\(spelling)' is described twice (first at \(first))")
                } else {
                    seen[claim] = entry.location
                }
                byName[spelling, default: []].append(index)
            }
        }
        try problems.check()
    }

    public var isEmpty: Bool { entries.isEmpty }

    /// The entry for a model as an input names it, with the input's step applied.
    public func lookup(name: String, step: Int?) -> ModelInfo? {
        let lowered = name.lowercased()
        var candidates = [lowered]
        if let slash = lowered.lastIndex(of: "/") { candidates.append(String(lowered[lowered.index(after: slash)...])) }
        for candidate in candidates {
            guard let indices = byName[candidate] else { continue }
            let exact = indices.first { entries[$0].model.step != nil && entries[$0].model.step == step }
            let general = indices.first { entries[$0].model.step == nil }
            let onlyStepped = step == nil && indices.count == 1 ? indices.first : nil
            guard let index = exact ?? general ?? onlyStepped else { continue }
            var model = entries[index].model
            if model.step == nil { model.step = step }
            return model
        }
        return nil
    }
}
