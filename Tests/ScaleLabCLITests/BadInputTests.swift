import Foundation
import Testing
import ScaleLabTestSupport

/// Every kind of bad input named in issue 3: exit code 1, a message naming file, line and column
/// where they apply, and the database byte for byte as it was before.
@Suite struct BadInputTests {
    let folder = TemporaryFolder()
    let database: String

    init() throws {
        database = folder.path("store.sqlite")
        let seed = folder.write("seed.csv", """
            model,task,metric,value,stderr,params,tokens
            small,arc,acc,0.30,0.01,1e8,2e10
            large,arc,acc,0.40,0.01,1e9,2e10
            """)
        let result = try CLI.run(["import", seed, "--db", database, "--quiet"])
        precondition(result.status == 0, result.stderr)
    }

    var snapshot: Data? { FileManager.default.contents(atPath: database) }

    /// Imports `file` into the seeded database and checks the failure.
    func expectRejected(_ file: String, extra: [String] = [], mentions fragments: [String],
                        sourceLocation: SourceLocation = #_sourceLocation) throws {
        let before = snapshot
        let result = try CLI.run(["import", file, "--db", database, "--quiet"] + extra)
        #expect(result.status == 1, "exit status", sourceLocation: sourceLocation)
        for fragment in fragments {
            #expect(result.stderr.contains(fragment), "stderr lacks '\(fragment)':\n\(result.stderr)", sourceLocation: sourceLocation)
        }
        #expect(snapshot == before, "the database changed", sourceLocation: sourceLocation)
    }

    @Test func missingRequiredColumn() throws {
        let file = folder.write("nometric.csv", "model,task,value\nsmall,piqa,0.5\n")
        try expectRejected(file, mentions: ["nometric.csv:1", "missing required column 'metric'"])
    }

    @Test func nonNumericValue() throws {
        let file = folder.write("text.csv", "model,task,metric,value\nsmall,piqa,acc,0.5\nsmall,sciq,acc,good\n")
        try expectRejected(file, mentions: ["text.csv:3 column 'value'", "'good' is not a number"])
    }

    @Test func notANumberAndInfinity() throws {
        let file = folder.write("nonfinite.csv", "model,task,metric,value,stderr\nsmall,piqa,acc,NaN,\nsmall,sciq,acc,0.5,inf\n")
        try expectRejected(file, mentions: ["nonfinite.csv:2 column 'value'", "nonfinite.csv:3 column 'stderr'", "not finite", "2 problems"])
    }

    @Test func negativeOrZeroSizes() throws {
        let file = folder.write("sizes.csv", """
            model,task,metric,value,params,tokens,step
            m1,piqa,acc,0.5,-7e7,1e9,10
            m2,piqa,acc,0.5,0,1e9,10
            m3,piqa,acc,0.5,1e9,0,10
            """)
        try expectRejected(file, mentions: ["sizes.csv:2 column 'params'", "sizes.csv:3 column 'params'", "sizes.csv:4 column 'tokens'", "must be positive"])
    }

    @Test func duplicateKeyWithinAFile() throws {
        let file = folder.write("dup.csv", "model,task,metric,value\nsmall,piqa,acc,0.5\nsmall,piqa,acc,0.6\n")
        try expectRejected(file, mentions: ["dup.csv:3: duplicate of ", "dup.csv:2 (model small, task piqa, metric acc)"])
    }

    @Test func conflictingDuplicateAgainstTheStore() throws {
        let file = folder.write("conflict.csv", "model,task,metric,value,stderr\nsmall,arc,acc,0.35,0.01\n")
        try expectRejected(file, mentions: ["conflict", "model small, task arc, metric acc", "database has value 0.3", "input has value 0.35",
                                            "conflict.csv:2", "--on-conflict replace"])
        // The same rows again are fine: re-import is idempotent.
        let same = folder.write("same.csv", "model,task,metric,value,stderr\nsmall,arc,acc,0.30,0.01\n")
        let before = snapshot
        let result = try CLI.run(["import", same, "--db", database])
        #expect(result.status == 0)
        #expect(result.stdout.contains("0 added, 1 already stored"))
        _ = before
    }

    @Test func truncatedJSON() throws {
        let file = folder.write("cut.json", "{\n  \"results\": {\n    \"arc_easy\": {\"acc\": 0.5, \"acc_stderr\": 0.01\n")
        try expectRejected(file, mentions: ["cut.json:4", "truncated"])
    }

    @Test func emptyFile() throws {
        try expectRejected(folder.write("empty.csv", ""), mentions: ["empty.csv", "is empty"])
    }

    @Test func binaryFile() throws {
        let file = folder.write("blob.csv", bytes: (0..<256).map { UInt8($0) })
        try expectRejected(file, mentions: ["blob.csv", "binary file"])
    }

    @Test func fileThatDoesNotExist() throws {
        try expectRejected(folder.path("nowhere.csv"), mentions: ["nowhere.csv", "no such file"])
    }

    @Test func directory() throws {
        try expectRejected(folder.url.path, mentions: ["is a directory"])
    }

    @Test func unknownFormat() throws {
        try expectRejected(folder.write("notes.txt", "just some notes\n"), mentions: ["notes.txt", "unknown format", "--format"])
        let forced = folder.write("forced.data", "{\"x\": 1}\n")
        try expectRejected(forced, extra: ["--format", "yaml"], mentions: ["yaml"])
    }

    @Test func databaseThatIsNotSQLite() throws {
        let notes = folder.write("notes.sqlite", "my notes, not a database\n")
        let good = folder.write("good.csv", "model,task,metric,value\nx,t,acc,0.5\n")
        let result = try CLI.run(["import", good, "--db", notes])
        #expect(result.status == 1)
        #expect(result.stderr.contains("notes.sqlite is not a SQLite database"))
        #expect(FileManager.default.contents(atPath: notes) == Data("my notes, not a database\n".utf8))
    }

    @Test func aFailedFirstImportLeavesNoDatabase() throws {
        let fresh = folder.path("fresh.sqlite")
        let bad = folder.write("bad.csv", "model,task,metric,value\nx,t,acc,oops\n")
        let result = try CLI.run(["import", bad, "--db", fresh])
        #expect(result.status == 1)
        #expect(!FileManager.default.fileExists(atPath: fresh))
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") || FileManager.default.isExecutableFile(atPath: "/usr/local/bin/python3") || ProcessInfo.processInfo.environment["PATH"]?.contains("pyenv") == true))
    func databaseLockedByAnotherProcess() throws {
        // A second process takes SQLite's write lock and holds it while we import.
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        holder.arguments = ["python3", "-c", """
            import sqlite3, sys, time
            c = sqlite3.connect(sys.argv[1], isolation_level=None)
            c.execute('BEGIN EXCLUSIVE')
            print('locked', flush=True)
            time.sleep(30)
            """, database]
        let pipe = Pipe()
        holder.standardOutput = pipe
        try holder.run()
        defer { holder.terminate(); holder.waitUntilExit() }
        _ = pipe.fileHandleForReading.availableData  // wait for "locked"
        let file = folder.write("more.csv", "model,task,metric,value\nsmall,piqa,acc,0.6\n")
        let started = Date()
        let result = try CLI.run(["import", file, "--db", database, "--quiet"])
        let waited = Date().timeIntervalSince(started)
        #expect(result.status == 1)
        #expect(result.stderr.contains("is locked by another process"))
        #expect(waited >= 2.5)  // it waited for the busy timeout (3 s) rather than failing at once
        holder.terminate()
        holder.waitUntilExit()
        let list = try CLI.run(["list", "tasks", "--db", database, "--json"])
        #expect(!list.stdout.contains("piqa"))
    }
}
