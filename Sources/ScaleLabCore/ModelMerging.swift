/// One field on which two descriptions of the same model disagree.
public struct FieldConflict: Hashable, Sendable, CustomStringConvertible {
    public var field: String
    public var existing: String
    public var incoming: String

    public var description: String { "\(field) \(incoming) conflicts with \(existing)" }
}

extension ModelInfo {
    /// Combines what two sources say about the same model (same name and step).
    ///
    /// Fields known to only one side are taken from it; fields known to both must agree to within
    /// a relative 1e-9 (so `7e7` and `70000000.0` agree, `70M` and `70426624` do not). A compute
    /// figure that was given beats one derived as 6·N·D. Disagreements are returned, not resolved:
    /// the caller decides (an import fails, or `--on-conflict replace` takes `incoming`).
    public func merging(_ incoming: ModelInfo) -> (merged: ModelInfo, conflicts: [FieldConflict]) {
        var merged = self
        var conflicts: [FieldConflict] = []

        func number(_ name: String, _ path: WritableKeyPath<ModelInfo, Double?>) {
            guard let new = incoming[keyPath: path] else { return }
            guard let old = merged[keyPath: path] else { merged[keyPath: path] = new; return }
            if !approximatelyEqual(old, new) {
                conflicts.append(FieldConflict(field: name, existing: format(old), incoming: format(new)))
            }
        }
        func integer(_ name: String, _ path: WritableKeyPath<ModelInfo, Int?>) {
            guard let new = incoming[keyPath: path] else { return }
            guard let old = merged[keyPath: path] else { merged[keyPath: path] = new; return }
            if old != new { conflicts.append(FieldConflict(field: name, existing: "\(old)", incoming: "\(new)")) }
        }
        func text(_ name: String, _ path: WritableKeyPath<ModelInfo, String?>) {
            guard let new = incoming[keyPath: path] else { return }
            guard let old = merged[keyPath: path] else { merged[keyPath: path] = new; return }
            if old != new { conflicts.append(FieldConflict(field: name, existing: old, incoming: new)) }
        }

        text("family", \.family)
        number("params", \.params)
        number("params_nonembedding", \.nonEmbeddingParams)
        number("tokens", \.tokens)
        switch (merged.flops, incoming.flops) {
        case (nil, let new?):
            merged.flops = new
            merged.flopsAreDerived = incoming.flopsAreDerived
        case (let old?, let new?):
            if merged.flopsAreDerived && !incoming.flopsAreDerived {
                merged.flops = new
                merged.flopsAreDerived = false
            } else if !incoming.flopsAreDerived && !approximatelyEqual(old, new) {
                conflicts.append(FieldConflict(field: "flops", existing: format(old), incoming: format(new)))
            }
        default: break
        }
        integer("model_seed", \.seed)
        text("release_date", \.releaseDate)
        for (name, new) in incoming.attributes {
            if let old = merged.attributes[name] {
                if !approximatelyEqual(old, new) {
                    conflicts.append(FieldConflict(field: name, existing: format(old), incoming: format(new)))
                }
            } else {
                merged.attributes[name] = new
            }
        }
        for (name, new) in incoming.labels {
            if let old = merged.labels[name] {
                if old != new { conflicts.append(FieldConflict(field: name, existing: old, incoming: new)) }
            } else {
                merged.labels[name] = new
            }
        }
        return (merged, conflicts)
    }

    /// `incoming`'s fields where it has them, the rest from `self` (for `--on-conflict replace`).
    public func overwritten(by incoming: ModelInfo) -> ModelInfo {
        var result = incoming
        result.family = incoming.family ?? family
        result.params = incoming.params ?? params
        result.nonEmbeddingParams = incoming.nonEmbeddingParams ?? nonEmbeddingParams
        result.tokens = incoming.tokens ?? tokens
        if incoming.flops == nil || (incoming.flopsAreDerived && flops != nil && !flopsAreDerived) {
            result.flops = flops
            result.flopsAreDerived = flopsAreDerived
        }
        result.seed = incoming.seed ?? seed
        result.releaseDate = incoming.releaseDate ?? releaseDate
        result.attributes = attributes.merging(incoming.attributes) { _, new in new }
        result.labels = labels.merging(incoming.labels) { _, new in new }
        return result
    }
}

/// |a − b| ≤ 1e-9 · max(|a|, |b|): equal up to the rounding of a decimal representation.
@inlinable
public func approximatelyEqual(_ a: Double, _ b: Double) -> Bool {
    a == b || abs(a - b) <= 1e-9 * max(abs(a), abs(b))
}

/// A number as the shortest text that reads back to the same Double (`0.1`, `7e+07` stays `70000000.0`).
@inlinable
public func format(_ value: Double) -> String { value.description }
