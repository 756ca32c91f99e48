#include "redact/detectors.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace yardstick::redact::internal {
namespace {

TEST(Luhn, KnownNumbers) {
  // Test numbers published by the card networks, and the same numbers with the check digit
  // changed.
  for (const char* valid : {"4111111111111111", "5555555555554444", "378282246310005",
                            "6011111111111117", "30569309025904", "4222222222222", "0", "18"}) {
    EXPECT_TRUE(LuhnValid(valid)) << valid;
  }
  for (const char* invalid : {"4111111111111112", "5555555555554445", "378282246310006", "1", "19",
                              "", "41111x1111111111"}) {
    EXPECT_FALSE(LuhnValid(invalid)) << invalid;
  }
  // Every other check digit fails.
  for (std::string valid : {"4111111111111111", "378282246310005", "6304000000000000000"}) {
    for (char d = '0'; d <= '9'; ++d) {
      std::string changed = valid;
      changed.back() = d;
      EXPECT_EQ(LuhnValid(changed), d == valid.back()) << changed;
    }
  }
  // A swap of two adjacent different digits fails too (what the check is for).
  EXPECT_FALSE(LuhnValid("4111111111111121"));
}

TEST(LooksRandom, NeedsLengthMixAndEntropy) {
  EXPECT_TRUE(LooksRandom("Zx81kd0Qm2Lp9vTt"));
  EXPECT_TRUE(LooksRandom("9f8e7d6c5b4a3f2e1d0c"));
  EXPECT_TRUE(LooksRandom("dXNlcjpwYXNz"));
  EXPECT_FALSE(LooksRandom("Zx81kd0Qm2L"));                // 11 characters
  EXPECT_FALSE(LooksRandom("the_quick_brown_fox_jumps"));  // one case, no digits
  EXPECT_FALSE(LooksRandom("aaaaaaaaaaaa1"));              // mixed but ~0.4 bits per character
  EXPECT_FALSE(LooksRandom("ab12ab12ab12ab12"));           // 2 bits per character
}

TEST(HasSecretLabel, FindsLabelsBeforeSeparators) {
  EXPECT_TRUE(HasSecretLabel("api_key=x"));
  EXPECT_TRUE(HasSecretLabel("\"Token\" : \"x\""));
  EXPECT_TRUE(HasSecretLabel("the PASSWORD:x"));
  EXPECT_TRUE(HasSecretLabel("Authorization:\tBasic x"));
  EXPECT_FALSE(HasSecretLabel("note: keys are = cheap"));
  EXPECT_FALSE(HasSecretLabel("password without a separator"));
  EXPECT_FALSE(HasSecretLabel(":=key"));
  EXPECT_FALSE(HasSecretLabel(""));
}

std::vector<std::string> KeyBlocks(std::string_view text) {
  std::vector<Found> found;
  FindPrivateKeyBlocks(text, found);
  std::vector<std::string> out;
  for (const Found& f : found) out.emplace_back(text.substr(f.begin, f.end - f.begin));
  return out;
}

TEST(FindPrivateKeyBlocks, FindsWholeBlocksOnly) {
  using V = std::vector<std::string>;
  const std::string rsa = "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----";
  const std::string pkcs8 = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----";
  EXPECT_EQ(KeyBlocks("x " + rsa + " y " + pkcs8 + " z"), V({rsa, pkcs8}));
  EXPECT_EQ(KeyBlocks("-----BEGIN PRIVATE KEY-----\nAAAA"), V{});  // never closed
  EXPECT_EQ(KeyBlocks("-----END PRIVATE KEY----- -----BEGIN PRIVATE KEY-----"), V{});
  EXPECT_EQ(KeyBlocks("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----"), V{});
  EXPECT_EQ(KeyBlocks("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----"), V{});
  // A public-key END does not close a private-key block; the next private-key END does.
  const std::string mixed =
      "-----BEGIN EC PRIVATE KEY-----\nA\n-----END PUBLIC KEY-----\n-----END EC PRIVATE KEY-----";
  EXPECT_EQ(KeyBlocks(mixed), V({mixed}));
  EXPECT_EQ(KeyBlocks(""), V{});
}

std::vector<std::string> Clusters(std::string_view text, uint32_t min_digits = 1) {
  std::vector<std::string> out;
  ForEachCluster(text, min_digits, [&](const Cluster& c) {
    out.push_back(std::string(text.substr(c.begin, c.end - c.begin)) + "|" +
                  std::to_string(c.digits) + "," + std::to_string(c.dots) + "," +
                  std::to_string(c.dashes));
  });
  return out;
}

TEST(ForEachCluster, JoinsDigitsAcrossShortSeparatorRuns) {
  using V = std::vector<std::string>;
  EXPECT_EQ(Clusters("call +1 (555) 123-4567 now"), V({"+1 (555) 123-4567|11,0,1"}));
  EXPECT_EQ(Clusters("ip 10.0.0.1:80"), V({"10.0.0.1|5,3,0", "80|2,0,0"}));
  // Three separators in a row end a cluster; so do other characters.
  EXPECT_EQ(Clusters("12 - 34, 5/6"), V({"12|2,0,0", "34|2,0,0", "5|1,0,0", "6|1,0,0"}));
  EXPECT_EQ(Clusters("12 -34"), V({"12 -34|4,0,1"}));
  // A trailing separator is not part of the cluster; a leading "(" or "+" is.
  EXPECT_EQ(Clusters("x(555). y"), V({"(555|3,0,0"}));
  EXPECT_EQ(Clusters("a 1234 b 5678901", 5), V({"5678901|7,0,0"}));
  EXPECT_TRUE(Clusters("").empty());
  EXPECT_TRUE(Clusters("no digits at all").empty());
  EXPECT_EQ(Clusters("99"), V({"99|2,0,0"}));
}

}  // namespace
}  // namespace yardstick::redact::internal
