#pragma once
// `yardstick replay`: loads NDJSON event records into a server and measures it.
//
// Replay reads records (NDJSON lines) from a LineSource, groups them into batches and sends each
// batch to POST {url}/v1/events (Authorization: Bearer <key>, Content-Type:
// application/x-ndjson, optionally gzip-compressed) from `concurrency` senders, each with its own
// keep-alive connection. A batch answered 429 or 503, or not answered at all, is retried with
// exponential backoff that honours Retry-After; other non-2xx answers fail the batch at once, and
// 401/403 stop the run (every later batch would fail the same way). The report counts records
// sent, accepted and rejected (from the server's answers), failed batches, throughput, and the
// acknowledgement latency of each batch (the round trip of the request that was answered).
//
// CallGenerator synthesizes realistic call records for load tests and demos: several models and
// providers, routes, environments, ~2% errors, lognormal latencies and token counts, multi-turn
// conversations, times spread over the last `span_days` days in time order. Its output depends
// only on the options (the seed and the end time), so the same seed gives the same ids and
// reloading a generated file is idempotent.
//
// Thread safety: Replay starts and joins its own threads and calls `source` from the calling
// thread only. A CallGenerator is not thread-safe.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/error.h"

namespace yardstick::ingest {

// Yields the next NDJSON line (without its newline) into `line`; false at the end.
using LineSource = std::function<bool(std::string& line)>;

struct ReplayOptions {
  std::string url = "http://127.0.0.1:8080";  // scheme://host[:port][/prefix]
  std::string api_key;                        // sent as a bearer token when not empty
  size_t batch = 1000;                        // records per request
  int concurrency = 4;                        // concurrent senders (connections)
  double rate = 0;                            // records/s ceiling; 0: as fast as possible
  bool gzip = false;                          // Content-Encoding: gzip
  int max_retries = 5;                        // per batch, on 429/503/connection errors
  double timeout_s = 60;                      // per request (connect, read, write)
  double max_backoff_s = 30;                  // cap on one wait between retries
};

// A record the server rejected, placed in the source: `line` is the 1-based line in the input.
struct ReplayRejection {
  size_t line = 0;
  std::string path;
  std::string reason;
};

struct ReplayReport {
  size_t records_sent = 0;      // records in batches that were sent (answered or not)
  size_t records_accepted = 0;  // from the server's answers
  size_t records_rejected = 0;
  size_t records_failed = 0;  // records in failed batches
  size_t batches = 0;
  size_t batches_failed = 0;
  size_t retries = 0;
  bool aborted = false;  // stopped early after 401/403
  double elapsed_s = 0;
  double records_per_s = 0;  // records_sent / elapsed_s
  // Acknowledgement latency of answered batches, milliseconds (nearest-rank percentiles).
  double latency_p50_ms = 0;
  double latency_p95_ms = 0;
  double latency_p99_ms = 0;
  double latency_max_ms = 0;
  std::vector<ReplayRejection> first_rejections;  // up to 20, in input order
  std::vector<std::string> failures;              // up to 20 messages about failed batches
};

// Sends every record of `source`. Errors (kInvalidArgument) only for unusable options (bad URL,
// batch or concurrency < 1); a failing server is reported in the ReplayReport.
Result<ReplayReport> Replay(const LineSource& source, const ReplayOptions& options);

// The report as text (several aligned lines) or as one JSON object.
std::string FormatReplayReportText(const ReplayReport& report);
std::string FormatReplayReportJson(const ReplayReport& report);

struct GenerateOptions {
  uint64_t seed = 1;
  double span_days = 7;  // records spread over [end - span_days, end)
  int64_t end_ns = 0;    // the end of the time span (the caller passes "now")
  std::string project;   // written into each record when not empty
};

class CallGenerator {
 public:
  CallGenerator(const GenerateOptions& options, size_t count);
  ~CallGenerator();
  CallGenerator(const CallGenerator&) = delete;
  CallGenerator& operator=(const CallGenerator&) = delete;

  // The next record as one line of JSON (no newline); false after `count` records.
  bool Next(std::string& line);

  // A LineSource over this generator (which must outlive it).
  LineSource AsSource();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace yardstick::ingest
