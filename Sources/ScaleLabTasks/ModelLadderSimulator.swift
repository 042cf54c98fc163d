import Foundation
import ScaleLabCore

/// How a simulated ladder of models is made.
///
/// Model i of m has N = 10^(log10 smallest + i·(log10 largest − log10 smallest)/(m − 1))
/// parameters and a latent capability c = `capabilityPerDecade`·(log10 N − 9) + ε,
/// ε ~ N(0, `capabilityNoise`²): it grows with log scale, on the scale of human skill (N(0, 1)).
/// A model with c ≥ `toolThreshold` writes and runs code; each task must finish within
/// `budgetSeconds` of the model's time, where a step done in context takes
/// `modelSecondsPerHumanSecond` of a person's time and writing a program `scriptSeconds`.
public struct ModelLadderOptions: Sendable, Hashable, Codable {
    public var models: Int
    public var smallestParams: Double
    public var largestParams: Double
    public var capabilityPerDecade: Double
    public var capabilityNoise: Double
    /// k in σ(k·(c − difficulty)), the success of one step.
    public var slope: Double
    public var toolThreshold: Double
    public var budgetSeconds: Double
    public var modelSecondsPerHumanSecond: Double
    public var scriptSeconds: Double
    /// Attempts per task (each task is one item, scored once per epoch).
    public var epochs: Int
    public var seed: UInt64

    public init(
        models: Int = 8, smallestParams: Double = 1e7, largestParams: Double = 1e12, capabilityPerDecade: Double = 1,
        capabilityNoise: Double = 0.1, slope: Double = 3, toolThreshold: Double = 0.5, budgetSeconds: Double = 300,
        modelSecondsPerHumanSecond: Double = 0.02, scriptSeconds: Double = 10, epochs: Int = 20, seed: UInt64 = 1
    ) {
        self.models = models
        self.smallestParams = smallestParams
        self.largestParams = largestParams
        self.capabilityPerDecade = capabilityPerDecade
        self.capabilityNoise = capabilityNoise
        self.slope = slope
        self.toolThreshold = toolThreshold
        self.budgetSeconds = budgetSeconds
        self.modelSecondsPerHumanSecond = modelSecondsPerHumanSecond
        self.scriptSeconds = scriptSeconds
        self.epochs = epochs
        self.seed = seed
    }
}

/// How a solver goes about a task.
public enum SolverRoute: String, Sendable, Codable {
    /// Every step in context (models) or by hand (people).
    case unaided
    /// At least one step scripted and run by machine.
    case tool
    /// At least one step skipped or replaced by a closed form.
    case insight
    /// A step the solver cannot do at all (hashing in context).
    case impossible
}

/// The truth behind one model of a simulated ladder.
public struct SimulatedModelTruth: Sendable, Hashable, Codable {
    public var model: String
    public var params: Double
    public var capability: Double
    public var usesTools: Bool

    public init(model: String, params: Double, capability: Double, usesTools: Bool) {
        self.model = model
        self.params = params
        self.capability = capability
        self.usesTools = usesTools
    }
}

/// The truth behind one model on one task: the exact success probability the epochs were drawn
/// from, the model's time, and how it went about the task.
public struct SimulatedOutcomeTruth: Sendable, Hashable, Codable {
    public var model: String
    public var task: String
    public var successProbability: Double
    public var seconds: Double
    public var timedOut: Bool
    public var route: SolverRoute
}

public struct ModelLadderTruth: Sendable, Hashable, Codable {
    public var options: ModelLadderOptions
    public var models: [SimulatedModelTruth]
    public var outcomes: [SimulatedOutcomeTruth]
}

/// A simulated ladder's evaluation: models, one accuracy per model × task (metric `acc`, the mean
/// over epochs), the per-epoch item results, and the truth beside them.
public struct ModelLadderSimulation: Sendable, Codable {
    public var models: [ModelInfo]
    public var observations: [Observation]
    public var itemResults: [ItemResult]
    public var truth: ModelLadderTruth
}

public enum ModelLadderSimulator {
    /// Simulates `options.models` models on `tasks`; the same options and tasks give the same output.
    public static func simulate(tasks: [SimulatedTask], options: ModelLadderOptions = .init()) -> ModelLadderSimulation {
        var models: [ModelInfo] = []
        var modelTruth: [SimulatedModelTruth] = []
        var observations: [Observation] = []
        var items: [ItemResult] = []
        var outcomes: [SimulatedOutcomeTruth] = []
        let count = max(options.models, 1)
        let low = log10(options.smallestParams), high = log10(options.largestParams)
        for index in 0..<count {
            let exponent = count == 1 ? high : low + Double(index) * (high - low) / Double(count - 1)
            let params = roundedToThreeDigits(pow(10, exponent))
            var random = SimulationRandom.stream(seed: options.seed, 1, UInt64(index))
            let capability = options.capabilityPerDecade * (log10(params) - 9) + options.capabilityNoise * random.normal()
            let name = "sim-\(index + 1)"
            let truth = SimulatedModelTruth(model: name, params: params, capability: capability,
                                            usesTools: capability >= options.toolThreshold)
            modelTruth.append(truth)
            models.append(ModelInfo(name: name, family: "simulated", params: params))
            let key = ModelKey(name: name)
            for (taskIndex, task) in tasks.enumerated() {
                let plan = plan(task, model: truth, options: options)
                outcomes.append(SimulatedOutcomeTruth(model: name, task: task.id, successProbability: plan.success,
                                                      seconds: plan.seconds, timedOut: plan.timedOut, route: plan.route))
                var draws = SimulationRandom.stream(seed: options.seed, 2, UInt64(index), UInt64(taskIndex))
                var correct = 0
                for epoch in 1...max(options.epochs, 1) {
                    let right = draws.uniform() < plan.success
                    if right { correct += 1 }
                    items.append(ItemResult(model: key, task: task.id, item: task.id, scorer: "exact", epoch: epoch,
                                            correct: right ? 1 : 0))
                }
                let epochs = max(options.epochs, 1)
                let accuracy = Double(correct) / Double(epochs)
                let stderr = epochs > 1 ? (accuracy * (1 - accuracy) / Double(epochs - 1)).squareRoot() : nil
                observations.append(Observation(model: key, task: task.id, metric: "acc", value: accuracy, stderr: stderr,
                                                n: epochs, extras: ["task_n": Double(task.n)]))
            }
        }
        return ModelLadderSimulation(models: models, observations: observations, itemResults: items,
                                     truth: ModelLadderTruth(options: options, models: modelTruth, outcomes: outcomes))
    }

    /// A model's success probability and time on a task (see ``SimulatedStep`` for the rules).
    public static func plan(_ task: SimulatedTask, model: SimulatedModelTruth, options: ModelLadderOptions)
        -> (success: Double, seconds: Double, timedOut: Bool, route: SolverRoute)
    {
        let c = model.capability
        var success = 1.0, seconds = 0.0
        var route = SolverRoute.unaided
        for step in task.steps {
            let once = logistic(options.slope * (c - step.difficulty))
            if let insight = step.insight, c >= insight {
                route = .insight
                guard step.required else { continue }
                success *= once
                seconds += step.humanSeconds * options.modelSecondsPerHumanSecond
            } else if step.scriptable && model.usesTools {
                if route == .unaided { route = .tool }
                success *= logistic(options.slope * (c - step.scriptDifficulty))
                seconds += options.scriptSeconds + Double(step.count) * step.machineSecondsPerRepetition
            } else if !step.modelsCanDoUnaided {
                route = .impossible
                success = 0
                seconds += step.humanSeconds * options.modelSecondsPerHumanSecond
            } else {
                success *= pow(once, Double(step.count))
                seconds += Double(step.count) * step.humanSeconds * options.modelSecondsPerHumanSecond
            }
        }
        let timedOut = seconds > options.budgetSeconds
        return (timedOut ? 0 : success, seconds, timedOut, route)
    }

    private static func roundedToThreeDigits(_ value: Double) -> Double {
        let scale = pow(10, floor(log10(value)) - 2)
        return (value / scale).rounded() * scale
    }
}
