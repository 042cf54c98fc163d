import Foundation
import GRDB
import Testing
@testable import ScaleLabCore
@testable import ScaleLabIO
import ScaleLabTestSupport

let ladderCSV = """
    model,task,metric,value,stderr,n,shots,params,tokens,step,deduped,loss
    a,arc,acc,0.25,0.01,100,0,1e8,1e10,1,0,3.5
    a,arc,acc_norm,0.27,0.01,100,0,1e8,1e10,1,0,3.5
    a,piqa,acc,0.6,0.02,100,0,1e8,1e10,1,0,3.4
    b,arc,acc,0.35,0.01,100,0,1e9,1e11,1,1,3.0
    b,piqa,acc,0.7,0.02,100,0,1e9,1e11,1,1,2.9
    """

@Suite struct StoreTests {
    func fileBytes(_ path: String) -> Data? { FileManager.default.contents(atPath: path) }

    @Test func roundTripsADataset() throws {
        let folder = TemporaryFolder()
        let data = try importText(ladderCSV)
        let store = try Store(path: folder.path("db.sqlite"), mode: .create)
        #expect(store.created)
        let summary = try store.importDataset(data, onConflict: .fail, sources: ["input.csv"])
        #expect(summary.observationsAdded == 5 && summary.modelsAdded == 2 && summary.tasksAdded == 2)
        let loaded = try Store(path: folder.path("db.sqlite"), mode: .read).load()
        #expect(loaded.observations == data.observations)
        #expect(loaded.models == data.models)
        #expect(loaded.tasks == data.tasks)
        #expect(try store.summary() == Store.Summary(models: 2, tasks: 2, metrics: 2, observations: 5, itemResults: 0, humanRuns: 0))
    }

    @Test func reimportingIdenticalRowsChangesNothing() throws {
        let folder = TemporaryFolder()
        let path = folder.path("db.sqlite")
        let data = try importText(ladderCSV)
        _ = try Store(path: path, mode: .create).importDataset(data, onConflict: .fail, sources: ["x"])
        let again = try Store(path: path, mode: .write).importDataset(data, onConflict: .fail, sources: ["x"])
        #expect(again.observationsAdded == 0 && again.observationsUnchanged == 5 && again.modelsUpdated == 0)
        #expect(try Store(path: path, mode: .read).summary().observations == 5)
    }

    @Test func conflictsFailReplaceOrSkip() throws {
        let folder = TemporaryFolder()
        let path = folder.path("db.sqlite")
        _ = try Store(path: path, mode: .create).importDataset(try importText(ladderCSV), onConflict: .fail, sources: ["x"])
        let changed = try importText(ladderCSV.replacingOccurrences(of: "a,arc,acc,0.25", with: "a,arc,acc,0.26"), name: "changed.csv")
        let before = fileBytes(path)
        do {
            _ = try Store(path: path, mode: .write).importDataset(changed, onConflict: .fail, sources: ["changed.csv"])
            Issue.record("expected a conflict")
        } catch let StoreError.conflicts(conflicts, total) {
            #expect(total == 1)
            #expect(conflicts[0].what == "model a@1, task arc, metric acc, shots 0")
            #expect(conflicts[0].location == SourceLocation(file: "changed.csv", line: 2))
            #expect(conflicts[0].stored.hasPrefix("value 0.25") && conflicts[0].incoming.hasPrefix("value 0.26"))
        }
        #expect(fileBytes(path) == before)  // the failed import left the file byte for byte as it was

        let skipped = try Store(path: path, mode: .write).importDataset(changed, onConflict: .skip, sources: ["c"])
        #expect(skipped.observationsSkipped == 1 && skipped.observationsUnchanged == 4)
        #expect(try Store(path: path, mode: .read).load(Selection(tasks: ["arc"], metrics: ["acc"], models: ["a"])).values == [0.25])
        let replaced = try Store(path: path, mode: .write).importDataset(changed, onConflict: .replace, sources: ["c"])
        #expect(replaced.observationsReplaced == 1)
        #expect(try Store(path: path, mode: .read).load(Selection(tasks: ["arc"], metrics: ["acc"], models: ["a"])).values == [0.26])
    }

    @Test func modelConflictsAreConflictsToo() throws {
        let folder = TemporaryFolder()
        let path = folder.path("db.sqlite")
        _ = try Store(path: path, mode: .create).importDataset(try importText(ladderCSV), onConflict: .fail, sources: ["x"])
        let resized = try importText("model,task,metric,value,params,step\na,new_task,acc,0.5,2e8,1\n")
        #expect(throws: StoreError.self) {
            try Store(path: path, mode: .write).importDataset(resized, onConflict: .fail, sources: ["y"])
        }
        let filled = try importText("model,task,metric,value,family,step\na,new_task,acc,0.5,ladder,1\n")
        let summary = try Store(path: path, mode: .write).importDataset(filled, onConflict: .fail, sources: ["z"])
        #expect(summary.modelsUpdated == 1 && summary.observationsAdded == 1)
        let model = try Store(path: path, mode: .read).load(Selection(models: ["a"])).models[0]
        #expect(model.family == "ladder" && model.params == 1e8 && model.attributes == ["deduped": 0])
    }

    @Test func refusesFilesThatAreNotScaleLabDatabases() throws {
        let folder = TemporaryFolder()
        let text = folder.write("notes.sqlite", "these are my notes, not a database\n")
        let before = fileBytes(text)
        #expect { try Store(path: text, mode: .create) } throws: { error in
            guard case StoreError.notADatabase = error else { return false }
            return true
        }
        #expect(fileBytes(text) == before)

        let other = folder.path("other.sqlite")
        let queue = try DatabaseQueue(path: other)
        try queue.write { try $0.execute(sql: "CREATE TABLE mine(x)") }
        #expect { try Store(path: other, mode: .write) } throws: { error in
            guard case StoreError.notScaleLab = error else { return false }
            return true
        }
        #expect { try Store(path: folder.path("absent.sqlite"), mode: .read) } throws: { error in
            guard case StoreError.notFound = error else { return false }
            return true
        }
        #expect(!FileManager.default.fileExists(atPath: folder.path("absent.sqlite")))
    }

    @Test func aLockedDatabaseWaitsThenFailsClearly() throws {
        let folder = TemporaryFolder()
        let path = folder.path("db.sqlite")
        _ = try Store(path: path, mode: .create).importDataset(try importText(ladderCSV), onConflict: .fail, sources: ["x"])
        let before = fileBytes(path)
        // Another connection holds the write lock for the whole attempt.
        var configuration = Configuration()
        configuration.busyMode = .immediateError
        let other = try DatabaseQueue(path: path, configuration: configuration)
        let changed = try importText(ladderCSV.replacingOccurrences(of: "piqa", with: "sciq"))
        let started = Date()
        try other.inDatabase { db in
            try db.execute(sql: "BEGIN EXCLUSIVE")
            #expect { try Store(path: path, mode: .write).importDataset(changed, onConflict: .fail, sources: ["y"]) } throws: { error in
                guard case StoreError.locked = error else { return false }
                return "\(error)".contains("locked by another process")
            }
            try db.execute(sql: "ROLLBACK")
        }
        // The store waits for the lock (busy timeout) before giving up.
        #expect(Date().timeIntervalSince(started) >= Store.busyTimeout * 0.9)
        #expect(fileBytes(path) == before)
    }

    @Test func selectionPushdownMatchesInMemorySelection() throws {
        let folder = TemporaryFolder()
        let path = folder.path("db.sqlite")
        let data = try importText(ladderCSV)
        _ = try Store(path: path, mode: .create).importDataset(data, onConflict: .fail, sources: ["x"])
        let store = try Store(path: path, mode: .read)
        for selection in [
            Selection(tasks: ["arc"]), Selection(metrics: ["acc"], models: ["b"]),
            Selection(tasks: ["p*"], conditions: [try Condition(parsing: "loss<3.45")]),
            Selection(conditions: [try Condition(parsing: "deduped=1")]),
        ] {
            #expect(try store.load(selection).observations == data.selecting(selection).observations)
        }
        #expect(throws: SelectionError.noMatch(option: "task", value: "arcc", suggestions: ["arc"])) {
            try store.load(Selection(tasks: ["arcc"]))
        }
    }
}
