/// Eigen-decomposition of a small real symmetric matrix (a correlation or covariance matrix of a
/// few hundred rows at most).
///
/// For symmetric A, A = V Λ Vᵀ with real eigenvalues λ₁ ≥ λ₂ ≥ … ≥ λₚ and orthonormal
/// eigenvectors v₁ … vₚ. Computed by cyclic Jacobi rotations (Golub & Van Loan, *Matrix
/// Computations*, §8.5), which are slow (O(p³) per sweep) but accurate to a few ulps of ‖A‖ even
/// for ill-conditioned or rank-deficient matrices, such as a correlation matrix of more tasks than
/// models. Only the lower triangle's mirror is assumed: the input must be symmetric.
public enum SymmetricEigen {
    /// Eigenvalues in descending order and the matching unit eigenvectors: `vectors[k]` is the
    /// eigenvector of `values[k]`. The sign of each eigenvector is arbitrary.
    public static func decompose(_ matrix: [[Double]]) -> (values: [Double], vectors: [[Double]]) {
        let p = matrix.count
        precondition(matrix.allSatisfy { $0.count == p }, "SymmetricEigen: the matrix must be square")
        guard p > 0 else { return ([], []) }
        let (ascending, columns) = DenseLinearAlgebra.symmetricEigen(matrix.flatMap { $0 }, p)
        let order = Array((0..<p).reversed())
        return (order.map { ascending[$0] }, order.map { column in (0..<p).map { columns[$0 * p + column] } })
    }
}
