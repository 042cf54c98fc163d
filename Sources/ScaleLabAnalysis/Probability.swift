import Foundation

/// Tail probabilities of the normal, Student t and χ² distributions, from the regularized
/// incomplete beta and gamma functions (continued fractions evaluated by the modified Lentz
/// method; Press et al., Numerical Recipes, §6.2 and §6.4).
enum Probability {
    static func normalTwoSided(_ z: Double) -> Double { erfc(abs(z) / 2.0.squareRoot()) }

    /// P(Z ≥ z).
    static func normalUpper(_ z: Double) -> Double { 0.5 * erfc(z / 2.0.squareRoot()) }

    /// P(|T| ≥ |t|) on `df` degrees of freedom: I_{df/(df + t²)}(df/2, ½).
    static func studentTwoSided(_ t: Double, df: Double) -> Double {
        guard t.isFinite else { return 0 }
        return regularizedBeta(df / (df + t * t), df / 2, 0.5)
    }

    /// The t with P(T ≥ t) = `p` on `df` degrees of freedom (0 < p < ½), by bisection on the tail.
    static func studentUpperQuantile(_ p: Double, df: Double) -> Double {
        var low = 0.0, high = 1.0
        while studentTwoSided(high, df: df) / 2 > p && high < 1e6 { high *= 2 }
        for _ in 0..<80 {
            let middle = (low + high) / 2
            if studentTwoSided(middle, df: df) / 2 > p { low = middle } else { high = middle }
        }
        return (low + high) / 2
    }

    /// P(χ²_df ≥ x) = Q(df/2, x/2).
    static func chiSquareUpper(_ x: Double, df: Double) -> Double {
        guard df > 0 else { return 1 }
        guard x > 0 else { return 1 }
        return upperGamma(df / 2, x / 2)
    }

    private static let tiny = 1e-300, epsilon = 1e-15

    static func regularizedBeta(_ x: Double, _ a: Double, _ b: Double) -> Double {
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        let front = exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x))
        if x < (a + 1) / (a + b + 2) { return front * betaFraction(x, a, b) / a }
        return 1 - front * betaFraction(1 - x, b, a) / b
    }

    private static func betaFraction(_ x: Double, _ a: Double, _ b: Double) -> Double {
        var c = 1.0, d = 1 - (a + b) * x / (a + 1)
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var h = d
        for m in 1...500 {
            let m = Double(m)
            var term = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
            d = 1 + term * d
            if abs(d) < tiny { d = tiny }
            c = 1 + term / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            h *= d * c
            term = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
            d = 1 + term * d
            if abs(d) < tiny { d = tiny }
            c = 1 + term / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let change = d * c
            h *= change
            if abs(change - 1) < epsilon { break }
        }
        return h
    }

    /// Q(a, x) = Γ(a, x)/Γ(a): a series for P when x < a + 1, else a continued fraction.
    static func upperGamma(_ a: Double, _ x: Double) -> Double {
        let front = exp(-x + a * log(x) - lgamma(a))
        if x < a + 1 {
            var term = 1 / a, sum = term, denominator = a
            for _ in 0..<1000 {
                denominator += 1
                term *= x / denominator
                sum += term
                if abs(term) < abs(sum) * epsilon { break }
            }
            return max(0, 1 - sum * front)
        }
        var b = x + 1 - a, c = 1 / tiny, d = 1 / b, h = d
        for i in 1...1000 {
            let i = Double(i)
            let an = -i * (i - a)
            b += 2
            d = an * d + b
            if abs(d) < tiny { d = tiny }
            c = b + an / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let change = d * c
            h *= change
            if abs(change - 1) < epsilon { break }
        }
        return min(1, front * h)
    }
}
