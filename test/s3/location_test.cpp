// SPDX-License-Identifier: Apache-2.0
// s3:// locations (bucket-name rules, prefixes), endpoints, and where requests go under
// path-style and virtual-host addressing.
#include "sluice/s3/client.hpp"
#include "sluice/s3/location.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace {

using sluice::s3::check_bucket_name;
using sluice::s3::endpoint;
using sluice::s3::location;
using sluice::s3::parse_endpoint;
using sluice::s3::parse_location;

TEST(S3Location, ParsesBucketAndPrefix) {
  EXPECT_EQ(parse_location("s3://my-bucket").value(), (location{"my-bucket", ""}));
  EXPECT_EQ(parse_location("s3://my-bucket/").value(), (location{"my-bucket", ""}));
  EXPECT_EQ(parse_location("s3://my.bucket-1/schemas/catalog").value(), (location{"my.bucket-1", "schemas/catalog"}));
  EXPECT_EQ(parse_location("s3://abc/schemas/catalog/").value(), (location{"abc", "schemas/catalog"}));
  EXPECT_EQ(parse_location("s3://abc/yyyymm=202611/a b+c").value(), (location{"abc", "yyyymm=202611/a b+c"}));
}

TEST(S3Location, KeysUnderThePrefix) {
  EXPECT_EQ((location{"b", "p/q"}).key_of("db.s.t/-7631826525557311234.avsc"), "p/q/db.s.t/-7631826525557311234.avsc");
  EXPECT_EQ((location{"b", ""}).key_of("plan.json"), "plan.json");
  EXPECT_EQ((location{"b", "p"}).to_string(), "s3://b/p");
  EXPECT_EQ((location{"b", ""}).to_string(), "s3://b");
}

TEST(S3Location, RefusesWithAClearReason) {
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"https://bucket/x", "'https://bucket/x' is not an S3 location: expected s3://BUCKET/PREFIX"},
      {"s3:/bucket", "'s3:/bucket' is not an S3 location: expected s3://BUCKET/PREFIX"},
      {"s3://", "'s3://' names no bucket: expected s3://BUCKET/PREFIX"},
      {"s3:///prefix", "'s3:///prefix' names no bucket: expected s3://BUCKET/PREFIX"},
      {"s3://ab/x", "invalid bucket name 'ab': it must have 3 to 63 characters"},
      {"s3://" + std::string(64, 'a'), "invalid bucket name '" + std::string(64, 'a') + "': it must have 3 to 63 characters"},
      {"s3://My-Bucket", "invalid bucket name 'My-Bucket': only lowercase letters, digits, '.' and '-' are allowed"},
      {"s3://my_bucket", "invalid bucket name 'my_bucket': only lowercase letters, digits, '.' and '-' are allowed"},
      {"s3://-bucket", "invalid bucket name '-bucket': it must start and end with a letter or digit"},
      {"s3://bucket.", "invalid bucket name 'bucket.': it must start and end with a letter or digit"},
      {"s3://my..bucket", "invalid bucket name 'my..bucket': it must not contain '..'"},
      {"s3://192.168.5.4/x", "invalid bucket name '192.168.5.4': it must not be formatted as an IP address"},
      {"s3://xn--bucket", "invalid bucket name 'xn--bucket': it starts with a reserved prefix"},
      {"s3://sthree-bucket", "invalid bucket name 'sthree-bucket': it starts with a reserved prefix"},
      {"s3://bucket-s3alias", "invalid bucket name 'bucket-s3alias': it ends with a reserved suffix"},
      {"s3://bucket--ol-s3", "invalid bucket name 'bucket--ol-s3': it ends with a reserved suffix"},
      {"s3://bucket//x", "invalid prefix '/x' in 's3://bucket//x': it must not start with '/' or contain empty, '.' or '..' segments"},
      {"s3://bucket/a//b", "invalid prefix 'a//b' in 's3://bucket/a//b': it must not start with '/' or contain empty, '.' or '..' segments"},
      {"s3://bucket/a/../b", "invalid prefix 'a/../b' in 's3://bucket/a/../b': it must not start with '/' or contain empty, '.' or '..' segments"},
      {"s3://bucket/./b", "invalid prefix './b' in 's3://bucket/./b': it must not start with '/' or contain empty, '.' or '..' segments"},
  };
  for (const auto& [url, reason] : bad) {
    std::string why;
    const auto r = parse_location(url, &why);
    ASSERT_FALSE(r) << url;
    EXPECT_EQ(r.error(), sluice::errc::invalid_argument) << url;
    EXPECT_EQ(why, reason) << url;
  }
  // Shapes like an address but not one are fine names.
  EXPECT_TRUE(check_bucket_name("192.168.5.256"));
  EXPECT_TRUE(check_bucket_name("1.2.3"));
  EXPECT_TRUE(check_bucket_name("a-b.c-d"));
}

TEST(S3Endpoint, ParsesSchemeHostAndPort) {
  EXPECT_EQ(parse_endpoint("http://127.0.0.1:9000").value(), (endpoint{"http", "127.0.0.1", 9000}));
  EXPECT_EQ(parse_endpoint("http://127.0.0.1:9000/").value(), (endpoint{"http", "127.0.0.1", 9000}));
  EXPECT_EQ(parse_endpoint("https://s3.eu-west-1.amazonaws.com").value(),
            (endpoint{"https", "s3.eu-west-1.amazonaws.com", 443}));
  EXPECT_EQ(parse_endpoint("http://minio").value(), (endpoint{"http", "minio", 80}));
  EXPECT_EQ(parse_endpoint("http://[::1]:9000").value(), (endpoint{"http", "[::1]", 9000}));
  EXPECT_EQ(parse_endpoint("https://[::1]").value(), (endpoint{"https", "[::1]", 443}));
  EXPECT_EQ((endpoint{"http", "h", 80}).authority(), "h");
  EXPECT_EQ((endpoint{"https", "h", 443}).authority(), "h");
  EXPECT_EQ((endpoint{"http", "h", 443}).authority(), "h:443");
  EXPECT_EQ((endpoint{"http", "[::1]", 9000}).authority(), "[::1]:9000");
  EXPECT_EQ(sluice::s3::aws_endpoint("eu-central-1"), (endpoint{"https", "s3.eu-central-1.amazonaws.com", 443}));
}

TEST(S3Endpoint, RefusesWithAClearReason) {
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"ftp://h", "expected http://HOST[:PORT] or https://HOST[:PORT]"},
      {"127.0.0.1:9000", "expected http://HOST[:PORT] or https://HOST[:PORT]"},
      {"http://", "no host"},
      {"http://:9000", "no host"},
      {"http://h:", "empty port"},
      {"http://h:0", "the port must be a number from 1 to 65535"},
      {"http://h:65536", "the port must be a number from 1 to 65535"},
      {"http://h:9x", "the port must be a number from 1 to 65535"},
      {"http://h/path", "it must be scheme, host and port only (no path, query or user info)"},
      {"http://u:p@h", "it must be scheme, host and port only (no path, query or user info)"},
      {"http://h?x", "it must be scheme, host and port only (no path, query or user info)"},
      {"http://[::1", "unterminated IPv6 address"},
      {"http://[::1]x", "garbage after the IPv6 address"},
  };
  for (const auto& [url, reason] : bad) {
    std::string why;
    const auto r = parse_endpoint(url, &why);
    ASSERT_FALSE(r) << url;
    EXPECT_EQ(r.error(), sluice::errc::invalid_argument) << url;
    EXPECT_EQ(why, "invalid S3 endpoint '" + url + "': " + reason) << url;
  }
}

sluice::s3::client make_client(sluice::s3::addressing_style style, endpoint ep) {
  sluice::s3::client_options opt;
  opt.service_endpoint = std::move(ep);
  opt.addressing = style;
  sluice::s3::credentials creds;
  creds.access_key_id = "AKID";
  creds.secret_access_key = sluice::s3::secret_string("secret");
  return sluice::s3::client::make(opt, creds).value();
}

TEST(S3Addressing, PathStyleAndVirtualHost) {
  const std::string key = "yyyymm=202611/db.s.t/-7631826525557311234.avsc";
  auto path = make_client(sluice::s3::addressing_style::path, {"http", "127.0.0.1", 9000});
  auto t = path.target_of("bucket", key);
  EXPECT_EQ(t.url, "http://127.0.0.1:9000/bucket/yyyymm%3D202611/db.s.t/-7631826525557311234.avsc");
  EXPECT_EQ(t.host, "127.0.0.1:9000");
  EXPECT_EQ(t.path, "/bucket/" + key);
  EXPECT_EQ(path.target_of("bucket", "", "list-type=2&prefix=a").url, "http://127.0.0.1:9000/bucket?list-type=2&prefix=a");

  auto virt = make_client(sluice::s3::addressing_style::virtual_host, {"https", "s3.eu-west-1.amazonaws.com", 443});
  t = virt.target_of("bucket", "a b/c+d");
  EXPECT_EQ(t.url, "https://bucket.s3.eu-west-1.amazonaws.com/a%20b/c%2Bd");
  EXPECT_EQ(t.host, "bucket.s3.eu-west-1.amazonaws.com");
  EXPECT_EQ(t.path, "/a b/c+d");
  // A dotted bucket would break the TLS name check: path style.
  EXPECT_EQ(virt.target_of("my.bucket", "k").url, "https://s3.eu-west-1.amazonaws.com/my.bucket/k");
  // An address cannot carry a bucket name: path style.
  auto ip = make_client(sluice::s3::addressing_style::virtual_host, {"http", "127.0.0.1", 9000});
  EXPECT_EQ(ip.target_of("bucket", "k").url, "http://127.0.0.1:9000/bucket/k");
  // Without an endpoint: AWS in the region.
  sluice::s3::client_options opt;
  opt.region = "ap-south-1";
  auto aws = sluice::s3::client::make(opt, {}).value();
  EXPECT_EQ(aws.target_of("bucket", "k").url, "https://bucket.s3.ap-south-1.amazonaws.com/k");
}

TEST(S3Addressing, RefusesBadOptions) {
  sluice::s3::client_options opt;
  opt.region = "";
  EXPECT_EQ(sluice::s3::client::make(opt, {}).error(), sluice::errc::invalid_argument);
  opt.region = "us-east-1";
  opt.service_endpoint = endpoint{"http", "", 80};
  EXPECT_EQ(sluice::s3::client::make(opt, {}).error(), sluice::errc::invalid_argument);
}

}  // namespace
