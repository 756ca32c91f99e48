#include "store/clickhouse_codec.h"

namespace yardstick::store::clickhouse {
namespace {

constexpr std::string_view kBatchTag = "YSCHB1";

void WriteAttributes(RowWriter& w, const model::Attributes& a) {
  w.Varint(a.size());
  for (const auto& kv : a) w.String(kv.first);
  w.Varint(a.size());
  for (const auto& kv : a) w.String(kv.second);
}

model::Attributes ReadAttributes(RowReader& r) {
  model::Attributes a;
  const uint64_t n = r.Varint();
  for (uint64_t i = 0; i < n && r.ok(); ++i) a.emplace_back(r.String(), std::string());
  const uint64_t m = r.Varint();
  if (m != n) {
    (void)r.Fixed<uint64_t>();  // mismatched arrays: poison the reader
    return {};
  }
  for (uint64_t i = 0; i < m && r.ok(); ++i) a[i].second = r.String();
  return a;
}

}  // namespace

const char* const kCallColumns =
    "project, id, trace_id, span_id, parent_span_id, conversation_id, session_id, user_id, "
    "start_ns, end_ns, ttft_present, ttft_s, operation, provider, request_model, "
    "response_model, service, environment, route, prompt_name, prompt_version, release, "
    "variant, input_tokens, output_tokens, cache_read_tokens, cache_creation_tokens, "
    "reasoning_tokens, cost_present, cost_usd, cost_computed, status, error_type, "
    "finish_reason, input_text, output_text, attr_keys, attr_values";
const char* const kScoreColumns =
    "project, id, call_id, trace_id, conversation_id, user_id, name, value_present, value, "
    "label, source, author, comment, time_ns, attr_keys, attr_values";
const char* const kOutcomeColumns =
    "project, id, conversation_id, session_id, user_id, name, value, time_ns, attr_keys, "
    "attr_values";

void WriteCall(RowWriter& w, const model::Call& c) {
  for (const std::string* s : {&c.project, &c.id, &c.trace_id, &c.span_id, &c.parent_span_id,
                               &c.conversation_id, &c.session_id, &c.user_id}) {
    w.String(*s);
  }
  w.I64(c.start_ns);
  w.I64(c.end_ns);
  w.U8(c.ttft_s.has_value());
  w.F64(c.ttft_s.value_or(0));
  for (const std::string* s :
       {&c.operation, &c.provider, &c.request_model, &c.response_model, &c.service, &c.environment,
        &c.route, &c.prompt_name, &c.prompt_version, &c.release, &c.variant}) {
    w.String(*s);
  }
  for (int64_t v : {c.input_tokens, c.output_tokens, c.cache_read_tokens, c.cache_creation_tokens,
                    c.reasoning_tokens}) {
    w.I64(v);
  }
  w.U8(c.cost_usd.has_value());
  w.F64(c.cost_usd.value_or(0));
  w.U8(c.cost_computed);
  w.U8(static_cast<uint8_t>(c.status));
  for (const std::string* s : {&c.error_type, &c.finish_reason, &c.input_text, &c.output_text}) {
    w.String(*s);
  }
  WriteAttributes(w, c.attributes);
}

model::Call ReadCall(RowReader& r) {
  model::Call c;
  for (std::string* s : {&c.project, &c.id, &c.trace_id, &c.span_id, &c.parent_span_id,
                         &c.conversation_id, &c.session_id, &c.user_id}) {
    *s = r.String();
  }
  c.start_ns = r.I64();
  c.end_ns = r.I64();
  const bool ttft = r.U8() != 0;
  const double ttft_s = r.F64();
  if (ttft) c.ttft_s = ttft_s;
  for (std::string* s :
       {&c.operation, &c.provider, &c.request_model, &c.response_model, &c.service, &c.environment,
        &c.route, &c.prompt_name, &c.prompt_version, &c.release, &c.variant}) {
    *s = r.String();
  }
  for (int64_t* v : {&c.input_tokens, &c.output_tokens, &c.cache_read_tokens,
                     &c.cache_creation_tokens, &c.reasoning_tokens}) {
    *v = r.I64();
  }
  const bool cost = r.U8() != 0;
  const double cost_usd = r.F64();
  if (cost) c.cost_usd = cost_usd;
  c.cost_computed = r.U8() != 0;
  const uint8_t status = r.U8();
  c.status = status <= 2 ? static_cast<model::CallStatus>(status) : model::CallStatus::kUnset;
  for (std::string* s : {&c.error_type, &c.finish_reason, &c.input_text, &c.output_text}) {
    *s = r.String();
  }
  c.attributes = ReadAttributes(r);
  return c;
}

void WriteScore(RowWriter& w, const model::Score& s) {
  for (const std::string* v :
       {&s.project, &s.id, &s.call_id, &s.trace_id, &s.conversation_id, &s.user_id, &s.name}) {
    w.String(*v);
  }
  w.U8(s.value.has_value());
  w.F64(s.value.value_or(0));
  for (const std::string* v : {&s.label, &s.source, &s.author, &s.comment}) w.String(*v);
  w.I64(s.time_ns);
  WriteAttributes(w, s.attributes);
}

model::Score ReadScore(RowReader& r) {
  model::Score s;
  for (std::string* v :
       {&s.project, &s.id, &s.call_id, &s.trace_id, &s.conversation_id, &s.user_id, &s.name}) {
    *v = r.String();
  }
  const bool has = r.U8() != 0;
  const double value = r.F64();
  if (has) s.value = value;
  for (std::string* v : {&s.label, &s.source, &s.author, &s.comment}) *v = r.String();
  s.time_ns = r.I64();
  s.attributes = ReadAttributes(r);
  return s;
}

void WriteOutcome(RowWriter& w, const model::Outcome& o) {
  for (const std::string* v :
       {&o.project, &o.id, &o.conversation_id, &o.session_id, &o.user_id, &o.name}) {
    w.String(*v);
  }
  w.F64(o.value);
  w.I64(o.time_ns);
  WriteAttributes(w, o.attributes);
}

model::Outcome ReadOutcome(RowReader& r) {
  model::Outcome o;
  for (std::string* v :
       {&o.project, &o.id, &o.conversation_id, &o.session_id, &o.user_id, &o.name}) {
    *v = r.String();
  }
  o.value = r.F64();
  o.time_ns = r.I64();
  o.attributes = ReadAttributes(r);
  return o;
}

std::string EncodeBatch(const model::Batch& batch) {
  std::string out(kBatchTag);
  RowWriter w(out);
  w.Varint(batch.calls.size());
  w.Varint(batch.scores.size());
  w.Varint(batch.outcomes.size());
  for (const auto& c : batch.calls) WriteCall(w, c);
  for (const auto& s : batch.scores) WriteScore(w, s);
  for (const auto& o : batch.outcomes) WriteOutcome(w, o);
  return out;
}

Result<model::Batch> DecodeBatch(std::string_view bytes) {
  if (!bytes.starts_with(kBatchTag)) {
    return MakeError(ErrorCode::kParse, "not a spooled batch (missing format tag)");
  }
  RowReader r(bytes.substr(kBatchTag.size()));
  const uint64_t calls = r.Varint(), scores = r.Varint(), outcomes = r.Varint();
  if (!r.ok() || calls + scores + outcomes > bytes.size()) {
    return MakeError(ErrorCode::kParse, "corrupt spooled batch header");
  }
  model::Batch b;
  b.calls.reserve(calls);
  for (uint64_t i = 0; i < calls && r.ok(); ++i) b.calls.push_back(ReadCall(r));
  for (uint64_t i = 0; i < scores && r.ok(); ++i) b.scores.push_back(ReadScore(r));
  for (uint64_t i = 0; i < outcomes && r.ok(); ++i) b.outcomes.push_back(ReadOutcome(r));
  if (!r.ok() || !r.done()) return MakeError(ErrorCode::kParse, "truncated spooled batch");
  return b;
}

}  // namespace yardstick::store::clickhouse
