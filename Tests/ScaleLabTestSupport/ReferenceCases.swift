import Foundation
import ScaleLabFit
import ScaleLabIO

/// A reference file that is missing a field the loader needs, or holds it in the wrong type.
public struct ReferenceFileError: Error, CustomStringConvertible {
    public var path: String
    public var problem: String
    public var description: String { "\(path): \(problem); regenerate it with ../shared/reference/make_cases.py or bench.py --write" }
}

/// One synthetic case of `../shared/reference/cases` with known truth (schema in that folder's
/// README.md), loaded once for the tests and the FitBench benchmark alike.
public struct ReferenceCase: Sendable {
    public var name: String
    /// The case's family in the reference's summaries (`power_law`, `chinchilla`, …, `adversarial`).
    public var family: String
    /// The form fitted (`power_law`, `chinchilla`, `logistic`, `bnsl1`, `bnsl2`).
    public var form: String
    public var fit: FitData
    public var heldoutX: [Double]
    public var heldoutX2: [Double]?
    /// Noise-free y at the held-out points.
    public var heldoutTruth: [Double]
    /// Whether the reference refuses these data with `FitInputError`.
    public var expectError: Bool
    public var reason: String?
    /// The law's true parameters by name, empty for adversarial cases.
    public var trueParameters: [String: Double]
    /// Every point of the case (fit window and held out), first input only.
    public var allX: [Double]

    /// `../shared/reference` beside the package.
    public static let folder = TestSupport.packageRoot.appendingPathComponent("../shared/reference").standardized

    public static var available: Bool { FileManager.default.fileExists(atPath: folder.appendingPathComponent("cases").path) }

    /// A JSON file of the reference folder (`results.json`, `chinchilla_real.json`, `cases/…`).
    public static func json(_ relativePath: String) throws -> JSONValue {
        let path = folder.appendingPathComponent(relativePath).path
        return try JSONParser.parse(try String(contentsOfFile: path, encoding: .utf8))
    }

    /// Every case, in file-name order.
    public static func loadAll() throws -> [ReferenceCase] {
        let cases = folder.appendingPathComponent("cases")
        return try FileManager.default.contentsOfDirectory(atPath: cases.path).filter { $0.hasSuffix(".json") }.sorted().map {
            try load("cases/" + $0)
        }
    }

    /// Numbers of a JSON array, with null (the reference's NaN) as NaN.
    public static func numbers(_ value: JSONValue?) -> [Double] {
        (value?.array ?? []).map { $0.double ?? .nan }
    }

    public static func load(_ relativePath: String) throws -> ReferenceCase {
        let json = try json(relativePath)
        func required(_ key: String) throws -> String {
            guard let value = json[key]?.string else {
                throw ReferenceFileError(path: relativePath, problem: "no string field `\(key)`")
            }
            return value
        }
        let form = try json["fit_form"]?.string ?? required("form")
        func inputs(_ key: String) -> ([Double], [Double]?) {
            let values = json[key]?.array ?? []
            if form == "chinchilla" {
                return (values.map { $0.array?[0].double ?? .nan }, values.map { $0.array?[1].double ?? .nan })
            }
            return (values.map { $0.double ?? .nan }, nil)
        }
        let (x, x2) = inputs("x_fit")
        let (hx, hx2) = inputs("x_heldout")
        var truth: [String: Double] = [:]
        for (key, value) in json["true_params"]?.object?.members ?? [] { truth[key] = value.double }
        return ReferenceCase(
            name: try required("name"), family: try required("family"), form: form,
            fit: FitData(x: x, x2: x2, y: numbers(json["y_fit"])),
            heldoutX: hx, heldoutX2: hx2, heldoutTruth: numbers(json["y_heldout_true"]),
            expectError: json["expect_error"] == .bool(true), reason: json["reason"]?.string,
            trueParameters: truth, allX: inputs("x").0)
    }

    /// The law the reference fits for this case's form.
    public var law: any ScalingLaw {
        switch form {
        case "power_law": return PowerLaw()
        case "logistic": return LogisticLaw()
        case "bnsl1": return BrokenNeuralScalingLaw(breaks: 1)
        case "bnsl2": return BrokenNeuralScalingLaw(breaks: 2)
        default: return ChinchillaLaw(startGrid: .coarse)
        }
    }

    /// The fitter matching the reference's settings: Chinchilla cases use Approach 3's Huber loss
    /// on the 72-start coarse grid (the reference's `COARSE_GRID`), the others the defaults.
    public var fitter: Fitter { form == "chinchilla" ? Fitter(loss: .approach3, maxStarts: 72) : Fitter() }

    /// Mean |log ŷ − log y_true| over the held-out points (the reference's `extrap_male_true`).
    public func heldoutError(_ result: FitResult) -> Double {
        let predictions = law.predict(result.theta, x: heldoutX, x2: heldoutX2)
        return zip(predictions, heldoutTruth).map { abs(log($0) - log($1)) }.reduce(0, +) / Double(heldoutTruth.count)
    }
}

/// scipy's held-out errors from `../shared/reference/results.json`, by case name.
public func scipyHeldoutErrors() throws -> [String: Double] {
    let json = try ReferenceCase.json("results.json")
    var result: [String: Double] = [:]
    for entry in json["cases"]?.array ?? [] {
        if let name = entry["name"]?.string, let error = entry["extrap_male_true"]?.double { result[name] = error }
    }
    return result
}

extension TestSupport {
    /// Chinchilla Approach 3's data as Epoch AI replicated it (Besiroglu et al. 2024):
    /// `../shared/data/chinchilla_approach3.csv` (N, D, loss) without its 5 highest-loss rows
    /// (the notebook's `nr_of_models_excluded = 5`), 240 points.
    public static func chinchillaApproach3Data() throws -> FitData {
        let path = sharedData.appendingPathComponent("chinchilla_approach3.csv").path
        // The file has no task/metric columns: read it as a plain numeric table.
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let rows = try text.split(separator: "\n").filter { !$0.hasPrefix("#") }.dropFirst().enumerated().map { index, line in
            let values = line.split(separator: ",").compactMap { Double($0) }
            guard values.count >= 3 else {
                throw ReferenceFileError(path: path, problem: "data row \(index + 1) does not hold three numbers (N, D, loss)")
            }
            return values
        }
        let kept = rows.sorted { $0[2] < $1[2] }.dropLast(5)
        return FitData(x: kept.map { $0[0] }, x2: kept.map { $0[1] }, y: kept.map { $0[2] })
    }
}
