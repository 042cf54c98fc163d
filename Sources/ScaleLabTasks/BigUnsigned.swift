/// A non-negative integer of any size, exact: the few operations the task families need
/// (parse and print decimal, add, multiply, divide by a small number, compare).
///
/// Stored as base-2³² limbs, least significant first, with no trailing zero limbs (zero is the
/// empty array), so equal numbers have equal limbs. Multiplication is schoolbook, O(mn): the
/// numbers here have tens to hundreds of digits, where nothing faster pays.
public struct BigUnsigned: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Base-2³² digits, least significant first; no trailing zeros.
    public private(set) var limbs: [UInt32]

    public static let zero = BigUnsigned(limbs: [])

    init(limbs: [UInt32]) {
        self.limbs = limbs
        normalize()
    }

    public init(_ value: UInt64) {
        self.init(limbs: [UInt32(truncatingIfNeeded: value), UInt32(truncatingIfNeeded: value >> 32)])
    }

    /// Parses plain decimal digits (no sign, no spaces, no separators); nil otherwise.
    public init?(decimal text: some StringProtocol) {
        guard !text.isEmpty else { return nil }
        var value = BigUnsigned.zero
        // Nine decimal digits at a time fit a limb.
        var chunk: UInt32 = 0, chunkDigits = 0
        for character in text.utf8 {
            guard character >= UInt8(ascii: "0"), character <= UInt8(ascii: "9") else { return nil }
            chunk = chunk * 10 + UInt32(character - UInt8(ascii: "0"))
            chunkDigits += 1
            if chunkDigits == 9 {
                value.multiplyAdd(by: 1_000_000_000, adding: chunk)
                chunk = 0
                chunkDigits = 0
            }
        }
        if chunkDigits > 0 {
            var scale: UInt32 = 1
            for _ in 0..<chunkDigits { scale *= 10 }
            value.multiplyAdd(by: scale, adding: chunk)
        }
        self = value
    }

    public var isZero: Bool { limbs.isEmpty }

    /// The value as a UInt64 when it fits, else nil.
    public var uint64: UInt64? {
        switch limbs.count {
        case 0: return 0
        case 1: return UInt64(limbs[0])
        case 2: return UInt64(limbs[0]) | UInt64(limbs[1]) << 32
        default: return nil
        }
    }

    /// The nearest Double (rounded limb by limb; exact up to 2⁵³).
    public var double: Double {
        limbs.reversed().reduce(0.0) { $0 * 4_294_967_296 + Double($1) }
    }

    /// Number of decimal digits (1 for zero).
    public var decimalDigitCount: Int { description.count }

    /// Decimal digits, most significant first.
    public var description: String {
        if isZero { return "0" }
        var chunks: [UInt32] = []
        var rest = self
        while !rest.isZero { chunks.append(rest.divide(by: 1_000_000_000)) }
        var text = String(chunks.removeLast())
        for chunk in chunks.reversed() {
            let digits = String(chunk)
            text += String(repeating: "0", count: 9 - digits.count) + digits
        }
        return text
    }

    /// self = self · factor + addend.
    mutating func multiplyAdd(by factor: UInt32, adding addend: UInt32) {
        var carry = UInt64(addend)
        for index in limbs.indices {
            let product = UInt64(limbs[index]) * UInt64(factor) + carry
            limbs[index] = UInt32(truncatingIfNeeded: product)
            carry = product >> 32
        }
        if carry > 0 { limbs.append(UInt32(carry)) }
        normalize()
    }

    /// Divides in place by a non-zero small divisor and returns the remainder.
    @discardableResult
    public mutating func divide(by divisor: UInt32) -> UInt32 {
        precondition(divisor > 0, "division by zero")
        var remainder: UInt64 = 0
        for index in limbs.indices.reversed() {
            let current = remainder << 32 | UInt64(limbs[index])
            limbs[index] = UInt32(current / UInt64(divisor))
            remainder = current % UInt64(divisor)
        }
        normalize()
        return UInt32(remainder)
    }

    public static func + (lhs: BigUnsigned, rhs: BigUnsigned) -> BigUnsigned {
        let count = max(lhs.limbs.count, rhs.limbs.count)
        var result = [UInt32](repeating: 0, count: count + 1)
        var carry: UInt64 = 0
        for index in 0..<count {
            let sum = UInt64(index < lhs.limbs.count ? lhs.limbs[index] : 0)
                + UInt64(index < rhs.limbs.count ? rhs.limbs[index] : 0) + carry
            result[index] = UInt32(truncatingIfNeeded: sum)
            carry = sum >> 32
        }
        result[count] = UInt32(carry)
        return BigUnsigned(limbs: result)
    }

    public static func * (lhs: BigUnsigned, rhs: BigUnsigned) -> BigUnsigned {
        if lhs.isZero || rhs.isZero { return .zero }
        var result = [UInt32](repeating: 0, count: lhs.limbs.count + rhs.limbs.count)
        for (i, left) in lhs.limbs.enumerated() {
            var carry: UInt64 = 0
            for (j, right) in rhs.limbs.enumerated() {
                // ≤ (2³²−1)² + 2·(2³²−1) = 2⁶⁴ − 1: no overflow.
                let product = UInt64(left) * UInt64(right) + UInt64(result[i + j]) + carry
                result[i + j] = UInt32(truncatingIfNeeded: product)
                carry = product >> 32
            }
            result[i + rhs.limbs.count] = UInt32(carry)
        }
        return BigUnsigned(limbs: result)
    }

    /// 10^exponent.
    public static func powerOfTen(_ exponent: Int) -> BigUnsigned {
        var value = BigUnsigned(1)
        for _ in 0..<exponent { value.multiplyAdd(by: 10, adding: 0) }
        return value
    }

    public static func < (lhs: BigUnsigned, rhs: BigUnsigned) -> Bool {
        if lhs.limbs.count != rhs.limbs.count { return lhs.limbs.count < rhs.limbs.count }
        for index in lhs.limbs.indices.reversed() where lhs.limbs[index] != rhs.limbs[index] {
            return lhs.limbs[index] < rhs.limbs[index]
        }
        return false
    }

    private mutating func normalize() {
        while let last = limbs.last, last == 0 { limbs.removeLast() }
    }
}
