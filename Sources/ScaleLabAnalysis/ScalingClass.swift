import Foundation
import ScaleLabFit

/// How one task's score behaves as models grow, as far as the evaluation noise lets one tell.
///
/// Each class is the outcome of a test against the noise of the scores (see
/// ``ScalingClassifier`` for the formulas, thresholds and the order in which the tests are
/// applied). "Better" means higher for scores and lower for losses (`TaskCurve.higherIsBetter`).
public enum ScalingClass: String, Codable, Sendable, CaseIterable {
    /// Improves with scale, gradually: a significant improving trend in log x that no step law
    /// describes as a jump. A sigmoid in log x whose rise is spread over several adjacent models
    /// is smooth in this sense (Schaeffer et al. 2023: on a log axis most "emergent" curves are).
    case smooth
    /// Near chance (or flat at a floor) up to some scale, then a jump: a step law (logistic in
    /// log x, or a BNSL with a break) beats the smooth law decisively by AICc, at least half of
    /// the rise happens between one pair of adjacent models, and the scores before the jump are
    /// at chance, or flat when no chance level is known (Wei et al. 2022, "Emergent abilities";
    /// the concentration is BIG-bench's "breakthroughness", Srivastava et al. 2022).
    case emergent
    /// Gets significantly worse with scale (McKenzie et al. 2023, "Inverse scaling").
    case inverse
    /// Worse, then better with scale (or the reverse): a significant quadratic term in log x with
    /// its extremum inside the observed range and both arms significant (Wei et al. 2022,
    /// "Inverse scaling can become U-shaped").
    case nonMonotone = "u-shaped"
    /// Indistinguishable from random guessing: every score consistent with the chance level given
    /// the number of items, and no trend. Needs the task's chance level.
    case atChance = "at-chance"
    /// At the ceiling: the larger half of the models score within noise (or within a label-noise
    /// tolerance) of the best attainable value, with no trend among them. The benchmark no longer
    /// tells these models apart.
    case saturated
    /// No scaling behaviour can be told from the noise: fewer than four distinct scales, or no
    /// significant trend while the scores are not consistent with chance (or no chance level is
    /// known).
    case tooNoisy = "too-noisy"
}

/// Where the noise of each score came from, the weakest source used for any point.
public enum NoiseSource: String, Codable, Sendable {
    /// The evaluation's reported standard errors.
    case stderr
    /// The binomial standard deviation √(p̃(1 − p̃)/n) from the item count n.
    case binomial
    /// The residual scatter about a weighted quadratic in log x (neither stderr nor items known).
    case residuals
}

/// One task's scaling class with the evidence behind it.
public struct TaskClassification: Codable, Sendable {
    public var task: String
    public var metric: String
    public var shots: Int?
    public var scalingClass: ScalingClass
    /// One line: the class and the deciding reason.
    public var verdict: String
    /// Human-readable sentences with the numbers of every test that was run, in the order applied.
    public var evidence: [String]
    /// The same numbers by name (`trend.p`, `chance.chiSquareP`, `emergence.deltaAICc`, …), for
    /// machine-readable output.
    public var statistics: [String: Double]
    public var noiseSource: NoiseSource
    /// The smooth and step laws compared by AICc, when the classification got as far as fitting them.
    public var comparison: LawComparison?

    enum CodingKeys: String, CodingKey {
        case task, metric, shots, scalingClass = "class", verdict, evidence, statistics, noiseSource, comparison
    }

    public init(task: String, metric: String, shots: Int?, scalingClass: ScalingClass, verdict: String,
                evidence: [String], statistics: [String: Double], noiseSource: NoiseSource, comparison: LawComparison? = nil) {
        self.task = task
        self.metric = metric
        self.shots = shots
        self.scalingClass = scalingClass
        self.verdict = verdict
        self.evidence = evidence
        self.statistics = statistics
        self.noiseSource = noiseSource
        self.comparison = comparison
    }
}
