import Foundation
import ScaleLabFit

/// Thresholds of the scaling-class tests. The defaults are conventions, not values tuned to a data
/// set; each is explained where it is used (``ScalingClassifier``).
public struct ClassificationOptions: Sendable {
    /// α: the level of every significance test (0.05, the convention). Where several tests decide
    /// one null hypothesis they share it (Bonferroni).
    public var significance: Double
    /// How much better, in AICc, a step law must fit than the smooth law for a jump:
    /// ΔAICc > 10 leaves the worse model "essentially no support" (Burnham & Anderson 2002, §2.6).
    public var emergenceMargin: Double
    /// The share of the fitted rise that must happen between one pair of adjacent models for a
    /// jump: 0.5, more than all the other intervals together.
    public var concentration: Double
    /// The share of items whose reference answer is wrong, for proportions: a perfect model scores
    /// at most 1 − this, so an accuracy that close to 1 is at the ceiling the benchmark can
    /// measure. 0.03: Northcutt et al. (2021) found 3.3% label errors on average across ten
    /// benchmark test sets.
    public var labelErrorRate: Double
    /// The best attainable value (for a loss, the lowest). Nil: 1 for a higher-is-better
    /// proportion, none otherwise (no saturation test).
    public var ceiling: Double?
    /// Fewer distinct scales than this are too few to classify: a trend and a curvature need at
    /// least one residual degree of freedom beyond the quadratic's three parameters.
    public var minimumScales: Int
    /// The fitter of the smooth and step laws.
    public var fitter: Fitter

    public init(significance: Double = 0.05, emergenceMargin: Double = 10, concentration: Double = 0.5,
                labelErrorRate: Double = 0.03, ceiling: Double? = nil, minimumScales: Int = 4, fitter: Fitter = Fitter()) {
        self.significance = significance
        self.emergenceMargin = emergenceMargin
        self.concentration = concentration
        self.labelErrorRate = labelErrorRate
        self.ceiling = ceiling
        self.minimumScales = minimumScales
        self.fitter = fitter
    }
}

/// Assigns each task a ``ScalingClass`` by tests against the noise of its scores.
///
/// **Noise per point** σᵢ: the reported stderr when given; else, for a proportion with a known
/// item count n, the binomial sd √(p̃(1 − p̃)/n) with p̃ = (k + ½)/(n + 1), k = y·n (kept away
/// from 0 and 1, where the plain estimate would claim a perfect score has no noise); else the
/// residual sd of an unweighted quadratic in log x, √(RSS/(n − 3)), for every point lacking one.
///
/// **Trend tests** regress the oriented score s = ±y (+ for higher-is-better) on u = log₁₀ x by
/// weighted least squares (weights 1/σᵢ²). Models of one size differ by more than their binomial
/// noise (seeds, data order, deduplication), so the coefficient's standard error is inflated by
/// the Birge ratio √max(1, χ²/(n − p)) (the Particle Data Group's scale factor) and referred to
/// Student's t on n − p degrees of freedom — with χ²/(n − p) ≤ 1 a slightly conservative z test.
///
/// **The rules, in order; the first that holds decides:**
/// 0. *too-noisy* if fewer than ``ClassificationOptions/minimumScales`` (4) distinct x.
/// 1. *at-chance* (needs `chance`): under H₀ "every score is a guess", zᵢ = (yᵢ − c)/σ⁰ᵢ with
///    the binomial sd at the chance level σ⁰ᵢ = √(c(1 − c)/nᵢ) (nᵢ from `items`, else from the
///    stderr, nᵢ = y(1 − y)/se² + 1 as lm-evaluation-harness reports it). Three tests of that one
///    null, each at α/3 (Bonferroni): Σzᵢ² against χ²ₙ (a consistent offset), max|zᵢ| with Šidák's
///    correction 1 − (1 − p₁)ⁿ (one standout model), and the known-variance slope z of the
///    deviations on log x (a trend). At chance when none rejects.
/// 2. *saturated* (needs a ceiling, 1 for proportions): over the larger half of the distinct
///    scales, the one-sided upper 1 − α confidence bound of the weighted mean shortfall from the
///    ceiling (Student's t, Birge-inflated error) is within the tolerance — the label-error rate
///    for proportions, that share of |ceiling| otherwise — an equivalence test (Schuirmann 1987):
///    saturation must be shown, not merely fail to be refuted; and the slope on log x over those
///    points is not significant (α).
/// 3. *u-shaped*: the weighted quadratic s = b₀ + b₁t + b₂t² (t = u − ū) has b₂ ≠ 0 (α), its
///    extremum −b₁/(2b₂) strictly inside the observed range, and the linear slopes of the two arms
///    (split at the scale nearest the extremum, shared by both; at least three scales each) are
///    significant (α) with opposite signs matching b₂: worse-then-better for b₂ > 0, the reverse
///    for b₂ < 0. All three must reject, an intersection–union test, whose level is α without a
///    correction (Berger 1982).
/// 4. *inverse*: the weighted linear slope of s on log x is negative and significant (α).
/// 5. *emergent*, all of: (a) the AICc-best step law — logistic in log x (floor fixed at chance
///    when known) or BNSL with one break — beats the smooth law (saturating C − A·x^−α for
///    scores, power E + A·x^−α for losses) by ΔAICc ≥ 10; (b) on the step law's fitted curve at
///    the observed scales, one interval between adjacent scales carries ≥ 50% of the total rise
///    (the sum of the rising intervals); (c) at least two scales before that interval, where the
///    scores are near chance (neither their weighted mean offset from chance nor their slope on
///    log x significant, each on Student's t with the Birge-inflated error, each at α/2: a floor
///    may scatter more than binomially, so this is not the at-chance class's χ² test) or, without
///    a chance level, flat (the slope alone, at α/2); (d) the weighted mean after
///    the jump exceeds the mean before it (one-sided z, α). Laws are compared on linear residuals
///    for scores (binomial noise is additive) and log residuals for positive losses, weighted by 1/σ.
/// 6. *smooth*: the weighted linear slope of s on log x is positive and significant (α).
/// 7. *too-noisy*: otherwise — no significant trend, and not at chance (or no chance level).
///
/// Deterministic: no random draws; the same curve gives the same classification.
public enum ScalingClassifier {
    public static func classify(_ curve: TaskCurve, options: ClassificationOptions = .init()) -> TaskClassification {
        var analysis = Analysis(curve: curve, options: options)
        return analysis.run()
    }

    /// Every curve, concurrently; the results are in input order.
    public static func classify(_ curves: [TaskCurve], options: ClassificationOptions = .init()) async -> [TaskClassification] {
        await concurrentMap(curves.count) { classify(curves[$0], options: options) }
    }
}

/// The tail probabilities the tests use, shared with the module's other diagnostics.
// MARK: - The analysis of one curve

private struct Analysis {
    let curve: TaskCurve
    let options: ClassificationOptions
    var evidence: [String] = []
    var statistics: [String: Double] = [:]
    var comparison: LawComparison?
    var noiseSource = NoiseSource.stderr

    // The valid points.
    var x: [Double] = []
    var y: [Double] = []
    var stderr: [Double?] = []
    /// log₁₀ x, centred on its mean (the regressions' t).
    var t: [Double] = []
    var center = 0.0
    /// The oriented score: y for higher-is-better, −y otherwise.
    var s: [Double] = []
    var sigma: [Double] = []
    /// Distinct x, ascending.
    var scales: [Double] = []
    var direction = 1.0
    var isProportion = false

    var alpha: Double { options.significance }

    init(curve: TaskCurve, options: ClassificationOptions) {
        self.curve = curve
        self.options = options
    }

    mutating func run() -> TaskClassification {
        let valid = curve.x.indices.filter { i in
            i < curve.y.count && curve.x[i].isFinite && curve.x[i] > 0 && curve.y[i].isFinite
        }
        if valid.count < curve.x.count {
            evidence.append("\(curve.x.count - valid.count) point(s) left out: x must be finite and > 0, y finite")
        }
        x = valid.map { curve.x[$0] }
        y = valid.map { curve.y[$0] }
        stderr = valid.map { $0 < curve.stderr.count ? curve.stderr[$0] : nil }
        direction = curve.higherIsBetter ? 1 : -1
        s = y.map { direction * $0 }
        scales = Array(Set(x)).sorted()
        isProportion = !y.isEmpty && y.allSatisfy { (0...1).contains($0) }
        let u = x.map(log10)
        center = u.isEmpty ? 0 : u.reduce(0, +) / Double(u.count)
        t = u.map { $0 - center }
        statistics["points"] = Double(x.count)
        statistics["scales"] = Double(scales.count)

        guard scales.count >= options.minimumScales else {
            evidence.append("\(scales.count) distinct scale(s) over \(x.count) point(s): at least \(options.minimumScales) are needed to test a trend and a curvature against noise")
            return finish(.tooNoisy, "too-noisy: \(scales.count) distinct scale(s), fewer than the \(options.minimumScales) a trend test needs")
        }
        estimateNoise()

        let trend = Regression.fit(t, s, sigma, degree: 1)?.test(1)
        if let trend {
            statistics["trend.slopePerDecade"] = trend.estimate
            statistics["trend.t"] = trend.statistic
            statistics["trend.p"] = trend.p
            statistics["trend.dispersion"] = trend.dispersion
            evidence.append(String(format: "weighted slope in log x: %+.3g per decade of scale (t = %.2f, %@, %d points, dispersion %.2f)",
                                   trend.estimate, trend.statistic, Format.p(trend.p) as NSString, x.count, trend.dispersion))
        }
        let trendSignificant = (trend?.p ?? 1) < alpha

        if let verdict = atChance() { return finish(.atChance, verdict) }
        if let verdict = saturated() { return finish(.saturated, verdict) }
        if let verdict = nonMonotone() { return finish(.nonMonotone, verdict) }
        if let trend, trendSignificant, trend.estimate < 0 {
            return finish(.inverse, String(format: "inverse: worsens by %.3g per decade of scale (%@)",
                                           abs(trend.estimate), Format.p(trend.p) as NSString))
        }
        let jump = emergence()
        if let verdict = jump.verdict { return finish(.emergent, verdict) }
        if let trend, trendSignificant, trend.estimate > 0 {
            return finish(.smooth, String(format: "smooth: improves %.3g per decade of scale (%@); %@",
                                          trend.estimate, Format.p(trend.p) as NSString, jump.notJump))
        }
        let chanceNote = curve.chance == nil ? "no chance level is known" : "the scores are not consistent with chance"
        return finish(.tooNoisy, "too-noisy: no significant trend (\(Format.p(trend?.p ?? 1))) and \(chanceNote)")
    }

    func finish(_ scalingClass: ScalingClass, _ verdict: String) -> TaskClassification {
        // JSON has no infinities or NaN.
        TaskClassification(task: curve.task, metric: curve.metric, shots: curve.shots, scalingClass: scalingClass,
                           verdict: verdict, evidence: evidence, statistics: statistics.filter { $0.value.isFinite },
                           noiseSource: noiseSource,
                           comparison: comparison)
    }

    // MARK: Noise

    mutating func estimateNoise() {
        var sources: Set<NoiseSource> = []
        let known: [Double?] = y.indices.map { i in
            if let se = stderr[i], se.isFinite, se > 0 {
                sources.insert(.stderr)
                return se
            }
            if let n = curve.items, n > 0, isProportion {
                sources.insert(.binomial)
                let items = Double(n)
                let p = (y[i] * items + 0.5) / (items + 1)
                return (p * (1 - p) / items).squareRoot()
            }
            return nil
        }
        var residualSD: Double?
        if known.contains(where: { $0 == nil }) {
            sources.insert(.residuals)
            let ones = Array(repeating: 1.0, count: y.count)
            let quadratic = Regression.fit(t, y, ones, degree: 2)
            let df = Double(y.count - 3)
            let span = (y.max() ?? 0) - (y.min() ?? 0)
            let sd = df > 0 ? ((quadratic?.chiSquare ?? 0) / df).squareRoot() : span
            residualSD = max(sd, 1e-9 * max(span, abs(y.max() ?? 1), 1e-300))
        }
        sigma = known.map { $0 ?? residualSD! }
        noiseSource = sources.contains(.residuals) ? .residuals : sources.contains(.binomial) ? .binomial : .stderr
        let typical = sigma.sorted()[sigma.count / 2]
        statistics["noise.medianSD"] = typical
        switch noiseSource {
        case .stderr: evidence.append(String(format: "noise: the reported standard errors (median %.3g)", typical))
        case .binomial:
            evidence.append(String(format: "noise: binomial sd √(p̃(1−p̃)/n) with n = %d items (median %.3g)", curve.items ?? 0, typical))
        case .residuals:
            evidence.append(String(format: "noise: %d of %d points have neither stderr nor item count; their sd %.3g is the residual scatter about a quadratic in log x",
                                   known.filter { $0 == nil }.count, y.count, residualSD ?? 0))
        }
    }

    /// The sd of each score if the model were guessing at `chance`: binomial at the chance level.
    func nullSigma(_ i: Int, chance: Double) -> Double {
        // A chance level of 0 or 1 would claim noiseless guesses: keep it ½ an item from the
        // edge, as the binomial noise of a score does (p̃ = (k + ½)/(n + 1)).
        func guess(_ n: Double) -> Double {
            let edge = 0.5 / (n + 1), c = min(max(chance, edge), 1 - edge)
            return c * (1 - c)
        }
        if let n = curve.items, n > 0 { return (guess(Double(n)) / Double(n)).squareRoot() }
        if let se = stderr[i], se.isFinite, se > 0, y[i] > 0, y[i] < 1 {
            let n = y[i] * (1 - y[i]) / (se * se) + 1
            return (guess(n) / n).squareRoot()
        }
        return sigma[i]
    }

    /// Tests H₀ "these points are guesses at `chance`": χ² of zᵢ, Šidák-corrected max|zᵢ| and the
    /// known-variance slope z of the deviations. Returns the three p-values.
    func chanceTests(_ indices: [Int], chance: Double) -> (chiSquare: Double, chiSquareP: Double, maxZ: Double, maxP: Double, slope: Double, slopeP: Double) {
        let z = indices.map { (y[$0] - chance) / nullSigma($0, chance: chance) }
        let chiSquare = z.reduce(0) { $0 + $1 * $1 }
        let chiSquareP = Probability.chiSquareUpper(chiSquare, df: Double(z.count))
        let maxZ = z.map(abs).max() ?? 0
        let single = Probability.normalTwoSided(maxZ)
        let maxP = -expm1(Double(z.count) * log1p(-min(single, 1 - 1e-16)))
        let deviations = indices.map { y[$0] - chance }
        let slope = Regression.fit(indices.map { t[$0] }, deviations, indices.map { nullSigma($0, chance: chance) }, degree: 1)?
            .test(1, knownVariance: true)
        return (chiSquare, chiSquareP, maxZ, maxP, slope?.estimate ?? 0, slope?.p ?? 1)
    }

    // MARK: Rule 1: at chance

    mutating func atChance() -> String? {
        guard let chance = curve.chance else {
            evidence.append("at-chance not tested: the task has no chance level")
            return nil
        }
        let tests = chanceTests(Array(y.indices), chance: chance)
        statistics["chance.level"] = chance
        statistics["chance.chiSquare"] = tests.chiSquare
        statistics["chance.chiSquareP"] = tests.chiSquareP
        statistics["chance.maxAbsZ"] = tests.maxZ
        statistics["chance.maxAbsZP"] = tests.maxP
        statistics["chance.trendP"] = tests.slopeP
        let level = alpha / 3
        evidence.append(String(
            format: "against chance %.3g: max deviation %.1f binomial sd over %d models (Šidák %@); χ² %.1f on %d df (%@); trend %+.3g per decade (%@); each test at α/3 = %.3f",
            chance, tests.maxZ, y.count, Format.p(tests.maxP) as NSString, tests.chiSquare, y.count, Format.p(tests.chiSquareP) as NSString,
            tests.slope, Format.p(tests.slopeP) as NSString, level))
        guard min(tests.chiSquareP, tests.maxP, tests.slopeP) >= level else { return nil }
        return String(format: "at-chance: no score differs from chance %.3g beyond guessing noise (largest %.1f sd), and no trend", chance, tests.maxZ)
    }

    // MARK: Rule 2: saturated

    mutating func saturated() -> String? {
        guard let ceiling = options.ceiling ?? (curve.higherIsBetter && isProportion ? 1 : nil) else { return nil }
        let upperStart = scales[scales.count / 2]
        let upper = y.indices.filter { x[$0] >= upperStart }
        let headroom = upper.map { direction * (ceiling - y[$0]) }
        let upperSigma = upper.map { sigma[$0] }
        guard let level = Regression.fit(upper.map { t[$0] }, headroom, upperSigma, degree: 0)?.test(0) else { return nil }
        // One-sided: is the shortfall significantly above zero? (Reported; it does not decide.)
        let shortfallP = level.statistic > 0 ? level.p / 2 : 1 - level.p / 2
        // Saturation is a claim of closeness, so it needs positive evidence: an equivalence test
        // (Schuirmann 1987) — the one-sided upper 1 − α confidence bound of the shortfall is within
        // the tolerance. Failing to show a shortfall would call any curve too noisy to read
        // "saturated". Tolerance: the label-error rate for proportions, else that share of |ceiling|.
        let tolerance = isProportion && ceiling == 1 ? options.labelErrorRate : options.labelErrorRate * abs(ceiling)
        let degrees = Double(max(upper.count - 1, 1))
        let quantile = upper.count > 1 ? Probability.studentUpperQuantile(alpha, df: degrees) : 1.6448536269514722
        let upperBound = level.estimate + quantile * level.standardError
        statistics["saturation.headroomUpperBound"] = upperBound
        let near = upperBound <= tolerance
        let upperTrend = Regression.fit(upper.map { t[$0] }, upper.map { s[$0] }, upperSigma, degree: 1)?.test(1)
        let flat = (upperTrend?.p ?? 1) >= alpha
        statistics["saturation.ceiling"] = ceiling
        statistics["saturation.headroom"] = level.estimate
        statistics["saturation.headroomP"] = shortfallP
        statistics["saturation.upperTrendP"] = upperTrend?.p ?? 1
        let scaleCount = scales.count - scales.count / 2
        evidence.append(String(
            format: "the larger %d scales (from %@) fall %.3g short of the ceiling %.3g (%.0f%% upper bound %.3g against the tolerance %.3g; %@ that the shortfall is > 0); their slope %+.3g per decade (%@)",
            scaleCount, Format.scale(upperStart) as NSString, level.estimate, ceiling, 100 * (1 - alpha), upperBound, tolerance,
            Format.p(shortfallP) as NSString, upperTrend?.estimate ?? 0,
            Format.p(upperTrend?.p ?? 1) as NSString))
        guard near && flat else { return nil }
        return String(format: "saturated: from %@ up the scores are within %.3g of the ceiling %.3g, with no trend",
                      Format.scale(upperStart), max(level.estimate, 0), ceiling)
    }

    // MARK: Rule 3: U-shaped

    mutating func nonMonotone() -> String? {
        guard let quadratic = Regression.fit(t, s, sigma, degree: 2) else { return nil }
        let curvature = quadratic.test(2)
        let b1 = quadratic.coefficients[1], b2 = quadratic.coefficients[2]
        statistics["quadratic.curvature"] = b2
        statistics["quadratic.p"] = curvature.p
        guard b2 != 0 else { return nil }
        let extremum = center - b1 / (2 * b2)
        let low = log10(scales.first!), high = log10(scales.last!)
        statistics["quadratic.extremumLog10"] = extremum
        var sentence = String(format: "quadratic in log x: curvature %+.3g per decade² (%@), extremum at %@",
                              b2, Format.p(curvature.p) as NSString, Format.scale(pow(10, extremum)) as NSString)
        guard extremum > low && extremum < high else {
            evidence.append(sentence + " (outside the data: no turn)")
            return nil
        }
        let turn = scales.indices.min { abs(log10(scales[$0]) - extremum) < abs(log10(scales[$1]) - extremum) }!
        guard turn >= 2 && scales.count - 1 - turn >= 2 else {
            evidence.append(sentence + " (too near the edge: each arm needs three scales)")
            return nil
        }
        func arm(_ indices: [Int]) -> Regression.Test? {
            Regression.fit(indices.map { t[$0] }, indices.map { s[$0] }, indices.map { sigma[$0] }, degree: 1)?.test(1)
        }
        guard let left = arm(y.indices.filter { x[$0] <= scales[turn] }),
              let right = arm(y.indices.filter { x[$0] >= scales[turn] }) else { return nil }
        statistics["arms.leftSlope"] = left.estimate
        statistics["arms.leftP"] = left.p
        statistics["arms.rightSlope"] = right.estimate
        statistics["arms.rightP"] = right.p
        sentence += String(format: "; slope %+.3g per decade up to %@ (%@) and %+.3g after (%@); each at α = %.2g (intersection–union test)",
                           left.estimate, Format.scale(scales[turn]) as NSString, Format.p(left.p) as NSString,
                           right.estimate, Format.p(right.p) as NSString, alpha)
        evidence.append(sentence)
        guard curvature.p < alpha, left.p < alpha, right.p < alpha else { return nil }
        if b2 > 0 && left.estimate < 0 && right.estimate > 0 {
            return "u-shaped: worse, then better with scale (turns near \(Format.scale(scales[turn])))"
        }
        if b2 < 0 && left.estimate > 0 && right.estimate < 0 {
            return "u-shaped (inverted): better, then worse with scale (turns near \(Format.scale(scales[turn])))"
        }
        return nil
    }

    // MARK: Rule 5: emergent

    /// The emergence tests: the verdict when they all hold, else why the curve is not a jump (for
    /// the smooth verdict).
    mutating func emergence() -> (verdict: String?, notJump: String) {
        let floor = curve.higherIsBetter ? curve.chance : nil
        let smoothLaw: any ScalingLaw = curve.higherIsBetter ? SaturatingPowerLaw() : PowerLaw()
        let stepLaws: [any ScalingLaw] = [LogisticLaw(floor: floor), BrokenNeuralScalingLaw(breaks: 1)]
        // AICc needs k + 2 distinct scales (see LawScore.aicc).
        let laws = ([smoothLaw] + stepLaws).filter { $0.internalNames.count + 2 <= scales.count }
        guard laws.contains(where: { $0.name == smoothLaw.name }),
              laws.contains(where: { $0.name != smoothLaw.name }) else {
            evidence.append("emergence not tested: \(scales.count) scales are too few to rank a step law against \(smoothLaw.name) by AICc")
            return (nil, "too few scales to test for a jump")
        }
        var fitter = options.fitter
        let space: ResidualSpace = fitter.residualSpace ?? (curve.higherIsBetter || !y.allSatisfy { $0 > 0 } ? .linear : .log)
        fitter.residualSpace = space
        // Weights 1/σ (linear) or y/σ (log, the delta method), scaled to mean 1.
        let raw = y.indices.map { space == .log ? y[$0] / sigma[$0] : 1 / sigma[$0] }
        let mean = raw.reduce(0, +) / Double(raw.count)
        let data = FitData(x: x, y: y, weights: raw.map { $0 / mean })
        let compared = fitter.compare(laws, data: data)
        comparison = compared
        func score(_ name: String) -> LawScore? { compared.scores.first { $0.law == name && $0.aicc != nil && $0.fit != nil } }
        let stepScores = stepLaws.compactMap { score($0.name) }
        guard let step = stepScores.min(by: { $0.aicc! < $1.aicc! }),
              let stepLaw = stepLaws.first(where: { $0.name == step.law }), let theta = step.fit?.theta else {
            evidence.append("emergence not tested: the laws could not be fitted and ranked (\(compared.verdict))")
            return (nil, "no step law could be fitted")
        }
        // A smooth law that cannot be fitted at all (an exact 0/1 step leaves it nothing to bend)
        // is the strongest evidence against it: ΔAICc is unbounded.
        let smoothScore = score(smoothLaw.name)
        if smoothScore == nil {
            let reason = compared.scores.first { $0.law == smoothLaw.name }?.failure ?? "no finite AICc"
            evidence.append("the smooth law \(smoothLaw.name) could not be fitted (\(reason))")
        }
        let delta = (smoothScore?.aicc ?? .infinity) - step.aicc!
        let stepName = step.law == "logistic" && floor != nil ? String(format: "logistic (floor at chance %.3g)", floor!) : step.law
        statistics["emergence.deltaAICc"] = delta

        // Where the fitted step law rises, interval by interval between adjacent scales.
        let fitted = stepLaw.predict(theta, x: scales).map { direction * $0 }
        let steps = zip(fitted.dropFirst(), fitted).map { $0 - $1 }
        let rise = steps.filter { $0 > 0 }.reduce(0, +)
        guard rise > 0, let jump = steps.indices.max(by: { steps[$0] < steps[$1] }) else {
            evidence.append(String(format: "%@ vs %@: ΔAICc %.1f, but the step law does not rise over the data", stepName, smoothLaw.name, delta))
            return (nil, "the best step law does not rise over the data")
        }
        let share = steps[jump] / rise
        statistics["emergence.share"] = share
        statistics["emergence.jumpFrom"] = scales[jump]
        statistics["emergence.jumpTo"] = scales[jump + 1]
        evidence.append(String(
            format: "%@ %@ %@ by ΔAICc %.1f (margin %.3g); %.0f%% of its rise happens between %@ and %@ (needs ≥ %.0f%%)",
            stepName, delta >= 0 ? "beats" : "trails", smoothLaw.name, abs(delta), options.emergenceMargin, 100 * share,
            Format.scale(scales[jump]) as NSString, Format.scale(scales[jump + 1]) as NSString, 100 * options.concentration))
        guard delta >= options.emergenceMargin else {
            return (nil, String(format: "no step law fits decisively better (%@ over %@: ΔAICc %.1f, needs ≥ %.3g)",
                                stepName, smoothLaw.name, delta, options.emergenceMargin))
        }
        guard share >= options.concentration else {
            return (nil, String(format: "the rise is spread out (at most %.0f%% between adjacent models)", 100 * share))
        }

        // Before the jump: at chance (or flat), over at least two scales.
        guard jump >= 1 else {
            evidence.append("the jump is at the first interval: no scores before it show a floor")
            return (nil, "the steepest step is at the smallest models, with no floor before it")
        }
        let before = y.indices.filter { x[$0] <= scales[jump] }
        let after = y.indices.filter { x[$0] > scales[jump] }
        let floorP: (level: Double, trend: Double)
        let floorName: String
        if let chance = floor {
            // Near chance, not "pure guessing": the scores before a jump may scatter more than
            // binomially (prompt sensitivity, seeds), which the at-chance class tests for but a
            // floor need not satisfy. So: the weighted mean offset from chance and the slope, each
            // with its standard error inflated by the Birge ratio, on Student's t.
            let times = before.map { t[$0] }, offsets = before.map { y[$0] - chance }, sigmas = before.map { sigma[$0] }
            let level = Regression.fit(times, offsets, sigmas, degree: 0)?.test(0)
            let slope = Regression.fit(times, offsets, sigmas, degree: 1)?.test(1)
            floorP = (level?.p ?? 1, slope?.p ?? 1)
            floorName = String(format: "near chance %.3g", chance)
        } else {
            let slope = Regression.fit(before.map { t[$0] }, before.map { y[$0] }, before.map { sigma[$0] }, degree: 1)?.test(1)
            floorP = (1, slope?.p ?? 1)
            floorName = "flat"
        }
        statistics["emergence.floorLevelP"] = floorP.level
        statistics["emergence.floorTrendP"] = floorP.trend
        let floorHolds = min(floorP.level, floorP.trend) >= alpha / 2
        evidence.append(String(format: "before the jump (%d models up to %@), H₀ %@: level %@, trend %@ (each at α/2 = %.3f)",
                               before.count, Format.scale(scales[jump]) as NSString, floorName as NSString,
                               Format.p(floorP.level) as NSString, Format.p(floorP.trend) as NSString, alpha / 2))
        func weightedMean(_ indices: [Int]) -> (mean: Double, variance: Double) {
            let weights = indices.map { 1 / (sigma[$0] * sigma[$0]) }
            let total = weights.reduce(0, +)
            return (zip(indices, weights).reduce(0) { $0 + s[$1.0] * $1.1 } / total, 1 / total)
        }
        let low = weightedMean(before), high = weightedMean(after)
        let z = (high.mean - low.mean) / (low.variance + high.variance).squareRoot()
        let riseP = Probability.normalUpper(z)
        statistics["emergence.jumpSize"] = high.mean - low.mean
        statistics["emergence.jumpP"] = riseP
        evidence.append(String(format: "the mean score moves %+.3g from before the jump to after it (z = %.1f, %@)",
                               direction * (high.mean - low.mean), z, Format.p(riseP) as NSString))
        guard floorHolds else { return (nil, "the scores before the steepest step are not \(floorName)") }
        guard riseP < alpha else { return (nil, "the step is within the noise") }
        return (String(format: "emergent: %@ up to %@, then %.0f%% of the rise between %@ and %@",
                       floorName, Format.scale(scales[jump]), 100 * share, Format.scale(scales[jump]), Format.scale(scales[jump + 1])),
                "")
    }
}

// MARK: - Weighted polynomial regression

/// Weighted least squares of y on 1, t, …, t^degree with weights 1/σᵢ².
private struct Regression {
    var coefficients: [Double]
    /// (XᵀWX)⁻¹: the coefficients' covariance when the σᵢ are right.
    var covariance: [Double]
    /// Σ ((yᵢ − ŷᵢ)/σᵢ)².
    var chiSquare: Double
    var points: Int

    struct Test {
        var estimate: Double
        var standardError: Double
        var statistic: Double
        /// Two-sided.
        var p: Double
        var dispersion: Double
    }

    var parameters: Int { coefficients.count }
    var degreesOfFreedom: Int { points - parameters }
    /// The Birge ratio squared, at least 1: extra scatter beyond the stated noise.
    var dispersion: Double { degreesOfFreedom > 0 ? max(1, chiSquare / Double(degreesOfFreedom)) : 1 }

    /// The test of coefficient `j` = 0: with the stated variances (a z test) when
    /// `knownVariance`, else inflated by the dispersion and referred to t on n − p df.
    func test(_ j: Int, knownVariance: Bool = false) -> Test {
        let p = parameters
        let variance = covariance[j * p + j] * (knownVariance ? 1 : dispersion)
        let se = variance.squareRoot()
        let statistic = se > 0 ? coefficients[j] / se : 0
        let pValue = knownVariance || degreesOfFreedom < 1
            ? Probability.normalTwoSided(statistic)
            : Probability.studentTwoSided(statistic, df: Double(degreesOfFreedom))
        return Test(estimate: coefficients[j], standardError: se, statistic: statistic, p: pValue,
                    dispersion: knownVariance ? 1 : dispersion)
    }

    /// Nil when the design is singular (fewer distinct t than coefficients).
    static func fit(_ t: [Double], _ y: [Double], _ sigma: [Double], degree: Int) -> Regression? {
        let p = degree + 1, n = y.count
        guard n >= p, Set(t).count >= p else { return nil }
        var normal = [Double](repeating: 0, count: p * p), right = [Double](repeating: 0, count: p)
        var row = [Double](repeating: 0, count: p)
        for i in 0..<n {
            let w = 1 / (sigma[i] * sigma[i])
            row[0] = 1
            if p > 1 { for j in 1..<p { row[j] = row[j - 1] * t[i] } }
            for a in 0..<p {
                right[a] += w * row[a] * y[i]
                for b in 0..<p { normal[a * p + b] += w * row[a] * row[b] }
            }
        }
        guard let inverse = invert(normal, p) else { return nil }
        let coefficients = (0..<p).map { a in (0..<p).reduce(0) { $0 + inverse[a * p + $1] * right[$1] } }
        var chiSquare = 0.0
        for i in 0..<n {
            var fitted = 0.0, power = 1.0
            for j in 0..<p {
                fitted += coefficients[j] * power
                power *= t[i]
            }
            let r = (y[i] - fitted) / sigma[i]
            chiSquare += r * r
        }
        return Regression(coefficients: coefficients, covariance: inverse, chiSquare: chiSquare, points: n)
    }

    /// Gauss–Jordan inverse with partial pivoting of a small p × p matrix.
    private static func invert(_ matrix: [Double], _ p: Int) -> [Double]? {
        var a = matrix, inverse = [Double](repeating: 0, count: p * p)
        for i in 0..<p { inverse[i * p + i] = 1 }
        let scale = (0..<p).map { abs(matrix[$0 * p + $0]) }.max() ?? 0
        for column in 0..<p {
            let pivot = (column..<p).max { abs(a[$0 * p + column]) < abs(a[$1 * p + column]) }!
            guard abs(a[pivot * p + column]) > 1e-13 * scale else { return nil }
            if pivot != column {
                for k in 0..<p {
                    a.swapAt(pivot * p + k, column * p + k)
                    inverse.swapAt(pivot * p + k, column * p + k)
                }
            }
            let divisor = a[column * p + column]
            for k in 0..<p {
                a[column * p + k] /= divisor
                inverse[column * p + k] /= divisor
            }
            for r in 0..<p where r != column {
                let factor = a[r * p + column]
                guard factor != 0 else { continue }
                for k in 0..<p {
                    a[r * p + k] -= factor * a[column * p + k]
                    inverse[r * p + k] -= factor * inverse[column * p + k]
                }
            }
        }
        return inverse
    }
}

// MARK: - Formatting

private enum Format {
    static func p(_ value: Double) -> String {
        value < 0.001 ? "p < 0.001" : String(format: "p = %.3f", value)
    }

    /// 1.4e9 → "1.4B"; values outside 10³…10¹⁵ (FLOPs, tokens in the trillions of trillions) in
    /// scientific notation.
    static func scale(_ x: Double) -> String {
        let units: [(Double, String)] = [(1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")]
        if x < 1e15, let unit = units.first(where: { x >= $0.0 }) { return String(format: "%.3g", x / unit.0) + unit.1 }
        return String(format: "%.3g", x)
    }
}
