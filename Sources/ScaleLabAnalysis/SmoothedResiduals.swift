import Foundation
import ScaleLabFit

/// Residuals drawn through a Gaussian kernel, for prediction intervals from a dozen errors.
///
/// A dozen residuals have a dozen values: drawn as they are, a new observation can never fall
/// beyond the largest, and 95% intervals come out short. Each draw is smoothed by a Gaussian kernel
/// of Silverman's bandwidth h = 1.06·s·m^(−1/5), m the number of residuals (the smoothed
/// bootstrap; Silverman 1986, §3.4.2 and §6.4; Davison & Hinkley 1997, §3.4). The shrunk version
/// keeps the residuals' mean and variance (ē + (e − ē + h·z)/√(1 + h²/s²)), changing only the
/// shape of their tails.
struct SmoothedResiduals: Sendable {
    let residuals: [Double]
    let bandwidth: Double, centre: Double, shrink: Double

    init(_ residuals: [Double]) {
        self.residuals = residuals.filter(\.isFinite)
        guard self.residuals.count >= 2 else {
            (bandwidth, centre, shrink) = (0, 0, 1)
            return
        }
        let values = self.residuals
        let mean = values.reduce(0, +) / Double(values.count)
        let sd = (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)).squareRoot()
        let h = 1.06 * sd * pow(Double(values.count), -0.2)
        (bandwidth, centre, shrink) = (h, mean, sd > 0 ? 1 / (1 + h * h / (sd * sd)).squareRoot() : 1)
    }

    /// One smoothed draw (0 when there are no residuals).
    func draw(_ generator: inout SplitMix64) -> Double {
        guard !residuals.isEmpty else { return 0 }
        let picked = residuals[Int(generator.next() % UInt64(residuals.count))]
        let u1 = max(Double(generator.next() >> 11) / Double(1 << 53), 1e-300), u2 = Double(generator.next() >> 11) / Double(1 << 53)
        return centre + (picked - centre + bandwidth * (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)) * shrink
    }
}
