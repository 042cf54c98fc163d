import Foundation
import Testing
@testable import ScaleLabFit

/// Data that cannot support a fit are refused with a ``FitInputError`` whose message names the
/// problem — never a crash, never a NaN result — and fitting is deterministic.
struct FitInputTests {
    static let scales: [Double] = (0..<8).map { pow(10, 6 + 0.5 * Double($0)) }
    static let losses: [Double] = scales.map { 1.7 + 400 * pow($0, -0.34) }
    static let accuracies: [Double] = [0, 0, 0.02, 0.1, 0.35, 0.6, 0.72, 0.75]

    /// The error `fit` throws, or nil (recorded as an issue) when it does not throw.
    static func refusal(_ law: any ScalingLaw, _ data: FitData, fitter: Fitter = Fitter(),
                        sourceLocation: SourceLocation = #_sourceLocation) -> String {
        do {
            let result = try fitter.fit(law, to: data)
            Issue.record("\(law.name) accepted the data (objective \(result.objective))", sourceLocation: sourceLocation)
            return ""
        } catch {
            return error.description
        }
    }

    @Test func tooFewDistinctPoints() {
        // Eight points but only three distinct x for the power law's three parameters.
        let x = [1e6, 1e6, 1e6, 1e7, 1e7, 1e8, 1e8, 1e8]
        let message = Self.refusal(PowerLaw(), FitData(x: x, y: x.map { 1.7 + 400 * pow($0, -0.34) }))
        #expect(message.contains("3 distinct x values"), "\(message)")
        #expect(message.contains("need at least 4"), "\(message)")
    }

    @Test func noPointsAtAll() {
        let message = Self.refusal(PowerLaw(), FitData(x: [], y: []))
        #expect(message.contains("0 distinct x values"), "\(message)")
    }

    @Test func constantResponse() {
        let message = Self.refusal(PowerLaw(), FitData(x: Self.scales, y: Self.scales.map { _ in 2.5 }))
        #expect(message.contains("y is constant"), "\(message)")
    }

    @Test func notANumberInY() {
        var y = Self.losses
        y[2] = .nan
        let message = Self.refusal(PowerLaw(), FitData(x: Self.scales, y: y))
        #expect(message.contains("y at point 3 is nan"), "\(message)")
    }

    @Test func infinityInX() {
        var x = Self.scales
        x[4] = .infinity
        let message = Self.refusal(PowerLaw(), FitData(x: x, y: Self.losses))
        #expect(message.contains("x at point 5 is inf"), "\(message)")
    }

    @Test(arguments: [0.0, -1e9])
    func scaleNotPositive(_ bad: Double) {
        var x = Self.scales
        x[0] = bad
        let message = Self.refusal(PowerLaw(), FitData(x: x, y: Self.losses))
        #expect(message.contains("x at point 1"), "\(message)")
        #expect(message.contains("must be > 0"), "\(message)")
    }

    @Test func secondInputNotPositive() {
        var tokens = Self.scales.map { 20 * $0 }
        tokens[6] = 0
        let message = Self.refusal(ChinchillaLaw(), FitData(x: Self.scales, x2: tokens, y: Self.losses))
        #expect(message.contains("x at point 7"), "\(message)")
    }

    @Test func mismatchedLengths() {
        let message = Self.refusal(PowerLaw(), FitData(x: Self.scales, y: Array(Self.losses.dropLast())))
        #expect(message.contains("different lengths"), "\(message)")
    }

    @Test func missingSecondInput() {
        let message = Self.refusal(ChinchillaLaw(), FitData(x: Self.scales, y: Self.losses))
        #expect(message.contains("needs two inputs"), "\(message)")
    }

    @Test func nonPositiveResponseUnderLogResiduals() throws {
        var y = Self.losses
        y[3] = 0
        let power = Self.refusal(PowerLaw(), FitData(x: Self.scales, y: y))
        #expect(power.contains("y at point 4 is 0.0"), "\(power)")
        #expect(power.contains("log residuals need y > 0"), "\(power)")

        // An accuracy at 0 is refused on log residuals and fitted on linear ones.
        let accuracy = FitData(x: Self.scales, y: Self.accuracies)
        let logistic = Self.refusal(LogisticLaw(), accuracy, fitter: Fitter(residualSpace: .log))
        #expect(logistic.contains("y at point 1 is 0.0"), "\(logistic)")
        #expect(logistic.contains("log residuals need y > 0"), "\(logistic)")
        let result = try Fitter(residualSpace: .linear).fit(LogisticLaw(), to: accuracy)
        #expect(result.objective.isFinite)
        #expect(result.theta.allSatisfy { $0.isFinite })
    }

    /// Either a result whose objective, θ, parameters and RMSE are all finite, or a FitInputError;
    /// anything else (another error, a NaN anywhere in the result) is a failure.
    static func finiteOrRefused(_ law: any ScalingLaw, _ data: FitData, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            let result = try Fitter().fit(law, to: data)
            #expect(result.objective.isFinite, "\(law.name): objective \(result.objective)", sourceLocation: sourceLocation)
            #expect(result.theta.allSatisfy { $0.isFinite }, "\(law.name): θ \(result.theta)", sourceLocation: sourceLocation)
            #expect(result.parameters.allSatisfy { $0.value.isFinite }, "\(law.name): \(result.parameters)", sourceLocation: sourceLocation)
            #expect(result.rmse.isFinite, "\(law.name): rmse \(result.rmse)", sourceLocation: sourceLocation)
        } catch {
            #expect(!error.description.isEmpty, sourceLocation: sourceLocation)
        }
    }

    /// Scales from 1e-300 to 1e300: x^(−α) overflows to ∞ (or underflows to 0, so log ŷ = −∞)
    /// over much of the box, for the data-driven starts and for the search's trial points.
    @Test func overflowingPredictionsDuringTheSearch() {
        let x = (0..<10).map { pow(10, -300 + 600 * Double($0) / 9) }
        let y = (0..<10).map { 1.5 + 0.1 * Double(10 - $0) }
        for law in [PowerLaw(), BrokenNeuralScalingLaw(breaks: 1), BrokenNeuralScalingLaw(breaks: 2)] as [any ScalingLaw] {
            Self.finiteOrRefused(law, FitData(x: x, y: y))
        }
        let huge = (0..<10).map { pow(10, 200 + 10 * Double($0)) }
        Self.finiteOrRefused(BrokenNeuralScalingLaw(breaks: 1), FitData(x: huge, y: y))
        Self.finiteOrRefused(LogisticLaw(), FitData(x: huge, y: Self.accuracies + [0.76, 0.77]))
    }

    /// y = A·x^(−α) that returns NaN (values and Jacobian) wherever α > 1, half of its box, with
    /// the truth (α = 0.9) next to that edge so the search keeps stepping into it.
    struct HalfNaNLaw: ScalingLaw {
        var nanEverywhere = false
        var name: String { "half-nan" }
        var formula: String { "y = A·x^(−alpha), NaN for alpha > 1" }
        var internalNames: [String] { ["logA", "alpha"] }
        var parameterNames: [String] { ["A", "alpha"] }
        var inputs: Int { 1 }
        var residualSpace: ResidualSpace { .log }
        func bounds(for data: FitData) -> (lower: [Double], upper: [Double]) { ([-10, 0], [40, 2]) }
        func initialGuesses(for data: FitData) -> [[Double]] {
            [[0, 0.2], [5, 0.5], [20, 0.95], [20, 1.5], [30, 1.9], [35, 1.2]]
        }
        func predict(_ theta: [Double], data: FitData, values: inout [Double], jacobian: UnsafeMutablePointer<Double>?) {
            let broken = nanEverywhere || theta[1] > 1
            for i in 0..<data.count {
                let lx = log(data.x[i])
                let term = exp(theta[0] - theta[1] * lx)
                values[i] = broken ? .nan : term
                if let jacobian {
                    jacobian[i * 2] = broken ? .nan : term
                    jacobian[i * 2 + 1] = broken ? .nan : -lx * term
                }
            }
        }
        func parameters(_ theta: [Double]) -> [String: Double] { ["A": exp(theta[0]), "alpha": theta[1]] }
    }

    @Test func notANumberOverPartOfTheBox() throws {
        var generator = SplitMix64(seed: 7)
        let y = Self.scales.map { x -> Double in
            let noise = 1 + 0.01 * (Double(generator.next() >> 11) * 0x1p-53 - 0.5)
            return exp(18 - 0.9 * log(x)) * noise
        }
        let data = FitData(x: Self.scales, y: y)
        Self.finiteOrRefused(HalfNaNLaw(), data)
        // Here the finite half contains the truth, so the fit succeeds and finds it.
        let result = try Fitter().fit(HalfNaNLaw(), to: data)
        #expect(abs(result.theta[1] - 0.9) < 0.01, "alpha \(result.theta[1])")
    }

    @Test func notANumberEverywhere() {
        let message = Self.refusal(HalfNaNLaw(nanEverywhere: true), FitData(x: Self.scales, y: Self.losses))
        #expect(message.contains("cannot be evaluated at any starting point"), "\(message)")
    }

    @Test func fittingIsDeterministic() throws {
        let fits = try (0..<2).map { _ in
            try [
                Fitter().fit(PowerLaw(), to: FitData(x: Self.scales, y: Self.losses.enumerated().map { $1 * (1 + 0.003 * sin(Double($0))) })),
                Fitter().fit(LogisticLaw(), to: FitData(x: Self.scales, y: Self.accuracies)),
                Fitter().fit(BrokenNeuralScalingLaw(breaks: 1), to: FitData(x: Self.scales, y: Self.losses)),
            ]
        }
        for (first, second) in zip(fits[0], fits[1]) {
            #expect(first.theta.map(\.bitPattern) == second.theta.map(\.bitPattern), "\(first.law): \(first.theta) vs \(second.theta)")
            #expect(first.objective.bitPattern == second.objective.bitPattern)
        }
    }
}
