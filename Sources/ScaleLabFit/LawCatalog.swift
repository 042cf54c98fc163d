import Foundation

/// The laws by the names the CLI and reports use.
public enum LawCatalog {
    /// Laws of one input, tried by `--law auto`.
    public static let singleInput: [String] = ["power", "saturating", "logistic", "m4", "m4-rising", "bnsl1", "bnsl2", "bnsl3"]

    public static let names: [String] = ["power", "saturating", "chinchilla", "logistic", "m4", "m4-rising", "bnsl1", "bnsl2", "bnsl3"]

    public static func law(named name: String) -> (any ScalingLaw)? {
        switch name {
        case "power": return PowerLaw()
        case "saturating": return SaturatingPowerLaw()
        case "logistic": return LogisticLaw()
        case "m4": return M4Law()
        case "m4-rising": return M4Law(rising: true)
        case "bnsl1": return BrokenNeuralScalingLaw(breaks: 1)
        case "bnsl2": return BrokenNeuralScalingLaw(breaks: 2)
        case "bnsl3": return BrokenNeuralScalingLaw(breaks: 3)
        case "chinchilla": return ChinchillaLaw(startGrid: .epoch)
        case "sigmoid-of-loss": return SigmoidOfLossLaw()
        default: return nil
        }
    }

    /// The single-input laws `data` can support: k + 2 ≤ n and k + 1 ≤ the number of distinct x
    /// (one residual degree of freedom). AICc needs k + 2 ≤ distinct x (see `LawScore.aicc`); a
    /// law fittable but below that is still a candidate, chosen only when no law can be ranked.
    ///
    /// With the metric's direction known, the laws that can only move the other way are left out:
    /// a falling `power` or `m4` law on an accuracy (which would claim inverse scaling, a diagnosis
    /// rather than a default forecast), a rising `saturating` or `m4-rising` law on a loss. Logistic
    /// and BNSL laws bend either way and stay. With the direction unknown, one M4 is kept, by the
    /// data: the falling `m4` when every y is above 1 (a loss, not a score) or the least-squares
    /// trend of y on log x falls, else `m4-rising`.
    public static func candidates(for data: FitData, higherIsBetter: Bool? = nil) -> [any ScalingLaw] {
        let distinct = data.distinctScales
        let rising = higherIsBetter ?? !(data.y.allSatisfy { $0 > 1 } || leastSquaresLine(data.x.map(log), data.y).slope < 0)
        var excluded: Set<String> = [rising ? "m4" : "m4-rising"]
        if let higherIsBetter { excluded.insert(higherIsBetter ? "power" : "saturating") }
        return singleInput.filter { !excluded.contains($0) }.compactMap(law(named:)).filter {
            $0.internalNames.count + 2 <= data.count && $0.internalNames.count + 1 <= distinct
        }
    }
}
