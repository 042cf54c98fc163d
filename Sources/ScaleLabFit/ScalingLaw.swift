import Foundation

/// The points a law is fitted to: one or two scale inputs per point and a response.
///
/// `x` holds the first input (N, D, C, … — whatever the x-axis is) and `x2` the second input of
/// two-input laws (Chinchilla's D). `weights` multiply residuals (1/stderr on a log or linear
/// scale, as the caller decides); nil means all ones. `logX` and `logX2` are log x and log x₂,
/// kept with the inputs: every law is a function of the logarithms of its inputs, and a fit
/// evaluates it thousands of times on the same points.
public struct FitData: Sendable {
    public var x: [Double] { didSet { logX = x.map(Foundation.log) } }
    public var x2: [Double]? { didSet { logX2 = x2?.map(Foundation.log) } }
    public var y: [Double]
    public var weights: [Double]?
    /// log x at every point (NaN or −∞ where x ≤ 0, which `Fitter.validate` refuses).
    public private(set) var logX: [Double]
    /// log x₂ at every point, for two-input data.
    public private(set) var logX2: [Double]?

    public init(x: [Double], x2: [Double]? = nil, y: [Double], weights: [Double]? = nil) {
        self.x = x
        self.x2 = x2
        self.y = y
        self.weights = weights
        logX = x.map(Foundation.log)
        logX2 = x2?.map(Foundation.log)
    }

    public var count: Int { y.count }

    /// Number of distinct scales: distinct x, or distinct (x, x₂) pairs for two-input data.
    public var distinctScales: Int {
        guard let x2 else { return Set(x).count }
        return Set(zip(x, x2).map { [$0.0, $0.1] }).count
    }

    /// The points at `indices`, in that order (repeats allowed: a bootstrap resample), with
    /// every column cut alike.
    public func subset(_ indices: [Int]) -> FitData {
        FitData(x: indices.map { x[$0] }, x2: x2.map { c in indices.map { c[$0] } },
                y: indices.map { y[$0] }, weights: weights.map { c in indices.map { c[$0] } })
    }
}

/// Where residuals are measured.
public enum ResidualSpace: String, Sendable, Codable {
    /// r = log ŷ − log y: relative error, for losses and other positive quantities spanning decades.
    case log
    /// r = ŷ − y: additive error, for accuracies (binomial noise is additive).
    case linear
}

/// A parametric scaling law: its formula, parameters, bounds, derivatives and starting points.
///
/// Laws are fitted in an internal parameterisation θ (logs of scale parameters, so that a
/// coefficient spanning decades is searched on a scale where steps are meaningful); `parameters(_:)`
/// maps θ back to the named parameters of the formula. `predict(_:data:values:jacobian:)` returns
/// ŷ and ∂ŷ/∂θ analytically; the fitter composes them with the residual space and loss.
public protocol ScalingLaw: Sendable {
    /// Short identifier (`power`, `logistic`, `bnsl1`, `chinchilla`).
    var name: String { get }
    /// The formula, for reports.
    var formula: String { get }
    /// Names of θ's components (`logA`, not `A`), for diagnostics.
    var internalNames: [String] { get }
    /// Names of the formula's parameters as reported (`E`, `A`, `alpha`).
    var parameterNames: [String] { get }
    /// Inputs per point: 1, or 2 for laws of (N, D).
    var inputs: Int { get }
    /// The default residual space for this law.
    var residualSpace: ResidualSpace { get }

    /// Box constraints on θ, which may depend on the data's range.
    func bounds(for data: FitData) -> (lower: [Double], upper: [Double])
    /// Starting points for the multistart search, derived from the data.
    func initialGuesses(for data: FitData) -> [[Double]]
    /// ŷ at every point into `values` and, when `jacobian` is non-nil, ∂ŷ_i/∂θ_j into row-major
    /// `jacobian[i * θ.count + j]`.
    func predict(_ theta: [Double], data: FitData, values: inout [Double], jacobian: UnsafeMutablePointer<Double>?)
    /// The named parameters of the formula from θ.
    func parameters(_ theta: [Double]) -> [String: Double]
}

extension ScalingLaw {
    /// ŷ at the given inputs.
    public func predict(_ theta: [Double], x: [Double], x2: [Double]? = nil) -> [Double] {
        let data = FitData(x: x, x2: x2, y: Array(repeating: 0, count: x.count))
        var values = [Double](repeating: 0, count: x.count)
        predict(theta, data: data, values: &values, jacobian: nil)
        return values
    }
}
