/// One person's attempt at a task, the raw material of human difficulty.
///
/// Completion time is right-censored at the timeout: a person who did not finish within
/// `timeoutSeconds` has `completed == false` and `seconds` equal to the time they were stopped
/// (or nil when unknown). Difficulty as "share of people who finish within T" and Kaplan–Meier
/// curves both read these fields. `partialScore` in [0, 1] credits partial progress; `skills`
/// are free labels (e.g. `python`, `novice`) for stratified estimates.
public struct HumanRun: Hashable, Sendable, Codable {
    public var task: String
    public var participant: String
    public var skills: [String]
    public var timeoutSeconds: Double?
    public var completed: Bool
    public var seconds: Double?
    public var partialScore: Double?

    public init(
        task: String, participant: String, skills: [String] = [], timeoutSeconds: Double? = nil,
        completed: Bool, seconds: Double? = nil, partialScore: Double? = nil
    ) {
        self.task = task
        self.participant = participant
        self.skills = skills
        self.timeoutSeconds = timeoutSeconds
        self.completed = completed
        self.seconds = seconds
        self.partialScore = partialScore
    }
}
