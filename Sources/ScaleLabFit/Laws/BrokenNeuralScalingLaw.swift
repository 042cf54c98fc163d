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
/// f_i) with b solved in closed form at each grid point, keeping the best distinct points.
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
        let lx = data.x.map(log)
        let lxMin = lx.min() ?? 0, lxMax = lx.max() ?? 0
        var lower = [0, -50, -3.0], upper = [data.y.max() ?? 1, 100, 5.0]
        for _ in 0..<breaks {
            lower += [-10, lxMin - log(10), log(0.01)]
            upper += [10, lxMax + log(10), log(20)]
        }
        return (lower, upper)
    }

    /// The grid of Caballero et al.'s reference fitting procedure, coarser as breaks multiply.
    private var grid: (aFractions: [Double], c0: [Double], c: [Double], breakPoints: Int, f: [Double]) {
        switch breaks {
        case 1: return ([0, 0.5, 0.8, 0.95], [0, 0.1, 0.3, 0.6, 1], [-0.5, -0.2, 0.1, 0.3, 0.6, 1], 8, [0.05, 0.2, 0.5, 1.5])
        case 2: return ([0, 0.5, 0.9], [0, 0.2, 0.5, 1], [-1, -0.3, 0.2, 0.5, 1], 6, [0.1, 0.4, 1.2])
        default: return ([0, 0.9], [0, 0.5], [-0.5, 0.3, 1], 5, [0.1, 0.5])
        }
    }

    /// The best 10 distinct grid shapes. Each shape s(x) = x^(−c0)·Π(…) is computed once from
    /// precomputed softplus tables; b then has a closed form for every floor a
    /// (b = Σs(y − a)/Σs², from three sums), and only the best a per shape is kept.
    public func initialGuesses(for data: FitData) -> [[Double]] {
        let n = data.count
        let lx = data.x.map(log), ly = data.y.map(log)
        let lxMin = lx.min() ?? 0, lxMax = lx.max() ?? 0
        let floors = grid.aFractions.map { $0 * (data.y.min() ?? 1) }
        let g = grid
        let breakLogs = (1...g.breakPoints).map { lxMin + (lxMax - lxMin) * Double($0) / Double(g.breakPoints + 1) }
        // f·softplus((log x − log d)/f) at every point, for every (d, f) of the grid.
        var table = [Double](repeating: 0, count: breakLogs.count * g.f.count * n)
        for (d, ld) in breakLogs.enumerated() {
            for (k, f) in g.f.enumerated() {
                let base = (d * g.f.count + k) * n
                for i in 0..<n { table[base + i] = f * softplus((lx[i] - ld) / f) }
            }
        }
        struct Item { var c: Double; var d: Int; var f: Int }
        var items: [Item] = []
        for c in g.c { for d in breakLogs.indices { for f in g.f.indices { items.append(Item(c: c, d: d, f: f)) } } }

        var best: [(rmse: Double, theta: [Double])] = []
        var worst = Double.infinity
        let keep = 10
        var logShape = [Double](repeating: 0, count: n)
        var shape = [Double](repeating: 0, count: n)
        var chosen = [Int](repeating: 0, count: breaks)

        func score(c0: Double) {
            for i in 0..<n { logShape[i] = -c0 * lx[i] }
            for slot in 0..<breaks {
                let item = items[chosen[slot]]
                let base = (item.d * g.f.count + item.f) * n
                for i in 0..<n { logShape[i] -= item.c * table[base + i] }
            }
            var sumY = 0.0, sumOne = 0.0, sumSquare = 0.0
            for i in 0..<n {
                let value = exp(logShape[i])
                shape[i] = value
                sumY += value * data.y[i]
                sumOne += value
                sumSquare += value * value
            }
            var bestHere = (rmse: Double.infinity, a: 0.0, b: 0.0)
            for a in floors {
                let b = max((sumY - a * sumOne) / max(sumSquare, 1e-300), 1e-12)
                // Stop summing once the error can no longer enter the kept list (most grid points).
                let bound = min(bestHere.rmse, best.count < keep ? .infinity : worst)
                let limit = bound.isFinite ? bound * bound * Double(n) : .infinity
                var total = 0.0
                var valid = true
                if a == 0 {
                    // log(b·s) = log b + log s: no logarithm per point.
                    let logB = log(b)
                    for i in 0..<n {
                        let r = logB + logShape[i] - ly[i]
                        total += r * r
                        if total > limit { valid = false; break }
                    }
                } else {
                    for i in 0..<n {
                        let prediction = a + b * shape[i]
                        guard prediction > 0 else { valid = false; break }
                        let r = log(prediction) - ly[i]
                        total += r * r
                        if total > limit { valid = false; break }
                    }
                }
                let rmse = (total / Double(n)).squareRoot()
                if valid, rmse.isFinite, rmse < bestHere.rmse { bestHere = (rmse, a, b) }
            }
            guard bestHere.rmse < worst || best.count < keep else { return }
            var theta = [bestHere.a, log(bestHere.b), c0]
            for slot in 0..<breaks {
                let item = items[chosen[slot]]
                theta += [item.c, breakLogs[item.d], log(g.f[item.f])]
            }
            best.append((bestHere.rmse, theta))
            best.sort { $0.rmse < $1.rmse }
            if best.count > keep { best.removeLast() }
            worst = best.count == keep ? best[keep - 1].rmse : .infinity
        }
        // Break positions strictly increase from one break to the next.
        func choose(_ slot: Int, c0: Double) {
            if slot == breaks { score(c0: c0); return }
            for index in items.indices {
                if slot > 0 && items[index].d <= items[chosen[slot - 1]].d { continue }
                chosen[slot] = index
                choose(slot + 1, c0: c0)
            }
        }
        for c0 in g.c0 { choose(0, c0: c0) }
        return best.map(\.theta)
    }

    public func predict(_ theta: [Double], data: FitData, values: inout [Double], jacobian: UnsafeMutablePointer<Double>?) {
        let p = theta.count
        for i in 0..<data.count {
            let lx = log(data.x[i])
            var s = theta[1] - theta[2] * lx
            for k in 0..<breaks {
                let c = theta[3 + 3 * k], ld = theta[4 + 3 * k], f = exp(theta[5 + 3 * k])
                s -= c * f * softplus((lx - ld) / f)
            }
            let es = exp(s)
            values[i] = theta[0] + es
            guard let jacobian else { continue }
            let row = jacobian + i * p
            row[0] = 1
            row[1] = es
            row[2] = -lx * es
            for k in 0..<breaks {
                let c = theta[3 + 3 * k], ld = theta[4 + 3 * k], f = exp(theta[5 + 3 * k])
                let z = (lx - ld) / f
                let sp = softplus(z)
                let sigma = z >= 0 ? 1 / (1 + exp(-z)) : exp(z) / (1 + exp(z))
                row[3 + 3 * k] = -f * sp * es
                row[4 + 3 * k] = c * sigma * es
                row[5 + 3 * k] = -c * f * (sp - z * sigma) * es
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
