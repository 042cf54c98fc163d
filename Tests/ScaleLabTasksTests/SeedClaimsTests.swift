import Foundation
import ScaleLabAnalysis
import ScaleLabCore
import ScaleLabTasks
import Testing

/// The seeds' claims about `sha256^n`, `sum(1..n)` and step-graph tasks, each checked by a
/// computation over simulated data with fixed seeds (the simulator's truth says why each holds).
@Suite("Seed claims")
struct SeedClaimsTests {
    /// Accuracy of each model (ordered by size) on each task, from the observations.
    private static func accuracies(_ ladder: ModelLadderSimulation) -> [String: [String: Double]] {
        var table: [String: [String: Double]] = [:]
        for observation in ladder.observations { table[observation.model.name, default: [:]][observation.task] = observation.value }
        return table
    }

    @Test("(a) sha256^n: by-hand human time is linear in n, while model success is a 0/1 step in scale")
    func sha256() throws {
        // People: the Kaplan–Meier median time of those without Python, for n = 1 … 12.
        let humanTasks = (1...12).map { SimulatedTask.sha256(n: $0) }
        let population = HumanPopulationSimulator.simulate(tasks: humanTasks, options: .init(people: 1000, seed: 7))
        var n: [Double] = [], medians: [Double] = []
        for task in humanTasks {
            let byHand = population.runs.filter { $0.task == task.id && !$0.skills.contains("python") }
            n.append(Double(task.n))
            medians.append(try #require(SimulationStatistics.kaplanMeierMedian(byHand)))
        }
        let fit = try #require(SimulationStatistics.linearFit(x: n, y: medians))
        // The truth: a hash by hand takes 600 s · speed / σ(2·(skill + 1)) per person.
        let byHandPeople = population.participants.filter { !$0.writesPython }
        let perHashSeconds: [Double] = byHandPeople.map { person in
            let success: Double = 1 / (1 + exp(-2 * (person.skill + 1)))
            return 600 * person.speed / success
        }
        let perHash = try #require(SimulationStatistics.median(perHashSeconds))
        print("(a) by-hand median seconds = \(fit.intercept) + \(fit.slope)·n, R² = \(fit.rSquared); true median per hash \(perHash)")
        #expect(fit.slope > 0)
        #expect(fit.rSquared > 0.99)
        #expect(abs(fit.slope - perHash) / perHash < 0.1)
        // The intercept is the minute of reading: well under one hash, and within 3 standard errors of [0, 120] s.
        #expect(fit.intercept > -3 * fit.interceptStderr && fit.intercept < 120 + 3 * fit.interceptStderr)
        #expect(fit.intercept < 0.25 * fit.slope)

        // Models: the family n = 1 … 10⁷, eight models from 10M to 1T parameters.
        let tasks = SimulatedTask.family(.sha256)
        let ladder = ModelLadderSimulator.simulate(tasks: tasks, options: .init(models: 8, seed: 7))
        let table = Self.accuracies(ladder)
        let models = ladder.truth.models
        let means = models.map { model in tasks.map { table[model.model]?[$0.id] ?? .nan }.reduce(0, +) / Double(tasks.count) }
        print("(a) family-mean accuracy by model: \(means.map { String(format: "%.3f", $0) })")
        let jumps = (0..<(models.count - 1)).filter { index in
            means[...index].allSatisfy { $0 < 0.05 } && means[(index + 1)...].allSatisfy { $0 > 0.95 }
        }
        #expect(jumps.count == 1)
        let jump = try #require(jumps.first)
        #expect(jump > 0 && jump < models.count - 2)
        // The step sits exactly where the truth puts the tool threshold …
        #expect(!models[jump].usesTools && models[jump + 1].usesTools)
        // … and holds for every n, not just on average: below it nothing, above it (nearly) everything.
        for (index, model) in models.enumerated() {
            for task in tasks {
                let accuracy = try #require(table[model.model]?[task.id])
                if index <= jump { #expect(accuracy == 0) } else { #expect(accuracy >= 0.85) }
            }
        }
        // The scaling classifier should call the family-mean curve emergent. (On the ladder above
        // the upper half is at the ceiling, which it rightly calls saturated; with the tool
        // threshold higher up, c ≥ 1.6, the jump comes after the lower six models.)
        let later = ModelLadderSimulator.simulate(tasks: tasks, options: .init(models: 8, toolThreshold: 1.6, seed: 7))
        let laterTable = Self.accuracies(later)
        let laterMeans = later.truth.models.map { model in
            tasks.map { laterTable[model.model]?[$0.id] ?? .nan }.reduce(0, +) / Double(tasks.count)
        }
        let curve = TaskCurve(task: "sha256", metric: "acc", x: later.truth.models.map(\.params), y: laterMeans, items: tasks.count * 20)
        let verdict = ScalingClassifier.classify(curve)
        print("(a) classifier: \(verdict.scalingClass.rawValue) — \(verdict.verdict)")
        // An exact 0/1 step leaves the smooth law nothing to fit; the classifier counts that as
        // unbounded evidence for the step law.
        #expect(verdict.scalingClass == .emergent)
    }

    @Test("(b) sum(1..n): models solve none, then every n up to their time budget, then every n")
    func sum() throws {
        let tasks = SimulatedTask.family(.sum)
        let options = ModelLadderOptions(models: 8, seed: 3)
        let ladder = ModelLadderSimulator.simulate(tasks: tasks, options: options)
        let table = Self.accuracies(ladder)
        let grid = tasks.map(\.n)
        let insight = try #require(tasks[0].steps[0].insight)
        let step = tasks[0].steps[0]
        // Largest grid n whose loop fits the budget: scriptSeconds + (n − 1)·1e-7 s ≤ 300 s.
        let largestInBudget = try #require(grid.filter {
            options.scriptSeconds + Double($0 - 1) * step.machineSecondsPerRepetition <= options.budgetSeconds
        }.max())
        #expect(largestInBudget == 1_000_000_000)
        var observed: [PiecewisePattern] = []
        for model in ladder.truth.models {
            let accuracy = try tasks.map { try #require(table[model.model]?[$0.id]) }
            let pattern = try #require(PiecewisePattern.classify(n: grid, accuracy: accuracy),
                                       "\(model.model) shows no piecewise pattern: \(accuracy)")
            let truth: PiecewisePattern = model.capability >= insight ? .all : (model.usesTools ? .upTo(largestInBudget) : .none)
            #expect(pattern == truth, "\(model.model) (c = \(model.capability))")
            observed.append(pattern)
        }
        print("(b) patterns by model: \(observed.map(\.description))")
        // All three regimes appear, in order of scale.
        func rank(_ pattern: PiecewisePattern) -> Int {
            switch pattern { case .none: return 0; case .upTo: return 1; case .all: return 2 }
        }
        let ranks = observed.map(rank)
        #expect(ranks == ranks.sorted())
        #expect(Set(ranks) == [0, 1, 2])
    }

    @Test("(c) step graphs: the share of people finishing within the timeout predicts model success better than median time",
          arguments: [13, 14, 15] as [UInt64])
    func stepGraph(seed: UInt64) throws {
        let tasks = SimulatedTask.family(.stepGraph, count: 60, seed: seed)
        let ladder = ModelLadderSimulator.simulate(tasks: tasks, options: .init(models: 8, seed: seed))
        let population = HumanPopulationSimulator.simulate(tasks: tasks, options: .init(people: 1000, seed: seed))
        let table = Self.accuracies(ladder)
        var runsByTask: [String: [HumanRun]] = [:]
        for run in population.runs { runsByTask[run.task, default: []].append(run) }
        var success: [Double] = [], medianTime: [Double] = [], share: [Double] = [], hardest: [Double] = [], steps: [Double] = []
        for task in tasks {
            let scores = ladder.truth.models.compactMap { table[$0.model]?[task.id] }
            success.append(scores.reduce(0, +) / Double(scores.count))
            let runs = try #require(runsByTask[task.id])
            // Median time as usually reported: of those who finished (the timeout when nobody did).
            medianTime.append(SimulationStatistics.median(runs.filter(\.completed).compactMap(\.seconds)) ?? task.humanTimeoutSeconds)
            share.append(try #require(SimulationStatistics.shareWithinTimeout(runs)))
            hardest.append(task.hardestRequiredDifficulty)
            steps.append(Double(task.steps.count))
        }
        let byTime = try #require(SimulationStatistics.spearman(medianTime, success))
        let byShare = try #require(SimulationStatistics.spearman(share, success))
        let byHardest = try #require(SimulationStatistics.spearman(hardest, success))
        let bySteps = try #require(SimulationStatistics.spearman(steps, success))
        print("(c) seed \(seed): Spearman with mean model success over \(tasks.count) tasks: median time \(byTime), share within timeout \(byShare); truth: hardest step \(byHardest), step count \(bySteps)")
        // The truth: success follows the hardest required step, hardly the number of steps.
        #expect(byHardest < -0.8)
        #expect(abs(bySteps) < abs(byHardest) - 0.3)
        // The claim: the share within the timeout orders tasks like the models do, median time much less.
        #expect(byShare > 0.7)
        #expect(abs(byShare) > abs(byTime) + 0.2)
    }
}
