import Foundation

/// The three task families the simulator knows (the seeds' `sha256^n`, `sum(1..n)` and tasks
/// built of required / optional / ordered steps).
public enum SimulatedFamily: String, CaseIterable, Sendable, Codable {
    case sha256
    case sum
    case stepGraph = "step-graph"
}

/// One kind of step of a simulated task, repeated `count` times.
///
/// Every solver, model or human, has a capability on one latent scale (humans: skill ~ N(0, 1)).
/// One repetition done unaided succeeds with probability σ(k·(capability − `difficulty`)), k the
/// solver's slope. A step can also be
/// - *scriptable*: a solver that writes code does all repetitions by machine, paying
///   `scriptSeconds` once (humans labelled `python`; models above their tool threshold, who write
///   the program correctly with probability σ(k·(capability − `scriptDifficulty`))) and
///   `machineSecondsPerRepetition` per repetition;
/// - skipped or short-cut with *insight*: a solver whose capability is at least `insight` skips an
///   optional step entirely, or replaces a required one by a closed form (Gauss's n(n+1)/2) that
///   costs one repetition's time and succeeds like one repetition: O(1) instead of O(count).
/// `modelsCanDoUnaided` is false for SHA-256: a language model cannot hash in its context, so
/// without a tool each repetition fails.
public struct SimulatedStep: Hashable, Sendable, Codable {
    public enum Kind: String, Sendable, Codable {
        case hash, add, reason
    }

    public var kind: Kind
    public var count: Int
    public var required: Bool
    public var ordered: Bool
    /// Seconds one repetition takes a median-speed person who gets it right the first time.
    public var humanSeconds: Double
    public var difficulty: Double
    public var modelsCanDoUnaided: Bool
    public var scriptable: Bool
    public var scriptSeconds: Double
    public var scriptDifficulty: Double
    public var machineSecondsPerRepetition: Double
    public var insight: Double?

    public init(
        kind: Kind, count: Int = 1, required: Bool = true, ordered: Bool = true, humanSeconds: Double, difficulty: Double,
        modelsCanDoUnaided: Bool = true, scriptable: Bool = false, scriptSeconds: Double = 0, scriptDifficulty: Double = 0,
        machineSecondsPerRepetition: Double = 0, insight: Double? = nil
    ) {
        self.kind = kind
        self.count = count
        self.required = required
        self.ordered = ordered
        self.humanSeconds = humanSeconds
        self.difficulty = difficulty
        self.modelsCanDoUnaided = modelsCanDoUnaided
        self.scriptable = scriptable
        self.scriptSeconds = scriptSeconds
        self.scriptDifficulty = scriptDifficulty
        self.machineSecondsPerRepetition = machineSecondsPerRepetition
        self.insight = insight
    }
}

/// A task as the simulator sees it: its steps, not its text (the generators of ScaleLabTasks
/// produce the prompts and exact answers). `humanTimeoutSeconds` is the time people are given.
public struct SimulatedTask: Hashable, Sendable, Codable {
    public var id: String
    public var family: SimulatedFamily
    public var n: Int
    public var steps: [SimulatedStep]
    public var humanTimeoutSeconds: Double

    public init(id: String, family: SimulatedFamily, n: Int, steps: [SimulatedStep], humanTimeoutSeconds: Double) {
        self.id = id
        self.family = family
        self.n = n
        self.steps = steps
        self.humanTimeoutSeconds = humanTimeoutSeconds
    }

    /// The largest difficulty among required steps: what a solver must reach, however many steps.
    public var hardestRequiredDifficulty: Double {
        steps.filter(\.required).map(\.difficulty).max() ?? -Double.infinity
    }

    /// Seconds a median-speed person needs doing every step by hand, right the first time.
    public var byHandSeconds: Double {
        steps.reduce(0) { $0 + Double($1.count) * $1.humanSeconds }
    }

    /// Reading the task and writing down the answer, before and after any step (seconds).
    public static let overheadSeconds = 60.0

    /// `sha256^n`: n ordered hashes, each impossible for a model without a tool; ten minutes per
    /// hash for a person by hand, five minutes to write the script and 1 µs per hash for those who
    /// write Python (hashlib's order of magnitude). People get eight hours, or four times the
    /// by-hand time when that is longer, so by-hand completion times stay observable for small n.
    public static func sha256(n: Int) -> SimulatedTask {
        let step = SimulatedStep(
            kind: .hash, count: n, humanSeconds: 600, difficulty: -1, modelsCanDoUnaided: false, scriptable: true,
            scriptSeconds: 300, scriptDifficulty: -1, machineSecondsPerRepetition: 1e-6)
        let byHand = overheadSeconds + Double(n) * step.humanSeconds
        return SimulatedTask(id: "sha256^\(n)", family: .sha256, n: n, steps: [step],
                             humanTimeoutSeconds: min(max(8 * 3600, 4 * byHand), 7 * 24 * 3600))
    }

    /// `sum(1..n)`: n − 1 additions in any order, five seconds each by hand; a minute to write a
    /// loop that adds 10⁷ numbers a second; and Gauss's closed form for a solver with capability
    /// ≥ `insight` (humans: skill ≥ 1.9, about 3 %). People get an hour.
    public static func sum(n: Int, insight: Double = 1.9) -> SimulatedTask {
        let step = SimulatedStep(
            kind: .add, count: max(n - 1, 1), ordered: false, humanSeconds: 5, difficulty: -1, scriptable: true,
            scriptSeconds: 60, scriptDifficulty: -1.5, machineSecondsPerRepetition: 1e-7, insight: insight)
        return SimulatedTask(id: "sum(1..\(n))", family: .sum, n: n, steps: [step], humanTimeoutSeconds: 3600)
    }

    /// A random step-graph task whose length and hardness are drawn independently, as the seeds
    /// ask (human time and the capability needed varied separately): 1–30 steps (log-uniform),
    /// one required step of difficulty h ~ N(0, 1) (the hardest), the others easier by
    /// 0.5 + U(0, 2.5); each step takes a person LogNormal(ln 90 s, 0.8) by hand. A quarter of the
    /// easier steps are optional, skipped by solvers one unit more capable than the step is hard.
    /// People get three times the by-hand time of all steps: a timeout chosen per task.
    public static func stepGraph(index: Int, random: inout SimulationRandom) -> SimulatedTask {
        let count = min(max(Int(exp(random.uniform() * log(31.0)).rounded(.down)), 1), 30)
        let hardest = random.normal()
        let hardestPosition = Int(random.uniform() * Double(count))
        var steps: [SimulatedStep] = []
        for position in 0..<count {
            let isHardest = position == hardestPosition
            let difficulty = isHardest ? hardest : hardest - 0.5 - 2.5 * random.uniform()
            let optional = !isHardest && random.uniform() < 0.25
            steps.append(SimulatedStep(
                kind: .reason, required: !optional, ordered: random.uniform() < 0.5,
                humanSeconds: 90 * exp(0.8 * random.normal()), difficulty: difficulty,
                insight: optional ? difficulty + 1 : nil))
        }
        var task = SimulatedTask(id: "step-graph-\(index)", family: .stepGraph, n: count, steps: steps, humanTimeoutSeconds: 0)
        task.humanTimeoutSeconds = 3 * (overheadSeconds + task.byHandSeconds)
        return task
    }

    /// The default grid of a family: n = 1, 10, …, 10⁷ for `sha256^n`; 10³, …, 10¹² for `sum(1..n)`
    /// (from 1000, where adding in context fails even just below the tool threshold:
    /// σ(3·1.5)^999 ≈ 10⁻⁵); `count` random tasks for step graphs.
    public static func family(_ family: SimulatedFamily, count: Int = 40, seed: UInt64 = 1) -> [SimulatedTask] {
        switch family {
        case .sha256:
            return (0...7).map { sha256(n: power10($0)) }
        case .sum:
            return (3...12).map { sum(n: power10($0)) }
        case .stepGraph:
            var random = SimulationRandom(seed: seed ^ 0x5354_4550)
            return (0..<count).map { stepGraph(index: $0, random: &random) }
        }
    }

    private static func power10(_ exponent: Int) -> Int {
        (0..<exponent).reduce(1) { value, _ in value * 10 }
    }
}
