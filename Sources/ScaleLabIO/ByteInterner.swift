/// Maps the byte strings of repeated cells (task names, metric names, labels) to small integer
/// ids, creating one String per distinct value instead of one per row. Keys are compared byte for
/// byte, so a hash collision never merges two values.
struct ByteInterner {
    private var byHash: [UInt64: [Int32]] = [:]
    private var storage: [[UInt8]] = []
    private(set) var values: [String] = []

    /// The id of `bytes`, adding it when new.
    mutating func intern(_ bytes: UnsafeBufferPointer<UInt8>) -> Int32 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325  // FNV-1a, 64-bit
        for byte in bytes {
            hash ^= UInt64(byte)
            hash &*= 0x100_0000_01B3
        }
        if let candidates = byHash[hash] {
            for id in candidates where storage[Int(id)].elementsEqual(bytes) { return id }
        }
        let id = Int32(values.count)
        storage.append(Array(bytes))
        values.append(String(decoding: bytes, as: UTF8.self))
        byHash[hash, default: []].append(id)
        return id
    }

    /// The id of a String value (for cells that had to be unescaped).
    mutating func intern(_ text: String) -> Int32 {
        var copy = text
        return copy.withUTF8 { intern($0) }
    }

    func value(_ id: Int32) -> String { values[Int(id)] }
}
