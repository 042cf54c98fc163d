/// The laws by the names the CLI and reports use.
public enum LawCatalog {
    /// Laws of one input, tried by `--law auto`.
    public static let singleInput: [String] = ["power", "saturating", "logistic", "bnsl1", "bnsl2", "bnsl3"]

    public static let names: [String] = ["power", "saturating", "chinchilla", "logistic", "bnsl1", "bnsl2", "bnsl3"]

    public static func law(named name: String) -> (any ScalingLaw)? {
        switch name {
        case "power": return PowerLaw()
        case "saturating": return SaturatingPowerLaw()
        case "logistic": return LogisticLaw()
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
    /// With the metric's direction known, the law that can only move the other way is left out: a
    /// falling `power` law on an accuracy (which would claim inverse scaling, a diagnosis rather
    /// than a default forecast) or a rising `saturating` law on a loss. Logistic and BNSL laws
    /// bend either way and stay.
    public static func candidates(for data: FitData, higherIsBetter: Bool? = nil) -> [any ScalingLaw] {
        let distinct = data.distinctScales
        let excluded: String? = higherIsBetter.map { $0 ? "power" : "saturating" }
        return singleInput.filter { $0 != excluded }.compactMap(law(named:)).filter {
            $0.internalNames.count + 2 <= data.count && $0.internalNames.count + 1 <= distinct
        }
    }
}
