#pragma once
// `yardstick replay <file.ndjson|-> --url http://127.0.0.1:8080 [--batch 1000] [--concurrency 4]
// [--rate N] [--gzip] [--format text|json]`: sends NDJSON event records to a server's
// POST /v1/events and reports throughput and acknowledgement latency.
// `yardstick replay --generate N [--span-days D] [--seed S] [--output FILE]` synthesizes N call
// records instead of reading a file (the ingest load generator), and with --output writes them
// as NDJSON instead of sending them.
//
// The API key comes from the environment variable YARDSTICK_API_KEY (never from a flag).
// Exit codes: 0 every batch was acknowledged (records the server rejected are reported, not
// failures), 1 a batch failed after its retries or the server refused the key, 2 bad usage.

#include <CLI/App.hpp>

namespace yardstick::cli {

void AddReplayCommand(CLI::App& app, int* exit_code);

}  // namespace yardstick::cli
