// SPDX-License-Identifier: Apache-2.0
// Storage faults (issue 5 §1): sluice-schema-writer reads a real Kafka broker and writes to the
// real S3 server (S3Proxy, SigV4) through test/support/fault_proxy.hpp, which injects 500s, 503
// SlowDown, connection resets before and after the server applied a request, stalls past the
// request timeout and "down for a while" windows. The oracle of every run is a fault-free run of
// the same binary on the same topic straight to S3: catalog byte for byte, dead letters by
// (partition, offset, key, reason) each once, the log tiling every partition's offsets once, the
// group's committed offsets at the partitions' ends. Also: past the retry budget the run stops
// with a clear error and exit 1, its checkpoint intact, and a restart completes; SIGKILLs while
// faults are injected; and the S3 completed-batches log across a month boundary.
#include "outcome.hpp"

#include "sluice/idempotency/completed_batches_log.hpp"
#include "sluice/s3/blob_store.hpp"
#include "support/fault_proxy.hpp"
#include "support/kafka_admin.hpp"
#include "support/s3_services.hpp"
#include "support/services.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <random>
#include <thread>

namespace {

using namespace reliability;
using namespace std::chrono_literals;
using sluice::test::fault;
using swtest::env_list;
using swtest::read_file;
using swtest::scratch_dir;

constexpr int partitions = 3;

class S3Faults : public swsvc::writer_services {
 protected:
  S3Faults() : swsvc::writer_services("rel", "rel-schemas") {}

  void SetUp() override {
    swsvc::writer_services::SetUp();
    if (HasFatalFailure()) return;
    const auto colon = svc_.s3_endpoint.rfind(':');
    s3_port_ = std::stoi(svc_.s3_endpoint.substr(colon + 1));
    ASSERT_EQ(sluice::test::create_topic(svc_.kafka_bootstrap, topic_, partitions), "");
  }

  // Produces `messages` round robin over the partitions; returns the partitions' ends.
  std::vector<std::int64_t> produce(const std::vector<swtest::message>& messages) {
    std::vector<sluice::test::test_message> out;
    std::vector<std::int64_t> ends(partitions, 0);
    for (std::size_t i = 0; i < messages.size(); ++i) {
      const auto p = static_cast<std::int32_t>(i % partitions);
      out.push_back({p, messages[i].key, messages[i].payload});
      ++ends[static_cast<std::size_t>(p)];
    }
    EXPECT_EQ(sluice::test::produce(svc_.kafka_bootstrap, topic_, out), "");
    return ends;
  }

  // The writer's arguments (writer_services::args) with S3 at `endpoint`.
  std::vector<std::string> args(const std::string& group, const std::string& root, const std::string& endpoint,
                                std::vector<std::string> extra = {}) const {
    auto a = swsvc::writer_services::args(group, root, std::move(extra));
    *(std::find(a.begin(), a.end(), "--s3-endpoint") + 1) = endpoint;
    return a;
  }

  outcome outcome_of(const std::string& root) const {
    return read_outcome(objects(root, "catalog"), objects(root, "checkpoint/completed-batches"),
                        objects(root, "dead-letters"));
  }

  // A fault-free run straight to S3 under <root>/.
  outcome reference(const std::string& root, const std::vector<std::string>& extra) {
    const auto r = swtest::writer(args(sluice::test::unique_name("ref"), root, svc_.s3_endpoint, extra), credentials());
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return outcome_of(root);
  }

  std::vector<std::int64_t> committed(const std::string& group) const {
    return sluice::test::committed_offsets(svc_.kafka_bootstrap, group, topic_, partitions);
  }

  int s3_port_ = 0;
};

std::string describe(const sluice::test::fault_counts& c) {
  return std::to_string(c.requests) + " requests, " + std::to_string(c.injected()) + " faults (" +
         std::to_string(c.http_500) + " × 500, " + std::to_string(c.slow_down_503) + " × 503 SlowDown, " +
         std::to_string(c.resets) + " resets, " + std::to_string(c.resets_after_forward) +
         " resets after the server applied the request, " + std::to_string(c.stalls) + " stalls, " +
         std::to_string(c.downs) + " down windows with " + std::to_string(c.reset_while_down) +
         " requests reset while down)";
}

TEST_F(S3Faults, TransientFaultsKeepTheProcessUpLoseNothingAndWriteNothingTwice) {
  scratch_dir d;
  const auto ends = produce(sample_copies(3));
  const std::vector<std::string> batch{"--once", "--max-records-per-batch", "4"};
  const outcome want = reference("clean", batch);
  ASSERT_GE(want.catalog.size(), 3u * 15u);
  ASSERT_EQ(want.dead_count, 3u * 9u);

  // Every 5th request a fault, cycling through every kind; a down window of 1.5 s every 60.
  sluice::test::fault_proxy proxy(
      s3_port_,
      sluice::test::periodic_faults(5, 3,
                                    {fault::http_500, fault::slow_down_503, fault::reset, fault::reset_after_forward,
                                     fault::http_500, fault::stall, fault::reset_after_forward, fault::slow_down_503,
                                     fault::reset, fault::reset_after_forward, fault::http_500, fault::down}),
      3s, 1500ms);
  const std::string group = sluice::test::unique_name("faulty");
  auto a = args(group, "faulty", proxy.endpoint(), batch);
  a.insert(a.end(), {"--s3-request-timeout", "1s", "--progress", "file:" + (d / "progress.jsonl").string()});
  const auto t0 = std::chrono::steady_clock::now();
  const auto r = swtest::writer(a, credentials());
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const auto c = proxy.counts();
  ASSERT_EQ(r.exit_code, 0) << "the process did not survive the faults: " << describe(c) << "\n" << r.err;

  EXPECT_GE(c.http_500, 2);
  EXPECT_GE(c.slow_down_503, 2);
  EXPECT_GE(c.resets, 1);
  EXPECT_GE(c.resets_after_forward, 2);
  EXPECT_GE(c.stalls, 1);
  EXPECT_GE(c.downs, 1);
  const outcome got = outcome_of("faulty");
  expect_same_outcome(got, want, topic_, ends, "through the fault proxy");
  EXPECT_EQ(committed(group), ends);
  EXPECT_EQ(r.err.find(svc_.s3_secret_key), std::string::npos) << "the secret was printed";

  const std::size_t batches = progress_lines(read_file(d / "progress.jsonl"));
  RecordProperty("faults", static_cast<int>(c.injected()));
  std::printf("[ faults   ] S3: %s; 1 process, exit 0, %zu batches, %lld messages, %zu catalog objects, "
              "%zu dead letters, %zu log records, lost 0, duplicates 0, %.1f s\n",
              describe(c).c_str(), batches, static_cast<long long>(ends[0] + ends[1] + ends[2]), got.catalog.size(),
              got.dead_count, got.log.size(), secs);
}

TEST_F(S3Faults, PastTheRetryBudgetItStopsWithAClearErrorItsCheckpointIntactAndARestartCompletes) {
  scratch_dir d;
  const auto ends = produce(sample_copies(3));
  const outcome want = reference("clean", {"--once", "--max-records-per-batch", "2"});

  sluice::test::fault_proxy proxy(s3_port_);
  const std::string group = sluice::test::unique_name("budget");
  const auto progress = d / "progress.jsonl";
  auto a = args(group, "budget", proxy.endpoint(),
                {"--once", "--max-records-per-batch", "2", "--trigger-interval", "50ms", "--s3-max-attempts", "2",
                 "--retry-max-attempts", "2", "--progress", "file:" + progress.string()});
  a.insert(a.begin(), swtest::writer_exe.string());
  const auto err_path = d / "stderr.txt";
  const int err_fd = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  ASSERT_GE(err_fd, 0);
  const pid_t pid = swtest::spawn(a, credentials(), {}, -1, -1, err_fd);
  ::close(err_fd);
  // Let it commit a few batches, then take S3 down for longer than the budget lasts.
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  int status = 0;
  bool exited = false;
  while (progress_lines(read_file(progress)) < 4) {
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      exited = true;
      break;
    }
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << read_file(err_path);
    std::this_thread::sleep_for(5ms);
  }
  ASSERT_FALSE(exited) << "finished before S3 went down: " << read_file(err_path);
  proxy.set_down_for(10min);
  const auto t0 = std::chrono::steady_clock::now();
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const std::string err = read_file(err_path);
  ASSERT_TRUE(WIFEXITED(status)) << err;
  EXPECT_EQ(WEXITSTATUS(status), 1) << err;
  EXPECT_LT(secs, 30.0) << err;
  EXPECT_NE(err.find("fatal: "), std::string::npos) << err;
  EXPECT_NE(err.find("it outlasted the retry budget (--s3-max-attempts, --retry-max-attempts)"), std::string::npos) << err;
  EXPECT_NE(err.find("the last S3 error: S3 "), std::string::npos) << err;
  EXPECT_EQ(err.find(svc_.s3_secret_key), std::string::npos) << "the secret was printed";
  const std::size_t before = progress_lines(read_file(progress));
  const auto partial = outcome_of("budget");
  EXPECT_LT(partial.log.size(), want.log.size()) << "the run should have stopped early";
  // The checkpoint is intact: every plan and commit of every partition is whole JSON.
  {
    simdjson::dom::parser parser;
    std::size_t states = 0;
    for (const auto& [k, v] : objects("budget", "checkpoint/" + topic_)) {
      simdjson::dom::element doc;
      EXPECT_EQ(parser.parse(v).get(doc), simdjson::SUCCESS) << k << ": " << v;
      ++states;
    }
    EXPECT_GE(states, 2u) << "no plans or commits under the checkpoint";
  }

  // S3 back: a restart with the default budget completes and equals the fault-free run.
  proxy.set_down_for(0ms);
  auto again = args(group, "budget", proxy.endpoint(),
                    {"--once", "--max-records-per-batch", "2", "--progress", "file:" + progress.string()});
  const auto r = swtest::writer(again, credentials());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const outcome got = outcome_of("budget");
  expect_same_outcome(got, want, topic_, ends, "after the restart");
  EXPECT_EQ(committed(group), ends);
  const auto c = proxy.counts();
  std::printf("[ budget   ] S3 down after %zu batches: exit %d after %.2f s (--s3-max-attempts 2, "
              "--retry-max-attempts 2; %lld requests refused or reset); restart: exit 0, %zu more batches "
              "(%zu replayed), %zu log records, lost 0, duplicates 0\n",
              before, WEXITSTATUS(status), secs, static_cast<long long>(c.reset_while_down),
              progress_lines(read_file(progress)) - before, replayed_lines(read_file(progress)), got.log.size());
}

TEST_F(S3Faults, SigkillWhileFaultsAreInjectedThenRestartEqualsAFaultFreeRun) {
  scratch_dir d;
  const auto ends = produce(sample_copies(5));
  const std::vector<std::string> batch{"--once", "--max-records-per-batch", "4"};
  const outcome want = reference("clean", batch);

  sluice::test::fault_proxy proxy(
      s3_port_,
      sluice::test::periodic_faults(6, 2,
                                    {fault::reset_after_forward, fault::http_500, fault::slow_down_503, fault::reset,
                                     fault::stall, fault::reset_after_forward, fault::down}),
      3s, 1s);
  const char* seed_env = std::getenv("SLUICE_CRASH_SEED");
  const auto seed = seed_env != nullptr ? static_cast<std::uint32_t>(std::stoul(seed_env))
                                        : static_cast<std::uint32_t>(std::random_device{}());
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> delay_ms(0, 400);
  const std::string group = sluice::test::unique_name("crashf");
  const auto progress = d / "progress.jsonl";
  auto a = args(group, "crash", proxy.endpoint(), batch);
  a.insert(a.end(), {"--s3-request-timeout", "1s", "--progress", "file:" + progress.string()});
  a.insert(a.begin(), swtest::writer_exe.string());
  constexpr int min_kills = 20;
  int kills = 0, runs = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (;;) {
    ASSERT_LT(runs, 80) << "seed " << seed;
    ++runs;
    const pid_t pid = swtest::spawn(a, credentials(), {}, -1, -1, -1);
    int status = 0;
    if (kills < min_kills) {
      const auto before = progress_lines(read_file(progress));
      bool exited = false;
      const auto deadline = std::chrono::steady_clock::now() + 90s;
      while (progress_lines(read_file(progress)) <= before) {
        if (::waitpid(pid, &status, WNOHANG) == pid) {
          exited = true;
          break;
        }
        ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "no batch within 90 s; seed " << seed;
        std::this_thread::sleep_for(2ms);
      }
      if (!exited) {
        std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(rng)));
        ::kill(pid, SIGKILL);
        ASSERT_EQ(::waitpid(pid, &status, 0), pid);
      }
      if (WIFSIGNALED(status)) {
        ++kills;
        continue;
      }
    } else {
      ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    }
    ASSERT_TRUE(WIFEXITED(status)) << "seed " << seed;
    ASSERT_EQ(WEXITSTATUS(status), 0) << "seed " << seed;
    ASSERT_GE(kills, min_kills) << "the run finished after " << kills << " kills; seed " << seed;
    break;
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const outcome got = outcome_of("crash");
  expect_same_outcome(got, want, topic_, ends, "after SIGKILLs under faults (seed " + std::to_string(seed) + ")");
  EXPECT_EQ(committed(group), ends);
  const auto c = proxy.counts();
  const std::size_t replayed = replayed_lines(read_file(progress));
  EXPECT_GE(replayed, 1u) << "no kill landed inside a batch; seed " << seed;
  RecordProperty("kills", kills);
  std::printf("[ crash    ] S3 faults + SIGKILL: %d kills over %d runs, %zu batches replayed, %s; "
              "%lld messages, lost 0, duplicates 0, %.1f s, seed %u\n",
              kills, runs, replayed, describe(c).c_str(), static_cast<long long>(ends[0] + ends[1] + ends[2]), secs,
              seed);
}

// The completed-batches log on S3 with an injected clock: a batch logged in the last
// millisecond of a month is recognized when replayed in the first of the next, and the replay
// writes no second record (the fs store has the same test in test/idempotency/).
struct manual_clock {
  std::shared_ptr<std::chrono::system_clock::time_point> t =
      std::make_shared<std::chrono::system_clock::time_point>();
  [[nodiscard]] std::chrono::system_clock::time_point now() const { return *t; }
  void set_ms(std::int64_t ms) { *t = std::chrono::system_clock::time_point(std::chrono::milliseconds(ms)); }
};

TEST(S3LogStore, ABatchLoggedAtTheEndOfAMonthIsRecognizedWhenReplayedAtTheStartOfTheNext) {
  auto client = sluice_s3_it::make_client();
  const std::string bucket = sluice_s3_it::fresh_bucket(*client, "month");
  using log_t = sluice::idempotency::completed_batches_log<sluice::s3::blob_store, manual_clock>;
  const sluice::s3::location where{bucket, "ckpt/completed-batches"};
  manual_clock clock;
  constexpr std::int64_t aug_31_last_ms = 1756684799999;   // 2025-08-31T23:59:59.999Z
  constexpr std::int64_t sep_1_first_ms = 1756684800000;   // 2025-09-01T00:00:00.000Z
  constexpr std::int64_t oct_1_first_ms = 1759276800000;   // 2025-10-01T00:00:00.000Z
  constexpr std::int64_t dec_31_2024_ms = 1735689599000;   // 2024-12-31T23:59:59.000Z
  constexpr std::int64_t jan_1_2025_ms = 1735689601000;    // 2025-01-01T00:00:01.000Z
  const sluice::batch_plan plan7{7, {{"gg-schemas", 2, 70, 80}}};
  const sluice::batch_plan plan8{8, {{"gg-schemas", 2, 80, 90}}};

  clock.set_ms(aug_31_last_ms);
  {
    auto log = log_t::make(sluice::s3::blob_store(client, where), "sw", "gg-schemas-2", clock).value();
    ASSERT_FALSE(log.is_done(plan7).value());
    ASSERT_TRUE(log.mark_done(plan7));
  }
  clock.set_ms(sep_1_first_ms);
  {
    // A new process after the boundary (the restart that replays batch 7).
    auto log = log_t::make(sluice::s3::blob_store(client, where), "sw", "gg-schemas-2", clock).value();
    EXPECT_TRUE(log.is_done(plan7).value());
    ASSERT_TRUE(log.mark_done(plan7));  // a replay: no September record
    ASSERT_TRUE(log.mark_done(plan8));
  }
  EXPECT_EQ(sluice_s3_it::keys_under(*client, bucket, "ckpt/"),
            (std::vector<std::string>{"ckpt/completed-batches/yyyymm=202508/sw/gg-schemas-2/batch-7.json",
                                      "ckpt/completed-batches/yyyymm=202509/sw/gg-schemas-2/batch-8.json"}));
  clock.set_ms(oct_1_first_ms);  // two months on: August is outside the documented window
  {
    auto log = log_t::make(sluice::s3::blob_store(client, where), "sw", "gg-schemas-2", clock).value();
    EXPECT_FALSE(log.is_done(plan7).value());
    EXPECT_TRUE(log.is_done(plan8).value());
  }
  // The year boundary too.
  const sluice::batch_plan plan0{0, {{"t", 0, 0, 5}}};
  clock.set_ms(dec_31_2024_ms);
  {
    auto log = log_t::make(sluice::s3::blob_store(client, where), "sw", "t-0", clock).value();
    ASSERT_TRUE(log.mark_done(plan0));
  }
  clock.set_ms(jan_1_2025_ms);
  {
    auto log = log_t::make(sluice::s3::blob_store(client, where), "sw", "t-0", clock).value();
    EXPECT_TRUE(log.is_done(plan0).value());
    ASSERT_TRUE(log.mark_done(plan0));
  }
  EXPECT_EQ(sluice_s3_it::keys_under(*client, bucket, "ckpt/completed-batches/yyyymm=2025"),
            (std::vector<std::string>{"ckpt/completed-batches/yyyymm=202508/sw/gg-schemas-2/batch-7.json",
                                      "ckpt/completed-batches/yyyymm=202509/sw/gg-schemas-2/batch-8.json"}));
  EXPECT_EQ(sluice_s3_it::keys_under(*client, bucket, "ckpt/completed-batches/yyyymm=2024"),
            (std::vector<std::string>{"ckpt/completed-batches/yyyymm=202412/sw/t-0/batch-0.json"}));
}

}  // namespace

namespace {

// The fault proxy itself, checked with the S3 client against the real server: each fault is
// what the client sees, and a reset after forwarding leaves the request applied.
class FaultProxy : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto env = sluice::test::services_env();
    ASSERT_TRUE(env && !env->s3_endpoint.empty()) << "no services: run through ctest (fixture services)";
    port_ = std::stoi(env->s3_endpoint.substr(env->s3_endpoint.rfind(':') + 1));
    direct_ = sluice_s3_it::make_client();
    bucket_ = sluice_s3_it::fresh_bucket(*direct_, "proxy");
  }
  // A client through `proxy` with `attempts` attempts per request and a 1 s request timeout.
  static std::shared_ptr<sluice::s3::client> via(const sluice::test::fault_proxy& proxy, int attempts) {
    return sluice_s3_it::make_client([&](sluice::s3::client_options& o, sluice::s3::credentials&) {
      o.service_endpoint = sluice::s3::parse_endpoint(proxy.endpoint()).value();
      o.retry.max_attempts = attempts;
      o.request_timeout = std::chrono::milliseconds(1000);
    });
  }
  int port_ = 0;
  std::shared_ptr<sluice::s3::client> direct_;
  std::string bucket_;
};

TEST_F(FaultProxy, EachFaultIsWhatTheClientSeesAndForwardedRequestsReachTheServer) {
  sluice::test::fault_proxy proxy(port_, {}, std::chrono::milliseconds(3000), std::chrono::milliseconds(1500));
  auto c = via(proxy, 1);
  ASSERT_TRUE(c->put_object(bucket_, "plain", "0")) << c->last_error();
  EXPECT_EQ(direct_->get_object(bucket_, "plain").value(), std::optional<std::string>("0"));

  const auto one = [&](fault f, const std::string& key) {
    proxy.set_schedule([f](std::int64_t, const std::string&, const std::string&) { return f; });
    const auto r = c->put_object(bucket_, key, "1");
    proxy.set_schedule({});
    return r;
  };
  auto r = one(fault::http_500, "a");
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error() == sluice::condition::retriable);
  EXPECT_NE(c->last_error().find("HTTP 500 InternalError"), std::string::npos) << c->last_error();
  r = one(fault::slow_down_503, "b");
  ASSERT_FALSE(r);
  EXPECT_NE(c->last_error().find("HTTP 503 SlowDown"), std::string::npos) << c->last_error();
  EXPECT_FALSE(direct_->get_object(bucket_, "a").value());  // never reached the server
  EXPECT_FALSE(direct_->get_object(bucket_, "b").value());
  r = one(fault::reset, "c");
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error() == sluice::condition::retriable) << c->last_error();
  EXPECT_FALSE(direct_->get_object(bucket_, "c").value());
  r = one(fault::reset_after_forward, "d");
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error() == sluice::condition::retriable) << c->last_error();
  // The server applied it although the client heard nothing (give the drain a moment).
  std::optional<std::string> d;
  for (int i = 0; i < 50 && !d; ++i) {
    d = direct_->get_object(bucket_, "d").value();
    if (!d) std::this_thread::sleep_for(20ms);
  }
  EXPECT_EQ(d, std::optional<std::string>("1"));
  auto t0 = std::chrono::steady_clock::now();
  r = one(fault::stall, "e");
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error() == sluice::condition::retriable) << c->last_error();
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 900ms) << "the request timeout should end a stall";
  // Down: this request and every new connection are refused until the window ends.
  r = one(fault::down, "f");
  ASSERT_FALSE(r);
  t0 = std::chrono::steady_clock::now();
  auto fresh = via(proxy, 1);
  EXPECT_FALSE(fresh->put_object(bucket_, "g", "1"));
  std::this_thread::sleep_for(1600ms);
  EXPECT_TRUE(fresh->put_object(bucket_, "g", "1")) << fresh->last_error();
  // With retries, every transient fault is absorbed by the client.
  proxy.set_schedule(sluice::test::periodic_faults(
      1, 1, {fault::http_500, fault::slow_down_503, fault::reset, fault::none, fault::reset_after_forward, fault::none}));
  auto patient = via(proxy, 5);
  for (int i = 0; i < 4; ++i) {
    EXPECT_TRUE(patient->put_object(bucket_, "h" + std::to_string(i), "2")) << patient->last_error();
  }
  const auto counts = proxy.counts();
  EXPECT_EQ(counts.downs, 1);
  EXPECT_GE(counts.http_500, 2);
  EXPECT_GE(counts.resets_after_forward, 2);
}

}  // namespace
