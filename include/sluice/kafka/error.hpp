// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// The error domain of librdkafka: the category `"sluice.kafka"` wrapping `rd_kafka_resp_err_t`,
/// the converter `kafka::make_error`, and the classification of every code as
/// `condition::retriable` or `condition::fatal` (STYLE.md §4). Raw librdkafka codes are
/// inspected only here and in the other headers of `sluice/kafka/`.

#include "sluice/core/error.hpp"

#include <librdkafka/rdkafka.h>

#include <string>
#include <system_error>

namespace sluice::inline v0::kafka {

/// True for the librdkafka codes that trying again later may cure: transport failures and
/// timeouts, brokers or coordinators that are moving, loading or briefly unavailable, leader
/// changes, throttling and a rebalance in progress.
///
/// Everything else is fatal: authentication and authorization failures, unknown topics or
/// partitions, offsets out of range (records deleted by retention or a truncated log), invalid
/// configuration and protocol errors.
/// Thread-safety: safe.
[[nodiscard]] constexpr bool is_retriable(rd_kafka_resp_err_t e) noexcept {
  switch (e) {
    case RD_KAFKA_RESP_ERR__TRANSPORT:
    case RD_KAFKA_RESP_ERR__RESOLVE:
    case RD_KAFKA_RESP_ERR__MSG_TIMED_OUT:
    case RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN:
    case RD_KAFKA_RESP_ERR__TIMED_OUT:
    case RD_KAFKA_RESP_ERR__QUEUE_FULL:
    case RD_KAFKA_RESP_ERR__WAIT_COORD:
    case RD_KAFKA_RESP_ERR__IN_PROGRESS:
    case RD_KAFKA_RESP_ERR__PREV_IN_PROGRESS:
    case RD_KAFKA_RESP_ERR__TIMED_OUT_QUEUE:
    case RD_KAFKA_RESP_ERR__WAIT_CACHE:
    case RD_KAFKA_RESP_ERR__RETRY:
    case RD_KAFKA_RESP_ERR__NODE_UPDATE:
    case RD_KAFKA_RESP_ERR__ISR_INSUFF:
    case RD_KAFKA_RESP_ERR__OUTDATED:
    case RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION:
    case RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT:
    case RD_KAFKA_RESP_ERR_BROKER_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_REPLICA_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_NETWORK_EXCEPTION:
    case RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS:
    case RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_NOT_COORDINATOR:
    case RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS:
    case RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND:
    case RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS:
    case RD_KAFKA_RESP_ERR_KAFKA_STORAGE_ERROR:
    case RD_KAFKA_RESP_ERR_FETCH_SESSION_ID_NOT_FOUND:
    case RD_KAFKA_RESP_ERR_INVALID_FETCH_SESSION_EPOCH:
    case RD_KAFKA_RESP_ERR_FENCED_LEADER_EPOCH:
    case RD_KAFKA_RESP_ERR_UNKNOWN_LEADER_EPOCH:
    case RD_KAFKA_RESP_ERR_OFFSET_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_PREFERRED_LEADER_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_ELIGIBLE_LEADERS_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_UNSTABLE_OFFSET_COMMIT:
    case RD_KAFKA_RESP_ERR_THROTTLING_QUOTA_EXCEEDED:
      return true;
    default:
      return false;
  }
}

/// True for the codes that mean the credentials or permissions were refused (all of them
/// fatal), so a caller can say "authentication failed" instead of "retry later".
/// Thread-safety: safe.
[[nodiscard]] constexpr bool is_access_denied(rd_kafka_resp_err_t e) noexcept {
  switch (e) {
    case RD_KAFKA_RESP_ERR__AUTHENTICATION:
    case RD_KAFKA_RESP_ERR__SSL:
    case RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED:
    case RD_KAFKA_RESP_ERR_UNSUPPORTED_SASL_MECHANISM:
    case RD_KAFKA_RESP_ERR_ILLEGAL_SASL_STATE:
    case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_DELEGATION_TOKEN_AUTHORIZATION_FAILED:
      return true;
    default:
      return false;
  }
}

namespace detail {

class category_impl final : public std::error_category {
 public:
  const char* name() const noexcept override { return "sluice.kafka"; }
  std::string message(int ev) const override {
    const auto e = static_cast<rd_kafka_resp_err_t>(ev);
    std::string m = rd_kafka_err2name(e);
    m += ": ";
    m += rd_kafka_err2str(e);
    return m;
  }
  bool equivalent(int ev, const std::error_condition& cond) const noexcept override {
    const auto e = static_cast<rd_kafka_resp_err_t>(ev);
    if (cond.category() == condition_category()) {
      switch (static_cast<condition>(cond.value())) {
        case condition::retriable: return is_retriable(e);
        case condition::fatal: return e != RD_KAFKA_RESP_ERR_NO_ERROR && !is_retriable(e);
        case condition::duplicate:
        case condition::invalid_input: return false;
      }
      return false;
    }
    return std::error_category::equivalent(ev, cond);
  }
};

}  // namespace detail

/// The category of librdkafka's codes (`"sluice.kafka"`); one instance per program.
inline const std::error_category& category() noexcept {
  static const detail::category_impl c;
  return c;
}

/// `e` as a `std::error_code` of `kafka::category()`; `RD_KAFKA_RESP_ERR_NO_ERROR` gives an
/// empty code. Compare with `condition::retriable` / `condition::fatal` to classify it, and
/// use `kafka::is_access_denied(kafka::code_of(ec))` for credential problems.
[[nodiscard]] inline std::error_code make_error(rd_kafka_resp_err_t e) noexcept {
  if (e == RD_KAFKA_RESP_ERR_NO_ERROR) return {};
  return {static_cast<int>(e), category()};
}

/// The librdkafka code inside `ec` if it is of `kafka::category()`, else
/// `RD_KAFKA_RESP_ERR_UNKNOWN`.
[[nodiscard]] inline rd_kafka_resp_err_t code_of(const std::error_code& ec) noexcept {
  if (ec.category() != category()) return RD_KAFKA_RESP_ERR_UNKNOWN;
  return static_cast<rd_kafka_resp_err_t>(ec.value());
}

}  // namespace sluice::inline v0::kafka
