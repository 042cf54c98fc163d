import Foundation
import Testing
import ScaleLabTasks

@Suite struct TaskSampleTests {
    @Test func metadataRoundTripsAsPlainJSON() throws {
        let sample = TaskSample(id: "sha256-10", input: "…", target: "ab", metadata: ["family": .string("sha256"), "n": .number(10), "ordered": .bool(true)])
        let data = try JSONEncoder().encode(sample)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("\"n\":10") && text.contains("\"ordered\":true"))
        #expect(try JSONDecoder().decode(TaskSample.self, from: data) == sample)
    }
}
