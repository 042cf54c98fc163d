import Foundation
import ScaleLabFit

/// What a forecast, fit or backtest is asked to use: the evidence-based choice (``LawPolicy``) or
/// one law, given as a value — any ``ScalingLaw``, a user's own included — so that every law goes
/// through the same fitting, forecasting and backtesting path.
public enum LawChoice: Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// Every candidate the curve supports (laws and baselines), chosen by how each forecasts the
    /// curve's own later points from its earlier ones (see ``LawPolicy``).
    case auto
    /// This law, whatever the evidence.
    case law(any ScalingLaw)

    /// `auto`, or a name from ``LawCatalog``; nil for an unknown name.
    public init?(name: String) {
        if name == "auto" {
            self = .auto
        } else if let law = LawCatalog.law(named: name) {
            self = .law(law)
        } else {
            return nil
        }
    }

    /// A literal must name `auto` or a catalogued law (a programming error otherwise).
    public init(stringLiteral value: String) {
        guard let choice = LawChoice(name: value) else { preconditionFailure("unknown law '\(value)'") }
        self = choice
    }

    /// `auto` or the law's name: the method's name in backtests and reports.
    public var name: String {
        switch self {
        case .auto: return "auto"
        case .law(let law): return law.name
        }
    }

    public var description: String { name }
}
