// SPDX-License-Identifier: Apache-2.0
#pragma once

// RAII handles of librdkafka objects and the creation of the two kinds of consumer handle the
// module uses: a group member (subscribes, never fetches) and a reader (assign + seek, no group).

#include "sluice/core/error.hpp"
#include "sluice/kafka/config.hpp"
#include "sluice/kafka/error.hpp"
#include "sluice/kafka/log.hpp"

#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::inline v0::kafka::detail {

struct rk_deleter {
  void operator()(rd_kafka_t* rk) const noexcept { rd_kafka_destroy(rk); }
};
using rk_ptr = std::unique_ptr<rd_kafka_t, rk_deleter>;

struct tpl_deleter {
  void operator()(rd_kafka_topic_partition_list_t* l) const noexcept {
    rd_kafka_topic_partition_list_destroy(l);
  }
};
using tpl_ptr = std::unique_ptr<rd_kafka_topic_partition_list_t, tpl_deleter>;

struct message_deleter {
  void operator()(rd_kafka_message_t* m) const noexcept { rd_kafka_message_destroy(m); }
};
using message_ptr = std::unique_ptr<rd_kafka_message_t, message_deleter>;

struct topic_deleter {
  void operator()(rd_kafka_topic_t* t) const noexcept { rd_kafka_topic_destroy(t); }
};
using topic_ptr = std::unique_ptr<rd_kafka_topic_t, topic_deleter>;

struct metadata_deleter {
  void operator()(const rd_kafka_metadata_t* m) const noexcept { rd_kafka_metadata_destroy(m); }
};
using metadata_ptr = std::unique_ptr<const rd_kafka_metadata_t, metadata_deleter>;

inline tpl_ptr one_partition(const std::string& topic, std::int32_t partition, std::int64_t offset) {
  tpl_ptr l(rd_kafka_topic_partition_list_new(1));
  rd_kafka_topic_partition_list_add(l.get(), topic.c_str(), partition)->offset = offset;
  return l;
}

// What librdkafka's callbacks reach through the handle's opaque pointer. It outlives the handle.
class client_state {
 public:
  using rebalance_fn =
      std::function<void(rd_kafka_t*, rd_kafka_resp_err_t, rd_kafka_topic_partition_list_t*)>;

  client_state(log_function fn, std::vector<std::string> secrets)
      : fn_(std::move(fn)), secrets_(std::move(secrets)) {}

  // Redacts and forwards one line; never throws (a throwing log function loses its line).
  void log(int level, std::string_view facility, std::string_view client, std::string_view message) noexcept {
    if (!fn_) return;
    try {
      const std::string text = redact(message, secrets_);
      const std::lock_guard lock(mu_);
      fn_(log_line{level, facility, client, text});
    } catch (...) {
    }
  }

  // An error event: logged; a refused credential or permission is remembered, so that calls
  // fail with it instead of retrying what cannot succeed.
  void on_error(rd_kafka_t* rk, int err, const char* reason) noexcept {
    const auto e = static_cast<rd_kafka_resp_err_t>(err);
    if (is_access_denied(e)) access_error_.store(err, std::memory_order_relaxed);
    std::string text = rd_kafka_err2name(e);
    text += ": ";
    text += reason != nullptr ? reason : "";
    log(e == RD_KAFKA_RESP_ERR__TRANSPORT ? 4 : 3, "ERROR", rk != nullptr ? rd_kafka_name(rk) : "", text);
  }

  // The last refused-credential error seen, or NO_ERROR.
  [[nodiscard]] rd_kafka_resp_err_t access_error() const noexcept {
    return static_cast<rd_kafka_resp_err_t>(access_error_.load(std::memory_order_relaxed));
  }

  rebalance_fn rebalance;  // set by group_member; called from rd_kafka_consumer_poll

 private:
  std::mutex mu_;
  log_function fn_;
  std::vector<std::string> secrets_;
  std::atomic<int> access_error_{0};
};

enum class client_role { group_member, reader };

// A handle and the state its callbacks use; the handle is destroyed first.
struct client {
  std::unique_ptr<client_state> state;
  rk_ptr rk;

  client() = default;
  client(client&&) noexcept = default;
  client& operator=(client&& o) noexcept {
    rk = std::move(o.rk);  // destroy our handle before the state its callbacks use
    state = std::move(o.state);
    return *this;
  }
  ~client() { rk.reset(); }

  void log(int level, std::string_view message) const noexcept {
    if (state) state->log(level, "SLUICE", rk ? rd_kafka_name(rk.get()) : "", message);
  }
};

inline void log_cb(const rd_kafka_t* rk, int level, const char* fac, const char* buf) {
  if (auto* st = static_cast<client_state*>(rd_kafka_opaque(rk)))
    st->log(level, fac != nullptr ? fac : "", rd_kafka_name(rk), buf != nullptr ? buf : "");
}

inline void error_cb(rd_kafka_t* rk, int err, const char* reason, void* opaque) {
  if (auto* st = static_cast<client_state*>(opaque)) st->on_error(rk, err, reason);
}

inline void rebalance_cb(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                         rd_kafka_topic_partition_list_t* parts, void* opaque) {
  auto* st = static_cast<client_state*>(opaque);
  if (st != nullptr && st->rebalance) {
    st->rebalance(rk, err, parts);
  } else {
    rd_kafka_assign(rk, nullptr);
  }
}

// Properties that configure group membership, which the reader (no group) must not get.
inline bool is_group_property(std::string_view key) {
  return key.starts_with("group.") || key == "partition.assignment.strategy" ||
         key == "session.timeout.ms" || key == "heartbeat.interval.ms" ||
         key == "max.poll.interval.ms";
}

// Creates a consumer handle for `role`: the -X properties first, then the managed ones.
inline result<client> make_client(const config& cfg, client_role role, log_function log,
                                  std::string* problem = nullptr) {
  SLUICE_TRYV(validate(cfg, problem));
  if (role == client_role::group_member && cfg.group_id.empty()) {
    set_problem(problem, "Kafka: a consumer group id is required");
    return errc::invalid_argument;
  }
  auto secrets = secret_values(cfg);
  client c;
  c.state = std::make_unique<client_state>(std::move(log), secrets);
  conf_ptr conf(rd_kafka_conf_new());
  if (role == client_role::reader) {
    // A read returns as soon as it has its range, often at the end of the log, where the
    // fetcher has already sent the next fetch; the broker holds that one up to this long, and
    // the next read of the partition waits for it (librdkafka's default is 500 ms). -X may
    // override it.
    SLUICE_TRYV(set_property(conf.get(), "fetch.wait.max.ms", "10", secrets, problem));
    if (cfg.read_ahead_bytes) {
      // librdkafka fetches ahead of what is consumed until its queue holds this much.
      const std::size_t kib = std::clamp<std::size_t>(*cfg.read_ahead_bytes / 1024, 1024, 2'097'151);
      SLUICE_TRYV(set_property(conf.get(), "queued.max.messages.kbytes", std::to_string(kib), secrets, problem));
      SLUICE_TRYV(set_property(conf.get(), "fetch.max.bytes", std::to_string(kib * 1024), secrets, problem));
    }
  }
  for (const auto& [k, v] : cfg.properties) {
    if (role == client_role::reader && is_group_property(k)) continue;
    auto set = set_property(conf.get(), k, v, secrets, problem);
    if (!set) return set.error();
  }
  std::vector<std::pair<std::string, std::string>> managed = {
      {"bootstrap.servers", cfg.bootstrap_servers},
      {"enable.auto.commit", "false"},
      {"enable.auto.offset.store", "false"},
  };
  if (role == client_role::group_member) {
    managed.emplace_back("group.id", cfg.group_id);
  } else {
    // librdkafka's assign() needs a group id. The reader never joins (no subscribe) and never
    // commits, so it may carry the member's: on a secured cluster that is the group the
    // credentials are allowed to use.
    managed.emplace_back("group.id", cfg.group_id.empty() ? std::string("sluice-reader") : cfg.group_id);
    // A read stops at the end of its range; EOF events tell it the partition has no more, and
    // an offset outside the log is an error, never a silent jump.
    managed.emplace_back("enable.partition.eof", "true");
    managed.emplace_back("auto.offset.reset", "error");
  }
  for (const auto& [k, v] : managed) {
    SLUICE_TRYV(set_property(conf.get(), k, v, secrets, problem));
  }
  rd_kafka_conf_set_opaque(conf.get(), c.state.get());
  rd_kafka_conf_set_log_cb(conf.get(), &log_cb);
  rd_kafka_conf_set_error_cb(conf.get(), &error_cb);
  if (role == client_role::group_member) rd_kafka_conf_set_rebalance_cb(conf.get(), &rebalance_cb);
  char err[512] = {0};
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf.get(), err, sizeof err);
  if (rk == nullptr) {
    set_problem(problem, "Kafka: " + redact(err, secrets));
    return errc::invalid_argument;
  }
  (void)conf.release();  // owned by the handle now
  c.rk.reset(rk);
  rd_kafka_poll_set_consumer(rk);  // error events are served by rd_kafka_consumer_poll
  return c;
}

}  // namespace sluice::inline v0::kafka::detail
