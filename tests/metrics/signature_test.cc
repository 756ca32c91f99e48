#include "metrics/signature.h"

#include <gtest/gtest.h>

namespace yardstick::metrics {
namespace {

TEST(Signature, FormatsLikeSacrebleuWithVersionLast) {
  Signature sig(1);
  sig.Set("case", std::string("mixed"), "c").Set("eff", false, "e").Set("tok", std::string("13a"));
  EXPECT_EQ(sig.Format(), "nrefs:1|case:mixed|eff:no|tok:13a|version:" + SignatureVersion());
  EXPECT_EQ(sig.Format(true), "#:1|c:mixed|e:no|tok:13a|v:" + SignatureVersion());
}

TEST(Signature, SetKeepsFirstPosition) {
  Signature sig(2);
  sig.Set("a", std::string("1")).Set("b", std::string("2")).Set("a", std::string("3"));
  EXPECT_EQ(sig.Get("a"), "3");
  EXPECT_EQ(sig.Format().substr(0, 16), "nrefs:2|a:3|b:2|");
  EXPECT_FALSE(Comparable(sig.Format(), Signature(1).Format()));
}

}  // namespace
}  // namespace yardstick::metrics

namespace yardstick::metrics {
namespace {

TEST(Signature, InsertAfterPlacesResamplingKeysAfterNrefs) {
  Signature sig(1);
  sig.Set("case", std::string("mixed")).Set("tok", std::string("13a"));
  sig.InsertAfter("nrefs", "bs", "1000").InsertAfter("bs", "seed", "12345", "rs");
  EXPECT_EQ(sig.Format(),
            "nrefs:1|bs:1000|seed:12345|case:mixed|tok:13a|version:" + SignatureVersion());
  EXPECT_EQ(sig.Format(true).substr(0, 20), "#:1|bs:1000|rs:12345");
}

}  // namespace
}  // namespace yardstick::metrics
