// SPDX-License-Identifier: Apache-2.0
// The blob-store concept (its laws run in store_laws_test.cpp, and for the other backends in
// test/fs and test/integration/s3) and the in-memory model.
#include "sluice/store/blob_store.hpp"
#include "sluice/store/memory_blobs.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace {

using sluice::store::memory_blobs;

static_assert(sluice::store::blob_store<memory_blobs>);
struct untagged {
  sluice::result<void> put(std::string_view, std::string_view);
  sluice::result<std::optional<std::string>> get(std::string_view);
  sluice::result<std::vector<std::string>> list(std::string_view);
};
static_assert(!sluice::store::blob_store<untagged>);
struct wrong_get {
  using stage_concept = sluice::store::blob_store_tag;
  sluice::result<void> put(std::string_view, std::string_view);
  sluice::result<std::string> get(std::string_view);
  sluice::result<std::vector<std::string>> list(std::string_view);
};
static_assert(!sluice::store::blob_store<wrong_get>);
struct no_list {
  using stage_concept = sluice::store::blob_store_tag;
  sluice::result<void> put(std::string_view, std::string_view);
  sluice::result<std::optional<std::string>> get(std::string_view);
};
static_assert(!sluice::store::blob_store<no_list>);

TEST(MemoryBlobs, CopiesShareTheBlobs) {
  memory_blobs a;
  memory_blobs b = a;
  ASSERT_TRUE(a.put("k", "v"));
  EXPECT_EQ(b.get("k").value(), std::string("v"));
  EXPECT_EQ(b.size(), 1u);
  memory_blobs other;
  EXPECT_EQ(other.get("k").value(), std::nullopt);
}

}  // namespace
