// SPDX-License-Identifier: Apache-2.0
// The load driver and visibility watcher of the end-to-end benchmark of sluice-schema-writer on
// a real Kafka broker and a real S3 server (benchmark/schema_writer/e2e.sh, docs/benchmarks.md).
//
//   sluice_sw_e2e_driver setup --bootstrap B --topic T --partitions P --s3-endpoint URL --bucket BK
//   sluice_sw_e2e_driver run   --bootstrap B --topic T --partitions P --s3-endpoint URL --bucket BK
//                              --messages N [--rate R] [--seed S] [--prefix catalog] [--poll-ms 20]
//                              [--columns N] (every new table N columns wide; default 2..24, now and then 40..120)
//                              [--lookahead 4] [--sample 1] [--mode continuous|once-after]
//                              [--timeout-s 300] [--verify head|list]
//                              [--pid NAME=PID]... --out DIR -- WRITER [WRITER ARGS...]
//   sluice_sw_e2e_driver s3-floor --s3-endpoint URL --bucket BK --messages N [--seed S]
//                              [--partitions P] [--batch 500] [--in-flight 16]
//
// S3 credentials: SLUICE_TEST_S3_ACCESS_KEY / SLUICE_TEST_S3_SECRET_KEY, else AWS_ACCESS_KEY_ID /
// AWS_SECRET_ACCESS_KEY; the writer gets them as AWS_*. Region: SLUICE_TEST_S3_REGION or us-east-1.
//
// `run` starts the writer as its child (its arguments after `--`, plus `--progress
// file:DIR/progress.jsonl`), and:
//   - continuous: first produces one envelope-schema message per partition and waits until the
//     writer's progress records show every partition processed it (group joined, state set up);
//     then produces the workload — at `--rate` messages per second on an absolute schedule, or as
//     fast as librdkafka takes them without `--rate` — while the watcher runs; then stops the
//     writer with SIGTERM.
//   - once-after: produces the whole workload first, then starts the writer (which should have
//     `--once`) and watches until it exited and every object is visible.
// Each message's produce time is taken just before `rd_kafka_producev` (and is also its Kafka
// timestamp). The watcher, on its own S3 connection, HEADs expected catalog keys: per partition
// it walks the not-yet-seen objects in offset order (the order the writer reads them) and stops
// after `--lookahead` consecutive misses; a sweep starts every `--poll-ms`. An object's visible
// time is when the HEAD that first found it returned. With `--sample N` it watches every Nth
// object and the last of each partition (a burst of thousands of objects would otherwise need
// as many HEADs as the writer made PUTs, on the same server). After the run it lists the catalog
// prefix and compares it with all expected keys (`--verify list`), or HEADs every expected key
// (`--verify head`, the default: S3Proxy's filesystem backend lists a large prefix slowly, about
// a minute for 17 600 objects).
//
// Prints one JSON object on stdout (the figures of docs/benchmarks.md) and a readable summary on
// stderr. In DIR: objects.csv (per expected object: offset, produce and first-seen times, the end
// of its batch's write and commit), writer_rss.csv (the writer's RSS each second), progress.jsonl
// and writer.log (the writer's progress records and log).
#include "support/kafka_admin.hpp"
#include "workload.hpp"

#include <sluice/s3/client.hpp>

#include <fmt/format.h>
#include <librdkafka/rdkafka.h>
#include <simdjson.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

namespace {

using namespace std::chrono_literals;

// Wall-clock microseconds since the epoch: comparable with the writer's progress timestamps.
std::int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Unwinds to main (which reports it and exits 1), so a started writer is stopped on the way.
[[noreturn]] void fail(const std::string& why) { throw std::runtime_error(why); }

// --- arguments ------------------------------------------------------------------------------

struct args {
  std::map<std::string, std::string> named;
  std::vector<std::string> pids;     // --pid NAME=PID, repeatable
  std::vector<std::string> writer;   // after --

  [[nodiscard]] std::string get(const std::string& k, const std::string& fallback = {}) const {
    auto it = named.find(k);
    return it == named.end() ? fallback : it->second;
  }
  [[nodiscard]] std::string need(const std::string& k) const {
    auto it = named.find(k);
    if (it == named.end() || it->second.empty()) fail("missing --" + k);
    return it->second;
  }
  [[nodiscard]] double number(const std::string& k, double fallback) const {
    auto it = named.find(k);
    if (it == named.end()) return fallback;
    char* end = nullptr;
    const double v = std::strtod(it->second.c_str(), &end);
    if (end == it->second.c_str() || *end != '\0') fail("--" + k + ": not a number: " + it->second);
    return v;
  }
};

args parse_args(int argc, char** argv, int first) {
  args a;
  for (int i = first; i < argc; ++i) {
    const std::string_view s = argv[i];
    if (s == "--") {
      for (++i; i < argc; ++i) a.writer.emplace_back(argv[i]);
      break;
    }
    if (s.substr(0, 2) != "--" || i + 1 >= argc) fail("bad argument: " + std::string(s));
    if (s == "--pid") a.pids.emplace_back(argv[++i]);
    else a.named[std::string(s.substr(2))] = argv[++i];
  }
  return a;
}

// --- S3 -------------------------------------------------------------------------------------

std::string env_or(const char* a, const char* b) {
  if (const char* v = std::getenv(a); v && *v) return v;
  if (const char* v = std::getenv(b); v && *v) return v;
  return {};
}

struct s3_access {
  std::string key_id, secret, region;
};

s3_access s3_env() {
  s3_access a{env_or("SLUICE_TEST_S3_ACCESS_KEY", "AWS_ACCESS_KEY_ID"),
              env_or("SLUICE_TEST_S3_SECRET_KEY", "AWS_SECRET_ACCESS_KEY"),
              env_or("SLUICE_TEST_S3_REGION", "AWS_REGION")};
  if (a.key_id.empty() || a.secret.empty()) fail("no S3 credentials (SLUICE_TEST_S3_* or AWS_*)");
  if (a.region.empty()) a.region = "us-east-1";
  return a;
}

sluice::s3::client make_s3(const std::string& endpoint, const s3_access& access, std::size_t in_flight = 16) {
  std::string why;
  auto ep = sluice::s3::parse_endpoint(endpoint, &why);
  if (!ep) fail("--s3-endpoint: " + why);
  sluice::s3::client_options opt;
  opt.service_endpoint = ep.value();
  opt.region = access.region;
  opt.addressing = sluice::s3::addressing_style::path;
  opt.max_in_flight = in_flight;
  sluice::s3::credentials creds;
  creds.access_key_id = access.key_id;
  creds.secret_access_key = sluice::s3::secret_string(access.secret);
  creds.source = "environment";
  auto c = sluice::s3::client::make(std::move(opt), std::move(creds));
  if (!c) fail("S3 client: " + c.error().message());
  return std::move(c).value();
}

// --- statistics -----------------------------------------------------------------------------

struct summary_stats {
  std::size_t n = 0;
  double p50 = 0, p90 = 0, p99 = 0, max = 0, mean = 0, min = 0;
};

// Nearest-rank percentiles.
summary_stats summarize(std::vector<double> v) {
  summary_stats s;
  s.n = v.size();
  if (v.empty()) return s;
  std::sort(v.begin(), v.end());
  const auto rank = [&](double p) {
    const auto r = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(v.size())));
    return v[std::min(v.size(), std::max<std::size_t>(r, 1)) - 1];
  };
  s.p50 = rank(50);
  s.p90 = rank(90);
  s.p99 = rank(99);
  s.max = v.back();
  s.min = v.front();
  double sum = 0;
  for (const double x : v) sum += x;
  s.mean = sum / static_cast<double>(v.size());
  return s;
}

// --- processes --------------------------------------------------------------------------------

// CPU seconds (user + system) of a running process, from /proc/PID/stat; negative if unknown.
double proc_cpu_seconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto close = stat.rfind(')');
  if (close == std::string::npos) return -1;
  std::istringstream rest(stat.substr(close + 2));
  std::string field;
  double utime = 0, stime = 0;
  // Fields after the command: state(3) ... utime(14) stime(15).
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14) utime = std::strtod(field.c_str(), nullptr);
    if (i == 15) stime = std::strtod(field.c_str(), nullptr);
  }
  return (utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// A field of /proc/PID/status in MB (`VmRSS:` the resident set, `VmHWM:` its peak so far);
// negative if unknown.
double proc_status_mb(pid_t pid, std::string_view field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind(field, 0) == 0) return std::strtod(line.c_str() + field.size(), nullptr) / 1024.0;
  return -1;
}

struct child_result {
  bool exited = false;
  int status = 0;
  double user_s = 0, sys_s = 0;
  double max_rss_mb = 0;
  std::int64_t end_us = 0;
};

// The writer as a child process. It is forked at once, while the driver is still small, and
// waits on a pipe until `start` lets it exec: the peak RSS the kernel reports for a child
// (ru_maxrss) includes the pages it shared with its parent before exec, which would otherwise
// be the driver's whole workload.
class writer_process {
 public:
  writer_process(std::vector<std::string> argv, const std::filesystem::path& log, const s3_access& access) {
    if (argv.empty()) fail("run: no writer command after --");
    int go[2];
    if (pipe(go) != 0) fail("pipe failed");
    pid_ = fork();
    if (pid_ < 0) fail("fork failed");
    if (pid_ == 0) {
      ::close(go[1]);
      char byte = 0;
      if (::read(go[0], &byte, 1) != 1) _exit(0);  // the driver gave up before starting it
      ::close(go[0]);
      const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (fd >= 0) {
        dup2(fd, 1);
        dup2(fd, 2);
        ::close(fd);
      }
      setenv("AWS_ACCESS_KEY_ID", access.key_id.c_str(), 1);
      setenv("AWS_SECRET_ACCESS_KEY", access.secret.c_str(), 1);
      std::vector<char*> raw;
      for (auto& s : argv) raw.push_back(s.data());
      raw.push_back(nullptr);
      execv(raw[0], raw.data());
      std::perror("execv");
      _exit(127);
    }
    ::close(go[0]);
    go_ = go[1];
  }

  // Lets the child exec the writer.
  void start() {
    start_us_ = now_us();
    const char byte = 1;
    if (::write(go_, &byte, 1) != 1) fail("cannot start the writer");
    ::close(go_);
    go_ = -1;
  }
  writer_process(const writer_process&) = delete;
  writer_process& operator=(const writer_process&) = delete;
  ~writer_process() {
    if (go_ >= 0) ::close(go_);  // an unstarted child exits
    if (!result_.exited) stop(5s);
  }

  [[nodiscard]] pid_t pid() const noexcept { return pid_; }
  [[nodiscard]] std::int64_t start_us() const noexcept { return start_us_; }

  // True once the child exited (reaps it and keeps its resource usage).
  bool poll() {
    if (result_.exited) return true;
    rusage ru{};
    int status = 0;
    const pid_t r = wait4(pid_, &status, WNOHANG, &ru);
    if (r != pid_) return false;
    keep(status, ru);
    return true;
  }

  // SIGTERM (graceful: the writer finishes or abandons its batch), SIGKILL after `grace`.
  const child_result& stop(std::chrono::milliseconds grace) {
    if (poll()) return result_;
    kill(pid_, SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + grace;
    while (!poll()) {
      if (std::chrono::steady_clock::now() > deadline) {
        kill(pid_, SIGKILL);
        rusage ru{};
        int status = 0;
        if (wait4(pid_, &status, 0, &ru) == pid_) keep(status, ru);
        break;
      }
      std::this_thread::sleep_for(20ms);
    }
    return result_;
  }

  [[nodiscard]] const child_result& result() const noexcept { return result_; }

 private:
  void keep(int status, const rusage& ru) {
    result_.exited = true;
    result_.end_us = now_us();
    result_.status = status;
    result_.user_s = static_cast<double>(ru.ru_utime.tv_sec) + static_cast<double>(ru.ru_utime.tv_usec) / 1e6;
    result_.sys_s = static_cast<double>(ru.ru_stime.tv_sec) + static_cast<double>(ru.ru_stime.tv_usec) / 1e6;
    result_.max_rss_mb = static_cast<double>(ru.ru_maxrss) / 1024.0;  // KiB on Linux
  }

  pid_t pid_ = -1;
  int go_ = -1;
  std::int64_t start_us_ = 0;
  child_result result_;
};

// --- the writer's progress records ----------------------------------------------------------

struct batch {
  std::int64_t start_ms = 0;   // the record's timestamp: when the batch started
  double write_end_ms = 0;     // start + plan + read + process + write: its objects are written
  double commit_end_ms = 0;    // start + total
  double total_ms = 0;
  std::int64_t rows = 0;
  struct range {
    std::int32_t partition;
    std::int64_t from, to;
  };
  std::vector<range> ranges;
};

// "2024-05-31T23:59:59.123Z" → ms since the epoch.
std::int64_t parse_iso_ms(std::string_view s) {
  std::tm tm{};
  int ms = 0;
  if (std::sscanf(std::string(s).c_str(), "%d-%d-%dT%d:%d:%d.%dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                  &tm.tm_min, &tm.tm_sec, &ms) != 7)
    return 0;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<std::int64_t>(timegm(&tm)) * 1000 + ms;
}

std::vector<batch> read_progress(const std::filesystem::path& file) {
  std::vector<batch> out;
  std::ifstream in(file);
  simdjson::dom::parser parser;
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line.front() != '{') continue;
    simdjson::dom::element doc;
    if (parser.parse(line).get(doc)) continue;  // a line being written: read again later
    batch b;
    std::string_view ts;
    double plan = 0, read = 0, process = 0, write = 0;
    std::int64_t rows = 0;
    simdjson::dom::array sources;
    if (doc["timestamp"].get(ts) || doc["numInputRows"].get(rows) || doc["durationMs"]["plan"].get(plan) ||
        doc["durationMs"]["read"].get(read) || doc["durationMs"]["process"].get(process) ||
        doc["durationMs"]["write"].get(write) || doc["durationMs"]["total"].get(b.total_ms) ||
        doc["sources"].get(sources))
      continue;
    b.start_ms = parse_iso_ms(ts);
    b.rows = rows;
    b.write_end_ms = static_cast<double>(b.start_ms) + plan + read + process + write;
    b.commit_end_ms = static_cast<double>(b.start_ms) + b.total_ms;
    for (auto s : sources) {
      std::int64_t p = 0, from = 0, to = 0;
      if (s["partition"].get(p) || s["startOffset"].get(from) || s["endOffset"].get(to)) continue;
      b.ranges.push_back({static_cast<std::int32_t>(p), from, to});
    }
    out.push_back(std::move(b));
  }
  return out;
}

// --- producer -------------------------------------------------------------------------------

class producer {
 public:
  producer(const std::string& bootstrap, const std::string& topic, std::size_t messages, int linger_ms)
      : topic_(topic), offsets_(messages, -1) {
    char buf[512];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    const std::pair<const char*, std::string> settings[] = {
        {"bootstrap.servers", bootstrap}, {"enable.idempotence", "true"},
        {"linger.ms", std::to_string(linger_ms)}, {"message.timeout.ms", "120000"},
        {"queue.buffering.max.messages", "1000000"}, {"log_level", "3"}};
    for (const auto& [k, v] : settings)
      if (rd_kafka_conf_set(conf, k, v.c_str(), buf, sizeof buf) != RD_KAFKA_CONF_OK) fail(buf);
    rd_kafka_conf_set_opaque(conf, this);
    rd_kafka_conf_set_dr_msg_cb(conf, [](rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
      auto* self = static_cast<producer*>(opaque);
      const auto index = reinterpret_cast<std::uintptr_t>(m->_private);
      if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        if (self->first_error_.empty()) self->first_error_ = rd_kafka_err2str(m->err);
        ++self->failed_;
      } else if (index < self->offsets_.size()) {
        self->offsets_[index] = m->offset;
      }
    });
    rk_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, buf, sizeof buf);
    if (!rk_) {
      rd_kafka_conf_destroy(conf);
      fail(buf);
    }
  }
  producer(const producer&) = delete;
  producer& operator=(const producer&) = delete;
  ~producer() { rd_kafka_destroy(rk_); }

  // Hands message `index` to librdkafka (blocks while its queue is full) with Kafka timestamp
  // `ts_ms`. The bytes are not copied: they must outlive the delivery.
  void send(std::size_t index, const sw_e2e::message& m, std::int64_t ts_ms) {
    // rd_kafka_produceva rather than the RD_KAFKA_V_* macros of producev, which use GNU statement
    // expressions (clang -Wpedantic refuses them).
    rd_kafka_vu_t vu[7] = {};
    vu[0].vtype = RD_KAFKA_VTYPE_TOPIC;
    vu[0].u.cstr = topic_.c_str();
    vu[1].vtype = RD_KAFKA_VTYPE_PARTITION;
    vu[1].u.i32 = m.partition;
    vu[2].vtype = RD_KAFKA_VTYPE_MSGFLAGS;
    vu[2].u.i = 0;  // no copy: the workload outlives the deliveries
    vu[3].vtype = RD_KAFKA_VTYPE_KEY;
    vu[3].u.mem = {const_cast<char*>(m.key.data()), m.key.size()};
    vu[4].vtype = RD_KAFKA_VTYPE_VALUE;
    vu[4].u.mem = {const_cast<char*>(m.payload.data()), m.payload.size()};
    vu[5].vtype = RD_KAFKA_VTYPE_TIMESTAMP;
    vu[5].u.i64 = ts_ms;
    vu[6].vtype = RD_KAFKA_VTYPE_OPAQUE;
    vu[6].u.ptr = reinterpret_cast<void*>(static_cast<std::uintptr_t>(index));
    for (;;) {
      rd_kafka_error_t* error = rd_kafka_produceva(rk_, vu, std::size(vu));
      if (!error) return;
      const rd_kafka_resp_err_t e = rd_kafka_error_code(error);
      const std::string what = rd_kafka_error_string(error);
      rd_kafka_error_destroy(error);
      if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL) fail("produce: " + what);
      rd_kafka_poll(rk_, 10);
    }
  }
  void poll() { rd_kafka_poll(rk_, 0); }
  void flush() {
    if (rd_kafka_flush(rk_, 120000) != RD_KAFKA_RESP_ERR_NO_ERROR) fail("produce: flush timed out");
    rd_kafka_poll(rk_, 0);
    if (failed_ > 0) fail("produce: " + std::to_string(failed_) + " deliveries failed: " + first_error_);
  }
  // Offsets of the delivered messages (valid after flush).
  [[nodiscard]] const std::vector<std::int64_t>& offsets() const noexcept { return offsets_; }

 private:
  rd_kafka_t* rk_ = nullptr;
  std::string topic_;
  std::vector<std::int64_t> offsets_;
  std::string first_error_;
  std::int64_t failed_ = 0;
};

// --- setup ----------------------------------------------------------------------------------

int cmd_setup(const args& a) {
  const auto topic_error = sluice::test::create_topic(a.need("bootstrap"), a.need("topic"),
                                                      static_cast<int>(a.number("partitions", 4)));
  if (!topic_error.empty()) fail("create topic " + a.need("topic") + ": " + topic_error);
  auto s3 = make_s3(a.need("s3-endpoint"), s3_env());
  if (!s3.create_bucket(a.need("bucket"))) fail("create bucket: " + s3.last_error());
  return 0;
}

// --- s3-floor: the S3 server's PUT rate for objects like the catalog's ------------------------

// The workload the options describe (--messages, --partitions, --seed, --columns).
sw_e2e::workload_options workload_of(const args& a, double default_messages, std::string prefix) {
  sw_e2e::workload_options w;
  w.messages = static_cast<std::size_t>(a.number("messages", default_messages));
  w.partitions = static_cast<int>(a.number("partitions", 4));
  w.seed = static_cast<std::uint64_t>(a.number("seed", 1));
  w.prefix = std::move(prefix);
  w.columns = static_cast<int>(a.number("columns", 0));
  return w;
}

int cmd_s3_floor(const args& a) {
  const auto work = sw_e2e::make_workload(workload_of(a, 5000, "floor"));
  std::vector<sluice::s3::put_item> items;
  std::size_t bytes = 0;
  for (const auto& m : work)
    if (!m.object.empty()) {
      items.push_back({m.object, m.payload});
      bytes += m.payload.size();
    }
  const auto batch = static_cast<std::size_t>(a.number("batch", 500));
  auto s3 = make_s3(a.need("s3-endpoint"), s3_env(), static_cast<std::size_t>(a.number("in-flight", 16)));
  rusage before{}, after{};
  getrusage(RUSAGE_SELF, &before);
  const auto t0 = std::chrono::steady_clock::now();
  std::size_t failed = 0;
  for (std::size_t i = 0; i < items.size(); i += batch) {
    const auto n = std::min(batch, items.size() - i);
    for (const auto& e : s3.put_objects(a.need("bucket"), std::span<const sluice::s3::put_item>(items.data() + i, n)))
      if (e) ++failed;
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  getrusage(RUSAGE_SELF, &after);
  const auto cpu = [](const rusage& r) {
    return static_cast<double>(r.ru_utime.tv_sec + r.ru_stime.tv_sec) +
           static_cast<double>(r.ru_utime.tv_usec + r.ru_stime.tv_usec) / 1e6;
  };
  std::printf("{\"case\":\"s3-floor\",\"objects\":%zu,\"bytes\":%zu,\"failed\":%zu,\"seconds\":%.3f,"
              "\"objects_per_s\":%.1f,\"client_cpu_s\":%.3f,\"in_flight\":%zu,\"batch\":%zu}\n",
              items.size(), bytes, failed, secs, static_cast<double>(items.size()) / secs, cpu(after) - cpu(before),
              s3.options().max_in_flight, batch);
  return failed == 0 ? 0 : 1;
}

// --- run ------------------------------------------------------------------------------------

struct expected_object {
  std::size_t message = 0;  // index of the message that creates it
  std::int32_t partition = 0;
  bool watched = false;     // in the watcher's sample
  std::int64_t seen_us = -1;
};

struct watcher_stats {
  std::int64_t sweeps = 0;
  std::int64_t heads = 0;
  std::int64_t head_errors = 0;
  std::vector<double> sweep_ms;
};

int cmd_run(const args& a) {
  const std::string bootstrap = a.need("bootstrap");
  const std::string topic = a.need("topic");
  const std::string bucket = a.need("bucket");
  const std::filesystem::path out_dir = a.need("out");
  std::filesystem::create_directories(out_dir);
  const std::string mode = a.get("mode", "continuous");
  if (mode != "continuous" && mode != "once-after") fail("--mode: continuous or once-after");
  const double rate = a.number("rate", 0);  // 0: as fast as possible
  const auto poll_period = std::chrono::microseconds(static_cast<std::int64_t>(a.number("poll-ms", 20) * 1000));
  const auto lookahead = static_cast<int>(a.number("lookahead", 4));
  const auto sample = static_cast<std::size_t>(std::max(1.0, a.number("sample", 1)));
  const std::string verify = a.get("verify", "head");
  if (verify != "head" && verify != "list") fail("--verify: head or list");
  const auto timeout = std::chrono::seconds(static_cast<std::int64_t>(a.number("timeout-s", 300)));
  const auto access = s3_env();

  std::vector<std::string> writer_argv = a.writer;
  const auto progress_file = out_dir / "progress.jsonl";
  std::filesystem::remove(progress_file);
  writer_argv.push_back("--progress");
  writer_argv.push_back("file:" + progress_file.string());
  writer_process writer(writer_argv, out_dir / "writer.log", access);

  const auto w = workload_of(a, 1000, a.get("prefix", "catalog"));
  const auto work = sw_e2e::make_workload(w);
  std::size_t payload_bytes = 0;
  std::vector<expected_object> objects;
  std::map<sw_e2e::message_kind, std::size_t> kinds;
  for (std::size_t i = 0; i < work.size(); ++i) {
    payload_bytes += work[i].payload.size();
    ++kinds[work[i].kind];
    if (!work[i].object.empty()) objects.push_back({i, work[i].partition, objects.size() % sample == 0, -1});
  }
  {
    std::map<std::int32_t, std::size_t> last;  // partition → its last object
    for (std::size_t o = 0; o < objects.size(); ++o) last[objects[o].partition] = o;
    for (const auto& [p, o] : last) objects[o].watched = true;
  }
  const auto watched = static_cast<std::size_t>(
      std::count_if(objects.begin(), objects.end(), [](const expected_object& o) { return o.watched; }));
  std::fprintf(stderr, "workload: %zu messages (%zu new tables, %zu new versions, %zu resends, %zu envelope), "
               "%.1f MB, %zu objects expected\n",
               work.size(), kinds[sw_e2e::message_kind::new_table], kinds[sw_e2e::message_kind::new_version],
               kinds[sw_e2e::message_kind::resend], kinds[sw_e2e::message_kind::wrapper],
               static_cast<double>(payload_bytes) / 1e6, objects.size());

  producer prod(bootstrap, topic, work.size(), rate > 0 ? 1 : 5);
  std::vector<std::int64_t> produce_us(work.size(), 0);
  std::atomic<std::size_t> produced{0};
  bool started = false;

  // The services' and the writer's CPU over the measured window (from /proc).
  std::vector<std::pair<std::string, pid_t>> pids;
  for (const auto& p : a.pids) {
    const auto eq = p.find('=');
    if (eq == std::string::npos) fail("--pid NAME=PID");
    pids.emplace_back(p.substr(0, eq), static_cast<pid_t>(std::atoi(p.c_str() + eq + 1)));
  }
  std::vector<double> cpu_before;
  double writer_cpu_before = 0;
  rusage self_before{};
  const auto window_start = [&] {
    cpu_before.clear();
    for (const auto& [name, pid] : pids) cpu_before.push_back(proc_cpu_seconds(pid));
    writer_cpu_before = proc_cpu_seconds(writer.pid());
    getrusage(RUSAGE_SELF, &self_before);
  };

  const auto produce_all = [&] {
    const auto t0 = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < work.size(); ++i) {
      if (rate > 0) {
        std::this_thread::sleep_until(t0 + std::chrono::microseconds(static_cast<std::int64_t>(
                                               static_cast<double>(i) * 1e6 / rate)));
      }
      produce_us[i] = now_us();
      prod.send(i, work[i], produce_us[i] / 1000);
      produced.store(i + 1, std::memory_order_release);
      if (i % 64 == 0) prod.poll();
    }
  };

  if (mode == "continuous") {
    writer.start();
    started = true;
    // Warm-up: one envelope message per partition, processed by the writer, before measuring.
    std::vector<sw_e2e::message> warm;
    for (int p = 0; p < w.partitions; ++p) warm.push_back(sw_e2e::wrapper_message(p));
    {
      producer warm_prod(bootstrap, topic, warm.size(), 1);
      for (std::size_t i = 0; i < warm.size(); ++i) warm_prod.send(i, warm[i], now_us() / 1000);
      warm_prod.flush();
      const auto deadline = std::chrono::steady_clock::now() + 120s;
      for (;;) {
        std::set<std::int32_t> done;
        for (const auto& b : read_progress(progress_file))
          for (const auto& r : b.ranges)
            if (r.to > warm_prod.offsets()[static_cast<std::size_t>(r.partition)]) done.insert(r.partition);
        if (static_cast<int>(done.size()) == w.partitions) break;
        if (writer.poll()) fail("the writer exited during the warm-up; see " + (out_dir / "writer.log").string());
        if (std::chrono::steady_clock::now() > deadline) fail("the writer did not process the warm-up in 120 s");
        std::this_thread::sleep_for(50ms);
      }
    }
    std::fprintf(stderr, "writer ready after %.2f s (group joined, warm-up processed)\n",
                 static_cast<double>(now_us() - writer.start_us()) / 1e6);
  }
  const std::size_t warmup_batches = read_progress(progress_file).size();

  std::thread producer_thread;
  std::atomic<bool> producer_done{false};
  std::int64_t produce_end_us = 0;
  std::string producer_error;  // set by the producer thread, read after join
  if (mode == "continuous") {
    window_start();
    producer_thread = std::thread([&] {
      try {
        produce_all();
        prod.flush();
      } catch (const std::exception& e) {
        producer_error = e.what();
      }
      produce_end_us = now_us();
      producer_done.store(true, std::memory_order_release);
    });
  } else {
    produce_all();
    prod.flush();
    produce_end_us = now_us();
    producer_done.store(true);
    std::fprintf(stderr, "produced %zu messages in %.2f s; starting the writer\n", work.size(),
                 static_cast<double>(produce_end_us - produce_us.front()) / 1e6);
    writer.start();
    started = true;
    window_start();
  }

  // The watcher.
  auto s3 = make_s3(a.need("s3-endpoint"), access);
  std::vector<std::vector<std::size_t>> pending(static_cast<std::size_t>(w.partitions));
  for (std::size_t o = 0; o < objects.size(); ++o)
    if (objects[o].watched) pending[static_cast<std::size_t>(objects[o].partition)].push_back(o);
  std::size_t seen = 0;
  watcher_stats ws;
  std::optional<std::chrono::steady_clock::time_point> give_up;
  bool writer_died = false;
  // The writer's resident set, once a second (the peak of /proc's VmHWM): does it grow with the
  // messages it has seen?
  std::ofstream rss_csv(out_dir / "writer_rss.csv");
  rss_csv << "seconds,produced,rss_mb,hwm_mb\n";
  double rss_last = -1, hwm_running = -1;
  auto next_rss = std::chrono::steady_clock::now();
  const auto sample_rss = [&] {
    if (!started || writer.result().exited) return;
    const double rss = proc_status_mb(writer.pid(), "VmRSS:");
    const double hwm = proc_status_mb(writer.pid(), "VmHWM:");
    if (rss < 0) return;
    rss_last = rss;
    hwm_running = std::max(hwm_running, hwm);
    rss_csv << fmt::format("{:.1f},{},{:.1f},{:.1f}\n", static_cast<double>(now_us() - writer.start_us()) / 1e6,
                           produced.load(std::memory_order_acquire), rss, hwm);
  };
  while (seen < watched) {
    const auto sweep_start = std::chrono::steady_clock::now();
    if (sweep_start >= next_rss) {
      sample_rss();
      next_rss = sweep_start + 1s;
    }
    const std::size_t available = produced.load(std::memory_order_acquire);
    for (auto& queue : pending) {
      std::vector<std::size_t> kept;
      kept.reserve(queue.size());
      int misses = 0;
      std::size_t i = 0;
      for (; i < queue.size() && misses < lookahead; ++i) {
        auto& obj = objects[queue[i]];
        if (obj.message >= available) break;
        auto head = s3.head_object(bucket, work[obj.message].object);
        ++ws.heads;
        if (head && head.value()) {
          obj.seen_us = now_us();
          ++seen;
        } else {
          if (!head) ++ws.head_errors;
          ++misses;
          kept.push_back(queue[i]);
        }
      }
      kept.insert(kept.end(), queue.begin() + static_cast<std::ptrdiff_t>(i), queue.end());
      queue = std::move(kept);
    }
    ++ws.sweeps;
    ws.sweep_ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - sweep_start).count());
    if (seen == watched) break;
    if (producer_done.load(std::memory_order_acquire) && !give_up) give_up = std::chrono::steady_clock::now() + timeout;
    if (give_up && std::chrono::steady_clock::now() > *give_up) break;
    if (writer.poll()) {
      // A continuous writer must not exit. A --once writer is done: its objects are all written,
      // so the sweeps of the next 5 s at most find the rest.
      if (mode == "continuous") writer_died = true;
      if (writer_died || !give_up) break;
      give_up = std::min(*give_up, std::chrono::steady_clock::now() + 5s);
    }
    std::this_thread::sleep_until(sweep_start + poll_period);
  }
  const std::int64_t watch_end_us = now_us();
  if (producer_thread.joinable()) producer_thread.join();
  if (!producer_error.empty()) fail(producer_error);
  sample_rss();
  // A --once writer ends by itself: wait for it rather than stopping it.
  if (mode == "once-after") {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!writer.poll() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(20ms);
  }

  // Close the measured window, then stop the writer.
  rusage self_after{};
  getrusage(RUSAGE_SELF, &self_after);
  std::vector<double> cpu_after;
  for (const auto& [name, pid] : pids) cpu_after.push_back(proc_cpu_seconds(pid));
  double writer_window_cpu = -1;
  if (!writer.poll()) writer_window_cpu = proc_cpu_seconds(writer.pid()) - writer_cpu_before;
  const child_result wr = writer.stop(30s);
  if (writer_window_cpu < 0) writer_window_cpu = wr.user_s + wr.sys_s - writer_cpu_before;

  // The final check: every expected object there (and, listing, nothing else)?
  std::set<std::string> expected_keys;
  for (const auto& o : objects) expected_keys.insert(work[o.message].object);
  std::size_t listed = 0, unexpected = 0, missing = 0;
  const auto list_start = std::chrono::steady_clock::now();
  if (verify == "head") {
    for (const auto& k : expected_keys) {
      auto h = s3.head_object(bucket, k);
      if (!h) fail("final check: " + s3.last_error());
      if (h.value()) ++listed;
      else ++missing;
    }
  } else if (auto all = s3.list_all(bucket, w.prefix + "/")) {
    std::set<std::string> keys;
    for (const auto& o : all.value())
      if (!o.key.empty() && o.key.back() != '/') keys.insert(o.key);
    listed = keys.size();
    for (const auto& k : keys) unexpected += expected_keys.count(k) == 0 ? 1 : 0;
    for (const auto& k : expected_keys) missing += keys.count(k) == 0 ? 1 : 0;
  } else {
    fail("final listing: " + s3.last_error());
  }
  std::fprintf(stderr, "final check (%s): %zu objects in %.1f s\n", verify.c_str(), listed,
               std::chrono::duration<double>(std::chrono::steady_clock::now() - list_start).count());

  // Offsets → the batch that carried them (from the writer's progress records).
  const auto batches = read_progress(progress_file);
  std::map<std::pair<std::int32_t, std::int64_t>, const batch*> by_end;  // (partition, to) → batch
  std::int64_t rows = 0;
  double busy_ms = 0;
  double first_start_ms = 0, last_end_ms = 0;
  for (std::size_t i = warmup_batches; i < batches.size(); ++i) {
    const auto& b = batches[i];
    rows += b.rows;
    busy_ms += b.total_ms;
    if (first_start_ms == 0) first_start_ms = static_cast<double>(b.start_ms);
    last_end_ms = std::max(last_end_ms, b.commit_end_ms);
    for (const auto& r : b.ranges) by_end[{r.partition, r.to}] = &b;
  }
  const auto batch_of = [&](std::int32_t partition, std::int64_t offset) -> const batch* {
    auto it = by_end.upper_bound({partition, offset});
    if (it == by_end.end() || it->first.first != partition) return nullptr;
    for (const auto& r : it->second->ranges)
      if (r.partition == partition && r.from <= offset && offset < r.to) return it->second;
    return nullptr;
  };

  std::vector<double> latency_ms, writer_latency_ms, detect_delay_ms;
  std::int64_t last_seen_us = 0;
  std::ofstream csv(out_dir / "objects.csv");
  csv << "object,partition,offset,kind,produce_us,seen_us,latency_ms,batch_write_end_ms,batch_commit_end_ms\n";
  for (const auto& o : objects) {
    const auto& m = work[o.message];
    const std::int64_t offset = prod.offsets()[o.message];
    const batch* b = batch_of(o.partition, offset);
    const double produced_ms = static_cast<double>(produce_us[o.message]) / 1000.0;
    if (o.seen_us >= 0) {
      latency_ms.push_back(static_cast<double>(o.seen_us - produce_us[o.message]) / 1000.0);
      last_seen_us = std::max(last_seen_us, o.seen_us);
      if (b) detect_delay_ms.push_back(static_cast<double>(o.seen_us) / 1000.0 - b->write_end_ms);
    }
    if (b) writer_latency_ms.push_back(b->commit_end_ms - produced_ms);
    csv << m.object << ',' << o.partition << ',' << offset << ',' << sw_e2e::kind_name(m.kind) << ','
        << produce_us[o.message] << ',' << o.seen_us << ','
        << (o.seen_us >= 0 ? fmt::format("{:.3f}", static_cast<double>(o.seen_us - produce_us[o.message]) / 1000.0) : "")
        << ',' << (b ? fmt::format("{:.3f}", b->write_end_ms) : "") << ','
        << (b ? fmt::format("{:.3f}", b->commit_end_ms) : "") << '\n';
  }

  const auto lat = summarize(latency_ms);
  const auto wlat = summarize(writer_latency_ms);
  const auto det = summarize(detect_delay_ms);
  const auto sweep = summarize(ws.sweep_ms);
  const double first_produce_s = static_cast<double>(produce_us.front()) / 1e6;
  const double produce_s = static_cast<double>(produce_end_us) / 1e6 - first_produce_s;
  // End to end: from the first produce (continuous) or the writer's start (once-after) until the
  // last object was visible.
  const double e2e_from_s = mode == "continuous" ? first_produce_s : static_cast<double>(writer.start_us()) / 1e6;
  const double e2e_s = static_cast<double>(last_seen_us) / 1e6 - e2e_from_s;
  const double window_s = static_cast<double>(watch_end_us) / 1e6 -
                          (mode == "continuous" ? first_produce_s : static_cast<double>(writer.start_us()) / 1e6);
  const double writer_wall_s = static_cast<double>(wr.end_us - writer.start_us()) / 1e6;
  const auto cpu_of = [](const rusage& r) {
    return static_cast<double>(r.ru_utime.tv_sec + r.ru_stime.tv_sec) +
           static_cast<double>(r.ru_utime.tv_usec + r.ru_stime.tv_usec) / 1e6;
  };
  const double driver_cpu = cpu_of(self_after) - cpu_of(self_before);
  const bool complete = seen == watched && missing == 0 && unexpected == 0;

  std::string services_json;
  for (std::size_t i = 0; i < pids.size(); ++i)
    services_json += fmt::format("{}\"{}_cpu_s\":{:.2f}", i ? "," : "", pids[i].first, cpu_after[i] - cpu_before[i]);

  std::printf(
      "{\"mode\":\"%s\",\"rate\":%.1f,\"messages\":%zu,\"payload_mb\":%.2f,\"partitions\":%d,"
      "\"objects_expected\":%zu,\"watched\":%zu,\"watched_seen\":%zu,\"verify\":\"%s\",\"found\":%zu,\"missing\":%zu,\"unexpected\":%zu,"
      "\"complete\":%s,\"produce_s\":%.3f,\"produce_rate\":%.1f,\"e2e_s\":%.3f,\"e2e_msgs_per_s\":%.1f,"
      "\"latency_ms\":{\"n\":%zu,\"p50\":%.1f,\"p90\":%.1f,\"p99\":%.1f,\"max\":%.1f,\"mean\":%.1f},"
      "\"writer_commit_latency_ms\":{\"n\":%zu,\"p50\":%.1f,\"p99\":%.1f,\"max\":%.1f},"
      "\"detect_after_write_ms\":{\"n\":%zu,\"p50\":%.1f,\"p99\":%.1f,\"min\":%.1f,\"max\":%.1f},"
      "\"writer\":{\"batches\":%zu,\"rows\":%lld,\"busy_rows_per_s\":%.1f,\"active_rows_per_s\":%.1f,"
      "\"cpu_s\":%.2f,\"window_cpu_s\":%.2f,\"user_s\":%.2f,\"sys_s\":%.2f,\"peak_rss_mb\":%.1f,\"rss_end_mb\":%.1f,\"hwm_running_mb\":%.1f,\"wall_s\":%.2f,"
      "\"exit_status\":%d,\"died\":%s},"
      "\"watcher\":{\"poll_ms\":%.1f,\"lookahead\":%d,\"sweeps\":%lld,\"sweep_ms_p50\":%.2f,\"sweep_ms_p99\":%.2f,"
      "\"heads\":%lld,\"heads_per_s\":%.1f,\"head_errors\":%lld},"
      "\"window_s\":%.2f,\"driver_cpu_s\":%.2f,\"services\":{%s}}\n",
      mode.c_str(), rate, work.size(), static_cast<double>(payload_bytes) / 1e6, w.partitions, objects.size(), watched, seen,
      verify.c_str(), listed, missing, unexpected, complete ? "true" : "false", produce_s,
      static_cast<double>(work.size()) / produce_s, e2e_s, static_cast<double>(work.size()) / e2e_s, lat.n, lat.p50,
      lat.p90, lat.p99, lat.max, lat.mean, wlat.n, wlat.p50, wlat.p99, wlat.max, det.n, det.p50, det.p99, det.min,
      det.max, batches.size() - warmup_batches, static_cast<long long>(rows),
      busy_ms > 0 ? static_cast<double>(rows) / busy_ms * 1000.0 : 0.0,
      last_end_ms > first_start_ms ? static_cast<double>(rows) / (last_end_ms - first_start_ms) * 1000.0 : 0.0,
      wr.user_s + wr.sys_s, writer_window_cpu, wr.user_s, wr.sys_s, wr.max_rss_mb, rss_last, hwm_running, writer_wall_s,
      WIFEXITED(wr.status) ? WEXITSTATUS(wr.status) : 128 + WTERMSIG(wr.status), writer_died ? "true" : "false",
      static_cast<double>(poll_period.count()) / 1000.0, lookahead, static_cast<long long>(ws.sweeps),
      sweep.p50, sweep.p99, static_cast<long long>(ws.heads), static_cast<double>(ws.heads) / window_s,
      static_cast<long long>(ws.head_errors), window_s, driver_cpu, services_json.c_str());

  std::fprintf(stderr,
               "%s: %zu/%zu watched objects visible (found %zu, missing %zu, unexpected %zu); e2e %.1f msg/s; "
               "latency p50 %.1f ms p99 %.1f ms; writer CPU %.2f s, peak RSS %.1f MB\n",
               mode.c_str(), seen, watched, listed, missing, unexpected, static_cast<double>(work.size()) / e2e_s,
               lat.p50, lat.p99, wr.user_s + wr.sys_s, wr.max_rss_mb);
  return complete && !writer_died ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: sluice_sw_e2e_driver setup|run|s3-floor --option value ... (see the source)\n");
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  const std::string_view cmd = argv[1];
  const args a = parse_args(argc, argv, 2);
  try {
    if (cmd == "setup") return cmd_setup(a);
    if (cmd == "run") return cmd_run(a);
    if (cmd == "s3-floor") return cmd_s3_floor(a);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "sluice_sw_e2e_driver: %s\n", e.what());
    return 1;
  }
  std::fprintf(stderr, "unknown command %s\n", argv[1]);
  return 2;
}
