import ArgumentParser
import Foundation
import ScaleLabAnalysis
import ScaleLabCore
import ScaleLabFit
import ScaleLabIO

/// One model to predict: its value on the x-axis and, for two-input laws, on the second input.
struct Scale: Equatable {
    var x: Double
    var x2: Double?

    /// "12B", or "N 7.3B, D 4T" for two inputs.
    var label: String { x2.map { "\(Show.size(x)), \(Show.size($0))" } ?? Show.size(x) }

    /// Reads --at values: plain scales separated by commas (single-input laws), or one model per
    /// value as `x-name=value,x2-name=value` (two-input laws, `x2Axis` given). The names are those
    /// of the axes (`params`/`N`, `tokens`/`D`, or the columns given to --x and --x2).
    static func parse(_ values: [String], xAxis: XAxis, x2Axis: XAxis?, law: String) throws -> [Scale] {
        var scales: [Scale] = []
        for value in values {
            let parts = value.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            func number(_ text: String, _ shown: String) throws -> Double {
                guard let x = NumberParsing.double(text) else {
                    throw ValidationError("--at '\(shown)' is not a number (units allowed: 6.9e9, 12B; separate values with commas)")
                }
                guard x > 0 else { throw ValidationError("--at \(shown): scales must be positive") }
                return x
            }
            let named = parts.filter { $0.contains("=") }
            if named.isEmpty {
                let xs = try parts.map { try number($0, $0) }
                if let x2Axis {
                    throw ValidationError("--law \(law) is a law of two inputs (\(xAxis) and \(x2Axis)): name both in each --at, "
                        + "e.g. --at \(xAxis)=7.3e9,\(x2Axis)=4e12 (one model per --at)")
                }
                scales += xs.map { Scale(x: $0) }
                continue
            }
            guard named.count == parts.count else {
                throw ValidationError("--at '\(value)' mixes named and plain values; name every value (\(xAxis)=…,\(x2Axis?.description ?? "tokens")=…) or none")
            }
            guard let x2Axis else {
                throw ValidationError("--at '\(value)' names its values, which is for two-input laws (--law chinchilla); "
                    + "with --law \(law) give plain scales, e.g. --at 6.9e9,12B")
            }
            var x: Double?, x2: Double?
            for part in parts {
                let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                let name = pair.first ?? "", text = pair.count > 1 ? pair[1] : ""
                let axis = XAxis(name)
                if axis == xAxis {
                    guard x == nil else { throw ValidationError("--at '\(value)' gives \(xAxis) twice; one model per --at") }
                    x = try number(text, part)
                } else if axis == x2Axis {
                    guard x2 == nil else { throw ValidationError("--at '\(value)' gives \(x2Axis) twice; one model per --at") }
                    x2 = try number(text, part)
                } else {
                    throw ValidationError("--at '\(value)': '\(name)' is neither the x-axis (\(xAxis)) nor the second input (\(x2Axis)); "
                        + "change them with --x and --x2")
                }
            }
            guard let x, let x2 else {
                throw ValidationError("--at '\(value)' needs both \(xAxis) and \(x2Axis), e.g. --at \(xAxis)=7.3e9,\(x2Axis)=4e12")
            }
            scales.append(Scale(x: x, x2: x2))
        }
        return scales
    }
}
