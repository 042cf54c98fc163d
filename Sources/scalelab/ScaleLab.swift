import ArgumentParser

struct ScaleLab: ParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "scalelab",
        abstract: "Task-based scaling laws: import evaluations of a model ladder, fit, predict, diagnose.",
        discussion: """
            Data lives in one SQLite file: ./scalelab.sqlite, or --db PATH, or $SCALELAB_DB.

            Examples:
              scalelab demo
              scalelab import ../shared/data/pythia_evals.csv
              scalelab import lm_eval_results/*.json --models sizes.csv
              scalelab list tasks --task 'hendrycksTest-*'
              scalelab export --csv --where 'params<=3e9' -o small.csv
            """,
        version: version,
        subcommands: [ImportCommand.self, ListCommand.self, ExportCommand.self, DemoCommand.self]
    )
}
