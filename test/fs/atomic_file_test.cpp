// SPDX-License-Identifier: Apache-2.0
#include "sluice/core/time.hpp"
#include "sluice/fs/atomic_file.hpp"
#include "sluice/store/temp_name.hpp"

#include "temp_dir.hpp"

#include <gtest/gtest.h>

#include <chrono>
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

TEST(AtomicFile, TempFileNamesCarryTargetPidAndSerialAndAreRecognizedExactly) {
  using sluice::store::is_temp_file_name;
  using sluice::store::make_temp_file_name;
  using sluice::store::parse_temp_file_name;
  EXPECT_EQ(make_temp_file_name("123.avsc", 4242, 7), ".123.avsc.sluice-tmp-4242-7");
  const auto parts = parse_temp_file_name(".123.avsc.sluice-tmp-4242-7");
  ASSERT_TRUE(parts);
  EXPECT_EQ(parts->target, "123.avsc");
  EXPECT_EQ(parts->pid, 4242u);
  EXPECT_EQ(parts->serial, 7u);
  // The names of older releases: no target.
  ASSERT_TRUE(parse_temp_file_name(".sluice-tmp-1-2"));
  EXPECT_EQ(parse_temp_file_name(".sluice-tmp-1-2")->target, "");
  for (const char* other : {"", ".", "123.avsc", ".sluice-tmp-", ".sluice-tmp-1", ".sluice-tmp-1-",
                            ".sluice-tmp--2", ".sluice-tmpx", "x.sluice-tmp-1-2",
                            ".x.sluice-tmp-1-2x", ".xsluice-tmp-1-2", ".x.sluice-tmp-a-2",
                            ".x.sluice-tmp-18446744073709551616-1", "batch-3.jsonl"})
    EXPECT_FALSE(is_temp_file_name(other)) << other;
  // A target name of 255 bytes is cut so the temp name stays a valid file name.
  const std::string long_name(255, 'n');
  const auto t = make_temp_file_name(long_name, 2147483647, 18446744073709551615u);
  EXPECT_EQ(t.size(), 255u);
  EXPECT_TRUE(is_temp_file_name(t));
  temp_dir dir;
  ASSERT_TRUE(sluice::fs::write_file_atomic(dir / long_name, "long"));
  EXPECT_EQ(slurp(dir / long_name), "long");
}

TEST(AtomicFile, RemoveStaleTempFilesTakesOnlyThoseOfDeadWriters) {
  temp_dir dir;
  const auto dead = std::to_string(sluice_test::dead_pid());
  const auto me = std::to_string(::getpid());
  // Leftovers: a dead process's, this pid's from an earlier life (no write in flight), an old
  // name of a dead process.
  spit(dir / (".1.avsc.sluice-tmp-" + dead + "-0"), "half");
  spit(dir / (".2.avsc.sluice-tmp-" + me + "-999999"), "half");
  spit(dir / (".sluice-tmp-" + dead + "-3"), "half");
  // Not leftovers: a live process's (pid 1 never exits), look-alikes, data, and a
  // subdirectory's temp file (only `dir` itself is cleaned).
  const std::set<std::string> kept{".3.avsc.sluice-tmp-1-0", ".sluice-tmpx", "x.sluice-tmp-" + dead + "-0",
                                   ".x.sluice-tmp-" + dead + "-0x", "4.avsc",
                                   "sub/.5.avsc.sluice-tmp-" + dead + "-0"};
  for (const auto& k : kept) spit(dir / k, "keep");
  EXPECT_EQ(sluice::fs::remove_stale_temp_files(dir.path()).value(), 3u);
  EXPECT_EQ(files_under(dir.path()), kept);
  EXPECT_EQ(sluice::fs::remove_stale_temp_files(dir.path()).value(), 0u);
  EXPECT_EQ(sluice::fs::remove_stale_temp_files(dir / "missing").value(), 0u);
  // A directory named like a temp file is not a file: it stays.
  std::filesystem::create_directories(dir / (".d.sluice-tmp-" + dead + "-1"));
  EXPECT_EQ(sluice::fs::remove_stale_temp_files(dir.path()).value(), 0u);
  EXPECT_TRUE(std::filesystem::is_directory(dir / (".d.sluice-tmp-" + dead + "-1")));

  // Once per directory and process.
  temp_dir other;
  spit(other / (".1.sluice-tmp-" + dead + "-0"), "half");
  EXPECT_EQ(sluice::fs::remove_stale_temp_files_once(other.path()).value(), 1u);
  spit(other / (".1.sluice-tmp-" + dead + "-1"), "half");
  EXPECT_EQ(sluice::fs::remove_stale_temp_files_once(other / "." ).value(), 0u);
  EXPECT_EQ(files_under(other.path()), std::set<std::string>{".1.sluice-tmp-" + dead + "-1"});
}

TEST(AtomicFile, AStaleTempFileWithTheNextNameOfThisProcessDoesNotBlockAWrite) {
  temp_dir dir;
  // Leftovers of an earlier process with this pid, under the names of the next writes.
  for (int i = 0; i < 64; ++i) {
    spit(dir / sluice::store::make_temp_file_name("f", static_cast<std::uint64_t>(::getpid()),
                                               sluice::fs::detail::temp_files().next_serial + i),
         "old");
  }
  ASSERT_TRUE(sluice::fs::write_file_atomic(dir / "f", "new"));
  EXPECT_EQ(slurp(dir / "f"), "new");
  EXPECT_EQ(sluice::fs::remove_stale_temp_files(dir.path()).value(), 64u - 1u);
  EXPECT_EQ(files_under(dir.path()), std::set<std::string>{"f"});
}

// Expected strings from `date -u -d @<seconds> +%Y-%m-%dT%H:%M:%S`.
TEST(UtcTime, FormatsIso8601AndMonths) {
  auto at = [](std::int64_t ms) { return system_clock::time_point(milliseconds(ms)); };
  EXPECT_EQ(sluice::iso8601_utc(at(0)), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(sluice::iso8601_utc(at(1709251199999)), "2024-02-29T23:59:59.999Z");
  EXPECT_EQ(sluice::iso8601_utc(at(1735689599001)), "2024-12-31T23:59:59.001Z");
  EXPECT_EQ(sluice::iso8601_utc(at(-1)), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(sluice::iso8601_utc(at(4102444799000)), "2099-12-31T23:59:59.000Z");
  EXPECT_EQ(sluice::yyyymm_utc(at(1735689599999)), 202412);
  EXPECT_EQ(sluice::yyyymm_utc(at(1735689600000)), 202501);
  EXPECT_EQ(sluice::yyyymm_utc(at(1709251199999)), 202402);
  EXPECT_EQ(sluice::yyyymm_utc(at(1709251200000)), 202403);
  EXPECT_EQ(sluice::previous_yyyymm(202501), 202412);
  EXPECT_EQ(sluice::previous_yyyymm(202512), 202511);
  EXPECT_EQ(sluice::to_unix_ms(at(-5)), -5);
}

}  // namespace
