// SPDX-License-Identifier: Apache-2.0
// The law suites of test/laws against the models of sluice/store/: the in-memory blob store, the
// type-erased any_blobs over it, and the checkpoint store and dead letters over it (the same
// templates run over a folder in test/fs and over S3 in test/integration/s3).

#include "blob_store_laws.hpp"
#include "laws.hpp"

#include "sluice/store/any_blobs.hpp"
#include "sluice/store/blob_checkpoint_store.hpp"
#include "sluice/store/blob_dead_letters.hpp"
#include "sluice/store/memory_blobs.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using namespace sluice;

struct memory_blobs_model {
  using type = store::memory_blobs;
  static type make() { return {}; }
  static type reopen(type& s) { return s; }  // copies share the blobs
};

// The type-erased store over memory: it must keep every law of the store it wraps.
struct any_blobs_model {
  using type = store::any_blobs;
  static type make() { return type(store::memory_blobs{}); }
  static type reopen(type& s) { return s; }  // copies share the wrapped store
};

struct checkpoint_store_model {
  using type = store::blob_checkpoint_store<store::memory_blobs>;
  static_assert(sluice::checkpoint_store<type>);
  static type make() { return type(store::memory_blobs{}); }
  static type reopen(type& s) { return type(s.blobs()); }
};

struct dead_letters_model {
  using type = store::blob_dead_letters<store::memory_blobs>;
  static_assert(dead_letter_sink<type>);
  static type make() { return type(store::memory_blobs{}); }
  static std::vector<dead_letter> contents(type& d) {
    return sluice_laws::letters_in_batch_order(d, d.blobs().list("").value());
  }
};

}  // namespace

namespace sluice_laws {
using blob_models = ::testing::Types<memory_blobs_model, any_blobs_model>;
INSTANTIATE_TYPED_TEST_SUITE_P(Memory, BlobStoreLaws, blob_models);
INSTANTIATE_TYPED_TEST_SUITE_P(Memory, CheckpointStoreLaws, ::testing::Types<checkpoint_store_model>);
INSTANTIATE_TYPED_TEST_SUITE_P(Memory, DeadLetterSinkLaws, ::testing::Types<dead_letters_model>);
// The other suites have no model in sluice/store.
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(SourceLaws);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(SinkLaws);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(IdempotencyLaws);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(DedupLaws);
}  // namespace sluice_laws
