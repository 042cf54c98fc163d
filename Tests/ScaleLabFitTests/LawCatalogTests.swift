import Foundation
import Testing
@testable import ScaleLabFit

/// The catalog's names and the candidates `auto` tries, by the metric's direction and the data.
struct LawCatalogTests {
    static let x = LawJacobianTests.logSpaced(1e7, 1e10, 10)
    /// A loss falling from 5.0 to 2.2 nats, and an accuracy rising from 0.30 to 0.60.
    static let loss = FitData(x: x, y: x.map { 1.7 + 400 * pow($0, -0.34) })
    static let accuracy = FitData(x: x, y: x.map { 0.9 - 3 * pow($0, -0.1) })

    static func names(_ data: FitData, _ higherIsBetter: Bool?) -> Set<String> {
        Set(LawCatalog.candidates(for: data, higherIsBetter: higherIsBetter).map(\.name))
    }

    @Test func everyNameResolvesToItsLaw() {
        for name in LawCatalog.names { #expect(LawCatalog.law(named: name)?.name == name) }
        #expect(Set(LawCatalog.singleInput).isSubset(of: Set(LawCatalog.names)))
    }

    /// A known direction leaves out the laws that can only move the other way.
    @Test func theMetricsDirectionPicksTheLaws() {
        let forLoss = Self.names(Self.loss, false)
        #expect(forLoss.isSuperset(of: ["power", "m4", "logistic", "bnsl1"]))
        #expect(forLoss.isDisjoint(with: ["saturating", "m4-rising"]))
        let forAccuracy = Self.names(Self.accuracy, true)
        #expect(forAccuracy.isSuperset(of: ["saturating", "m4-rising", "logistic", "bnsl1"]))
        #expect(forAccuracy.isDisjoint(with: ["power", "m4"]))
    }

    /// With the direction unknown both power laws stay, and one M4 is kept by the data: falling
    /// when the data fall or every y is above 1, rising otherwise.
    @Test func anUnknownDirectionKeepsTheM4TheDataFollow() {
        let forLoss = Self.names(Self.loss, nil), forAccuracy = Self.names(Self.accuracy, nil)
        #expect(forLoss.isSuperset(of: ["power", "saturating", "m4"]) && !forLoss.contains("m4-rising"))
        #expect(forAccuracy.isSuperset(of: ["power", "saturating", "m4-rising"]) && !forAccuracy.contains("m4"))
        let risingAboveOne = FitData(x: Self.x, y: Self.accuracy.y.map { $0 + 10 })
        #expect(Self.names(risingAboveOne, nil).contains("m4") && !Self.names(risingAboveOne, nil).contains("m4-rising"))
    }

    /// Five parameters need seven points at six distinct scales.
    @Test func m4NeedsSevenPoints() {
        let six = FitData(x: Array(Self.x.prefix(6)), y: Array(Self.loss.y.prefix(6)))
        #expect(!Self.names(six, false).contains("m4"))
        let seven = FitData(x: Array(Self.x.prefix(7)), y: Array(Self.loss.y.prefix(7)))
        #expect(Self.names(seven, false).contains("m4"))
    }
}
