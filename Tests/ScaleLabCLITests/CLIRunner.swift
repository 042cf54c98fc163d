import Foundation
import Testing
import ScaleLabTestSupport

/// Runs the built `scalelab` executable, as a user would.
struct CLIResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

enum CLI {
    /// `swift test` builds the executable next to the test bundle.
    static let executable: URL = {
        let beside = URL(fileURLWithPath: Bundle.main.bundlePath).appendingPathComponent("scalelab")
        if FileManager.default.isExecutableFile(atPath: beside.path) { return beside }
        return TestSupport.packageRoot.appendingPathComponent(".build/debug/scalelab")
    }()

    /// A fresh database in `folder` holding the shared data file `name` imported by `scalelab
    /// import` (the import must succeed); nil when ../shared/data is absent.
    static func database(importing name: String, in folder: TemporaryFolder) throws -> String? {
        guard let source = TestSupport.sharedFile(name) else { return nil }
        let db = folder.path("\(name).sqlite")
        let imported = try run(["import", source, "--db", db, "--quiet"])
        #expect(imported.status == 0, "import \(name): \(imported.stderr)")
        return db
    }

    static func run(_ arguments: [String], environment: [String: String] = [:], in folder: URL? = nil) throws -> CLIResult {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["SCALELAB_DB"] = nil
        for (key, value) in environment { env[key] = value }
        process.environment = env
        if let folder { process.currentDirectoryURL = folder }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read before waiting so a large output cannot fill the pipe and block the child.
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return CLIResult(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                         stderr: String(decoding: errData, as: UTF8.self))
    }
}
