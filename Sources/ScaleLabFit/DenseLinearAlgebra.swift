/// Small dense symmetric linear algebra for normal equations (p ≤ a few dozen parameters).
enum DenseLinearAlgebra {
    /// Solves A x = b for symmetric positive definite A (row-major p×p) by Cholesky; nil when A is
    /// not positive definite.
    static func choleskySolve(_ a: [Double], _ b: [Double], _ p: Int) -> [Double]? {
        var factor = a, x = b
        return choleskySolveInPlace(&factor, &x, p) ? x : nil
    }

    /// The same solve in place, without allocating: the Cholesky factor L (A = LLᵀ) overwrites the
    /// lower triangle of `a` (row-major p×p) and x overwrites `b`; false when A is not positive
    /// definite.
    static func choleskySolveInPlace(_ a: inout [Double], _ b: inout [Double], _ p: Int) -> Bool {
        a.withUnsafeMutableBufferPointer { l in
            b.withUnsafeMutableBufferPointer { x in
                for i in 0..<p {
                    for j in 0...i {
                        var sum = l[i * p + j]
                        for k in 0..<j { sum -= l[i * p + k] * l[j * p + k] }
                        if i == j {
                            guard sum > 0, sum.isFinite else { return false }
                            l[i * p + i] = sum.squareRoot()
                        } else {
                            l[i * p + j] = sum / l[j * p + j]
                        }
                    }
                }
                choleskySubstitute(UnsafeBufferPointer(l), x, p)
                return true
            }
        }
    }

    /// Eigenvalues (ascending) and unit eigenvectors (columns, row-major p×p) of a symmetric
    /// matrix, by cyclic Jacobi rotations (Golub & Van Loan §8.5): accurate for the small, possibly
    /// ill-conditioned matrices JᵀJ that identifiability diagnostics need.
    static func symmetricEigen(_ matrix: [Double], _ p: Int) -> (values: [Double], vectors: [Double]) {
        var a = matrix
        var v = [Double](repeating: 0, count: p * p)
        for i in 0..<p { v[i * p + i] = 1 }
        for _ in 0..<100 {
            var off = 0.0
            for i in 0..<p { for j in (i + 1)..<p { off += a[i * p + j] * a[i * p + j] } }
            if off < 1e-30 { break }
            for pIndex in 0..<p {
                for q in (pIndex + 1)..<p {
                    let apq = a[pIndex * p + q]
                    if abs(apq) < 1e-300 { continue }
                    let theta = (a[q * p + q] - a[pIndex * p + pIndex]) / (2 * apq)
                    let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
                    let c = 1 / (t * t + 1).squareRoot(), s = t * c
                    for k in 0..<p {
                        let akp = a[k * p + pIndex], akq = a[k * p + q]
                        a[k * p + pIndex] = c * akp - s * akq
                        a[k * p + q] = s * akp + c * akq
                    }
                    for k in 0..<p {
                        let apk = a[pIndex * p + k], aqk = a[q * p + k]
                        a[pIndex * p + k] = c * apk - s * aqk
                        a[q * p + k] = s * apk + c * aqk
                    }
                    for k in 0..<p {
                        let vkp = v[k * p + pIndex], vkq = v[k * p + q]
                        v[k * p + pIndex] = c * vkp - s * vkq
                        v[k * p + q] = s * vkp + c * vkq
                    }
                }
            }
        }
        let order = (0..<p).sorted { a[$0 * p + $0] < a[$1 * p + $1] }
        var values: [Double] = [], vectors = [Double](repeating: 0, count: p * p)
        for (column, index) in order.enumerated() {
            values.append(a[index * p + index])
            for k in 0..<p { vectors[k * p + column] = v[k * p + index] }
        }
        return (values, vectors)
    }
}

/// Solves L·Lᵀ·x = b in place given the Cholesky factor L (the lower triangle of row-major n×n `l`):
/// forward substitution for L·y = b, then back substitution for Lᵀ·x = y. `x` holds b on entry.
public func choleskySubstitute(_ l: UnsafeBufferPointer<Double>, _ x: UnsafeMutableBufferPointer<Double>, _ n: Int) {
    for i in 0..<n {
        var sum = x[i]
        for k in 0..<i { sum -= l[i * n + k] * x[k] }
        x[i] = sum / l[i * n + i]
    }
    for i in stride(from: n - 1, through: 0, by: -1) {
        var sum = x[i]
        for k in (i + 1)..<max(i + 1, n) { sum -= l[k * n + i] * x[k] }
        x[i] = sum / l[i * n + i]
    }
}
