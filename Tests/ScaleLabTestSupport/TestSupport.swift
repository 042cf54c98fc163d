import Foundation

/// Helpers shared by the test targets: where the shared data lives and scratch folders.
public enum TestSupport {
    /// The package root, found from this file's path.
    public static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `../shared/data` beside the package, where the real public evaluation data lives.
    public static let sharedData = packageRoot.appendingPathComponent("../shared/data").standardized

    /// The path of a shared data file, or nil (with the reason printed) when it is absent, so that
    /// tests on real data skip cleanly on machines without `../shared`.
    public static func sharedFile(_ name: String) -> String? {
        let path = sharedData.appendingPathComponent(name).path
        if FileManager.default.fileExists(atPath: path) { return path }
        print("skipped: \(path) is absent (../shared/data is not beside the package)")
        return nil
    }

    public static var hasSharedData: Bool {
        FileManager.default.fileExists(atPath: sharedData.appendingPathComponent("pythia_evals.csv").path)
    }
}

/// A fresh folder under the temporary directory, removed when the value is released.
public final class TemporaryFolder: @unchecked Sendable {
    public let url: URL

    public init() {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("scalelab-test-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    public func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    /// Writes a file and returns its path.
    @discardableResult
    public func write(_ name: String, _ text: String) -> String {
        let path = path(name)
        try! Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @discardableResult
    public func write(_ name: String, bytes: [UInt8]) -> String {
        let path = path(name)
        try! Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }
}
