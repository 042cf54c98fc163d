import Foundation

/// How residuals are turned into the objective.
///
/// - `squared`: ½ Σ r², ordinary (weighted) least squares.
/// - `huber(δ)`: Σ ρ_δ(r) with ρ_δ(r) = ½r² for |r| ≤ δ and δ(|r| − ½δ) beyond (Huber 1964):
///   quadratic near zero, linear in the tails, so a few outlying points cannot drag the fit. With
///   δ = 1e-3 on log residuals (Hoffmann et al. 2022, Approach 3) nearly every point is in the
///   linear regime and the fit is close to least absolute deviations.
///
/// Huber is minimised by iteratively reweighted least squares inside Levenberg–Marquardt: each
/// step solves the weighted normal equations with weights √(ψ(r)/r) (1 in the quadratic zone,
/// √(δ/|r|) outside), which is the exact Gauss–Newton model of ρ at the current residuals.
public enum Loss: Sendable, Equatable, Codable {
    case squared
    case huber(delta: Double)

    public static let approach3 = Loss.huber(delta: 1e-3)

    /// ρ(r).
    @inlinable
    public func rho(_ r: Double) -> Double {
        switch self {
        case .squared: return 0.5 * r * r
        case .huber(let delta):
            let a = abs(r)
            return a <= delta ? 0.5 * r * r : delta * (a - 0.5 * delta)
        }
    }

    /// The curvature weight of the Gauss–Newton model of ρ at r: 1 for squared loss and inside
    /// Huber's quadratic zone; outside it, (ψ(r)/r̃)² with r̃ = √(2ρ(r)) the pseudo-residual whose
    /// square is 2ρ — that is δ²/(2δ|r| − δ²), about half the IRLS weight δ/|r|, so steps are not
    /// shortened by curvature the objective does not have.
    @inlinable
    public func curvatureWeight(_ r: Double) -> Double {
        switch self {
        case .squared: return 1
        case .huber(let delta):
            let a = abs(r)
            return a <= delta ? 1 : delta * delta / (2 * delta * a - delta * delta)
        }
    }

    /// The IRLS weight √(ψ(r)/r).
    @inlinable
    public func sqrtWeight(_ r: Double) -> Double {
        switch self {
        case .squared: return 1
        case .huber(let delta):
            let a = abs(r)
            return a <= delta ? 1 : (delta / a).squareRoot()
        }
    }
}
