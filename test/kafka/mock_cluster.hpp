// SPDX-License-Identifier: Apache-2.0
#pragma once

// librdkafka's in-process mock cluster (rdkafka_mock.h) for the kafka module's tests: topics,
// a producer that returns the offsets the broker gave, injected request errors, brokers down.

#include "support/kafka_admin.hpp"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace sluice_test {

// Kafka protocol request types (ApiKey), for injecting errors.
namespace api {
inline constexpr std::int16_t produce = 0;
inline constexpr std::int16_t fetch = 1;
inline constexpr std::int16_t list_offsets = 2;
inline constexpr std::int16_t metadata = 3;
inline constexpr std::int16_t offset_commit = 8;
inline constexpr std::int16_t offset_fetch = 9;
inline constexpr std::int16_t find_coordinator = 10;
inline constexpr std::int16_t join_group = 11;
inline constexpr std::int16_t heartbeat = 12;
inline constexpr std::int16_t sync_group = 14;
}  // namespace api

// One message as produced and as the tests expect to read it back.
struct produced {
  std::int32_t partition = 0;
  std::int64_t offset = -1;
  std::optional<std::string> key;
  std::optional<std::string> payload;
};

class mock_cluster {
 public:
  explicit mock_cluster(int brokers = 1) {
    char err[512];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "log_level", "2", err, sizeof err);
    owner_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    if (owner_ == nullptr) throw std::runtime_error(err);
    mc_ = rd_kafka_mock_cluster_new(owner_, brokers);
    if (mc_ == nullptr) throw std::runtime_error("rd_kafka_mock_cluster_new failed");
    bootstrap_ = rd_kafka_mock_cluster_bootstraps(mc_);

    conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap_.c_str(), err, sizeof err);
    rd_kafka_conf_set(conf, "log_level", "2", err, sizeof err);
    rd_kafka_conf_set(conf, "linger.ms", "0", err, sizeof err);
    rd_kafka_conf_set_dr_msg_cb(conf, &mock_cluster::on_delivery);
    producer_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    if (producer_ == nullptr) throw std::runtime_error(err);
  }
  mock_cluster(const mock_cluster&) = delete;
  mock_cluster& operator=(const mock_cluster&) = delete;
  ~mock_cluster() {
    rd_kafka_flush(producer_, 10'000);
    rd_kafka_destroy(producer_);
    rd_kafka_mock_cluster_destroy(mc_);
    rd_kafka_destroy(owner_);
  }

  [[nodiscard]] const std::string& bootstrap() const noexcept { return bootstrap_; }
  [[nodiscard]] rd_kafka_mock_cluster_t* get() const noexcept { return mc_; }

  void create_topic(const std::string& topic, int partitions) {
    ASSERT_EQ(rd_kafka_mock_topic_create(mc_, topic.c_str(), partitions, 1), RD_KAFKA_RESP_ERR_NO_ERROR);
  }

  // Produces one message and waits for its delivery; returns the offset the broker gave it.
  std::int64_t produce(const std::string& topic, std::int32_t partition, const std::optional<std::string>& key,
                       const std::optional<std::string>& payload) {
    std::int64_t offset = -1;
    void* k = key ? const_cast<char*>(key->data()) : nullptr;
    const std::size_t klen = key ? key->size() : 0;
    void* v = payload ? const_cast<char*>(payload->data()) : nullptr;
    const std::size_t vlen = payload ? payload->size() : 0;
    // An empty but present value needs a non-null pointer.
    static char empty_marker = 0;
    if (payload && payload->empty()) v = &empty_marker;
    if (key && key->empty()) k = &empty_marker;
    const auto e = sluice::test::produce_one(producer_, topic, partition, k, klen, v, vlen, &offset);
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR) throw std::runtime_error(rd_kafka_err2str(e));
    if (rd_kafka_flush(producer_, 30'000) != RD_KAFKA_RESP_ERR_NO_ERROR) throw std::runtime_error("flush timed out");
    if (offset < 0) throw std::runtime_error("no delivery report");
    return offset;
  }

  // Produces `n` messages to `partition` with keys `k<i>` and payloads `<tag>-<partition>-<i>`,
  // returning them with their offsets.
  std::vector<produced> produce_many(const std::string& topic, std::int32_t partition, int n,
                                     const std::string& tag = "v") {
    std::vector<produced> out;
    for (int i = 0; i < n; ++i) {
      produced p{partition, -1, "k" + std::to_string(i), tag + "-" + std::to_string(partition) + "-" + std::to_string(i)};
      p.offset = produce(topic, partition, p.key, p.payload);
      out.push_back(std::move(p));
    }
    return out;
  }

  void push_errors(std::int16_t api_key, const std::vector<rd_kafka_resp_err_t>& errors) {
    rd_kafka_mock_push_request_errors_array(mc_, api_key, errors.size(), errors.data());
  }
  void clear_errors(std::int16_t api_key) { rd_kafka_mock_clear_request_errors(mc_, api_key); }
  void broker_down(std::int32_t id = 1) { rd_kafka_mock_broker_set_down(mc_, id); }
  void broker_up(std::int32_t id = 1) { rd_kafka_mock_broker_set_up(mc_, id); }

 private:
  static void on_delivery(rd_kafka_t*, const rd_kafka_message_t* m, void*) {
    if (m->_private != nullptr && m->err == RD_KAFKA_RESP_ERR_NO_ERROR)
      *static_cast<std::int64_t*>(m->_private) = m->offset;
  }

  rd_kafka_t* owner_ = nullptr;
  rd_kafka_mock_cluster_t* mc_ = nullptr;
  rd_kafka_t* producer_ = nullptr;
  std::string bootstrap_;
};

}  // namespace sluice_test
