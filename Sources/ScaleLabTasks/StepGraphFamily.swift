/// Step-graph tasks: a task is a list of concrete, checkable sub-problems (steps), so that the
/// human time a task takes (how many steps, how long each) and the capability it needs (its
/// hardest step) can be set apart.
///
/// - **Required** steps feed the final answer; **optional** steps do not (they are checkpoints a
///   solver without insight works through: the same sub-problem at a smaller size). The prompt
///   says which answers make up the final answer, so seeing that the optional steps can be
///   skipped is the insight.
/// - **Ordered** graphs chain their required steps: each one after the first uses c, the last
///   character of the previous required step's answer read as a hexadecimal digit (0–15), so
///   the steps must be done in order. **Unordered** graphs have independent steps.
/// - Each step has a kind (`sha256`, `sum`, `sort`, `count`) and a hardness 1…5 that sets its
///   size. Task i of a grid point has hardness 1 + i mod 5 for its hardest step; its other steps
///   draw hardness uniformly up to that.
///
/// The final target is the answers of the required steps, in step order, joined by " | ".
/// Everything is drawn from a seeded generator, so the same seed gives the same tasks.
public struct StepGraphFamily: TaskFamily {
    public init() {}

    public var name: String { "step-graph" }

    public var summary: String {
        "graphs of n checkable steps (sha256, sum, sort, count), required or optional, ordered or not; use --count for tasks per n"
    }

    /// A prompt of 50 steps is already long for a person.
    public var defaultMaxN: BigUnsigned { BigUnsigned(50) }

    public func check(_ grid: [BigUnsigned], maxN: BigUnsigned) throws {
        guard !grid.isEmpty else { throw TaskFamilyError.emptyGrid }
        for n in grid {
            if n.isZero { throw TaskFamilyError.notPositive(n.description) }
            // Beyond 10,000 steps a prompt is no longer a task but a file.
            if n > maxN || n > BigUnsigned(10_000) {
                throw TaskFamilyError.tooLarge(family: name, n: n, maxN: min(maxN, BigUnsigned(10_000)), estimate: "n counts the steps of one task")
            }
        }
    }

    public func generate(_ grid: [BigUnsigned], options: TaskGenerationOptions) throws -> [TaskSample] {
        guard options.count >= 1 else { throw TaskFamilyError.badCount(options.count) }
        return grid.flatMap { n in
            (0..<options.count).map { index in
                StepGraph.generate(steps: Int(n.uint64!), hardness: 1 + index % 5, seed: options.seed, index: index).sample(index: index, seed: options.seed)
            }
        }
    }
}

/// One step of a step graph: a sub-problem with its exact answer.
public struct TaskStep: Sendable, Hashable {
    public enum Kind: String, Sendable, CaseIterable {
        /// SHA-256 applied k times to a word (chained on the 32-byte digest).
        case sha256
        /// 1 + 2 + … + k (enumeration or Gauss).
        case sum
        /// A list of numbers in ascending order.
        case sort
        /// Occurrences of a letter in a string.
        case count
    }

    public var kind: Kind
    /// 1 (easiest) … 5: sets the step's size.
    public var hardness: Int
    public var required: Bool
    /// The step's text in the prompt; in ordered graphs it refers to c.
    public var text: String
    public var answer: String
    /// The work by enumeration: hash evaluations, additions, list items or letters.
    public var work: Double
}

/// A step-graph task.
public struct StepGraph: Sendable, Hashable {
    public var steps: [TaskStep]
    public var ordered: Bool

    /// The answers of the required steps, in step order, joined by " | ".
    public var target: String { steps.filter(\.required).map(\.answer).joined(separator: " | ") }

    /// The hardness of the hardest step: the capability the task needs.
    public var hardness: Int { steps.map(\.hardness).max() ?? 0 }

    /// c for the step after one with this answer: its last character as a hex digit (0–15).
    /// Every answer ends in a decimal or lowercase hex digit.
    public static func carry(after answer: String) -> Int {
        answer.last?.hexDigitValue ?? 0
    }

    /// A graph of `steps` steps whose hardest step has the given hardness, drawn from the seed.
    public static func generate(steps count: Int, hardness: Int, seed: UInt64, index: Int) -> StepGraph {
        precondition(count >= 1 && (1...5).contains(hardness))
        var random = SplitMix64(seed: seed ^ UInt64(count) &* 0x9E37_79B9_7F4A_7C15 ^ UInt64(index) &* 0xC2B2_AE3D_27D4_EB4F)
        let ordered = random.next() & 1 == 1
        // Up to half the steps optional; the last step is always required.
        let optionalCount = count == 1 ? 0 : Int(random.next() % UInt64(count / 2 + 1))
        var optional = Set<Int>()
        while optional.count < optionalCount { optional.insert(Int(random.next() % UInt64(count - 1))) }
        let required = (0..<count).filter { !optional.contains($0) }
        let hardest = required[Int(random.next() % UInt64(required.count))]
        var steps: [TaskStep] = []
        var carry: Int? = nil
        var carrySource = 0
        for position in 0..<count {
            let kind = TaskStep.Kind.allCases[Int(random.next() % 4)]
            let level = position == hardest ? hardness : 1 + Int(random.next() % UInt64(hardness))
            let isRequired = !optional.contains(position)
            // Optional steps and unordered graphs use no c; ordered required steps use the last one's.
            let c = ordered && isRequired ? carry : nil
            var step = makeStep(kind: kind, hardness: level, carry: c, random: &random)
            step.required = isRequired
            if c != nil { step.text = "(uses c from step \(carrySource)) " + step.text }
            if !isRequired { step.text = "(optional checkpoint) " + step.text }
            if ordered && isRequired {
                carry = StepGraph.carry(after: step.answer)
                carrySource = position + 1
            }
            steps.append(step)
        }
        return StepGraph(steps: steps, ordered: ordered)
    }

    private static let sha256Iterations = [1, 2, 5, 20, 100]
    private static let sumBounds: [UInt64] = [10, 100, 10_000, 1_000_000, 1_000_000_000_000]
    private static let listLengths = [3, 5, 10, 20, 40]
    private static let textLengths = [10, 30, 100, 300, 1000]

    private static func makeStep(kind: TaskStep.Kind, hardness: Int, carry: Int?, random: inout SplitMix64) -> TaskStep {
        let c = carry ?? 0
        let plusC = carry == nil ? "" : " + c"
        switch kind {
        case .sha256:
            let word = String((0..<6).map { _ in Character(Unicode.Scalar(UInt8(ascii: "a") + UInt8(random.next() % 26))) })
            let k = sha256Iterations[hardness - 1]
            let times = UInt64(k + c)
            let text = "Apply SHA-256 \(k)\(plusC) times to the ASCII string \"\(word)\", each time after the first hashing the previous 32-byte binary digest; give the last digest as 64 lowercase hex characters."
            return TaskStep(kind: kind, hardness: hardness, required: true, text: text,
                            answer: Sha256Chain.answer(times, variant: .digest, start: Array(word.utf8)), work: Double(times))
        case .sum:
            let base = sumBounds[hardness - 1]
            let k = base + random.next() % base
            let bound = k + UInt64(c)
            let text = "Compute 1 + 2 + … + (\(k)\(plusC)) exactly; give it as a decimal integer."
            return TaskStep(kind: kind, hardness: hardness, required: true, text: text,
                            answer: SumFamily.sum(BigUnsigned(bound)).description, work: Double(bound))
        case .sort:
            let numbers = (0..<listLengths[hardness - 1]).map { _ in Int(random.next() % 1000) }
            let text = carry == nil
                ? "Sort these numbers in ascending order: \(numbers.map(String.init).joined(separator: ", ")); give them separated by \", \"."
                : "Add c to each of these numbers and sort the results in ascending order: \(numbers.map(String.init).joined(separator: ", ")); give them separated by \", \"."
            return TaskStep(kind: kind, hardness: hardness, required: true, text: text,
                            answer: numbers.map { $0 + c }.sorted().map(String.init).joined(separator: ", "), work: Double(numbers.count))
        case .count:
            let letters = Array("abcdrst")
            let text = String((0..<textLengths[hardness - 1]).map { _ in letters[Int(random.next() % UInt64(letters.count))] })
            let target = letters[Int(random.next() % UInt64(letters.count))]
            let occurrences = text.filter { $0 == target }.count + c
            let prompt = "Count the letter '\(target)' in the string \"\(text)\"\(carry == nil ? "" : " and add c"); give a decimal integer."
            return TaskStep(kind: kind, hardness: hardness, required: true, text: prompt, answer: String(occurrences), work: Double(text.count))
        }
    }

    /// The prompt: the steps, how c is read (ordered graphs), and which answers form the final answer.
    public var prompt: String {
        var lines = ["Work through the steps below."]
        if ordered {
            lines.append("Some steps use c: the last character of the answer to the step named, read as a hexadecimal digit (0–9 are 0–9, a–f are 10–15). Do those steps after the step they name.")
        } else {
            lines.append("The steps are independent: do them in any order.")
        }
        for (index, step) in steps.enumerated() { lines.append("Step \(index + 1): \(step.text)") }
        let needed = steps.indices.filter { steps[$0].required }.map { String($0 + 1) }
        lines.append("Final answer: the answers to step\(needed.count == 1 ? "" : "s") \(needed.joined(separator: ", ")), in that order, separated by \" | \", and nothing else.")
        return lines.joined(separator: "\n")
    }

    func sample(index: Int, seed: UInt64) -> TaskSample {
        let required = steps.filter(\.required)
        let hardest = steps.filter { $0.required }.max { $0.hardness < $1.hardness }!
        return TaskSample(id: "step-graph-n\(steps.count)-s\(seed)-\(index)", input: prompt, target: target, metadata: [
            "family": .string("step-graph"),
            "n": .number(Double(steps.count)),
            "steps": .number(Double(steps.count)),
            "required_steps": .number(Double(required.count)),
            "optional_steps": .number(Double(steps.count - required.count)),
            "ordered": .bool(ordered),
            "hardness": .number(Double(hardness)),
            "hardest_step_kind": .string(hardest.kind.rawValue),
            "step_kinds": .string(steps.map(\.kind.rawValue).joined(separator: ",")),
            "step_required": .string(steps.map { $0.required ? "1" : "0" }.joined(separator: ",")),
            "step_hardness": .string(steps.map { String($0.hardness) }.joined(separator: ",")),
            "step_answers": .string(steps.map(\.answer).joined(separator: " | ")),
            "required_work": .number(required.map(\.work).reduce(0, +)),
            "seed": .string(String(seed)),
            "shortcut": .bool(steps.contains { !$0.required } || required.contains { $0.kind == .sum }),
        ])
    }
}

/// SplitMix64 (Steele, Lea & Flood 2014): a small, fast, seedable generator; enough for drawing tasks.
struct SplitMix64 {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE5_E4B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
