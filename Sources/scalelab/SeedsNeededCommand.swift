import ArgumentParser
import Foundation
import ScaleLabAnalysis
import ScaleLabCore
import ScaleLabFit
import ScaleLabIO

struct SeedsNeededCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seeds-needed",
        abstract: "How many training runs (seeds) at which scales are needed to predict past a break within a tolerance.",
        discussion: """
            Fits a 1-break Broken Neural Scaling Law (Caballero et al. 2022) to the task's ladder,
            takes the per-seed noise (--seed-sd; else pooled over replicate runs at one scale; else
            the fit's residual sd, which includes misfit and so overstates it), and simulates: for r
            seeds per scale (--seeds), data are drawn from the fitted law plus noise, the law is
            refitted and its prediction at --at is compared with the truth. Designs: r seeds at every
            scale, r seeds only near the break (within a factor 3), and the latter plus new scales
            near the break. Prints each design's share of predictions within --tolerance (± its
            Monte-Carlo error), the median and 90th-percentile error, and the fewest seeds that reach
            --success. --csv prints the plot-ready table.

            Examples:
              scalelab seeds-needed --task lambada_openai --metric acc --shots 0 --tolerance 0.05
              scalelab seeds-needed --task arithmetic_3da --metric acc --tolerance 0.05 --at 1e11 --seed-sd 0.02 --csv
            """
    )

    @Option(name: .long, help: ArgumentHelp("Largest acceptable |prediction − truth| at --at, in the units of the score.", valueName: "error"))
    var tolerance: Double

    @Option(name: .long, help: ArgumentHelp("The scale to predict (units allowed, e.g. 12B); default twice the largest x.", valueName: "x"))
    var at: String?

    @Option(name: .customLong("seed-sd"), help: ArgumentHelp("Standard deviation of one run's score, when known from a seed study.", valueName: "sd"))
    var seedSD: Double?

    @Option(name: .long, parsing: .upToNextOption, help: ArgumentHelp("Seeds per scale to simulate (comma- or space-separated).", valueName: "r"))
    var seeds: [String] = ["1,2,4,8,16"]

    @Option(name: .long, help: "Simulations per design.")
    var simulations = 200

    @Option(name: .long, help: ArgumentHelp("Share of simulations within the tolerance a design must reach.", valueName: "share"))
    var success = 0.8

    @Option(name: .long, help: "Seed of the simulations.")
    var seed: UInt64 = 42

    @Flag(name: .long, help: "Print JSON (the law, the noise and every design).")
    var json = false

    @Flag(name: .long, help: "Print the table of designs as CSV (design, seeds, scales, runs, success, se, median and 90th-percentile error).")
    var csv = false

    @OptionGroup var selection: SelectionOptions
    @OptionGroup var database: DatabaseOptions

    private var seedCounts: [Int]? {
        let parts = seeds.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
        let counts = parts.compactMap { Int($0) }
        return counts.count == parts.count && !counts.isEmpty ? counts : nil
    }

    func validate() throws {
        guard tolerance.isFinite, tolerance > 0 else { throw ValidationError("--tolerance must be a positive error in the units of the score, e.g. 0.05") }
        guard seedCounts?.allSatisfy({ $0 >= 1 }) == true else { throw ValidationError("--seeds takes whole numbers ≥ 1, e.g. 1,2,4,8,16") }
        if let at, !(NumberParsing.double(at).map { $0 > 0 } ?? false) { throw ValidationError("--at '\(at)' is not a positive number (e.g. 12B or 1.2e10)") }
        if let seedSD, !(seedSD.isFinite && seedSD >= 0) { throw ValidationError("--seed-sd must be a finite value ≥ 0") }
        guard simulations >= 10 else { throw ValidationError("--simulations must be at least 10") }
        guard success > 0 && success < 1 else { throw ValidationError("--success must lie in (0, 1), e.g. 0.8") }
        if json && csv { throw ValidationError("choose one of --json and --csv") }
    }

    func run() async throws {
        let xAxis = XAxis(selection.x ?? "params")
        var chosen = try selection.selection()
        chosen.x = xAxis
        let data = try database.open(.read).load(chosen)
        let series = try data.fitSeries(x: xAxis)
        guard let curve = series.first else { throw UserError("no observations with \(xAxis) in the selection") }
        try requireOneCurve(series, verb: "plan")
        let target = at.flatMap { NumberParsing.double($0) } ?? 2 * (curve.data.x.max() ?? 1)
        // A BNSL falls (Caballero et al. fit losses and error rates): a score in [0, 1] is planned
        // on its error rate 1 − y, whose errors are the score's errors.
        let onErrorRate = higherIsBetter(curve.metric) && curve.data.y.allSatisfy { $0 >= 0 && $0 <= 1 }
        let y = onErrorRate ? curve.data.y.map { 1 - $0 } : curve.data.y
        Terminal.note("simulating \(simulations) ladders per design …")
        var report: SeedsNeededReport
        do {
            report = try await SeedsNeeded.plan(
                x: curve.data.x, y: y, seedSD: seedSD, target: target, tolerance: tolerance,
                options: SeedsNeededOptions(seedCounts: seedCounts ?? [1], simulations: simulations, seed: seed, successRate: success))
        } catch {
            throw UserError(error.description)
        }
        if onErrorRate {
            report.notes.insert("the law is fitted to the error rate 1 − \(curve.metric); \(curve.metric) at the target = 1 − "
                + Show.score(report.truth, digits: 4) + " = " + Show.score(1 - report.truth, digits: 4), at: 0)
        }
        if json { try Terminal.json(report); return }
        if csv {
            var lines = ["design,seeds,scales,runs,simulations,failed_fits,success,success_se,median_error,p90_error"]
            for row in report.rows {
                lines.append([row.design.rawValue, "\(row.seeds)", "\(row.scales)", "\(row.runs)", "\(row.simulations)", "\(row.failedFits)",
                              "\(row.success)", "\(row.successStderr)", "\(row.medianError)", "\(row.p90Error)"].joined(separator: ","))
            }
            Terminal.out(lines.joined(separator: "\n"))
            return
        }
        Terminal.out(render(report, curve: curve, onErrorRate: onErrorRate))
    }

    private func render(_ report: SeedsNeededReport, curve: FitSeries, onErrorRate: Bool) -> String {
        var lines = ["\(curve.task) \(curve.metric): 1-break BNSL, break at \(Show.size(report.breakScale)); "
            + "predicting \(Show.size(report.target)) (\(onErrorRate ? "1 − \(curve.metric)" : curve.metric) by the law: "
            + "\(Show.score(report.truth, digits: 4))) within ±\(report.tolerance)",
                     "seed noise sd \(Show.score(report.noise.sd, digits: 4)) (\(report.noise.source.rawValue)"
            + (report.noise.degreesOfFreedom.map { ", \($0) degrees of freedom" } ?? "") + ")", ""]
        var table = TextTable(headers: ["design", "seeds", "scales", "runs", "within tolerance", "median error", "90% error", "share"],
                              alignments: [.left, .right, .right, .right, .right, .right, .right, .left])
        table.frozen = 8
        for row in report.rows {
            let bar = String(repeating: "█", count: Int((row.success * 20).rounded()))
            table.append([row.design.rawValue, String(row.seeds), String(row.scales), String(row.runs),
                          String(format: "%.0f%% ± %.0f", row.success * 100, row.successStderr * 100),
                          Show.score(row.medianError, digits: 4), Show.score(row.p90Error, digits: 4), bar])
        }
        lines.append(table.render())
        lines.append(report.summary)
        for note in report.notes { lines.append("note: \(note)") }
        return lines.joined(separator: "\n")
    }
}
