// SPDX-License-Identifier: Apache-2.0
// The S3 client and stages against the real S3 server of the test services (S3Proxy, which
// verifies every SigV4 signature): objects with awkward keys round trip, ListObjectsV2 pages with
// continuation tokens, the blob store keeps the store::blob_store semantics, concurrent sink writes land,
// and a wrong secret fails fast with access_denied and no retry loop.
#include "sluice/s3/blob_store.hpp"
#include "sluice/s3/client.hpp"
#include "sluice/s3/object_sink.hpp"

#include "support/s3_services.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

namespace {

using namespace std::chrono_literals;
using sluice_s3_it::fresh_bucket;
using sluice_s3_it::make_client;

// Keys from the catalog and the log, and the characters that need encoding.
const std::vector<std::string>& awkward_keys() {
  static const std::vector<std::string> keys{
      "yyyymm=202611/sw/stream/batch-12.json",
      "gg.hr.accounts/-7631826525557311234.avsc",
      "a b/c+d=e&f;g,h@i$j'k(l)!*.txt",
      "\xd0\xba\xd0\xbb\xd1\x8e\xd1\x87/\xf0\x9f\x98\x80 \xc3\xa9t\xc3\xa9.json",
      "x~y_z-1.2/%41%2F",
  };
  return keys;
}

std::string all_bytes() {
  std::string s;
  for (int i = 0; i < 256; ++i) s.push_back(static_cast<char>(i));
  return s;
}

TEST(S3ServerClient, PutGetHeadDeleteWithAwkwardKeys) {
  auto c = make_client();
  const auto bucket = fresh_bucket(*c);
  for (const auto& key : awkward_keys()) {
    const std::string body = key + "\n" + all_bytes();
    ASSERT_TRUE(c->put_object(bucket, key, body)) << key << ": " << c->last_error();
    const auto got = c->get_object(bucket, key);
    ASSERT_TRUE(got) << key << ": " << c->last_error();
    EXPECT_EQ(got.value(), std::optional<std::string>(body)) << key;
    const auto info = c->head_object(bucket, key);
    ASSERT_TRUE(info && info.value()) << key << ": " << c->last_error();
    EXPECT_EQ(info.value()->size, static_cast<std::int64_t>(body.size()));
    EXPECT_FALSE(info.value()->etag.empty());
  }
  const auto listed = sluice_s3_it::keys_under(*c, bucket);
  auto want = awkward_keys();
  std::sort(want.begin(), want.end());
  EXPECT_EQ(listed, want);
  for (const auto& key : awkward_keys()) {
    ASSERT_TRUE(c->delete_object(bucket, key)) << c->last_error();
    EXPECT_EQ(c->get_object(bucket, key).value(), std::nullopt) << key;
    EXPECT_EQ(c->head_object(bucket, key).value(), std::nullopt) << key;
  }
  EXPECT_TRUE(c->delete_object(bucket, "never-there")) << "deleting an absent object succeeds";
  EXPECT_TRUE(sluice_s3_it::keys_under(*c, bucket).empty());
}

TEST(S3ServerClient, LargeAndEmptyBodiesSignedOrUnsigned) {
  for (const bool sign : {true, false}) {
    auto c = make_client([&](auto& opt, auto&) { opt.sign_payload = sign; });
    const auto bucket = fresh_bucket(*c);
    std::string big(3 << 20, '\0');
    for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>((i * 7919) >> 3);
    ASSERT_TRUE(c->put_object(bucket, "big.bin", big)) << c->last_error();
    ASSERT_TRUE(c->put_object(bucket, "empty", "")) << c->last_error();
    EXPECT_EQ(c->get_object(bucket, "big.bin").value(), std::optional<std::string>(big));
    EXPECT_EQ(c->get_object(bucket, "empty").value(), std::optional<std::string>(""));
  }
}

TEST(S3ServerClient, ListPagesWithContinuationTokens) {
  auto c = make_client();
  const auto bucket = fresh_bucket(*c);
  std::vector<std::string> keys;
  for (int i = 0; i < 7; ++i) keys.push_back("p/k" + std::to_string(i) + (i % 2 ? " odd" : "=even"));
  keys.push_back("q/other");
  for (const auto& k : keys) ASSERT_TRUE(c->put_object(bucket, k, k)) << c->last_error();
  const auto before = c->stats().requests;
  const auto all = c->list_all(bucket, "p/", 2);
  ASSERT_TRUE(all) << c->last_error();
  EXPECT_EQ(c->stats().requests - before, 4) << "7 keys, 2 per page";
  std::vector<std::string> listed;
  for (const auto& o : all.value())
    if (o.key.back() != '/') listed.push_back(o.key);  // S3Proxy's filesystem backend lists "p/"
  std::vector<std::string> want(keys.begin(), keys.end() - 1);
  std::sort(want.begin(), want.end());
  EXPECT_EQ(listed, want);
  // Page by page, 3 keys a page.
  auto page = c->list_objects(bucket, "p/k", {}, 3).value();
  std::vector<std::string> walked;
  int pages = 1;
  for (;;) {
    EXPECT_LE(page.objects.size(), 3u);
    for (const auto& o : page.objects) walked.push_back(o.key);
    if (!page.continuation_token) break;
    page = c->list_objects(bucket, "p/k", *page.continuation_token, 3).value();
    ++pages;
  }
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(walked, want);
}

TEST(S3ServerClient, ConnectionsAreReused) {
  auto c = make_client();
  const auto bucket = fresh_bucket(*c);
  const auto before = c->stats().connections;
  for (int i = 0; i < 30; ++i) ASSERT_TRUE(c->put_object(bucket, "k" + std::to_string(i), "v"));
  for (int i = 0; i < 30; ++i) ASSERT_TRUE(c->get_object(bucket, "k" + std::to_string(i)));
  EXPECT_LE(c->stats().connections - before, 1) << "60 requests on one connection";
}

TEST(S3ServerClient, AWrongSecretIsAccessDeniedAtOnce) {
  auto good = make_client();
  const auto bucket = fresh_bucket(*good);
  for (const bool wrong_key_id : {false, true}) {
    std::vector<std::string> log;
    auto c = make_client([&](auto& opt, auto& creds) {
      if (wrong_key_id) creds.access_key_id = "AKIANOSUCHKEY0000000";
      creds.secret_access_key = sluice::s3::secret_string("wrong-secret-must-not-appear");
      opt.retry.max_attempts = 8;
      opt.log = [&](std::string_view l) { log.emplace_back(l); };
    });
    const auto t0 = std::chrono::steady_clock::now();
    const auto r = c->put_object(bucket, "k", "v");
    const auto took = std::chrono::steady_clock::now() - t0;
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), sluice::errc::access_denied);
    EXPECT_TRUE(r.error() == sluice::condition::fatal);
    EXPECT_EQ(c->stats().requests, 1) << "no retry loop";
    EXPECT_LT(took, 2s);
    const std::string& msg = c->last_error();
    EXPECT_EQ(msg.rfind("S3 PUT " + bucket + "/k: HTTP 403 ", 0), 0u) << msg;
    EXPECT_NE(msg.find(wrong_key_id ? "InvalidAccessKeyId" : "SignatureDoesNotMatch"), std::string::npos) << msg;
    for (const auto& text : {msg, log.empty() ? std::string() : log.front()}) {
      EXPECT_EQ(text.find("wrong-secret-must-not-appear"), std::string::npos) << text;
      EXPECT_EQ(text.find("Signature="), std::string::npos) << text;
    }
    EXPECT_EQ(c->get_object(bucket, "k").error(), sluice::errc::access_denied);
    EXPECT_EQ(c->list_objects(bucket, "").error(), sluice::errc::access_denied);
  }
}

TEST(S3ServerClient, AMissingBucketIsAConfigurationError) {
  auto c = make_client();
  const auto missing = sluice::test::unique_name("missing");
  EXPECT_EQ(c->put_object(missing, "k", "v").error(), sluice::errc::invalid_argument);
  EXPECT_NE(c->last_error().find("NoSuchBucket"), std::string::npos) << c->last_error();
  EXPECT_EQ(c->list_objects(missing, "").error(), sluice::errc::invalid_argument);
  const auto bucket = fresh_bucket(*c);
  EXPECT_TRUE(c->create_bucket(bucket)) << "creating a bucket we own again is fine: " << c->last_error();
}

// --- the blob store keeps the store::blob_store semantics on the real server --------------------

TEST(S3ServerBlobStore, PutGetReplaceListAndRefuse) {
  auto c = make_client();
  const auto bucket = fresh_bucket(*c);
  sluice::s3::blob_store s(c, {bucket, "log/root"});
  s.set_page_size(2);
  EXPECT_EQ(s.get("a/b.json").value(), std::nullopt);
  ASSERT_TRUE(s.put("a/b.json", "one"));
  EXPECT_EQ(s.get("a/b.json").value(), std::optional<std::string>("one"));
  ASSERT_TRUE(s.put("a/b.json", std::string("t\0o", 3)));
  sluice::s3::blob_store again(c, {bucket, "log/root"});
  EXPECT_EQ(again.get("a/b.json").value(), std::optional<std::string>(std::string("t\0o", 3)));
  ASSERT_TRUE(s.put("a/b.json", ""));
  EXPECT_EQ(s.get("a/b.json").value(), std::optional<std::string>(""));

  for (const char* k : {"yyyymm=202601/a/s/batch-3.json", "yyyymm=202512/a/s/batch-2.json",
                        "yyyymm=202512/a/t/batch-0.json", "yyyymm=202512/b/s/batch-1.json", "other/x"})
    ASSERT_TRUE(s.put(k, "x"));
  ASSERT_TRUE(c->put_object(bucket, "log/rootx/not-ours", "x"));
  EXPECT_EQ(s.list("yyyymm=").value(),
            (std::vector<std::string>{"yyyymm=202512/a/s/batch-2.json", "yyyymm=202512/a/t/batch-0.json",
                                      "yyyymm=202512/b/s/batch-1.json", "yyyymm=202601/a/s/batch-3.json"}));
  EXPECT_EQ(s.list("yyyymm=202512/a/").value(),
            (std::vector<std::string>{"yyyymm=202512/a/s/batch-2.json", "yyyymm=202512/a/t/batch-0.json"}));
  EXPECT_EQ(s.list("yyyymm=2026").value(), std::vector<std::string>{"yyyymm=202601/a/s/batch-3.json"});
  EXPECT_EQ(s.list("").value().size(), 6u);
  EXPECT_TRUE(s.list("zzz/").value().empty());
  for (const char* k : {"", "/abs", "a//b", "../x", "a/..", "a/"}) {
    EXPECT_EQ(s.put(k, "x").error(), sluice::errc::invalid_argument) << k;
    EXPECT_EQ(s.get(k).error(), sluice::errc::invalid_argument) << k;
  }
}

// --- the object sink, concurrently -----------------------------------------------------------

TEST(S3ServerObjectSink, ConcurrentWritesAllLandWithinTheBound) {
  auto c = make_client([](auto& opt, auto&) { opt.max_in_flight = 6; });
  const auto bucket = fresh_bucket(*c);
  sluice::s3::object_sink sink(c, {bucket, "catalog"});
  std::vector<sluice::object> batch;
  for (int i = 0; i < 60; ++i)
    batch.push_back({"gg.s.t" + std::to_string(i % 7) + "/" + std::to_string(-1000000007LL * i) + ".avsc",
                     std::string(100 + i * 37, static_cast<char>('a' + i % 26)), static_cast<std::size_t>(i)});
  const auto t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE(sink.write(batch, sluice::batch_plan{0, {}})) << c->last_error();
  const auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_EQ(sink.stats().written, 60);
  std::map<std::string, std::string> want;
  for (const auto& o : batch) want["catalog/" + o.key] = o.bytes;
  EXPECT_EQ(sluice_s3_it::objects_under(*c, bucket), want);
  EXPECT_LE(c->stats().connections, 6) << "never more connections than requests in flight";
  std::printf("60 concurrent PUTs (6 in flight) in %lld ms\n",
              static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(took).count()));
  // A replay changes nothing.
  ASSERT_TRUE(sink.write(batch, sluice::batch_plan{0, {}}));
  EXPECT_EQ(sluice_s3_it::objects_under(*c, bucket), want);
}

}  // namespace
