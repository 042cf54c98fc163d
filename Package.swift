// swift-tools-version: 6.1
import PackageDescription

let strict: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
]

let package = Package(
    name: "ScaleLab",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "ScaleLabCore", targets: ["ScaleLabCore"]),
        .library(name: "ScaleLabIO", targets: ["ScaleLabIO"]),
        .library(name: "ScaleLabFit", targets: ["ScaleLabFit"]),
        .library(name: "ScaleLabAnalysis", targets: ["ScaleLabAnalysis"]),
        .library(name: "ScaleLabTasks", targets: ["ScaleLabTasks"]),
        .library(name: "ScaleLabDifficulty", targets: ["ScaleLabDifficulty"]),
        .library(name: "ScaleLabReport", targets: ["ScaleLabReport"]),
        .executable(name: "scalelab", targets: ["scalelab"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        .target(name: "ScaleLabCore", exclude: ["README.md"], swiftSettings: strict),
        .target(name: "ScaleLabFit", dependencies: ["ScaleLabCore"], exclude: ["README.md"], swiftSettings: strict),
        .target(name: "ScaleLabAnalysis", dependencies: ["ScaleLabCore", "ScaleLabFit"], swiftSettings: strict),
        .target(name: "ScaleLabDifficulty", dependencies: ["ScaleLabCore", "ScaleLabFit"], swiftSettings: strict),
        .target(
            name: "ScaleLabReport", dependencies: ["ScaleLabCore", "ScaleLabFit", "ScaleLabAnalysis", "ScaleLabDifficulty"],
            swiftSettings: strict),
        .target(
            name: "ScaleLabTasks",
            dependencies: ["ScaleLabCore", "ScaleLabFit", "ScaleLabAnalysis", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict
        ),
        .target(
            name: "ScaleLabIO",
            dependencies: [
                "ScaleLabCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "scalelab",
            dependencies: [
                "ScaleLabCore", "ScaleLabIO", "ScaleLabFit", "ScaleLabAnalysis", "ScaleLabTasks", "ScaleLabDifficulty", "ScaleLabReport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "ImportBench",
            dependencies: ["ScaleLabCore", "ScaleLabIO"],
            path: "Benchmarks/ImportBench",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "FitBench",
            dependencies: ["ScaleLabFit", "ScaleLabIO", "ScaleLabTestSupport"],
            path: "Benchmarks/FitBench",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "BacktestBench",
            dependencies: ["ScaleLabCore", "ScaleLabIO", "ScaleLabFit", "ScaleLabAnalysis"],
            path: "Benchmarks/BacktestBench",
            exclude: ["backtest_reference.py"],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "LadderBench",
            dependencies: ["ScaleLabCore", "ScaleLabIO", "ScaleLabAnalysis"],
            path: "Benchmarks/LadderBench",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "TaskBench",
            dependencies: ["ScaleLabTasks"],
            path: "Benchmarks/TaskBench",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "HorizonBench",
            dependencies: ["ScaleLabCore", "ScaleLabIO", "ScaleLabDifficulty"],
            path: "Benchmarks/HorizonBench",
            exclude: ["horizon_reference.py"],
            swiftSettings: strict
        ),
        .target(
            name: "ScaleLabTestSupport", dependencies: ["ScaleLabFit", "ScaleLabIO"], path: "Tests/ScaleLabTestSupport",
            swiftSettings: strict),
        .testTarget(name: "ScaleLabCoreTests", dependencies: ["ScaleLabCore"], swiftSettings: strict),
        .testTarget(
            name: "ScaleLabAnalysisTests", dependencies: ["ScaleLabAnalysis", "ScaleLabFit", "ScaleLabCore", "ScaleLabIO", "ScaleLabTestSupport"],
            swiftSettings: strict),
        .testTarget(
            name: "ScaleLabFitTests", dependencies: ["ScaleLabFit", "ScaleLabIO", "ScaleLabTestSupport"],
            swiftSettings: strict),
        .testTarget(
            name: "ScaleLabIOTests",
            dependencies: ["ScaleLabCore", "ScaleLabIO", "ScaleLabTestSupport", .product(name: "GRDB", package: "GRDB.swift")],
            resources: [.copy("Fixtures")], swiftSettings: strict),
        .testTarget(
            name: "ScaleLabTasksTests", dependencies: ["ScaleLabTasks", "ScaleLabCore", "ScaleLabAnalysis", "ScaleLabTestSupport"],
            swiftSettings: strict),
        .testTarget(
            name: "ScaleLabDifficultyTests",
            dependencies: ["ScaleLabDifficulty", "ScaleLabCore", "ScaleLabFit", "ScaleLabIO", "ScaleLabTasks", "ScaleLabTestSupport"],
            swiftSettings: strict),
        .testTarget(name: "ScaleLabReportTests", dependencies: ["ScaleLabReport"], swiftSettings: strict),
        .testTarget(
            name: "ScaleLabCLITests", dependencies: ["ScaleLabCore", "ScaleLabIO", "ScaleLabTestSupport"],
            swiftSettings: strict),
    ]
)
