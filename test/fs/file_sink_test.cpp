// SPDX-License-Identifier: Apache-2.0
#include "sluice/fs/file_sink.hpp"

#include "temp_dir.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace {

using sluice::batch_plan;
using sluice::object;
using sluice::fs::file_sink;
using sluice_test::files_under;
using sluice_test::slurp;
using sluice_test::spit;
using sluice_test::temp_dir;

sluice::result<void> write(file_sink& s, const std::vector<object>& objs) {
  return s.write(std::span<const object>(objs), batch_plan{});
}

timespec mtime_of(const std::filesystem::path& p) {
  struct stat st {};
  EXPECT_EQ(::stat(p.c_str(), &st), 0);
  return st.st_mtim;
}

TEST(FileSink, WritesEachObjectUnderItsKeyCreatingDirectories) {
  temp_dir dir;
  file_sink sink(dir / "catalog");
  const std::vector<object> objs{{"db.hr.accounts/-123.avsc", "{\"a\":1}", 0},
                                 {"db.hr.accounts/456.avsc", "{\"b\":2}", 1},
                                 {"gg.ggadmin.gg_heartbeat/7.avsc", std::string("\0\x01zz", 4), 2}};
  ASSERT_TRUE(write(sink, objs));
  EXPECT_EQ(files_under(dir / "catalog"),
            (std::set<std::string>{"db.hr.accounts/-123.avsc", "db.hr.accounts/456.avsc",
                                   "gg.ggadmin.gg_heartbeat/7.avsc"}));
  for (const auto& o : objs) EXPECT_EQ(slurp(dir / "catalog" / o.key), o.bytes);
  EXPECT_EQ(sink.stats().written, 3);
  EXPECT_EQ(sink.stats().unchanged, 0);
}

TEST(FileSink, RewritingTheSameBytesLeavesTheFileAndItsMtimeAlone) {
  temp_dir dir;
  file_sink sink(dir.path());
  const std::vector<object> objs{{"t/1.avsc", "same", 0}};
  ASSERT_TRUE(write(sink, objs));
  // Age the file so a rewrite would be visible in its mtime.
  const timespec old[2] = {{1'000'000'000, 0}, {1'000'000'000, 0}};
  ASSERT_EQ(::utimensat(AT_FDCWD, (dir / "t/1.avsc").c_str(), old, 0), 0);
  ASSERT_TRUE(write(sink, objs));
  EXPECT_EQ(mtime_of(dir / "t/1.avsc").tv_sec, 1'000'000'000);
  EXPECT_EQ(sink.stats().written, 1);
  EXPECT_EQ(sink.stats().unchanged, 1);
  // Other bytes replace the file (atomically); same size, other content too.
  ASSERT_TRUE(write(sink, {{"t/1.avsc", "diff", 0}}));
  EXPECT_EQ(slurp(dir / "t/1.avsc"), "diff");
  ASSERT_TRUE(write(sink, {{"t/1.avsc", "longer content", 0}}));
  EXPECT_EQ(slurp(dir / "t/1.avsc"), "longer content");
  EXPECT_EQ(sink.stats().written, 3);
  EXPECT_EQ(files_under(dir.path()), std::set<std::string>{"t/1.avsc"});  // no temp files left
}

TEST(FileSink, RefusesUnsafeKeysBeforeWritingAnything) {
  temp_dir dir;
  file_sink sink(dir / "root");
  for (const std::string& bad : std::vector<std::string>{"", "/etc/passwd", "a//b", "a/../b", "..", "../x", "a/.", "./a", "a/",
                                ".sluice-tmp-1-2", "a/.sluice-tmp-x", std::string("a\0b", 3),
                                std::string(256, 'n')}) {
    const auto r = write(sink, {{"good/1.avsc", "x", 0}, {bad, "y", 1}});
    ASSERT_FALSE(r) << '"' << bad << '"';
    EXPECT_EQ(r.error(), sluice::errc::invalid_argument);
  }
  EXPECT_FALSE(std::filesystem::exists(dir / "root"));
  // Dots inside a segment are fine.
  ASSERT_TRUE(write(sink, {{"a..b/.hidden/x.y", "z", 0}}));
  EXPECT_EQ(slurp(dir / "root/a..b/.hidden/x.y"), "z");
}

TEST(FileSink, ALeftoverTempFileNeitherBlocksNorShowsAndCanBeRemoved) {
  temp_dir dir;
  file_sink sink(dir.path());
  // What a write killed between creating and renaming its temp file leaves behind.
  spit(dir / "t/.sluice-tmp-99999-0", "half a sche");
  ASSERT_TRUE(write(sink, {{"t/1.avsc", "full", 0}}));
  EXPECT_EQ(slurp(dir / "t/1.avsc"), "full");
  EXPECT_EQ(sluice::fs::remove_temp_files(dir.path()).value(), 1u);
  EXPECT_EQ(files_under(dir.path()), std::set<std::string>{"t/1.avsc"});
}

TEST(FileSink, AKeyThroughAnExistingFileIsAnOsErrorNotACrash) {
  temp_dir dir;
  file_sink sink(dir.path());
  ASSERT_TRUE(write(sink, {{"t", "file", 0}}));
  const auto r = write(sink, {{"t/1.avsc", "x", 0}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), std::errc::not_a_directory);
  EXPECT_TRUE(r.error() == sluice::condition::fatal);
}

// Kill a writer at random points: every file is always absent, or complete with one of the
// versions written, never torn.
TEST(FileSink, AWriterKilledAtRandomPointsNeverLeavesATornFile) {
  temp_dir dir;
  std::mt19937 rng(7);
  const std::string a(200'000, 'a');
  const std::string b(150'000, 'b');
  for (int round = 0; round < 20; ++round) {
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      file_sink sink(dir.path());
      for (int i = 0;; ++i) {
        const std::vector<object> objs{{"x/1.bin", i % 2 ? a : b, 0}, {"y/2.bin", i % 2 ? b : a, 1}};
        if (!sink.write(std::span<const object>(objs), batch_plan{})) ::_exit(3);
      }
    }
    std::this_thread::sleep_for(std::chrono::microseconds(rng() % 20'000));
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status)) << "the writer failed on its own";
    for (const char* f : {"x/1.bin", "y/2.bin"}) {
      if (!std::filesystem::exists(dir / f)) continue;
      const auto got = slurp(dir / f);
      EXPECT_TRUE(got == a || got == b) << f << " has " << got.size() << " bytes";
    }
  }
  sluice::fs::remove_temp_files(dir.path()).value();
  for (const auto& f : files_under(dir.path())) EXPECT_TRUE(f == "x/1.bin" || f == "y/2.bin") << f;
}

}  // namespace
