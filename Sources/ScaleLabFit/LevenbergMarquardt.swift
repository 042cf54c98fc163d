/// Bounded Levenberg–Marquardt for F(θ) = Σ ρ(rᵢ(θ)), rᵢ = wᵢ·(g(ŷᵢ(θ)) − g(yᵢ)).
///
/// Each iteration solves (JᵀSJ + λ·D)·δ = −JᵀSr over the free parameters, with S the IRLS
/// weights of the loss (identity for least squares), D Moré's running maximum of diag(JᵀSJ)
/// (scale invariance, Moré 1978), and λ updated from the gain ratio as in Nielsen (1999).
/// Bounds are handled by an active set: a parameter on a bound whose gradient points outward is
/// held fixed for the step, and trial points are projected onto the box. Trial points whose
/// objective is not finite are rejected like any bad step (λ grows), so the search never returns
/// NaN as a result.
///
/// Stops when the accepted relative decrease of F is below `ftol`, the step below `xtol`
/// (relative to ‖θ‖), the projected gradient below `gtol`, or after `maxIterations`.
struct LevenbergMarquardt {
    struct Options: Sendable {
        var ftol = 1e-12
        var xtol = 1e-12
        var gtol = 1e-12
        var maxIterations = 400
    }

    struct Outcome {
        var theta: [Double]
        var objective: Double
        var iterations: Int
        var evaluations: Int
        var converged: Bool
        var message: String
    }

    let law: any ScalingLaw
    let data: FitData
    let loss: Loss
    let space: ResidualSpace
    let lower: [Double]
    let upper: [Double]
    var options = Options()
    /// g(yᵢ): log y or y by the residual space, computed once rather than at every evaluation.
    private let target: [Double]
    /// The residual weights, ones when the data carry none.
    private let weights: [Double]

    init(law: any ScalingLaw, data: FitData, loss: Loss, space: ResidualSpace, lower: [Double], upper: [Double]) {
        self.law = law
        self.data = data
        self.loss = loss
        self.space = space
        self.lower = lower
        self.upper = upper
        target = space == .log ? data.y.map(Foundation.log) : data.y
        weights = data.weights ?? [Double](repeating: 1, count: data.count)
    }

    private var n: Int { data.count }

    /// F(θ), or +∞ when any prediction is unusable.
    func objective(_ theta: [Double], values: inout [Double]) -> Double {
        law.predict(theta, data: data, values: &values, jacobian: nil)
        var total = 0.0
        for i in 0..<n {
            guard let r = residual(i, values[i]) else { return .infinity }
            total += loss.rho(r)
        }
        return total.isFinite ? total : .infinity
    }

    @inline(__always)
    func residual(_ i: Int, _ prediction: Double) -> Double? {
        switch space {
        case .log:
            guard prediction > 0, prediction.isFinite else { return nil }
            return weights[i] * (Foundation.log(prediction) - target[i])
        case .linear:
            guard prediction.isFinite else { return nil }
            return weights[i] * (prediction - target[i])
        }
    }

    /// Residuals and their Jacobian (row-major n×p) at θ; false when a prediction is unusable or a
    /// derivative is not finite.
    func linearize(_ theta: [Double], values: inout [Double], jacobian: inout [Double], residuals: inout [Double]) -> Bool {
        let (cost, jacobianFinite) = evaluate(theta, values: &values, jacobian: &jacobian, residuals: &residuals)
        return cost.isFinite && jacobianFinite
    }

    /// F(θ) together with the residuals and their Jacobian (row-major n×p, in the residual space)
    /// at θ — +∞ when a prediction is unusable — and whether every derivative is finite. Every
    /// trial point is evaluated this way: derivatives come from the same exponentials as ŷ, so
    /// they cost a fraction of a second prediction at the accepted point.
    func evaluate(_ theta: [Double], values: inout [Double], jacobian: inout [Double], residuals: inout [Double])
        -> (cost: Double, jacobianFinite: Bool) {
        let p = theta.count
        jacobian.withUnsafeMutableBufferPointer { buffer in
            law.predict(theta, data: data, values: &values, jacobian: buffer.baseAddress!)
        }
        var total = 0.0, finite = true
        for i in 0..<n {
            guard let r = residual(i, values[i]) else { return (.infinity, false) }
            residuals[i] = r
            total += loss.rho(r)
            let scale = space == .log ? weights[i] / values[i] : weights[i]
            for j in 0..<p {
                let entry = jacobian[i * p + j] * scale
                if !entry.isFinite { finite = false }
                jacobian[i * p + j] = entry
            }
        }
        return (total.isFinite ? total : .infinity, finite)
    }

    /// θ refined from `start`. With `known`, the end point of an earlier start, the search stops
    /// once it has joined that point — every parameter within 10⁻³·max(1, |θ|) of it and the
    /// objective within 10⁻⁶ of its value: what is left is the tail of the convergence towards a
    /// point already found, which a multistart search need not repeat. It counts as converged when
    /// the earlier start did.
    func minimize(from start: [Double], joining known: Outcome? = nil) -> Outcome {
        let p = start.count
        var theta = zip(zip(start, lower), upper).map { min(max($0.0, $0.1), $1) }
        var values = [Double](repeating: 0, count: n)
        var jacobian = [Double](repeating: 0, count: n * p)
        var residuals = [Double](repeating: 0, count: n)
        var evaluations = 1
        var (cost, jacobianFinite) = evaluate(theta, values: &values, jacobian: &jacobian, residuals: &residuals)
        guard cost.isFinite else {
            return Outcome(theta: theta, objective: .infinity, iterations: 0, evaluations: 1, converged: false,
                           message: "the model cannot be evaluated at the starting point")
        }
        var lambda = 1e-3
        var nu = 2.0
        var diagonalScale = [Double](repeating: 0, count: p)
        var needsLinearization = true
        var normal = [Double](repeating: 0, count: p * p)
        var gradient = [Double](repeating: 0, count: p)
        // Work arrays of every iteration, allocated once.
        var free: [Int] = []
        free.reserveCapacity(p)
        var system = [Double](repeating: 0, count: p * p)
        var reduced = [Double](repeating: 0, count: p)
        var trial = theta
        var step = [Double](repeating: 0, count: p)
        var trialValues = [Double](repeating: 0, count: n)
        var trialJacobian = [Double](repeating: 0, count: n * p)
        var trialResiduals = [Double](repeating: 0, count: n)

        for iteration in 1...options.maxIterations {
            if needsLinearization {
                guard jacobianFinite else {
                    return Outcome(theta: theta, objective: cost, iterations: iteration, evaluations: evaluations,
                                   converged: false, message: "the Jacobian is not finite at the current point")
                }
                accumulateNormalEquations(jacobian, residuals, normal: &normal, gradient: &gradient)
                for a in 0..<p { diagonalScale[a] = max(diagonalScale[a], normal[a * p + a]) }
                needsLinearization = false
            }
            // Active set: parameters pinned on a bound by an outward gradient.
            free.removeAll(keepingCapacity: true)
            for j in 0..<p {
                let span = upper[j] - lower[j]
                let atLower = theta[j] <= lower[j] + 1e-12 * max(1, abs(span)) && gradient[j] > 0
                let atUpper = theta[j] >= upper[j] - 1e-12 * max(1, abs(span)) && gradient[j] < 0
                if !(atLower || atUpper) { free.append(j) }
            }
            var projectedGradient = 0.0
            for j in free { projectedGradient = max(projectedGradient, abs(gradient[j])) }
            if projectedGradient <= options.gtol * max(1, cost) {
                return Outcome(theta: theta, objective: cost, iterations: iteration, evaluations: evaluations,
                               converged: true, message: "projected gradient below tolerance")
            }
            let m = free.count
            for (a, ja) in free.enumerated() {
                reduced[a] = -gradient[ja]
                for (b, jb) in free.enumerated() { system[a * m + b] = normal[ja * p + jb] }
                system[a * m + a] += lambda * max(diagonalScale[ja], 1e-300)
            }
            guard DenseLinearAlgebra.choleskySolveInPlace(&system, &reduced, m) else {
                lambda *= nu
                nu *= 2
                if lambda > 1e20 { return stalled(theta, cost, iteration, evaluations) }
                continue
            }
            for j in 0..<p { trial[j] = theta[j] }
            for (a, j) in free.enumerated() { trial[j] = min(max(theta[j] + reduced[a], lower[j]), upper[j]) }
            var stepNorm = 0.0, thetaNorm = 0.0
            for j in 0..<p {
                step[j] = trial[j] - theta[j]
                stepNorm += step[j] * step[j]
                thetaNorm += theta[j] * theta[j]
            }
            let (trialCost, trialJacobianFinite) = evaluate(trial, values: &trialValues, jacobian: &trialJacobian, residuals: &trialResiduals)
            evaluations += 1
            // Predicted decrease of the Gauss–Newton model for the projected step.
            var predicted = 0.0
            for a in 0..<p {
                var quadratic = 0.0
                for b in 0..<p { quadratic += normal[a * p + b] * step[b] }
                predicted -= gradient[a] * step[a] + 0.5 * step[a] * quadratic
            }
            if trialCost < cost {
                let decrease = cost - trialCost
                let ratio = predicted > 0 ? decrease / predicted : 1
                swap(&theta, &trial)
                swap(&values, &trialValues)
                swap(&jacobian, &trialJacobian)
                swap(&residuals, &trialResiduals)
                jacobianFinite = trialJacobianFinite
                cost = trialCost
                lambda *= max(1.0 / 3.0, 1 - pow(2 * ratio - 1, 3))
                nu = 2
                needsLinearization = true
                if decrease <= options.ftol * max(cost, 1e-300) {
                    return Outcome(theta: theta, objective: cost, iterations: iteration, evaluations: evaluations,
                                   converged: true, message: "relative decrease of the objective below tolerance")
                }
                if stepNorm.squareRoot() <= options.xtol * (thetaNorm.squareRoot() + options.xtol) {
                    return Outcome(theta: theta, objective: cost, iterations: iteration, evaluations: evaluations,
                                   converged: true, message: "step below tolerance")
                }
                if let known, abs(cost - known.objective) <= 1e-6 * known.objective,
                   zip(theta, known.theta).allSatisfy({ abs($0 - $1) <= 1e-3 * max(1, abs($1)) }) {
                    return Outcome(theta: theta, objective: cost, iterations: iteration, evaluations: evaluations,
                                   converged: known.converged, message: "joined the minimum of an earlier start")
                }
            } else {
                if stepNorm.squareRoot() <= options.xtol * (thetaNorm.squareRoot() + options.xtol) {
                    return Outcome(theta: theta, objective: cost, iterations: iteration, evaluations: evaluations,
                                   converged: true, message: "no smaller step improves the objective")
                }
                lambda *= nu
                nu *= 2
                if lambda > 1e20 { return stalled(theta, cost, iteration, evaluations) }
            }
        }
        return Outcome(theta: theta, objective: cost, iterations: options.maxIterations, evaluations: evaluations,
                       converged: false, message: "stopped after \(options.maxIterations) iterations without meeting a tolerance")
    }

    /// JᵀSJ (with Huber's curvature weights) and the gradient JᵀSr of the Gauss–Newton model,
    /// over every parameter (row-major p×p, symmetric).
    private func accumulateNormalEquations(_ jacobian: [Double], _ residuals: [Double], normal: inout [Double], gradient: inout [Double]) {
        let p = gradient.count
        jacobian.withUnsafeBufferPointer { j in
            normal.withUnsafeMutableBufferPointer { h in
                gradient.withUnsafeMutableBufferPointer { g in
                    for k in 0..<(p * p) { h[k] = 0 }
                    for k in 0..<p { g[k] = 0 }
                    for i in 0..<n {
                        let r = residuals[i]
                        let s = loss.sqrtWeight(r)
                        let s2r = s * s * r
                        let curvature = loss.curvatureWeight(r)
                        let row = i * p
                        for a in 0..<p {
                            let ja = j[row + a]
                            if ja == 0 { continue }
                            g[a] += s2r * ja
                            let weighted = curvature * ja
                            for b in 0...a { h[a * p + b] += weighted * j[row + b] }
                        }
                    }
                    for a in 0..<p { for b in 0..<a { h[b * p + a] = h[a * p + b] } }
                }
            }
        }
    }

    /// No step improves the objective however strongly damped: a (possibly kinked) minimum.
    private func stalled(_ theta: [Double], _ cost: Double, _ iteration: Int, _ evaluations: Int) -> Outcome {
        Outcome(theta: theta, objective: cost, iterations: iteration, evaluations: evaluations, converged: true,
                message: "no damped step improves the objective")
    }
}

import Foundation
