// ImportBench: imports ../shared/data/pythia_evals.csv (98,460 rows) into a fresh SQLite store and
// prints rows per second and peak memory, next to a Python baseline (csv module + sqlite3
// executemany into the same table layout) measured in the same run.
//
//   swift run -c release ImportBench [path/to/pythia_evals.csv] [--repeats N]
//
// Targets (issue 3): ≥ 200,000 rows/s end to end (read, validate, write, commit) and < 300 MB peak.
import Foundation
import ScaleLabCore
import ScaleLabIO
#if canImport(Glibc)
import Glibc
#endif

func peakResidentMegabytes() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024  // kilobytes on Linux
}

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
var arguments = Array(CommandLine.arguments.dropFirst())
var repeats = 9
if let index = arguments.firstIndex(of: "--repeats"), index + 1 < arguments.count, let value = Int(arguments[index + 1]) {
    repeats = max(1, value)
    arguments.removeSubrange(index...(index + 1))
}
let path = arguments.first ?? packageRoot.appendingPathComponent("../shared/data/pythia_evals.csv").standardized.path
guard FileManager.default.fileExists(atPath: path) else {
    print("ImportBench skipped: \(path) not found (the shared data folder is not beside the package)")
    exit(0)
}

let folder = FileManager.default.temporaryDirectory.appendingPathComponent("scalelab-importbench-\(getpid())")
try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: folder) }

var totals: [Double] = [], parses: [Double] = [], writes: [Double] = []
var rows = 0
for run in 0..<repeats {
    let database = folder.appendingPathComponent("run\(run).sqlite").path
    var dataset = Dataset.empty
    let parse = try seconds {
        let input = try InputFile(path: path)
        var builder = DatasetBuilder()
        try Importer.read(input, format: .csv, into: &builder)
        dataset = try builder.build()
    }
    let write = try seconds {
        let store = try Store(path: database, mode: .create)
        let summary = try store.importDataset(dataset, onConflict: .fail, sources: [path])
        precondition(summary.observationsAdded == dataset.count)
    }
    rows = dataset.count
    parses.append(parse)
    writes.append(write)
    totals.append(parse + write)
}
func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

// Python baseline: the same file into the same table layout, with Python's csv and sqlite3.
let script = """
import csv, sqlite3, sys, time, os
path, db = sys.argv[1], sys.argv[2]
best = None
for r in range(3):
    if os.path.exists(db): os.remove(db)
    t = time.perf_counter()
    con = sqlite3.connect(db)
    con.executescript('''
    CREATE TABLE models(id INTEGER PRIMARY KEY, name TEXT NOT NULL, step INTEGER, family TEXT, params REAL,
      params_nonembedding REAL, tokens REAL, flops REAL, extras TEXT);
    CREATE UNIQUE INDEX models_key ON models(name, IFNULL(step,-1));
    CREATE TABLE tasks(id INTEGER PRIMARY KEY, name TEXT UNIQUE);
    CREATE TABLE metrics(id INTEGER PRIMARY KEY, name TEXT UNIQUE);
    CREATE TABLE observations(model_id INTEGER NOT NULL, task_id INTEGER NOT NULL, metric_id INTEGER NOT NULL,
      shots INTEGER NOT NULL, seed INTEGER NOT NULL, value REAL NOT NULL, stderr REAL, n INTEGER, extras TEXT,
      PRIMARY KEY (model_id, task_id, metric_id, shots, seed)) WITHOUT ROWID;
    CREATE INDEX observations_task ON observations(task_id, metric_id);
    CREATE INDEX observations_metric ON observations(metric_id);
    ''')
    models, tasks, metrics, rows = {}, {}, {}, []
    with open(path) as f:
        reader = csv.DictReader(line for line in f if not line.startswith('#'))
        for r in reader:
            v = float(r['value'])
            if v != v: raise SystemExit('nan')
            key = (r['model'], int(r['step']))
            m = models.get(key)
            if m is None:
                m = models[key] = len(models) + 1
                con.execute('INSERT INTO models(id,name,step,family,params,params_nonembedding,tokens,flops) VALUES (?,?,?,?,?,?,?,?)',
                    (m, r['model'], int(r['step']), r['family'], float(r['params']), float(r['params_nonembedding']), float(r['tokens']), float(r['flops'])))
            t_ = tasks.setdefault(r['task'], len(tasks) + 1)
            k = metrics.setdefault(r['metric'], len(metrics) + 1)
            rows.append((m, t_, k, int(r['shots']), -2**63, v, float(r['stderr']) if r['stderr'] else None, int(r['n']) if r['n'] else None))
    con.executemany('INSERT INTO tasks(id,name) VALUES (?,?)', [(i, n) for n, i in tasks.items()])
    con.executemany('INSERT INTO metrics(id,name) VALUES (?,?)', [(i, n) for n, i in metrics.items()])
    con.executemany('INSERT INTO observations(model_id,task_id,metric_id,shots,seed,value,stderr,n) VALUES (?,?,?,?,?,?,?,?)', rows)
    con.commit(); con.close()
    e = time.perf_counter() - t
    best = e if best is None or e < best else best
print(best)
"""
let scriptPath = folder.appendingPathComponent("baseline.py").path
try script.write(toFile: scriptPath, atomically: true, encoding: .utf8)
let process = Process()
process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
process.arguments = ["python3", scriptPath, path, folder.appendingPathComponent("baseline.sqlite").path]
let pipe = Pipe()
process.standardOutput = pipe
var pythonSeconds: Double?
do {
    try process.run()
    process.waitUntilExit()
    let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    pythonSeconds = Double(text.trimmingCharacters(in: .whitespacesAndNewlines))
} catch {
    pythonSeconds = nil
}

let best = totals.min()!
let rate = Double(rows) / best
let peak = peakResidentMegabytes()
print("ImportBench — \(path)")
print("rows                      \(rows)")
print(String(format: "parse + validate (median)  %.3f s", median(parses)))
print(String(format: "write + commit (median)    %.3f s", median(writes)))
print(String(format: "total: best %.3f s, median %.3f s over %d runs", best, median(totals), repeats))
print(String(format: "rows/s (best)              %.0f   target ≥ 200000: %@", rate, rate >= 200_000 ? "met" : "NOT met"))
print(String(format: "peak RSS                   %.1f MB   target < 300 MB: %@", peak, peak < 300 ? "met" : "NOT met"))
if let pythonSeconds {
    print(String(format: "python csv+sqlite3 (best)  %.3f s  → ScaleLab is %.1f× faster", pythonSeconds, pythonSeconds / best))
} else {
    print("python baseline: not run (python3 unavailable)")
}
