import Foundation
import Testing
@testable import ScaleLabFit

/// Every law's analytic Jacobian ∂ŷ/∂θ against central finite differences.
///
/// For each law, θ is drawn uniformly inside its box (SplitMix64, fixed seed) at 100 points and
/// the Jacobian is compared on realistic inputs (x from 1e6 to 1e11, D from 2e7 to 6e12 for
/// Chinchilla, losses from 1.8 to 4.5 nats for the sigmoid of loss); entries where ŷ or a
/// derivative is not finite are skipped. The difference quotient
/// (ŷ(θ + h·e_j) − ŷ(θ − h·e_j)) / 2h with h = 1e-6·max(1, |θ_j|) has truncation error O(h²)
/// relative (≈ 1e-12·θ_j², times the ratio of third to first derivative) and rounding error
/// ≈ ε·|ŷ|/h ≈ 2e-10·|ŷ|/max(1, |θ_j|), times |log ŷ| for laws that compute ŷ as the exponential
/// of a sum of that size. Each entry's error is measured relative to
/// max(|analytic|, |difference|, floor) with floor = 1e-3·M·max(1, |log M|)/max(1, |θ_j|),
/// M = max(1, |ŷ_i|) — the floor, 10⁶ times that rounding error, keeps entries that are zero or
/// vanishingly small against ŷ (a saturated sigmoid, a break far away) from turning rounding
/// noise into a large ratio. The largest error over all entries must be ≤ 1e-5: a wide margin over
/// the differencing error (the worst seen is ≈ 2e-6, for BNSL), while a wrong or missing
/// derivative term is wrong by O(1), as `detectsAWrongDerivative` checks.
struct LawJacobianTests {
    struct Case: Sendable {
        var law: any ScalingLaw
        var data: FitData
        /// Replacements of the law's box where it is too wide for realistic values, by θ index.
        var narrowed: [Int: ClosedRange<Double>] = [:]
    }

    static func logSpaced(_ from: Double, _ to: Double, _ count: Int) -> [Double] {
        (0..<count).map { exp(log(from) + (log(to) - log(from)) * Double($0) / Double(count - 1)) }
    }

    static var scales: [Double] { logSpaced(1e6, 1e11, 16) }

    /// Loss-like responses (for laws fitted on log residuals) and accuracy-like ones.
    static var lossCurve: [Double] { scales.map { 1.7 + 400 * pow($0, -0.34) } }
    static var accuracyCurve: [Double] { scales.map { 0.25 + 0.7 / (1 + exp(-1.5 * (log10($0) - 8.5))) } }

    /// BNSL's fitting box (log b ∈ [−50, 100], c0 ∈ [−3, 5], c_i ∈ [−10, 10]) lets the terms of
    /// log(ŷ − a) = log b − c0·log x − Σ c_i·f_i·softplus(…) reach hundreds and cancel; their
    /// rounding (ε·Σ|terms|, relative to ŷ) then swamps a difference quotient taken with h = 1e-6.
    /// The draws use the ranges real curves take: log b ∈ [−5, 5], c0 ∈ [−1, 2], c_i ∈ [−3, 3].
    static func bnslBox(breaks: Int) -> [Int: ClosedRange<Double>] {
        var box: [Int: ClosedRange<Double>] = [1: -5...5, 2: -1...2]
        for k in 0..<breaks { box[3 + 3 * k] = -3...3 }
        return box
    }

    static var cases: [Case] {
        let tokens = scales.enumerated().map { 20 * $1 * (1 + Double($0 % 3)) }
        let chinchilla = zip(scales, tokens).map { 1.69 + 406.4 * pow($0, -0.34) + 410.7 * pow($1, -0.28) }
        let losses = (0..<16).map { 1.8 + 2.7 * Double($0) / 15 }
        let sigmoid = losses.map { 0.25 + 0.7 / (1 + exp(6 * ($0 - 2.4))) }
        return [
            Case(law: PowerLaw(), data: FitData(x: scales, y: lossCurve)),
            Case(law: LogisticLaw(), data: FitData(x: scales, y: accuracyCurve)),
            Case(law: BrokenNeuralScalingLaw(breaks: 1), data: FitData(x: scales, y: lossCurve), narrowed: bnslBox(breaks: 1)),
            Case(law: BrokenNeuralScalingLaw(breaks: 2), data: FitData(x: scales, y: lossCurve), narrowed: bnslBox(breaks: 2)),
            Case(law: BrokenNeuralScalingLaw(breaks: 3), data: FitData(x: scales, y: lossCurve), narrowed: bnslBox(breaks: 3)),
            Case(law: ChinchillaLaw(), data: FitData(x: scales, x2: tokens, y: chinchilla), narrowed: [0: -5...15, 1: -5...15]),
            Case(law: SigmoidOfLossLaw(), data: FitData(x: losses, y: sigmoid)),
            // log A up to 100 would overflow A·x^−α against a score of order 1; real fits stay in [−5, 15].
            Case(law: SaturatingPowerLaw(), data: FitData(x: scales, y: accuracyCurve), narrowed: [1: -5...15]),
            // c·log x and log β reach ±100 over the box; real curves keep log(β·x^−c) within ±20.
            Case(law: M4Law(), data: FitData(x: scales, y: lossCurve), narrowed: [3: -5...15, 4: 0.05...0.6]),
            Case(law: M4Law(rising: true), data: FitData(x: scales, y: accuracyCurve), narrowed: [3: -5...15, 4: 0.05...0.6]),
        ]
    }

    /// The largest relative error of the analytic Jacobian over `draws` θ inside the box, and how
    /// many entries were compared.
    static func worstError(_ item: Case, draws: Int, seed: UInt64) -> (error: Double, compared: Int, worst: String) {
        let law = item.law, data = item.data
        let p = law.internalNames.count, n = data.count
        var (lower, upper) = law.bounds(for: data)
        for (index, range) in item.narrowed {
            lower[index] = range.lowerBound
            upper[index] = range.upperBound
        }
        var generator = SplitMix64(seed: seed)
        var worst = 0.0, compared = 0, location = ""
        var values = [Double](repeating: 0, count: n), plus = values, minus = values
        var jacobian = [Double](repeating: 0, count: n * p)
        for _ in 0..<draws {
            var theta = [Double](repeating: 0, count: p)
            for j in 0..<p {
                let unit = Double(generator.next() >> 11) * 0x1p-53
                theta[j] = lower[j] + (upper[j] - lower[j]) * unit
            }
            jacobian.withUnsafeMutableBufferPointer { law.predict(theta, data: data, values: &values, jacobian: $0.baseAddress!) }
            for j in 0..<p {
                let h = 1e-6 * max(1, abs(theta[j]))
                var shifted = theta
                shifted[j] = theta[j] + h
                law.predict(shifted, data: data, values: &plus, jacobian: nil)
                shifted[j] = theta[j] - h
                law.predict(shifted, data: data, values: &minus, jacobian: nil)
                for i in 0..<n {
                    let analytic = jacobian[i * p + j]
                    let difference = (plus[i] - minus[i]) / (2 * h)
                    guard values[i].isFinite, plus[i].isFinite, minus[i].isFinite, analytic.isFinite, difference.isFinite else {
                        continue
                    }
                    let magnitude = max(1, abs(values[i]))
                    let floor = 1e-3 * magnitude * max(1, abs(log(magnitude))) / max(1, abs(theta[j]))
                    let error = abs(analytic - difference) / max(abs(analytic), abs(difference), floor)
                    compared += 1
                    if error > worst {
                        worst = error
                        location = "\(law.internalNames[j]) at x = \(data.x[i]), θ = \(theta): analytic \(analytic), difference \(difference)"
                    }
                }
            }
        }
        return (worst, compared, location)
    }

    @Test(arguments: 0..<10)
    func analyticJacobianMatchesCentralDifferences(_ index: Int) {
        let item = Self.cases[index]
        let (error, compared, worst) = Self.worstError(item, draws: 100, seed: 0x5CA1E + UInt64(index))
        let p = item.law.internalNames.count
        // Most entries are compared: non-finite values are rare inside the (narrowed) boxes.
        #expect(compared >= 100 * p * item.data.count / 2, "\(item.law.name): only \(compared) finite entries")
        #expect(error <= 1e-5, "\(item.law.name): relative error \(error) at \(worst)")
    }

    /// The check itself catches a wrong derivative: a law whose ∂ŷ/∂α drops the log x factor.
    @Test func detectsAWrongDerivative() {
        struct WrongPowerLaw: ScalingLaw {
            let base = PowerLaw()
            var name: String { "wrong-power" }
            var formula: String { base.formula }
            var internalNames: [String] { base.internalNames }
            var parameterNames: [String] { base.parameterNames }
            var inputs: Int { 1 }
            var residualSpace: ResidualSpace { .log }
            func bounds(for data: FitData) -> (lower: [Double], upper: [Double]) { base.bounds(for: data) }
            func initialGuesses(for data: FitData) -> [[Double]] { base.initialGuesses(for: data) }
            func predict(_ theta: [Double], data: FitData, values: inout [Double], jacobian: UnsafeMutablePointer<Double>?) {
                base.predict(theta, data: data, values: &values, jacobian: jacobian)
                guard let jacobian else { return }
                for i in 0..<data.count { jacobian[i * 3 + 2] /= log(data.x[i]) }
            }
            func parameters(_ theta: [Double]) -> [String: Double] { base.parameters(theta) }
        }
        let item = Case(law: WrongPowerLaw(), data: FitData(x: Self.scales, y: Self.lossCurve))
        #expect(Self.worstError(item, draws: 4, seed: 1).error > 0.5)
    }
}
