// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// `kafka::group_member`: membership of a consumer group for one topic. It subscribes, serves
/// rebalances when polled, tracks the partitions it owns, reads and commits the group's offsets
/// (`enable.auto.commit=false`: offsets are committed only when the caller says so). It never
/// fetches records: the owned partitions are paused, records are read by a `partition_reader`.
///
/// **When rebalances happen.** librdkafka runs the rebalance callback only inside `poll()`, so
/// a caller that polls only between batches never has a batch cut by a revocation. The price is
/// the `max.poll.interval.ms` bound (librdkafka's default 300000 ms): if one batch takes longer
/// than that between two polls, the broker evicts the member, its partitions go to others and
/// the next `poll()` reports them lost. Keep `max_records_per_batch × time per record` well
/// below it, or raise it with `-X max.poll.interval.ms=…`.

#include "sluice/core/error.hpp"
#include "sluice/kafka/config.hpp"
#include "sluice/kafka/detail/client.hpp"
#include "sluice/kafka/error.hpp"
#include "sluice/kafka/log.hpp"
#include "sluice/kafka/topic_partition.hpp"

#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::inline v0::kafka {

/// What one `group_member::poll` changed.
struct membership_change {
  std::vector<topic_partition> assigned;  ///< newly owned partitions
  std::vector<topic_partition> revoked;   ///< partitions no longer owned
  /// The revoked partitions were lost rather than handed over (session timeout, `max.poll.
  /// interval.ms` exceeded): another member may already be working on them.
  bool lost = false;
  [[nodiscard]] bool empty() const noexcept { return assigned.empty() && revoked.empty(); }
};

/// One member of a consumer group subscribed to `config::topic` (see the file comment).
///
/// Errors (all members): `kafka::category()` codes, classified by `condition`; a refused
/// credential or permission fails every call with its (fatal) code instead of retrying.
/// Blocking: `make`, `committed`, `commit` and `close` make requests (up to `config::timeout`;
/// a commit waits for the group coordinator); `poll` waits up to its timeout.
/// Thread-safety: none; one thread at a time. The object may be moved (not while polling).
class group_member {
 public:
  /// Creates the member, checks that the topic exists and subscribes to it. The group is
  /// joined by the following `poll` calls.
  ///
  /// Errors: `errc::invalid_argument` for a bad configuration or an empty group id (`problem`
  /// says why); `UNKNOWN_TOPIC_OR_PART` (fatal) if the topic does not exist; the metadata
  /// request's error (e.g. `__TRANSPORT`, retriable) if the cluster cannot be reached.
  static result<group_member> make(const config& cfg, log_function log = {}, std::string* problem = nullptr) {
    SLUICE_TRY(c, detail::make_client(cfg, detail::client_role::group_member, std::move(log), problem));
    group_member m(std::move(c), cfg);
    SLUICE_TRYV(m.check_topic(problem));
    auto subs = detail::tpl_ptr(rd_kafka_topic_partition_list_new(1));
    rd_kafka_topic_partition_list_add(subs.get(), cfg.topic.c_str(), RD_KAFKA_PARTITION_UA);
    if (const auto e = rd_kafka_subscribe(m.rk(), subs.get()); e != RD_KAFKA_RESP_ERR_NO_ERROR)
      return make_error(e);
    return m;
  }

  group_member(group_member&&) noexcept = default;
  group_member& operator=(group_member&& o) noexcept {
    if (this != &o) {
      (void)close();
      impl_ = std::move(o.impl_);
    }
    return *this;
  }
  group_member(const group_member&) = delete;
  group_member& operator=(const group_member&) = delete;
  /// Leaves the group (`close`).
  ~group_member() { (void)close(); }

  /// Serves the group protocol for up to `timeout`: joins, rebalances (assigning or revoking
  /// partitions), error events. Returns what changed. Records that reach this handle are
  /// dropped (owned partitions are paused, so normally none do).
  ///
  /// Errors: a fatal librdkafka error, or a refused credential or permission.
  result<membership_change> poll(std::chrono::milliseconds timeout) {
    if (!impl_ || !impl_->client.rk) return make_error(RD_KAFKA_RESP_ERR__STATE);
    impl_->change = {};
    int wait = static_cast<int>(std::clamp<std::int64_t>(timeout.count(), 0, 3'600'000));
    // One wait, then whatever is already queued (bounded, so a flood cannot hold us here).
    for (int i = 0; i < 1000; ++i) {
      detail::message_ptr m(rd_kafka_consumer_poll(rk(), wait));
      wait = 0;
      if (!m) break;
      if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR && m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        std::string text = "group event: ";
        text += rd_kafka_message_errstr(m.get());
        impl_->client.log(m->err == RD_KAFKA_RESP_ERR__MAX_POLL_EXCEEDED ? 4 : 3, text);
      }
    }
    SLUICE_TRYV(check_access());
    char reason[256] = {0};
    if (const auto fatal = rd_kafka_fatal_error(rk(), reason, sizeof reason); fatal != RD_KAFKA_RESP_ERR_NO_ERROR)
      return make_error(fatal);
    return std::move(impl_->change);
  }

  /// The partitions owned now, sorted.
  [[nodiscard]] const std::vector<topic_partition>& owned() const noexcept { return impl_->owned; }
  /// True if `tp` is owned now.
  [[nodiscard]] bool owns(const topic_partition& tp) const noexcept {
    return impl_ && std::binary_search(impl_->owned.begin(), impl_->owned.end(), tp);
  }
  /// True once an assignment was received and no revocation has come after it without a new
  /// assignment: the membership is settled (it may still own no partition).
  [[nodiscard]] bool is_settled() const noexcept { return impl_ && impl_->settled; }
  /// Number of partitions lost (not handed over) so far.
  [[nodiscard]] std::int64_t lost_count() const noexcept { return impl_ ? impl_->lost_total : 0; }

  /// The group's committed offset of `tp`, or empty if it has none.
  /// Errors: see the class.
  [[nodiscard]] result<std::optional<std::int64_t>> committed(const topic_partition& tp) {
    SLUICE_TRYV(check_access());
    auto list = detail::one_partition(tp.topic, tp.partition, RD_KAFKA_OFFSET_INVALID);
    if (const auto e = rd_kafka_committed(rk(), list.get(), timeout_ms()); e != RD_KAFKA_RESP_ERR_NO_ERROR) {
      SLUICE_TRYV(check_access());
      return make_error(e);
    }
    const auto& el = list->elems[0];
    if (el.err != RD_KAFKA_RESP_ERR_NO_ERROR) return make_error(el.err);
    if (el.offset < 0) return std::optional<std::int64_t>{};
    return std::optional<std::int64_t>(el.offset);
  }

  /// Commits `offset` (the next offset to read) for `tp` to the group, synchronously, if the
  /// member owns `tp`; does nothing otherwise. A commit the coordinator refuses because the
  /// partition is moving (`REBALANCE_IN_PROGRESS`, `ILLEGAL_GENERATION`, `UNKNOWN_MEMBER_ID`,
  /// `FENCED_INSTANCE_ID`) is logged and skipped: the shared checkpoint is the authority for
  /// positions, and the partition's next owner commits it again when it takes over.
  /// Errors: see the class (other commit errors).
  result<void> commit(const topic_partition& tp, std::int64_t offset) {
    if (!owns(tp)) return success();
    SLUICE_TRYV(check_access());
    auto list = detail::one_partition(tp.topic, tp.partition, offset);
    rd_kafka_resp_err_t e = rd_kafka_commit(rk(), list.get(), 0);
    if (e == RD_KAFKA_RESP_ERR_NO_ERROR) e = list->elems[0].err;
    switch (e) {
      case RD_KAFKA_RESP_ERR_NO_ERROR: return success();
      case RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS:
      case RD_KAFKA_RESP_ERR_ILLEGAL_GENERATION:
      case RD_KAFKA_RESP_ERR_UNKNOWN_MEMBER_ID:
      case RD_KAFKA_RESP_ERR_FENCED_INSTANCE_ID:
      case RD_KAFKA_RESP_ERR__ASSIGNMENT_LOST: {
        std::string text = "offset commit of " + tp.topic + '/' + std::to_string(tp.partition) + " at " +
                           std::to_string(offset) + " skipped: " + rd_kafka_err2str(e);
        impl_->client.log(4, text);
        return success();
      }
      default:
        SLUICE_TRYV(check_access());
        return make_error(e);
    }
  }

  /// Leaves the group: revokes the owned partitions (they are handed to other members) and
  /// destroys the handle. Later calls do nothing. Called by the destructor.
  /// Errors: the error of `rd_kafka_consumer_close`.
  result<void> close() {
    if (!impl_ || !impl_->client.rk) return success();
    const auto e = rd_kafka_consumer_close(rk());
    impl_->client.rk.reset();
    impl_->owned.clear();
    impl_->settled = false;
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR) return make_error(e);
    return success();
  }

  /// Emits `message` through the log function (facility `SLUICE`).
  void log(int level, std::string_view message) const noexcept {
    if (impl_) impl_->client.log(level, message);
  }

  /// The configuration it was made with.
  [[nodiscard]] const config& settings() const noexcept { return impl_->cfg; }

  /// The librdkafka handle, for diagnostics. Do not poll or commit through it.
  [[nodiscard]] rd_kafka_t* handle() const noexcept { return impl_ ? impl_->client.rk.get() : nullptr; }

 private:
  struct impl {
    detail::client client;
    config cfg;
    std::vector<topic_partition> owned;  // sorted
    membership_change change;            // accumulated during one poll
    bool settled = false;
    std::int64_t lost_total = 0;
  };

  group_member(detail::client c, const config& cfg) : impl_(std::make_unique<impl>()) {
    impl_->client = std::move(c);
    impl_->cfg = cfg;
    impl* self = impl_.get();  // stable across moves of the group_member
    impl_->client.state->rebalance = [self](rd_kafka_t* rk, rd_kafka_resp_err_t err,
                                            rd_kafka_topic_partition_list_t* parts) {
      on_rebalance(*self, rk, err, parts);
    };
  }

  static std::vector<topic_partition> to_vector(const rd_kafka_topic_partition_list_t* parts) {
    std::vector<topic_partition> v;
    if (parts == nullptr) return v;
    for (int i = 0; i < parts->cnt; ++i) v.push_back({parts->elems[i].topic, parts->elems[i].partition});
    std::sort(v.begin(), v.end());
    return v;
  }

  static void on_rebalance(impl& self, rd_kafka_t* rk, rd_kafka_resp_err_t err,
                           rd_kafka_topic_partition_list_t* parts) {
    const char* proto = rd_kafka_rebalance_protocol(rk);
    const bool cooperative = proto != nullptr && std::strcmp(proto, "COOPERATIVE") == 0;
    auto list = to_vector(parts);
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
      if (cooperative) {
        if (rd_kafka_error_t* e = rd_kafka_incremental_assign(rk, parts)) rd_kafka_error_destroy(e);
      } else {
        rd_kafka_assign(rk, parts);
      }
      // Never fetch on the group's handle: records are read by the partition readers.
      if (parts != nullptr && parts->cnt > 0) rd_kafka_pause_partitions(rk, parts);
      for (auto& tp : list) {
        if (!std::binary_search(self.owned.begin(), self.owned.end(), tp)) {
          self.owned.insert(std::upper_bound(self.owned.begin(), self.owned.end(), tp), tp);
          self.change.assigned.push_back(tp);
        }
        std::erase(self.change.revoked, tp);
      }
      self.settled = true;
      std::string text = "assigned";
      for (const auto& tp : list) text += ' ' + tp.topic + '/' + std::to_string(tp.partition);
      self.client.log(6, text);
      return;
    }
    const bool lost = rd_kafka_assignment_lost(rk) != 0 || err != RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS;
    if (cooperative && err == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS) {
      if (rd_kafka_error_t* e = rd_kafka_incremental_unassign(rk, parts)) rd_kafka_error_destroy(e);
    } else {
      rd_kafka_assign(rk, nullptr);
      list = self.owned;  // eager: everything goes
    }
    for (auto& tp : list) {
      if (std::binary_search(self.owned.begin(), self.owned.end(), tp)) {
        std::erase(self.owned, tp);
        self.change.revoked.push_back(tp);
      }
      std::erase(self.change.assigned, tp);
    }
    self.settled = false;
    if (lost) {
      self.change.lost = true;
      self.lost_total += static_cast<std::int64_t>(list.size());
    }
    std::string text = lost ? "lost" : "revoked";
    for (const auto& tp : list) text += ' ' + tp.topic + '/' + std::to_string(tp.partition);
    if (err != RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS) {
      text += " (rebalance error: ";
      text += rd_kafka_err2str(err);
      text += ')';
    }
    self.client.log(lost ? 4 : 6, text);
  }

  result<void> check_topic(std::string* problem) {
    detail::topic_ptr t(rd_kafka_topic_new(rk(), impl_->cfg.topic.c_str(), nullptr));
    const rd_kafka_metadata_t* md = nullptr;
    const auto e = rd_kafka_metadata(rk(), 0, t.get(), &md, timeout_ms());
    detail::metadata_ptr guard(md);
    SLUICE_TRYV(check_access());
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
      detail::set_problem(problem, std::string("Kafka: cannot reach the cluster: ") + rd_kafka_err2str(e));
      return make_error(e);
    }
    for (int i = 0; md != nullptr && i < md->topic_cnt; ++i) {
      if (impl_->cfg.topic != md->topics[i].topic) continue;
      const auto te = md->topics[i].err;
      if (te == RD_KAFKA_RESP_ERR_NO_ERROR && md->topics[i].partition_cnt > 0) return success();
      detail::set_problem(problem, "Kafka: topic '" + impl_->cfg.topic + "': " +
                                       rd_kafka_err2str(te == RD_KAFKA_RESP_ERR_NO_ERROR
                                                            ? RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART
                                                            : te));
      return make_error(te == RD_KAFKA_RESP_ERR_NO_ERROR ? RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART : te);
    }
    detail::set_problem(problem, "Kafka: topic '" + impl_->cfg.topic + "' does not exist");
    return make_error(RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART);
  }

  result<void> check_access() const {
    if (const auto e = impl_->client.state->access_error(); e != RD_KAFKA_RESP_ERR_NO_ERROR) return make_error(e);
    return success();
  }

  [[nodiscard]] rd_kafka_t* rk() const noexcept { return impl_->client.rk.get(); }
  [[nodiscard]] int timeout_ms() const noexcept {
    return static_cast<int>(std::min<std::int64_t>(impl_->cfg.timeout.count(), 3'600'000));
  }

  std::unique_ptr<impl> impl_;
};

}  // namespace sluice::inline v0::kafka
