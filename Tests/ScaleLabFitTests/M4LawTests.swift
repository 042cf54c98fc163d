import Foundation
import Testing
@testable import ScaleLabFit

/// M4 (Alabdulmohsin et al. 2022): the implicit solution, recovery of a known law from noiseless
/// data, and extrapolation from noisy data, for a falling loss and a rising accuracy.
struct M4LawTests {
    /// 12 models from 10⁶ to 10¹⁰; predictions are checked at 10× the largest, 10¹¹.
    static let scales = LawJacobianTests.logSpaced(1e6, 1e10, 12)
    static let beyond = 1e11

    /// A loss on a plateau just under ε0 = 4 at 10⁶ that bends into a power law towards ε∞ = 1.8
    /// (y from 3.86 down to 2.24 at 10¹⁰; 1.96 at 10¹¹): θ = (ε∞, ε0, α, log β, c).
    static let falling = [1.8, 4.0, 1.2, 10.0, 0.5]
    /// An accuracy leaving chance (0.25) at 10⁶ and rising towards 0.9 (0.256 to 0.80 at 10¹⁰;
    /// 0.87 at 10¹¹): θ = (ceiling, floor, α, log β, c).
    static let rising = [0.9, 0.25, 0.8, 12.0, 0.6]

    /// At every scale from 10⁰ to 10¹⁵, for α from 0 to 5, ŷ brackets the root of the increasing
    /// g(y) = (y − ε∞) − β·x^(−c)·(ε0 − y)^α to 10⁻¹³ relative: g ≤ 0 at ŷ·(1 − 10⁻¹³) and ≥ 0 at
    /// ŷ·(1 + 10⁻¹³), both clipped to [ε∞, ε0] (mirrored, g(y) = β·x^(−c)·(y − floor)^α − (ceiling − y),
    /// for the rising law). g′ ≥ 1 and g is evaluated to ≈ 10⁻¹⁵·ŷ, so the signs are meaningful at
    /// that width. Where α = 0 and β·x^(−c) ≥ ε0 − ε∞ there is no root and ŷ is the start, ε0.
    @Test(arguments: [false, true])
    func solvesTheImplicitEquationToFullPrecision(_ isRising: Bool) {
        let law = M4Law(rising: isRising)
        let x = LawJacobianTests.logSpaced(1, 1e15, 61)
        for alpha in [0, 1e-3, 0.3, 1, 2.5, 5] {
            var theta = isRising ? Self.rising : Self.falling
            theta[2] = alpha
            let limit = theta[0], start = theta[1], low = min(limit, start), high = max(limit, start)
            for (value, scale) in zip(law.predict(theta, x: x), x) {
                let t = exp(theta[3] - theta[4] * log(scale))
                if alpha == 0 && t >= abs(limit - start) {
                    #expect(value == start)
                    continue
                }
                func g(_ y: Double) -> Double {
                    let y = min(max(y, low), high)
                    return isRising ? t * pow(y - start, alpha) - (limit - y) : (y - limit) - t * pow(start - y, alpha)
                }
                #expect(value >= low && value <= high)
                let below = g(value * (1 - 1e-13)), above = g(value * (1 + 1e-13))
                #expect(below <= 0 && above >= 0, "α = \(alpha), x = \(scale): ŷ = \(value), g = \(below), \(above)")
            }
        }
    }

    /// With α = 0 the law is the power law ε∞ + β·x^(−c) (M2 of the paper) wherever that is below ε0.
    @Test func alphaZeroIsThePowerLaw() {
        let theta = [1.8, 4.0, 0, 3.0, 0.3]
        let x = LawJacobianTests.logSpaced(1e4, 1e12, 9)
        for (value, scale) in zip(M4Law().predict(theta, x: x), x) {
            let power = 1.8 + exp(3.0 - 0.3 * log(scale))
            #expect(abs(value - min(power, 4.0)) <= 1e-13 * power)
        }
    }

    /// Noiseless data from each law are fitted to the truth: the prediction at 10× the largest x
    /// is within 10⁻⁶ relative of the law's (the fit's objective is at rounding level, so only an
    /// ill-determined direction could move it).
    @Test(arguments: [false, true])
    func recoversANoiselessLaw(_ isRising: Bool) throws {
        let law = M4Law(rising: isRising)
        let truth = isRising ? Self.rising : Self.falling
        let fit = try Fitter().fit(law, to: FitData(x: Self.scales, y: law.predict(truth, x: Self.scales)))
        let predicted = law.predict(fit.theta, x: [Self.beyond])[0], expected = law.predict(truth, x: [Self.beyond])[0]
        #expect(abs(predicted / expected - 1) <= 1e-6, "\(law.name): \(predicted) vs \(expected), θ = \(fit.theta)")
        #expect(fit.converged)
    }

    /// Noisy data: 16 models from 10⁶ to 10¹⁰ with 1% noise (lognormal on the loss, additive 0.01
    /// on the accuracy, eight seeds). The error of the prediction at 10¹¹, in the law's residual
    /// space (|log ŷ − log y| falling, |ŷ − y| rising), is measured against its delta-method
    /// standard deviation σ* = σ·√(gᵀ(JᵀJ)⁻¹g) at the true θ (J the residual-space Jacobian at
    /// the 16 points, g its row at 10¹¹): 0.082 (8% relative) for the loss and 0.041 for the
    /// accuracy — five parameters from a plateau and a bend leave the floor uncertain, and that is
    /// what an extrapolation a decade out inherits. A fit that finds the least-squares optimum has
    /// errors ≈ N(0, σ*²): each must be within 3σ* and their root mean square within 1.6σ* (the 99th
    /// percentile of √(χ²₈/8)); a start grid that missed the optimum, or a wrong derivative that
    /// stopped the search early, shows as errors of many σ*.
    @Test(arguments: [false, true])
    func extrapolatesNoisyDataWithinItsStatisticalError(_ isRising: Bool) throws {
        let law = M4Law(rising: isRising)
        let truth = isRising ? Self.rising : Self.falling
        let x = LawJacobianTests.logSpaced(1e6, 1e10, 16), sigma = 0.01
        let clean = law.predict(truth, x: x), target = law.predict(truth, x: [Self.beyond])[0]
        let spread = Self.predictionDeviation(law, truth, x: x, sigma: sigma)
        #expect(spread < (isRising ? 0.05 : 0.1))
        var squares = 0.0
        for seed in 0..<8 {
            var generator = SplitMix64(seed: UInt64(seed))
            let y = clean.map { isRising ? $0 + sigma * Self.standardNormal(&generator) : $0 * exp(sigma * Self.standardNormal(&generator)) }
            let fit = try Fitter().fit(law, to: FitData(x: x, y: y))
            let predicted = law.predict(fit.theta, x: [Self.beyond])[0]
            let error = isRising ? predicted - target : log(predicted / target)
            #expect(abs(error) <= 3 * spread, "seed \(seed): error \(error), σ* \(spread)")
            squares += error * error
        }
        #expect((squares / 8).squareRoot() <= 1.6 * spread)
    }

    /// σ·√(gᵀ(JᵀJ)⁻¹g): the linearised standard deviation of the prediction at 10¹¹ in the law's
    /// residual space, for independent residual noise of deviation σ at `x`.
    static func predictionDeviation(_ law: M4Law, _ theta: [Double], x: [Double], sigma: Double) -> Double {
        func jacobian(_ points: [Double]) -> [Double] {
            var values = [Double](repeating: 0, count: points.count)
            var rows = [Double](repeating: 0, count: points.count * 5)
            rows.withUnsafeMutableBufferPointer { law.predict(theta, data: FitData(x: points, y: points), values: &values, jacobian: $0.baseAddress!) }
            // Log residuals: ∂ log ŷ/∂θ = (∂ŷ/∂θ)/ŷ.
            return law.rising ? rows : rows.enumerated().map { $1 / values[$0 / 5] }
        }
        let rows = jacobian(x), g = jacobian([beyond])
        var normal = [Double](repeating: 0, count: 25)
        for i in x.indices { for a in 0..<5 { for b in 0..<5 { normal[a * 5 + b] += rows[i * 5 + a] * rows[i * 5 + b] } } }
        let solved = DenseLinearAlgebra.choleskySolve(normal, g, 5) ?? [.nan]
        return sigma * zip(g, solved).map(*).reduce(0, +).squareRoot()
    }

    /// A standard normal draw (Box–Muller from a uniform in (0, 1] and one in [0, 1)).
    static func standardNormal(_ generator: inout SplitMix64) -> Double {
        let u1 = Double((generator.next() >> 11) + 1) * 0x1p-53, u2 = Double(generator.next() >> 11) * 0x1p-53
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }
}
