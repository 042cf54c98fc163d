import Foundation
import Testing
import ScaleLabCore
import ScaleLabAnalysis

@Suite struct TaskMatrixTests {
    /// Six models × three tasks; model "e" lacks t2 and t3, model "d" lacks t3.
    func dataset(metrics: [String] = ["acc"]) throws -> Dataset {
        var builder = DatasetBuilder()
        let here = SourceLocation(file: "t.csv", line: 1)
        for (index, name) in ["a", "b", "c", "d", "e", "f"].enumerated() {
            let model = builder.addModel(ModelInfo(name: name, family: "f", params: pow(10, 10 - Double(index))), at: here)
            for (t, task) in ["t1", "t2", "t3"].enumerated() {
                if name == "e" && task != "t1" { continue }
                if name == "d" && task == "t3" { continue }
                for metric in metrics {
                    // Two evaluation seeds of each cell, averaged by the matrix.
                    for seed in [1, 2] {
                        builder.addObservation(model: model, task: builder.task(named: task, at: here), metric: builder.metric(named: metric),
                                               value: 0.1 * Double(index) + 0.01 * Double(t) + 0.002 * Double(seed), n: 200, shots: 0,
                                               seed: seed, at: here)
                    }
                }
            }
        }
        return try builder.build()
    }

    @Test func dropsTheEmptiestModelOrTaskUntilEveryCellIsFilled() throws {
        let matrix = try dataset().taskMatrix(x: .params)
        // Round 1: e misses 2 of 3 tasks (67%), the worst share → dropped. Round 2: d misses 1 of 3
        // tasks (33%) against t3 missing 1 of 5 models (20%) → d dropped, keeping 4 × 3 = 12 cells
        // where dropping t3 would keep 5 × 2 = 10.
        #expect(matrix.tasks == ["t1", "t2", "t3"])
        #expect(matrix.models == ["f", "c", "b", "a"])
        #expect(matrix.x == [1e5, 1e8, 1e9, 1e10])
        #expect(matrix.dropped.count == 2 && matrix.dropped[0].contains("model e") && matrix.dropped[1].contains("model d"))
        // Cells average the two evaluation seeds: 0.1·index + 0.01·t + 0.002·1.5.
        #expect(abs(matrix.scores[0][3] - 0.003) < 1e-12)
        #expect(abs(matrix.scores[2][0] - (0.5 + 0.02 + 0.003)) < 1e-12)
        #expect(matrix.items == [200, 200, 200])
        #expect(matrix.curve(1).x == matrix.x && matrix.curve(1).higherIsBetter)
    }

    @Test func refusesMixedMetricsAndNamesTheOption() throws {
        let data = try dataset(metrics: ["acc", "loss"])
        do throws(TaskMatrixError) {
            _ = try data.taskMatrix(x: .params)
            Issue.record("a matrix of two metrics was built")
        } catch {
            #expect(error.description.contains("2 metrics") && error.description.contains("--metric"))
        }
    }

    @Test func curvesKeepEveryRowSortedByX() throws {
        let curves = try dataset(metrics: ["acc", "loss"]).taskCurves(x: .params)
        #expect(curves.count == 6)
        let t1 = try #require(curves.first { $0.task == "t1" && $0.metric == "loss" })
        #expect(t1.x.count == 12 && t1.x == t1.x.sorted() && !t1.higherIsBetter && t1.items == 200)
    }
}
