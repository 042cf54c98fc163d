import Foundation
import Testing
import ScaleLabCore
import ScaleLabFit
@testable import ScaleLabAnalysis

/// Gaussian draws from SplitMix64 (Box–Muller), for curves with known truth.
struct Noise {
    var generator: SplitMix64
    init(seed: UInt64) { generator = SplitMix64(seed: seed) }
    mutating func normal() -> Double {
        let u1 = max(Double(generator.next() >> 11) / Double(1 << 53), 1e-300), u2 = Double(generator.next() >> 11) / Double(1 << 53)
        return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
    }
}

/// Learning curves with known truth of three shapes, 12 points a doubling apart, the next two
/// doublings to predict:
/// - `plateau`: a loss L = 2 + 3·(x/x₀)^−1 that falls ~30% a doubling at first and flattens onto
///   its floor (x₀ = 4th point) — the curve on which a law fitted to the early points undershoots;
/// - `power`: L = 1.69 + 406.4·x^−0.34 on 1e7…2e10, a law that holds throughout;
/// - `break`: a loss on a power law whose slope steepens by 0.3 at a break half a doubling past
///   the last fitted point (BNSL-1 with f = 0.1) — a change no fit can see coming.
/// 1.5% lognormal noise on every point, observed and future alike.
enum CurveShape: CaseIterable { case plateau, power, breakAhead }

func knownCurve(_ shape: CurveShape, seed: UInt64) -> (data: FitData, future: [Double], truth: [Double], futureX: [Double]) {
    var noise = Noise(seed: seed)
    let x = (0..<14).map { 1e7 * pow(2, Double($0)) }
    let law: (Double) -> Double
    switch shape {
    case .plateau: law = { 2 + 3 * pow($0 / 8e7, -1) }
    case .power: law = { 1.69 + 406.4 * pow($0, -0.34) }
    case .breakAhead:
        let d = 1e7 * pow(2, 11.5)
        law = { 1.0 + 60 * pow($0, -0.2) * pow(1 + pow($0 / d, 1 / 0.1), -0.3 * 0.1) }
    }
    let y = x.map { law($0) * exp(0.015 * noise.normal()) }
    return (FitData(x: Array(x.prefix(12)), y: Array(y.prefix(12))), Array(y.suffix(2)), x.suffix(2).map(law), Array(x.suffix(2)))
}

@Suite struct LawPolicyTests {
    /// The plateau: the policy's error is no worse than carrying the last value forward, and it
    /// never extrapolates the early fall past the plateau (issue 15). 60 curves of each shape.
    @Test func policyIsNoWorseThanTheLastValueOnPlateaus() throws {
        var policy = 0.0, last = 0.0
        for seed in 0..<60 {
            let curve = knownCurve(.plateau, seed: UInt64(seed))
            let choice = try Forecaster.choose(curve.data, at: curve.futureX, options: ForecastOptions(higherIsBetter: false))
            let predicted = LawPolicy.predict(choice.method, train: curve.data, origin: curve.data.x.max()!, at: curve.futureX,
                                              options: ForecastOptions(), trend: nil)!
            let lastValue = Baseline.lastValue.predict(curve.data, at: curve.futureX[0])
            for (k, observed) in curve.future.enumerated() {
                policy += abs(log(observed) - log(predicted[k]))
                last += abs(log(observed) - log(lastValue))
            }
        }
        print("plateau: policy mean |log error| \(policy / 120), last value \(last / 120)")
        #expect(policy <= last)
    }

    /// Coverage of the next two points within ±5 points of nominal on curves with known truth,
    /// the plateau included. (The break ahead is not: a slope change half a doubling past the data
    /// is invisible to every method, and its intervals cover 34% / 52% — the known limit, reported
    /// in the closing note of issue 15 rather than asserted.) 150 curves of each shape, 2 points each: the
    /// binomial sd of a correct 80% interval's coverage over 300 points is 2.3 points (points of one
    /// curve are correlated, so ±5 is about 2 sd).
    @Test(arguments: [CurveShape.plateau, .power])
    func intervalsAreCalibratedOnKnownTruth(shape: CurveShape) async throws {
        var inside80 = 0, inside95 = 0, total = 0
        for seed in 0..<150 {
            let curve = knownCurve(shape, seed: UInt64(1000 + seed))
            let forecast = try await Forecaster.forecast(curve.data, at: curve.futureX,
                                                         options: ForecastOptions(replicates: 100, seed: UInt64(seed), higherIsBetter: false))
            for (k, point) in forecast.points.enumerated() {
                total += 1
                if point.interval(0.8)?.contains(curve.future[k]) == true { inside80 += 1 }
                if point.interval(0.95)?.contains(curve.future[k]) == true { inside95 += 1 }
            }
        }
        let c80 = Double(inside80) / Double(total), c95 = Double(inside95) / Double(total)
        print("\(shape): 80% covers \(c80), 95% covers \(c95)")
        #expect(abs(c80 - 0.8) <= 0.05)
        #expect(abs(c95 - 0.95) <= 0.05)
    }

    /// Random walks (each point the previous plus N(0, 0.02²)): the last value is the best
    /// forecast there is, and laws chase the wiggles. Over 40 walks the policy picks a baseline on
    /// most and says so, and its error is no worse than the last value's by more than 10%.
    @Test func randomWalksFallBackToABaseline() throws {
        var baselines = 0
        var policyError = 0.0, lastError = 0.0
        for seed in 0..<40 {
            var noise = Noise(seed: UInt64(seed))
            let x = (0..<12).map { 1e8 * pow(2, Double($0)) }
            var level = 0.5
            let y = x.map { _ in level += 0.02 * noise.normal(); return level }
            let data = FitData(x: Array(x.prefix(10)), y: Array(y.prefix(10)))
            let options = ForecastOptions(higherIsBetter: true)
            let decision = LawPolicy.decide(data, options: options, distance: log10(4), trend: nil)
            #expect(decision.basis == .innerForecasts)
            #expect(decision.candidates.contains { $0.method == "last-value" && $0.innerError != nil })
            let method = try #require(LawPolicy.method(named: decision.chosen, options: options))
            if method.law == nil {
                baselines += 1
                #expect(decision.evidence.contains("no law forecast this curve's own later points better"))
            }
            let predicted = try #require(LawPolicy.predict(method, train: data, origin: x[9], at: Array(x.suffix(2)), options: options, trend: nil))
            for k in 0..<2 {
                policyError += abs(y[10 + k] - predicted[k])
                lastError += abs(y[10 + k] - y[9])
            }
        }
        print("random walks: baseline chosen on \(baselines)/40; policy error \(policyError / 80), last value \(lastError / 80)")
        #expect(baselines >= 20)
        #expect(policyError <= 1.1 * lastError)
    }

    /// A law that holds: the policy picks a law, not a baseline, and says which was next best.
    @Test func aCleanPowerLawIsForecastByALaw() throws {
        let curve = knownCurve(.power, seed: 9)
        let decision = LawPolicy.decide(curve.data, options: ForecastOptions(higherIsBetter: false), distance: 0.3, trend: nil)
        #expect(["power", "bnsl1", "logistic"].contains(decision.chosen))
        #expect(decision.evidence.hasPrefix("chosen: \(decision.chosen) — inner forecast error"))
        #expect(decision.evidence.contains("next best"))
    }

    /// Too short for an inner forecast by any law (4 distinct sizes: a three-parameter law needs
    /// four at an inner origin and a later one to predict): no law is extrapolated unchecked; the
    /// baselines, which can be checked, compete, and the evidence says why. With two sizes nothing
    /// can be checked: AICc decides, and says so (no law fits two sizes, so the last value).
    @Test func aShortCurveIsNotExtrapolatedByAnUncheckedLaw() throws {
        let sizes = [1e8, 4e8, 1.6e9, 6.4e9]
        let x = sizes.flatMap { [$0, $0, $0] }
        let y = x.enumerated().map { 0.85 - 2 * pow($0.element, -0.12) + 0.004 * Double($0.offset % 3 - 1) }
        let choice = try Forecaster.choose(FitData(x: x, y: y), options: ForecastOptions(higherIsBetter: true))
        #expect(choice.method.law == nil)
        #expect(choice.decision?.basis == .innerForecasts)
        #expect(choice.decision?.evidence.contains("no law could be checked on this curve's own later points") == true)
        // The rising curve: the line in log x (or the local trend) beats carrying the last value.
        #expect(choice.method.name != Baseline.lastValue.rawValue)
        let two = try Forecaster.choose(FitData(x: [1e8, 1e8, 4e8, 4e8], y: [0.3, 0.31, 0.4, 0.41]), options: ForecastOptions(higherIsBetter: true))
        #expect(two.decision?.basis == .aicc)
        #expect(two.decision?.evidence.contains("too short for inner forecasts") == true)
        #expect(two.method.name == Baseline.lastValue.rawValue)
    }

    /// A user's own law, as a value, goes through the same fitting and forecasting path.
    @Test func aUsersOwnLawIsForecastThroughTheSamePath() async throws {
        struct Exponential: ScalingLaw {
            var name: String { "my-exponential" }
            var formula: String { "y = E + A·exp(−b·log10 x)" }
            var internalNames: [String] { ["E", "logA", "b"] }
            var parameterNames: [String] { ["E", "A", "b"] }
            var inputs: Int { 1 }
            var residualSpace: ResidualSpace { .log }
            func bounds(for data: FitData) -> (lower: [Double], upper: [Double]) { ([0, -20, 0], [data.y.min()!, 40, 10]) }
            func initialGuesses(for data: FitData) -> [[Double]] { [[0, 5, 0.5], [0.5 * data.y.min()!, 10, 1]] }
            func predict(_ theta: [Double], data: FitData, values: inout [Double], jacobian: UnsafeMutablePointer<Double>?) {
                for (i, x) in data.x.enumerated() {
                    let t = exp(theta[1] - theta[2] * log10(x))
                    values[i] = theta[0] + t
                    if let jacobian {
                        jacobian[i * 3] = 1
                        jacobian[i * 3 + 1] = t
                        jacobian[i * 3 + 2] = -t * log10(x)
                    }
                }
            }
            func parameters(_ theta: [Double]) -> [String: Double] { ["E": theta[0], "A": exp(theta[1]), "b": theta[2]] }
        }
        let curve = knownCurve(.power, seed: 4)
        let forecast = try await Forecaster.forecast(curve.data, at: curve.futureX,
                                                     options: ForecastOptions(law: .law(Exponential()), replicates: 50))
        #expect(forecast.law == "my-exponential")
        #expect(forecast.decision == nil)
        let result = await Backtester.run([FitSeries(task: "t", metric: "loss", shots: nil, data: curve.data,
                                                     models: curve.data.x.map { ModelKey(name: "m\($0)", step: nil) })],
                                          options: BacktestOptions(laws: [.law(Exponential())], trainMax: 1e7 * pow(2, 9), replicates: 20))
        #expect(result.summaries.contains { $0.method == "my-exponential" && $0.predictions == 2 })
    }
}
