import Foundation
import Testing
@testable import ScaleLabFit

@Suite struct LogisticFloorTests {
    /// Four-way multiple choice: chance 0.25, rising to 0.85 around 3e9 parameters.
    func emergent(noise: Double) -> FitData {
        var generator = SplitMix64(seed: 8)
        let x = (0..<10).map { pow(10, 8 + 3 * Double($0) / 9) }
        let y = x.map { 0.25 + 0.6 / (1 + exp(-3 * (log10($0) - 9.5))) + noise * (Double(generator.next() % 2001) / 1000 - 1) }
        return FitData(x: x, y: y)
    }

    @Test func aFixedFloorFitsThreeParameters() throws {
        let law = LogisticLaw(floor: 0.25)
        #expect(law.internalNames == ["hi", "k", "x0"])
        let result = try Fitter().fit(law, to: emergent(noise: 0))
        // Noise-free data from the same law: exact recovery to optimiser precision.
        #expect(abs(result["hi"]! - 0.85) < 1e-6 && abs(result["k"]! - 3) < 1e-5 && abs(result["x0"]! - 9.5) < 1e-6)
        #expect(law.parameters(result.theta)["lo"] == 0.25)
        #expect(law.formula.hasPrefix("y = 0.25 + (hi − 0.25)"))
    }

    @Test func jacobianMatchesFiniteDifferences() {
        let law = LogisticLaw(floor: 0.25)
        let data = emergent(noise: 0.01)
        let theta = [0.8, 2.5, 9.3]
        var values = [Double](repeating: 0, count: data.count)
        var jacobian = [Double](repeating: 0, count: data.count * 3)
        jacobian.withUnsafeMutableBufferPointer { law.predict(theta, data: data, values: &values, jacobian: $0.baseAddress!) }
        for j in 0..<3 {
            let h = 1e-6 * max(1, abs(theta[j]))
            var plus = theta, minus = theta
            plus[j] += h
            minus[j] -= h
            let up = law.predict(plus, x: data.x), down = law.predict(minus, x: data.x)
            for i in 0..<data.count {
                // Central differences: O(h²) truncation, O(ε/h) rounding — far below 1e-6 here.
                #expect(abs((up[i] - down[i]) / (2 * h) - jacobian[i * 3 + j]) <= 1e-6 * max(1, abs(jacobian[i * 3 + j])))
            }
        }
    }

    @Test func fixingTheFloorNarrowsTheCeilingBeforeTheMidpoint() async throws {
        // Only the rise is seen (x up to about the midpoint): with the floor free, lo and hi trade off.
        let data = emergent(noise: 0.01)
        let early = FitData(x: Array(data.x.prefix(7)), y: Array(data.y.prefix(7)))
        let fitter = Fitter()
        let free = try fitter.fit(LogisticLaw(), to: early)
        let fixed = try fitter.fit(LogisticLaw(floor: 0.25), to: early)
        let freeBoot = try await fitter.bootstrap(LogisticLaw(), data: early, fit: free, options: BootstrapOptions(replicates: 200, seed: 1))
        let fixedBoot = try await fitter.bootstrap(LogisticLaw(floor: 0.25), data: early, fit: fixed, options: BootstrapOptions(replicates: 200, seed: 1))
        let freeWidth = freeBoot["hi"]!.upper - freeBoot["hi"]!.lower
        let fixedWidth = fixedBoot["hi"]!.upper - fixedBoot["hi"]!.lower
        #expect(fixedWidth <= freeWidth)
    }
}
