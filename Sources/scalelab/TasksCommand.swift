import ArgumentParser

struct TasksCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tasks",
        abstract: "Task families with real answers: generate them as JSONL, grade answers against them.",
        subcommands: [TasksGenerateCommand.self, TasksGradeCommand.self]
    )
}
