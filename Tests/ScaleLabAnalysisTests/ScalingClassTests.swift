import Foundation
import Testing
import ScaleLabCore
import ScaleLabFit
import ScaleLabIO
@testable import ScaleLabAnalysis
import ScaleLabTestSupport

/// Issue 6, item 2: planted scaling classes are recovered from simulated binomial scores.
///
/// Each planted curve has 12 models log-spaced from 10⁷ to 10¹⁰ parameters; a model's score is
/// k/n with k ~ Binomial(n, p(x)) for the planted p(x) and n items. 50 seeds per class.
///
/// Why ≥ 90% is a fair bound: at-chance, saturated and too-noisy are decided by *not* rejecting a
/// null hypothesis at α = 0.05 (at-chance shares α over its three tests), so about 5% of
/// curves planted there are expected to land elsewhere; the other classes are planted with effects
/// many noise sds large, and fail only when a null test on a flat stretch (the floor before a jump,
/// the arm of a U) rejects by chance, again at most ~5%. With 50 curves and a true failure rate of
/// 5%, recovery below 90% (6 or more failures) has probability 3.8%; a rule that is wrong for the
/// class fails by far more.
@Suite struct ScalingClassTests {
    static let sizes = (0..<12).map { pow(10, 7 + 3 * Double($0) / 11) }
    static let seeds = 50

    /// A seeded simulator of binomial scores and Gaussian noise.
    struct Simulator {
        var generator: SplitMix64

        init(seed: UInt64) { generator = SplitMix64(seed: seed) }

        mutating func uniform() -> Double { Double(generator.next() >> 11) / Double(1 << 53) }

        mutating func normal() -> Double {
            let u1 = max(uniform(), 1e-300), u2 = uniform()
            return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
        }

        /// k/n, k ~ Binomial(n, p), as n Bernoulli draws.
        mutating func proportion(_ p: Double, items: Int) -> Double {
            var correct = 0
            for _ in 0..<items where uniform() < p { correct += 1 }
            return Double(correct) / Double(items)
        }
    }

    /// A planted class: the true score at each scale, the item count and the chance level.
    struct Planted: Sendable {
        var scalingClass: ScalingClass
        var items: Int
        var chance: Double?
        var truth: @Sendable (Double) -> Double

        func curve(seed: UInt64) -> TaskCurve {
            var simulator = Simulator(seed: seed &* 0x9E37_79B9 &+ UInt64(scalingClass.rawValue.count))
            let y = ScalingClassTests.sizes.map { simulator.proportion(truth($0), items: items) }
            return TaskCurve(task: "planted-\(scalingClass.rawValue)-\(seed)", metric: "acc", x: ScalingClassTests.sizes, y: y,
                             items: items, chance: chance)
        }
    }

    static let planted: [Planted] = [
        // A saturating power law: 0.30 at 10⁷ rising to 0.80 at 10¹⁰ toward 0.95; 400 items.
        Planted(scalingClass: .smooth, items: 400, chance: 0.25) { x in 0.95 - 0.65 * pow(x / 1e7, -0.212) },
        // At chance for the eight smaller models, then 0.75 rising to 0.85: a jump of ~16 sd.
        Planted(scalingClass: .emergent, items: 200, chance: 0.25) { x in
            let u = log10(x)
            return u < 9.0 ? 0.25 : 0.75 + 0.1 * (u - 9.18) / 0.82
        },
        // Linear decline in log x from 0.70 to 0.40.
        Planted(scalingClass: .inverse, items: 400, chance: 0.25) { x in 0.7 - 0.1 * (log10(x) - 7) },
        // Down from 0.67 to 0.40 at 3·10⁸, then back up to 0.67.
        Planted(scalingClass: .nonMonotone, items: 400, chance: 0.25) { x in 0.4 + 0.12 * pow(log10(x) - 8.5, 2) },
        Planted(scalingClass: .atChance, items: 200, chance: 0.25) { _ in 0.25 },
        // A binary task at 99%: the benchmark cannot tell these models apart.
        Planted(scalingClass: .saturated, items: 1000, chance: 0.5) { _ in 0.99 },
        // Ten items and a rise of 0.05 over three decades (≈ 0.3 sd of the slope): real, but not
        // visible through the noise; above chance throughout.
        Planted(scalingClass: .tooNoisy, items: 10, chance: 0.25) { x in 0.5 + 0.05 * (log10(x) - 7) / 3 },
    ]

    @Test(arguments: planted.map(\.scalingClass))
    func plantedClassIsRecovered(_ planted: ScalingClass) async throws {
        let plan = try #require(Self.planted.first { $0.scalingClass == planted })
        let curves = (1...Self.seeds).map { plan.curve(seed: UInt64($0)) }
        let results = await ScalingClassifier.classify(curves)
        #expect(results.map(\.task) == curves.map(\.task), "results come back in input order")
        var counts: [ScalingClass: Int] = [:]
        for result in results { counts[result.scalingClass, default: 0] += 1 }
        let recovered = Double(counts[planted] ?? 0) / Double(results.count)
        print(String(format: "planted %@: recovered %.0f%%", planted.rawValue, 100 * recovered),
              counts.sorted { $0.value > $1.value }.map { "\($0.key.rawValue) \($0.value)" })
        if let miss = results.first(where: { $0.scalingClass != planted }) {
            print("  e.g. \(miss.task): \(miss.verdict)\n    " + miss.evidence.joined(separator: "\n    "))
        }
        #expect(recovered >= 0.9, "\(planted.rawValue) recovered on \(recovered * 100)% of \(results.count) curves")
    }

    /// One classification's evidence: a sentence per test, with its numbers, and the same numbers
    /// by name; the law comparison when the laws were fitted.
    @Test func emergentEvidenceNamesTheJump() throws {
        let plan = try #require(Self.planted.first { $0.scalingClass == .emergent })
        let result = ScalingClassifier.classify(plan.curve(seed: 3))
        print(result.verdict, result.evidence.joined(separator: "\n"), separator: "\n")
        #expect(result.scalingClass == .emergent)
        let from = try #require(result.statistics["emergence.jumpFrom"]), to = try #require(result.statistics["emergence.jumpTo"])
        // The planted jump is between the 8th and 9th sizes.
        #expect(abs(log10(from) - log10(Self.sizes[7])) < 1e-9 && abs(log10(to) - log10(Self.sizes[8])) < 1e-9)
        #expect(try #require(result.statistics["emergence.deltaAICc"]) >= 10)
        #expect(result.comparison != nil)
        #expect(result.evidence.contains { $0.contains("between") && $0.contains("ΔAICc") })
        let decoded = try JSONDecoder().decode(TaskClassification.self, from: JSONEncoder().encode(result))
        #expect(decoded.scalingClass == .emergent && decoded.evidence == result.evidence)
        #expect(String(decoding: try JSONEncoder().encode(result), as: UTF8.self).contains("\"class\":\"emergent\""))
    }

    /// Same curves, same classifications, whatever the scheduling.
    @Test func arrayClassificationIsDeterministic() async throws {
        let curves = Self.planted.flatMap { plan in (1...3).map { plan.curve(seed: UInt64($0)) } }
        let first = await ScalingClassifier.classify(curves), second = await ScalingClassifier.classify(curves)
        #expect(first.map(\.scalingClass) == second.map(\.scalingClass))
        #expect(first.map(\.evidence) == second.map(\.evidence))
        #expect(first.map(\.scalingClass) == curves.map { ScalingClassifier.classify($0).scalingClass })
    }

    /// Losses (lower is better), with neither stderr nor item count: the noise comes from the
    /// residuals. A loss falling as a power law is smooth; a rising one is inverse.
    @Test func lossCurvesAreOrientedByDirection() async {
        var falling: [TaskCurve] = [], rising: [TaskCurve] = []
        for seed in 1...20 {
            var simulator = Simulator(seed: UInt64(seed))
            let x = Self.sizes
            falling.append(TaskCurve(task: "falling-\(seed)", metric: "loss", x: x,
                                     y: x.map { 1.7 + 400 * pow($0, -0.34) * exp(0.02 * simulator.normal()) },
                                     higherIsBetter: false))
            rising.append(TaskCurve(task: "rising-\(seed)", metric: "loss", x: x,
                                    y: x.map { 2.0 + 0.1 * (log10($0) - 7) + 0.02 * simulator.normal() }, higherIsBetter: false))
        }
        let fallingClasses = await ScalingClassifier.classify(falling).map(\.scalingClass)
        let risingClasses = await ScalingClassifier.classify(rising).map(\.scalingClass)
        print("falling loss:", fallingClasses.map(\.rawValue), "\nrising loss:", risingClasses.map(\.rawValue))
        #expect(fallingClasses.filter { $0 == .smooth }.count >= 18)
        #expect(risingClasses.filter { $0 == .inverse }.count >= 18)
        #expect(ScalingClassifier.classify(falling[0]).noiseSource == .residuals)
    }

    /// The reverse U — better, then worse — with two models (seeds) at each size: the twins share
    /// x, and the class is still found.
    @Test func invertedUWithTwinsIsNonMonotone() async {
        let curves = (1...20).map { seed in
            var simulator = Simulator(seed: UInt64(1000 + seed))
            let x = Self.sizes.flatMap { [$0, $0] }
            let y = x.map { simulator.proportion(0.65 - 0.1 * pow(log10($0) - 8.5, 2), items: 400) }
            return TaskCurve(task: "inverted-\(seed)", metric: "acc", x: x, y: y, items: 400, chance: 0.25)
        }
        let results = await ScalingClassifier.classify(curves)
        print("inverted U:", results.map(\.scalingClass.rawValue))
        #expect(results.filter { $0.scalingClass == .nonMonotone }.count >= 18)
        #expect(results.allSatisfy { $0.scalingClass != .nonMonotone || $0.verdict.contains("better, then worse") })
    }

    /// The tail probabilities behind every test, at the tabulated critical values (Abramowitz &
    /// Stegun 1964, tables 26.1, 26.8 and 26.10: t₀.₉₇₅ on 10 df = 2.228139, on 1 df = 12.70620;
    /// χ²₀.₉₅ on 12 df = 21.02607, on 1 df = 3.841459; χ²₀.₉₉ on 30 df = 50.89218) and two
    /// interior values (P(|T₃| ≥ 0.5) = 0.651448, P(χ²₅ ≥ 2) = 0.849145, from scipy.stats 1.x).
    /// A perfect 0/1 step (the sha256^n family's tool threshold): the smooth law cannot be fitted
    /// at all, which counts for the step law; a chance level of 0 must not make the null noise 0.
    @Test func anExactStepIsEmergent() {
        let x = (0..<8).map { pow(10, 7 + 0.7 * Double($0)) }
        let y: [Double] = [0, 0, 0, 0, 0, 0, 1, 1]
        for chance in [nil, 0.0] {
            let result = ScalingClassifier.classify(TaskCurve(task: "step", metric: "acc", x: x, y: y, items: 160, chance: chance))
            #expect(result.scalingClass == .emergent, "chance \(String(describing: chance)): \(result.verdict)")
            #expect(result.statistics.values.allSatisfy { $0.isFinite })
        }
    }

    @Test func tailProbabilitiesMatchTables() {
        #expect(abs(Probability.studentTwoSided(2.228139, df: 10) - 0.05) < 1e-6)
        #expect(abs(Probability.studentTwoSided(-12.70620, df: 1) - 0.05) < 1e-6)
        #expect(abs(Probability.studentTwoSided(0.5, df: 3) - 0.651448) < 1e-6)
        #expect(abs(Probability.chiSquareUpper(21.02607, df: 12) - 0.05) < 1e-6)
        #expect(abs(Probability.chiSquareUpper(3.841459, df: 1) - 0.05) < 1e-6)
        #expect(abs(Probability.chiSquareUpper(50.89218, df: 30) - 0.01) < 1e-6)
        #expect(abs(Probability.chiSquareUpper(2, df: 5) - 0.849145) < 1e-6)
        // Student's t quantile: t₀.₉₇₅ on 10 d.o.f. = 2.228139 (tables).
        #expect(abs(Probability.studentUpperQuantile(0.025, df: 10) - 2.228139) < 1e-5)
        // The overlap's cluster cut: with one pair, the critical Pearson r at α = 0.05 on 10 d.o.f. is 0.5760 (tables).
        #expect(abs(TaskOverlap.significantCorrelation(tasks: 2, residualDegreesOfFreedom: 11) - 0.5760) < 1e-4)
        #expect(abs(Probability.normalTwoSided(1.959964) - 0.05) < 1e-6)
    }

    /// Three distinct scales (six models, twins at each) are too few for any trend test.
    @Test func tooFewScalesIsTooNoisy() {
        let curve = TaskCurve(task: "short", metric: "acc", x: [1e8, 1e8, 1e9, 1e9, 1e10, 1e10],
                              y: [0.3, 0.32, 0.5, 0.52, 0.7, 0.71], items: 1000, chance: 0.25)
        let result = ScalingClassifier.classify(curve)
        #expect(result.scalingClass == .tooNoisy)
        #expect(result.verdict.contains("3 distinct scale"))
    }

    /// Pythia (final checkpoint, 0-shot accuracies, 8 sizes from 70M to 12B, standard and
    /// deduplicated): the classes of the 65 tasks.
    @Test(.enabled(if: TestSupport.hasSharedData, "../shared/data is absent"))
    func pythiaClasses() async throws {
        guard let path = TestSupport.sharedFile("pythia_final_0shot.csv") else { return }
        var builder = DatasetBuilder()
        try Importer.read(InputFile(path: path), into: &builder)
        let data = try builder.build().selecting(Selection(metrics: ["acc"], shots: [0]))
        let series = try data.fitSeries(x: .params)
        struct Key: Hashable { var task: String; var model: ModelKey }
        var rows: [Key: Int] = [:]
        for row in 0..<data.count { rows[Key(task: data.task(ofRow: row).name, model: data.model(ofRow: row).key)] = row }
        // The file has no chance column. Where the task's format fixes the number of options, the
        // chance level is 1/options: MMLU (hendrycksTest-*), SciQ and LogiQA have four, PIQA and
        // WinoGrande two. ARC's questions have three to five options, so it gets none.
        func knownChance(_ task: String) -> Double? {
            if task.hasPrefix("hendrycksTest-") || task == "sciq" || task == "logiqa" { return 0.25 }
            if task == "piqa" || task == "winogrande" { return 0.5 }
            return nil
        }
        let curves = series.map { curve in
            let info = data.index(ofTask: curve.task).map { data.tasks[$0] }
            let pointRows = curve.models.map { rows[Key(task: curve.task, model: $0)] }
            let items = info?.items ?? pointRows.compactMap { $0.flatMap { data.counts[$0] } }.max()
            return TaskCurve(task: curve.task, metric: curve.metric, shots: curve.shots, x: curve.data.x, y: curve.data.y,
                             stderr: pointRows.map { $0.flatMap { data.stderrs[$0] } }, items: items,
                             chance: info?.chance ?? knownChance(curve.task), higherIsBetter: higherIsBetter(curve.metric))
        }
        let results = await ScalingClassifier.classify(curves)
        var counts: [ScalingClass: Int] = [:]
        for result in results {
            counts[result.scalingClass, default: 0] += 1
            print(result.task.padding(toLength: 46, withPad: " ", startingAt: 0), result.verdict)
        }
        print("Pythia classes:", ScalingClass.allCases.map { "\($0.rawValue) \(counts[$0] ?? 0)" }.joined(separator: ", "))
        let byTask = Dictionary(results.map { ($0.task, $0) }, uniquingKeysWith: { first, _ in first })
        let lambada = try #require(byTask["lambada_openai"])
        print(lambada.evidence.joined(separator: "\n"))
        // LAMBADA rises from 0.18 to 0.71 over 70M–12B with no interval between adjacent sizes
        // carrying more than 0.19 of the 0.53 rise (this file's data): smooth, not a jump.
        #expect(lambada.scalingClass == .smooth)
        for task in ["arc_easy", "piqa", "sciq"] { #expect(byTask[task]?.scalingClass == .smooth, "\(task)") }
        // MMLU (four options) at these sizes, 0-shot: the subtask scores range 0.12–0.45 around
        // 0.25, most subtasks have 100–300 items (binomial sd 0.025–0.045) and show no trend, so
        // at least half of the 57 should be found at chance. A few do improve: virology rises
        // from 0.22 to 0.39 in steps no larger than 0.07.
        let mmlu = results.filter { $0.task.hasPrefix("hendrycksTest-") }
        let atChance = mmlu.filter { $0.scalingClass == .atChance }.count
        print("MMLU subtasks at chance: \(atChance) of \(mmlu.count)")
        #expect(mmlu.count == 57)
        #expect(atChance >= 29)
        #expect(byTask["hendrycksTest-virology"]?.scalingClass == .smooth)
    }
}
