#pragma once
// Compact keys of the SQLite store (internal to src/store): a 64-bit hash of (project, text) that
// the store indexes instead of the text itself, for record ids (deduplication, the call a score
// refers to) and conversation ids. Equal keys do not mean equal records: every lookup by key
// compares project and text too, so collisions cost a comparison, never a wrong answer.
//
// The keys are stored in the database (schema version 2), so the function must never change.

#include <cstdint>
#include <string_view>

namespace yardstick::store {

int64_t RecordKey(std::string_view project, std::string_view text);

// Tests only: keeps the lowest `bits` bits of every key (64 restores full keys), so that distinct
// ids collide and the comparison behind every lookup is exercised. A database written with
// truncated keys must not be opened with other settings.
void SetRecordKeyBitsForTesting(int bits);

}  // namespace yardstick::store
