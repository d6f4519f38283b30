// SPDX-License-Identifier: Apache-2.0
// The S3 client against a loopback HTTP responder with scripted replies: what goes on the wire
// (encoded keys, signed headers, payload hash, session token, Host), retries with backoff on
// 5xx/SlowDown/timeouts/connection errors within the budget, immediate access_denied on 403,
// 404 as absent, connection reuse, the bound on concurrent PUTs, ListObjectsV2 paging, and that
// no diagnostic ever shows a secret or a signature.
#include "sluice/s3/client.hpp"

#include "loopback_http.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace std::chrono_literals;
using sluice_s3_test::fake_s3;
using sluice_s3_test::http_reply;
using sluice_s3_test::http_request;
using sluice_s3_test::loopback_http;
using sluice_s3_test::s3_error;

constexpr const char* secret = "TOP/secret+key=never-shown";

struct harness {
  explicit harness(sluice_s3_test::http_handler h, sluice::s3::client_options opt = {}) : server(std::move(h)) {
    opt.service_endpoint = sluice::s3::endpoint{"http", "127.0.0.1", static_cast<std::uint16_t>(server.port())};
    opt.addressing = sluice::s3::addressing_style::path;
    if (opt.retry.initial_backoff == sluice::s3::retry_budget{}.initial_backoff) opt.retry.initial_backoff = 5ms;
    opt.log = [this](std::string_view line) {
      std::lock_guard lock(log_mutex);
      log.emplace_back(line);
    };
    sluice::s3::credentials creds;
    creds.access_key_id = "AKIDTESTTESTTEST";
    creds.secret_access_key = sluice::s3::secret_string(secret);
    creds.session_token = sluice::s3::secret_string(token);
    client = std::make_unique<sluice::s3::client>(sluice::s3::client::make(opt, creds).value());
  }
  std::string token;
  loopback_http server;
  std::mutex log_mutex;
  std::vector<std::string> log;
  std::unique_ptr<sluice::s3::client> client;

  std::string all_log() {
    std::lock_guard lock(log_mutex);
    std::string s;
    for (const auto& l : log) s += l + "\n";
    return s;
  }
};

void expect_nothing_secret(const std::string& text) {
  EXPECT_EQ(text.find(secret), std::string::npos) << text;
  EXPECT_EQ(text.find("Signature="), std::string::npos) << text;
  EXPECT_EQ(text.find("sig-that-must-not-leak"), std::string::npos) << text;
  EXPECT_EQ(text.find("Authorization"), std::string::npos) << text;
}

TEST(S3Client, PutSendsTheEncodedKeySignedHeadersAndPayloadHash) {
  harness h([](const http_request&) { return http_reply{200, "", {}}; });
  const std::string key = "yyyymm=202611/a b+c/\xd0\xba\xd0\xbb\xd1\x8e\xd1\x87/-7631826525557311234.avsc";
  ASSERT_TRUE(h.client->put_object("bkt", key, "abc"));
  const auto reqs = h.server.requests();
  ASSERT_EQ(reqs.size(), 1u);
  const auto& r = reqs[0];
  EXPECT_EQ(r.method, "PUT");
  EXPECT_EQ(r.target, "/bkt/yyyymm%3D202611/a%20b%2Bc/%D0%BA%D0%BB%D1%8E%D1%87/-7631826525557311234.avsc");
  EXPECT_EQ(r.body, "abc");
  EXPECT_EQ(r.header("host"), "127.0.0.1:" + std::to_string(h.server.port()));
  // FIPS 180 "abc".
  EXPECT_EQ(r.header("x-amz-content-sha256"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(r.header("expect"), "");
  const std::string date = r.header("x-amz-date");
  ASSERT_EQ(date.size(), 16u);
  const std::string auth = r.header("authorization");
  const std::string head = "AWS4-HMAC-SHA256 Credential=AKIDTESTTESTTEST/" + date.substr(0, 8) +
                           "/us-east-1/s3/aws4_request,SignedHeaders=host;x-amz-content-sha256;x-amz-date,Signature=";
  ASSERT_EQ(auth.substr(0, head.size()), head);
  // What went on the wire is what was signed: re-sign the received request.
  sluice::s3::sigv4::request again{"PUT", sluice_s3_test::percent_decode(r.path()), {},
                                   {{"host", r.header("host")}, {"x-amz-content-sha256", r.header("x-amz-content-sha256")},
                                    {"x-amz-date", date}},
                                   r.header("x-amz-content-sha256")};
  EXPECT_EQ(auth.substr(head.size()),
            sluice::s3::sigv4::sign(again, date, "us-east-1", "s3", "AKIDTESTTESTTEST", secret).signature);
}

TEST(S3Client, SessionTokenIsSentAndSigned) {
  harness h([](const http_request&) { return http_reply{200, "", {}}; });
  sluice::s3::credentials creds;
  creds.access_key_id = "ASIATEMP";
  creds.secret_access_key = sluice::s3::secret_string(secret);
  creds.session_token = sluice::s3::secret_string("the-session-token");
  sluice::s3::client_options opt;
  opt.service_endpoint = sluice::s3::endpoint{"http", "127.0.0.1", static_cast<std::uint16_t>(h.server.port())};
  opt.addressing = sluice::s3::addressing_style::path;
  auto c = sluice::s3::client::make(opt, creds).value();
  ASSERT_TRUE(c.get_object("bkt", "k"));
  const auto r = h.server.requests().at(0);
  EXPECT_EQ(r.header("x-amz-security-token"), "the-session-token");
  EXPECT_NE(r.header("authorization").find("SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token,"),
            std::string::npos);
  EXPECT_EQ(c.describe_credentials().find("the-session-token"), std::string::npos);
}

TEST(S3Client, UnsignedPayloadOption) {
  sluice::s3::client_options opt;
  opt.sign_payload = false;
  harness h([](const http_request&) { return http_reply{200, "", {}}; }, opt);
  ASSERT_TRUE(h.client->put_object("bkt", "k", "body"));
  EXPECT_EQ(h.server.requests().at(0).header("x-amz-content-sha256"), "UNSIGNED-PAYLOAD");
  EXPECT_NE(h.server.requests().at(0).header("authorization").find("x-amz-content-sha256"), std::string::npos);
}

TEST(S3Client, VirtualHostAddressingPutsTheBucketInTheHost) {
  loopback_http server([](const http_request&) { return http_reply{200, "x", {}}; });
  sluice::s3::client_options opt;
  // curl resolves every *.localhost name to the loopback address.
  opt.service_endpoint = sluice::s3::endpoint{"http", "localhost", static_cast<std::uint16_t>(server.port())};
  opt.addressing = sluice::s3::addressing_style::virtual_host;
  sluice::s3::credentials creds;
  creds.access_key_id = "AKID";
  creds.secret_access_key = sluice::s3::secret_string(secret);
  auto c = sluice::s3::client::make(opt, creds).value();
  const auto got = c.get_object("bkt", "dir/a b");
  ASSERT_TRUE(got) << c.last_error();
  EXPECT_EQ(got.value(), std::optional<std::string>("x"));
  const auto r = server.requests().at(0);
  EXPECT_EQ(r.header("host"), "bkt.localhost:" + std::to_string(server.port()));
  EXPECT_EQ(r.target, "/dir/a%20b");
}

TEST(S3Client, RetriesServerErrorsAndThrottlingThenSucceeds) {
  std::atomic<int> n{0};
  harness h([&](const http_request&) {
    switch (n++) {
      case 0: return s3_error(500, "InternalError");
      case 1: return s3_error(503, "SlowDown", "Please reduce your request rate.");
      case 2: return http_reply{429, "", {}};
      default: return http_reply{200, "", {}};
    }
  });
  ASSERT_TRUE(h.client->put_object("bkt", "k", "v")) << h.client->last_error();
  EXPECT_EQ(h.server.requests().size(), 4u);
  EXPECT_EQ(h.client->stats().requests, 4);
  EXPECT_EQ(h.client->stats().retries, 3);
  for (const auto& r : h.server.requests()) EXPECT_EQ(r.body, "v");  // the body is sent again
  const auto log = h.all_log();
  EXPECT_NE(log.find("S3 PUT bkt/k: HTTP 503 SlowDown (Please reduce your request rate.) after 2 attempts"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("; retrying in "), std::string::npos);
  expect_nothing_secret(log);
}

TEST(S3Client, GivesUpAfterTheAttemptBudgetWithARetriableError) {
  sluice::s3::client_options opt;
  opt.retry.max_attempts = 3;
  opt.retry.initial_backoff = 20ms;
  harness h([](const http_request&) { return s3_error(503, "SlowDown"); }, opt);
  const auto t0 = std::chrono::steady_clock::now();
  const auto r = h.client->put_object("bkt", "k", "v");
  const auto took = std::chrono::steady_clock::now() - t0;
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), sluice::errc::unavailable);
  EXPECT_TRUE(r.error() == sluice::condition::retriable);
  EXPECT_EQ(h.server.requests().size(), 3u);
  // Two waits: 50–100 % of 20 ms, then of 40 ms.
  EXPECT_GE(took, 30ms);
  EXPECT_EQ(h.client->last_error(), "S3 PUT bkt/k: HTTP 503 SlowDown (msg) after 3 attempts, request id REQ123");
}

TEST(S3Client, TheTimeBudgetEndsRetriesEarly) {
  sluice::s3::client_options opt;
  opt.retry.max_attempts = 100;
  opt.retry.initial_backoff = 40ms;
  opt.retry.max_elapsed = 150ms;
  harness h([](const http_request&) { return s3_error(500, "InternalError"); }, opt);
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(h.client->get_object("bkt", "k").error(), sluice::errc::unavailable);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 1s);
  // Waits of at least 20, 40, 80 ms: no more than 4 attempts fit into 150 ms.
  EXPECT_GE(h.server.requests().size(), 2u);
  EXPECT_LE(h.server.requests().size(), 4u);
}

TEST(S3Client, AccessDeniedIsImmediateNeverRetriedAndNamesS3sCode) {
  for (const char* code : {"SignatureDoesNotMatch", "InvalidAccessKeyId", "AccessDenied"}) {
    harness h([&](const http_request&) { return s3_error(403, code, "The request signature we calculated does not match"); });
    const auto r = h.client->put_object("bkt", "k", "v");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), sluice::errc::access_denied) << code;
    EXPECT_TRUE(r.error() == sluice::condition::fatal);
    EXPECT_EQ(h.server.requests().size(), 1u) << "never retried";
    EXPECT_EQ(h.client->last_error(), std::string("S3 PUT bkt/k: HTTP 403 ") + code +
                                          " (The request signature we calculated does not match) after 1 attempt, "
                                          "request id REQ123");
    expect_nothing_secret(h.client->last_error());
    expect_nothing_secret(h.all_log());
  }
  // Token problems are credential problems too, even on a 400.
  harness expired([](const http_request&) { return s3_error(400, "ExpiredToken"); });
  EXPECT_EQ(expired.client->get_object("bkt", "k").error(), sluice::errc::access_denied);
  // HEAD has no error document: the status alone decides.
  harness head([](const http_request&) { return http_reply{403, "", {}}; });
  EXPECT_EQ(head.client->head_object("bkt", "k").error(), sluice::errc::access_denied);
  EXPECT_EQ(head.client->last_error(),
            "S3 HEAD bkt/k: HTTP 403 (HEAD replies carry no error document) after 1 attempt");
}

TEST(S3Client, NotFoundIsAbsentForGetHeadAndDelete) {
  harness h([](const http_request& r) {
    if (r.method == "HEAD") return http_reply{404, "", {}};
    if (r.path() == "/nobucket/k") return s3_error(404, "NoSuchBucket");
    return s3_error(404, "NoSuchKey");
  });
  EXPECT_EQ(h.client->get_object("bkt", "k").value(), std::nullopt);
  EXPECT_EQ(h.client->head_object("bkt", "k").value(), std::nullopt);
  EXPECT_TRUE(h.client->delete_object("bkt", "k"));
  EXPECT_EQ(h.client->get_object("nobucket", "k").error(), sluice::errc::invalid_argument);
  EXPECT_EQ(h.server.requests().size(), 4u);
  EXPECT_EQ(h.all_log().find("NoSuchKey"), std::string::npos) << "absence is not a failure";
}

TEST(S3Client, HeadReportsSizeAndEtag) {
  harness h([](const http_request&) {
    return http_reply{200, "", {{"Content-Length", "1234"}, {"ETag", "\"abc\""}, {"Last-Modified", "Sat, 21 Nov 2026 17:01:29 GMT"}}};
  });
  const auto info = h.client->head_object("bkt", "k").value();
  ASSERT_TRUE(info);
  EXPECT_EQ(*info, (sluice::s3::object_info{"k", 1234, "\"abc\"", "Sat, 21 Nov 2026 17:01:29 GMT"}));
}

TEST(S3Client, TimeoutsAreRetriedThenReportedRetriable) {
  sluice::s3::client_options opt;
  opt.request_timeout = 100ms;
  opt.retry.max_attempts = 2;
  harness h([](const http_request&) { return http_reply{200, "late", {}, 400ms}; }, opt);
  const auto r = h.client->get_object("bkt", "k");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), sluice::s3::make_error(CURLE_OPERATION_TIMEDOUT));
  EXPECT_TRUE(r.error() == sluice::condition::retriable);
  EXPECT_EQ(h.server.requests().size(), 2u);
  EXPECT_NE(h.client->last_error().find("S3 GET bkt/k: Timeout was reached after 2 attempts"), std::string::npos)
      << h.client->last_error();
}

TEST(S3Client, ConnectionErrorsAreRetriedThenReportedRetriable) {
  int port = 0;
  {
    loopback_http gone([](const http_request&) { return http_reply{}; });
    port = gone.port();
  }  // nothing listens there any more
  sluice::s3::client_options opt;
  opt.service_endpoint = sluice::s3::endpoint{"http", "127.0.0.1", static_cast<std::uint16_t>(port)};
  opt.addressing = sluice::s3::addressing_style::path;
  opt.retry.max_attempts = 3;
  opt.retry.initial_backoff = 1ms;
  auto c = sluice::s3::client::make(opt, {}).value();
  const auto r = c.put_object("bkt", "k", "v");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), sluice::s3::make_error(CURLE_COULDNT_CONNECT));
  EXPECT_TRUE(r.error() == sluice::condition::retriable);
  EXPECT_EQ(c.stats().requests, 3);
  // A reset connection (the server closes without answering) is retried too.
  std::atomic<int> n{0};
  harness h([&](const http_request&) { return n++ == 0 ? http_reply{200, "", {}, 0ms, true} : http_reply{200, "ok", {}}; });
  EXPECT_EQ(h.client->get_object("bkt", "k").value(), std::optional<std::string>("ok"));
  EXPECT_EQ(h.server.requests().size(), 2u);
}

TEST(S3Client, ConnectionsAreReusedAcrossRequests) {
  harness h([](const http_request&) { return http_reply{200, "x", {}}; });
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(h.client->get_object("bkt", "k" + std::to_string(i)));
  ASSERT_TRUE(h.client->put_object("bkt", "p", "v"));
  EXPECT_EQ(h.server.connections(), 1);
  EXPECT_EQ(h.client->stats().connections, 1);
  EXPECT_EQ(h.client->stats().requests, 21);
}

TEST(S3Client, ConcurrentPutsRespectTheBoundOnRequestsInFlight) {
  for (const std::size_t bound : {std::size_t{1}, std::size_t{4}}) {
    sluice::s3::client_options opt;
    opt.max_in_flight = bound;
    harness h([](const http_request&) { return http_reply{200, "", {}, 40ms}; }, opt);
    std::vector<std::string> keys, bodies;
    for (int i = 0; i < 12; ++i) {
      keys.push_back("obj-" + std::to_string(i));
      bodies.push_back(std::string(1000 + i, 'a' + i));
    }
    std::vector<sluice::s3::put_item> items;
    for (int i = 0; i < 12; ++i) items.push_back({keys[i], bodies[i]});
    const auto t0 = std::chrono::steady_clock::now();
    const auto errors = h.client->put_objects("bkt", items);
    const auto took = std::chrono::steady_clock::now() - t0;
    for (const auto& e : errors) EXPECT_FALSE(e) << e.message();
    EXPECT_EQ(h.server.max_in_flight(), static_cast<int>(bound));
    std::map<std::string, std::string> got;
    for (const auto& r : h.server.requests()) got[r.path()] = r.body;
    ASSERT_EQ(got.size(), 12u);
    for (int i = 0; i < 12; ++i) EXPECT_EQ(got["/bkt/obj-" + std::to_string(i)], bodies[i]);
    // 12 requests of 40 ms: about 480 ms one at a time, about 120 ms four at a time.
    if (bound == 4) {
      EXPECT_LT(took, 400ms);
    } else {
      EXPECT_GE(took, 450ms);
    }
    EXPECT_LE(h.server.connections(), static_cast<int>(bound));
  }
}

TEST(S3Client, PutObjectsReportsEachItemAndTheFirstFailure) {
  harness h([](const http_request& r) {
    if (r.path() == "/bkt/denied") return s3_error(403, "AccessDenied");
    if (r.path() == "/bkt/broken") return s3_error(400, "InvalidArgument");
    return http_reply{200, "", {}};
  });
  const std::vector<sluice::s3::put_item> items{{"ok-1", "a"}, {"broken", "b"}, {"ok-2", "c"}, {"denied", "d"}, {"", "e"}};
  const auto errors = h.client->put_objects("bkt", items);
  ASSERT_EQ(errors.size(), 5u);
  EXPECT_FALSE(errors[0]);
  EXPECT_EQ(errors[1], sluice::errc::invalid_argument);
  EXPECT_FALSE(errors[2]);
  EXPECT_EQ(errors[3], sluice::errc::access_denied);
  EXPECT_EQ(errors[4], sluice::errc::invalid_argument);  // empty key: never sent
  EXPECT_EQ(h.server.requests().size(), 4u);
  EXPECT_EQ(h.client->last_error(), "S3 PUT bkt/broken: HTTP 400 InvalidArgument (msg) after 1 attempt, request id REQ123");
}

TEST(S3Client, ListFollowsContinuationTokens) {
  fake_s3 s3;
  harness h(std::ref(s3));
  ASSERT_TRUE(h.client->create_bucket("bkt"));
  ASSERT_TRUE(h.client->create_bucket("bkt")) << "a bucket we own already is fine";
  const std::vector<std::string> keys{"p/a", "p/b & <c>", "p/c\xc3\xa9", "p/d", "p/e", "q/x"};
  for (const auto& k : keys) ASSERT_TRUE(h.client->put_object("bkt", k, k));
  const auto before = h.server.requests().size();
  const auto all = h.client->list_all("bkt", "p/", 2).value();
  EXPECT_EQ(h.server.requests().size() - before, 3u) << "5 keys, 2 per page";
  std::vector<std::string> listed;
  for (const auto& o : all) listed.push_back(o.key);
  EXPECT_EQ(listed, (std::vector<std::string>{"p/a", "p/b & <c>", "p/c\xc3\xa9", "p/d", "p/e"}));
  EXPECT_EQ(all[1].size, static_cast<std::int64_t>(keys[1].size()));
  EXPECT_EQ(all[1].etag, "\"x\"");
  const auto page = h.client->list_objects("bkt", "", {}, 4).value();
  EXPECT_EQ(page.objects.size(), 4u);
  ASSERT_TRUE(page.continuation_token);
  const auto rest = h.client->list_objects("bkt", "", *page.continuation_token, 4).value();
  EXPECT_EQ(rest.objects.size(), 2u);
  EXPECT_FALSE(rest.continuation_token);
  const auto q = sluice_s3_test::parse_query(h.server.requests().back().query());
  EXPECT_EQ(q.at("list-type"), "2");
  EXPECT_EQ(q.at("continuation-token"), *page.continuation_token);
  EXPECT_EQ(h.client->list_objects("nobucket", "").error(), sluice::errc::invalid_argument);
}

TEST(S3Client, ARepliesOutsideTheProtocolAreErrors) {
  harness h([](const http_request& r) {
    if (r.query().find("list-type") != std::string::npos) return http_reply{200, "<html>not s3</html>", {}};
    if (r.path() == "/bkt/big") return http_reply{200, std::string(5000, 'x'), {}};
    if (r.path() == "/bkt/moved") return s3_error(301, "PermanentRedirect");
    return http_reply{200, "", {}};
  });
  EXPECT_EQ(h.client->list_objects("bkt", "").error(), sluice::errc::protocol_error);
  EXPECT_NE(h.client->last_error().find("not a ListBucketResult"), std::string::npos);
  EXPECT_EQ(h.client->get_object("bkt", "moved").error(), sluice::errc::protocol_error);
  EXPECT_NE(h.client->last_error().find("HTTP 301 PermanentRedirect"), std::string::npos);

  sluice::s3::client_options small;
  small.max_response_bytes = 1000;
  harness limited([](const http_request&) { return http_reply{200, std::string(5000, 'x'), {}}; }, small);
  EXPECT_EQ(limited.client->get_object("bkt", "big").error(), sluice::errc::too_large);
  EXPECT_EQ(limited.server.requests().size(), 1u) << "too large is not retried";
  EXPECT_EQ(limited.client->last_error(), "S3 GET bkt/big: the reply exceeds the configured maximum size after 1 attempt");
}

TEST(S3Client, BadBucketsAndKeysAreRefusedBeforeSending) {
  harness h([](const http_request&) { return http_reply{200, "", {}}; });
  EXPECT_EQ(h.client->put_object("Bad_Bucket", "k", "v").error(), sluice::errc::invalid_argument);
  EXPECT_EQ(h.client->last_error(),
            "S3: invalid bucket name 'Bad_Bucket': only lowercase letters, digits, '.' and '-' are allowed");
  EXPECT_EQ(h.client->get_object("bkt", "").error(), sluice::errc::invalid_argument);
  EXPECT_EQ(h.client->get_object("bkt", std::string(1025, 'k')).error(), sluice::errc::invalid_argument);
  EXPECT_EQ(h.client->list_objects("bkt", "", {}, 0).error(), sluice::errc::invalid_argument);
  EXPECT_EQ(h.client->list_objects("bkt", "", {}, 1001).error(), sluice::errc::invalid_argument);
  EXPECT_TRUE(h.server.requests().empty());
}

TEST(S3Errors, RepliesAreClassifiedForTheRunner) {
  using sluice::condition;
  using sluice::errc;
  using sluice::s3::classify_reply;
  EXPECT_FALSE(classify_reply(200, ""));
  EXPECT_FALSE(classify_reply(204, ""));
  EXPECT_EQ(classify_reply(403, "SignatureDoesNotMatch"), errc::access_denied);
  EXPECT_EQ(classify_reply(403, ""), errc::access_denied);
  EXPECT_EQ(classify_reply(401, ""), errc::access_denied);
  EXPECT_EQ(classify_reply(400, "ExpiredToken"), errc::access_denied);
  EXPECT_EQ(classify_reply(400, "AuthorizationHeaderMalformed"), errc::access_denied);
  EXPECT_EQ(classify_reply(400, "RequestTimeout"), errc::timeout);
  EXPECT_EQ(classify_reply(408, ""), errc::timeout);
  EXPECT_EQ(classify_reply(503, "SlowDown"), errc::unavailable);
  EXPECT_EQ(classify_reply(500, "InternalError"), errc::unavailable);
  EXPECT_EQ(classify_reply(502, ""), errc::unavailable);
  EXPECT_EQ(classify_reply(504, ""), errc::unavailable);
  EXPECT_EQ(classify_reply(429, ""), errc::unavailable);
  EXPECT_EQ(classify_reply(409, "OperationAborted"), errc::unavailable);
  EXPECT_EQ(classify_reply(404, "NoSuchBucket"), errc::invalid_argument);
  EXPECT_EQ(classify_reply(404, "NoSuchKey"), std::errc::no_such_file_or_directory);
  EXPECT_EQ(classify_reply(400, "InvalidArgument"), errc::invalid_argument);
  EXPECT_EQ(classify_reply(301, "PermanentRedirect"), errc::protocol_error);
  EXPECT_EQ(classify_reply(409, "BucketAlreadyExists"), errc::protocol_error);
  EXPECT_EQ(classify_reply(412, "PreconditionFailed"), errc::protocol_error);
  for (const long retriable : {408L, 429L, 500L, 503L})
    EXPECT_TRUE(classify_reply(retriable, "") == condition::retriable) << retriable;
  for (const long fatal : {301L, 400L, 401L, 403L, 404L, 412L})
    EXPECT_TRUE(classify_reply(fatal, "") == condition::fatal) << fatal;

  using sluice::s3::make_error;
  for (const CURLcode c : {CURLE_COULDNT_CONNECT, CURLE_OPERATION_TIMEDOUT, CURLE_RECV_ERROR, CURLE_SEND_ERROR,
                           CURLE_GOT_NOTHING, CURLE_COULDNT_RESOLVE_HOST, CURLE_PARTIAL_FILE}) {
    EXPECT_TRUE(make_error(c) == condition::retriable) << c;
    EXPECT_FALSE(make_error(c) == condition::fatal) << c;
  }
  for (const CURLcode c : {CURLE_URL_MALFORMAT, CURLE_PEER_FAILED_VERIFICATION, CURLE_OUT_OF_MEMORY,
                           CURLE_UNSUPPORTED_PROTOCOL}) {
    EXPECT_TRUE(make_error(c) == condition::fatal) << c;
    EXPECT_FALSE(make_error(c) == condition::retriable) << c;
  }
  EXPECT_STREQ(sluice::s3::curl_category().name(), "sluice.curl");
  EXPECT_EQ(make_error(CURLE_OPERATION_TIMEDOUT).message(), "Timeout was reached");
}

}  // namespace
