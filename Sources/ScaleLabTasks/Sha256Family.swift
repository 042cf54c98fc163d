import Crypto
import Foundation

/// How each step of a SHA-256 chain reads the previous step.
public enum Sha256ChainVariant: String, Sendable, CaseIterable, Codable {
    /// Step i ≥ 2 hashes the previous step's 32-byte binary digest.
    case digest
    /// Step i ≥ 2 hashes the previous digest written as 64 lowercase hex characters (UTF-8).
    case hex

    /// The family's command-line name.
    public var familyName: String { self == .digest ? "sha256" : "sha256-hex" }
}

/// sha256ⁿ("abc"): x₀ = the three bytes of "abc", xᵢ = SHA-256(xᵢ₋₁), answer xₙ in lowercase hex.
///
/// There is no known shortcut: n steps take n sequential hash evaluations, so human (and
/// tool-less model) time grows linearly in n while the answer is checkable exactly. The state
/// after step i is the 32-byte digest; both variants are resumed from it, which is what lets a
/// sorted grid be computed in one pass (10⁶ and 10⁷ share their first 10⁶ steps).
public struct Sha256Chain: Sendable, Hashable {
    public static let start: [UInt8] = Array("abc".utf8)

    public let variant: Sha256ChainVariant
    /// The bytes the first step hashes ("abc" for the families; other words in step graphs).
    public let start: [UInt8]
    /// Steps done so far.
    public private(set) var steps: UInt64 = 0
    /// The digest after `steps` steps (empty before the first).
    public private(set) var digest: [UInt8] = []

    public init(variant: Sha256ChainVariant, start: [UInt8] = Sha256Chain.start) {
        self.variant = variant
        self.start = start
    }

    /// Resumes a chain at a known answer (e.g. from a cache).
    public init(variant: Sha256ChainVariant, start: [UInt8] = Sha256Chain.start, steps: UInt64, digest: [UInt8]) {
        precondition(steps == 0 ? digest.isEmpty : digest.count == 32, "a chain state is a 32-byte digest")
        self.variant = variant
        self.start = start
        self.steps = steps
        self.digest = digest
    }

    /// The answer after `steps` steps, as lowercase hex ("" before the first step).
    public var hexDigest: String { Sha256Chain.hex(digest) }

    /// Runs `count` more steps. `progress` is called with the steps done in this call every 2²⁰ steps.
    public mutating func advance(by count: UInt64, progress: ((UInt64) -> Void)? = nil) {
        guard count > 0 else { return }
        var remaining = count
        if steps == 0 {
            digest = Array(SHA256.hash(data: start))
            steps = 1
            remaining -= 1
        }
        let block: UInt64 = 1 << 20
        while remaining > 0 {
            let now = min(remaining, block)
            switch variant {
            case .digest: Sha256Chain.chainDigests(&digest, steps: now)
            case .hex: Sha256Chain.chainHex(&digest, steps: now)
            }
            steps += now
            remaining -= now
            progress?(count - remaining)
        }
    }

    /// The answer after n steps from the start.
    public static func answer(_ n: UInt64, variant: Sha256ChainVariant, start: [UInt8] = Sha256Chain.start) -> String {
        var chain = Sha256Chain(variant: variant, start: start)
        chain.advance(by: n)
        return chain.hexDigest
    }

    /// Hashes a fixed 32-byte buffer in place: no allocation per step.
    private static func chainDigests(_ digest: inout [UInt8], steps: UInt64) {
        digest.withUnsafeMutableBytes { buffer in
            let input = UnsafeRawBufferPointer(buffer)
            for _ in 0..<steps {
                SHA256.hash(data: input).withUnsafeBytes { buffer.copyMemory(from: $0) }
            }
        }
    }

    /// Hashes a fixed 64-byte hex buffer, rewriting it from each digest.
    private static func chainHex(_ digest: inout [UInt8], steps: UInt64) {
        var text = [UInt8](repeating: 0, count: 64)
        text.withUnsafeMutableBytes { hexBuffer in
            digest.withUnsafeMutableBytes { digestBuffer in
                writeHex(UnsafeRawBufferPointer(digestBuffer), into: hexBuffer)
                for _ in 0..<steps {
                    SHA256.hash(data: UnsafeRawBufferPointer(hexBuffer)).withUnsafeBytes { digestBuffer.copyMemory(from: $0) }
                    writeHex(UnsafeRawBufferPointer(digestBuffer), into: hexBuffer)
                }
            }
        }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    private static func writeHex(_ bytes: UnsafeRawBufferPointer, into text: UnsafeMutableRawBufferPointer) {
        hexDigits.withUnsafeBufferPointer { digits in
            for index in 0..<bytes.count {
                let byte = bytes[index]
                text[2 * index] = digits[Int(byte >> 4)]
                text[2 * index + 1] = digits[Int(byte & 0x0f)]
            }
        }
    }

    public static func hex(_ bytes: [UInt8]) -> String {
        String(decoding: bytes.flatMap { [hexDigits[Int($0 >> 4)], hexDigits[Int($0 & 0x0f)]] }, as: UTF8.self)
    }

    static func bytes(hex text: String) -> [UInt8]? {
        let characters = Array(text.utf8)
        guard characters.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(characters.count / 2)
        for index in stride(from: 0, to: characters.count, by: 2) {
            guard let high = hexDigits.firstIndex(of: characters[index]), let low = hexDigits.firstIndex(of: characters[index + 1]) else { return nil }
            bytes.append(UInt8(high << 4 | low))
        }
        return bytes
    }

    /// Steps per second on this machine, timed over `steps` steps.
    public static func measuredRate(variant: Sha256ChainVariant, steps: UInt64 = 200_000) -> Double {
        var chain = Sha256Chain(variant: variant)
        let clock = ContinuousClock(), began = clock.now
        chain.advance(by: steps)
        let elapsed = began.duration(to: clock.now)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        return Double(steps) / max(seconds, 1e-9)
    }
}

/// Answers of SHA-256 chains computed so far, in memory per variant and optionally in a file
/// per variant under a folder (`sha256-<variant>-chain.tsv`: lines `n<TAB>hex`), so a grid up to
/// 10⁷ is computed once. A new n resumes from the largest known n below it.
public final class Sha256ChainCache: @unchecked Sendable {
    public static let shared = Sha256ChainCache()

    private let lock = NSLock()
    private var known: [Sha256ChainVariant: [UInt64: [UInt8]]] = [:]
    private var loadedFolders: Set<String> = []

    public init() {}

    /// The answers (lowercase hex) for every n; `progress` gets (steps done, steps needed).
    public func answers(_ ns: [UInt64], variant: Sha256ChainVariant, directory: URL? = nil,
                        progress: ((UInt64, UInt64) -> Void)? = nil) throws -> [UInt64: String] {
        lock.lock()
        defer { lock.unlock() }
        if let directory { load(directory, variant: variant) }
        var table = known[variant] ?? [:]
        let sorted = Set(ns).sorted()
        let missing = sorted.filter { table[$0] == nil }
        // The work is the distance from each missing n to the nearest known n below it.
        var total: UInt64 = 0, reach: UInt64 = 0
        for n in missing {
            let below = max(reach, table.keys.filter { $0 <= n }.max() ?? 0)
            total += n - below
            reach = n
        }
        var done: UInt64 = 0
        var chain = Sha256Chain(variant: variant)
        for n in missing {
            if let resume = table.keys.filter({ $0 <= n }).max(), resume > chain.steps {
                chain = Sha256Chain(variant: variant, steps: resume, digest: table[resume]!)
            }
            let work = n - chain.steps, base = done
            chain.advance(by: work) { progress?(base + $0, total) }
            done += work
            table[n] = chain.digest
        }
        known[variant] = table
        if let directory, !missing.isEmpty { try save(directory, variant: variant) }
        return Dictionary(uniqueKeysWithValues: sorted.map { ($0, Sha256Chain.hex(table[$0]!)) })
    }

    private func file(_ directory: URL, variant: Sha256ChainVariant) -> URL {
        directory.appendingPathComponent("sha256-\(variant.rawValue)-chain.tsv")
    }

    private func load(_ directory: URL, variant: Sha256ChainVariant) {
        let url = file(directory, variant: variant)
        guard loadedFolders.insert(url.path).inserted, let text = try? String(contentsOf: url, encoding: .utf8) else { return }
        var table = known[variant] ?? [:]
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: "\t")
            // A damaged line is skipped: it is recomputed, never trusted.
            guard fields.count == 2, let n = UInt64(fields[0]), n > 0,
                  let digest = Sha256Chain.bytes(hex: String(fields[1])), digest.count == 32 else { continue }
            table[n] = digest
        }
        known[variant] = table
    }

    private func save(_ directory: URL, variant: Sha256ChainVariant) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let lines = (known[variant] ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)\t\(Sha256Chain.hex($0.value))\n" }
        try Data(lines.joined().utf8).write(to: file(directory, variant: variant), options: .atomic)
    }
}

/// The `sha256` and `sha256-hex` task families.
public struct Sha256Family: TaskFamily {
    public let variant: Sha256ChainVariant

    public init(variant: Sha256ChainVariant) { self.variant = variant }

    public var name: String { variant.familyName }

    public var summary: String {
        switch variant {
        case .digest: return "SHA-256 applied n times to \"abc\", each step hashing the previous 32-byte digest; answer in lowercase hex"
        case .hex: return "SHA-256 applied n times to \"abc\", each step hashing the previous digest's lowercase hex text; answer in lowercase hex"
        }
    }

    /// 10⁹ sequential hashes: a few minutes on one core.
    public var defaultMaxN: BigUnsigned { BigUnsigned.powerOfTen(9) }

    public func check(_ grid: [BigUnsigned], maxN: BigUnsigned) throws {
        guard !grid.isEmpty else { throw TaskFamilyError.emptyGrid }
        for n in grid {
            if n.isZero { throw TaskFamilyError.notPositive(n.description) }
            if n > maxN || n.uint64 == nil {
                throw TaskFamilyError.tooLarge(family: name, n: n, maxN: maxN, estimate: estimate(n))
            }
        }
    }

    /// The time n steps take at the rate measured now.
    private func estimate(_ n: BigUnsigned) -> String {
        let rate = Sha256Chain.measuredRate(variant: variant)
        let seconds = n.double / rate
        let time: String
        switch seconds {
        case ..<120: time = String(format: "%.0f s", seconds)
        case ..<7200: time = String(format: "%.0f min", seconds / 60)
        case ..<(2 * 86400): time = String(format: "%.1f h", seconds / 3600)
        case ..<(2 * 31_557_600): time = String(format: "%.0f days", seconds / 86400)
        default: time = String(format: "%.2g years", seconds / 31_557_600)
        }
        return "about \(time) of sequential hashing at the \(String(format: "%.3g", rate)) steps/s measured now"
    }

    public func generate(_ grid: [BigUnsigned], options: TaskGenerationOptions) throws -> [TaskSample] {
        let ns = grid.compactMap(\.uint64)
        guard ns.count == grid.count else { throw TaskFamilyError.tooLarge(family: name, n: grid.max()!, maxN: BigUnsigned(UInt64.max), estimate: nil) }
        let answers = try Sha256ChainCache.shared.answers(ns, variant: variant, directory: options.cacheDirectory, progress: options.progress)
        return ns.map { sample(n: $0, answer: answers[$0]!) }
    }

    /// The prompt states the start bytes, what each step hashes, the answer format and n.
    public func prompt(n: UInt64) -> String {
        let rule: String
        switch variant {
        case .digest:
            rule = """
                Let x0 be the 3 bytes of the ASCII string "abc" (hex 61 62 63). For i = 1, 2, …, \(n), let x_i = SHA-256(x_(i-1)), \
                where x_(i-1) is hashed as raw bytes: from step 2 on, that is the 32-byte binary digest of the previous step, \
                not its hexadecimal text.
                """
        case .hex:
            rule = """
                Let h0 be the ASCII string "abc". For i = 1, 2, …, \(n), let h_i be SHA-256 of the UTF-8 bytes of h_(i-1), \
                written as 64 lowercase hexadecimal characters (no prefix, no spaces, no newline); from step 2 on, \
                the string hashed is the previous step's 64-character hex text.
                """
        }
        let last = variant == .digest ? "x_\(n)" : "h_\(n)"
        return """
            Compute SHA-256 applied \(n) time\(n == 1 ? "" : "s") in a chain. \(rule) \
            Answer with \(last) as exactly 64 lowercase hexadecimal characters and nothing else.
            """
    }

    func sample(n: UInt64, answer: String) -> TaskSample {
        TaskSample(id: "\(name)-n\(n)", input: prompt(n: n), target: answer, metadata: [
            "family": .string(name),
            "variant": .string(variant.rawValue),
            "n": .integer(BigUnsigned(n)),
            "required_steps": .integer(BigUnsigned(n)),
            "optional_steps": .number(0),
            "ordered": .bool(true),
            "shortcut": .bool(false),
            "start": .string("abc"),
            "answer_format": .string("lowercase hex, 64 characters"),
        ])
    }
}
