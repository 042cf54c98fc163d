import Foundation
import Testing
@testable import ScaleLabFit
@testable import ScaleLabIO
import ScaleLabTestSupport

@Suite(.enabled(if: ReferenceCase.available, "../shared/reference is absent"))
struct ReferenceCaseTests {
    /// Issue 4's acceptance: on ≥ 90% of the cases the held-out error is no worse than scipy's
    /// + 10%, and every adversarial case is refused with a reason.
    @Test func matchesOrBeatsScipyOnHeldOutError() throws {
        let cases = try ReferenceCase.loadAll()
        let scipy = try scipyHeldoutErrors()
        #expect(cases.count == 33)
        var compared = 0, passed = 0
        var report: [String] = []
        for item in cases {
            if item.expectError {
                #expect(throws: FitInputError.self, "\(item.name) (\(item.reason ?? "")) should be refused") {
                    try item.fitter.fit(item.law, to: item.fit)
                }
                continue
            }
            let result = try item.fitter.fit(item.law, to: item.fit)
            let ours = item.heldoutError(result)
            let theirs = try #require(scipy[item.name])
            compared += 1
            let ok = ours <= theirs * 1.1 + 1e-6
            if ok { passed += 1 }
            report.append(String(format: "%-30@ ours %.5f scipy %.5f %@", item.name as NSString, ours, theirs, ok ? "ok" : "WORSE"))
        }
        print(report.joined(separator: "\n"))
        #expect(compared == 28)
        #expect(Double(passed) >= 0.9 * Double(compared), "\(passed) of \(compared) within scipy + 10%")
    }

    /// BNSL fitted as its authors do (Caballero et al. 2022: a brute-force grid over the
    /// reparametrised parameters, then least-squares refinement from the best grid points — here the
    /// 10 best distinct shapes, each refined): on every BNSL case the held-out error is at most
    /// scipy's. On the seven converged cases both searches end at the same minimum (objectives
    /// equal to 12 digits) and each optimiser's stopping tolerance moves the held-out error in its
    /// 7th digit, either way; so "at most" allows 10⁻⁶ relative and no more. On the break beyond
    /// the window neither converges, and ScaleLab stops at the lower objective.
    @Test func bnslHeldOutErrorIsAtMostScipys() throws {
        let scipy = try scipyHeldoutErrors()
        let cases = try ReferenceCase.loadAll().filter { $0.form.hasPrefix("bnsl") && !$0.expectError }
        #expect(cases.count == 8)
        for item in cases {
            let result = try item.fitter.fit(item.law, to: item.fit)
            let ours = item.heldoutError(result), theirs = try #require(scipy[item.name])
            print(String(format: "%-28@ ours %.9f scipy %.9f", item.name as NSString, ours, theirs))
            #expect(ours <= theirs * (1 + 1e-6), "\(item.name): \(ours) vs scipy's \(theirs)")
        }
    }
}
