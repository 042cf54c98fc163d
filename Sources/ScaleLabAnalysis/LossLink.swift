import Foundation
import ScaleLabFit

/// Stage 2 of a two-step law: a task's score as a function of a loss (the "link"), chosen among
/// nested forms by AICc.
///
/// - `flat`: no trend, y = ȳ — the score does not move with the loss over the observed range
///   (a task still at chance, pure item noise). Predicted as the mean of the k points whose loss
///   is nearest the requested one, k = max(3, n/4): if a trend too weak to detect exists, the
///   nearest points are its closest estimate.
/// - `linear`: y = a + b·L, held between the floor (chance) and 1 for a score in [0, 1].
/// - `sigmoid`: ``SigmoidOfLossLaw`` with lo fixed at the floor when it is known (the OLMo ladder's
///   acc = a/(1 + e^{−k(L − L0)}) + b, Bhagia et al. 2024, eq. 2, with b = chance) and the ceiling ≤ 1.
/// - `exponential`: ``ExponentialOfLossLaw``, Gadre et al.'s Err = ε − k·e^{−γL} (2024, eq. 5).
///
/// Why choose at all: a sigmoid fitted to a task whose scores are noise around chance puts its
/// rise at the last noisy point and, extrapolated to a lower loss, predicts a jump that is not
/// there (on the over-training testbed, logi_qa and math_qa, both at chance, were predicted 17 and
/// 23 points too high). AICc = n·log(RSS/n) + 2p + 2p(p + 1)/(n − p − 1) (Hurvich & Tsai 1989)
/// keeps the sigmoid only where its extra parameters buy a real improvement in fit.
public enum LinkForm: String, Sendable, Codable, CaseIterable, CustomStringConvertible {
    case flat, linear, sigmoid, exponential

    public var description: String { rawValue }

    /// Parameters of the form (the floor, when fixed, is not one).
    func parameters(fixedFloor: Bool) -> Int {
        switch self {
        case .flat: return 1
        case .linear: return 2
        case .sigmoid: return fixedFloor ? 3 : 4
        case .exponential: return 3
        }
    }
}

/// One candidate link's fit.
public struct LinkScore: Sendable, Codable, Equatable {
    public var form: LinkForm
    public var rss: Double
    public var parameters: Int
    public var aicc: Double
}

/// A fitted link: the chosen form, its parameters and every candidate's score.
public struct LossLinkFit: Sendable, Codable {
    public var form: LinkForm
    /// θ of the form: (ȳ) flat, (a, b) linear, the sigmoid's or the exponential's internal θ.
    public var theta: [Double]
    public var floor: Double?
    /// Whether the score lies in [0, 1] (predictions are then held inside [floor, 1]).
    public var bounded: Bool
    /// The fitted (loss, score) points, kept for the flat form's nearest-loss level.
    public var loss: [Double]
    public var score: [Double]
    /// The exponential form's centre L̄.
    public var centre: Double
    public var candidates: [LinkScore]
    public var rmse: Double

    /// The score at loss L.
    public func predict(_ l: Double) -> Double {
        switch form {
        case .flat:
            let k = min(loss.count, max(3, loss.count / 4))
            let nearest = loss.indices.sorted { abs(loss[$0] - l) < abs(loss[$1] - l) }.prefix(k)
            return nearest.reduce(0) { $0 + score[$1] } / Double(max(nearest.count, 1))
        case .linear:
            return hold(theta[0] + theta[1] * l)
        case .sigmoid:
            return SigmoidOfLossLaw(floor: floor).predict(theta, x: [l])[0]
        case .exponential:
            return hold(ExponentialOfLossLaw(centre: centre).predict(theta, x: [l])[0])
        }
    }

    /// A score in [0, 1] held in [0, 1] (and on the far side of chance from below); others as they are.
    private func hold(_ y: Double) -> Double {
        guard bounded else { return y }
        let low = min(floor ?? 0, 1)
        return min(max(y, low), 1)
    }

    /// The formula of the chosen form with its numbers.
    public var formula: String {
        func f(_ v: Double) -> String { String(format: "%.4g", v) }
        switch form {
        case .flat: return "flat (no trend in the loss; the level of the nearest points, ȳ = \(f(theta[0])))"
        case .linear: return "y = \(f(theta[0])) + \(f(theta[1]))·L"
        case .sigmoid:
            let p = SigmoidOfLossLaw(floor: floor).parameters(theta)
            return "y = \(f(p["lo"]!)) + (\(f(p["hi"]!)) − \(f(p["lo"]!)))/(1 + exp(\(f(p["k"]!))·(L − \(f(p["L0"]!)))))"
        case .exponential:
            let p = ExponentialOfLossLaw(centre: centre).parameters(theta)
            return "y = \(f(p["epsilon"]!)) − \(f(p["k"]!))·exp(−\(f(p["gamma"]!))·L)"
        }
    }
}

/// Fits a stage-2 link by AICc among `forms`.
public struct LossLink: Sendable {
    public var forms: [LinkForm]
    /// The score's floor (a task's chance level), when known.
    public var floor: Double?

    public init(forms: [LinkForm] = [.flat, .linear, .sigmoid], floor: Double? = nil) {
        self.forms = forms.isEmpty ? [.sigmoid] : forms
        self.floor = floor
    }

    /// The candidates fitted on (loss, score) and the one with the least AICc; a form that
    /// cannot be fitted (too few distinct losses for its parameters) is left out. Throws when no
    /// form fits.
    public func fit(loss: [Double], score: [Double], warmStart: LossLinkFit? = nil) throws(FitInputError) -> LossLinkFit {
        guard loss.count == score.count, !loss.isEmpty else {
            throw FitInputError("stage 2 has \(loss.count) losses and \(score.count) scores: give one of each per checkpoint")
        }
        if let bad = zip(loss, score).first(where: { !$0.0.isFinite || !$0.1.isFinite || $0.0 <= 0 }) {
            throw FitInputError("stage 2 point (loss \(bad.0), score \(bad.1)) is not usable: losses must be finite and > 0, scores finite")
        }
        let n = loss.count
        let bounded = score.allSatisfy { $0 >= 0 && $0 <= 1 }
        let centre = loss.reduce(0, +) / Double(n)
        let fixedFloor = floor != nil
        var fits: [(LinkScore, [Double])] = []
        func aicc(_ rss: Double, _ p: Int) -> Double {
            let r = max(rss, 1e-300) / Double(n)
            let correction = n - p - 1 > 0 ? 2 * Double(p * (p + 1)) / Double(n - p - 1) : .infinity
            return Double(n) * log(r) + 2 * Double(p) + correction
        }
        let distinct = Set(loss).count
        for form in forms {
            let p = form.parameters(fixedFloor: fixedFloor)
            guard distinct >= p + 1 || form == .flat else { continue }
            let theta: [Double]
            switch form {
            case .flat:
                theta = [score.reduce(0, +) / Double(n)]
            case .linear:
                let line = leastSquaresLine(loss, score)
                theta = [line.intercept, line.slope]
            case .sigmoid, .exponential:
                let law: any ScalingLaw = form == .sigmoid ? SigmoidOfLossLaw(floor: floor) : ExponentialOfLossLaw(centre: centre)
                let data = FitData(x: loss, y: score)
                let fitter = Fitter(loss: .squared, residualSpace: .linear)
                if let warm = warmStart, warm.form == form, warm.theta.count == p,
                   let refined = fitter.refit(law, to: data, warmStart: warm.theta, coldStarts: law.initialGuesses(for: data)) {
                    theta = refined
                } else if let fitted = try? fitter.fit(law, to: data) {
                    theta = fitted.theta
                } else { continue }
            }
            var probe = LossLinkFit(form: form, theta: theta, floor: floor, bounded: bounded, loss: loss, score: score,
                                    centre: centre, candidates: [], rmse: 0)
            // The flat form's fit is judged about the overall mean (no trend), not the nearest level.
            let rss: Double = form == .flat
                ? score.reduce(0) { $0 + ($1 - theta[0]) * ($1 - theta[0]) }
                : zip(loss, score).reduce(0) { let e = probe.predict($1.0) - $1.1; return $0 + e * e }
            guard rss.isFinite else { continue }
            probe.rmse = (rss / Double(n)).squareRoot()
            fits.append((LinkScore(form: form, rss: rss, parameters: p, aicc: aicc(rss, p)), theta))
        }
        guard let best = fits.min(by: { $0.0.aicc < $1.0.aicc }) else {
            throw FitInputError("stage 2: no link (\(forms.map(\.rawValue).joined(separator: ", "))) could be fitted to \(n) points with \(distinct) distinct losses")
        }
        return LossLinkFit(form: best.0.form, theta: best.1, floor: floor, bounded: bounded, loss: loss, score: score,
                           centre: centre, candidates: fits.map(\.0), rmse: (best.0.rss / Double(n)).squareRoot())
    }
}
