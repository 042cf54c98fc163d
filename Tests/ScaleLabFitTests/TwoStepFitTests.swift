import Foundation
import Testing
@testable import ScaleLabFit

/// The two-step law on a simulated ladder with known truth:
/// loss L(N) = 1.7 + 400·N^−0.34 on 12 models from 1e7 to 1e10 parameters (0.3% multiplicative
/// noise), accuracy = 0.25 + 0.7/(1 + exp(6·(L − 2.4))) (0.005 additive noise). The losses run
/// from 3.37 down to 1.86 nats, so the ladder crosses the threshold at L0 = 2.4 (N ≈ 1.3e8) and
/// both the floor and most of the rise are observed. At N = 1e11 the truth is L = 1.773 and
/// accuracy = 0.934.
struct TwoStepFitTests {
    static func trueLoss(_ n: Double) -> Double { 1.7 + 400 * pow(n, -0.34) }
    static func trueAccuracy(fromLoss loss: Double) -> Double { 0.25 + 0.7 / (1 + exp(6 * (loss - 2.4))) }

    struct Ladder {
        var scale: [Double]
        var loss: [Double]
        var accuracy: [Double]
    }

    /// Standard normal draws by Box–Muller from SplitMix64, so the data are the same on every run.
    static func ladder(seed: UInt64 = 2024) -> Ladder {
        var generator = SplitMix64(seed: seed)
        func normal() -> Double {
            let u1 = (Double(generator.next() >> 11) + 0.5) * 0x1p-53
            let u2 = Double(generator.next() >> 11) * 0x1p-53
            return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
        }
        let scale = (0..<12).map { pow(10, 7 + 3 * Double($0) / 11) }
        let loss = scale.map { trueLoss($0) * exp(0.003 * normal()) }
        let accuracy = loss.map { trueAccuracy(fromLoss: $0) + 0.005 * normal() }
        return Ladder(scale: scale, loss: loss, accuracy: accuracy)
    }

    @Test func recoversBothStagesAndPredictsTheNextModel() throws {
        let data = Self.ladder()
        let result = try TwoStepFit().fit(scale: data.scale, loss: data.loss, accuracy: data.accuracy)
        #expect(result.lossFit.law == "power")
        #expect(result.accuracyFit.law == "sigmoid-of-loss")
        #expect(result.lossFit.residualSpace == .log)
        #expect(result.accuracyFit.residualSpace == .linear)

        // Stage 1: with 0.3% noise over three decades E, A, α trade off along a ridge; α is
        // determined to a few hundredths and E to a few percent.
        let e = try #require(result.lossFit["E"]), alpha = try #require(result.lossFit["alpha"])
        #expect(abs(e - 1.7) < 0.1, "E \(e)")
        #expect(abs(alpha - 0.34) < 0.04, "alpha \(alpha)")
        // Stage 2: the observed losses straddle the threshold, so all four are well determined.
        let lo = try #require(result.accuracyFit["lo"]), hi = try #require(result.accuracyFit["hi"])
        let k = try #require(result.accuracyFit["k"]), threshold = try #require(result.accuracyFit["L0"])
        #expect(abs(lo - 0.25) < 0.02, "lo \(lo)")
        #expect(abs(hi - 0.95) < 0.03, "hi \(hi)")
        #expect(abs(k - 6) < 1.5, "k \(k)")
        #expect(abs(threshold - 2.4) < 0.05, "L0 \(threshold)")

        // The composite, one decade past the largest model.
        let truth = Self.trueAccuracy(fromLoss: Self.trueLoss(1e11))
        #expect(abs(result.predictLoss(1e11) - Self.trueLoss(1e11)) < 0.03, "loss \(result.predictLoss(1e11))")
        #expect(abs(result.predictAccuracy(1e11) - truth) < 0.02, "accuracy \(result.predictAccuracy(1e11)) vs \(truth)")
        #expect(result.predictAccuracy(1e11) == result.predictAccuracy(fromLoss: result.predictLoss(1e11)))
    }

    @Test func bootstrapIsDeterministicWithTheSeed() async throws {
        let data = Self.ladder()
        let model = TwoStepFit()
        let result = try model.fit(scale: data.scale, loss: data.loss, accuracy: data.accuracy)
        let options = BootstrapOptions(replicates: 200, seed: 11, level: 0.9)
        let first = try await model.bootstrap(
            scale: data.scale, loss: data.loss, accuracy: data.accuracy, result: result, at: [1e9, 1e11], options: options)
        let second = try await model.bootstrap(
            scale: data.scale, loss: data.loss, accuracy: data.accuracy, result: result, at: [1e9, 1e11], options: options)

        #expect(first.requested == 200)
        #expect(first.succeeded >= 190, "only \(first.succeeded) of 200 replicates refitted")
        #expect(first.accuracy.count == 2 && first.loss.count == 2)
        for interval in first.accuracy + first.loss {
            #expect(interval.lower <= interval.estimate && interval.estimate <= interval.upper, "\(interval)")
        }
        #expect(first.accuracy[1].estimate == result.predictAccuracy(1e11))
        #expect(first.loss[1].estimate == result.predictLoss(1e11))
        let lossTruth = Self.trueLoss(1e11)
        #expect(first.loss[1].lower <= lossTruth && lossTruth <= first.loss[1].upper, "\(first.loss[1]) vs truth \(lossTruth)")
        #expect(first.lossParameters.map(\.name) == ["E", "A", "alpha"])
        #expect(first.accuracyParameters.map(\.name) == ["lo", "hi", "k", "L0"])

        // Same seed, same replicates, bit for bit, whatever the scheduling across cores.
        #expect(first.lossThetas == second.lossThetas)
        #expect(first.accuracyThetas == second.accuracyThetas)
        #expect(first.accuracy == second.accuracy)
        // Another seed draws other resamples.
        var reseeded = options
        reseeded.seed = 12
        let third = try await model.bootstrap(
            scale: data.scale, loss: data.loss, accuracy: data.accuracy, result: result, at: [1e11], options: reseeded)
        #expect(third.accuracyThetas != first.accuracyThetas)
    }

    /// Whether one interval contains the truth depends on one noise draw (this file's ladder is a
    /// 2σ draw at 1e11: its estimate is 0.0073 low against a spread of 0.0036), so coverage is
    /// checked over 20 independent ladders. Percentile intervals from 12 models undercover: over 40
    /// simulated ladders the nominal 80/90/95% intervals at 1e11 held the truth 70/82/88% of the
    /// time. Asked here: the 90% interval holds it for at least 14 of 20 ladders, and every
    /// composite prediction is within 0.02 of the truth (the largest miss over 40 ladders was 0.01).
    @Test func bootstrapIntervalsCoverTheTruth() async throws {
        let truth = Self.trueAccuracy(fromLoss: Self.trueLoss(1e11))
        let model = TwoStepFit()
        var covered = 0
        for seed in 1...20 {
            let data = Self.ladder(seed: UInt64(seed))
            let result = try model.fit(scale: data.scale, loss: data.loss, accuracy: data.accuracy)
            #expect(abs(result.predictAccuracy(1e11) - truth) < 0.02, "ladder \(seed): \(result.predictAccuracy(1e11))")
            let interval = try await model.bootstrap(
                scale: data.scale, loss: data.loss, accuracy: data.accuracy, result: result, at: [1e11],
                options: BootstrapOptions(replicates: 200, seed: 11, level: 0.9)
            ).accuracy[0]
            if interval.lower <= truth && truth <= interval.upper { covered += 1 }
        }
        #expect(covered >= 14, "the 90% interval held the truth for \(covered) of 20 ladders")
        print("two-step bootstrap coverage: \(covered) of 20")
    }

    /// Group resampling keeps whole groups in both stages; labels must match the models.
    @Test func bootstrapByGroups() async throws {
        let data = Self.ladder()
        let model = TwoStepFit()
        let result = try model.fit(scale: data.scale, loss: data.loss, accuracy: data.accuracy)
        let groups = (0..<12).map { $0 / 2 }
        let grouped = try await model.bootstrap(
            scale: data.scale, loss: data.loss, accuracy: data.accuracy, result: result, at: [1e11],
            options: BootstrapOptions(replicates: 50, seed: 3, resampling: .groups(groups)))
        #expect(grouped.succeeded > 0)
        await #expect(throws: FitInputError.self) {
            try await model.bootstrap(
                scale: data.scale, loss: data.loss, accuracy: data.accuracy, result: result, at: [1e11],
                options: BootstrapOptions(replicates: 5, resampling: .groups([0, 1, 2])))
        }
    }

    @Test func resultRoundTripsThroughJSON() throws {
        let data = Self.ladder()
        let result = try TwoStepFit(lossLaw: BrokenNeuralScalingLaw(breaks: 1))
            .fit(scale: data.scale, loss: data.loss, accuracy: data.accuracy)
        let encoder = JSONEncoder()
        // A FitResult may hold NaN (the RMSE when the Jacobian is not finite), which plain JSON cannot.
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let decoded = try decoder.decode(TwoStepResult.self, from: try encoder.encode(result))
        #expect(decoded.lossLaw.name == "bnsl1")
        #expect(decoded.predictAccuracy(1e11) == result.predictAccuracy(1e11))

        // A loss law that cannot be rebuilt by name is a decoding error, not a crash later.
        let json = String(decoding: try encoder.encode(result), as: UTF8.self)
        let renamed = json.replacingOccurrences(of: "\"law\":\"bnsl1\"", with: "\"law\":\"mystery\"")
        #expect(renamed != json)
        #expect(throws: DecodingError.self) { try decoder.decode(TwoStepResult.self, from: Data(renamed.utf8)) }
    }

    /// Each refusal is a FitInputError whose message names the problem (and the stage).
    static func refusal(_ scale: [Double], _ loss: [Double], _ accuracy: [Double], using fit: TwoStepFit = TwoStepFit(),
                        sourceLocation: SourceLocation = #_sourceLocation) -> String {
        do {
            _ = try fit.fit(scale: scale, loss: loss, accuracy: accuracy)
            Issue.record("the two-step fit accepted the data", sourceLocation: sourceLocation)
            return ""
        } catch {
            return error.description
        }
    }

    @Test func validation() {
        let data = Self.ladder()
        let lengths = Self.refusal(data.scale, data.loss, Array(data.accuracy.dropLast()))
        #expect(lengths.contains("scale has 12 values, loss 12 and accuracy 11"), "\(lengths)")

        let few = Self.refusal(Array(data.scale.prefix(5)), Array(data.loss.prefix(5)), Array(data.accuracy.prefix(5)))
        #expect(few.contains("5 models"), "\(few)")
        #expect(few.contains("need at least 6"), "\(few)")

        var accuracy = data.accuracy
        accuracy[4] = .nan
        let nan = Self.refusal(data.scale, data.loss, accuracy)
        #expect(nan.hasPrefix("stage 2 (sigmoid-of-loss"), "\(nan)")
        #expect(nan.contains("y at point 5 is nan"), "\(nan)")

        var loss = data.loss
        loss[2] = -1
        let negative = Self.refusal(data.scale, loss, data.accuracy)
        #expect(negative.hasPrefix("stage 1 (power"), "\(negative)")
        #expect(negative.contains("log residuals need y > 0"), "\(negative)")

        let flat = Self.refusal(data.scale, data.loss, data.accuracy.map { _ in 0.25 })
        #expect(flat.hasPrefix("stage 2"), "\(flat)")
        #expect(flat.contains("y is constant"), "\(flat)")

        let twoInputs = Self.refusal(data.scale, data.loss, data.accuracy, using: TwoStepFit(lossLaw: ChinchillaLaw()))
        #expect(twoInputs.contains("chinchilla takes 2 inputs"), "\(twoInputs)")
    }

    @Test func bootstrapValidation() async throws {
        let data = Self.ladder()
        let model = TwoStepFit()
        let result = try model.fit(scale: data.scale, loss: data.loss, accuracy: data.accuracy)
        for (options, at, expected) in [
            (BootstrapOptions(replicates: 10, level: 1.5), [1e11], "level 1.5"),
            (BootstrapOptions(replicates: 0), [1e11], "0 bootstrap replicates"),
            (BootstrapOptions(replicates: 10), [-1.0], "prediction scale -1.0"),
        ] {
            do {
                _ = try await model.bootstrap(scale: data.scale, loss: data.loss, accuracy: data.accuracy, result: result, at: at, options: options)
                Issue.record("accepted \(expected)")
            } catch {
                #expect(error.description.contains(expected), "\(error.description)")
            }
        }
        let other = try TwoStepFit(lossLaw: BrokenNeuralScalingLaw(breaks: 1)).fit(scale: data.scale, loss: data.loss, accuracy: data.accuracy)
        do {
            _ = try await model.bootstrap(scale: data.scale, loss: data.loss, accuracy: data.accuracy, result: other, at: [1e11],
                                          options: BootstrapOptions(replicates: 10))
            Issue.record("accepted a result of another loss law")
        } catch {
            #expect(error.description.contains("bnsl1"), "\(error.description)")
        }
    }
}
