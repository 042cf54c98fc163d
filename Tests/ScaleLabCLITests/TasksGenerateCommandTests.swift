import Foundation
import Testing
import ScaleLabTestSupport

/// `scalelab tasks generate` end to end: run the binary, parse the JSONL, check the answers.
@Suite struct TasksGenerateCommandTests {
    let folder = TemporaryFolder()

    private func lines(_ text: String) -> [[String: Any]] {
        text.split(separator: "\n").compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] }
    }

    /// The acceptance run of issue 7. Digests from Python:
    /// `d = b"abc"; for i in range(n): d = hashlib.sha256(d).digest()` → `d.hex()`.
    @Test func sha256GridMatchesHashlib() throws {
        let result = try CLI.run(["tasks", "generate", "--family", "sha256", "--n", "1,10,100,1000000"])
        #expect(result.status == 0, "\(result.stderr)")
        let samples = lines(result.stdout)
        #expect(samples.count == 4)
        let expected = [
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
            "10e286f907c0fe9f02cea3864cbaec04ae47e2c0a13b60473bc9968a4851b219",
            "45b9d3cf77ffa0063dc37b84bcb3db9cef42eac523ec3f6a3ead7e40d2c4776b",
            "469fc8f9ff7238f035d2cd693c505b2b6fbfc38437ae45a70b5312fe1f052471",
        ]
        #expect(samples.compactMap { $0["target"] as? String } == expected)
        #expect(samples.compactMap { $0["id"] as? String } == ["sha256-n1", "sha256-n10", "sha256-n100", "sha256-n1000000"])
        let metadata = samples.last?["metadata"] as? [String: Any] ?? [:]
        #expect(metadata["n"] as? Double == 1_000_000 && metadata["required_steps"] as? Double == 1_000_000)
        #expect(metadata["family"] as? String == "sha256")
        // Keys sorted: the line starts with "id" and metadata's keys are in order.
        #expect(result.stdout.hasPrefix("{\"id\":\"sha256-n1\",\"input\":"))
    }

    @Test func writesAFileAndOtherFamilies() throws {
        let output = folder.path("sum.jsonl")
        let result = try CLI.run(["tasks", "generate", "--family", "sum", "--n", "10,1e20", "-o", output])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.isEmpty && result.stderr.contains("wrote 2 tasks"))
        let samples = lines(try String(contentsOfFile: output, encoding: .utf8))
        #expect(samples.compactMap { $0["target"] as? String } == ["55", "5000000000000000000050000000000000000000"])

        let graphs = try CLI.run(["tasks", "generate", "--family", "step-graph", "--n", "3,6", "--count", "4", "--seed", "11"])
        let again = try CLI.run(["tasks", "generate", "--family", "step-graph", "--n", "3,6", "--count", "4", "--seed", "11"])
        #expect(graphs.status == 0, "\(graphs.stderr)")
        #expect(lines(graphs.stdout).count == 8 && graphs.stdout == again.stdout)

        let hex = try CLI.run(["tasks", "generate", "--family", "sha256-hex", "--n", "2"])
        #expect(lines(hex.stdout).first?["target"] as? String == "dfe7a23fefeea519e9bbfdd1a6be94c4b2e4529dd6b7cbea83f9959c2621b13c")
    }

    @Test func badInputSaysWhatToFix() throws {
        let unknown = try CLI.run(["tasks", "generate", "--family", "sha512", "--n", "10"])
        #expect(unknown.status == 1 && unknown.stderr.contains("known families: sha256, sha256-hex, sum, step-graph"), "\(unknown.stderr)")
        let zero = try CLI.run(["tasks", "generate", "--family", "sum", "--n", "0,10"])
        #expect(zero.status == 1 && zero.stderr.contains("at least 1"), "\(zero.stderr)")
        let fraction = try CLI.run(["tasks", "generate", "--family", "sum", "--n", "2.5"])
        #expect(fraction.status == 1 && fraction.stderr.contains("not a whole number"), "\(fraction.stderr)")
        let output = folder.path("big.jsonl")
        let huge = try CLI.run(["tasks", "generate", "--family", "sha256", "--n", "10,1e12", "-o", output])
        #expect(huge.status == 1 && huge.stderr.contains("--max-n") && huge.stderr.contains("steps/s"), "\(huge.stderr)")
        #expect(!FileManager.default.fileExists(atPath: output))
        let count = try CLI.run(["tasks", "generate", "--family", "sha256", "--n", "10", "--count", "3"])
        #expect(count.status == 1 && count.stderr.contains("step-graph only"), "\(count.stderr)")
    }
}
