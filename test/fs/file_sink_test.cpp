// SPDX-License-Identifier: Apache-2.0
#include "sluice/fs/file_sink.hpp"
#include "sluice/store/temp_name.hpp"

#include "temp_dir.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <map>
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
                                ".sluice-tmp-1-2", "a/.b.sluice-tmp-1-2", std::string("a\0b", 3),
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

TEST(FileSink, LeftoverTempFilesOfDeadWritersGoOnTheFirstWriteIntoTheirDirectory) {
  temp_dir dir;
  const auto dead = std::to_string(sluice_test::dead_pid());
  // What writes killed between creating and renaming their temp files leave behind.
  spit(dir / ("t/.1.avsc.sluice-tmp-" + dead + "-0"), "half a sche");
  spit(dir / ("t/.2.avsc.sluice-tmp-" + dead + "-1"), "half");
  spit(dir / ("u/.1.avsc.sluice-tmp-" + dead + "-2"), "half");  // a directory not written into
  // Not ours, or not stale: untouched.
  spit(dir / "t/0.avsc", "data");
  spit(dir / "t/.sluice-tmpx", "someone else's");
  spit(dir / "t/.9.avsc.sluice-tmp-1-0", "a live writer's (pid 1)");
  file_sink sink(dir.path());
  ASSERT_TRUE(write(sink, {{"t/1.avsc", "full", 0}}));
  EXPECT_EQ(slurp(dir / "t/1.avsc"), "full");
  EXPECT_EQ(sink.stats().temp_files_removed, 2);
  EXPECT_EQ(files_under(dir.path()),
            (std::set<std::string>{"t/0.avsc", "t/1.avsc", "t/.sluice-tmpx", "t/.9.avsc.sluice-tmp-1-0",
                                   "u/.1.avsc.sluice-tmp-" + dead + "-2"}));
  EXPECT_EQ(slurp(dir / "t/0.avsc"), "data");
  // Only the first write into a directory cleans it (the check costs a directory listing).
  spit(dir / ("t/.3.avsc.sluice-tmp-" + dead + "-3"), "half");
  ASSERT_TRUE(write(sink, {{"t/2.avsc", "two", 0}}));
  EXPECT_TRUE(std::filesystem::exists(dir / ("t/.3.avsc.sluice-tmp-" + dead + "-3")));
  // An unchanged object counts as writing into its directory too.
  ASSERT_TRUE(write(sink, {{"u/1.avsc", "one", 0}}));
  file_sink again(dir.path());
  ASSERT_TRUE(write(again, {{"u/1.avsc", "one", 0}}));
  EXPECT_FALSE(std::filesystem::exists(dir / ("u/.1.avsc.sluice-tmp-" + dead + "-2")));
}

// A writer SIGKILLed while its temp files exist: the next writer removes them, nothing else.
TEST(FileSink, TempFilesOfAWriterKilledMidWriteAreGoneAfterTheNextRun) {
  temp_dir dir;
  spit(dir / "x/keep.txt", "other data");
  const std::string big(2'000'000, 'z');
  std::set<std::string> left;
  for (int round = 0; round < 50 && left.empty(); ++round) {
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      file_sink sink(dir.path(), {.max_concurrent_writes = 2});
      for (int i = 0;; ++i) {
        const std::vector<object> objs{{"x/" + std::to_string(i) + ".bin", big, 0},
                                       {"y/" + std::to_string(i) + ".bin", big, 1}};
        if (!sink.write(std::span<const object>(objs), batch_plan{})) ::_exit(3);
      }
    }
    // Kill as soon as a temp file shows up.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    bool seen = false;
    while (!seen && std::chrono::steady_clock::now() < deadline) {
      for (const auto& f : files_under(dir.path()))
        seen = seen || sluice::store::is_temp_file_name(std::filesystem::path(f).filename().native());
    }
    ::kill(pid, SIGKILL);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status)) << "the writer failed on its own";
    for (const auto& f : files_under(dir.path()))
      if (sluice::store::is_temp_file_name(std::filesystem::path(f).filename().native())) left.insert(f);
  }
  ASSERT_FALSE(left.empty()) << "no kill landed while a temp file existed";
  auto before = files_under(dir.path());
  for (const auto& f : left) before.erase(f);
  // The next run writes into both directories.
  file_sink sink(dir.path());
  ASSERT_TRUE(write(sink, {{"x/next.bin", "n", 0}, {"y/next.bin", "n", 1}}));
  before.insert("x/next.bin");
  before.insert("y/next.bin");
  EXPECT_EQ(files_under(dir.path()), before);
  EXPECT_EQ(sink.stats().temp_files_removed, static_cast<std::int64_t>(left.size()));
  EXPECT_EQ(slurp(dir / "x/keep.txt"), "other data");
}

TEST(FileSink, ConcurrentWritersWriteTheSameFilesAsOne) {
  std::mt19937 rng(11);
  std::vector<object> objs;
  for (int i = 0; i < 240; ++i) {
    const std::string key = "t" + std::to_string(rng() % 12) + "/" + std::to_string(rng() % 150) + ".avsc";
    objs.push_back({key, std::string(1 + rng() % 20'000, static_cast<char>('a' + rng() % 26)), static_cast<std::size_t>(i)});
  }
  // The oracle: the last object of each key.
  std::map<std::string, std::string> expect;
  for (const auto& o : objs) expect[o.key] = o.bytes;
  ASSERT_LT(expect.size(), objs.size());  // there are repeated keys
  std::map<std::size_t, double> ms;
  for (const std::size_t writers : {std::size_t{1}, std::size_t{4}, std::size_t{16}, std::size_t{0}}) {
    temp_dir dir;
    file_sink sink(dir.path(), {.max_concurrent_writes = writers});
    EXPECT_EQ(sink.options().max_concurrent_writes, writers == 0 ? 1u : writers);
    const auto t0 = std::chrono::steady_clock::now();
    ASSERT_TRUE(write(sink, objs));
    ms[writers] = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    std::map<std::string, std::string> got;
    for (const auto& f : files_under(dir.path())) got[f] = slurp(dir / f);
    EXPECT_EQ(got, expect) << writers << " writers";
    EXPECT_EQ(sink.stats().written, static_cast<std::int64_t>(expect.size()));
    // A replay changes nothing.
    ASSERT_TRUE(write(sink, objs));
    EXPECT_EQ(sink.stats().unchanged, static_cast<std::int64_t>(expect.size()));
  }
  std::printf("[ timing   ] %zu files: 1 writer %.1f ms, 4 writers %.1f ms, 16 writers %.1f ms\n",
              expect.size(), ms[1], ms[4], ms[16]);
}

TEST(FileSink, AllWritesFinishAndTheFirstFailingObjectsErrorIsReturned) {
  for (const bool enotdir_first : {true, false}) {
    temp_dir dir;
    spit(dir / "f", "a file, not a directory");
    spit(dir / "d/inside", "a directory");
    std::vector<object> objs;
    for (int i = 0; i < 40; ++i) objs.push_back({"ok/" + std::to_string(i), "v", static_cast<std::size_t>(i)});
    // Two failing objects: one below a file (ENOTDIR), one onto a directory (EISDIR).
    objs.insert(objs.begin() + (enotdir_first ? 5 : 30), object{"f/x", "y", 99});
    objs.insert(objs.begin() + (enotdir_first ? 30 : 5), object{"d", "z", 98});
    for (int run = 0; run < 5; ++run) {
      file_sink sink(dir.path(), {.max_concurrent_writes = 4});
      const auto r = write(sink, objs);
      ASSERT_FALSE(r);
      EXPECT_EQ(r.error(), enotdir_first ? std::errc::not_a_directory : std::errc::is_a_directory);
      for (int i = 0; i < 40; ++i) EXPECT_EQ(slurp(dir / ("ok/" + std::to_string(i))), "v");
    }
    for (const auto& f : files_under(dir.path()))
      EXPECT_FALSE(sluice::store::is_temp_file_name(std::filesystem::path(f).filename().native())) << f;
  }
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
  // The next run into both directories removes what the kills left.
  file_sink next(dir.path());
  ASSERT_TRUE(write(next, {{"x/1.bin", a, 0}, {"y/2.bin", a, 1}}));
  EXPECT_EQ(files_under(dir.path()), (std::set<std::string>{"x/1.bin", "y/2.bin"}));
}

}  // namespace
