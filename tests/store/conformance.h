#pragma once
// The store conformance suite: behaviour every backend must show (see src/store/store.h).
// A backend's test file instantiates it with a factory:
//
//   INSTANTIATE_TEST_SUITE_P(Sqlite, StoreConformance, ::testing::Values(MakeSqliteFactory()));
//
// The factory opens a store at a location that stays the same across calls until Reset(), so
// reopening tests persistence.

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>

#include "store/store.h"

namespace yardstick::store::testing {

struct StoreFactory {
  std::string name;
  // Opens the store (again) at the current location.
  std::function<std::unique_ptr<Store>()> open;
  // Moves to a fresh, empty location.
  std::function<void()> reset;
};

class StoreConformance : public ::testing::TestWithParam<StoreFactory> {
 protected:
  void SetUp() override {
    GetParam().reset();
    store_ = GetParam().open();
    ASSERT_NE(store_, nullptr);
  }
  void TearDown() override {
    if (store_) store_->Close();
  }
  void Reopen() {
    store_->Close();
    store_ = GetParam().open();
    ASSERT_NE(store_, nullptr);
  }
  std::unique_ptr<Store> store_;
};

}  // namespace yardstick::store::testing
