// BacktestBench: the full Pythia backtest — every 0-shot accuracy curve × every law × 200
// bootstrap replicates — timed, next to the same work done by the scipy reference fitters in the
// same run.
//
//   swift run -c release BacktestBench [--repeats N] [--every K]
//
// ScaleLab: ../shared/data/pythia_final_0shot.csv, metric acc, shots 0, x = total params (65
// curves), `Backtester.run` with a fixed origin at 3e9 (fit on 70M…2.8B, predict 6.9B and 12B) and
// 200 replicates: per law and curve one full multistart fit, a leave-one-scale-out refit per
// training point, 200 bootstrap refits and prediction intervals.
//   - timed against scipy: the laws the reference has (power, logistic, bnsl1, bnsl2), stacking
//     off — the same work on both sides; wall time of N runs (default 3), median reported, and CPU
//     time (the bootstraps use every core);
//   - for the record: one run of the whole catalog (`LawCatalog.singleInput`, stacking on), the
//     table printed.
//
// scipy: `python3 backtest_reference.py` (beside this file) does the same work per curve with
// ../shared/reference/fit_reference.py. The whole of it would take about half a day — the
// reference's logistic fit takes 0.1–20 s on the flat MMLU curves — so it is estimated from a
// deterministic sample, timed in this run: every 8th curve (9 of 65), and per curve and law the
// full fit, 1 of the 11 jackknife refits and the first 3 of the 200 bootstrap refits, each phase
// scaled by its count and the curves by 65 / 9 (about 3 minutes). It times the refits two ways:
// each a complete reference fit (the acceptance figure), and each warm-started the way ScaleLab's
// engine does it (the same algorithm in scipy: how much of the ratio is the engine alone).
// `--every K` changes the curve sample.
//
// Target (acceptance): ScaleLab ≥ 20× faster than the reference on the whole backtest.
import Foundation
import ScaleLabAnalysis
import ScaleLabCore
import ScaleLabFit
import ScaleLabIO
#if canImport(Glibc)
import Glibc
#endif

func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

/// User + system CPU seconds of this process, all threads.
func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
    return seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

func peakResidentMegabytes() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024  // kilobytes on Linux
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    let middle = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

func padded(_ text: String, _ width: Int) -> String {
    text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
}

func leftPadded(_ text: String, _ width: Int) -> String {
    text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
}

func percent(_ value: Double?) -> String { value.map { String(format: "%.1f%%", $0 * 100) } ?? "—" }

/// What backtest_reference.py prints on stdout.
struct ReferenceRun: Decodable {
    struct Count: Decodable { var timed: Int; var full: Int }
    struct Accuracy: Decodable { var predictions: Int; var mean_absolute_error: Double? }
    struct Variant: Decodable {
        /// The measured curves' time: full fits plus sampled refits scaled to their counts.
        var estimated_seconds: Double
        /// The same for all curves: estimated_seconds × curves / measured curves.
        var scaled_seconds: Double
        var per_curve_seconds: [Double]
    }
    var curves: Int
    var measured: [String]
    var every: Int
    var replicates: Int
    var laws: [String]
    var measured_seconds: Double
    var refused: [String]
    var versions: [String: String]
    var counts: [String: [String: Count]]
    var accuracy: [String: Accuracy]
    var variants: [String: Variant]
}

func positiveOption(_ name: String, default value: Int, in arguments: [String]) -> Int {
    guard let index = arguments.firstIndex(of: name) else { return value }
    guard index + 1 < arguments.count, let parsed = Int(arguments[index + 1]), parsed > 0 else {
        print("BacktestBench: \(name) needs a positive whole number, e.g. \(name) \(value)")
        exit(2)
    }
    return parsed
}

let arguments = Array(CommandLine.arguments.dropFirst())
let repeats = positiveOption("--repeats", default: 3, in: arguments)
let every = positiveOption("--every", default: 8, in: arguments)
let replicates = 200
let trainMax = 3e9

let benchFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
let packageRoot = benchFolder.deletingLastPathComponent().deletingLastPathComponent()
let dataPath = packageRoot.appendingPathComponent("../shared/data/pythia_final_0shot.csv").standardized.path
let referenceFolder = packageRoot.appendingPathComponent("../shared/reference").standardized
guard FileManager.default.fileExists(atPath: dataPath) else {
    print("BacktestBench skipped: \(dataPath) not found (the shared data folder is not beside the package)")
    exit(0)
}

let cores = ProcessInfo.processInfo.activeProcessorCount
print("BacktestBench — \(dataPath)")
print("release build, \(cores) active cores")
// Other work on the machine skews both sides' timings.
if let load = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8).split(separator: " ").first {
    print("1-minute load average at start: \(load)")
}

// MARK: ScaleLab

var builder = DatasetBuilder()
try Importer.read(InputFile(path: dataPath), into: &builder)
let dataset = try builder.build().selecting(Selection(metrics: ["acc"], shots: [0]))
let series = try dataset.fitSeries(x: .params)
/// The laws fit_reference.py has, by ScaleLab's names: the work both sides do.
let laws = ["power", "logistic", "bnsl1", "bnsl2"].filter(LawCatalog.singleInput.contains)
let options = BacktestOptions(laws: laws.compactMap(LawChoice.init(name:)), trainMax: trainMax, replicates: replicates, stacking: false)
let trainPoints = series.map { $0.data.x.filter { $0 <= trainMax }.count }
print("\(series.count) curves (acc, 0-shot, x = params), \(trainPoints.min() ?? 0)–\(trainPoints.max() ?? 0) training points each "
    + "(x ≤ \(String(format: "%.0e", trainMax))), \(replicates) bootstrap replicates")

func timedRun(_ options: BacktestOptions) async -> (result: BacktestResult, wall: Double, cpu: Double) {
    let cpuBefore = cpuSeconds(), started = now()
    let result = await Backtester.run(series, options: options)
    return (result, now() - started, cpuSeconds() - cpuBefore)
}

func printSummaries(_ result: BacktestResult, laws: [String]) {
    print("method              predictions  mean abs error  80% coverage  95% coverage")
    for summary in result.summaries {
        let coverage = { (level: Double) in summary.coverage.first { abs($0.level - level) < 1e-9 }.map(\.lower) }
        print(padded(summary.method, 20) + leftPadded("\(summary.predictions)", 11) + leftPadded(String(format: "%.4f", summary.meanAbsoluteError), 16)
            + leftPadded(percent(coverage(0.8)), 14) + leftPadded(percent(coverage(0.95)), 14))
    }
    for law in laws {
        // Backtester's wording: "<task> <metric> up to <origin> with <law>: <reason>".
        let refused = result.skipped.filter { $0.contains(" with \(law): ") }
        if let first = refused.first, let reason = first.split(separator: ":", maxSplits: 1).last {
            print("  \(law) refused on \(refused.count) of \(series.count) curves: \(reason.trimmingCharacters(in: .whitespaces))")
        }
    }
}

var walls: [Double] = [], cpus: [Double] = []
var comparable: BacktestResult?
for _ in 0..<repeats {
    let run = await timedRun(options)
    comparable = run.result
    walls.append(run.wall)
    cpus.append(run.cpu)
}
let backtest = comparable!
let swiftWall = median(walls), swiftCPU = median(cpus)

print("\nScaleLab, laws \(laws.joined(separator: ", ")) (those the reference has), stacking off — timed against scipy")
printSummaries(backtest, laws: laws)
print(String(format: "wall: median %.2f s, best %.2f s over %d runs (%@); CPU %.2f s (CPU/wall %.2f on %d cores)",
             swiftWall, walls.min()!, repeats, walls.map { String(format: "%.2f", $0) }.joined(separator: ", "),
             swiftCPU, swiftCPU / swiftWall, cores))

let catalog = await timedRun(BacktestOptions(laws: LawCatalog.singleInput.compactMap(LawChoice.init(name:)), trainMax: trainMax, replicates: replicates))
print("\nScaleLab, whole catalog (\(LawCatalog.singleInput.joined(separator: ", "))), stacking on — one run, for the record")
printSummaries(catalog.result, laws: LawCatalog.singleInput)
print(String(format: "wall %.2f s, CPU %.2f s", catalog.wall, catalog.cpu))

// Issue 15: the policy's own backtest — auto, whose choice forecasts every curve's later points
// from rolling inner origins (every candidate law and baseline refitted at each), with stacking.
var autoWalls: [Double] = []
var autoRun: BacktestResult?
for _ in 0..<repeats {
    let run = await timedRun(BacktestOptions(laws: [.auto], trainMax: trainMax, replicates: replicates))
    autoRun = run.result
    autoWalls.append(run.wall)
}
print("\nScaleLab, auto (the evidence-based law choice with its inner forecasts) and auto+stacked")
printSummaries(autoRun!, laws: ["auto"])
print(String(format: "wall: median %.2f s over %d runs (%@)   target ≤ 5 s: %@", median(autoWalls), repeats,
             autoWalls.map { String(format: "%.2f", $0) }.joined(separator: ", "), median(autoWalls) <= 5 ? "met" : "NOT met"))
print(String(format: "peak RSS %.1f MB", peakResidentMegabytes()))

// MARK: scipy, now, on the same machine (after the Swift timings, so the two never share the cores)

let script = benchFolder.appendingPathComponent("backtest_reference.py").path
guard FileManager.default.fileExists(atPath: referenceFolder.appendingPathComponent("fit_reference.py").path) else {
    print("\nscipy comparison skipped: \(referenceFolder.path)/fit_reference.py not found (the shared reference folder is not beside the package)")
    exit(0)
}
let curvesMeasured = (series.count + every - 1) / every
FileHandle.standardError.write(Data("BacktestBench: timing backtest_reference.py on \(curvesMeasured) of \(series.count) curves (a few minutes)…\n".utf8))
var reference: ReferenceRun?
var failure = ""
do {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", script, "--csv", dataPath, "--reference", referenceFolder.path, "--every", "\(every)",
                         "--replicates", "\(replicates)", "--train-max", "\(trainMax)", "--laws", laws.joined(separator: ",")]
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    // Read to the end before waiting, so a full pipe can never block the child.
    let output = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    if process.terminationStatus == 0 {
        do {
            reference = try JSONDecoder().decode(ReferenceRun.self, from: output)
        } catch {
            failure = "its output was not the expected JSON (\(error))"
        }
    } else {
        failure = "it exited with status \(process.terminationStatus)"
    }
} catch {
    failure = "python3 could not be started (\(error))"
}
guard let reference, let full = reference.variants["reference"] else {
    print("\nscipy reference: not measured — \(failure.isEmpty ? "no 'reference' variant in its output" : failure)")
    exit(1)
}

let measured = Set(reference.measured)
let versions = ["python", "numpy", "scipy"].map { "\($0) \(reference.versions[$0] ?? "?")" }.joined(separator: ", ")
print("\nscipy reference (\(versions)), laws \(reference.laws.joined(separator: ", ")), one core")
print("  curves timed: \(reference.measured.count) of \(reference.curves) (one in \(reference.every), in file order from the first): "
    + reference.measured.joined(separator: ", "))
for law in reference.laws {
    guard let jackknife = reference.counts[law]?["jackknife"], let bootstrap = reference.counts[law]?["bootstrap"] else { continue }
    if bootstrap.full == 0 {
        let refusals = reference.refused.filter { $0.contains(" \(law): ") }
        let reason = refusals.first.flatMap { $0.split(separator: ":", maxSplits: 1).last }.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        print("  \(law): refused on \(refusals.count) of \(reference.measured.count) curves (\(reason))")
    } else {
        print("  \(law): full fit on each curve; refits timed: jackknife \(jackknife.timed) of \(jackknife.full), "
            + "bootstrap \(bootstrap.timed) of \(bootstrap.full), each scaled by its count")
    }
}
print(String(format: "  timing took %.1f s (both ways of refitting); reference fits: %.0f s estimated for these %d curves "
             + "(%.0f–%.0f s a curve), × %d/%d = %.0f s (%.1f h) for all",
             reference.measured_seconds, full.estimated_seconds, reference.measured.count,
             full.per_curve_seconds.min() ?? .nan, full.per_curve_seconds.max() ?? .nan,
             reference.curves, reference.measured.count, full.scaled_seconds, full.scaled_seconds / 3600))

print("\nheld-out accuracy on the timed curves (full fits' predictions at 6.9B and 12B)")
print("  law        ScaleLab MAE   scipy MAE   predictions")
for law in reference.laws {
    guard let theirs = reference.accuracy[law], theirs.predictions > 0 else { continue }
    let mine = backtest.predictions.filter { $0.method == law && measured.contains($0.task) }
    let mae = mine.map { abs($0.error) }.reduce(0, +) / Double(max(mine.count, 1))
    print("  " + padded(law, 10) + leftPadded(String(format: "%.4f", mae), 13)
        + leftPadded(theirs.mean_absolute_error.map { String(format: "%.4f", $0) } ?? "—", 12) + "   \(mine.count) / \(theirs.predictions)")
}

print("\nthe whole backtest (\(series.count) curves × \(laws.joined(separator: ", ")) × \(replicates) bootstraps)")
let ratio = full.scaled_seconds / swiftWall
print(String(format: "  ScaleLab                            %9.2f s wall (median of %d), %.2f s CPU", swiftWall, repeats, swiftCPU))
print(String(format: "  scipy reference fits (estimated)    %9.0f s", full.scaled_seconds))
if let warm = reference.variants["warm"] {
    print(String(format: "  scipy, ScaleLab's warm refits (est.) %8.0f s", warm.scaled_seconds))
}
print(String(format: "  ratio (scipy reference / ScaleLab wall): %.0f×   target ≥ 20×: %@", ratio, ratio >= 20 ? "met" : "NOT met"))
print(String(format: "  per core (scipy reference / ScaleLab CPU): %.0f×", full.scaled_seconds / swiftCPU))
if let warm = reference.variants["warm"] {
    print(String(format: "  same algorithm (scipy warm refits / ScaleLab wall): %.0f×, per core %.0f×",
                 warm.scaled_seconds / swiftWall, warm.scaled_seconds / swiftCPU))
}
