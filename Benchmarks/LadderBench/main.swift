// LadderBench: the over-training testbed's ladder backtest (Gadre et al. 2024) — per training set,
// every method fitted on the runs ≤ 411M parameters predicting the nine 1.4B and 6.9B runs on 46
// tasks — next to the scipy yardstick (../shared/reference/overtrain_reference.py) run in the
// same invocation.
//
//   swift run -c release LadderBench [--replicates N] [--links flat,linear,sigmoid] [--no-reference]
//
// Prints ScaleLab's table (each method's mean absolute error over the 414 task predictions, with
// 80%/95% coverage where the method has intervals; c4_val loss relative error per target), the
// yardstick's own output, and the wall-time ratio.
//
// Targets (acceptance, issue 16): two-step via c4_val:loss MAE ≤ 3.5 points and below the
// yardstick's; c4_val relative error no worse than the yardstick's for each target; `auto` within
// 0.3 points of the best single method.
import Foundation
import ScaleLabAnalysis
import ScaleLabCore
import ScaleLabIO

func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

let arguments = CommandLine.arguments
func value(_ flag: String) -> String? { arguments.firstIndex(of: flag).flatMap { $0 + 1 < arguments.count ? arguments[$0 + 1] : nil } }
let replicates = value("--replicates").flatMap(Int.init) ?? 100
/// `--links flat,linear,sigmoid`: the forms the two-step's AICc chooses among (default: those three).
let links = value("--links").map { $0.split(separator: ",").compactMap { LinkForm(rawValue: String($0)) } } ?? [.flat, .linear, .sigmoid]
let shared = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../shared").standardized.path
let dataPath = value("--data") ?? shared + "/data/overtrain_scaling/overtrain_scaling.csv"
let referencePath = shared + "/reference/overtrain_reference.py"
guard FileManager.default.fileExists(atPath: dataPath) else {
    print("LadderBench: \(dataPath) is absent; nothing to measure (skipped)")
    exit(0)
}
print("LadderBench — \(dataPath)")
print("release build, \(ProcessInfo.processInfo.activeProcessorCount) active cores, \(replicates) bootstrap replicates per two-step fit")

var builder = DatasetBuilder()
try Importer.read(InputFile(path: dataPath), into: &builder)
let dataset = try builder.build()
let via = ViaMetric(task: "c4_val", metric: "loss")
var curveSet = Set<LadderCurve>()
for row in 0..<dataset.count where dataset.metric(ofRow: row) == "acc" {
    curveSet.insert(LadderCurve(task: dataset.task(ofRow: row).name, metric: "acc", shots: dataset.shots[row]))
}
let curves = curveSet.sorted { ($0.task, $0.shots ?? -1) < ($1.task, $1.shots ?? -1) }
let started = now()
let result = await LadderBacktester.run(dataset, curves: curves, via: via,
                                        options: LadderBacktestOptions(trainMax: 1e9, ladder: LadderOptions(links: links, replicates: replicates)))
let wall = now() - started
// The yardstick's work alone: the sigmoid two-step, point predictions, no intervals, no auto.
let sameStarted = now()
let same = await LadderBacktester.run(dataset, curves: curves, via: via, options: LadderBacktestOptions(
    trainMax: 1e9, methods: [.twoStepSigmoid], auto: false, ladder: LadderOptions(links: [.sigmoid], replicates: 0)))
let sameWall = now() - sameStarted

func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
func lpad(_ s: String, _ n: Int) -> String { s.count >= n ? s : String(repeating: " ", count: n - s.count) + s }
func pct(_ v: Double?) -> String { v.map { String(format: "%.1f%%", 100 * $0) } ?? "—" }
print("\nScaleLab (\(String(format: "%.1f", wall)) s): \(curves.count) tasks, via \(via), fit ≤ 1e9 params per family")
print("method                  predictions  MAE (points)  80% cov  95% cov")
for s in result.summaries {
    print(pad(s.method, 24) + lpad("\(s.predictions)", 11) + lpad(String(format: "%.2f", 100 * s.mae), 14) + lpad(pct(s.coverage80), 9) + lpad(pct(s.coverage95), 9))
}
print("auto chose: " + result.chosen.sorted { $0.key < $1.key }.map { "\($0.key) → \($0.value)" }.joined(separator: ", "))
print("\nstage 1 (c4_val loss, Chinchilla on N, D, Huber δ = 1e-3):")
print("family       target                 loss    predicted  rel.err   two-step MAE")
for e in result.viaErrors {
    let mine = result.predictions.filter { $0.method == "two-step" && $0.run == e.run }
    let mae = mine.isEmpty ? Double.nan : 100 * mine.reduce(0) { $0 + abs($1.error) } / Double(mine.count)
    print(pad(e.family, 13) + pad(String(format: "%.1fB D=%.3g", (e.params ?? 0) / 1e9, e.tokens ?? 0), 21)
        + lpad(String(format: "%.4f", e.observed), 8) + lpad(String(format: "%.4f", e.estimate), 11)
        + lpad(String(format: "%.2f%%", 100 * abs(e.relativeError)), 9) + lpad(String(format: "%.2f", mae), 14))
}
for s in result.skipped.prefix(10) { print("skipped: \(s)") }
if result.skipped.count > 10 { print("… \(result.skipped.count - 10) more skipped") }

if !arguments.contains("--no-reference") {
    print("\nscipy yardstick (\(referencePath)):")
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", referencePath, dataPath]
    let pipe = Pipe()
    process.standardOutput = pipe
    let referenceStarted = now()
    do {
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let referenceWall = now() - referenceStarted
        print(String(decoding: output, as: UTF8.self), terminator: "")
        let sameMAE = same.summaries.first.map { String(format: "%.2f", 100 * $0.mae) } ?? "—"
        print(String(format: "\nwall time, the same work (two-step with the sigmoid link, point predictions, 414): ScaleLab %.2f s (MAE %@) vs scipy %.2f s: ScaleLab %.1f× faster",
                     sameWall, sameMAE, referenceWall, referenceWall / sameWall))
        print(String(format: "wall time, everything above (%d methods, %d-replicate intervals, inner forecasts for auto): ScaleLab %.1f s",
                     LadderMethod.allCases.count, replicates, wall))
    } catch {
        print("could not run python3: \(error) (skipped)")
    }
}
