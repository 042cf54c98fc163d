import ScaleLabCore

/// A stored row and an incoming row with the same key but different content.
public struct StoreConflict: Sendable, CustomStringConvertible {
    public var what: String
    public var stored: String
    public var incoming: String
    public var location: SourceLocation?

    public var description: String {
        let place = location.map { " (\($0))" } ?? ""
        return "\(what): database has \(stored), input has \(incoming)\(place)"
    }
}

/// Why the store could not do what was asked. Each case says what to do about it.
public enum StoreError: Error, Sendable, CustomStringConvertible {
    case notFound(path: String)
    case notADatabase(path: String)
    case notScaleLab(path: String)
    case newerSchema(path: String)
    case locked(path: String, waited: Double)
    case readOnly(path: String)
    case conflicts([StoreConflict], total: Int)
    case sqlite(path: String, message: String)

    public var description: String {
        switch self {
        case .notFound(let path):
            return "no database at \(path); import data first with `scalelab import FILE` (or point --db / SCALELAB_DB at one)"
        case .notADatabase(let path):
            return "\(path) is not a SQLite database; point --db at a ScaleLab database or a new path (the file was not changed)"
        case .notScaleLab(let path):
            return "\(path) is a SQLite database but not a ScaleLab one; use another --db path (the file was not changed)"
        case .newerSchema(let path):
            return "\(path) was written by a newer ScaleLab; upgrade scalelab to use it"
        case .locked(let path, let waited):
            return "\(path) is locked by another process (waited \(waited) s); try again when it has finished"
        case .readOnly(let path):
            return "\(path) cannot be written (read-only file or folder)"
        case .conflicts(let conflicts, let total):
            var lines = ["\(total) row\(total == 1 ? "" : "s") of the input conflict\(total == 1 ? "s" : "") with the database (same key, different content); nothing was imported:"]
            lines += conflicts.map { "  \($0)" }
            if total > conflicts.count { lines.append("  … and \(total - conflicts.count) more") }
            lines.append("Re-run with --on-conflict replace to overwrite the database's values, or --on-conflict skip to keep them.")
            return lines.joined(separator: "\n")
        case .sqlite(let path, let message):
            return "database \(path): \(message)"
        }
    }
}
