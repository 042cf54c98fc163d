import Foundation
import ScaleLabAnalysis

extension StackingReport {
    /// "weights law 0.4, last-value 0.3, … from N inner predictions; intervals 80% at ±q·s, …".
    var weightsLine: String {
        let weights = ["law", "last-value", "linear-log-x", "aggregate-trend"].map { "\($0) \(String(format: "%.1f", self.weights[$0] ?? 0))" }
        let quantiles = self.quantiles.map { "\(Int(($0.level * 100).rounded()))% at ±\(String(format: "%.2f", $0.lower))·s" }
        return "weights \(weights.joined(separator: ", ")) from \(examples) inner predictions; intervals \(quantiles.joined(separator: ", "))"
    }
}
