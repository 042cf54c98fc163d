/// A task (benchmark or subtask) and what is known about how it is scored.
///
/// `chance` is the score of a random guesser (0.25 for four-way multiple choice); the logistic law
/// uses it as its floor. `items` is the number of test items, which bounds how finely a score can
/// move (Schaeffer et al. 2023: too few items make smooth progress look like a jump).
public struct TaskInfo: Hashable, Sendable, Codable {
    public var name: String
    public var suite: String?
    public var chance: Double?
    public var items: Int?

    public init(name: String, suite: String? = nil, chance: Double? = nil, items: Int? = nil) {
        self.name = name
        self.suite = suite
        self.chance = chance
        self.items = items
    }
}
