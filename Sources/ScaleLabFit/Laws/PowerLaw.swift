import Foundation

/// Power law with an irreducible offset: **y = E + A·x^(−α)**.
///
/// E is the floor the response approaches at infinite scale (the entropy of text, for a loss),
/// A the scale of the reducible part and α its exponent (Kaplan et al. 2020, eq. 1.1–1.3; with the
/// offset as in Hoffmann et al. 2022, eq. 2). Domain x > 0, y > 0. Fitted as θ = (E, log A, α)
/// with E ∈ [0, max y], log A ∈ [−50, 100], α ∈ [0, 5], on log residuals by default (relative
/// errors: a loss curve spans a decade or more). A pure power law is the case E = 0, which the fit
/// reports as E at its lower bound.
public struct PowerLaw: ScalingLaw {
    public init() {}

    public let name = "power"
    public let formula = "y = E + A·x^(−alpha)"
    public let internalNames = ["E", "logA", "alpha"]
    public let parameterNames = ["E", "A", "alpha"]
    public let inputs = 1
    public let residualSpace = ResidualSpace.log

    public func bounds(for data: FitData) -> (lower: [Double], upper: [Double]) {
        ([0, -50, 0], [data.y.max() ?? 1, 100, 5])
    }

    /// For each offset E₀ = f·min y (f = 0, 0.5, 0.8, 0.95, 0.99): the least-squares line of
    /// log(y − E₀) on log x, and lines with α fixed at 0.1, 0.3, 0.7.
    public func initialGuesses(for data: FitData) -> [[Double]] {
        let lx = data.logX
        let low = data.y.min() ?? 1, high = data.y.max() ?? 1
        var starts: [[Double]] = []
        for fraction in [0.0, 0.5, 0.8, 0.95, 0.99] {
            let e0 = fraction * low
            let z = data.y.map { log(max($0 - e0, 1e-12 * high)) }
            let (slope, intercept) = leastSquaresLine(lx, z)
            let alpha = min(max(-slope, 1e-3), 4.9)
            starts.append([e0, alpha == -slope ? intercept : mean(zip(z, lx).map { $0 + alpha * $1 }), alpha])
            for fixed in [0.1, 0.3, 0.7] {
                starts.append([e0, mean(zip(z, lx).map { $0 + fixed * $1 }), fixed])
            }
        }
        return starts
    }

    public func predict(_ theta: [Double], data: FitData, values: inout [Double], jacobian: UnsafeMutablePointer<Double>?) {
        let e = theta[0], logA = theta[1], alpha = theta[2]
        for i in 0..<data.count {
            let lx = data.logX[i]
            let term = exp(logA - alpha * lx)
            values[i] = e + term
            if let jacobian {
                jacobian[i * 3] = 1
                jacobian[i * 3 + 1] = term
                jacobian[i * 3 + 2] = -lx * term
            }
        }
    }

    public func parameters(_ theta: [Double]) -> [String: Double] {
        ["E": theta[0], "A": exp(theta[1]), "alpha": theta[2]]
    }
}

/// Ordinary least-squares line z ≈ slope·x + intercept.
public func leastSquaresLine(_ x: [Double], _ z: [Double]) -> (slope: Double, intercept: Double) {
    let mx = mean(x), mz = mean(z)
    var sxx = 0.0, sxz = 0.0
    for (a, b) in zip(x, z) {
        sxx += (a - mx) * (a - mx)
        sxz += (a - mx) * (b - mz)
    }
    let slope = sxx > 0 ? sxz / sxx : 0
    return (slope, mz - slope * mx)
}

func mean(_ values: [Double]) -> Double { values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count) }
