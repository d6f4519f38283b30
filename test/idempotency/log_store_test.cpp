// SPDX-License-Identifier: Apache-2.0
#include "sluice/idempotency/file_log_store.hpp"
#include "sluice/idempotency/log_store.hpp"
#include "sluice/idempotency/memory_log_store.hpp"

#include "../fs/temp_dir.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using sluice::idempotency::file_log_store;
using sluice::idempotency::memory_log_store;

static_assert(sluice::idempotency::log_store<file_log_store>);
static_assert(sluice::idempotency::log_store<memory_log_store>);
struct untagged {
  sluice::result<void> put(std::string_view, std::string_view);
  sluice::result<std::optional<std::string>> get(std::string_view);
  sluice::result<std::vector<std::string>> list(std::string_view);
};
static_assert(!sluice::idempotency::log_store<untagged>);
struct wrong_get {
  using stage_concept = sluice::idempotency::log_store_tag;
  sluice::result<void> put(std::string_view, std::string_view);
  sluice::result<std::string> get(std::string_view);
  sluice::result<std::vector<std::string>> list(std::string_view);
};
static_assert(!sluice::idempotency::log_store<wrong_get>);

struct memory_env {
  memory_log_store make() { return s; }
  memory_log_store s;
};
struct file_env {
  file_log_store make() { return file_log_store(dir / "store"); }
  sluice_test::temp_dir dir;
};

template <class Env>
class LogStore : public ::testing::Test {
 protected:
  Env env;
};
using envs = ::testing::Types<memory_env, file_env>;
TYPED_TEST_SUITE(LogStore, envs);

TYPED_TEST(LogStore, PutGetReplace) {
  auto s = this->env.make();
  EXPECT_EQ(s.get("a/b.json").value(), std::nullopt);
  ASSERT_TRUE(s.put("a/b.json", "one"));
  EXPECT_EQ(s.get("a/b.json").value(), std::string("one"));
  ASSERT_TRUE(s.put("a/b.json", std::string("t\0o", 3)));
  auto again = this->env.make();  // another handle (process) on the same store
  EXPECT_EQ(again.get("a/b.json").value(), std::string("t\0o", 3));
  ASSERT_TRUE(s.put("a/b.json", ""));
  EXPECT_EQ(s.get("a/b.json").value(), std::string());
}

TYPED_TEST(LogStore, ListsByPlainStringPrefixSorted) {
  auto s = this->env.make();
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

TYPED_TEST(LogStore, RefusesUnsafeKeys) {
  auto s = this->env.make();
  for (const char* k : {"", "/abs", "a//b", "../x", "a/..", "a/"}) {
    EXPECT_EQ(s.put(k, "x").error(), sluice::errc::invalid_argument) << k;
    EXPECT_EQ(s.get(k).error(), sluice::errc::invalid_argument) << k;
  }
}

TEST(FileLogStore, SkipsTempFilesOfKilledPutsAndLaysOutOneFilePerKey) {
  sluice_test::temp_dir dir;
  file_log_store s(dir / "store");
  ASSERT_TRUE(s.put("m/a.json", "a"));
  sluice_test::spit(dir / "store/m/.sluice-tmp-77-0", "half");
  EXPECT_EQ(s.list("").value(), std::vector<std::string>{"m/a.json"});
  EXPECT_EQ(s.list("m/.sluice").value(), std::vector<std::string>{});
  EXPECT_EQ(sluice_test::slurp(dir / "store/m/a.json"), "a");
  EXPECT_EQ(s.list("../").error(), sluice::errc::invalid_argument);
}

}  // namespace
