import Foundation
import ScaleLabFit

/// Numerics shared by the IRT fit: a stable logistic function and a dense Cholesky factorisation
/// of symmetric positive-definite matrices (Golub & Van Loan 2013, §4.2), stored row-major in a
/// flat array. Nothing public in ScaleLabFit offers a positive-definite solve and inverse, and the
/// IRT Newton step needs both.
enum IRTNumerics {
    /// σ(x) = 1 / (1 + e^(−x)), evaluated without overflow for any finite x.
    @inline(__always)
    static func logistic(_ x: Double) -> Double {
        if x >= 0 { return 1 / (1 + exp(-x)) }
        let e = exp(x)
        return e / (1 + e)
    }

    /// softplus(x) = log(1 + e^x), so that log σ(x) = −softplus(−x) without overflow.
    @inline(__always)
    static func softplus(_ x: Double) -> Double {
        x > 0 ? x + log1p(exp(-x)) : log1p(exp(x))
    }
}

/// The lower-triangular factor L of A = L·Lᵀ for a symmetric positive-definite n×n matrix.
struct CholeskyFactor {
    let size: Int
    private(set) var lower: [Double]

    /// Nil when A is not (numerically) positive definite: a non-positive or non-finite pivot.
    init?(symmetric matrix: [Double], size n: Int) {
        precondition(matrix.count == n * n, "matrix must hold n² entries")
        size = n
        var l = matrix
        let ok = l.withUnsafeMutableBufferPointer { a -> Bool in
            for j in 0..<n {
                var pivot = a[j * n + j]
                for k in 0..<j { pivot -= a[j * n + k] * a[j * n + k] }
                guard pivot > 0, pivot.isFinite else { return false }
                let root = pivot.squareRoot()
                a[j * n + j] = root
                for i in (j + 1)..<max(j + 1, n) {
                    var sum = a[i * n + j]
                    for k in 0..<j { sum -= a[i * n + k] * a[j * n + k] }
                    a[i * n + j] = sum / root
                }
            }
            for i in 0..<n { for j in (i + 1)..<max(i + 1, n) { a[i * n + j] = 0 } }
            return true
        }
        guard ok else { return nil }
        lower = l
    }

    /// x with A·x = b.
    func solve(_ b: [Double]) -> [Double] {
        let n = size
        var x = b
        lower.withUnsafeBufferPointer { l in
            x.withUnsafeMutableBufferPointer { choleskySubstitute(l, $0, n) }
        }
        return x
    }

    /// A⁻¹ (row-major), from L⁻¹ by forward substitution and A⁻¹ = L⁻ᵀ·L⁻¹.
    func inverse() -> [Double] {
        let n = size
        var inverseLower = [Double](repeating: 0, count: n * n)
        lower.withUnsafeBufferPointer { l in
            inverseLower.withUnsafeMutableBufferPointer { m in
                for j in 0..<n {
                    m[j * n + j] = 1 / l[j * n + j]
                    for i in (j + 1)..<max(j + 1, n) {
                        var sum = 0.0
                        for k in j..<i { sum -= l[i * n + k] * m[k * n + j] }
                        m[i * n + j] = sum / l[i * n + i]
                    }
                }
            }
        }
        var result = [Double](repeating: 0, count: n * n)
        inverseLower.withUnsafeBufferPointer { m in
            result.withUnsafeMutableBufferPointer { r in
                for i in 0..<n {
                    for j in 0...i {
                        var sum = 0.0
                        for k in i..<n { sum += m[k * n + i] * m[k * n + j] }
                        r[i * n + j] = sum
                        r[j * n + i] = sum
                    }
                }
            }
        }
        return result
    }
}
