// SPDX-License-Identifier: Apache-2.0
// The law suites of test/laws/laws.hpp and test/laws/blob_store_laws.hpp against the filesystem
// models of sluice/fs/.

#include "blob_store_laws.hpp"
#include "laws.hpp"

#include "sluice/fs/checkpoint_store.hpp"
#include "sluice/fs/dead_letters.hpp"
#include "sluice/fs/directory_blobs.hpp"
#include "sluice/fs/file_sink.hpp"
#include "sluice/fs/kcat_source.hpp"

#include "temp_dir.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace {

using namespace sluice;

// One scratch directory for the whole binary; every model instance gets its own folder in it.
sluice_test::temp_dir& scratch() {
  static sluice_test::temp_dir dir;
  return dir;
}
std::filesystem::path fresh_dir() {
  static int n = 0;
  return scratch() / ("m" + std::to_string(n++));
}

struct kcat_source_model {
  using type = fs::kcat_source;
  static type make() {
    static const std::filesystem::path file = [] {
      std::string text;
      auto line = [&](std::string_view topic, int part, std::int64_t off, std::string_view payload) {
        text += "{\"topic\":\"" + std::string(topic) + "\",\"partition\":" + std::to_string(part) +
                ",\"offset\":" + std::to_string(off) + ",\"tstype\":\"create\",\"ts\":" +
                std::to_string(1000 + off) + ",\"broker\":0,\"key\":null,\"payload\":\"" +
                std::string(payload) + "\"}\n";
      };
      for (int i = 0; i < 12; ++i) line("orders", 0, i, "v" + std::to_string(i));
      for (int i = 0; i < 5; ++i) line("orders", 2, 4 - i, "w");  // out of order: 4 bad lines
      for (const std::int64_t o : {3, 4, 9, 10, 11, 20, 21, 40}) line("payments", 1, o, "p");  // gaps
      text += "not json\n";  // a bad line: a record of the pseudo-partition
      const auto path = scratch() / "laws.jsonl";
      sluice_test::spit(path, text);
      return path;
    }();
    return fs::kcat_source::open(file).value();
  }
  static type reopen(type& s) { return fs::kcat_source::open(s.path()).value(); }
};

struct file_sink_model {
  using type = fs::file_sink;
  using value_type = object;
  static type make() { return fs::file_sink(fresh_dir()); }
  static std::vector<object> values() {
    return {object{"db.s.t/1.avsc", "{}", 0}, object{"db.s.u/-2.avsc", "[1]", 1}};
  }
  static std::map<std::string, std::string> contents(type& k) {
    std::map<std::string, std::string> out;
    for (const auto& f : sluice_test::files_under(k.root())) out[f] = sluice_test::slurp(k.root() / f);
    return out;
  }
};

struct directory_blobs_model {
  using type = fs::directory_blobs;
  static_assert(store::blob_store<type>);
  static type make() { return fs::directory_blobs(fresh_dir()); }
  static type reopen(type& s) { return fs::directory_blobs(s.root()); }
};

struct checkpoint_store_model {
  using type = fs::checkpoint_store;
  static type make() { return fs::checkpoint_store(fresh_dir()); }
  static type reopen(type& s) { return fs::checkpoint_store(s.directory()); }
};

struct dead_letters_model {
  using type = fs::dead_letters;
  static type make() { return fs::dead_letters(fresh_dir()); }
  static std::vector<dead_letter> contents(type& d) {
    return sluice_laws::letters_in_batch_order(d, sluice_test::files_under(d.directory()));
  }
};

}  // namespace

namespace sluice_laws {
INSTANTIATE_TYPED_TEST_SUITE_P(Fs, SourceLaws, ::testing::Types<kcat_source_model>);
INSTANTIATE_TYPED_TEST_SUITE_P(Fs, SinkLaws, ::testing::Types<file_sink_model>);
INSTANTIATE_TYPED_TEST_SUITE_P(Fs, CheckpointStoreLaws, ::testing::Types<checkpoint_store_model>);
INSTANTIATE_TYPED_TEST_SUITE_P(Fs, DeadLetterSinkLaws, ::testing::Types<dead_letters_model>);
INSTANTIATE_TYPED_TEST_SUITE_P(Fs, BlobStoreLaws, ::testing::Types<directory_blobs_model>);
// The other suites have no model in sluice/fs (policies: test/idempotency; dedup: core).
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(IdempotencyLaws);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(DedupLaws);
}  // namespace sluice_laws
