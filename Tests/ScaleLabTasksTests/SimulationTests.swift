import Foundation
import ScaleLabCore
import ScaleLabTasks
import Testing

@Suite("Simulation")
struct SimulationTests {
    @Test("the same seed gives the same ladder and population; another seed does not")
    func deterministic() {
        let tasks = SimulatedTask.family(.stepGraph, count: 6, seed: 5)
        #expect(tasks == SimulatedTask.family(.stepGraph, count: 6, seed: 5))
        let first = ModelLadderSimulator.simulate(tasks: tasks, options: .init(seed: 11))
        let second = ModelLadderSimulator.simulate(tasks: tasks, options: .init(seed: 11))
        let other = ModelLadderSimulator.simulate(tasks: tasks, options: .init(seed: 12))
        #expect(first.observations == second.observations)
        #expect(first.itemResults == second.itemResults)
        #expect(first.truth == second.truth)
        #expect(first.truth.models.map(\.capability) != other.truth.models.map(\.capability))
        let people = HumanPopulationSimulator.simulate(tasks: tasks, options: .init(people: 50, seed: 11))
        let again = HumanPopulationSimulator.simulate(tasks: tasks, options: .init(people: 50, seed: 11))
        #expect(people.runs == again.runs)
        #expect(people.truth == again.truth)
    }

    @Test("capability grows with log scale; tool use is exactly capability ≥ threshold")
    func ladderTruth() {
        let options = ModelLadderOptions(models: 8, seed: 3)
        let ladder = ModelLadderSimulator.simulate(tasks: SimulatedTask.family(.sha256), options: options)
        #expect(ladder.models.count == 8)
        let params = ladder.truth.models.map(\.params)
        #expect(params == params.sorted())
        #expect(abs(params[0] - 1e7) / 1e7 < 0.01 && abs(params[7] - 1e12) / 1e12 < 0.01)
        for model in ladder.truth.models {
            // c = log10 N − 9 + ε with ε ~ N(0, 0.1²): within 5 sd.
            #expect(abs(model.capability - (log10(model.params) - 9)) < 0.5)
            #expect(model.usesTools == (model.capability >= options.toolThreshold))
        }
    }

    @Test("observations are the mean of the item results, with the binomial standard error")
    func observationsMatchItems() throws {
        let tasks = SimulatedTask.family(.sum)
        let ladder = ModelLadderSimulator.simulate(tasks: tasks, options: .init(epochs: 10, seed: 4))
        #expect(ladder.observations.count == 8 * tasks.count)
        #expect(ladder.itemResults.count == 8 * tasks.count * 10)
        var sums: [String: Double] = [:]
        for item in ladder.itemResults { sums["\(item.model.name)|\(item.task)", default: 0] += item.correct ?? 0 }
        for observation in ladder.observations {
            let mean = try #require(sums["\(observation.model.name)|\(observation.task)"]) / 10
            #expect(abs(observation.value - mean) < 1e-12)
            #expect(observation.n == 10)
            let expected = (mean * (1 - mean) / 9).squareRoot()
            #expect(abs((observation.stderr ?? -1) - expected) < 1e-12)
        }
    }

    @Test("a model with insight solves sum(1..n) in constant time; one with only a loop in time linear in n")
    func insightIsConstantTime() {
        let options = ModelLadderOptions()
        let gauss = SimulatedModelTruth(model: "g", params: 1e12, capability: 2.5, usesTools: true)
        let looper = SimulatedModelTruth(model: "l", params: 1e10, capability: 1, usesTools: true)
        let small = ModelLadderSimulator.plan(.sum(n: 100), model: gauss, options: options)
        let huge = ModelLadderSimulator.plan(.sum(n: 1_000_000_000_000), model: gauss, options: options)
        #expect(small.seconds == huge.seconds)
        #expect(huge.route == .insight && huge.success > 0.99)
        let loop = ModelLadderSimulator.plan(.sum(n: 1_000_000_000), model: looper, options: options)
        let tooLong = ModelLadderSimulator.plan(.sum(n: 10_000_000_000), model: looper, options: options)
        #expect(abs(loop.seconds - (options.scriptSeconds + 999_999_999 * 1e-7)) < 1e-6)
        #expect(loop.route == .tool && !loop.timedOut && loop.success > 0.99)
        #expect(tooLong.timedOut && tooLong.success == 0)
        let noTool = SimulatedModelTruth(model: "s", params: 1e8, capability: -1, usesTools: false)
        #expect(ModelLadderSimulator.plan(.sha256(n: 1), model: noTool, options: options).route == .impossible)
        #expect(ModelLadderSimulator.plan(.sha256(n: 1), model: noTool, options: options).success == 0)
    }

    @Test("human runs are censored at the timeout or at give-up, with the truth beside them")
    func censoring() throws {
        let tasks = SimulatedTask.family(.stepGraph, count: 10, seed: 2) + [.sha256(n: 5), .sum(n: 1000)]
        let population = HumanPopulationSimulator.simulate(tasks: tasks, options: .init(people: 300, seed: 9))
        #expect(population.runs.count == 300 * tasks.count)
        let patience = Dictionary(uniqueKeysWithValues: population.participants.map { ($0.participant, $0.patienceSeconds) })
        var outcomes: [HumanRunOutcome: Int] = [:]
        for (run, truth) in zip(population.runs, population.truth) {
            let seconds = try #require(run.seconds)
            let timeout = try #require(run.timeoutSeconds)
            let stop = min(timeout, try #require(patience[run.participant]))
            #expect(seconds <= timeout)
            #expect(run.completed == (truth.latentSeconds <= stop))
            #expect(run.completed ? seconds == truth.latentSeconds : seconds == stop)
            #expect((0...1).contains(run.partialScore ?? -1))
            outcomes[truth.outcome, default: 0] += 1
        }
        #expect(outcomes[.completed, default: 0] > 0 && outcomes[.timedOut, default: 0] > 0 && outcomes[.gaveUp, default: 0] > 0)
        let python = population.participants.filter(\.writesPython).count
        #expect(abs(Double(python) / 300 - 0.4) < 0.1)
    }

    @Test("people who write Python take the same time on sha256^1 and sha256^1000")
    func pythonTimeIndependentOfN() throws {
        let tasks: [SimulatedTask] = [.sha256(n: 1), .sha256(n: 1000)]
        let population = HumanPopulationSimulator.simulate(tasks: tasks, options: .init(people: 400, seed: 21))
        func median(_ task: String) throws -> Double {
            let runs = population.runs.filter { $0.task == task && $0.skills.contains("python") }
            return try #require(SimulationStatistics.kaplanMeierMedian(runs))
        }
        let one = try median("sha256^1"), thousand = try median("sha256^1000")
        #expect(abs(thousand - one) / one < 0.1)
        #expect(one > 200 && one < 800)  // five minutes of scripting, a minute of reading, at median speed
    }

    @Test("linear fit, Spearman and the Kaplan–Meier median on hand-computed cases")
    func statistics() throws {
        let fit = try #require(SimulationStatistics.linearFit(x: [1, 2, 3, 4], y: [3, 5, 7, 9]))
        #expect(abs(fit.slope - 2) < 1e-12 && abs(fit.intercept - 1) < 1e-12 && abs(fit.rSquared - 1) < 1e-12)
        // Ranks of b are 1, 3, 2, 4: ρ = 1 − 6·Σd² / (n(n² − 1)) = 1 − 6·2/60 = 0.8.
        #expect(abs(try #require(SimulationStatistics.spearman([1, 2, 3, 4], [10, 30, 20, 40])) - 0.8) < 1e-12)
        #expect(abs(try #require(SimulationStatistics.spearman([1, 2, 3], [3, 2, 1])) + 1) < 1e-12)
        #expect(SimulationStatistics.spearman([1, 1, 1], [1, 2, 3]) == nil)
        // Five runs: done at 10, censored at 20, done at 30, done at 40, censored at 50.
        // S(10) = 4/5, S(30) = 4/5 · 2/3 = 0.533, S(40) = 0.533 · 1/2 = 0.267 → median 40.
        let runs = [(10.0, true), (20, false), (30, true), (40, true), (50, false)].enumerated().map {
            HumanRun(task: "t", participant: "p\($0.offset)", timeoutSeconds: 50, completed: $0.element.1, seconds: $0.element.0)
        }
        #expect(SimulationStatistics.kaplanMeierMedian(runs) == 40)
        #expect(SimulationStatistics.shareWithinTimeout(runs) == 0.6)
        // Done at 10, censored at 20 and 30: S(10) = 2/3 and never falls to one half.
        let unfinished = [(10.0, true), (20, false), (30, false)].enumerated().map {
            HumanRun(task: "t", participant: "p\($0.offset)", timeoutSeconds: 30, completed: $0.element.1, seconds: $0.element.0)
        }
        #expect(SimulationStatistics.kaplanMeierMedian(unfinished) == nil)
    }

    @Test("the piecewise pattern is read from accuracies, and refused when there is none")
    func piecewisePattern() {
        let n = [100, 1000, 10000]
        #expect(PiecewisePattern.classify(n: n, accuracy: [0, 0.05, 0]) == PiecewisePattern.none)
        #expect(PiecewisePattern.classify(n: n, accuracy: [1, 0.95, 0]) == .upTo(1000))
        #expect(PiecewisePattern.classify(n: n, accuracy: [1, 1, 1]) == .all)
        #expect(PiecewisePattern.classify(n: n, accuracy: [1, 0.5, 0]) == nil)
        #expect(PiecewisePattern.classify(n: n, accuracy: [0, 1, 1]) == nil)
    }

    @Test("step-graph tasks: sizes, a required step, a timeout of three times the by-hand time")
    func stepGraphTasks() {
        let tasks = SimulatedTask.family(.stepGraph, count: 50, seed: 8)
        #expect(Set(tasks.map(\.id)).count == 50)
        for task in tasks {
            #expect((1...30).contains(task.steps.count) && task.n == task.steps.count)
            #expect(task.steps.contains { $0.required })
            let required = task.steps.filter(\.required).map(\.difficulty)
            #expect(required.filter { $0 == task.hardestRequiredDifficulty }.count == 1)
            #expect(abs(task.humanTimeoutSeconds - 3 * (SimulatedTask.overheadSeconds + task.byHandSeconds)) < 1e-9)
        }
        #expect(Set(tasks.map(\.steps.count)).count > 8)
    }
}
