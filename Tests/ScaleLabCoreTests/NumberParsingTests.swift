import Testing
@testable import ScaleLabCore

@Suite struct NumberParsingTests {
    @Test(arguments: [
        ("70M", 7e7), ("1.4B", 1.4e9), ("1.4b", 1.4e9), ("3e21", 3e21), ("12k", 12_000), ("1.5T", 1.5e12),
        ("2G", 2e9), (" 0.25 ", 0.25), ("-1.5E-3", -0.0015), ("70426624", 70_426_624), ("1P", 1e15),
    ])
    func readsNumbersWithUnits(text: String, expected: Double) {
        // Exact: a suffix multiplies by a power of ten that is itself exactly representable
        // below 2^53, and strtod rounds the mantissa correctly.
        #expect(NumberParsing.parse(text) == .value(expected))
    }

    @Test func classifiesWhatIsNotAFiniteNumber() {
        #expect(NumberParsing.parse("") == .missing)
        #expect(NumberParsing.parse("   ") == .missing)
        #expect(NumberParsing.parse("nan") == .nonFinite)
        #expect(NumberParsing.parse("NaN") == .nonFinite)
        #expect(NumberParsing.parse("-inf") == .nonFinite)
        #expect(NumberParsing.parse("Infinity") == .nonFinite)
        #expect(NumberParsing.parse("1e400") == .nonFinite)
        #expect(NumberParsing.parse("abc") == .invalid)
        #expect(NumberParsing.parse("0x10") == .invalid)
        #expect(NumberParsing.parse("M") == .invalid)
        #expect(NumberParsing.parse("1,000") == .invalid)
        #expect(NumberParsing.parse("70MB") == .invalid)
    }

    @Test func shortestDecimalReadsBackBitForBit() {
        // Export writes Double.description; import must recover the identical Double.
        var generator = SplitMix64(seed: 42)
        for _ in 0..<20_000 {
            let value = Double(bitPattern: generator.next() & 0x7FEF_FFFF_FFFF_FFFF)  // finite, positive
            guard case .value(let back) = NumberParsing.parse(value.description) else {
                Issue.record("\(value.description) did not parse")
                return
            }
            #expect(back.bitPattern == value.bitPattern)
        }
    }
}

/// A small deterministic generator for test inputs (Steele, Lea & Flood 2014).
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
