extension ModelInfo {
    /// What is physically impossible about this description, as (field, message) pairs.
    ///
    /// Sizes are counts, so they must be positive: a model has at least one parameter. Zero
    /// training tokens (and zero compute) are allowed only at step 0, the untrained initialisation
    /// that checkpoint ladders such as Pythia's start from; anywhere else zero is a missing value
    /// written as 0, which would put the model at −∞ on a log axis.
    public func validationProblems() -> [(field: String, message: String)] {
        var problems: [(String, String)] = []
        func positive(_ name: String, _ value: Double?) {
            if let value, !(value > 0) {
                problems.append((name, "\(name) \(format(value)) must be positive"))
            }
        }
        func nonNegativeAtStepZero(_ name: String, _ value: Double?) {
            guard let value else { return }
            if value < 0 || value.isNaN {
                problems.append((name, "\(name) \(format(value)) must not be negative"))
            } else if value == 0 && step != 0 {
                problems.append((name, "\(name) is 0 but the model is not at step 0; leave the cell empty if it is unknown"))
            }
        }
        positive(ModelField.params.rawValue, params)
        positive(ModelField.nonEmbeddingParams.rawValue, nonEmbeddingParams)
        nonNegativeAtStepZero(ModelField.tokens.rawValue, tokens)
        if !flopsAreDerived { nonNegativeAtStepZero(ModelField.flops.rawValue, flops) }
        if let step, step < 0 { problems.append((ModelField.step.rawValue, "step \(step) must not be negative")) }
        if let n = nonEmbeddingParams, let total = params, n > total * (1 + 1e-9) {
            problems.append((ModelField.nonEmbeddingParams.rawValue,
                             "params_nonembedding \(format(n)) exceeds params \(format(total))"))
        }
        for (name, value) in attributes where !value.isFinite {
            problems.append((name, "\(name) \(format(value)) is not a finite number"))
        }
        return problems
    }
}
