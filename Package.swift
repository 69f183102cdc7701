// swift-tools-version: 6.1
import PackageDescription

let package = Package(
  name: "evt",
  platforms: [.macOS(.v14)],
  products: [
    .executable(name: "evt", targets: ["evt"]),
    .executable(name: "evt-dashboard", targets: ["evt-dashboard"]),
    .library(name: "EvtBus", targets: ["EvtBus"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
    .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
    .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    // The dashboard's HTTP server. No default traits: neither swift-configuration nor all of
    // Foundation is linked into evt.
    .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
    .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
  ],
  targets: [
    // The C API of hiredis 0.14 (Debian's libhiredis-dev). Only EvtRedis imports it.
    .systemLibrary(
      name: "CHiredis",
      pkgConfig: "hiredis",
      providers: [.apt(["libhiredis-dev"])]
    ),
    // One Redis connection: URLs, sockets and TLS, connect, AUTH/SELECT, timeouts, argv
    // commands, pipelining.
    .target(name: "EvtRedis", dependencies: ["CHiredis", "COpenSSL"]),
    // OpenSSL 3 (Debian's libssl-dev), for rediss:// URLs. Headers only: libssl is opened with
    // dlopen by the first TLS connection, so nothing else loads it.
    .systemLibrary(
      name: "COpenSSL",
      providers: [.apt(["libssl-dev"])]
    ),
    // The codec: JSON (validator, minifier, tree), the envelope, event ids and times, stream
    // ids, contracts. Pure Swift over bytes: no Redis, no I/O.
    .target(name: "EvtCodec"),
    // Publisher, tail reader, consumer groups, retries, dead letters, done markers, circuit
    // breaker, the operations figures; re-exports EvtCodec.
    .target(name: "EvtBus", dependencies: ["EvtRedis", "EvtCodec"]),
    // Process plumbing a program embedding EvtBus does not want: signal handling, exiting,
    // running handlers through /bin/sh.
    .target(name: "EvtProcess", dependencies: ["EvtBus", "CMalloc"]),
    // The commit and time of the build, for `evt version --json` (a header the build scripts
    // write; empty without it).
    .systemLibrary(name: "CBuildInfo"),
    // glibc's mallopt (headers only; part of libc).
    .systemLibrary(name: "CMalloc"),
    // libcurl (Debian's libcurl4-openssl-dev), for the SMTP mailer. Only EvtServices imports it.
    // Headers only: libcurl itself is opened with dlopen by the SMTP mailer, so no other
    // command loads it.
    .systemLibrary(
      name: "CCurl",
      providers: [.apt(["libcurl4-openssl-dev"])]
    ),
    // The user service and the email service, built on EvtBus like any user's service.
    .target(
      name: "EvtServices",
      dependencies: [
        "EvtBus", "EvtRedis", "EvtOps", "CCurl", .product(name: "Histogram", package: "hdrhistogram-swift"),
        .product(name: "Logging", package: "swift-log"),
      ]),
    // What long-running consumers add for operators: structured logs (swift-log), Prometheus
    // metrics (swift-metrics, swift-prometheus), /healthz and /readyz on a small HTTP listener,
    // heartbeat files. One-shot commands never call into it.
    .target(
      name: "EvtOps",
      dependencies: [
        "EvtBus", "EvtRedis", .product(name: "Logging", package: "swift-log"), .product(name: "Metrics", package: "swift-metrics"),
        .product(name: "Prometheus", package: "swift-prometheus"),
      ]),
    // `evt dashboard`: server-rendered pages of streams, groups, lag and dead letters, a live tail
    // over Server-Sent Events, replay and purge; served by Hummingbird. One-shot commands never
    // call into it.
    .target(
      name: "EvtDashboard",
      dependencies: [
        "EvtBus", "EvtRedis", .product(name: "Hummingbird", package: "hummingbird"),
        .product(name: "HummingbirdCore", package: "hummingbird"), .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"), .product(name: "HTTPTypes", package: "swift-http-types"),
        .product(name: "Logging", package: "swift-log"),
      ]),
    // `evt bench`: publishers and subscribers on threads, latency in an HdrHistogram.
    .target(name: "EvtBench", dependencies: ["EvtBus", "EvtRedis", .product(name: "Histogram", package: "hdrhistogram-swift")]),
    // One thin file per subcommand.
    .target(
      name: "EvtCLI",
      dependencies: [
        "EvtBus", "EvtRedis", "EvtServices", "EvtProcess", "EvtBench", "EvtOps", "CBuildInfo",
        .product(name: "ArgumentParser", package: "swift-argument-parser"), .product(name: "Logging", package: "swift-log"),
      ]
    ),
    .executableTarget(name: "evt", dependencies: ["EvtCLI"]),
    // The web server behind `evt dashboard`, a program of its own: evt execs it, so the HTTP
    // library (SwiftNIO, Hummingbird) is never loaded by evt's other commands. It is the evt
    // command line with the server linked in.
    .executableTarget(name: "evt-dashboard", dependencies: ["EvtCLI", "EvtDashboard"], path: "Sources/EvtDashboardMain"),
    // libFuzzer target over the JSON validator and the envelope decoder (scripts/fuzz); in an
    // ordinary build, a runner that replays the committed corpus (Fuzz/corpus).
    .executableTarget(name: "evt-fuzz", dependencies: ["EvtCodec"], path: "Sources/EvtFuzz"),

    // Starts a private redis-server for integration tests.
    .target(name: "EvtTestSupport", dependencies: ["EvtRedis", "EvtBus"], path: "Tests/Support"),
    .testTarget(name: "EvtRedisTests", dependencies: ["EvtRedis", "CHiredis", "EvtTestSupport"]),
    .testTarget(name: "EvtCodecTests", dependencies: ["EvtCodec"]),
    .testTarget(name: "EvtBusTests", dependencies: ["EvtBus", "EvtCodec", "EvtRedis", "EvtTestSupport"]),
    .testTarget(
      name: "EvtServicesTests",
      dependencies: ["EvtServices", "EvtBus", "EvtRedis", "EvtTestSupport", .product(name: "Logging", package: "swift-log")]),
    .testTarget(name: "EvtBenchTests", dependencies: ["EvtBench", "EvtBus", "EvtRedis", "EvtTestSupport"]),
    .testTarget(name: "EvtProcessTests", dependencies: ["EvtProcess", "EvtBus", "EvtRedis", "EvtTestSupport"]),
    .testTarget(name: "EvtDashboardTests", dependencies: ["EvtDashboard", "EvtBus", "EvtRedis", "EvtTestSupport"]),
    .testTarget(name: "EvtOpsTests", dependencies: ["EvtOps", "EvtBus", "EvtRedis", "EvtTestSupport"]),
  ]
)
