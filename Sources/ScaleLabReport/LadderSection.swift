import Foundation
import ScaleLabAnalysis
import ScaleLabCore
import ScaleLabFit

extension ReportBuilder {
    /// Loss-like metrics a two-step law can go through, by name.
    static let viaNames: Set<String> = ["loss", "bpb", "bits_per_byte", "nll", "ppl", "perplexity", "word_perplexity", "byte_perplexity"]

    /// The via metric of a ladder in `data`: a loss-like metric on models with params and tokens,
    /// preferring a general validation loss (a task that has no score of `metric`) over a task's own.
    static func ladderVia(_ data: Dataset, metric: String) -> ViaMetric? {
        var candidates: [String: Int] = [:]
        for row in 0..<data.count where viaNames.contains(data.metric(ofRow: row).lowercased()) {
            let model = data.model(ofRow: row)
            guard model.params != nil, (model.tokens ?? 0) > 0 else { continue }
            candidates["\(data.task(ofRow: row).name):\(data.metric(ofRow: row))", default: 0] += 1
        }
        let scored = Set((0..<data.count).filter { data.metric(ofRow: $0) == metric }.map { data.task(ofRow: $0).name })
        let ranked = candidates.keys.sorted { (candidates[$0]!, $1) > (candidates[$1]!, $0) }
        // A general validation loss (c4_val:loss) serves every task; a task's own metric (lambada
        // ppl) is the via of each task that has it.
        if let general = ranked.first(where: { key in !scored.contains(String(key[..<key.lastIndex(of: ":")!])) }) {
            return ViaMetric(parsing: general)
        }
        return ranked.first.flatMap(ViaMetric.init(parsing:)).map { ViaMetric(metric: $0.metric) }
    }

    /// A ladder's two stages: the via metric against compute per run, and the task that moves most
    /// against the via metric with its fitted link; the two largest sizes predicted through both.
    static func ladderSection(_ all: Dataset, metric: String, options: ReportOptions, summary: inout [String]) async -> ReportSection? {
        guard let via = ladderVia(all, metric: metric) else { return nil }
        // A ladder is one family (a training set, a suite): the pictures show the first family with
        // runs beyond the fitted sizes; the backtest below scores every family.
        let family = all.families.first { name in
            let sizes = Set(all.models.filter { $0.family == name }.compactMap(\.params)).sorted()
            return sizes.count >= 5
        }
        let data = family.map { name in all.subset(rows: (0..<all.count).filter { all.model(ofRow: $0).family == name }) } ?? all
        // The scored curves of `metric` (one few-shot setting per task: the smallest).
        var curves: [String: LadderCurve] = [:]
        for row in 0..<data.count where data.metric(ofRow: row) == metric {
            let task = data.task(ofRow: row).name
            if via.task == task { continue }
            if let existing = curves[task], (existing.shots ?? -1) <= (data.shots[row] ?? -1) { continue }
            curves[task] = LadderCurve(task: task, metric: metric, shots: data.shots[row])
        }
        let builds = curves.values.sorted { $0.task < $1.task }.map {
            (curve: $0, ladder: data.ladder(task: $0.task, metric: $0.metric, shots: $0.shots, via: via).ladder)
        }.filter { $0.ladder.points.count >= 6 }
        let sizes = Set(builds.flatMap { $0.ladder.points.compactMap(\.params) }).sorted()
        guard sizes.count >= 5, !builds.isEmpty else { return nil }
        let trainMax = sizes[sizes.count - 3]
        let heldSizes = sizes.suffix(2)
        let train = Set(builds.flatMap { $0.ladder.points.filter { ($0.params ?? .infinity) <= trainMax }.map(\.run) })

        // The task whose score moves most over the fitted runs (the picture a two-step law is about).
        func range(_ ladder: Ladder) -> Double {
            let y = ladder.points.filter { train.contains($0.run) }.compactMap(\.score)
            return (y.max() ?? 0) - (y.min() ?? 0)
        }
        guard let shown = builds.max(by: { range($0.ladder) < range($1.ladder) }) else { return nil }
        let ladderVia = shown.ladder.via
        let fittedPoints = shown.ladder.restricted(to: train).points
        guard let stageOne = try? await LadderStageOne(fittedPoints, via: ladderVia, options: LadderOptions(replicates: min(options.replicates, 200), seed: options.seed)) else { return nil }
        let held = shown.ladder.points.filter { !train.contains($0.run) }
        let heldFinals = Ladder.finals(held)
        guard !heldFinals.isEmpty,
              let fit = try? LadderTwoStep.fit(shown.ladder.restricted(to: train), stageOne: stageOne, at: heldFinals.map(stageOne.target(of:)))
        else { return nil }

        func compute(_ p: LadderPoint) -> Double { p.compute ?? .nan }
        let trainFinals = Ladder.finals(fittedPoints)
        let predictedVia = fit.points.map { $0.viaIntervals.first { abs($0.level - 0.8) < 1e-9 } }
        let stage1 = LineChart(
            title: "Stage 1: \(ladderVia.fitted) against compute" + (family.map { " · \($0)" } ?? ""),
            subtitle: stageOne.note ?? "each run's final checkpoint; fitted ≤ \(size(trainMax))",
            xLabel: "compute C = 6ND (FLOPs)", yLabel: ladderVia.fitted, xScale: .log10,
            series: [
                ChartSeries(name: "fitted runs", x: trainFinals.map(compute), y: trainFinals.map(\.via), style: .points, color: 0),
                ChartSeries(name: "held-out runs", x: heldFinals.map(compute), y: heldFinals.map(\.via), style: .points, color: 0, hollow: true),
                ChartSeries(name: "stage 1 (80%)", x: heldFinals.map(compute), y: fit.points.map(\.via),
                            lower: predictedVia.map { $0?.lower ?? .nan }, upper: predictedVia.map { $0?.upper ?? .nan }, style: .points, color: 1),
            ], width: 480, height: 320)
        let losses = fittedPoints.map(\.via) + fit.points.map(\.via)
        let low = losses.min() ?? 0, high = losses.max() ?? 1
        let grid = (0...60).map { low + (high - low) * Double($0) / 60 }
        let predicted = fit.points.map { $0.interval(0.8) }
        var references: [ReferenceLine] = []
        if let chance = shown.ladder.chance { references.append(ReferenceLine(y: chance, label: "chance")) }
        let stage2 = LineChart(
            title: "Stage 2: \(shown.curve.task) against \(ladderVia.fitted)", subtitle: "link: \(fit.link.form) (AICc); every checkpoint of the fitted runs",
            xLabel: ladderVia.fitted, yLabel: metric,
            series: [
                ChartSeries(name: "fitted checkpoints", x: fittedPoints.map(\.via), y: fittedPoints.map { $0.score ?? .nan }, style: .points, color: 0),
                ChartSeries(name: "held-out runs (observed)", x: heldFinals.map(\.via), y: heldFinals.map { $0.score ?? .nan }, style: .points, color: 0, hollow: true),
                ChartSeries(name: "predicted (80%)", x: fit.points.map(\.via), y: fit.points.map(\.estimate),
                            lower: predicted.map { $0?.lower ?? .nan }, upper: predicted.map { $0?.upper ?? .nan }, style: .points, color: 1),
                ChartSeries(name: "\(fit.link.form) link", x: grid, y: grid.map { fit.link.predict($0) }, style: .line, color: 2),
            ], references: references, yRange: 0...1, width: 480, height: 320)

        // Every curve: the two-step against the last value, as a backtest.
        let result = await LadderBacktester.run(all, curves: builds.map(\.curve), via: via, options: LadderBacktestOptions(
            trainMax: trainMax, methods: [.twoStep, .lastValue], auto: false, ladder: LadderOptions(replicates: 0), perFamily: true))
        let rows = result.summaries.map { [$0.method, String($0.predictions), String(format: "%.2f", 100 * $0.mae)] }
        let targetRows = zip(heldFinals, fit.points).map { point, forecast -> [String] in
            let i80 = forecast.interval(0.8)
            return [point.run, String(format: "%.4g", point.via), String(format: "%.4g", forecast.via), String(format: "%.3f", point.score ?? .nan),
                    String(format: "%.3f", forecast.estimate), i80.map { String(format: "[%.3f, %.3f]", $0.lower, $0.upper) } ?? "—"]
        }
        if let two = result.summaries.first(where: { $0.method == LadderMethod.twoStep.rawValue }),
           let last = result.summaries.first(where: { $0.method == LadderMethod.lastValue.rawValue }) {
            summary.append(String(format: "Two-step through %@ (runs ≤ %@ predicting %@): %.2f points mean absolute error on %d predictions, against %.2f for the last value.",
                                  via.fitted, size(trainMax), heldSizes.map(size).joined(separator: " and "), 100 * two.mae, two.predictions, 100 * last.mae))
        }
        return ReportSection(
            id: "ladder", title: "Two-step law on the ladder",
            paragraphs: ["Stage 1 fits \(ladderVia.fitted) against parameters N and tokens D, L = E + A/N^α + B/D^β (Huber δ = 10⁻³), on each run's "
                + "final checkpoint up to \(size(trainMax)); stage 2 fits the score against \(ladderVia.fitted) on every checkpoint of those runs "
                + "(flat, linear or a sigmoid with chance as its floor, chosen by AICc). The held-out runs are predicted through both, with "
                + "80% intervals from bootstrap refits that resample runs plus the composite's leave-one-size-out errors."],
            figures: [stage1.svg(), stage2.svg()],
            tables: [ReportTable(caption: "\(shown.curve.task)\(family.map { " (\($0))" } ?? ""): held-out runs through both stages", headers: ["run", "\(ladderVia.fitted) observed", "stage 1", "\(metric) observed", "predicted", "80%"], rows: targetRows),
                     ReportTable(caption: "All \(metric) curves (per family): mean absolute error in points", headers: ["method", "predictions", "MAE"], rows: rows)])
    }
}
