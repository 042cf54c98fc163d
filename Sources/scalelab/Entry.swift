import ArgumentParser
import Foundation
import ScaleLabCore
import ScaleLabFit
import ScaleLabIO

/// Runs the command line. Exit codes: 0 success, 1 a user error (with a message saying what to
/// fix), 2 an internal error.
@main
enum Entry {
    static func main() async {
        do {
            var command = try ScaleLab.parseAsRoot()
            if var asynchronous = command as? any AsyncParsableCommand {
                try await runAsynchronously(&asynchronous)
            } else {
                try command.run()
            }
        } catch {
            exit(report(error))
        }
    }

    private static func runAsynchronously<Command: AsyncParsableCommand>(_ command: inout Command) async throws {
        try await command.run()
    }

    /// Prints the error and returns the exit code.
    private static func report(_ error: any Error) -> Int32 {
        switch error {
        case let error as UserError: Terminal.error(error.description); return 1
        case let error as DataError: Terminal.error(error.summary()); return 1
        case let error as StoreError: Terminal.error(error.description); return 1
        case let error as SelectionError: Terminal.error(error.description); return 1
        case let error as FitInputError: Terminal.error(error.description); return 1
        default: break
        }
        let code = ScaleLab.exitCode(for: error)
        if code == .success {
            Terminal.out(ScaleLab.fullMessage(for: error))
            return 0
        }
        if code == .validationFailure {
            Terminal.error(ScaleLab.fullMessage(for: error))
            return 1
        }
        if let exitCode = error as? ExitCode { return exitCode.rawValue }
        Terminal.error("internal error: \(error)\nPlease report this with the command you ran.")
        return 2
    }
}
