extension Dataset {
    /// The observations a ``Selection`` picks, as a new dataset.
    ///
    /// - Throws: ``SelectionError/noMatch(option:value:suggestions:)`` when a name or pattern of
    ///   one option matches nothing in the data, ``SelectionError/unknownField(_:suggestions:)``
    ///   for a `--where`/`--x` field no row or model has, and ``SelectionError/emptyResult(_:)``
    ///   when the options each match but not together.
    public func selecting(_ selection: Selection) throws(SelectionError) -> Dataset {
        if selection.isEmpty { return self }
        let taskSet = try Selection.resolve(selection.tasks, option: "task", names: tasks.map(\.name))
        let metricSet = try Selection.resolve(selection.metrics, option: "metric", names: metrics)
        let familySet = try Selection.resolve(selection.families, option: "family", names: families)
        let modelNames = Array(Set(models.map(\.name))).sorted()
        let modelSet = try Selection.resolve(selection.models, option: "model", names: modelNames)
        if !selection.shots.isEmpty {
            let present = Set(shots.compactMap { $0 })
            for wanted in selection.shots where !present.contains(wanted) {
                throw .noMatch(option: "shots", value: "\(wanted)", suggestions: present.sorted().map(String.init))
            }
        }
        let fields = knownFields
        for condition in selection.conditions where !fields.contains(condition.field) {
            throw .unknownField(condition.field, suggestions: nearestNames(to: condition.field, in: fields.sorted(), limit: 8))
        }
        if case .column(let name)? = selection.x, !numericColumns.contains(name) {
            throw .unknownField(name, suggestions: numericColumns)
        }

        var modelAllowed = [Bool](repeating: true, count: models.count)
        for (index, model) in models.enumerated() {
            if let modelSet, !modelSet.contains(model.name) { modelAllowed[index] = false }
            if let familySet, !familySet.contains(model.family ?? "") { modelAllowed[index] = false }
        }

        var candidate: [Int]
        if let taskSet {
            candidate = taskSet.compactMap { index(ofTask: $0) }.flatMap { rowsByTask[$0].map(Int.init) }.sorted()
        } else {
            candidate = Array(0..<count)
        }
        let metricAllowed: [Bool]? = metricSet.map { set in metrics.map { set.contains($0) } }
        let shotSet = selection.shots.isEmpty ? nil : Set(selection.shots)
        let kept = candidate.filter { row in
            guard modelAllowed[Int(modelIndex[row])] else { return false }
            if let metricAllowed, !metricAllowed[Int(metricIndex[row])] { return false }
            if let shotSet { guard let shot = shots[row], shotSet.contains(shot) else { return false } }
            if let axis = selection.x { guard let x = self.x(axis, row: row), x.isFinite else { return false } }
            return selection.conditions.allSatisfy { satisfies($0, row: row) }
        }
        if kept.isEmpty { throw .emptyResult(selection.summary) }
        return subset(rows: kept)
    }

    /// Every field name a `--where` clause may use on this dataset.
    public var knownFields: Set<String> {
        var fields: Set<String> = ["value", "stderr", "n", "shots", "seed", "task", "metric"]
        for field in ModelField.allCases { fields.formUnion(field.spellings) }
        for model in models {
            fields.formUnion(model.attributes.keys)
            fields.formUnion(model.labels.keys)
        }
        fields.formUnion(extraNumbers.keys)
        fields.formUnion(extraLabels.keys)
        fields.formUnion(["N", "D", "C"])
        return fields
    }

    private func satisfies(_ condition: Condition, row: Int) -> Bool {
        switch condition.field {
        case "value": return condition.holds(number: values[row])
        case "stderr": return stderrs[row].map(condition.holds(number:)) ?? false
        case "n": return counts[row].map { condition.holds(number: Double($0)) } ?? false
        case "shots": return shots[row].map { condition.holds(number: Double($0)) } ?? false
        case "seed": return seeds[row].map { condition.holds(number: Double($0)) } ?? false
        case "task": return condition.holds(text: task(ofRow: row).name)
        case "metric": return condition.holds(text: metric(ofRow: row))
        default: break
        }
        let model = model(ofRow: row)
        if let field = ModelField(name: condition.field) {
            if let number = model.number(field.rawValue) { return condition.holds(number: number) }
            if let text = model.text(field.rawValue) { return condition.holds(text: text) }
            return false
        }
        if let number = model.attributes[condition.field] { return condition.holds(number: number) }
        if let text = model.labels[condition.field] { return condition.holds(text: text) }
        if let column = extraNumbers[condition.field], !column[row].isNaN { return condition.holds(number: column[row]) }
        if let column = extraLabels[condition.field], let text = column[row] { return condition.holds(text: text) }
        return false
    }
}


extension Selection {
    /// The set of names the patterns match, nil for "no restriction".
    /// - Throws: ``SelectionError/noMatch(option:value:suggestions:)`` for a pattern matching nothing.
    public static func resolve(_ patterns: [String], option: String, names: [String]) throws(SelectionError) -> Set<String>? {
        guard !patterns.isEmpty else { return nil }
        var matched = Set<String>()
        for pattern in patterns {
            let hits = names.filter { globMatches(pattern, $0) }
            if hits.isEmpty {
                throw .noMatch(option: option, value: pattern, suggestions: nearestNames(to: pattern, in: names))
            }
            matched.formUnion(hits)
        }
        return matched
    }

    /// The options in effect, as a user would read them back.
    public var summary: String {
        var parts: [String] = []
        if !tasks.isEmpty { parts.append("task " + tasks.joined(separator: "|")) }
        if !metrics.isEmpty { parts.append("metric " + metrics.joined(separator: "|")) }
        if !families.isEmpty { parts.append("family " + families.joined(separator: "|")) }
        if !models.isEmpty { parts.append("model " + models.joined(separator: "|")) }
        if !shots.isEmpty { parts.append("shots " + shots.map(String.init).joined(separator: "|")) }
        if let x { parts.append("x \(x) present") }
        parts += conditions.map(\.description)
        return parts.isEmpty ? "everything" : parts.joined(separator: ", ")
    }
}
