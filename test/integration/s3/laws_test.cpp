// SPDX-License-Identifier: Apache-2.0
// The law suites of test/laws/laws.hpp and test/laws/blob_store_laws.hpp against the S3 models,
// on the real S3 server: the blob store, the checkpoint store, the dead letters, the object sink,
// and the completed-batches log over the S3 blob store. Every model instance lives under its own
// prefix of one bucket.
#include "blob_store_laws.hpp"
#include "laws.hpp"

#include "sluice/idempotency/completed_batches_log.hpp"
#include "sluice/s3/blob_store.hpp"
#include "sluice/s3/checkpoint_store.hpp"
#include "sluice/s3/dead_letters.hpp"
#include "sluice/s3/object_sink.hpp"

#include "support/s3_services.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace {

using namespace sluice;

struct shared_bucket {
  std::shared_ptr<s3::client> client = sluice_s3_it::make_client();
  std::string bucket = sluice_s3_it::fresh_bucket(*client, "s3laws");
};
shared_bucket& world() {
  static shared_bucket w;
  return w;
}
s3::location fresh_location() {
  static int n = 0;
  return {world().bucket, "m" + std::to_string(n++) + "/deeper"};
}

struct blob_store_model {
  using type = s3::blob_store;
  static_assert(store::blob_store<type>);
  static type make() { return type(world().client, fresh_location()); }
  static type reopen(type& s) { return type(world().client, s.where()); }
};

struct checkpoint_store_model {
  using type = s3::checkpoint_store;
  static type make() { return type(s3::blob_store(world().client, fresh_location())); }
  static type reopen(type& s) { return type(s3::blob_store(world().client, s.blobs().where())); }
};

struct dead_letters_model {
  using type = s3::dead_letters;
  static type make() { return type(s3::blob_store(world().client, fresh_location())); }
  static std::vector<dead_letter> contents(type& d) {
    return sluice_laws::letters_in_batch_order(d, d.blobs().list("").value());
  }
};

struct object_sink_model {
  using type = s3::object_sink;
  using value_type = object;
  static type make() { return type(world().client, fresh_location()); }
  static std::vector<object> values() {
    return {object{"db.s.t/1.avsc", "{}", 0}, object{"db.s.u/-2.avsc", "[1]", 1},
            object{"yyyymm=202611/a b+c.avsc", "x", 2}};
  }
  static std::map<std::string, std::string> contents(type& k) {
    // Relative to the sink's location, so two sinks with the same contents compare equal.
    std::map<std::string, std::string> out;
    const std::string prefix = k.where().prefix + "/";
    for (auto& [key, bytes] : sluice_s3_it::objects_under(k.connection(), k.where().bucket, prefix))
      out[key.substr(prefix.size())] = std::move(bytes);
    return out;
  }
};

struct s3_log_model {
  using type = idempotency::completed_batches_log<s3::blob_store>;
  static constexpr bool remembers = true;
  static type make() { return type::make(s3::blob_store(world().client, fresh_location()), "app", "stream").value(); }
  static std::size_t records(type& p) { return p.store().list("").value().size(); }
};

}  // namespace

namespace sluice_laws {
INSTANTIATE_TYPED_TEST_SUITE_P(S3, BlobStoreLaws, ::testing::Types<blob_store_model>);
INSTANTIATE_TYPED_TEST_SUITE_P(S3, CheckpointStoreLaws, ::testing::Types<checkpoint_store_model>);
INSTANTIATE_TYPED_TEST_SUITE_P(S3, DeadLetterSinkLaws, ::testing::Types<dead_letters_model>);
INSTANTIATE_TYPED_TEST_SUITE_P(S3, SinkLaws, ::testing::Types<object_sink_model>);
INSTANTIATE_TYPED_TEST_SUITE_P(S3, IdempotencyLaws, ::testing::Types<s3_log_model>);
// No source and no dedup transform in sluice/s3.
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(SourceLaws);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(DedupLaws);
}  // namespace sluice_laws
