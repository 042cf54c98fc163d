import Foundation
import ScaleLabCore

/// How a simulated population of people is made.
///
/// Each person has a skill ~ N(0, 1) (the models' capability scale), a speed multiplier on every
/// duration ~ LogNormal(0, `speedSpread`²), the label `python` with probability `pythonShare`
/// (else `no-python`), and a patience ~ LogNormal(ln `patienceMedianSeconds`, `patienceSpread`²)
/// after which they give up. A step repetition done by hand succeeds with probability
/// p = σ(`slope`·(skill − difficulty)); a failed attempt is noticed and redone, so it costs
/// humanSeconds·speed / p on average: hard steps make the unskilled slow, then time out.
/// Each run's duration is further multiplied by LogNormal(0, `runSpread`²) (day-to-day variation).
public struct HumanPopulationOptions: Sendable, Hashable, Codable {
    public var people: Int
    public var pythonShare: Double
    public var speedSpread: Double
    public var patienceMedianSeconds: Double
    public var patienceSpread: Double
    public var slope: Double
    public var runSpread: Double
    public var seed: UInt64

    public init(
        people: Int = 1000, pythonShare: Double = 0.4, speedSpread: Double = 0.5, patienceMedianSeconds: Double = 4 * 3600,
        patienceSpread: Double = 1, slope: Double = 2, runSpread: Double = 0.2, seed: UInt64 = 1
    ) {
        self.people = people
        self.pythonShare = pythonShare
        self.speedSpread = speedSpread
        self.patienceMedianSeconds = patienceMedianSeconds
        self.patienceSpread = patienceSpread
        self.slope = slope
        self.runSpread = runSpread
        self.seed = seed
    }
}

public struct SimulatedParticipant: Sendable, Hashable, Codable {
    public var participant: String
    public var skill: Double
    public var speed: Double
    public var patienceSeconds: Double
    public var skills: [String]

    public var writesPython: Bool { skills.contains("python") }
}

/// Why a simulated run ended.
public enum HumanRunOutcome: String, Sendable, Codable {
    case completed
    case timedOut = "timed_out"
    case gaveUp = "gave_up"
}

/// The truth behind one run: the time the person would have needed without any timeout.
public struct HumanRunTruth: Sendable, Hashable, Codable {
    public var task: String
    public var participant: String
    public var latentSeconds: Double
    public var outcome: HumanRunOutcome
    public var route: SolverRoute
}

/// Runs of every person on every task (`runs[i]` and `truth[i]` describe the same run).
public struct HumanPopulationSimulation: Sendable, Codable {
    public var participants: [SimulatedParticipant]
    public var runs: [HumanRun]
    public var truth: [HumanRunTruth]
}

public enum HumanPopulationSimulator {
    public static func simulate(tasks: [SimulatedTask], options: HumanPopulationOptions = .init()) -> HumanPopulationSimulation {
        let width = String(max(options.people, 1)).count
        let people = (0..<max(options.people, 0)).map { index -> SimulatedParticipant in
            var random = SimulationRandom.stream(seed: options.seed, 3, UInt64(index))
            let skill = random.normal()
            let speed = exp(options.speedSpread * random.normal())
            let patience = options.patienceMedianSeconds * exp(options.patienceSpread * random.normal())
            let python = random.uniform() < options.pythonShare
            let number = String(index + 1)
            return SimulatedParticipant(participant: "h" + String(repeating: "0", count: width - number.count) + number,
                                        skill: skill, speed: speed, patienceSeconds: patience,
                                        skills: [python ? "python" : "no-python"])
        }
        var runs: [HumanRun] = []
        var truth: [HumanRunTruth] = []
        runs.reserveCapacity(people.count * tasks.count)
        truth.reserveCapacity(people.count * tasks.count)
        for (taskIndex, task) in tasks.enumerated() {
            for (personIndex, person) in people.enumerated() {
                var random = SimulationRandom.stream(seed: options.seed, 4, UInt64(taskIndex), UInt64(personIndex))
                let dayFactor = exp(options.runSpread * random.normal())
                let plan = plan(task, person: person, slope: options.slope, factor: dayFactor)
                let stop = min(task.humanTimeoutSeconds, person.patienceSeconds)
                let outcome: HumanRunOutcome = plan.seconds <= stop
                    ? .completed : (person.patienceSeconds < task.humanTimeoutSeconds ? .gaveUp : .timedOut)
                let seconds = outcome == .completed ? plan.seconds : stop
                let partial = outcome == .completed ? 1 : plan.progress(at: stop)
                runs.append(HumanRun(task: task.id, participant: person.participant, skills: person.skills,
                                     timeoutSeconds: task.humanTimeoutSeconds, completed: outcome == .completed,
                                     seconds: seconds, partialScore: partial))
                truth.append(HumanRunTruth(task: task.id, participant: person.participant, latentSeconds: plan.seconds,
                                           outcome: outcome, route: plan.route))
            }
        }
        return HumanPopulationSimulation(participants: people, runs: runs, truth: truth)
    }

    struct Plan {
        var seconds: Double
        var route: SolverRoute
        /// When each step starts and ends, to credit partial progress.
        var spans: [(start: Double, end: Double)]

        /// The share of steps done by `time`, a step in progress counting by its elapsed fraction.
        func progress(at time: Double) -> Double {
            guard !spans.isEmpty else { return 0 }
            let done = spans.reduce(0.0) { total, span in
                let length = span.end - span.start
                guard length > 0 else { return total + (time >= span.end ? 1 : 0) }
                return total + min(1, max(0, (time - span.start) / length))
            }
            return done / Double(spans.count)
        }
    }

    /// The time a person needs for a task (see ``HumanPopulationOptions`` and ``SimulatedStep``).
    static func plan(_ task: SimulatedTask, person: SimulatedParticipant, slope: Double, factor: Double) -> Plan {
        let pace = person.speed * factor
        var seconds = SimulatedTask.overheadSeconds * pace
        var route = SolverRoute.unaided
        var spans: [(Double, Double)] = []
        for step in task.steps {
            let start = seconds
            let once = logistic(slope * (person.skill - step.difficulty))
            if let insight = step.insight, person.skill >= insight {
                route = .insight
                if step.required { seconds += step.humanSeconds * pace / once }
            } else if step.scriptable && person.writesPython {
                if route == .unaided { route = .tool }
                seconds += step.scriptSeconds * pace + Double(step.count) * step.machineSecondsPerRepetition
            } else {
                seconds += Double(step.count) * step.humanSeconds * pace / once
            }
            spans.append((start, seconds))
        }
        return Plan(seconds: seconds, route: route, spans: spans)
    }
}
