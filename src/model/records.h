#pragma once
// The data model shared by ingest, store, KPIs and the server: calls, scores and outcomes
// (the brief's data model). Plain values; no I/O and no library types.
//
// Times are Unix nanoseconds (UTC). Token counts and cost are -1 / nullopt when unknown, which
// is different from 0 (a call that used no tokens).

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace yardstick::model {

// Attributes kept for slicing: key and value as strings (numbers and booleans in their JSON
// spelling). Order is the order received.
using Attributes = std::vector<std::pair<std::string, std::string>>;

enum class CallStatus { kUnset = 0, kOk = 1, kError = 2 };

// One LLM invocation (an OpenTelemetry GenAI span).
struct Call {
  std::string project;
  std::string id;        // unique within the project; the span id when the call came from OTLP
  std::string trace_id;  // 32 lower-case hex chars, or empty
  std::string span_id;   // 16 lower-case hex chars, or empty
  std::string parent_span_id;  // 16 lower-case hex chars, or empty
  std::string conversation_id;
  std::string session_id;
  std::string user_id;
  int64_t start_ns = 0;
  int64_t end_ns = 0;            // >= start_ns; latency = end - start
  std::optional<double> ttft_s;  // time to first token, seconds
  std::string operation;         // gen_ai.operation.name: chat, text_completion, ...
  std::string provider;          // gen_ai.provider.name
  std::string request_model;
  std::string response_model;
  std::string service;      // service.name
  std::string environment;  // deployment.environment(.name)
  std::string route;
  std::string prompt_name;
  std::string prompt_version;
  std::string release;
  std::string variant;         // experiment variant
  int64_t input_tokens = -1;   // includes cache-read and cache-creation tokens
  int64_t output_tokens = -1;  // includes reasoning tokens
  int64_t cache_read_tokens = -1;
  int64_t cache_creation_tokens = -1;
  int64_t reasoning_tokens = -1;
  std::optional<double> cost_usd;  // given by the client, or computed at ingest
  bool cost_computed = false;      // true when ingest priced the call from the table
  CallStatus status = CallStatus::kUnset;
  std::string error_type;
  std::string finish_reason;
  std::string input_text;   // optional; redacted before it is stored
  std::string output_text;  // optional; redacted before it is stored
  Attributes attributes;

  // The model a KPI groups by: the response model when known, else the requested one.
  const std::string& model() const {
    return response_model.empty() ? request_model : response_model;
  }
  double latency_s() const { return static_cast<double>(end_ns - start_ns) * 1e-9; }
};

// A judgment of a call, trace or conversation: thumbs, survey ratings, judge scores, annotations
// and metric values are all scores.
struct Score {
  std::string project;
  std::string id;
  std::string call_id;  // the call judged (span id for OTLP), or empty
  std::string trace_id;
  std::string conversation_id;
  std::string user_id;
  std::string name;             // e.g. "thumbs", "csat", "nps", "helpfulness", "correct"
  std::optional<double> value;  // numeric value; booleans are 1/0
  std::string label;            // categorical value (e.g. "pass"), or empty
  std::string source;           // user, survey, annotator, judge, metric, api
  std::string author;
  std::string comment;
  int64_t time_ns = 0;
  Attributes attributes;
};

// A business event about a conversation, session or user.
struct Outcome {
  std::string project;
  std::string id;
  std::string conversation_id;
  std::string session_id;
  std::string user_id;
  std::string name;  // resolved, escalated, repeat_contact, impression, click, conversion, ...
  double value = 1.0;
  int64_t time_ns = 0;
  Attributes attributes;
};

// What one request carries after parsing; also the unit of a durable append.
struct Batch {
  std::vector<Call> calls;
  std::vector<Score> scores;
  std::vector<Outcome> outcomes;

  size_t size() const { return calls.size() + scores.size() + outcomes.size(); }
  bool empty() const { return size() == 0; }
};

// One record the ingest path refused, reported back to the client (partial success).
struct Rejection {
  size_t index = 0;    // position of the record in the request (0-based)
  size_t line = 0;     // 1-based line for NDJSON bodies, 0 otherwise
  std::string path;    // JSON path of the offending value, e.g. "$[3].input_tokens"
  std::string reason;  // what was expected
};

}  // namespace yardstick::model
