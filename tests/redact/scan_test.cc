#include "redact/scan.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace yardstick::redact::internal {
namespace {

void ExpectSameProfile(const std::string& text) {
  const TextProfile fast = ProfileText(text);
  const TextProfile slow = ProfileTextBytewise(text);
  EXPECT_EQ(fast.digits, slow.digits) << text;
  EXPECT_EQ(fast.colons, slow.colons) << text;
  EXPECT_EQ(fast.long_token, slow.long_token) << text;
  EXPECT_EQ(fast.at, slow.at) << text;
  EXPECT_EQ(fast.label_separator, slow.label_separator) << text;
}

TEST(ProfileText, BytewiseReferenceValues) {
  const TextProfile p = ProfileTextBytewise("ab@c 12:3.4-5 x=y aaaa_bbbb.cccc~dd/ee+ff");
  EXPECT_EQ(p.digits, 5u);
  EXPECT_EQ(p.colons, 1u);
  EXPECT_TRUE(p.at);
  EXPECT_TRUE(p.label_separator);
  EXPECT_TRUE(p.long_token);
  EXPECT_FALSE(ProfileTextBytewise("fourteen_chars x").long_token);
  EXPECT_TRUE(ProfileTextBytewise("fifteen_chars_x").long_token);
  const TextProfile empty = ProfileTextBytewise("");
  EXPECT_EQ(empty.digits, 0u);
  EXPECT_FALSE(empty.long_token || empty.at || empty.label_separator);
}

TEST(ProfileText, VectorScanEqualsByteLoop) {
  // Runs of token characters of every length around 15, at every offset around the 64-byte
  // blocks the vector scan works in.
  for (size_t offset = 0; offset < 140; offset += 3) {
    for (size_t len = 12; len <= 18; ++len) {
      std::string t(offset, ' ');
      t += std::string(len, 'k');
      t += std::string(150, ' ');
      ExpectSameProfile(t);
      std::string u(offset, ' ');
      u += std::string(len, '-');
      ExpectSameProfile(u);
    }
  }
  // A token run longer than a block, across two.
  ExpectSameProfile(std::string(63, ' ') + std::string(200, 'a'));
  // Random text over an alphabet with every class, and bytes >= 0x80.
  std::mt19937 rng(7);
  const std::string alphabet = "aZ09 _.~+/=-@:,;!\t\x80\xc3\xa9\xff`[{";
  for (int i = 0; i < 2000; ++i) {
    std::string t;
    const size_t n = rng() % 300;
    const bool runny = i % 2 == 0;
    for (size_t k = 0; k < n; ++k) {
      t.push_back(runny && rng() % 8 != 0 ? 'x' : alphabet[rng() % alphabet.size()]);
    }
    ExpectSameProfile(t);
  }
}

TEST(FindDigit, FindsTheFirstDigitFromAnOffset) {
  EXPECT_EQ(FindDigit("", 0), 0u);
  EXPECT_EQ(FindDigit("abc", 0), 3u);
  EXPECT_EQ(FindDigit("abc", 3), 3u);
  EXPECT_EQ(FindDigit("a1b2", 0), 1u);
  EXPECT_EQ(FindDigit("a1b2", 2), 3u);
  std::string long_text(100, 'x');
  long_text[37] = '9';
  long_text[80] = '0';
  EXPECT_EQ(FindDigit(long_text, 0), 37u);
  EXPECT_EQ(FindDigit(long_text, 38), 80u);
  EXPECT_EQ(FindDigit(long_text, 81), 100u);
  // '/' and ':' sit next to the digits in ASCII; bytes >= 0x80 are not digits.
  EXPECT_EQ(FindDigit(std::string(20, '/') + ":\xb0\xb9" + "5", 0), 23u);
}

}  // namespace
}  // namespace yardstick::redact::internal
