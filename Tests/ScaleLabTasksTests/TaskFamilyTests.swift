import Foundation
import Testing
import ScaleLabTasks

/// Reference values computed independently with Python's hashlib and integers (python3 3.x):
///   d = b"abc"; for i in range(1, n + 1): d = hashlib.sha256(d).digest()      → d.hex()
///   h = "abc";  for i in range(1, n + 1): h = hashlib.sha256(h.encode()).hexdigest()
///   n * (n + 1) // 2
enum Reference {
    static let digest: [UInt64: String] = [
        1: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        2: "4f8b42c22dd3729b519ba6f68d2da7cc5b2d606d05daed5ad5128cc03e6c6358",
        10: "10e286f907c0fe9f02cea3864cbaec04ae47e2c0a13b60473bc9968a4851b219",
        100: "45b9d3cf77ffa0063dc37b84bcb3db9cef42eac523ec3f6a3ead7e40d2c4776b",
        1000: "fc8a6b86a13f71cd9a67f558ab6fd82a3dd89186163a017ed8051acf6d3f8f99",
        1_000_000: "469fc8f9ff7238f035d2cd693c505b2b6fbfc38437ae45a70b5312fe1f052471",
    ]
    static let hex: [UInt64: String] = [
        1: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        2: "dfe7a23fefeea519e9bbfdd1a6be94c4b2e4529dd6b7cbea83f9959c2621b13c",
        10: "26378b5969f1b7fa4e73fe4d87cc8996e29bb1b2ad0e9a19cd207986664f7285",
        100: "4778cd56b89bfa0d4abf1f732f840800cf5dd0cd3cc104f75be6d6179afc0681",
        1000: "a933137af5731d3425d5119ebcae5f5580730859d8dd751eb9fec030167c92df",
    ]
    static let sums: [(String, String)] = [
        ("10", "55"),
        ("100000000000000000000", "5000000000000000000050000000000000000000"),
        ("123456789012345678901234567890", "7620789376619418375247675781329827788257125439388126809995"),
    ]
}

@Suite struct TaskFamilyTests {
    @Test func sha256DigestChainMatchesHashlib() throws {
        let family = try TaskFamilies.family(named: "sha256")
        let grid = try TaskGrid.parse("1e6,1,10,100,2,1000")
        let samples = try family.generate(grid, options: TaskGenerationOptions())
        #expect(samples.compactMap { $0.metadata["n"]?.number } == [1, 2, 10, 100, 1000, 1_000_000])
        for sample in samples {
            let n = UInt64(sample.metadata["n"]!.number!)
            #expect(sample.target == Reference.digest[n], "n = \(n)")
            #expect(sample.metadata["required_steps"] == .number(Double(n)))
            #expect(sample.metadata["family"] == .string("sha256") && sample.metadata["variant"] == .string("digest"))
            #expect(sample.input.contains("\"abc\"") && sample.input.contains("32-byte binary digest") && sample.input.contains("\(n)"))
        }
    }

    @Test func sha256HexChainMatchesHashlib() throws {
        for (n, expected) in Reference.hex {
            #expect(Sha256Chain.answer(n, variant: .hex) == expected, "n = \(n)")
        }
        let samples = try Sha256Family(variant: .hex).generate([BigUnsigned(10)], options: TaskGenerationOptions())
        #expect(samples.first?.id == "sha256-hex-n10" && samples.first?.target == Reference.hex[10])
        #expect(samples.first?.input.contains("64 lowercase hexadecimal characters") == true)
    }

    @Test func chainsResumeAndTheFileCacheIsReused() throws {
        var chain = Sha256Chain(variant: .digest)
        chain.advance(by: 10)
        chain.advance(by: 90)
        #expect(chain.hexDigest == Reference.digest[100])

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sha-cache-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let first = Sha256ChainCache()
        let calls = Counter()
        _ = try first.answers([10, 1000], variant: .digest, directory: folder) { done, total in calls.record(done, total) }
        #expect(calls.lastTotal == 1000 && calls.lastDone == 1000)
        // A fresh cache reads the file: 1000 is known, 1001 needs one step.
        let second = Sha256ChainCache()
        let resumed = Counter()
        let answers = try second.answers([1000, 1001], variant: .digest, directory: folder) { done, total in resumed.record(done, total) }
        #expect(answers[1000] == Reference.digest[1000])
        #expect(resumed.lastTotal == 1)
        #expect(answers[1001] == Sha256Chain.answer(1001, variant: .digest))
    }

    @Test func sumIsExactBeyondSixtyFourBits() throws {
        for (n, expected) in Reference.sums {
            #expect(SumFamily.sum(BigUnsigned(decimal: n)!).description == expected, "n = \(n)")
        }
        let samples = try SumFamily().generate(try TaskGrid.parse("10,1e20,123456789012345678901234567890"), options: TaskGenerationOptions())
        #expect(samples.map(\.target) == Reference.sums.map(\.1))
        #expect(samples[0].metadata["n"] == .number(10))
        #expect(samples[1].metadata["n"] == .string("100000000000000000000"))
        #expect(samples[2].metadata["required_steps"] == .string("123456789012345678901234567890"))
        #expect(samples.allSatisfy { $0.metadata["shortcut"] == .bool(true) })
    }

    @Test func bigUnsignedArithmetic() {
        let a = BigUnsigned(decimal: "18446744073709551616")!  // 2^64
        #expect(a.uint64 == nil && a.limbs == [0, 0, 1])
        #expect((a * a).description == "340282366920938463463374607431768211456")  // 2^128
        #expect((BigUnsigned(UInt64.max) + BigUnsigned(1)) == a)
        var b = BigUnsigned(decimal: "1000000000000000000000")!
        #expect(b.divide(by: 7) == 6 && b.description == "142857142857142857142")
        #expect(BigUnsigned(decimal: "000123")?.description == "123" && BigUnsigned(decimal: "0")?.isZero == true)
        #expect(BigUnsigned(decimal: "12a") == nil && BigUnsigned(decimal: "") == nil && BigUnsigned(decimal: "-1") == nil)
    }

    @Test func gridParsing() throws {
        #expect(try TaskGrid.parse("1,10,100,1e6").map(\.description) == ["1", "10", "100", "1000000"])
        #expect(try TaskGrid.parse("10^7, 2.5e3, 10, 10").map(\.description) == ["10", "2500", "10000000"])
        #expect(try TaskGrid.parse("1e30").first?.description == "1" + String(repeating: "0", count: 30))
        #expect(throws: TaskFamilyError.notPositive("0")) { try TaskGrid.parse("1,0") }
        #expect(throws: TaskFamilyError.notPositive("-5")) { try TaskGrid.parse("-5") }
        #expect(throws: TaskFamilyError.notAnInteger("1.5")) { try TaskGrid.parse("1.5") }
        #expect(throws: TaskFamilyError.notAnInteger("1e-3")) { try TaskGrid.parse("1e-3") }
        #expect(throws: TaskFamilyError.notAnInteger("ten")) { try TaskGrid.parse("ten") }
        #expect(throws: TaskFamilyError.emptyGrid) { try TaskGrid.parse(" , ") }
    }

    @Test func badInputIsRefusedBeforeWork() throws {
        do {
            _ = try TaskFamilies.family(named: "sha512")
            Issue.record("an unknown family was accepted")
        } catch let error as TaskFamilyError {
            #expect(error.description.contains("sha256, sha256-hex, sum, step-graph"))
        }
        let family = try TaskFamilies.family(named: "sha256")
        do {
            try family.check(try TaskGrid.parse("10,1e10"), maxN: family.defaultMaxN)
            Issue.record("n = 1e10 was accepted under the default limit")
        } catch let error as TaskFamilyError {
            #expect(error.description.contains("10000000000") && error.description.contains("--max-n"))
            #expect(error.description.contains("steps/s"))
        }
        try family.check(try TaskGrid.parse("1e10"), maxN: BigUnsigned.powerOfTen(10))
        #expect(throws: TaskFamilyError.self) { try StepGraphFamily().check([BigUnsigned(51)], maxN: StepGraphFamily().defaultMaxN) }
        #expect(throws: TaskFamilyError.badCount(0)) {
            try StepGraphFamily().generate([BigUnsigned(3)], options: TaskGenerationOptions(count: 0))
        }
    }

    @Test func stepGraphsAreDeterministicAndTargetsFollowFromSteps() throws {
        let family = StepGraphFamily()
        let grid = [BigUnsigned(1), BigUnsigned(4), BigUnsigned(8)]
        let first = try family.generate(grid, options: TaskGenerationOptions(seed: 7, count: 10))
        let again = try family.generate(grid, options: TaskGenerationOptions(seed: 7, count: 10))
        let other = try family.generate(grid, options: TaskGenerationOptions(seed: 8, count: 10))
        #expect(first == again)
        #expect(first.map(\.input) != other.map(\.input))
        #expect(first.count == 30 && Set(first.map(\.id)).count == 30)
        #expect(first.contains { $0.metadata["ordered"] == .bool(true) } && first.contains { $0.metadata["ordered"] == .bool(false) })
        #expect(first.contains { ($0.metadata["optional_steps"]?.number ?? 0) > 0 })

        for index in 0..<10 {
            for steps in [1, 4, 8] {
                let graph = StepGraph.generate(steps: steps, hardness: 1 + index % 5, seed: 7, index: index)
                #expect(graph.steps.count == steps && graph.hardness == 1 + index % 5)
                #expect(graph.steps.last?.required == true)
                // Recompute every step's answer from its own parameters and the carry chain.
                var carry: Int? = nil
                for step in graph.steps {
                    let c = graph.ordered && step.required ? carry : nil
                    #expect(Self.solve(step, carry: c ?? 0) == step.answer, "\(step.text)")
                    if graph.ordered && step.required { carry = StepGraph.carry(after: step.answer) }
                }
                #expect(graph.target == graph.steps.filter(\.required).map(\.answer).joined(separator: " | "))
            }
        }
    }

    @Test func stepGraphHardnessAndLengthVaryIndependently() throws {
        let samples = try StepGraphFamily().generate([BigUnsigned(2), BigUnsigned(12)], options: TaskGenerationOptions(seed: 3, count: 5))
        let short = samples.filter { $0.metadata["steps"] == .number(2) }
        let long = samples.filter { $0.metadata["steps"] == .number(12) }
        #expect(short.compactMap { $0.metadata["hardness"]?.number } == [1, 2, 3, 4, 5])
        #expect(long.compactMap { $0.metadata["hardness"]?.number } == [1, 2, 3, 4, 5])
        #expect(long.allSatisfy { $0.metadata["step_kinds"]?.string?.split(separator: ",").count == 12 })
    }

    /// An independent solver that reads the step's own text (the numbers in it) and applies the kind's rule.
    static func solve(_ step: TaskStep, carry c: Int) -> String {
        let text = step.text
        switch step.kind {
        case .sha256:
            let word = text.split(separator: "\"")[1]
            let times = Int(text.split(separator: "SHA-256 ")[1].split(separator: " ")[0])! + c
            var data = Data(word.utf8)
            for _ in 0..<times { data = Data(Sha256Chain.answer(1, variant: .digest, start: Array(data)).hexBytes) }
            return data.map { String(format: "%02x", $0) }.joined()
        case .sum:
            let k = UInt64(text.split(separator: "(").last!.split(whereSeparator: { !$0.isNumber })[0])! + UInt64(c)
            return SumFamily.sum(BigUnsigned(k)).description
        case .sort:
            let list = text.split(separator: ":").last!.split(separator: ";")[0]
            return list.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces))! + c }.sorted().map(String.init).joined(separator: ", ")
        case .count:
            let letter = text.split(separator: "'")[1].first!
            let string = text.split(separator: "\"")[1]
            return String(string.filter { $0 == letter }.count + c)
        }
    }
}

private extension String {
    var hexBytes: [UInt8] {
        stride(from: 0, to: count, by: 2).map { offset in
            let start = index(startIndex, offsetBy: offset)
            return UInt8(self[start..<index(start, offsetBy: 2)], radix: 16)!
        }
    }
}

/// Records the last progress call; progress comes synchronously from the computing thread.
private final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var lastDone: UInt64 = 0
    private(set) var lastTotal: UInt64 = 0
    func record(_ done: UInt64, _ total: UInt64) {
        lock.lock()
        lastDone = done
        lastTotal = total
        lock.unlock()
    }
}
