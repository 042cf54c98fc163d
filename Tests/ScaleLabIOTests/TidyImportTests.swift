import Foundation
import Testing
@testable import ScaleLabCore
@testable import ScaleLabIO
import ScaleLabTestSupport

/// Reads text as a file of the given name into a fresh builder.
func importText(_ text: String, name: String = "input.csv", format: ImportFormat? = nil, directory: ModelDirectory = ModelDirectory()) throws -> Dataset {
    var builder = DatasetBuilder(directory: directory)
    try Importer.read(InputFile(path: name, bytes: Array(text.utf8)), format: format, into: &builder)
    return try builder.build()
}

/// The problems an import reports.
func importProblems(_ text: String, name: String = "input.csv", format: ImportFormat? = nil) -> [DataProblem] {
    do {
        _ = try importText(text, name: name, format: format)
        return []
    } catch let error as DataError {
        return error.problems
    } catch {
        return [DataProblem(SourceLocation(file: "?"), "\(error)")]
    }
}

@Suite struct CSVReaderTests {
    func records(_ text: String) throws -> [[String]] {
        var result: [[String]] = []
        let bytes = Array(text.utf8)
        try bytes.withUnsafeBufferPointer { buffer in
            var reader = CSVReader(buffer)
            var row = TabularRow(line: 0, base: buffer, ranges: [], escaped: [])
            while try reader.next(into: &row) {
                result.append((0..<row.count).map { row.text($0) ?? "" } + ["@\(row.line)"])
            }
        }
        return result
    }

    @Test func quotingCommentsAndLineEndings() throws {
        let text = "\u{FEFF}# provenance line\r\na,b,c\r\n\"x, y\",\"he said \"\"hi\"\"\",3\r\n\n# mid comment\n\"multi\nline\",,last\n"
        #expect(try records(text) == [
            ["a", "b", "c", "@2"],
            ["x, y", "he said \"hi\"", "3", "@3"],
            ["multi\nline", "", "last", "@6"],
        ])
    }

    @Test func anUnclosedQuoteNamesTheLineItOpenedOn() {
        #expect(throws: CSVReader.SyntaxError.self) { try records("a,b\n1,\"open\n2,3\n") }
        do {
            _ = try records("a,b\n1,\"open\n2,3\n")
        } catch let error as CSVReader.SyntaxError {
            #expect(error.line == 2)
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}

@Suite struct TidyImportTests {
    @Test func readsRequiredOptionalAndUnitColumns() throws {
        let data = try importText("""
            # comment
            Model,Task,METRIC,Value,StdErr,n,shots,params,tokens,Family,step
            m1,arc,acc,0.5,0.01,100,0,70M,1.4B,fam,10
            m1,arc,acc_norm,0.55,,100,0,70M,1.4B,fam,10
            m2,arc,acc,0.7,0.02,100,0,1.4b,3e11,fam,
            """)
        #expect(data.count == 3)
        let m1 = try #require(data.index(of: ModelKey(name: "m1", step: 10)))
        #expect(data.models[m1].params == 7e7)
        #expect(data.models[m1].tokens == 1.4e9)
        #expect(data.models[m1].flops == 6 * 7e7 * 1.4e9 && data.models[m1].flopsAreDerived)
        #expect(data.models[m1].family == "fam")
        let m2 = try #require(data.index(of: ModelKey(name: "m2")))
        #expect(data.models[m2].params == 1.4e9)
        #expect(data.stderrs == [0.01, nil, 0.02])
        #expect(data.counts == [100, 100, 100])
        #expect(data.shots == [0, 0, 0])
    }

    @Test func extraColumnsGoToTheModelOrTheRow() throws {
        let data = try importText("""
            model,task,metric,value,deduped,variant,loss,table
            a,t1,acc,0.1,1,std,3.1,main
            a,t2,acc,0.2,1,std,3.2,main
            b,t1,acc,0.3,0,dedup,2.9,emergent
            b,t2,acc,0.4,0,dedup,2.8,main
            """)
        let a = data.models[data.index(of: ModelKey(name: "a"))!]
        #expect(a.attributes == ["deduped": 1])
        #expect(a.labels == ["variant": "std"])
        #expect(data.extraNumbers["loss"] == [3.1, 3.2, 2.9, 2.8])
        #expect(data.extraLabels["table"] == ["main", "main", "emergent", "main"])
        #expect(data.x(XAxis("loss"), row: 2) == 2.9)
        #expect(data.x(XAxis("deduped"), row: 2) == 0)
    }

    @Test func jsonLinesMatchCSV() throws {
        let csv = try importText("""
            model,task,metric,value,stderr,params,shots
            a,t,acc,0.25,0.01,1e9,0
            b,t,acc,0.5,,2e9,0
            """)
        let jsonl = try importText("""
            {"model": "a", "task": "t", "metric": "acc", "value": 0.25, "stderr": 0.01, "params": 1e9, "shots": 0}

            {"model": "b", "task": "t", "metric": "acc", "value": 0.5, "stderr": null, "params": "2B", "shots": 0}
            """, name: "rows.jsonl")
        #expect(csv.observations == jsonl.observations)
        #expect(csv.models == jsonl.models)
    }

    @Test func missingRequiredColumn() {
        let problems = importProblems("model,task,value\na,t,0.5\n")
        #expect(problems.count == 1)
        #expect(problems[0].location == SourceLocation(file: "input.csv", line: 1))
        #expect(problems[0].message.contains("missing required column 'metric'"))
    }

    @Test func nonNumericNaNAndInfinityAreReportedWithLineAndColumn() {
        let problems = importProblems("""
            model,task,metric,value,stderr
            a,t1,acc,high,0.1
            a,t2,acc,NaN,0.1
            a,t3,acc,0.5,inf
            a,t4,acc,-Infinity,
            """)
        #expect(problems.map(\.location) == [
            SourceLocation(file: "input.csv", line: 2, column: "value"),
            SourceLocation(file: "input.csv", line: 3, column: "value"),
            SourceLocation(file: "input.csv", line: 4, column: "stderr"),
            SourceLocation(file: "input.csv", line: 5, column: "value"),
        ])
        #expect(problems[0].message.contains("'high' is not a number"))
        #expect(problems[1].message.contains("not finite"))
    }

    @Test func zeroOrNegativeSizesAreRejected() {
        let problems = importProblems("""
            model,task,metric,value,params,tokens,step
            a,t,acc,0.5,0,1e9,1
            b,t,acc,0.5,1e9,-5,1
            c,t,acc,0.5,1e9,0,7
            d,t,acc,0.5,1e9,0,0
            """)
        #expect(problems.map(\.location.line) == [2, 3, 4])
        #expect(problems.map(\.location.column) == ["params", "tokens", "tokens"])
        #expect(problems[0].message.contains("params 0.0 must be positive"))
    }

    @Test func duplicateKeyWithinAFile() {
        let problems = importProblems("""
            model,task,metric,value,shots
            a,t,acc,0.5,0
            a,t,acc,0.5,5
            a,t,acc,0.6,0
            """)
        #expect(problems.count == 1)
        #expect(problems[0].location.line == 4)
        #expect(problems[0].message.contains("duplicate of input.csv:2"))
    }

    @Test func ragedRowsAndEmptyRequiredCells() {
        let problems = importProblems("""
            model,task,metric,value
            a,t,acc,0.5,extra
            ,t,acc,0.5
            b,t,,0.5
            """)
        #expect(problems.map(\.location.line) == [2, 3, 4])
        #expect(problems[0].message.contains("5 cells but the header has 4"))
    }

    @Test func everyProblemIsReportedNotOnlyTheFirst() {
        let rows = (0..<1000).map { "m,t\($0),acc,bad" }.joined(separator: "\n")
        do {
            _ = try importText("model,task,metric,value\n" + rows)
            Issue.record("expected failure")
        } catch let error as DataError {
            #expect(error.problems.count + error.omitted == 1000)
            #expect(error.summary(limit: 3).contains("… and 997 more"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func unreadableInputs() throws {
        let folder = TemporaryFolder()
        func message(_ path: String) -> String {
            do {
                var builder = DatasetBuilder()
                try Importer.read(try InputFile(path: path), into: &builder)
                try builder.problems.check()
                return "no error"
            } catch {
                return "\(error)"
            }
        }
        #expect(message(folder.path("absent.csv")).contains("no such file"))
        #expect(message(folder.url.path).contains("is a directory"))
        #expect(message(folder.write("empty.csv", "")).contains("is empty"))
        #expect(message(folder.write("blob.csv", bytes: [0x00, 0x01, 0xFF, 0x10, 0x00])).contains("binary file"))
        #expect(message(folder.write("notes.txt", "hello world\n")).contains("unknown format; pass --format"))
        #expect(message(folder.write("header.csv", "# only a comment\n")).contains("no header row"))
        #expect(message(folder.write("bad.json", "{\"results\": {\"arc\": {\"acc\": 0.5}")).contains(":1 column 'character 33': invalid JSON: the document ends inside an object (truncated file?)"))
        #expect(message(folder.write("other.json", "{\"hello\": 1}")).contains("neither an lm-evaluation-harness"))
        #expect(message(folder.write("log.eval", bytes: [0x50, 0x4B, 0x03, 0x04, 0, 0])).contains("inspect log convert"))
        #expect(message(folder.write("bad.jsonl", "{\"model\": \"a\"}\n{\"model\": \n")).contains("bad.jsonl:2"))
    }
}

@Suite struct UTF8ValidationTests {
    @Test func agreesWithTheStandardLibrary() {
        // RFC 3629 cases: valid 1–4 byte forms, then overlong, surrogate, beyond U+10FFFF, truncated, stray continuation.
        let cases: [[UInt8]] = [
            Array("plain ascii, 70M".utf8), Array("π ≈ 3.14 — 𝔼[x]".utf8),
            [0xC0, 0x80], [0xE0, 0x80, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82], [0x80], [0xFF],
        ]
        for bytes in cases {
            #expect(isValidUTF8(bytes) == (String(validating: bytes, as: UTF8.self) != nil), "\(bytes)")
        }
        #expect(isValidUTF8(Array("π".utf8)) && !isValidUTF8([0xED, 0xA0, 0x80]))
    }
}
