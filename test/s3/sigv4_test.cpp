// SPDX-License-Identifier: Apache-2.0
// The SigV4 signer against AWS's published values: the four "Examples: Signature Calculations
// in AWS Signature Version 4" of the S3 API reference (header-based auth; access key
// AKIAIOSFODNN7EXAMPLE), signed both by the bare signer and by the S3 client's request builder,
// and cases of the aws-sig-v4-test-suite (AKIDEXAMPLE, service "service", 20150830T123600Z).
#include "sluice/s3/client.hpp"
#include "sluice/s3/sigv4.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

namespace {

namespace sigv4 = sluice::s3::sigv4;
using sigv4::header;
using sigv4::query_param;

constexpr const char* s3_key_id = "AKIAIOSFODNN7EXAMPLE";
constexpr const char* s3_secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
constexpr const char* s3_date = "20130524T000000Z";
constexpr const char* empty_hash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
constexpr const char* host = "examplebucket.s3.amazonaws.com";

// The string to sign of the S3 examples, around the hash of the canonical request.
std::string s3_string_to_sign(const std::string& canonical_hash) {
  return std::string("AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n") + canonical_hash;
}

TEST(SigV4S3Examples, GetObjectWithRange) {
  sigv4::request r{"GET", "/test.txt", {},
                   {{"Host", host}, {"Range", "bytes=0-9"}, {"x-amz-content-sha256", empty_hash}, {"x-amz-date", s3_date}},
                   empty_hash};
  const auto s = sigv4::sign(r, s3_date, "us-east-1", "s3", s3_key_id, s3_secret);
  EXPECT_EQ(s.canonical_request,
            "GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\n"
            "x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
            "x-amz-date:20130524T000000Z\n\nhost;range;x-amz-content-sha256;x-amz-date\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(s.string_to_sign, s3_string_to_sign("7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972"));
  EXPECT_EQ(s.signature, "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
  EXPECT_EQ(s.authorization,
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST(SigV4S3Examples, PutObject) {
  const std::string payload_hash = sluice::s3::sha256_hex("Welcome to Amazon S3.");
  ASSERT_EQ(payload_hash, "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
  sigv4::request r{"PUT", "/test$file.text", {},
                   {{"Host", host}, {"Date", "Fri, 24 May 2013 00:00:00 GMT"}, {"x-amz-date", s3_date},
                    {"x-amz-storage-class", "REDUCED_REDUNDANCY"}, {"x-amz-content-sha256", payload_hash}},
                   payload_hash};
  const auto s = sigv4::sign(r, s3_date, "us-east-1", "s3", s3_key_id, s3_secret);
  EXPECT_EQ(s.canonical_request,
            "PUT\n/test%24file.text\n\ndate:Fri, 24 May 2013 00:00:00 GMT\nhost:examplebucket.s3.amazonaws.com\n"
            "x-amz-content-sha256:44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072\n"
            "x-amz-date:20130524T000000Z\nx-amz-storage-class:REDUCED_REDUNDANCY\n\n"
            "date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class\n"
            "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
  EXPECT_EQ(s.string_to_sign, s3_string_to_sign("9e0e90d9c76de8fa5b200d8c849cd5b8dc7a3be3951ddb7f6a76b4158342019d"));
  EXPECT_EQ(s.signature, "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
}

TEST(SigV4S3Examples, GetBucketLifecycle) {
  sigv4::request r{"GET", "/", {{"lifecycle", ""}},
                   {{"Host", host}, {"x-amz-date", s3_date}, {"x-amz-content-sha256", empty_hash}}, empty_hash};
  const auto s = sigv4::sign(r, s3_date, "us-east-1", "s3", s3_key_id, s3_secret);
  EXPECT_EQ(s.canonical_request,
            "GET\n/\nlifecycle=\nhost:examplebucket.s3.amazonaws.com\n"
            "x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
            "x-amz-date:20130524T000000Z\n\nhost;x-amz-content-sha256;x-amz-date\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(s.string_to_sign, s3_string_to_sign("9766c798316ff2757b517bc739a67f6213b4ab36dd5da2f94eaebf79c77395ca"));
  EXPECT_EQ(s.signature, "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543");
}

TEST(SigV4S3Examples, ListObjects) {
  // Given in the other order: the canonical query string sorts them.
  sigv4::request r{"GET", "/", {{"prefix", "J"}, {"max-keys", "2"}},
                   {{"Host", host}, {"x-amz-date", s3_date}, {"x-amz-content-sha256", empty_hash}}, empty_hash};
  const auto s = sigv4::sign(r, s3_date, "us-east-1", "s3", s3_key_id, s3_secret);
  EXPECT_EQ(s.canonical_request.substr(0, s.canonical_request.find("host")), "GET\n/\nmax-keys=2&prefix=J\n");
  EXPECT_EQ(s.string_to_sign, s3_string_to_sign("df57d21db20da04d7fa30298dd4488ba3a2b47ca3a489c74750e0f1e7df1b9b7"));
  EXPECT_EQ(s.signature, "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
}

// The client's own request builder (virtual-host addressing on AWS: Host, path, the headers it
// adds) produces the published signatures of the same four requests.
TEST(SigV4S3Examples, TheClientSignsThemAsPublished) {
  sluice::s3::client_options opt;
  opt.service_endpoint = sluice::s3::endpoint{"https", "s3.amazonaws.com", 443};
  opt.region = "us-east-1";
  sluice::s3::credentials creds;
  creds.access_key_id = s3_key_id;
  creds.secret_access_key = sluice::s3::secret_string(s3_secret);
  auto c = sluice::s3::client::make(opt, creds).value();
  EXPECT_EQ(c.target_of("examplebucket", "test$file.text").url,
            "https://examplebucket.s3.amazonaws.com/test%24file.text");

  auto get = c.signature_for("GET", "examplebucket", "test.txt", {}, {{"Range", "bytes=0-9"}}, empty_hash, s3_date);
  EXPECT_EQ(get.signature, "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
  auto put = c.signature_for("PUT", "examplebucket", "test$file.text", {},
                             {{"Date", "Fri, 24 May 2013 00:00:00 GMT"}, {"x-amz-storage-class", "REDUCED_REDUNDANCY"}},
                             "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072", s3_date);
  EXPECT_EQ(put.signature, "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
  auto lifecycle = c.signature_for("GET", "examplebucket", "", {{"lifecycle", ""}}, {}, empty_hash, s3_date);
  EXPECT_EQ(lifecycle.signature, "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543");
  auto list = c.signature_for("GET", "examplebucket", "", {{"max-keys", "2"}, {"prefix", "J"}}, {}, empty_hash, s3_date);
  EXPECT_EQ(list.signature, "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
  EXPECT_EQ(list.signed_headers, "host;x-amz-content-sha256;x-amz-date");
}

// --- aws-sig-v4-test-suite ------------------------------------------------------------------

constexpr const char* suite_key_id = "AKIDEXAMPLE";
constexpr const char* suite_secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
constexpr const char* suite_date = "20150830T123600Z";

struct suite_case {
  const char* name;
  sigv4::request request;
  const char* canonical_request;  // nullptr: not checked
  const char* signed_headers;
  const char* signature;
};

std::vector<header> suite_headers(std::vector<header> extra = {}) {
  std::vector<header> hs{{"Host", "example.amazonaws.com"}, {"X-Amz-Date", suite_date}};
  hs.insert(hs.end(), extra.begin(), extra.end());
  return hs;
}

constexpr const char* sts_token =
    "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7"
    "mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9"
    "q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==";

std::vector<suite_case> suite_cases() {
  const std::string unreserved = "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  return {
      {"get-vanilla", {"GET", "/", {}, suite_headers(), empty_hash},
       "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n"
       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
       "host;x-amz-date", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"},
      {"get-vanilla-query-order-key-case", {"GET", "/", {{"Param2", "value2"}, {"Param1", "value1"}}, suite_headers(), empty_hash},
       nullptr, "host;x-amz-date", "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"},
      {"get-vanilla-query-order-key", {"GET", "/", {{"Param1", "value2"}, {"Param1", "Value1"}}, suite_headers(), empty_hash},
       "GET\n/\nParam1=Value1&Param1=value2\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n"
       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
       "host;x-amz-date", "eedbc4e291e521cf13422ffca22be7d2eb8146eecf653089df300a15b2382bd1"},
      {"get-vanilla-query-unreserved", {"GET", "/", {{unreserved, unreserved}}, suite_headers(), empty_hash}, nullptr,
       "host;x-amz-date", "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197"},
      {"get-vanilla-utf8-query", {"GET", "/", {{"\xe1\x88\xb4", "bar"}}, suite_headers(), empty_hash},
       "GET\n/\n%E1%88%B4=bar\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n"
       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
       "host;x-amz-date", "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04"},
      {"get-unreserved", {"GET", "/" + unreserved, {}, suite_headers(), empty_hash}, nullptr, "host;x-amz-date",
       "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f"},
      {"get-utf8", {"GET", "/\xe1\x88\xb4", {}, suite_headers(), empty_hash}, nullptr, "host;x-amz-date",
       "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85"},
      {"get-space", {"GET", "/example space/", {}, suite_headers(), empty_hash}, nullptr, "host;x-amz-date",
       "652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741"},
      {"get-header-value-trim",
       {"GET", "/", {}, suite_headers({{"My-Header1", " value1"}, {"My-Header2", "\"a   b   c\""}}), empty_hash},
       "GET\n/\n\nhost:example.amazonaws.com\nmy-header1:value1\nmy-header2:\"a b c\"\nx-amz-date:20150830T123600Z\n\n"
       "host;my-header1;my-header2;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
       "host;my-header1;my-header2;x-amz-date", "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"},
      {"get-header-key-duplicate",
       {"GET", "/", {}, suite_headers({{"My-Header1", "value2"}, {"My-Header1", "value2"}, {"My-Header1", "value1"}}),
        empty_hash},
       nullptr, "host;my-header1;x-amz-date", "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea"},
      {"post-header-value-case", {"POST", "/", {}, suite_headers({{"My-Header1", "VALUE1"}}), empty_hash}, nullptr,
       "host;my-header1;x-amz-date", "cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d"},
      {"post-x-www-form-urlencoded",
       {"POST", "/", {}, suite_headers({{"Content-Type", "application/x-www-form-urlencoded"}}),
        sluice::s3::sha256_hex("Param1=value1")},
       nullptr, "content-type;host;x-amz-date", "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"},
      {"post-sts-header-before", {"POST", "/", {}, suite_headers({{"X-Amz-Security-Token", sts_token}}), empty_hash},
       nullptr, "host;x-amz-date;x-amz-security-token",
       "85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead"},
  };
}

TEST(SigV4TestSuite, PublishedCases) {
  for (const auto& c : suite_cases()) {
    const auto s = sigv4::sign(c.request, suite_date, "us-east-1", "service", suite_key_id, suite_secret);
    if (c.canonical_request) {
      EXPECT_EQ(s.canonical_request, c.canonical_request) << c.name;
    }
    EXPECT_EQ(s.signed_headers, c.signed_headers) << c.name;
    EXPECT_EQ(s.signature, c.signature) << c.name;
    EXPECT_EQ(s.authorization, std::string("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request,"
                                           "SignedHeaders=") +
                                   c.signed_headers + ",Signature=" + c.signature)
        << c.name;
  }
}

TEST(SigV4, PayloadHashOfTheFormBody) {
  EXPECT_EQ(sluice::s3::sha256_hex("Param1=value1"), "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e");
}

TEST(SigV4, UriEncodingIsRfc3986ByteByByte) {
  EXPECT_EQ(sigv4::uri_encode("yyyymm=202611/db.s.t/-7631826525557311234.avsc", true),
            "yyyymm%3D202611/db.s.t/-7631826525557311234.avsc");
  EXPECT_EQ(sigv4::uri_encode("a b+c=d&e/f~g_h.i-j", false), "a%20b%2Bc%3Dd%26e%2Ff~g_h.i-j");
  EXPECT_EQ(sigv4::uri_encode("a b+c=d&e/f~g_h.i-j", true), "a%20b%2Bc%3Dd%26e/f~g_h.i-j");
  EXPECT_EQ(sigv4::uri_encode("\xd0\xba\xd0\xbb\xd1\x8e\xd1\x87 \xf0\x9f\x98\x80", true),
            "%D0%BA%D0%BB%D1%8E%D1%87%20%F0%9F%98%80");
  EXPECT_EQ(sigv4::uri_encode(std::string("\0\x7f%*", 4), true), "%00%7F%25%2A");
}

TEST(SigV4, CanonicalQuerySortsByEncodedNameThenValue) {
  EXPECT_EQ(sigv4::canonical_query({{"prefix", "a b/c"}, {"list-type", "2"}, {"continuation-token", "x+y="}, {"b", ""},
                                    {"B", "2"}, {"B", "1"}}),
            "B=1&B=2&b=&continuation-token=x%2By%3D&list-type=2&prefix=a%20b%2Fc");
  EXPECT_EQ(sigv4::canonical_query({}), "");
}

TEST(SigV4, AmzDateIsCompactUtc) {
  using namespace std::chrono;
  const auto t = sys_days{year{2013} / May / 24} + hours{0};
  EXPECT_EQ(sigv4::amz_date(t), "20130524T000000Z");
  EXPECT_EQ(sigv4::amz_date(sys_days{year{2026} / December / 31} + hours{23} + minutes{59} + seconds{58} + milliseconds{999}),
            "20261231T235958Z");
}

TEST(SigV4, SigningKeyDependsOnEveryPart) {
  const auto base = sigv4::signing_key("secret", "20150830", "us-east-1", "s3");
  EXPECT_EQ(base, sigv4::signing_key("secret", "20150830", "us-east-1", "s3"));
  EXPECT_NE(base, sigv4::signing_key("secret2", "20150830", "us-east-1", "s3"));
  EXPECT_NE(base, sigv4::signing_key("secret", "20150831", "us-east-1", "s3"));
  EXPECT_NE(base, sigv4::signing_key("secret", "20150830", "eu-west-1", "s3"));
  EXPECT_NE(base, sigv4::signing_key("secret", "20150830", "us-east-1", "iam"));
}

}  // namespace
