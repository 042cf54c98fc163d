import ArgumentParser
import Foundation
import ScaleLabAnalysis
import ScaleLabCore
import ScaleLabFit
import ScaleLabIO

struct FitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fit",
        abstract: "Fit a scaling law to the selected scores, with bootstrap intervals and diagnostics.",
        discussion: """
            Laws: power (y = E + A·x^−alpha, falling), saturating (y = C − A·x^−alpha, rising), logistic (in log10 x, floor and ceiling), bnsl1|bnsl2|bnsl3
            (Broken Neural Scaling Laws), chinchilla (L = E + A/N^alpha + B/D^beta, x = params and
            x2 = tokens unless told otherwise, Huber δ = 1e-3 by default as in Approach 3), or auto
            (every single-input law the points can support, ranked by AICc, with each law's error
            when the largest points are held out).

            The selection must name one curve (one task, metric and few-shot setting) unless
            --all-tasks fits every curve in it.

            Examples:
              scalelab fit --task lambada_openai --metric acc --shots 0 --where step=143000 --law logistic --bootstrap 1000
              scalelab fit --task lambada_openai --metric ppl --where step=143000 --law power --predict 70B
              scalelab fit --law auto --metric acc --shots 0 --where step=143000 --all-tasks --task 'arc*'
              scalelab fit --law chinchilla --task loss --metric loss --bootstrap 200 --json
              scalelab fit --law two-step --task lambada_openai --metric acc --via ppl --predict 70B --bootstrap 500

            two-step on a ladder (every run with params and tokens, or --via TASK:METRIC naming another
            task) fits the via metric against N and D (Chinchilla, Huber δ = 1e-3) on each run's final
            checkpoint, then the score against the via metric on every checkpoint (flat, linear or a
            sigmoid with chance as its floor, by AICc); predict models with `scalelab predict --law
            two-step --via … --at params=…,tokens=…`. Without tokens, or with --predict SCALES, two-step
            fits the --via metric against --x with a power law, then the accuracy against it with a
            sigmoid, and predicts each scale through both.
              scalelab fit --law two-step --via c4_val:loss --task hellaswag --metric acc --family rpj --where 'params<1e9' 
            """
    )

    @Option(name: .long, help: "The law: auto, \(LawCatalog.names.joined(separator: ", ")), two-step.")
    var law = "auto"

    @Option(name: .long, help: ArgumentHelp("For two-step: the intermediate metric, of the same task (bpb, ppl) or TASK:METRIC of another (c4_val:loss).", valueName: "metric"))
    var via: String?

    @Option(name: .customLong("stage1-checkpoints"), help: ArgumentHelp("Two-step on a ladder: fit stage 1 on each run's final checkpoint or on all.", valueName: "final|all"))
    var stage1Checkpoints: LadderOptions.Stage1Points = .final

    @Option(name: .customLong("x2"), help: ArgumentHelp("Second input of two-input laws (default: tokens).", valueName: "column"))
    var secondAxis: String?

    @Option(name: .long, help: "Bootstrap replicates for percentile intervals (0: none).")
    var bootstrap = 0

    @Option(name: .long, help: "Seed of the bootstrap (same seed, same intervals).")
    var seed: UInt64 = 42

    @Option(name: .long, help: "Coverage of the intervals.")
    var level = 0.8

    @Option(name: .long, help: "What the bootstrap resamples: points, or whole groups by family or seed (hierarchical).")
    var resample: FitSeries.Grouping = .points

    @Option(name: .long, help: "Loss: squared or huber (default: huber for chinchilla, squared otherwise).")
    var loss: LossName?

    @Option(name: .long, help: "Huber's δ, in residual units.")
    var delta = 1e-3

    @Option(name: .long, help: "Residual space: log or linear (default: the law's own; log for power, BNSL and Chinchilla, linear for logistic).")
    var space: ResidualSpace?

    @Option(name: .long, help: "Point weights: none, or stderr (inverse standard error).")
    var weights: Weighting = .none

    @Option(name: .long, help: ArgumentHelp(
        "Fix the logistic floor: a value (0.25 for four-way multiple choice) or 'chance' for the task's chance level.",
        valueName: "value|chance"))
    var floor: String?

    @Option(name: .long, help: ArgumentHelp("Predict at these x values (units allowed: 70B); repeatable.", valueName: "x"))
    var predict: [String] = []

    @Flag(name: .customLong("all-tasks"), help: "Fit every curve in the selection (progress on stderr).")
    var allTasks = false

    @Flag(name: .long, help: "Print JSON.")
    var json = false

    @OptionGroup var selection: SelectionOptions
    @OptionGroup var database: DatabaseOptions

    enum LossName: String, ExpressibleByArgument, CaseIterable { case squared, huber }

    func validate() throws {
        guard law == "auto" || law == "two-step" || LawCatalog.names.contains(law) else {
            throw ValidationError("unknown law '\(law)'; choose auto, \(LawCatalog.names.joined(separator: ", ")), two-step")
        }
        if law == "two-step" && via == nil {
            throw ValidationError("--law two-step needs --via METRIC, the loss-like metric that links scale to accuracy (e.g. --via ppl)")
        }
        if let via, ViaMetric(parsing: via) == nil { throw ValidationError("--via '\(via)' is not METRIC or TASK:METRIC (e.g. bpb, c4_val:loss)") }
        guard bootstrap >= 0 else { throw ValidationError("--bootstrap takes a count ≥ 0") }
        guard level > 0 && level < 1 else { throw ValidationError("--level takes a coverage between 0 and 1, e.g. 0.8") }
        guard delta > 0 else { throw ValidationError("--delta must be positive") }
        if let floor, floor != "chance", NumberParsing.double(floor) == nil {
            throw ValidationError("--floor takes a number (e.g. 0.25) or 'chance'")
        }
        for value in predict where !(NumberParsing.double(value).map { $0 > 0 } ?? false) {
            throw ValidationError("--predict '\(value)' is not a positive number (units allowed: 70B, 1e22)")
        }
    }

    func run() async throws {
        let isChinchilla = law == "chinchilla"
        let xAxis = XAxis(selection.x ?? "params")
        let x2Axis = isChinchilla ? XAxis(secondAxis ?? "tokens") : nil
        var chosen = try selection.selection()
        chosen.x = xAxis
        if law == "two-step", let text = via, let viaMetric = ViaMetric(parsing: text) {
            let ladderData = try LadderText.load(database.open(.read), selection: chosen, via: viaMetric)
            // --predict names models by one scale: that is the one-input two-step of --x below.
            if predict.isEmpty || viaMetric.task != nil, LadderText.applies(ladderData, via: viaMetric, oneInput: selection.x != nil) {
                guard predict.isEmpty else {
                    throw UserError("through another task's metric a model is named by params and tokens: predict it with `scalelab predict --law two-step --via \(viaMetric) --at params=…,tokens=…`")
                }
                let (options, axis) = LadderText.options(stage1Checkpoints, replicates: bootstrap, seed: seed, x: selection.x)
                let (stageOne, fits) = try await LadderText.fit(ladderData, selection: chosen, via: viaMetric, options: options, axis: axis,
                                                                targets: [], allTasks: allTasks, verb: "fit")
                if json { try Terminal.json(fits) } else { Terminal.out(LadderText.describe(stageOne, fits, via: viaMetric)) }
                return
            }
        }
        if let via, law == "two-step", !chosen.metrics.isEmpty { chosen.metrics.append(via) }
        let store = try database.open(.read)
        let data = try store.load(chosen)
        if law == "two-step", let via { return try await runTwoStep(data, xAxis: xAxis, via: via) }
        let lossValue: Loss = (loss ?? (isChinchilla ? .huber : .squared)) == .huber ? .huber(delta: delta) : .squared
        let fitter = Fitter(loss: lossValue, residualSpace: space, maxStarts: isChinchilla ? 200 : 64)
        let series = try data.fitSeries(x: xAxis, x2: x2Axis, weighting: weights, space: space ?? .log)
        guard !series.isEmpty else {
            throw UserError("no points with both a value and \(xAxis)\(x2Axis.map { " and \($0)" } ?? ""); check --x")
        }
        if !allTasks { try requireOneCurve(series, verb: "fit") }
        let predictAt = predict.compactMap { NumberParsing.double($0) }
        var reports: [FitReport] = []
        let trends = AggregateTrend.byMetric(series)
        let decisions = await Forecaster.decisions(for: series.enumerated().map { index, curve in
            let chance = data.index(ofTask: curve.task).flatMap { data.tasks[$0].chance }
            let floorValue = (try? logisticFloor(floor, chance: chance)) ?? nil
            return Forecaster.Question(data: curve.data, xs: predictAt.isEmpty ? nil : predictAt,
                                       options: ForecastOptions(law: LawChoice(name: law) ?? .auto, fitter: fitter, floor: floorValue,
                                                                higherIsBetter: higherIsBetter(curve.metric),
                                                                trend: x2Axis == nil ? trends[curve.metric] : nil),
                                       group: Forecaster.group(metric: curve.metric, data: curve.data))
        })
        for (index, curve) in series.enumerated() {
            if allTasks {
                Terminal.note("[\(index + 1)/\(series.count)] \(curve.task) \(curve.metric) (\(curve.data.count) points)")
            }
            let chance = data.index(ofTask: curve.task).flatMap { data.tasks[$0].chance }
            reports.append(await fitOne(curve, fitter: fitter, xAxis: xAxis, x2Axis: x2Axis, predictAt: predictAt, chance: chance,
                                        trend: x2Axis == nil ? trends[curve.metric] : nil, decided: decisions[index]))
        }
        if json {
            if allTasks { try Terminal.json(reports) } else { try Terminal.json(reports[0]) }
            return
        }
        if allTasks {
            Terminal.out(FitReport.summaryTable(reports))
        } else if let failure = reports[0].error {
            throw UserError("\(reports[0].task) \(reports[0].metric): \(failure)")
        } else {
            Terminal.out(reports[0].text)
        }
    }

    private func fitOne(_ curve: FitSeries, fitter: Fitter, xAxis: XAxis, x2Axis: XAxis?, predictAt: [Double], chance: Double?,
                        trend: AggregateTrend?, decided: LawDecision?) async -> FitReport {
        var report = FitReport(task: curve.task, metric: curve.metric, shots: curve.shots, x: xAxis.description,
                               x2: x2Axis?.description, points: curve.data.count)
        let floorValue: Double?
        do throws(UserError) {
            floorValue = try logisticFloor(floor, chance: chance)
        } catch {
            report.error = error.description
            return report
        }
        let chosenLaw: any ScalingLaw
        let result: FitResult
        do throws(FitInputError) {
            // The one law-selection policy (`predict`, `backtest` and the report use it too): with
            // --predict, the inner forecasts are weighted towards that distance.
            let options = ForecastOptions(law: LawChoice(name: law) ?? .auto, fitter: fitter, floor: floorValue,
                                          higherIsBetter: higherIsBetter(curve.metric), trend: trend)
            let choice = try Forecaster.choose(curve.data, at: predictAt.isEmpty ? nil : predictAt, options: options, decided: decided)
            report.decision = choice.decision
            if let law = choice.method.law, let fit = choice.fit {
                chosenLaw = law
                result = fit
            } else {
                // A baseline forecasts this curve best: say so, and show the best-scoring law for
                // reference (what `predict` would use with --law).
                let laws = (choice.decision?.candidates ?? []).compactMap { score in
                    LawCatalog.law(named: score.method).map { (options.configured($0), score) }
                }
                guard let (law, _) = laws.first(where: { $0.1.innerError != nil }) ?? laws.first else {
                    throw FitInputError(choice.decision?.evidence ?? "no law could be fitted")
                }
                chosenLaw = law
                result = try fitter.fit(law, to: curve.data)
                report.referenceOnly = true
            }
        } catch {
            report.error = error.description
            return report
        }
        report.law = result.law
        report.formula = result.formula
        report.diagnostics = result
        var intervals: BootstrapResult?
        if bootstrap > 0 {
            let started = Date()
            Terminal.note("bootstrap: \(bootstrap) refits on \(ProcessInfo.processInfo.activeProcessorCount) cores…")
            do throws(FitInputError) {
                intervals = try await fitter.bootstrap(chosenLaw, data: curve.data, fit: result,
                                                       options: BootstrapOptions(replicates: bootstrap, seed: seed, level: level,
                                                                                 resampling: curve.resampling(resample)))
            } catch {
                report.error = "bootstrap: \(error.description)"
                return report
            }
            report.bootstrap = .init(requested: bootstrap, succeeded: intervals!.succeeded, level: level, seed: seed,
                                     seconds: Date().timeIntervalSince(started))
        }
        report.parameters = result.parameters.map { estimate in
            let interval = intervals?[estimate.name]
            return .init(name: estimate.name, estimate: estimate.value, lower: interval?.lower, upper: interval?.upper)
        }
        report.predictions = predictAt.map { x in
            let x2 = x2Axis == nil ? nil : curve.data.x2?.last
            let point = chosenLaw.predict(result.theta, x: [x], x2: x2.map { [$0] })[0]
            let interval = intervals?.prediction(chosenLaw, estimate: result.theta, x: x, x2: x2)
            return .init(x: x, estimate: point, lower: interval?.lower, upper: interval?.upper)
        }
        return report
    }
}

extension FitCommand {
    /// Two-step: stage 1 fits `via` (a loss) against scale, stage 2 the accuracy against that loss,
    /// on the models that have both.
    private func runTwoStep(_ data: Dataset, xAxis: XAxis, via: String) async throws {
        let series = try data.fitSeries(x: xAxis)
        let lossCurves = series.filter { $0.metric == via }
        let accuracyCurves = series.filter { $0.metric != via }
        guard let lossCurve = lossCurves.first else {
            throw UserError("no '\(via)' scores in the selection; --via names a metric of the same task (see `scalelab list metrics`)")
        }
        guard lossCurves.count == 1, accuracyCurves.count == 1, let accuracyCurve = accuracyCurves.first,
              lossCurve.task == accuracyCurve.task, lossCurve.shots == accuracyCurve.shots else {
            throw UserError("two-step needs one task, one --metric and the --via metric; the selection holds "
                + "\(series.map { "\($0.task)/\($0.metric)" }.joined(separator: ", ")) — narrow it with --task, --metric and --shots")
        }
        var lossByModel: [ModelKey: (Double, Double)] = [:]
        for (index, model) in lossCurve.models.enumerated() { lossByModel[model] = (lossCurve.data.x[index], lossCurve.data.y[index]) }
        var scale: [Double] = [], lossValues: [Double] = [], accuracy: [Double] = []
        for (index, model) in accuracyCurve.models.enumerated() {
            guard let (x, value) = lossByModel[model] else { continue }
            scale.append(x)
            lossValues.append(value)
            accuracy.append(accuracyCurve.data.y[index])
        }
        let twoStep = TwoStepFit(lossFitter: Fitter(loss: (loss ?? .squared) == .huber ? .huber(delta: delta) : .squared),
                                 accuracyFitter: Fitter())
        let result = try twoStep.fit(scale: scale, loss: lossValues, accuracy: accuracy)
        var report = FitReport(task: accuracyCurve.task, metric: "\(accuracyCurve.metric) via \(via)", shots: accuracyCurve.shots,
                               x: xAxis.description, x2: nil, points: scale.count)
        report.law = "two-step"
        report.formula = "\(via) = \(result.lossFit.formula.replacingOccurrences(of: "y = ", with: "")); "
            + "\(accuracyCurve.metric) = \(result.accuracyFit.formula.replacingOccurrences(of: "y = ", with: "")) with L = \(via)"
        report.diagnostics = result.accuracyFit
        report.lossDiagnostics = result.lossFit
        let predictAt = predict.compactMap { NumberParsing.double($0) }
        var intervals: TwoStepBootstrapResult?
        if bootstrap > 0 {
            let started = Date()
            Terminal.note("bootstrap: \(bootstrap) two-stage refits on \(ProcessInfo.processInfo.activeProcessorCount) cores…")
            guard resample == .points else {
                throw UserError("two-step resamples models (points); --resample \(resample) is not supported for it yet")
            }
            intervals = try await twoStep.bootstrap(scale: scale, loss: lossValues, accuracy: accuracy, result: result, at: predictAt,
                                                    options: BootstrapOptions(replicates: bootstrap, seed: seed, level: level))
            report.bootstrap = .init(requested: bootstrap, succeeded: intervals!.succeeded, level: level, seed: seed,
                                     seconds: Date().timeIntervalSince(started))
        }
        let stageIntervals = (intervals?.lossParameters ?? []) + (intervals?.accuracyParameters ?? [])
        report.parameters = (result.lossFit.parameters + result.accuracyFit.parameters).map { estimate in
            let interval = stageIntervals.first { $0.name == estimate.name }
            return .init(name: estimate.name, estimate: estimate.value, lower: interval?.lower, upper: interval?.upper)
        }
        report.predictions = predictAt.enumerated().map { index, x in
            .init(x: x, estimate: result.predictAccuracy(x), lower: intervals?.accuracy[index].lower, upper: intervals?.accuracy[index].upper)
        }
        if json { try Terminal.json(report) } else { Terminal.out(report.text) }
    }
}

extension ResidualSpace: ExpressibleByArgument {}
extension FitSeries.Grouping: ExpressibleByArgument {}
extension Weighting: ExpressibleByArgument {}
