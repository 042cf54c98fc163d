import Foundation
import ScaleLabTasks

// SHA-256 chain speed: sha256ⁿ("abc") on the 32-byte digest, ScaleLab (swift-crypto) against
// Python's hashlib doing the same chain in a subprocess, in one run; both final digests must
// agree. Usage: TaskBench [n] (default 10^7). Run in release:
//   swift run -c release TaskBench

let arguments = CommandLine.arguments.dropFirst()
let n = arguments.first.flatMap { UInt64($0) } ?? 10_000_000

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
}

let clock = ContinuousClock()
let began = clock.now
let swiftDigest = Sha256Chain.answer(n, variant: .digest)
let swiftSeconds = seconds(began.duration(to: clock.now))
let swiftRate = Double(n) / swiftSeconds

// The loop is timed inside Python, so interpreter start-up is not counted against it.
let script = """
    import hashlib, sys, time
    n = int(sys.argv[1]); d = b"abc"; h = hashlib.sha256; t = time.perf_counter()
    for _ in range(n): d = h(d).digest()
    print(d.hex(), time.perf_counter() - t)
    """
let process = Process()
process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
process.arguments = ["python3", "-c", script, String(n)]
let pipe = Pipe()
process.standardOutput = pipe
do {
    try process.run()
} catch {
    print("TaskBench: could not start python3 (\(error)); ScaleLab alone: \(String(format: "%.3g", swiftRate)) steps/s")
    exit(1)
}
let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
process.waitUntilExit()
let fields = output.split(whereSeparator: \.isWhitespace)
guard process.terminationStatus == 0, fields.count == 2, let pythonSeconds = Double(fields[1]) else {
    print("TaskBench: python3 failed (status \(process.terminationStatus)): \(output)")
    exit(1)
}
let pythonDigest = String(fields[0])
let pythonRate = Double(n) / pythonSeconds

print("sha256^n(\"abc\"), n = \(n), chained on the 32-byte digest")
print(String(format: "ScaleLab (swift-crypto): %.3f s, %.3g steps/s", swiftSeconds, swiftRate))
print(String(format: "python3 hashlib:         %.3f s, %.3g steps/s", pythonSeconds, pythonRate))
print(String(format: "ratio ScaleLab / hashlib: %.2f× (target ≥ 1×)", swiftRate / pythonRate))
print("final digests \(swiftDigest == pythonDigest ? "agree" : "DIFFER"): \(swiftDigest)" + (swiftDigest == pythonDigest ? "" : " vs \(pythonDigest)"))
if swiftDigest != pythonDigest { exit(1) }
