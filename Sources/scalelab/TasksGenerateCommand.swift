import ArgumentParser
import Foundation
import ScaleLabTasks

struct TasksGenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Generate tasks of a family as JSONL (Inspect dataset samples: id, input, target, metadata).",
        discussion: """
            Families (n is each family's size parameter):
              sha256      SHA-256 applied n times to "abc", each step hashing
                          the previous 32-byte digest; answer in lowercase hex
              sha256-hex  the same, each step hashing the previous digest's
                          64-character lowercase hex text
              sum         the exact sum 1 + ... + n, for any n (n additions by
                          enumeration, O(1) with Gauss's formula)
              step-graph  n checkable steps (sha256, sum, sort, count),
                          required or optional, ordered or not; --count tasks
                          per n, their hardness 1..5 in turn

            n is a comma-separated grid of whole numbers: 1000000, 1e6, 10^6.
            Each family has a limit on n (sha256: 10^9 steps, minutes of
            hashing; step-graph: 50 steps) that --max-n raises; an n above it
            is refused before any work, with the time it would take. SHA-256
            chains run once along the sorted grid (10^6 and 10^7 share their
            prefix); --cache keeps their answers in a folder for later runs.
            One task per line, keys sorted; with -o the file is written whole
            or not at all.

            Examples:
              scalelab tasks generate --family sha256 --n 1,10,100,1000000 > t.jsonl
              scalelab tasks generate --family sha256-hex --n 1e6,1e7 --cache ~/.cache/sl
              scalelab tasks generate --family sum --n 10,1e20,12345678901234567890123
              scalelab tasks generate --family step-graph --n 2,8 --count 10 --seed 7
            """
    )

    @Option(name: .long, help: ArgumentHelp("Task family: sha256, sha256-hex, sum or step-graph.", valueName: "name"))
    var family: String

    @Option(name: .customLong("n"), help: ArgumentHelp("Grid of n, comma-separated (e.g. 1,10,100,1e6).", valueName: "grid"))
    var grid: String

    @Option(name: .long, help: "Seed of the families that draw (step-graph).")
    var seed: UInt64 = 0

    @Option(name: .long, help: ArgumentHelp("Tasks per n (step-graph only).", valueName: "k"))
    var count: Int?

    @Option(name: .customLong("max-n"), help: ArgumentHelp("Raise (or lower) the family's limit on n.", valueName: "n"))
    var maxN: String?

    @Option(name: .long, help: ArgumentHelp("Folder to cache SHA-256 chain answers in, reused by later runs.", valueName: "folder"))
    var cache: String?

    @Option(name: [.short, .customLong("output")], help: ArgumentHelp("Write the JSONL here instead of stdout.", valueName: "file"))
    var output: String?

    func validate() throws {
        if let count, count < 1 { throw ValidationError("--count must be at least 1 (tasks per n)") }
        if count != nil && family != "step-graph" { throw ValidationError("--count applies to step-graph only; the other families give one task per n") }
    }

    func run() throws {
        do {
            let chosen = try TaskFamilies.family(named: family)
            let ns = try TaskGrid.parse(grid)
            var limit = chosen.defaultMaxN
            if let maxN {
                let parsed = try TaskGrid.parse(maxN)
                guard parsed.count == 1 else { throw UserError("--max-n takes one number, e.g. 1e10") }
                limit = parsed[0]
            }
            try chosen.check(ns, maxN: limit)
            let progress = ProgressLine(label: family)
            let options = TaskGenerationOptions(
                seed: seed, count: count ?? 1, cacheDirectory: cache.map { URL(fileURLWithPath: NSString(string: $0).expandingTildeInPath) },
                progress: { done, total in progress.report(done, total) })
            let samples = try chosen.generate(ns, options: options)
            progress.finish()
            let lines = try TaskJSONL.write(samples)
            if let output {
                // .atomic writes a temporary file and renames it: an interrupted run leaves no partial file.
                try lines.write(to: URL(fileURLWithPath: output), options: .atomic)
                Terminal.note("wrote \(samples.count) task\(samples.count == 1 ? "" : "s") to \(output)")
            } else {
                Terminal.write(String(decoding: lines, as: UTF8.self))
            }
        } catch let error as TaskFamilyError {
            throw UserError(error.description)
        }
    }
}

/// Progress of long computations on stderr, at most every 5% (silent for short ones).
private final class ProgressLine: @unchecked Sendable {
    private let label: String
    private let lock = NSLock()
    private var lastShare = -1
    private var shown = false
    private let began = Date()

    init(label: String) { self.label = label }

    func report(_ done: UInt64, _ total: UInt64) {
        // Short runs stay silent; the first report waits for a block of steps so the rate means something.
        guard total >= 4_000_000, done >= 1 << 20 || done == total else { return }
        let share = Int(Double(done) / Double(total) * 20)
        lock.lock()
        defer { lock.unlock() }
        guard share > lastShare else { return }
        lastShare = share
        shown = true
        let elapsed = Date().timeIntervalSince(began)
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        let left = rate > 0 ? Double(total - done) / rate : 0
        let percent = String(format: "%.0f", Double(done) / Double(total) * 100)
        Terminal.note("\(label): \(Show.count(Int(done))) / \(Show.count(Int(total))) steps (\(percent)%), "
            + String(format: "%.3g steps/s, about %.0f s left", rate, left))
    }

    func finish() {
        lock.lock()
        defer { lock.unlock() }
        if shown { Terminal.note("\(label): done in \(String(format: "%.1f", Date().timeIntervalSince(began))) s") }
    }
}
