import Foundation
import Testing
@testable import ScaleLabFit

@Suite struct SaturatingPowerLawTests {
    /// y = 0.9 − 12·N^−0.2 on 8 models from 1e7 to 1e10 (an accuracy rising from 0.24 to 0.63)
    /// is recovered to 1e-6 without noise, and its prediction at 1e11 to 1e-6.
    @Test func recoversANoiselessLaw() throws {
        let truth = { (n: Double) in 0.9 - 12 * pow(n, -0.2) }
        let x = (0..<8).map { pow(10, 7 + 3 * Double($0) / 7) }
        let law = SaturatingPowerLaw()
        let fit = try Fitter().fit(law, to: FitData(x: x, y: x.map(truth)))
        let parameters = law.parameters(fit.theta)
        #expect(abs(parameters["C"]! - 0.9) < 1e-6)
        #expect(abs(parameters["A"]! / 12 - 1) < 1e-5)
        #expect(abs(parameters["alpha"]! - 0.2) < 1e-6)
        #expect(abs(law.predict(fit.theta, x: [1e11])[0] - truth(1e11)) < 1e-6)
    }

    /// An accuracy's ceiling cannot pass 1: data rising steeply towards it put C at the bound.
    @Test func accuracyCeilingIsBoundedByOne() throws {
        let x = (0..<6).map { pow(10, 8 + Double($0) / 2) }
        let y = [0.30, 0.45, 0.62, 0.78, 0.90, 0.97]
        let fit = try Fitter().fit(SaturatingPowerLaw(), to: FitData(x: x, y: y))
        #expect(fit.theta[0] <= 1 + 1e-12)
        #expect(SaturatingPowerLaw().predict(fit.theta, x: [1e13])[0] <= 1 + 1e-9)
    }

    /// A score that falls with scale is not this law's shape: the fit stays flat (α at its lower
    /// bound or A → 0), never inventing a rise.
    @Test func fallingDataGiveAFlatFit() throws {
        let x = (0..<6).map { pow(10, 8 + Double($0) / 2) }
        let y = [0.60, 0.55, 0.50, 0.46, 0.42, 0.40]
        let law = SaturatingPowerLaw()
        let fit = try Fitter().fit(law, to: FitData(x: x, y: y))
        let predictions = law.predict(fit.theta, x: [1e8, 1e11])
        #expect(predictions[1] - predictions[0] < 1e-3)
    }
}
