/// sum(1..n) = 1 + 2 + … + n = n(n+1)/2, exact for any n.
///
/// By enumeration the task takes n additions (human time linear in n); with Gauss's insight it
/// takes one multiplication and one halving, whatever n. That gap is the point of the family:
/// `required_steps` counts the enumeration, `shortcut: true` says the insight exists. n(n+1) is
/// even, so the halving is exact.
public struct SumFamily: TaskFamily {
    public init() {}

    public var name: String { "sum" }

    public var summary: String { "the exact sum 1 + 2 + … + n as a decimal integer, for any n (Gauss's formula is the shortcut)" }

    /// Arithmetic on n is instant; the limit only keeps prompts readable (10,000 digits).
    public var defaultMaxN: BigUnsigned { BigUnsigned.powerOfTen(10_000) }

    public func check(_ grid: [BigUnsigned], maxN: BigUnsigned) throws {
        guard !grid.isEmpty else { throw TaskFamilyError.emptyGrid }
        for n in grid {
            if n.isZero { throw TaskFamilyError.notPositive(n.description) }
            if n > maxN { throw TaskFamilyError.tooLarge(family: name, n: n, maxN: maxN, estimate: nil) }
        }
    }

    /// n(n+1)/2.
    public static func sum(_ n: BigUnsigned) -> BigUnsigned {
        var product = n * (n + BigUnsigned(1))
        product.divide(by: 2)
        return product
    }

    public func generate(_ grid: [BigUnsigned], options: TaskGenerationOptions) throws -> [TaskSample] {
        grid.map { sample($0) }
    }

    public func prompt(n: BigUnsigned) -> String {
        """
        Compute the exact sum of all whole numbers from 1 to \(n) inclusive: 1 + 2 + 3 + … + \(n). \
        Answer with the exact value as a decimal integer, digits only (no commas, spaces, sign or scientific notation), and nothing else.
        """
    }

    func sample(_ n: BigUnsigned) -> TaskSample {
        TaskSample(id: "sum-n\(n)", input: prompt(n: n), target: SumFamily.sum(n).description, metadata: [
            "family": .string(name),
            "n": .integer(n),
            "n_digits": .number(Double(n.decimalDigitCount)),
            "required_steps": .integer(n),
            "optional_steps": .number(0),
            "ordered": .bool(false),
            "shortcut": .bool(true),
            "answer_format": .string("decimal integer"),
        ])
    }
}
