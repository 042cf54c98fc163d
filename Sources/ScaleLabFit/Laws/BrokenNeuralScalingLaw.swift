import Foundation

/// Broken Neural Scaling Law with n breaks (Caballero et al. 2022, eq. 1):
/// **y = a + b·x^(−c0)·Π_{i=1..n} (1 + (x/d_i)^(1/f_i))^(−c_i·f_i)**.
///
/// `a` is the limit, `b·x^(−c0)` the first power-law segment; at each break `d_i` the log-log
/// slope changes by `−c_i`, over a transition whose sharpness is `f_i` (small f: a sharp bend).
/// With some c_i < 0 the curve is non-monotone (double descent). It extrapolates well up to the
/// next break it has not seen; a break beyond the data is unidentifiable.
///
/// Fitted as θ = (a, log b, c0, then c_i, log d_i, log f_i per break) with a ∈ [0, max y],
/// log b ∈ [−50, 100], c0 ∈ [−3, 5], c_i ∈ [−10, 10], d_i within a decade of the data's range and
/// f_i ∈ [0.01, 20], on log residuals. Starts come from a brute-force grid over (a, c0, c_i, d_i,
/// f_i) with b solved in closed form at each grid point, keeping the best distinct points, and the
/// multistart refines every one of them. That is the authors' procedure (their code release runs a
/// brute-force grid over reparametrised parameters — b and d on geometric grids — and refines the
/// best grid point by least squares) as the scipy reference implements it: b in closed form
/// rather than on the grid, break positions inside the data's range, and the 10 best distinct
/// grid shapes refined instead of only the best one. That matters where the objective is flat:
/// with the break beyond the data (the reference's `bnsl1_break_beyond`), refining the best grid
/// point alone stops at an objective of 4.794e-4 and a held-out error of 0.261; the best of the
/// 10 reaches 4.757e-4 and 0.236 (scipy: 4.760e-4, 0.236).
public struct BrokenNeuralScalingLaw: ScalingLaw {
    public let breaks: Int

    public init(breaks: Int) {
        precondition((1...3).contains(breaks), "BNSL supports 1 to 3 breaks")
        self.breaks = breaks
    }

    public var name: String { "bnsl\(breaks)" }
    public var formula: String { "y = a + b·x^(−c0)·Π_i (1 + (x/d_i)^(1/f_i))^(−c_i·f_i), i = 1…\(breaks)" }
    public var internalNames: [String] {
        ["a", "logb", "c0"] + (1...breaks).flatMap { ["c\($0)", "logd\($0)", "logf\($0)"] }
    }
    public var parameterNames: [String] {
        ["a", "b", "c0"] + (1...breaks).flatMap { ["c\($0)", "d\($0)", "f\($0)"] }
    }
    public let inputs = 1
    public let residualSpace = ResidualSpace.log

    public func bounds(for data: FitData) -> (lower: [Double], upper: [Double]) {
        let lx = data.logX
        let lxMin = lx.min() ?? 0, lxMax = lx.max() ?? 0
        var lower = [0, -50, -3.0], upper = [data.y.max() ?? 1, 100, 5.0]
        for _ in 0..<breaks {
            lower += [-10, lxMin - log(10), log(0.01)]
            upper += [10, lxMax + log(10), log(20)]
        }
        return (lower, upper)
    }

    /// The grid of the scipy reference's version of Caballero et al.'s procedure, coarser as breaks
    /// multiply.
    private var grid: (aFractions: [Double], c0: [Double], c: [Double], breakPoints: Int, f: [Double]) {
        switch breaks {
        case 1: return ([0, 0.5, 0.8, 0.95], [0, 0.1, 0.3, 0.6, 1], [-0.5, -0.2, 0.1, 0.3, 0.6, 1], 8, [0.05, 0.2, 0.5, 1.5])
        case 2: return ([0, 0.5, 0.9], [0, 0.2, 0.5, 1], [-1, -0.3, 0.2, 0.5, 1], 6, [0.1, 0.4, 1.2])
        default: return ([0, 0.9], [0, 0.5], [-0.5, 0.3, 1], 5, [0.1, 0.5])
        }
    }

    /// The best 10 distinct grid shapes, as the reference's brute-force grid ranks them.
    ///
    /// Each shape s(x) = x^(−c0)·Π_i F_i(x), F_i = (1 + (x/d_i)^(1/f_i))^(−c_i·f_i), is a product of
    /// factors tabulated once per grid value (and their logarithms a sum), so no shape costs an
    /// exponential: with the first breaks' partial product shared by every choice of the last,
    /// a shape is one multiplication and five running sums per point. b then has a closed form for
    /// every floor a (b = Σs(y − a)/Σs²). The floor a = 0 is scored from the sums alone
    /// (Σ(log b + log s − log y)² expands in Σw and Σw², w = log s − log y); the others are first
    /// screened by a lower bound on their error that needs a division per point instead of a
    /// logarithm, and both sums stop as soon as the error can no longer enter the kept list —
    /// which is where most grid points stop. Only the best a per shape is kept.
    public func initialGuesses(for data: FitData) -> [[Double]] {
        let n = data.count
        let lx = data.logX, y = data.y, ly = y.map(log)
        let lxMin = lx.min() ?? 0, lxMax = lx.max() ?? 0
        let g = grid
        let floors = g.aFractions.map { $0 * (data.y.min() ?? 1) }
        let breakLogs = (1...g.breakPoints).map { lxMin + (lxMax - lxMin) * Double($0) / Double(g.breakPoints + 1) }
        struct Item { var c: Double; var d: Int; var f: Int }
        var items: [Item] = []
        for c in g.c { for d in breakLogs.indices { for f in g.f.indices { items.append(Item(c: c, d: d, f: f)) } } }

        // log F and F at every point, for every (c, d, f) of the grid.
        let logFactor = UnsafeMutablePointer<Double>.allocate(capacity: items.count * n)
        let factor = UnsafeMutablePointer<Double>.allocate(capacity: items.count * n)
        // The partial products over the c0 term and the first breaks (level k holds k breaks) and
        // their logarithms; `offset` is log(partial) − log y at the last level, `shape` the shape.
        let partial = UnsafeMutablePointer<Double>.allocate(capacity: (breaks + 1) * n)
        let logPartial = UnsafeMutablePointer<Double>.allocate(capacity: (breaks + 1) * n)
        let offset = UnsafeMutablePointer<Double>.allocate(capacity: n)
        let shape = UnsafeMutablePointer<Double>.allocate(capacity: n)
        defer {
            for buffer in [logFactor, factor, partial, logPartial, offset, shape] { buffer.deallocate() }
        }
        // f·softplus((log x − log d)/f) once per (d, f); the c of the grid only scales it.
        var transition = [Double](repeating: 0, count: breakLogs.count * g.f.count * n)
        for (d, ld) in breakLogs.enumerated() {
            for (k, f) in g.f.enumerated() {
                let base = (d * g.f.count + k) * n
                for i in 0..<n { transition[base + i] = f * softplus((lx[i] - ld) / f) }
            }
        }
        for (index, item) in items.enumerated() {
            let base = (item.d * g.f.count + item.f) * n
            for i in 0..<n {
                let value = -item.c * transition[base + i]
                logFactor[index * n + i] = value
                factor[index * n + i] = exp(value)
            }
        }

        var best: [(rmse: Double, theta: [Double])] = []
        var worst = Double.infinity
        let keep = 10
        var chosen = [Int](repeating: 0, count: breaks)

        func record(_ rmse: Double, a: Double, b: Double, c0: Double) {
            var theta = [a, log(b), c0]
            for slot in 0..<breaks {
                let item = items[chosen[slot]]
                theta += [item.c, breakLogs[item.d], log(g.f[item.f])]
            }
            // After the entries at least as good: the order a stable sort of the appended list gives.
            let position = best.firstIndex { $0.rmse > rmse } ?? best.count
            best.insert((rmse, theta), at: position)
            if best.count > keep { best.removeLast() }
            worst = best.count == keep ? best[keep - 1].rmse : .infinity
        }

        /// Scores the shape partial[breaks − 1] · F[item] over every floor.
        func score(item: Int, c0: Double) {
            let last = partial + (breaks - 1) * n, itemFactor = factor + item * n, itemLog = logFactor + item * n
            var sumY = 0.0, sumOne = 0.0, sumSquare = 0.0, sumW = 0.0, sumW2 = 0.0
            for i in 0..<n {
                let value = last[i] * itemFactor[i]
                shape[i] = value
                sumY += value * y[i]
                sumOne += value
                sumSquare += value * value
                let w = offset[i] + itemLog[i]
                sumW += w
                sumW2 += w * w
            }
            var bestHere = (rmse: Double.infinity, a: 0.0, b: 0.0)
            for a in floors {
                let b = max((sumY - a * sumOne) / max(sumSquare, 1e-300), 1e-12)
                if a == 0 {
                    // Σ(log b + w)² from the sums: no logarithm per point.
                    let logB = log(b)
                    let total = Double(n) * logB * logB + 2 * logB * sumW + sumW2
                    let rmse = (max(total, 0) / Double(n)).squareRoot()
                    if rmse.isFinite, rmse < bestHere.rmse { bestHere = (rmse, a, b) }
                    continue
                }
                // Stop summing once the error can no longer enter the kept list (most grid points),
                // first on a bound without logarithms: |log q| ≥ 2|q − 1|/(q + 1) for q = ŷ/y > 0
                // (|atanh u| ≥ |u|), within 1% of |log q| for ŷ within 30% of y.
                let bound = min(bestHere.rmse, best.count < keep ? .infinity : worst)
                let limit = bound.isFinite ? bound * bound * Double(n) : .infinity
                if limit.isFinite {
                    var lowerBound = 0.0
                    let quarterLimit = 0.25 * limit
                    var rejected = false
                    for i in 0..<n {
                        let prediction = a + b * shape[i]
                        let u = (prediction - y[i]) / (prediction + y[i])
                        lowerBound += u * u
                        if lowerBound > quarterLimit { rejected = true; break }
                    }
                    if rejected { continue }
                }
                var total = 0.0
                var valid = true
                for i in 0..<n {
                    let prediction = a + b * shape[i]
                    guard prediction > 0 else { valid = false; break }
                    let r = log(prediction) - ly[i]
                    total += r * r
                    if total > limit { valid = false; break }
                }
                let rmse = (total / Double(n)).squareRoot()
                if valid, rmse.isFinite, rmse < bestHere.rmse { bestHere = (rmse, a, b) }
            }
            guard bestHere.rmse < worst || best.count < keep else { return }
            chosen[breaks - 1] = item
            record(bestHere.rmse, a: bestHere.a, b: bestHere.b, c0: c0)
        }

        // Break positions strictly increase from one break to the next.
        func choose(_ slot: Int, c0: Double) {
            let previous = partial + slot * n, previousLog = logPartial + slot * n
            if slot == breaks - 1 {
                for i in 0..<n { offset[i] = previousLog[i] - ly[i] }
                for index in items.indices where slot == 0 || items[index].d > items[chosen[slot - 1]].d {
                    score(item: index, c0: c0)
                }
                return
            }
            let next = partial + (slot + 1) * n, nextLog = logPartial + (slot + 1) * n
            for index in items.indices where slot == 0 || items[index].d > items[chosen[slot - 1]].d {
                chosen[slot] = index
                for i in 0..<n {
                    next[i] = previous[i] * factor[index * n + i]
                    nextLog[i] = previousLog[i] + logFactor[index * n + i]
                }
                choose(slot + 1, c0: c0)
            }
        }
        for c0 in g.c0 {
            for i in 0..<n {
                logPartial[i] = -c0 * lx[i]
                partial[i] = exp(logPartial[i])
            }
            choose(0, c0: c0)
        }
        return best.map(\.theta)
    }

    /// log(ŷ − a) = log b − c0·log x − Σ_i c_i·f_i·softplus((log x − log d_i)/f_i), and its
    /// derivatives from the same softplus and logistic values: one exponential and one log1p per
    /// break and point, and one exponential per point.
    public func predict(_ theta: [Double], data: FitData, values: inout [Double], jacobian: UnsafeMutablePointer<Double>?) {
        let p = theta.count, a = theta[0], logB = theta[1], c0 = theta[2]
        let logX = data.logX
        withUnsafeTemporaryAllocation(of: Double.self, capacity: 3 * breaks) { constants in
            // (c_i, log d_i, f_i) per break, f_i = exp(θ) once per call rather than per point.
            for k in 0..<breaks {
                constants[3 * k] = theta[3 + 3 * k]
                constants[3 * k + 1] = theta[4 + 3 * k]
                constants[3 * k + 2] = exp(theta[5 + 3 * k])
            }
            for i in 0..<data.count {
                let lx = logX[i]
                var s = logB - c0 * lx
                let row = jacobian.map { $0 + i * p }
                for k in 0..<breaks {
                    let c = constants[3 * k], f = constants[3 * k + 2]
                    let z = (lx - constants[3 * k + 1]) / f
                    // softplus(z) = max(z, 0) + log1p(e^−|z|), σ(z) from the same exponential.
                    let e = exp(-abs(z))
                    let sp = max(z, 0) + log1p(e)
                    s -= c * f * sp
                    if let row {
                        let sigma = z >= 0 ? 1 / (1 + e) : e / (1 + e)
                        // ∂ log(ŷ − a)/∂(c_i, log d_i, log f_i); scaled by ŷ − a below.
                        row[3 + 3 * k] = -f * sp
                        row[4 + 3 * k] = c * sigma
                        row[5 + 3 * k] = -c * f * (sp - z * sigma)
                    }
                }
                let es = exp(s)
                values[i] = a + es
                guard let row else { continue }
                row[0] = 1
                row[1] = es
                row[2] = -lx * es
                for j in 3..<p { row[j] *= es }
            }
        }
    }

    public func parameters(_ theta: [Double]) -> [String: Double] {
        var result = ["a": theta[0], "b": exp(theta[1]), "c0": theta[2]]
        for k in 0..<breaks {
            result["c\(k + 1)"] = theta[3 + 3 * k]
            result["d\(k + 1)"] = exp(theta[4 + 3 * k])
            result["f\(k + 1)"] = exp(theta[5 + 3 * k])
        }
        return result
    }
}

/// log(1 + eᶻ) without overflow.
@inline(__always)
func softplus(_ z: Double) -> Double {
    z > 0 ? z + log1p(exp(-z)) : log1p(exp(z))
}
