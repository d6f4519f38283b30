// SPDX-License-Identifier: Apache-2.0
// sluice-event-etl and sluice-event-gen as a user runs them: help, Kafka and S3 configuration
// errors, a generated file through the binary into a folder (rows and dead letters
// checked), an idempotent second run, SIGTERM with the checkpoint intact, the S3 retry budget
// and request timeout against a loopback server that never answers, and the generator's
// determinism.
#include "s3/loopback_http.hpp"
#include "temp_dir.hpp"

#include "sluice/fs/dead_letters.hpp"

#include <simdjson.h>

#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace {

struct outcome {
  int code = -1;
  std::string out, err;
};

// Starts `args` with the environment of this process plus `env` (NAME=VALUE), stdout and stderr
// to files in `dir`; returns the pid.
pid_t start(const std::vector<std::string>& args, const std::vector<std::string>& env,
            const std::filesystem::path& dir) {
  std::vector<std::string> envs;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string v = *e;
    // The child sees only the variables a test gives it among those the binary reads.
    if (v.rfind("KAFKA_", 0) == 0 || v.rfind("S3_", 0) == 0 || v.rfind("SLUICE_", 0) == 0 ||
        v.rfind("AWS_", 0) == 0 ||
        v.rfind("CHECKPOINT_LOCATION=", 0) == 0 || v.rfind("WINDOW_DURATION=", 0) == 0 ||
        v.rfind("WATERMARK_DELAY=", 0) == 0)
      continue;
    envs.push_back(v);
  }
  envs.insert(envs.end(), env.begin(), env.end());
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::chdir(dir.c_str());
    const int o = ::open((dir / "stdout").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int e = ::open((dir / "stderr").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(o, 1);
    ::dup2(e, 2);
    std::vector<char*> argv, envp;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    for (const auto& v : envs) envp.push_back(const_cast<char*>(v.c_str()));
    envp.push_back(nullptr);
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  return pid;
}

outcome finish(pid_t pid, const std::filesystem::path& dir) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  outcome o;
  o.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  o.out = sluice_test::slurp(dir / "stdout");
  o.err = sluice_test::slurp(dir / "stderr");
  return o;
}

outcome run(const std::vector<std::string>& args, const std::vector<std::string>& env,
            const std::filesystem::path& dir) {
  return finish(start(args, env, dir), dir);
}

std::map<std::string, std::string> folder(const std::filesystem::path& root) {
  std::map<std::string, std::string> m;
  for (const auto& f : sluice_test::files_under(root)) m[f] = sluice_test::slurp(root / f);
  return m;
}

// Every dead letter without its time: (batch file, offset, reason, payload).
std::vector<std::string> letters(const std::filesystem::path& root) {
  std::vector<std::string> out;
  for (const auto& [name, text] : folder(root)) {
    std::size_t start = 0;
    while (start < text.size()) {
      const auto nl = text.find('\n', start);
      const auto d = sluice::store::parse_dead_letter_line(std::string_view(text).substr(start, nl - start));
      EXPECT_TRUE(d);
      if (d) out.push_back(name + " " + std::to_string(d.value().offset) + " " + d.value().reason + " " +
                           d.value().payload.value_or("<none>"));
      start = nl + 1;
    }
  }
  return out;
}

std::size_t count_lines(const std::string& s) {
  return static_cast<std::size_t>(std::count(s.begin(), s.end(), '\n'));
}

const std::string etl = SLUICE_EVENT_ETL_EXE;
const std::string gen = SLUICE_EVENT_GEN_EXE;

TEST(EventEtlCli, HelpAndVersion) {
  sluice_test::temp_dir d;
  const auto h = run({etl, "--help"}, {}, d.path());
  EXPECT_EQ(h.code, 0);
  EXPECT_NE(h.out.find("usage: sluice-event-etl"), std::string::npos);
  EXPECT_NE(h.out.find("WATERMARK_DELAY"), std::string::npos);
  const auto v = run({etl, "--version"}, {}, d.path());
  EXPECT_EQ(v.code, 0);
  EXPECT_EQ(v.out.rfind("sluice-event-etl ", 0), 0u);
  const auto bad = run({etl, "--nope"}, {}, d.path());
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.err.find("unknown option '--nope'"), std::string::npos);
}

TEST(EventEtlCli, KafkaAndS3ConfigurationErrorsExitWith2) {
  // The Kafka and S3 ends themselves are tested on the real services
  // (test/integration/event_etl_services); here: what is wrong before any connection.
  sluice_test::temp_dir d;
  const auto k = run({etl, "-X", "group.id=other"}, {"KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:1", "KAFKA_TOPIC=events"},
                     d.path());
  EXPECT_EQ(k.code, 2);
  EXPECT_NE(k.err.find("group.id: set by sluice"), std::string::npos) << k.err;
  sluice_test::spit(d / "in.jsonl", "");
  const auto s = run({etl, "--source", "in.jsonl"}, {"S3_BUCKET=my-bucket", "HOME=/nonexistent"}, d.path());
  EXPECT_EQ(s.code, 2);
  EXPECT_NE(s.err.find("no S3 credentials"), std::string::npos) << s.err;
  const auto c = run({etl, "--source", "in.jsonl", "--checkpoint-location", "s3://b/ck"},
                     {"AWS_ACCESS_KEY_ID=AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY=not-printed-anywhere"}, d.path());
  EXPECT_EQ(c.code, 2);
  EXPECT_NE(c.err.find("CHECKPOINT_LOCATION"), std::string::npos) << c.err;
  EXPECT_NE(c.err.find("bucket name"), std::string::npos) << c.err;
  EXPECT_EQ(c.err.find("not-printed-anywhere"), std::string::npos);
  const auto m = run({etl, "--source", "missing.jsonl"}, {}, d.path());
  EXPECT_EQ(m.code, 2);
  EXPECT_NE(m.err.find("cannot open the source"), std::string::npos) << m.err;
}

TEST(EventEtlCli, GeneratedEventsIntoAFolderThenAgainIdempotently) {
  sluice_test::temp_dir d;
  ASSERT_EQ(run({gen, "--events", "6000", "--devices", "20", "--rate", "20", "--seed", "3",
                 "--output", "in.jsonl"},
                {}, d.path())
                .code,
            0);
  const auto r = run({etl, "--source", "file:in.jsonl", "--sink", "file:out", "--once",
                      "--progress", "file:progress.jsonl"},
                     {"KAFKA_MAX_OFFSETS_PER_TRIGGER=500", "WINDOW_DURATION=1 minute",
                      "WATERMARK_DELAY=2 minutes", "CHECKPOINT_LOCATION=state/ck"},
                     d.path());
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(r.out.empty()) << "rows go to the folder, not stdout";
  EXPECT_NE(r.err.find("done: 12 batches (0 replayed), 6000 events"), std::string::npos) << r.err;
  EXPECT_EQ(count_lines(sluice_test::slurp(d / "progress.jsonl")), 12u);
  const auto out = folder(d / "out");
  ASSERT_GE(out.size(), 4u);
  simdjson::dom::parser parser;
  std::int64_t rows = 0, events = 0;
  for (const auto& [name, text] : out) {
    EXPECT_EQ(name.rfind("part-events-0-", 0), 0u) << name;
    std::size_t start = 0;
    while (start < text.size()) {
      const auto nl = text.find('\n', start);
      simdjson::dom::element row;
      ASSERT_EQ(parser.parse(text.substr(start, nl - start)).get(row), simdjson::SUCCESS);
      std::int64_t n = 0;
      ASSERT_EQ(row["event_count"].get(n), simdjson::SUCCESS);
      EXPECT_GE(n, 1);
      events += n;
      ++rows;
      start = nl + 1;
    }
  }
  EXPECT_GT(rows, 50);
  EXPECT_GT(events, 3000) << "most events land in a written window";
  // Dead letters: the generator's invalid lines, each with a reason.
  const auto dl = folder(d / "state" / "dead-letters");
  ASSERT_FALSE(dl.empty());
  std::size_t letters = 0;
  for (const auto& [name, text] : dl) {
    letters += count_lines(text);
    EXPECT_NE(text.find("\"reason\":"), std::string::npos);
  }
  EXPECT_GT(letters, 20u);
  // Again on the same checkpoint: nothing new to do, nothing changed.
  const auto again = run({etl, "--source", "in.jsonl", "--sink", "out", "--once"},
                         {"CHECKPOINT_LOCATION=state/ck", "KAFKA_MAX_OFFSETS_PER_TRIGGER=500"}, d.path());
  ASSERT_EQ(again.code, 0) << again.err;
  EXPECT_NE(again.err.find("done: 0 batches"), std::string::npos) << again.err;
  EXPECT_EQ(folder(d / "out"), out);
}

TEST(EventEtlCli, SigtermStopsWithTheCheckpointIntact) {
  sluice_test::temp_dir d;
  ASSERT_EQ(run({gen, "--events", "20000", "--devices", "50", "--rate", "50", "--output", "in.jsonl"}, {},
                d.path())
                .code,
            0);
  const std::vector<std::string> env = {"KAFKA_MAX_OFFSETS_PER_TRIGGER=100", "WATERMARK_DELAY=2 minutes",
                                        "CHECKPOINT_LOCATION=ck"};
  // The reference: one uninterrupted run in another folder.
  std::filesystem::create_directories(d / "ref");
  std::filesystem::copy_file(d / "in.jsonl", d / "ref" / "in.jsonl");
  ASSERT_EQ(run({etl, "--source", "in.jsonl", "--sink", "out", "--once", "--progress", "file:p"}, env,
                d / "ref")
                .code,
            0);
  // A continuous run (no --once), stopped by SIGTERM once a few batches are committed, then
  // finished with --once.
  const pid_t pid = start({etl, "--source", "in.jsonl", "--sink", "out", "--trigger-interval", "20ms",
                           "--progress", "file:p"},
                          env, d.path());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (count_lines(sluice_test::slurp(d / "p")) < 5 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ::kill(pid, SIGTERM);
  const auto stopped = finish(pid, d.path());
  EXPECT_EQ(stopped.code, 0) << stopped.err;
  EXPECT_NE(stopped.err.find(": stopped: "), std::string::npos) << stopped.err;
  const auto committed = count_lines(sluice_test::slurp(d / "p"));
  EXPECT_GE(committed, 5u);
  EXPECT_LT(committed, 200u) << "it stopped before the end";
  const auto rest = run({etl, "--source", "in.jsonl", "--sink", "out", "--once", "--progress", "file:p"},
                        env, d.path());
  ASSERT_EQ(rest.code, 0) << rest.err;
  EXPECT_EQ(count_lines(sluice_test::slurp(d / "p")), 200u) << "every batch committed exactly once";
  EXPECT_EQ(folder(d / "out"), folder(d / "ref" / "out"));
  EXPECT_EQ(letters(d / "dead-letters"), letters(d / "ref" / "dead-letters"));
}

// The incremental state under SIGKILL (docs/state-store.md): a snapshot every 3 changelogs and
// retention of 2 batches, so with batches of 100 events a kill lands in changelog writes,
// snapshot writes and retention deletes alike. Killed at least 20 times at random moments, then
// finished: the same window files and dead letters as one uninterrupted run (no window lost,
// none counted twice), with at least one batch replayed after a kill inside it.
TEST(EventEtlCli, SigkillsDuringStateWritesLoseNoWindowAndCountNoneTwice) {
  sluice_test::temp_dir d;
  ASSERT_EQ(run({gen, "--events", "40000", "--devices", "50", "--rate", "50", "--output", "in.jsonl"}, {},
                d.path())
                .code,
            0);
  const std::vector<std::string> env = {"KAFKA_MAX_OFFSETS_PER_TRIGGER=100", "WATERMARK_DELAY=2 minutes",
                                        "CHECKPOINT_LOCATION=ck", "SLUICE_STATE_SNAPSHOT_INTERVAL=3",
                                        "SLUICE_MIN_BATCHES_TO_RETAIN=2"};
  std::filesystem::create_directories(d / "ref");
  std::filesystem::copy_file(d / "in.jsonl", d / "ref" / "in.jsonl");
  const auto t0 = std::chrono::steady_clock::now();
  const auto ref = run({etl, "--source", "in.jsonl", "--sink", "out", "--once"}, env, d / "ref");
  ASSERT_EQ(ref.code, 0) << ref.err;
  ASSERT_NE(ref.err.find("done: 400 batches"), std::string::npos) << ref.err;
  // The time of a batch on this machine (and build: sanitizers make it several times slower).
  const auto batch_us = std::max<std::int64_t>(
      500, std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0).count() / 400);

  // Each run is killed a random moment of up to two batches after it committed a batch (its
  // progress file grew), so the kill lands inside the next batch about half the time.
  std::mt19937 rng(20261207);
  int kills = 0;
  std::size_t replayed = 0;
  bool done = false;
  const auto progress = d / "progress.jsonl";
  for (int attempt = 0; attempt < 120 && (kills < 20 || replayed == 0); ++attempt) {
    const auto before = count_lines(sluice_test::slurp(progress));
    const pid_t pid =
        start({etl, "--source", "in.jsonl", "--sink", "out", "--once", "--progress", "file:progress.jsonl"}, env,
              d.path());
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    int status = 0;
    bool exited = false;
    while (count_lines(sluice_test::slurp(progress)) <= before && std::chrono::steady_clock::now() < deadline) {
      if (::waitpid(pid, &status, WNOHANG) == pid) {
        exited = true;
        break;
      }
      std::this_thread::sleep_for(std::chrono::microseconds(300));
    }
    outcome o;
    if (exited) {
      o.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      o.err = sluice_test::slurp(d / "stderr");
    } else {
      std::this_thread::sleep_for(std::chrono::microseconds(rng() % static_cast<std::uint64_t>(2 * batch_us)));
      ::kill(pid, SIGKILL);
      o = finish(pid, d.path());
    }
    replayed += o.err.find("(replayed)") != std::string::npos ? 1 : 0;
    if (o.code == 128 + SIGKILL) {
      ++kills;
      continue;
    }
    ASSERT_EQ(o.code, 0) << o.err;   // it finished before the kill: nothing is left to do
    done = true;
    break;
  }
  ASSERT_FALSE(done) << "the runs finished before 20 kills (" << kills << "): make the input longer";
  EXPECT_GE(kills, 20);
  const auto rest =
      run({etl, "--source", "in.jsonl", "--sink", "out", "--once", "--progress", "file:progress.jsonl"}, env, d.path());
  ASSERT_EQ(rest.code, 0) << rest.err;
  replayed += rest.err.find("(replayed)") != std::string::npos ? 1 : 0;
  EXPECT_GE(replayed, 1u) << "no kill landed inside a batch in " << kills << " kills";
  const auto got = folder(d / "out");
  const auto want = folder(d / "ref" / "out");
  std::string differ;
  for (const auto& [name, text] : want)
    if (!got.contains(name) || got.at(name) != text) differ += " " + name;
  EXPECT_TRUE(got.size() == want.size() && differ.empty())
      << got.size() << " files instead of " << want.size() << "; differing:" << differ;
  EXPECT_EQ(letters(d / "dead-letters"), letters(d / "ref" / "dead-letters"));
  // Retention kept the state small: a snapshot or two and the changelogs after them, in the one
  // store both stages share.
  const auto files = sluice_test::files_under(d / "ck" / "state" / "shared");
  EXPECT_LE(files.size(), 2u + 2u * 3u);
  EXPECT_GE(files.size(), 1u);
  EXPECT_FALSE(std::filesystem::exists(d / "ck" / "state" / "dedup")) << "no store per stage";
  std::printf("[ kills    ] %d SIGKILLs; a batch replayed after %zu of the restarts\n", kills, replayed);
}

// The seed job's users name their fields themselves: --field-map reads events whose time is
// called `timestamp` into the same windows as the schema's names; a map that does not fit the
// file's first events is an error at start (exit 2, naming the field and the event's fields), not
// a run that dead-letters every event.
TEST(EventEtlCli, FieldMapReadsRenamedFieldsAndAWrongMapFailsAtStart) {
  sluice_test::temp_dir d;
  ASSERT_EQ(run({gen, "--events", "3000", "--devices", "20", "--rate", "20", "--output", "in.jsonl"}, {}, d.path())
                .code,
            0);
  std::string renamed;
  std::istringstream in(sluice_test::slurp(d / "in.jsonl"));
  for (std::string l; std::getline(in, l);) {
    if (const auto at = l.find("\"event_time\":"); at != std::string::npos) l.replace(at, 12, "\"timestamp\"");
    renamed += l + "\n";
  }
  sluice_test::spit(d / "renamed.jsonl", renamed);
  const std::vector<std::string> env = {"KAFKA_MAX_OFFSETS_PER_TRIGGER=500"};
  const auto plain = run({etl, "--source", "in.jsonl", "--sink", "out-plain", "--once", "--checkpoint", "ck-plain"},
                         env, d.path());
  ASSERT_EQ(plain.code, 0) << plain.err;
  const auto mapped = run({etl, "--source", "renamed.jsonl", "--sink", "out-mapped", "--once", "--checkpoint",
                           "ck-mapped", "--field-map", "event_time=timestamp"},
                          env, d.path());
  ASSERT_EQ(mapped.code, 0) << mapped.err;
  EXPECT_EQ(folder(d / "out-mapped"), folder(d / "out-plain"));
  EXPECT_FALSE(folder(d / "out-plain").empty());

  const auto wrong = run({etl, "--source", "renamed.jsonl", "--sink", "out-wrong", "--once", "--checkpoint",
                          "ck-wrong", "--field-map", "event_time=ts"},
                         env, d.path());
  EXPECT_EQ(wrong.code, 2) << wrong.err;
  EXPECT_NE(wrong.err.find("do not match --field-map: missing required field \"ts\"; its fields are: "),
            std::string::npos)
      << wrong.err;
  EXPECT_NE(wrong.err.find("timestamp"), std::string::npos) << wrong.err;
  EXPECT_FALSE(std::filesystem::exists(d / "out-wrong"));
  // Without a map, the schema's names on renamed input: a note at start, and the run goes on.
  const auto unmapped = run({etl, "--source", "renamed.jsonl", "--sink", "out-unmapped", "--once", "--checkpoint",
                             "ck-unmapped"},
                            env, d.path());
  EXPECT_EQ(unmapped.code, 0) << unmapped.err;
  EXPECT_NE(unmapped.err.find("note: none of the first 100 events of renamed.jsonl decodes: missing required "
                              "field \"event_time\""),
            std::string::npos)
      << unmapped.err;
}

TEST(EventEtlCli, S3RetryBudgetAndRequestTimeoutTakeEffect) {
  // The schema writer's options, wired to the same S3 client and runner settings: the
  // checkpoint on an S3 endpoint that never answers fails the first step (reading the commit)
  // after exactly the attempts asked for.
  sluice_test::temp_dir d;
  sluice_test::spit(d / "in.jsonl", "");
  const std::vector<std::string> creds = {"AWS_ACCESS_KEY_ID=AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY=not-a-secret"};
  {
    // Every request is dropped (the connection closed without an answer).
    sluice_s3_test::loopback_http dropping([](const sluice_s3_test::http_request&) {
      sluice_s3_test::http_reply r;
      r.close = true;
      return r;
    });
    const auto r = run({etl, "--source", "in.jsonl", "--once", "--checkpoint", "s3://bucket-x/ck", "--s3-endpoint",
                        dropping.endpoint(), "--s3-path-style", "--s3-max-attempts", "2", "--retry-max-attempts", "3"},
                       creds, d.path());
    EXPECT_EQ(r.code, 1) << r.err;
    EXPECT_NE(r.err.find("fatal: "), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("after 2 attempts"), std::string::npos) << r.err;
    const auto requests = dropping.requests();
    EXPECT_EQ(requests.size(), 6u) << "2 attempts per request, 3 attempts of the step";
    for (const auto& q : requests) EXPECT_EQ(q.method + " " + q.path(), "GET /bucket-x/ck/commit.json");
  }
  {
    // No answer within the request timeout (it would come after 2 s).
    sluice_s3_test::loopback_http silent([](const sluice_s3_test::http_request&) {
      sluice_s3_test::http_reply r;
      r.status = 404;
      r.delay = std::chrono::seconds(2);
      return r;
    });
    const auto t0 = std::chrono::steady_clock::now();
    const auto r = run({etl, "--source", "in.jsonl", "--once", "--checkpoint", "s3://bucket-x/ck"},
                       {creds[0], creds[1], "S3_ENDPOINT=" + silent.endpoint(), "S3_PATH_STYLE=true",
                        "SLUICE_S3_MAX_ATTEMPTS=1", "SLUICE_RETRY_MAX_ATTEMPTS=1",
                        "SLUICE_S3_REQUEST_TIMEOUT=300 milliseconds"},
                       d.path());
    const auto took = std::chrono::steady_clock::now() - t0;
    EXPECT_EQ(r.code, 1) << r.err;
    EXPECT_NE(r.err.find("after 1 attempt"), std::string::npos) << r.err;
    EXPECT_EQ(silent.requests().size(), 1u);
    EXPECT_GE(took, std::chrono::milliseconds(300));
    EXPECT_LT(took, std::chrono::seconds(2)) << "the request timeout, not the server's answer";
  }
}

TEST(EventEtlCli, GeneratorIsDeterministicAndHonoursItsShares) {
  sluice_test::temp_dir d;
  ASSERT_EQ(run({gen, "--events", "3000", "--seed", "9", "--output", "a"}, {}, d.path()).code, 0);
  ASSERT_EQ(run({gen, "--events", "3000", "--seed", "9", "--output", "b"}, {}, d.path()).code, 0);
  ASSERT_EQ(run({gen, "--events", "3000", "--seed", "10", "--output", "c"}, {}, d.path()).code, 0);
  EXPECT_EQ(sluice_test::slurp(d / "a"), sluice_test::slurp(d / "b"));
  EXPECT_NE(sluice_test::slurp(d / "a"), sluice_test::slurp(d / "c"));
  ASSERT_EQ(run({gen, "--events", "2000", "--duplicates", "0", "--late", "0", "--invalid", "0",
                 "--filtered", "0", "--out-of-order", "0", "--output", "clean"},
                {}, d.path())
                .code,
            0);
  const auto text = sluice_test::slurp(d / "clean");
  simdjson::dom::parser parser;
  std::set<std::string> ids;
  std::string prev_time;
  std::size_t start = 0, n = 0;
  while (start < text.size()) {
    const auto nl = text.find('\n', start);
    simdjson::dom::element e;
    ASSERT_EQ(parser.parse(text.substr(start, nl - start)).get(e), simdjson::SUCCESS);
    std::string_view id;
    ASSERT_EQ(e["event_id"].get(id), simdjson::SUCCESS);
    EXPECT_TRUE(ids.emplace(id).second) << "no duplicates asked for";
    double battery = -1;
    ASSERT_EQ(e["battery_level"].get(battery), simdjson::SUCCESS);
    EXPECT_TRUE(battery >= 0 && battery <= 100);
    ++n;
    start = nl + 1;
  }
  EXPECT_EQ(n, 2000u);
  const auto bad = run({gen, "--duplicates", "2"}, {}, d.path());
  EXPECT_EQ(bad.code, 2);
}

}  // namespace
