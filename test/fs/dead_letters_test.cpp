// SPDX-License-Identifier: Apache-2.0
#include "sluice/fs/dead_letters.hpp"
#include "sluice/store/temp_name.hpp"

#include "mini_json.hpp"
#include "temp_dir.hpp"

#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

using sluice::dead_letter;
using sluice::fs::dead_letters;
using sluice_test::files_under;
using sluice_test::slurp;
using sluice_test::spit;
using sluice_test::temp_dir;
namespace mj = sluice_test::mini_json;

static_assert(sluice::dead_letter_sink<dead_letters>);

std::vector<mj::object> read_lines(const std::filesystem::path& p) {
  std::istringstream in(slurp(p));
  std::vector<mj::object> out;
  for (std::string l; std::getline(in, l);) out.push_back(mj::parse(l));
  return out;
}

sluice::result<void> write(dead_letters& d, std::int64_t id, const std::vector<dead_letter>& ls) {
  return d.write(id, std::span<const dead_letter>(ls));
}

TEST(FsDeadLetters, WritesOneJsonLinePerLetterWithEveryField) {
  temp_dir dir;
  dead_letters dlq(dir / "dlq");
  const std::vector<dead_letter> letters{
      {"gg-schemas", 0, 26, "ORCLPDB1.HR.BROKEN_JSON", "{\"type\":\"record\",\"name\":\"X\",",
       "invalid JSON: unexpected end", 1755000000000},
      {"gg-schemas", 2, 1, std::nullopt, std::nullopt, "no payload (tombstone)", 1755000000123},
      {"t", 1, 9, std::string("\xff\xfe key", 6), std::string("\x00\x80\xff", 3), "not UTF-8",
       -1}};
  ASSERT_TRUE(write(dlq, 7, letters));
  EXPECT_EQ(files_under(dir / "dlq"), std::set<std::string>{"batch-7.jsonl"});
  const auto lines = read_lines(dir / "dlq/batch-7.jsonl");
  ASSERT_EQ(lines.size(), 3u);

  const auto& a = lines[0];
  EXPECT_EQ(std::get<std::string>(a.at("topic")), "gg-schemas");
  EXPECT_EQ(std::get<std::int64_t>(a.at("partition")), 0);
  EXPECT_EQ(std::get<std::int64_t>(a.at("offset")), 26);
  EXPECT_EQ(std::get<std::string>(a.at("key")), "ORCLPDB1.HR.BROKEN_JSON");
  EXPECT_EQ(std::get<std::string>(a.at("payload")), letters[0].payload);
  EXPECT_EQ(std::get<std::string>(a.at("reason")), "invalid JSON: unexpected end");
  EXPECT_EQ(std::get<std::string>(a.at("time")), "2025-08-12T12:00:00.000Z");  // date -u -d @1755000000
  EXPECT_EQ(std::get<std::int64_t>(a.at("time_ms")), 1755000000000);
  EXPECT_EQ(a.count("key_encoding") + a.count("payload_encoding"), 0u);

  const auto& b = lines[1];
  EXPECT_TRUE(std::holds_alternative<mj::null_t>(b.at("key")));
  EXPECT_TRUE(std::holds_alternative<mj::null_t>(b.at("payload")));
  EXPECT_EQ(std::get<std::string>(b.at("time")), "2025-08-12T12:00:00.123Z");

  const auto& c = lines[2];
  EXPECT_EQ(std::get<std::string>(c.at("key_encoding")), "base64");
  EXPECT_EQ(std::get<std::string>(c.at("payload_encoding")), "base64");
  // RFC 4648 by hand: ff fe 20 6b 65 79 -> "//4ga2V5"; 00 80 ff -> "AID/".
  EXPECT_EQ(std::get<std::string>(c.at("key")), "//4ga2V5");
  EXPECT_EQ(std::get<std::string>(c.at("payload")), "AID/");
  EXPECT_EQ(sluice::text::decode_base64("//4ga2V5"), letters[2].key);
  EXPECT_EQ(std::get<std::string>(c.at("time")), "1969-12-31T23:59:59.999Z");
}

TEST(FsDeadLetters, AReplayedBatchIsNotWrittenTwice) {
  temp_dir dir;
  dead_letters dlq(dir.path());
  const std::vector<dead_letter> first{{"t", 0, 1, "k", "p", "bad", 1}};
  ASSERT_TRUE(write(dlq, 0, first));
  const auto before = slurp(dir / "batch-0.jsonl");
  // The replay rejects the same records at another time: nothing changes.
  const std::vector<dead_letter> replay{{"t", 0, 1, "k", "p", "bad", 2}};
  ASSERT_TRUE(write(dlq, 0, replay));
  ASSERT_TRUE(dead_letters(dir.path()).write(0, std::span<const dead_letter>(replay)));  // restart
  EXPECT_EQ(slurp(dir / "batch-0.jsonl"), before);
  ASSERT_TRUE(write(dlq, 1, replay));
  EXPECT_EQ(files_under(dir.path()), (std::set<std::string>{"batch-0.jsonl", "batch-1.jsonl"}));
}

TEST(FsDeadLetters, NoLettersNoFileAndBadIdsAreRefused) {
  temp_dir dir;
  dead_letters dlq(dir / "d");
  ASSERT_TRUE(write(dlq, 3, {}));
  EXPECT_FALSE(std::filesystem::exists(dir / "d"));
  EXPECT_EQ(write(dlq, -1, {{"t", 0, 0, {}, {}, "r", 0}}).error(), sluice::errc::invalid_argument);
}

TEST(FsDeadLetters, ATempFileOfAKilledWriteDoesNotCountAsWritten) {
  temp_dir dir;
  spit(dir / ".sluice-tmp-1-0", "{\"topic\":\"t\",");
  dead_letters dlq(dir.path());
  ASSERT_TRUE(write(dlq, 0, {{"t", 0, 0, {}, "p", "r", 0}}));
  EXPECT_EQ(read_lines(dir / "batch-0.jsonl").size(), 1u);
}

}  // namespace

namespace {

bool is_temp(const std::string& rel) {
  return sluice::store::is_temp_file_name(std::filesystem::path(rel).filename().native());
}

TEST(FsDeadLetters, MakingTheSinkRemovesTempFilesOfDeadWritersOnly) {
  temp_dir dir;
  const auto dead = std::to_string(sluice_test::dead_pid());
  spit(dir / (".batch-3.jsonl.sluice-tmp-" + dead + "-0"), "{\"topic\":");
  spit(dir / (".sluice-tmp-" + dead + "-1"), "{\"topic\":");  // the name of older releases
  const std::set<std::string> kept{"batch-1.jsonl", ".batch-4.jsonl.sluice-tmp-1-0", "notes.txt",
                                   ".sluice-tmpx", "sub/.batch-5.jsonl.sluice-tmp-" + dead + "-2"};
  for (const auto& k : kept) spit(dir / k, "keep");
  dead_letters dlq(dir.path());
  EXPECT_EQ(dlq.temp_files_removed(), 2u);
  EXPECT_EQ(files_under(dir.path()), kept);
  EXPECT_EQ(slurp(dir / "batch-1.jsonl"), "keep");
  dead_letters missing(dir / "not-yet");  // a directory that does not exist yet is fine
  EXPECT_EQ(missing.temp_files_removed(), 0u);
}

TEST(FsDeadLetters, TempFilesOfAWriterKilledMidWriteAreGoneAfterTheNextRun) {
  temp_dir dir;
  const std::vector<dead_letter> letters(2000, dead_letter{"t", 0, 0, {}, std::string(2000, 'p'), "r", 0});
  std::set<std::string> left;
  for (int round = 0; round < 50 && left.empty(); ++round) {
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      dead_letters dlq(dir.path());
      for (std::int64_t id = round * 1'000'000;; ++id)
        if (!dlq.write(id, std::span<const dead_letter>(letters))) ::_exit(3);
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    bool seen = false;
    while (!seen && std::chrono::steady_clock::now() < deadline)
      for (const auto& f : files_under(dir.path())) seen = seen || is_temp(f);
    ::kill(pid, SIGKILL);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status)) << "the writer failed on its own";
    for (const auto& f : files_under(dir.path()))
      if (is_temp(f)) left.insert(f);
  }
  ASSERT_FALSE(left.empty()) << "no kill landed while a temp file existed";
  auto want = files_under(dir.path());
  for (const auto& f : left) want.erase(f);
  dead_letters next(dir.path());
  EXPECT_EQ(next.temp_files_removed(), left.size());
  EXPECT_EQ(files_under(dir.path()), want);
  for (const auto& f : want) EXPECT_EQ(read_lines(dir / f).size(), letters.size()) << f;
}

}  // namespace
