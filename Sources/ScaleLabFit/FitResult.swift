/// A named parameter estimate, in the formula's own scale.
public struct ParameterEstimate: Sendable, Codable, Equatable {
    public var name: String
    public var value: Double
}

/// Everything a fit found out, in the spirit of `scipy.optimize.least_squares`'s result: the
/// solution, the objective, how the search ended, and what the data could not determine.
public struct FitResult: Sendable, Codable {
    public var law: String
    public var formula: String
    /// Parameters of the formula, in the law's order.
    public var parameters: [ParameterEstimate]
    /// The internal parameterisation the search used (logs of scale parameters).
    public var theta: [Double]
    public var internalNames: [String]
    public var residualSpace: ResidualSpace
    public var loss: Loss
    /// Σ ρ(rᵢ) at the solution.
    public var objective: Double
    /// √(mean rᵢ²) of the unweighted residuals in the residual space (natural-log units for log).
    public var rmse: Double
    public var points: Int
    /// Whether the best start met a convergence tolerance.
    public var converged: Bool
    public var message: String
    public var iterations: Int
    public var evaluations: Int
    public var starts: Int
    public var convergedStarts: Int
    /// Internal parameters within 1e-6 of a bound (`alpha@lower`): the data push past the box.
    public var atBounds: [String]
    /// Condition number of JᵀJ over the free parameters; nil when it is singular.
    public var conditionNumber: Double?
    /// Combinations of parameters the data barely constrain (eigenvalue < 1e-10 of the largest).
    public var weakDirections: [String]

    public subscript(_ name: String) -> Double? { parameters.first { $0.name == name }?.value }
}

/// Data that cannot support the requested fit; the message says why and what to do.
public struct FitInputError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
