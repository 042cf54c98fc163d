import ArgumentParser
import Foundation
import ScaleLabCore
import ScaleLabIO

// Exit codes: 0 success, 1 a user error (with a message saying what to fix), 2 an internal error.
do {
    var command = try ScaleLab.parseAsRoot()
    try command.run()
} catch let error as UserError {
    Terminal.error(error.description)
    exit(1)
} catch let error as DataError {
    Terminal.error(error.summary())
    exit(1)
} catch let error as StoreError {
    Terminal.error(error.description)
    exit(1)
} catch let error as SelectionError {
    Terminal.error(error.description)
    exit(1)
} catch {
    let code = ScaleLab.exitCode(for: error)
    if code == .success {
        Terminal.out(ScaleLab.fullMessage(for: error))
        exit(0)
    } else if code == .validationFailure {
        Terminal.error(ScaleLab.fullMessage(for: error))
        exit(1)
    } else if let exitCode = error as? ExitCode {
        exit(exitCode.rawValue)
    } else {
        Terminal.error("internal error: \(error)\nPlease report this with the command you ran.")
        exit(2)
    }
}
