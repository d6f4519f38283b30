// SPDX-License-Identifier: Apache-2.0
// The S3 stages over an in-memory S3 on loopback: the blob store (keys under the prefix, paging,
// unsafe keys), the completed-batches log on it, the checkpoint store and dead letters writing
// byte for byte what their file-system twins write, and the object sink (prefix, last wins,
// faults retried, unsafe keys refused before anything is sent).
#include "sluice/fs/checkpoint_store.hpp"
#include "sluice/fs/dead_letters.hpp"
#include "sluice/idempotency/completed_batches_log.hpp"
#include "sluice/s3/blob_store.hpp"
#include "sluice/s3/checkpoint_store.hpp"
#include "sluice/s3/dead_letters.hpp"
#include "sluice/s3/object_sink.hpp"

#include "../fs/temp_dir.hpp"
#include "loopback_http.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace {

using namespace std::chrono_literals;
using sluice_s3_test::fake_s3;
using sluice_s3_test::http_reply;
using sluice_s3_test::http_request;
using sluice_s3_test::loopback_http;

// An in-memory S3 with an optional fault injector in front of it.
struct s3_world {
  explicit s3_world(std::function<std::optional<http_reply>(const http_request&)> fault = {})
      : server([this, fault](const http_request& r) {
          if (fault)
            if (auto f = fault(r)) return *f;
          return s3(r);
        }) {
    sluice::s3::client_options opt;
    opt.service_endpoint = sluice::s3::endpoint{"http", "127.0.0.1", static_cast<std::uint16_t>(server.port())};
    opt.addressing = sluice::s3::addressing_style::path;
    opt.retry.initial_backoff = 1ms;
    opt.max_in_flight = 3;
    sluice::s3::credentials creds;
    creds.access_key_id = "AKID";
    creds.secret_access_key = sluice::s3::secret_string("secret");
    client = sluice::s3::client::make_shared(opt, creds).value();
    EXPECT_TRUE(client->create_bucket("bkt"));
  }
  fake_s3 s3;
  loopback_http server;
  std::shared_ptr<sluice::s3::client> client;
};

TEST(S3BlobStore, KeysLiveUnderThePrefixAndListStripsIt) {
  s3_world w;
  sluice::s3::blob_store store(w.client, {"bkt", "root/sub"});
  store.set_page_size(2);
  for (const char* k : {"yyyymm=202601/a/s/batch-3.json", "yyyymm=202512/a/s/batch-2.json", "yyyymm=202512/b/s/batch-1.json",
                        "other/x"})
    ASSERT_TRUE(store.put(k, std::string("v-") + k));
  // Written by someone else: a neighbouring prefix, and an unsafe key under ours.
  ASSERT_TRUE(w.client->put_object("bkt", "root/subx/y", "n"));
  ASSERT_TRUE(w.client->put_object("bkt", "root/sub//z", "n"));
  EXPECT_EQ(w.s3.objects("bkt").count("root/sub/yyyymm=202512/a/s/batch-2.json"), 1u);
  EXPECT_EQ(store.get("other/x").value(), std::optional<std::string>("v-other/x"));
  EXPECT_EQ(store.get("other/none").value(), std::nullopt);
  EXPECT_EQ(store.list("yyyymm=").value(),
            (std::vector<std::string>{"yyyymm=202512/a/s/batch-2.json", "yyyymm=202512/b/s/batch-1.json",
                                      "yyyymm=202601/a/s/batch-3.json"}));
  EXPECT_EQ(store.list("yyyymm=2026").value(), std::vector<std::string>{"yyyymm=202601/a/s/batch-3.json"});
  EXPECT_EQ(store.list("").value().size(), 4u);
  EXPECT_TRUE(store.list("nothing").value().empty());
  ASSERT_TRUE(store.remove("other/x"));
  EXPECT_EQ(store.get("other/x").value(), std::nullopt);

  sluice::s3::blob_store at_root(w.client, {"bkt", ""});
  ASSERT_TRUE(at_root.put("top.json", "t"));
  EXPECT_EQ(w.s3.objects("bkt").at("top.json"), "t");
  EXPECT_EQ(at_root.list("top").value(), std::vector<std::string>{"top.json"});
}

TEST(S3BlobStore, RefusesUnsafeKeysWithoutARequest) {
  s3_world w;
  sluice::s3::blob_store store(w.client, {"bkt", "p"});
  const auto before = w.server.requests().size();
  for (const char* k : {"", "/abs", "a//b", "../x", "a/..", "a/", "a/./b"}) {
    EXPECT_EQ(store.put(k, "x").error(), sluice::errc::invalid_argument) << k;
    EXPECT_EQ(store.get(k).error(), sluice::errc::invalid_argument) << k;
  }
  EXPECT_EQ(w.server.requests().size(), before);
}

TEST(S3BlobStore, CarriesTheCompletedBatchesLog) {
  s3_world w;
  using log_t = sluice::idempotency::completed_batches_log<sluice::s3::blob_store>;
  const sluice::batch_plan plan{7, {{"gg-schemas", 0, 70, 80}, {"gg-schemas", 2, 5, 9}}};
  {
    auto log = log_t::make(sluice::s3::blob_store(w.client, {"bkt", "log"}), "sw", "stream").value();
    EXPECT_FALSE(log.is_done(plan).value());
    ASSERT_TRUE(log.mark_done(plan));
    ASSERT_TRUE(log.mark_done(plan));
  }
  auto again = log_t::make(sluice::s3::blob_store(w.client, {"bkt", "log"}), "sw", "stream").value();  // restart
  EXPECT_TRUE(again.is_done(plan).value());
  EXPECT_FALSE(again.is_done({8, plan.ranges}).value());
  const auto records = again.list().value();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].ranges, plan.ranges);
  std::size_t under_log = 0;
  for (const auto& [k, v] : w.s3.objects("bkt")) under_log += k.rfind("log/yyyymm=", 0) == 0 ? 1 : 0;
  EXPECT_EQ(under_log, 1u) << "one record, not two";
}

sluice::commit_record commit_of(std::int64_t id, std::string state) {
  return {{id, {{"gg \"schemas\"", 0, id * 10, id * 10 + 10}}}, {{"gg \"schemas\"", 0, id * 10 + 10, id * 10 + 10}},
          std::move(state)};
}

// The S3 checkpoint store is the file-system one over another storage: the same protocol and the
// same bytes.
TEST(S3CheckpointStore, WritesTheSameJsonAsTheFileSystemStore) {
  s3_world w;
  sluice_test::temp_dir dir;
  sluice::fs::checkpoint_store local(dir.path());
  sluice::s3::checkpoint_store remote(sluice::s3::blob_store(w.client, {"bkt", "ckpt"}));
  const std::string binary_state("st\0\xff", 4);
  ASSERT_TRUE(local.write_plan(commit_of(0, "").plan));
  ASSERT_TRUE(remote.write_plan(commit_of(0, "").plan));
  EXPECT_EQ(w.s3.objects("bkt").at("ckpt/plan.json"), sluice_test::slurp(dir / "plan.json"));
  ASSERT_TRUE(local.commit(commit_of(0, binary_state)));
  ASSERT_TRUE(remote.commit(commit_of(0, binary_state)));
  EXPECT_EQ(w.s3.objects("bkt").at("ckpt/commit.json"), sluice_test::slurp(dir / "commit.json"));
  sluice::s3::checkpoint_store reopened(sluice::s3::blob_store(w.client, {"bkt", "ckpt"}));
  EXPECT_EQ(reopened.last_commit().value(), commit_of(0, binary_state));
  EXPECT_EQ(reopened.pending().value(), std::nullopt);
  EXPECT_EQ(reopened.write_plan(commit_of(0, "").plan).error(), sluice::errc::invalid_argument);
  // Unreadable state on S3 is corrupt state, as on disk.
  ASSERT_TRUE(w.client->put_object("bkt", "ckpt/plan.json", "garbage"));
  EXPECT_EQ(reopened.pending().error(), sluice::errc::corrupt_state);
}

TEST(S3DeadLetters, WritesTheSameLinesAsTheFileSystemSinkOncePerBatch) {
  s3_world w;
  sluice_test::temp_dir dir;
  sluice::fs::dead_letters local(dir.path());
  sluice::s3::dead_letters remote(sluice::s3::blob_store(w.client, {"bkt", "dlq"}));
  const std::vector<sluice::dead_letter> letters{
      {"t", 0, 1, std::string("k"), std::string("{bad"), "invalid JSON", 1'717'243'199'000},
      {"t", 1, 2, std::nullopt, std::string("\xff\x00", 2), "not UTF-8", 1'717'243'199'001}};
  ASSERT_TRUE(local.write(4, std::span<const sluice::dead_letter>(letters)));
  ASSERT_TRUE(remote.write(4, std::span<const sluice::dead_letter>(letters)));
  EXPECT_EQ(w.s3.objects("bkt").at("dlq/batch-4.jsonl"), sluice_test::slurp(dir / "batch-4.jsonl"));
  EXPECT_EQ(remote.read(4).value(), letters);
  // A replay at another time stores nothing new.
  auto replay = letters;
  replay[0].time_ms += 5000;
  const auto before = w.s3.objects("bkt").at("dlq/batch-4.jsonl");
  ASSERT_TRUE(remote.write(4, std::span<const sluice::dead_letter>(replay)));
  EXPECT_EQ(w.s3.objects("bkt").at("dlq/batch-4.jsonl"), before);
  EXPECT_TRUE(remote.read(5).value().empty());
  EXPECT_EQ(remote.write(-1, std::span<const sluice::dead_letter>(letters)).error(), sluice::errc::invalid_argument);
}

TEST(S3ObjectSink, WritesUnderThePrefixLastOfAKeyWins) {
  s3_world w;
  sluice::s3::object_sink sink(w.client, {"bkt", "catalog"});
  const std::vector<sluice::object> batch{{"db.s.t/1.avsc", "one", 0},
                                          {"db.s.u/-7631826525557311234.avsc", "two", 1},
                                          {"db.s.t/1.avsc", "one again", 2},
                                          {"yyyymm=202611/a b+c.avsc", "three", 3}};
  ASSERT_TRUE(sink.write(batch, sluice::batch_plan{0, {}})) << w.client->last_error();
  const auto objects = w.s3.objects("bkt");
  EXPECT_EQ(objects, (std::map<std::string, std::string>{{"catalog/db.s.t/1.avsc", "one again"},
                                                         {"catalog/db.s.u/-7631826525557311234.avsc", "two"},
                                                         {"catalog/yyyymm=202611/a b+c.avsc", "three"}}));
  EXPECT_EQ(sink.stats().written, 3);
  EXPECT_EQ(sink.stats().bytes, 9 + 3 + 5);
  EXPECT_EQ(w.server.requests().size(), 4u) << "create bucket + 3 PUTs";
}

TEST(S3ObjectSink, FaultsAreRetriedAndTheBatchConverges) {
  std::atomic<int> puts{0};
  s3_world w([&](const http_request& r) -> std::optional<http_reply> {
    if (r.method == "PUT" && r.path() != "/bkt" && puts++ % 3 == 0) return sluice_s3_test::s3_error(503, "SlowDown");
    return std::nullopt;
  });
  sluice::s3::object_sink sink(w.client, {"bkt", "c"});
  std::vector<sluice::object> batch;
  for (int i = 0; i < 20; ++i) batch.push_back({"t/" + std::to_string(i) + ".avsc", std::string(i, 'x'), 0});
  ASSERT_TRUE(sink.write(batch, sluice::batch_plan{0, {}})) << w.client->last_error();
  EXPECT_EQ(w.s3.objects("bkt").size(), 20u);
  EXPECT_GE(w.client->stats().retries, 7);
}

TEST(S3ObjectSink, FirstFailureInBatchOrderAfterAllWereTried) {
  s3_world w([](const http_request& r) -> std::optional<http_reply> {
    if (r.path() == "/bkt/c/b") return sluice_s3_test::s3_error(403, "AccessDenied");
    return std::nullopt;
  });
  sluice::s3::object_sink sink(w.client, {"bkt", "c"});
  const std::vector<sluice::object> batch{{"a", "1", 0}, {"b", "2", 1}, {"c", "3", 2}};
  const auto r = sink.write(batch, sluice::batch_plan{0, {}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), sluice::errc::access_denied);
  EXPECT_EQ(w.s3.objects("bkt").size(), 2u);
  EXPECT_EQ(sink.stats().written, 2);
}

TEST(S3ObjectSink, AnUnsafeKeyFailsTheBatchBeforeAnythingIsSent) {
  s3_world w;
  sluice::s3::object_sink sink(w.client, {"bkt", "c"});
  const auto before = w.server.requests().size();
  for (const char* bad : {"../escape", "/abs", "a//b", "a/./b"}) {
    const std::vector<sluice::object> batch{{"fine.avsc", "1", 0}, {bad, "2", 1}};
    EXPECT_EQ(sink.write(batch, sluice::batch_plan{0, {}}).error(), sluice::errc::invalid_argument) << bad;
  }
  EXPECT_EQ(w.server.requests().size(), before);
  EXPECT_TRUE(w.s3.objects("bkt").empty());
}

}  // namespace
