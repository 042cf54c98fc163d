import Foundation
import ScaleLabFit

/// The range a metric's values live in, and the scale on which forecasts add their errors so that
/// every estimate and every interval stays inside that range by construction.
///
/// - `unit`: scores in [0, 1] (accuracies, pass rates). Errors are added on the logit scale,
///   z = log(p/(1 − p)) with p clamped to [ε, 1 − ε], ε = 10⁻⁴, and mapped back by the logistic
///   function, so y* = σ(logit ŷ + e) ∈ (0, 1) whatever e is. Binomial noise is roughly additive
///   in the middle of the range and shrinks towards 0 and 1, as it does on the logit scale (the
///   link of a binomial GLM; McCullagh & Nelder 1989, §4.3).
/// - `positive`: losses, perplexities, bits per byte (all > 0): errors on the log scale,
///   y* = ŷ·exp(e) > 0.
/// - `unbounded`: anything else: errors added as they are.
public enum MetricScale: String, Sendable, Codable, Equatable {
    case unit
    case positive
    case unbounded

    static let epsilon = 1e-4

    /// `unit` for a rising metric whose values all lie in [0, 1]; `positive` when every value is
    /// > 0 and the metric does not rise (or its direction is unknown and values exceed 1);
    /// `unbounded` otherwise.
    public static func of(_ y: [Double], higherIsBetter: Bool?) -> MetricScale {
        if higherIsBetter != false, !y.isEmpty, y.allSatisfy({ $0 >= 0 && $0 <= 1 }) { return .unit }
        if y.allSatisfy({ $0 > 0 }), higherIsBetter != true { return .positive }
        return .unbounded
    }

    /// The value on the scale errors are added on.
    public func forward(_ y: Double) -> Double {
        switch self {
        case .unit:
            let p = min(max(y, Self.epsilon), 1 - Self.epsilon)
            return log(p / (1 - p))
        case .positive: return log(max(y, .leastNormalMagnitude))
        case .unbounded: return y
        }
    }

    /// The value back in the metric's units.
    public func inverse(_ z: Double) -> Double {
        switch self {
        case .unit: return 1 / (1 + exp(-z))
        case .positive: return exp(z)
        case .unbounded: return z
        }
    }

    /// A law's value mapped into the metric's range: a score inside [0, 1], a loss above 0. A law
    /// whose formula can leave the range (a saturating law far below its data falls under 0) is
    /// held at the edge rather than reported outside it; the far-extrapolation warning says why.
    public func clamp(_ y: Double) -> Double {
        switch self {
        case .unit: return y.isNaN ? y : min(max(y, 0), 1)
        case .positive: return y.isNaN ? y : max(y, .leastNormalMagnitude)
        case .unbounded: return y
        }
    }

    /// y₀ + e moved on this scale: σ(logit y₀ + e), y₀·exp(e) or y₀ + e.
    public func shift(_ y: Double, by e: Double) -> Double { inverse(forward(y) + e) }

    /// The error of `predicted` as a forecast of `observed` on this scale.
    public func error(observed: Double, predicted: Double) -> Double? {
        guard observed.isFinite, predicted.isFinite else { return nil }
        if self == .positive && (observed <= 0 || predicted <= 0) { return nil }
        return forward(observed) - forward(predicted)
    }
}
