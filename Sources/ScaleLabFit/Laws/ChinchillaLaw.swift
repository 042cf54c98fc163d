import Foundation

/// The Chinchilla law of loss in parameters N and training tokens D (Hoffmann et al. 2022, eq. 2):
/// **L(N, D) = E + A/N^α + B/D^β**.
///
/// E is the irreducible loss; A/N^α the error of a finite model trained to convergence; B/D^β
/// that of finite data. Fitted as in Approach 3 and Epoch AI's replication (Besiroglu et al. 2024):
/// θ = (a, b, e, α, β) with A = eᵃ, B = eᵇ, E = eᵉ, so that log L = LSE(a − α log N,
/// b − β log D, e), on log residuals, usually with the Huber loss (δ = 1e-3). The α, β ∈ [0, 5]
/// box keeps both terms decreasing; a, b ∈ [−20, 100] and e ∈ [−10, 10] are wide enough never to
/// bind on real data. The A–B direction is famously flat (Besiroglu et al. 2024 §3): expect E, α,
/// β to be well determined and A, B much less.
public struct ChinchillaLaw: ScalingLaw {
    /// Starting grids: Epoch's 4,500-point grid or the 72-point grid of the reference cases.
    public enum StartGrid: Sendable {
        case epoch
        case coarse
    }

    public var startGrid: StartGrid

    public init(startGrid: StartGrid = .coarse) {
        self.startGrid = startGrid
    }

    public let name = "chinchilla"
    public let formula = "L = E + A/N^alpha + B/D^beta"
    public let internalNames = ["a", "b", "e", "alpha", "beta"]
    public let parameterNames = ["E", "A", "B", "alpha", "beta"]
    public let inputs = 2
    public let residualSpace = ResidualSpace.log

    public func bounds(for data: FitData) -> (lower: [Double], upper: [Double]) {
        ([-20, -20, -10, 0, 0], [100, 100, 10, 5, 5])
    }

    public func initialGuesses(for data: FitData) -> [[Double]] {
        let alphas: [Double], betas: [Double], es: [Double], as_: [Double], bs: [Double]
        switch startGrid {
        case .epoch:
            alphas = [0, 0.5, 1, 1.5, 2]; betas = alphas; es = [-1, -0.5, 0, 0.5, 1]
            as_ = [0, 5, 10, 15, 20, 25]; bs = as_
        case .coarse:
            alphas = [0, 0.5, 1]; betas = alphas; es = [-1, 0.5]; as_ = [0, 10]; bs = as_
        }
        var starts: [[Double]] = []
        for alpha in alphas { for beta in betas { for e in es { for a in as_ { for b in bs {
            starts.append([a, b, e, alpha, beta])
        } } } } }
        return starts
    }

    public func predict(_ theta: [Double], data: FitData, values: inout [Double], jacobian: UnsafeMutablePointer<Double>?) {
        let a = theta[0], b = theta[1], e = theta[2], alpha = theta[3], beta = theta[4]
        let logNs = data.logX, logDs = data.logX2!
        let irreducible = exp(e)
        for i in 0..<data.count {
            let logN = logNs[i], logD = logDs[i]
            let modelTerm = exp(a - alpha * logN)
            let dataTerm = exp(b - beta * logD)
            values[i] = irreducible + modelTerm + dataTerm
            if let jacobian {
                let row = jacobian + i * 5
                row[0] = modelTerm
                row[1] = dataTerm
                row[2] = irreducible
                row[3] = -logN * modelTerm
                row[4] = -logD * dataTerm
            }
        }
    }

    public func parameters(_ theta: [Double]) -> [String: Double] {
        ["A": exp(theta[0]), "B": exp(theta[1]), "E": exp(theta[2]), "alpha": theta[3], "beta": theta[4]]
    }
}
