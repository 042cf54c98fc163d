import ScaleLabCore

/// Reads tidy tables — one observation per row — from CSV or JSON Lines into a ``DatasetBuilder``.
///
/// Required columns: `model`, `task`, `metric`, `value`. Recognised optional columns
/// (names are case-insensitive): `stderr`, `n`, `shots`, `seed` of the observation; `family`,
/// `step`, `params`, `params_nonembedding`, `tokens`, `flops`, `model_seed`, `release_date` of the
/// model (sizes may carry units: `1.4B`, `70M`, `3e21`); `suite`, `chance` of the task.
/// Any other column is kept. A numeric extra column whose value never varies within a model (and
/// is repeated for at least one model) describes the model — `deduped`, `moe` — and becomes a model
/// attribute; otherwise it describes the row — a loss, a source table — and stays with the
/// observation. Either way it can be an x-axis and a `--where` field.
struct TidyTableImporter {
    private enum Role: Int, CaseIterable {
        case model, task, metric, value, stderr, count, shots, seed
        case family, step, params, nonEmbeddingParams, tokens, flops, modelSeed, releaseDate
        case suite, chance
    }

    /// The header position of each role's column, indexed by role (an array, not a dictionary:
    /// it is read several times for each of 100,000 rows).
    private struct ColumnMap {
        private var positions = [Int?](repeating: nil, count: Role.allCases.count)
        subscript(role: Role) -> Int? {
            get { positions[role.rawValue] }
            set { positions[role.rawValue] = newValue }
        }
    }

    private static let roles: [String: Role] = {
        var table: [String: Role] = [
            "task": .task, "task_name": .task, "metric": .metric, "value": .value, "score": .value,
            "stderr": .stderr, "value_stderr": .stderr, "std_err": .stderr, "se": .stderr,
            "n": .count, "n_items": .count, "num_items": .count,
            "shots": .shots, "num_fewshot": .shots, "n_shot": .shots, "fewshot": .shots,
            "seed": .seed, "suite": .suite, "chance": .chance, "chance_level": .chance,
        ]
        let modelRoles: [ModelField: Role] = [
            .name: .model, .family: .family, .step: .step, .params: .params,
            .nonEmbeddingParams: .nonEmbeddingParams, .tokens: .tokens, .flops: .flops,
            .seed: .modelSeed, .releaseDate: .releaseDate,
        ]
        for (field, role) in modelRoles {
            for spelling in field.spellings { table[spelling] = role }
        }
        return table
    }()

    private static let modelRoles: [Role] = [.family, .step, .params, .nonEmbeddingParams, .tokens, .flops, .modelSeed, .releaseDate]

    let file: String
    private var column = ColumnMap()
    private var names: [String] = []
    private var extras: [(name: String, index: Int)] = []
    private var modelColumns: [Int] = []
    private var width = 0

    /// Cells of the extra columns (as ids into `values`), classified when the table ends.
    private var extraCells: [[(row: Int32, model: Int32, line: Int32, value: Int32)]] = []
    private var values = ByteInterner()
    /// Builder indices of task and metric names, by their id in `values`.
    private var taskIndexByValue: [Int32: Int32] = [:]
    private var metricIndexByValue: [Int32: Int32] = [:]

    // The previous row's model, reused while the model columns repeat byte for byte.
    private var previousModel: Int32?
    private var previousRow: TabularRow?
    private var rowsCanBeCompared: Bool

    /// - Parameter rowsShareBuffer: true when all rows point into one buffer (CSV), which lets a
    ///   row's model cells be compared with the previous row's without copying them.
    init(file: String, header: TabularRow, rowsShareBuffer: Bool) throws(DataError) {
        self.file = file
        self.rowsCanBeCompared = rowsShareBuffer
        var problems = ProblemLog()
        var seen: [String: Int] = [:]
        width = header.count
        for index in 0..<header.count {
            let raw = header.text(index) ?? ""
            let name = raw.lowercased()
            names.append(name)
            let location = SourceLocation(file: file, line: header.line, column: raw.isEmpty ? "#\(index + 1)" : raw)
            if name.isEmpty {
                problems.add(location, "column \(index + 1) of the header has no name")
                continue
            }
            if let first = seen[name] {
                problems.add(location, "column '\(raw)' appears twice in the header (columns \(first + 1) and \(index + 1))")
                continue
            }
            seen[name] = index
            if let role = Self.roles[name] {
                if let other = column[role] {
                    problems.add(location, "columns '\(names[other])' and '\(raw)' mean the same thing; keep one")
                    continue
                }
                column[role] = index
            } else {
                extras.append((name, index))
            }
        }
        for required in [Role.model, .task, .metric, .value] where column[required] == nil {
            let name = required == .model ? "model" : "\(required)"
            problems.add(SourceLocation(file: file, line: header.line),
                         "missing required column '\(name)'; the header has: \(names.joined(separator: ", "))")
        }
        try problems.check()
        modelColumns = ([Role.model] + Self.modelRoles).compactMap { column[$0] }
        extraCells = Array(repeating: [], count: extras.count)
    }

    private func location(_ row: TabularRow, _ role: Role) -> SourceLocation {
        SourceLocation(file: file, line: row.line, column: column[role].map { names[$0] })
    }

    /// The number in a column, reporting what is wrong with the cell when it is not one.
    private func number(_ row: TabularRow, _ role: Role, _ builder: inout DatasetBuilder, required: Bool = false) -> Double?? {
        guard let index = column[role] else { return .some(nil) }
        switch row.number(index) {
        case .value(let value): return .some(value)
        case .missing:
            if required {
                builder.report(location(row, role), "\(names[index]) is empty; every row needs one")
                return nil
            }
            return .some(nil)
        case .nonFinite:
            builder.report(location(row, role), "\(names[index]) '\(row.text(index) ?? "")' is not finite; NaN and infinity are not scores — drop the row or leave the cell empty")
            return nil
        case .invalid:
            builder.report(location(row, role), "\(names[index]) '\(row.text(index) ?? "")' is not a number")
            return nil
        }
    }

    private func integer(_ row: TabularRow, _ role: Role, _ builder: inout DatasetBuilder) -> Int?? {
        guard let parsed = number(row, role, &builder) else { return nil }
        guard let value = parsed else { return .some(nil) }
        guard value == value.rounded(), abs(value) < 9.0e15 else {
            builder.report(location(row, role), "\(names[column[role]!]) '\(row.text(column[role]!) ?? "")' must be a whole number")
            return nil
        }
        return .some(Int(value))
    }

    private mutating func modelIndex(for row: TabularRow, _ builder: inout DatasetBuilder) -> Int32? {
        if rowsCanBeCompared, let previousModel, let previousRow, row.sameCells(modelColumns, as: previousRow) {
            return previousModel
        }
        guard let name = row.text(column[.model]!) else {
            builder.report(location(row, .model), "model is empty; every row needs one")
            return nil
        }
        var ok = true
        func get(_ parsed: Double??) -> Double? {
            guard let parsed else { ok = false; return nil }
            return parsed
        }
        func getInt(_ parsed: Int??) -> Int? {
            guard let parsed else { ok = false; return nil }
            return parsed
        }
        let step = getInt(integer(row, .step, &builder))
        var info = ModelInfo(name: name, step: step)
        info.family = column[.family].flatMap { row.text($0) }
        info.params = get(number(row, .params, &builder))
        info.nonEmbeddingParams = get(number(row, .nonEmbeddingParams, &builder))
        info.tokens = get(number(row, .tokens, &builder))
        info.flops = get(number(row, .flops, &builder))
        info.seed = getInt(integer(row, .modelSeed, &builder))
        if let index = column[.releaseDate], let date = row.text(index) {
            if isISODate(date) {
                info.releaseDate = date
            } else {
                builder.report(location(row, .releaseDate), "release_date '\(date)' is not a date written YYYY-MM-DD")
                ok = false
            }
        }
        guard ok else { return nil }
        let here = SourceLocation(file: file, line: row.line)
        let known = builder.resolveModel(named: name, step: step)
        var index = builder.addModel(known, at: here)
        if info != ModelInfo(name: known.name, step: known.step) {
            info.name = known.name
            info.step = known.step
            index = builder.addModel(info, at: here)
        }
        previousModel = index
        previousRow = row
        return index
    }

    /// Reads one data row.
    mutating func consume(_ row: TabularRow, into builder: inout DatasetBuilder) {
        if row.count != width {
            builder.report(SourceLocation(file: file, line: row.line),
                           "the row has \(row.count) cells but the header has \(width) columns (an unquoted comma?)")
            return
        }
        let model = modelIndex(for: row, &builder)
        let taskValue = row.interned(column[.task]!, in: &values)
        let metricValue = row.interned(column[.metric]!, in: &values)
        if taskValue == nil { builder.report(location(row, .task), "task is empty; every row needs one") }
        if metricValue == nil { builder.report(location(row, .metric), "metric is empty; every row needs one") }
        guard let valueCell = number(row, .value, &builder, required: true),
              let stderrCell = number(row, .stderr, &builder),
              let countCell = integer(row, .count, &builder),
              let shotsCell = integer(row, .shots, &builder),
              let seedCell = integer(row, .seed, &builder),
              let chanceCell = number(row, .chance, &builder),
              let model, let taskValue, let metricValue, let value = valueCell
        else { return }
        let here = SourceLocation(file: file, line: row.line)
        let task: Int32
        let suite = column[.suite].flatMap { row.text($0) }
        if suite != nil || chanceCell != nil {
            task = builder.addTask(TaskInfo(name: values.value(taskValue), suite: suite, chance: chanceCell), at: here)
        } else if let known = taskIndexByValue[taskValue] {
            task = known
        } else {
            task = builder.task(named: values.value(taskValue), at: here)
            taskIndexByValue[taskValue] = task
        }
        let metric: Int32
        if let known = metricIndexByValue[metricValue] {
            metric = known
        } else {
            metric = builder.metric(named: values.value(metricValue))
            metricIndexByValue[metricValue] = metric
        }
        guard let added = builder.addObservation(
            model: model, task: task, metric: metric, value: value, stderr: stderrCell, n: countCell,
            shots: shotsCell, seed: seedCell, at: here)
        else { return }
        for (slot, extra) in extras.enumerated() {
            if let id = row.interned(extra.index, in: &values) {
                extraCells[slot].append((added, model, Int32(row.line), id))
            }
        }
    }

    /// Classifies the extra columns (see the type's documentation) and stores them. Each distinct
    /// value is parsed once.
    mutating func finish(into builder: inout DatasetBuilder) {
        var parsed: [Int32: NumberParsing.Result] = [:]
        for (slot, extra) in extras.enumerated() {
            let cells = extraCells[slot]
            guard !cells.isEmpty else { continue }
            for cell in cells where parsed[cell.value] == nil { parsed[cell.value] = NumberParsing.parse(values.value(cell.value)) }
            let isNumeric = cells.allSatisfy {
                switch parsed[$0.value]! {
                case .value, .nonFinite: return true
                case .invalid, .missing: return false
                }
            }
            if isNumeric {
                let nonFinite = cells.filter { parsed[$0.value]! == .nonFinite }
                for bad in nonFinite {
                    builder.report(SourceLocation(file: file, line: Int(bad.line), column: extra.name),
                                   "\(extra.name) '\(values.value(bad.value))' is not finite; leave the cell empty if the value is unknown")
                }
                if !nonFinite.isEmpty { continue }
            }
            func number(_ id: Int32) -> Double {
                if case .value(let value) = parsed[id]! { return value }
                return .nan
            }
            // Model-level when constant within each model and repeated for at least one model.
            var perModel: [Int32: (value: Int32, count: Int, line: Int32)] = [:]
            var constant = true
            for cell in cells {
                if let seen = perModel[cell.model] {
                    if seen.value != cell.value && !(isNumeric && number(seen.value) == number(cell.value)) {
                        constant = false
                        break
                    }
                    perModel[cell.model] = (seen.value, seen.count + 1, seen.line)
                } else {
                    perModel[cell.model] = (cell.value, 1, cell.line)
                }
            }
            if constant && perModel.values.contains(where: { $0.count > 1 }) {
                for (model, seen) in perModel.sorted(by: { $0.key < $1.key }) {
                    let key = builder.model(at: model).key
                    var info = ModelInfo(name: key.name, step: key.step)
                    if isNumeric { info.attributes[extra.name] = number(seen.value) } else { info.labels[extra.name] = values.value(seen.value) }
                    builder.addModel(info, at: SourceLocation(file: file, line: Int(seen.line), column: extra.name))
                }
            } else if isNumeric {
                for cell in cells { builder.setExtra(extra.name, number: number(cell.value), row: cell.row) }
            } else {
                for cell in cells { builder.setExtra(extra.name, label: values.value(cell.value), row: cell.row) }
            }
        }
    }
}

/// `YYYY-MM-DD` with a plausible month and day.
func isISODate(_ text: String) -> Bool {
    let parts = text.split(separator: "-", omittingEmptySubsequences: false)
    guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
          let _ = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]) else { return false }
    return (1...12).contains(month) && (1...31).contains(day)
}
