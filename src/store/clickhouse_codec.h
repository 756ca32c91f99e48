#pragma once
// ClickHouse's RowBinary format for the records of the ClickHouse backend (internal to the
// store). One encoding serves three purposes: the body of INSERT ... FORMAT RowBinary, the rows
// of SELECT ... FORMAT RowBinary (listings and drill-down read the same columns back), and the
// files of the local spool (a batch is its calls, scores and outcomes in this encoding).
//
// RowBinary: integers and floats little-endian at their width, strings and arrays as an unsigned
// LEB128 length followed by the bytes or elements, tuples as their elements in order.

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "model/records.h"

namespace yardstick::store::clickhouse {

class RowWriter {
 public:
  explicit RowWriter(std::string& out) : out_(out) {}
  void Varint(uint64_t v) {
    while (v >= 0x80) {
      out_.push_back(static_cast<char>((v & 0x7f) | 0x80));
      v >>= 7;
    }
    out_.push_back(static_cast<char>(v));
  }
  void String(std::string_view s) {
    Varint(s.size());
    out_.append(s);
  }
  template <typename T>
  void Fixed(T v) {
    char buf[sizeof(T)];
    std::memcpy(buf, &v, sizeof(T));
    out_.append(buf, sizeof(T));
  }
  void U8(uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void I64(int64_t v) { Fixed(v); }
  void F64(double v) { Fixed(v); }
  void I32(int32_t v) { Fixed(v); }

 private:
  std::string& out_;
};

class RowReader {
 public:
  explicit RowReader(std::string_view in) : in_(in) {}
  bool done() const { return pos_ == in_.size(); }
  bool ok() const { return ok_; }
  uint64_t Varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= in_.size()) return Fail();
      const auto b = static_cast<uint8_t>(in_[pos_++]);
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) return v;
    }
    return Fail();
  }
  std::string String() {
    const uint64_t n = Varint();
    if (!ok_ || n > in_.size() - pos_) return Fail(), std::string();
    std::string s(in_.substr(pos_, n));
    pos_ += n;
    return s;
  }
  template <typename T>
  T Fixed() {
    T v{};
    if (in_.size() - pos_ < sizeof(T)) return Fail(), v;
    std::memcpy(&v, in_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return v;
  }
  uint8_t U8() { return Fixed<uint8_t>(); }
  int64_t I64() { return Fixed<int64_t>(); }
  uint64_t U64() { return Fixed<uint64_t>(); }
  double F64() { return Fixed<double>(); }
  int32_t I32() { return Fixed<int32_t>(); }

 private:
  uint64_t Fail() {
    ok_ = false;
    pos_ = in_.size();
    return 0;
  }
  std::string_view in_;
  size_t pos_ = 0;
  bool ok_ = true;
};

// Columns holding the fields of each record, in encoding order (the same names in the raw
// tables; INSERTs append the derived columns the backend computes).
extern const char* const kCallColumns;
extern const char* const kScoreColumns;
extern const char* const kOutcomeColumns;

void WriteCall(RowWriter& w, const model::Call& c);
void WriteScore(RowWriter& w, const model::Score& s);
void WriteOutcome(RowWriter& w, const model::Outcome& o);
model::Call ReadCall(RowReader& r);
model::Score ReadScore(RowReader& r);
model::Outcome ReadOutcome(RowReader& r);

// A whole batch (spool files): a format tag, then the counts and the records.
std::string EncodeBatch(const model::Batch& batch);
Result<model::Batch> DecodeBatch(std::string_view bytes);

}  // namespace yardstick::store::clickhouse
