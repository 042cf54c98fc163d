import Foundation

/// Fits a ``ScalingLaw`` to data: validation, multistart bounded Levenberg–Marquardt, and
/// diagnostics of the solution.
public struct Fitter: Sendable {
    public var loss: Loss
    /// The residual space; nil uses the law's own.
    public var residualSpace: ResidualSpace?
    /// At most this many starts are refined, the ones with the lowest initial objective.
    public var maxStarts: Int
    public var maxIterations: Int

    public init(loss: Loss = .squared, residualSpace: ResidualSpace? = nil, maxStarts: Int = 64, maxIterations: Int = 400) {
        self.loss = loss
        self.residualSpace = residualSpace
        self.maxStarts = maxStarts
        self.maxIterations = maxIterations
    }

    /// Checks that `data` can support `law`, with a message saying what is wrong otherwise:
    /// non-finite values, x ≤ 0 (every law here is a function of log x), y ≤ 0 under log
    /// residuals, fewer distinct inputs than parameters + 1 (no residual degree of freedom), and
    /// constant y (no scaling signal).
    public func validate(_ law: any ScalingLaw, _ data: FitData) throws(FitInputError) {
        let p = law.internalNames.count
        let space = residualSpace ?? law.residualSpace
        guard data.x.count == data.count, data.x2.map({ $0.count == data.count }) ?? true else {
            throw FitInputError("x and y have different lengths")
        }
        if law.inputs == 2 && data.x2 == nil { throw FitInputError("\(law.name) needs two inputs per point (N and D)") }
        if let weights = data.weights {
            guard weights.count == data.count else {
                throw FitInputError("\(weights.count) weights for \(data.count) points; give one weight per point")
            }
            if let index = weights.firstIndex(where: { !($0.isFinite && $0 > 0) }) {
                throw FitInputError("weight at point \(index + 1) is \(weights[index]); weights must be finite and positive")
            }
        }
        for (index, value) in data.y.enumerated() where !value.isFinite {
            throw FitInputError("y at point \(index + 1) is \(value); remove non-finite values before fitting")
        }
        for column in [data.x] + (data.x2.map { [$0] } ?? []) {
            for (index, value) in column.enumerated() {
                guard value.isFinite else { throw FitInputError("x at point \(index + 1) is \(value); remove non-finite values") }
                guard value > 0 else {
                    throw FitInputError("x at point \(index + 1) is \(value); scale must be > 0 (the laws use log x and x^−α)")
                }
            }
        }
        if space == .log {
            if let index = data.y.firstIndex(where: { $0 <= 0 }) {
                throw FitInputError("y at point \(index + 1) is \(data.y[index]); log residuals need y > 0 (use linear residuals for scores that can be 0)")
            }
        }
        let distinct = data.distinctScales
        guard distinct >= p + 1 else {
            throw FitInputError("\(distinct) distinct x values for \(p) parameters of \(law.name): need at least \(p + 1) (one residual degree of freedom)")
        }
        let low = data.y.min()!, high = data.y.max()!
        guard high - low > 1e-12 * max(1, abs(high)) else {
            throw FitInputError("y is constant (\(low)): there is no scaling signal, so the exponent and coefficient are unidentifiable")
        }
    }

    /// θ refined from one start only (no multistart): for refits on slightly changed data, such as
    /// leave-one-out or bootstrap samples, warm-started from the full-data solution.
    public func refine(_ law: any ScalingLaw, to data: FitData, from start: [Double]) throws(FitInputError) -> [Double] {
        try validate(law, data)
        let space = residualSpace ?? law.residualSpace
        let (lower, upper) = law.bounds(for: data)
        var solver = LevenbergMarquardt(law: law, data: data, loss: loss, space: space, lower: lower, upper: upper)
        solver.options.maxIterations = maxIterations
        let outcome = solver.minimize(from: start)
        guard outcome.objective.isFinite else { throw FitInputError("\(law.name): the refit did not reach a finite objective") }
        return outcome.theta
    }

    public func fit(_ law: any ScalingLaw, to data: FitData, starts extraStarts: [[Double]] = []) throws(FitInputError) -> FitResult {
        try validate(law, data)
        let space = residualSpace ?? law.residualSpace
        let (lower, upper) = law.bounds(for: data)
        var solver = LevenbergMarquardt(law: law, data: data, loss: loss, space: space, lower: lower, upper: upper)
        solver.options.maxIterations = maxIterations

        // Rank starts by their initial objective and refine the most promising.
        var values = [Double](repeating: 0, count: data.count)
        let candidates = (law.initialGuesses(for: data) + extraStarts).map { start in
            zip(zip(start, lower), upper).map { value, bound in
                let margin = 1e-9 * (bound - value.1)
                return min(max(value.0, value.1 + margin), bound - margin)
            }
        }
        let ranked = candidates.map { ($0, solver.objective($0, values: &values)) }
            .filter { $0.1.isFinite }
            .sorted { $0.1 < $1.1 }
            .prefix(maxStarts)
        guard !ranked.isEmpty else {
            throw FitInputError("\(law.name) cannot be evaluated at any starting point for these data")
        }
        var best: LevenbergMarquardt.Outcome?
        var convergedStarts = 0
        for (start, _) in ranked {
            // A start that joins the best minimum so far stops there (the winner is polished below
            // anyway): on Huber's nearly absolute loss many starts creep to one minimum for all of
            // their iterations.
            let outcome = solver.minimize(from: start, joining: best)
            if outcome.converged { convergedStarts += 1 }
            guard outcome.objective.isFinite else { continue }
            if best == nil || outcome.objective < best!.objective
                || (outcome.objective == best!.objective && outcome.converged && !best!.converged) {
                best = outcome
            }
        }
        guard var best else {
            throw FitInputError("\(law.name): no start reached a finite objective")
        }
        // Polish the winner with the tolerances at machine precision: on flat valleys (Chinchilla's
        // A–B ridge) the default stop leaves the last digits of the objective on the table.
        var polisher = solver
        polisher.options.ftol = 1e-15
        polisher.options.xtol = 1e-15
        let polished = polisher.minimize(from: best.theta)
        if polished.objective.isFinite && polished.objective < best.objective {
            best = LevenbergMarquardt.Outcome(
                theta: polished.theta, objective: polished.objective, iterations: best.iterations + polished.iterations,
                evaluations: best.evaluations + polished.evaluations, converged: best.converged || polished.converged,
                message: polished.converged ? polished.message : best.message)
        }
        return describe(best, law: law, data: data, space: space, lower: lower, upper: upper,
                        starts: ranked.count, convergedStarts: convergedStarts)
    }

    private func describe(
        _ outcome: LevenbergMarquardt.Outcome, law: any ScalingLaw, data: FitData, space: ResidualSpace,
        lower: [Double], upper: [Double], starts: Int, convergedStarts: Int
    ) -> FitResult {
        let theta = outcome.theta
        let p = theta.count
        let names = law.internalNames
        var atBounds: [String] = []
        for j in 0..<p {
            let span = upper[j] - lower[j]
            let tolerance = 1e-6 * (span.isFinite ? span : max(1, abs(theta[j])))
            if theta[j] - lower[j] <= tolerance { atBounds.append(names[j] + "@lower") }
            if upper[j] - theta[j] <= tolerance { atBounds.append(names[j] + "@upper") }
        }
        // Residuals and the unweighted Jacobian at the solution.
        let unweighted = FitData(x: data.x, x2: data.x2, y: data.y)
        let solver = LevenbergMarquardt(law: law, data: unweighted, loss: .squared, space: space, lower: lower, upper: upper)
        var values = [Double](repeating: 0, count: data.count)
        var jacobian = [Double](repeating: 0, count: data.count * p)
        var residuals = [Double](repeating: 0, count: data.count)
        let ok = solver.linearize(theta, values: &values, jacobian: &jacobian, residuals: &residuals)
        let rmse = ok ? (residuals.reduce(0) { $0 + $1 * $1 } / Double(data.count)).squareRoot() : .nan

        let free = (0..<p).filter { j in !atBounds.contains { $0.hasPrefix(names[j] + "@") } }
        var condition: Double?
        var weak: [String] = []
        if ok && !free.isEmpty {
            let m = free.count
            var normal = [Double](repeating: 0, count: m * m)
            for i in 0..<data.count {
                for (a, ja) in free.enumerated() {
                    for (b, jb) in free.enumerated() { normal[a * m + b] += jacobian[i * p + ja] * jacobian[i * p + jb] }
                }
            }
            let (eigenvalues, vectors) = DenseLinearAlgebra.symmetricEigen(normal, m)
            let largest = eigenvalues.last ?? 0
            if let smallest = eigenvalues.first, smallest > 0 { condition = largest / smallest }
            for (index, value) in eigenvalues.enumerated() where value < 1e-10 * largest {
                let terms = (0..<m)
                    .map { (names[free[$0]], vectors[$0 * m + index]) }
                    .filter { abs($0.1) > 0.1 }
                    .sorted { abs($0.1) > abs($1.1) }
                    .map { String(format: "%+.2f·%@", $0.1, $0.0) }
                weak.append(terms.joined(separator: " "))
            }
        }
        let named = law.parameters(theta)
        return FitResult(
            law: law.name, formula: law.formula,
            parameters: law.parameterNames.map { ParameterEstimate(name: $0, value: named[$0] ?? .nan) },
            theta: theta, internalNames: names, residualSpace: space, loss: loss, objective: outcome.objective,
            rmse: rmse, points: data.count, converged: outcome.converged, message: outcome.message,
            iterations: outcome.iterations, evaluations: outcome.evaluations, starts: starts,
            convergedStarts: convergedStarts, atBounds: atBounds, conditionNumber: condition, weakDirections: weak)
    }
}
