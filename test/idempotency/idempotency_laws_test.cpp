// SPDX-License-Identifier: Apache-2.0
// The idempotency law suite of test/laws/laws.hpp against the policies of sluice/idempotency/.

#include "laws.hpp"

#include "sluice/fs/directory_blobs.hpp"
#include "sluice/idempotency/completed_batches_log.hpp"
#include "sluice/idempotency/none.hpp"
#include "sluice/store/memory_blobs.hpp"

#include "../fs/temp_dir.hpp"

#include <gtest/gtest.h>

#include <string>

namespace {

using namespace sluice;

sluice_test::temp_dir& scratch() {
  static sluice_test::temp_dir dir;
  return dir;
}

struct none_model {
  using type = idempotency::none;
  static constexpr bool remembers = false;
  static type make() { return {}; }
};

struct memory_log_model {
  using type = idempotency::completed_batches_log<store::memory_blobs>;
  static constexpr bool remembers = true;
  static type make() { return type::make(store::memory_blobs{}, "app", "stream").value(); }
  static std::size_t records(type& p) { return p.store().list("").value().size(); }
};

struct file_log_model {
  using type = idempotency::completed_batches_log<fs::directory_blobs>;
  static constexpr bool remembers = true;
  static type make() {
    static int n = 0;
    return type::make(fs::directory_blobs(scratch() / ("log" + std::to_string(n++))), "app",
                      "stream")
        .value();
  }
  static std::size_t records(type& p) { return p.store().list("").value().size(); }
};

}  // namespace

namespace sluice_laws {
using idempotency_models = ::testing::Types<none_model, memory_log_model, file_log_model>;
INSTANTIATE_TYPED_TEST_SUITE_P(Idempotency, IdempotencyLaws, idempotency_models);
// The other suites have no model in sluice/idempotency (stores and sinks: test/store, test/fs).
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(SourceLaws);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(SinkLaws);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(CheckpointStoreLaws);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(DeadLetterSinkLaws);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(DedupLaws);
}  // namespace sluice_laws
