// SPDX-License-Identifier: Apache-2.0
#include "sluice/core/json.hpp"
#include "sluice/fs/atomic_file.hpp"
#include "sluice/fs/state_json.hpp"
#include "sluice/fs/utc_time.hpp"

#include "temp_dir.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <random>
#include <string>

namespace {

using namespace std::chrono;
using sluice_test::files_under;
using sluice_test::slurp;
using sluice_test::spit;
using sluice_test::temp_dir;

TEST(AtomicFile, WritesReadsAndReplaces) {
  temp_dir dir;
  const auto p = dir / "a/b/c.txt";
  EXPECT_EQ(sluice::fs::read_file(p).value(), std::nullopt);
  ASSERT_TRUE(sluice::fs::write_file_atomic(p, "one"));
  EXPECT_EQ(sluice::fs::read_file(p).value(), std::string("one"));
  ASSERT_TRUE(sluice::fs::write_file_atomic(p, ""));
  EXPECT_EQ(sluice::fs::read_file(p).value(), std::string());
  const std::string big(1 << 20, 'z');
  ASSERT_TRUE(sluice::fs::write_file_atomic(p, big, sluice::fs::sync_directory_mode::deferred));
  ASSERT_TRUE(sluice::fs::sync_directory(p.parent_path()));
  EXPECT_EQ(slurp(p), big);
  EXPECT_EQ(files_under(dir.path()), std::set<std::string>{"a/b/c.txt"});
}

TEST(AtomicFile, FailuresAreOsErrorsAndLeaveNoTempFile) {
  temp_dir dir;
  spit(dir / "file", "x");
  EXPECT_EQ(sluice::fs::write_file_atomic(dir / "file/sub/y", "y").error(), std::errc::not_a_directory);
  std::filesystem::create_directories(dir / "isdir");
  EXPECT_FALSE(sluice::fs::write_file_atomic(dir / "isdir", "y"));  // rename over a directory
  EXPECT_EQ(files_under(dir.path()), std::set<std::string>{"file"});
  EXPECT_EQ(sluice::fs::read_file(dir / "isdir").error(), std::errc::is_a_directory);
}

TEST(AtomicFile, RemoveTempFilesTakesOnlyTempFiles) {
  temp_dir dir;
  spit(dir / "keep.json", "k");
  spit(dir / ".sluice-tmp-1-2", "t");
  spit(dir / "sub/.sluice-tmp-3-4", "t");
  spit(dir / "sub/.sluice-tmpx", "not ours");
  EXPECT_EQ(sluice::fs::remove_temp_files(dir.path()).value(), 2u);
  EXPECT_EQ(files_under(dir.path()), (std::set<std::string>{"keep.json", "sub/.sluice-tmpx"}));
  EXPECT_EQ(sluice::fs::remove_temp_files(dir / "missing").value(), 0u);
}

TEST(AtomicFile, ChecksRelativeKeys) {
  for (const char* good : {"a", "a/b.c", "a..b/c", ".hidden/x", "gg.ggadmin.t/-1.avsc"})
    EXPECT_TRUE(sluice::fs::check_relative_key(good)) << good;
  for (const char* bad : {"", "/a", "a/", "a//b", "./a", "a/./b", "../a", "a/..", ".sluice-tmp-1"})
    EXPECT_EQ(sluice::fs::check_relative_key(bad).error(), sluice::errc::invalid_argument) << bad;
}

// Expected strings from `date -u -d @<seconds> +%Y-%m-%dT%H:%M:%S`.
TEST(UtcTime, FormatsIso8601AndMonths) {
  auto at = [](std::int64_t ms) { return system_clock::time_point(milliseconds(ms)); };
  EXPECT_EQ(sluice::fs::iso8601_utc(at(0)), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(sluice::fs::iso8601_utc(at(1709251199999)), "2024-02-29T23:59:59.999Z");
  EXPECT_EQ(sluice::fs::iso8601_utc(at(1735689599001)), "2024-12-31T23:59:59.001Z");
  EXPECT_EQ(sluice::fs::iso8601_utc(at(-1)), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(sluice::fs::iso8601_utc(at(4102444799000)), "2099-12-31T23:59:59.000Z");
  EXPECT_EQ(sluice::fs::yyyymm_utc(at(1735689599999)), 202412);
  EXPECT_EQ(sluice::fs::yyyymm_utc(at(1735689600000)), 202501);
  EXPECT_EQ(sluice::fs::yyyymm_utc(at(1709251199999)), 202402);
  EXPECT_EQ(sluice::fs::yyyymm_utc(at(1709251200000)), 202403);
  EXPECT_EQ(sluice::fs::previous_yyyymm(202501), 202412);
  EXPECT_EQ(sluice::fs::previous_yyyymm(202512), 202511);
  EXPECT_EQ(sluice::fs::to_unix_ms(at(-5)), -5);
}

TEST(StateJson, Base64RoundTripsWithTheCoreEncoder) {
  std::mt19937 rng(3);
  for (std::size_t n = 0; n < 200; ++n) {
    std::string bytes;
    for (std::size_t i = 0; i < n; ++i) bytes.push_back(static_cast<char>(rng()));
    std::string enc;
    sluice::json::append_base64(enc, bytes);
    EXPECT_EQ(sluice::fs::decode_base64(enc), bytes) << n;
  }
  // RFC 4648 test vectors.
  EXPECT_EQ(sluice::fs::decode_base64("Zm9vYmFy"), std::string("foobar"));
  EXPECT_EQ(sluice::fs::decode_base64("Zm9vYg=="), std::string("foob"));
  EXPECT_EQ(sluice::fs::decode_base64("Zm9vYmE="), std::string("fooba"));
  for (const char* bad : {"Zm9", "Zm9v=mFy", "Zm=v", "Zm9vYm-y", "=AAA", "A==="})
    EXPECT_EQ(sluice::fs::decode_base64(bad), std::nullopt) << bad;
}

TEST(StateJson, RangesRoundTrip) {
  const std::vector<sluice::offset_range> ranges{{"a\"b\\c\n", -3, -1, 0}, {"\xe2\x82\xac", 2147483647, 0, 9000000000000}};
  std::string out;
  ASSERT_TRUE(sluice::fs::append_ranges_json(out, ranges));
  simdjson::dom::parser p;
  simdjson::dom::element e;
  ASSERT_EQ(p.parse(out).get(e), simdjson::SUCCESS);
  EXPECT_EQ(sluice::fs::read_ranges_json(e), ranges);
  std::string empty;
  ASSERT_TRUE(sluice::fs::append_ranges_json(empty, {}));
  EXPECT_EQ(empty, "[]");
}

}  // namespace
