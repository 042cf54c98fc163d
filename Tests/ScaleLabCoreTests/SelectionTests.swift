import Testing
@testable import ScaleLabCore

@Suite struct SelectionTests {
    @Test func globPatterns() {
        #expect(globMatches("hendrycksTest-*", "hendrycksTest-anatomy"))
        #expect(!globMatches("hendrycksTest-*", "arc_easy"))
        #expect(globMatches("arc_????", "arc_easy"))
        #expect(!globMatches("arc_???", "arc_easy"))
        #expect(globMatches("*", ""))
        #expect(globMatches("a*b*c", "aXXbYYc"))
        #expect(!globMatches("a*b*c", "aXXbYY"))
        #expect(globMatches("exact", "exact") && !globMatches("exact", "exactly"))
    }

    @Test func editDistanceKnownValues() {
        #expect(editDistance("kitten", "sitting") == 3)
        #expect(editDistance("", "abc") == 3)
        #expect(editDistance("flaw", "lawn") == 2)
        #expect(editDistance("same", "same") == 0)
    }

    @Test func conditionsParse() throws {
        let a = try Condition(parsing: "params<=3e9")
        #expect(a.field == "params" && a.comparison == .lessOrEqual && a.operand == .number(3e9))
        let b = try Condition(parsing: "role=ladder")
        #expect(b.field == "role" && b.comparison == .equal && b.operand == .text("ladder"))
        let c = try Condition(parsing: " deduped != 1 ")
        #expect(c.field == "deduped" && c.comparison == .notEqual && c.operand == .number(1))
        let d = try Condition(parsing: "tokens>1.4B")
        #expect(d.comparison == .greater && d.operand == .number(1.4e9))
        #expect(try Condition(parsing: "family==pythia").comparison == .equal)
        #expect(throws: SelectionError.self) { try Condition(parsing: "params") }
        #expect(throws: SelectionError.self) { try Condition(parsing: "<=3") }
        #expect(throws: SelectionError.self) { try Condition(parsing: "value<=nan") }
    }

    @Test func selectsByNamesPatternsAndConditions() throws {
        let data = try sampleDataset()
        let mmlu = try data.selecting(Selection(tasks: ["hendrycksTest-*"], metrics: ["acc"]))
        #expect(mmlu.count == 4)
        let small = try data.selecting(Selection(conditions: [try Condition(parsing: "params<=1e8")]))
        #expect(Set(small.models.map(\.name)) == ["tiny", "small"])
        let ladder = try data.selecting(Selection(conditions: [try Condition(parsing: "role=ladder")]))
        #expect(ladder.models.count == 3)
        let family = try data.selecting(Selection(metrics: ["acc_norm"], families: ["ladder"]))
        #expect(family.count == 9)
        let byLoss = try data.selecting(Selection(conditions: [try Condition(parsing: "loss<2")]))
        #expect(Set(byLoss.models.map(\.name)) == ["mid", "large"])  // loss = 4 − log10(N)/4 < 2 ⇔ N > 1e8
    }

    @Test func xAxisDropsRowsWithoutIt() throws {
        let data = try sampleDataset()
        let withTokens = try data.selecting(Selection(x: .tokens))
        #expect(!withTokens.models.contains { $0.name == "mid" })
        #expect(withTokens.count == 18)
        let withCompute = try data.selecting(Selection(x: XAxis("C")))
        #expect(withCompute.count == 18)
        let byLoss = try data.selecting(Selection(x: XAxis("loss")))
        #expect(byLoss.count == 24)
        #expect(byLoss.x(XAxis("loss"), row: 0) == 4 - 7.0 / 4)
    }

    @Test func aTypoListsTheNearestNames() throws {
        let data = try sampleDataset()
        #expect(throws: SelectionError.noMatch(option: "task", value: "lambada", suggestions: ["lambada_openai"])) {
            try data.selecting(Selection(tasks: ["lambada"]))
        }
        #expect(throws: SelectionError.noMatch(option: "metric", value: "accuracy", suggestions: ["acc"])) {
            try data.selecting(Selection(metrics: ["accuracy"]))
        }
        do {
            _ = try data.selecting(Selection(conditions: [try Condition(parsing: "parms<1e9")]))
            Issue.record("expected an unknown-field error")
        } catch SelectionError.unknownField(let field, let suggestions) {
            #expect(field == "parms")
            #expect(suggestions.first == "params")
        }
        #expect(throws: SelectionError.self) {
            try data.selecting(Selection(tasks: ["arc_easy"], conditions: [try Condition(parsing: "params>1e12")]))
        }
    }
}
