import Foundation
import Testing
import ScaleLabCore
import ScaleLabFit
import ScaleLabIO
@testable import ScaleLabAnalysis
import ScaleLabTestSupport

/// Issue 16 on the over-training testbed (Gadre et al. 2024): per training set, fit the runs ≤ 411M
/// parameters and predict the nine 1.4B and 6.9B runs on 46 tasks through c4_val loss. The scipy
/// yardstick (../shared/reference/overtrain_reference.py, same protocol) scores 4.44 points over
/// the 414 predictions, and carrying the 411M accuracy forward 7.11 (data README).
@Suite(.enabled(if: TestSupport.hasSharedData, "../shared/data is absent"))
struct OvertrainLadderTests {
    @Test func twoStepBeatsTheYardstickAndTheLastValue() async throws {
        guard let path = TestSupport.sharedFile("overtrain_scaling/overtrain_scaling.csv") else { return }
        var builder = DatasetBuilder()
        try Importer.read(InputFile(path: path), into: &builder)
        let data = try builder.build()
        var curves = Set<LadderCurve>()
        for row in 0..<data.count where data.metric(ofRow: row) == "acc" {
            curves.insert(LadderCurve(task: data.task(ofRow: row).name, metric: "acc", shots: data.shots[row]))
        }
        let options = LadderBacktestOptions(trainMax: 1e9, methods: [.twoStep, .twoStepSigmoid, .lastValue], auto: false,
                                            ladder: LadderOptions(replicates: 0))
        let result = await LadderBacktester.run(data, curves: Array(curves), via: ViaMetric(task: "c4_val", metric: "loss"), options: options)
        func mae(_ method: LadderMethod) throws -> Double { try #require(result.summaries.first { $0.method == method.rawValue }).mae }
        let twoStep = try mae(.twoStep), sigmoid = try mae(.twoStepSigmoid), last = try mae(.lastValue)
        print(String(format: "overtrain: two-step %.2f, two-step-sigmoid %.2f, last value %.2f points", 100 * twoStep, 100 * sigmoid, 100 * last))
        #expect(try #require(result.summaries.first { $0.method == LadderMethod.twoStep.rawValue }).predictions == 414)
        // Below the yardstick's 4.44 points (measured 3.66 in this session) and far below the last value.
        #expect(100 * twoStep < 4.44)
        #expect(100 * last > 7.0 && 100 * last < 7.2, "the last value is the yardstick's baseline, 7.11")
        // The AICc link is no worse than the sigmoid alone (it keeps the sigmoid where it is earned).
        #expect(twoStep <= sigmoid)
        // Stage 1 at 1.4B, 1× tokens: within 2.5% of the observed c4_val loss in every training set
        // (the yardstick: 1.31–2.42%).
        let nearRuns = result.viaErrors.filter { ($0.params ?? 0) < 2e9 && ($0.tokens ?? 0) < 3e10 }
        #expect(nearRuns.count == 3)
        for e in nearRuns { #expect(abs(e.relativeError) < 0.025, "\(e.family) \(e.run): \(e.relativeError)") }
    }
}
