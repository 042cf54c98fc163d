import Foundation
import Testing
@testable import ScaleLabFit
@testable import ScaleLabIO
import ScaleLabTestSupport

/// Chinchilla Approach 3 on the digitised Hoffmann et al. (2022) points, as replicated by
/// Besiroglu et al. (2024): Huber δ = 1e-3 on log residuals, the 5 highest-loss rows left out,
/// Epoch's 4,500-point start grid.
@Suite(.enabled(if: TestSupport.hasSharedData && ReferenceCase.available, "../shared is absent"))
struct ChinchillaRealDataTests {
    static func approach3Data() throws -> FitData {
        let path = TestSupport.sharedData.appendingPathComponent("chinchilla_approach3.csv").path
        // The file has no task/metric columns: read it as a plain numeric table.
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let rows = text.split(separator: "\n").filter { !$0.hasPrefix("#") }.dropFirst().map {
            $0.split(separator: ",").map { Double($0)! }
        }
        let kept = rows.sorted { $0[2] < $1[2] }.dropLast(5)  // Epoch: nr_of_models_excluded = 5
        return FitData(x: kept.map { $0[0] }, x2: kept.map { $0[1] }, y: kept.map { $0[2] })
    }

    @Test func reproducesTheScipyOptimum() throws {
        let data = try Self.approach3Data()
        #expect(data.count == 240)
        let reference = try Importer.parseJSON(try InputFile(path: ReferenceCase.folder.appendingPathComponent("chinchilla_real.json").path))
        let fit = try #require(reference["fit"])
        let scipyObjective = try #require(reference["objective"]?.double)

        let result = try Fitter(loss: .approach3, maxStarts: 200).fit(ChinchillaLaw(startGrid: .epoch), to: data)
        // Besiroglu et al. 2024 §3 and FINDINGS.md: E, α, β are sharply determined, A and B lie on a
        // flat ridge — hence 1% and 5%.
        for (name, tolerance) in [("E", 0.01), ("alpha", 0.01), ("beta", 0.01), ("A", 0.05), ("B", 0.05)] {
            let expected = try #require(fit[name]?.double)
            let got = try #require(result[name])
            #expect(abs(got - expected) / expected <= tolerance, "\(name): \(got) vs scipy \(expected)")
        }
        // The objective no worse than scipy's (to the last float bits of a sum of 240 terms).
        #expect(result.objective <= scipyObjective * (1 + 1e-9), "objective \(result.objective) vs scipy \(scipyObjective)")
        #expect(result.converged)
        print("Approach 3:", result.parameters.map { "\($0.name)=\($0.value)" }.joined(separator: " "),
              "objective", result.objective, "scipy", scipyObjective)
    }
}
