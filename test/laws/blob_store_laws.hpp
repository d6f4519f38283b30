// SPDX-License-Identifier: Apache-2.0
#pragma once

// BlobStoreLaws: the semantics of `store::blob_store` (documented on the concept in
// include/sluice/store/blob_store.hpp), as a GoogleTest typed-test suite run against every
// backend: the folder (test/fs), the S3 prefix (test/integration/s3, on the real server) and
// memory (test/store). It is registered in this header, apart from laws.hpp, so that only the
// binaries with a blob store model include it; instantiate it as the suites of laws.hpp, inside
// namespace sluice_laws:
//
//   struct my_blobs_model {
//     using type = sluice::fs::directory_blobs;
//     static type make();             // an empty store
//     static type reopen(type& s);    // another handle on the same storage (another process)
//   };
//   namespace sluice_laws {
//   INSTANTIATE_TYPED_TEST_SUITE_P(Fs, BlobStoreLaws, ::testing::Types<my_blobs_model>);
//   }

#include "sluice/core/error.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace sluice_laws {

template <class M>
class BlobStoreLaws : public ::testing::Test {};
TYPED_TEST_SUITE_P(BlobStoreLaws);

TYPED_TEST_P(BlobStoreLaws, PutGetReplace) {
  auto s = TypeParam::make();
  EXPECT_EQ(s.get("a/b.json").value(), std::nullopt);
  ASSERT_TRUE(s.put("a/b.json", "one"));
  EXPECT_EQ(s.get("a/b.json").value(), std::string("one"));
  ASSERT_TRUE(s.put("a/b.json", std::string("t\0o", 3)));
  auto again = TypeParam::reopen(s);  // another handle (process) on the same store
  EXPECT_EQ(again.get("a/b.json").value(), std::string("t\0o", 3));
  ASSERT_TRUE(s.put("a/b.json", ""));
  EXPECT_EQ(s.get("a/b.json").value(), std::string());
}

TYPED_TEST_P(BlobStoreLaws, ListsByPlainStringPrefixSorted) {
  auto s = TypeParam::make();
  for (const char* k : {"yyyymm=202601/a/s/batch-3.json", "yyyymm=202512/a/s/batch-2.json",
                        "yyyymm=202512/a/t/batch-0.json", "yyyymm=202512/b/s/batch-1.json", "other/x"})
    ASSERT_TRUE(s.put(k, "x"));
  EXPECT_EQ(s.list("yyyymm=").value(),
            (std::vector<std::string>{"yyyymm=202512/a/s/batch-2.json", "yyyymm=202512/a/t/batch-0.json",
                                      "yyyymm=202512/b/s/batch-1.json", "yyyymm=202601/a/s/batch-3.json"}));
  EXPECT_EQ(s.list("yyyymm=202512/a/").value(),
            (std::vector<std::string>{"yyyymm=202512/a/s/batch-2.json", "yyyymm=202512/a/t/batch-0.json"}));
  EXPECT_EQ(s.list("yyyymm=2026").value(), std::vector<std::string>{"yyyymm=202601/a/s/batch-3.json"});
  EXPECT_EQ(s.list("").value().size(), 5u);
  EXPECT_TRUE(s.list("zzz/").value().empty());
  EXPECT_TRUE(s.list("nothing").value().empty());
}

TYPED_TEST_P(BlobStoreLaws, ListsEachKeyOnceAsAnotherHandleSeesIt) {
  auto s = TypeParam::make();
  ASSERT_TRUE(s.put("k1", "a"));
  ASSERT_TRUE(s.put("k1", "b"));
  ASSERT_TRUE(s.put("k2", "c"));
  EXPECT_EQ(s.list("k").value(), (std::vector<std::string>{"k1", "k2"}));
  auto again = TypeParam::reopen(s);
  EXPECT_EQ(again.list("k").value(), (std::vector<std::string>{"k1", "k2"}));
  EXPECT_EQ(again.get("k1").value(), std::string("b"));
}

TYPED_TEST_P(BlobStoreLaws, RemoveDeletesOneKeyAndAbsentIsFine) {
  auto s = TypeParam::make();
  ASSERT_TRUE(s.put("d/k1", "a"));
  ASSERT_TRUE(s.put("d/k2", "b"));
  ASSERT_TRUE(s.remove("d/k1"));
  EXPECT_EQ(s.get("d/k1").value(), std::nullopt);
  EXPECT_EQ(s.get("d/k2").value(), std::string("b"));
  auto again = TypeParam::reopen(s);
  EXPECT_EQ(again.list("d/").value(), std::vector<std::string>{"d/k2"});
  EXPECT_TRUE(s.remove("d/k1"));        // a repeated delete (retention after a crash)
  EXPECT_TRUE(s.remove("never/there"));
  ASSERT_TRUE(s.put("d/k1", "c"));       // the key can be used again
  EXPECT_EQ(again.get("d/k1").value(), std::string("c"));
}

TYPED_TEST_P(BlobStoreLaws, RefusesUnsafeKeys) {
  auto s = TypeParam::make();
  for (const char* k : {"", "/abs", "a//b", "../x", "a/..", "a/"}) {
    EXPECT_EQ(s.put(k, "x").error(), sluice::errc::invalid_argument) << k;
    EXPECT_EQ(s.get(k).error(), sluice::errc::invalid_argument) << k;
    EXPECT_EQ(s.remove(k).error(), sluice::errc::invalid_argument) << k;
  }
}

TYPED_TEST_P(BlobStoreLaws, NamesOfInterruptedPutsAreNotKeys) {
  auto s = TypeParam::make();
  for (const char* k : {".b.sluice-tmp-1-0", "a/.sluice-tmp-2-3"}) {
    EXPECT_EQ(s.put(k, "x").error(), sluice::errc::invalid_argument) << k;
    EXPECT_EQ(s.get(k).error(), sluice::errc::invalid_argument) << k;
  }
  EXPECT_TRUE(s.list("").value().empty());
}

REGISTER_TYPED_TEST_SUITE_P(BlobStoreLaws, PutGetReplace, ListsByPlainStringPrefixSorted,
                            ListsEachKeyOnceAsAnotherHandleSeesIt, RemoveDeletesOneKeyAndAbsentIsFine,
                            RefusesUnsafeKeys,
                            NamesOfInterruptedPutsAreNotKeys);

}  // namespace sluice_laws
