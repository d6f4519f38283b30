// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// Test helpers on a real Kafka broker with librdkafka: create a topic, produce messages, read a
/// group's committed offsets. Link `PkgConfig::RDKAFKA` (or `sluice::kafka`).

#include <librdkafka/rdkafka.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sluice::test {

namespace detail {
struct rk_deleter {
  void operator()(rd_kafka_t* rk) const noexcept { rd_kafka_destroy(rk); }
};
using rk_ptr = std::unique_ptr<rd_kafka_t, rk_deleter>;

inline rk_ptr make_client(rd_kafka_type_t type, const std::string& bootstrap,
                          const std::vector<std::pair<std::string, std::string>>& extra, std::string& err) {
  char buf[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  auto set = [&](const std::string& k, const std::string& v) {
    if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), buf, sizeof buf) != RD_KAFKA_CONF_OK) {
      err = buf;
      return false;
    }
    return true;
  };
  bool ok = set("bootstrap.servers", bootstrap) && set("log_level", "3");
  for (const auto& [k, v] : extra) ok = ok && set(k, v);
  if (!ok) {
    rd_kafka_conf_destroy(conf);
    return nullptr;
  }
  rd_kafka_t* rk = rd_kafka_new(type, conf, buf, sizeof buf);
  if (!rk) {
    err = buf;
    rd_kafka_conf_destroy(conf);
    return nullptr;
  }
  return rk_ptr(rk);
}
}  // namespace detail

/// Creates `topic` with `partitions` partitions (replication 1) and the topic `configs` (e.g.
/// `max.message.bytes`), and waits until the broker has it. Returns an error text, empty on
/// success.
inline std::string create_topic(const std::string& bootstrap, const std::string& topic, int partitions,
                                const std::vector<std::pair<std::string, std::string>>& configs = {}) {
  std::string err;
  auto rk = detail::make_client(RD_KAFKA_PRODUCER, bootstrap, {}, err);
  if (!rk) return err;
  char buf[512];
  rd_kafka_NewTopic_t* nt = rd_kafka_NewTopic_new(topic.c_str(), partitions, 1, buf, sizeof buf);
  if (!nt) return buf;
  for (const auto& [k, v] : configs) rd_kafka_NewTopic_set_config(nt, k.c_str(), v.c_str());
  rd_kafka_queue_t* q = rd_kafka_queue_new(rk.get());
  rd_kafka_AdminOptions_t* opt = rd_kafka_AdminOptions_new(rk.get(), RD_KAFKA_ADMIN_OP_CREATETOPICS);
  rd_kafka_AdminOptions_set_operation_timeout(opt, 30000, buf, sizeof buf);
  rd_kafka_CreateTopics(rk.get(), &nt, 1, opt, q);
  rd_kafka_event_t* ev = rd_kafka_queue_poll(q, 60000);
  if (!ev) {
    err = "CreateTopics timed out";
  } else if (rd_kafka_event_error(ev)) {
    err = rd_kafka_event_error_string(ev);
  } else if (const auto* res = rd_kafka_event_CreateTopics_result(ev)) {
    size_t n = 0;
    const rd_kafka_topic_result_t** tr = rd_kafka_CreateTopics_result_topics(res, &n);
    for (size_t i = 0; i < n; ++i)
      if (rd_kafka_topic_result_error(tr[i]) != RD_KAFKA_RESP_ERR_NO_ERROR)
        err = rd_kafka_topic_result_error_string(tr[i]);
  }
  if (ev) rd_kafka_event_destroy(ev);
  rd_kafka_AdminOptions_destroy(opt);
  rd_kafka_queue_destroy(q);
  rd_kafka_NewTopic_destroy(nt);
  if (!err.empty()) return err;
  // Wait until the metadata shows every partition with a leader.
  for (int attempt = 0; attempt < 100; ++attempt) {
    rd_kafka_topic_t* t = rd_kafka_topic_new(rk.get(), topic.c_str(), nullptr);
    const rd_kafka_metadata_t* md = nullptr;
    bool ready = false;
    if (rd_kafka_metadata(rk.get(), 0, t, &md, 5000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
      ready = md->topic_cnt == 1 && md->topics[0].err == RD_KAFKA_RESP_ERR_NO_ERROR &&
              md->topics[0].partition_cnt == partitions;
      for (int i = 0; ready && i < md->topics[0].partition_cnt; ++i)
        ready = md->topics[0].partitions[i].leader >= 0;
      rd_kafka_metadata_destroy(md);
    }
    rd_kafka_topic_destroy(t);
    if (ready) return {};
    rd_kafka_poll(rk.get(), 100);
  }
  return "topic " + topic + " has no leaders after creation";
}

/// One message to produce: partition (−1: by key hash), key and payload (absent = null).
/// Hands one message to the producer `rk` (copied; key and value null with length 0 when absent;
/// `opaque` to the delivery report). rd_kafka_produceva, not rd_kafka_producev: the
/// RD_KAFKA_V_* macros of the latter do not compile under clang's -Wpedantic.
inline rd_kafka_resp_err_t produce_one(rd_kafka_t* rk, const std::string& topic, std::int32_t partition, void* key,
                                       std::size_t key_len, void* value, std::size_t value_len,
                                       void* opaque = nullptr) {
  rd_kafka_vu_t vu[6] = {};
  vu[0].vtype = RD_KAFKA_VTYPE_TOPIC;
  vu[0].u.cstr = topic.c_str();
  vu[1].vtype = RD_KAFKA_VTYPE_PARTITION;
  vu[1].u.i32 = partition;
  vu[2].vtype = RD_KAFKA_VTYPE_MSGFLAGS;
  vu[2].u.i = RD_KAFKA_MSG_F_COPY;
  vu[3].vtype = RD_KAFKA_VTYPE_KEY;
  vu[3].u.mem = {key, key_len};
  vu[4].vtype = RD_KAFKA_VTYPE_VALUE;
  vu[4].u.mem = {value, value_len};
  vu[5].vtype = RD_KAFKA_VTYPE_OPAQUE;
  vu[5].u.ptr = opaque;
  rd_kafka_error_t* error = rd_kafka_produceva(rk, vu, 6);
  const rd_kafka_resp_err_t e = error != nullptr ? rd_kafka_error_code(error) : RD_KAFKA_RESP_ERR_NO_ERROR;
  if (error != nullptr) rd_kafka_error_destroy(error);
  return e;
}

struct test_message {
  std::int32_t partition = -1;
  std::optional<std::string> key;
  std::optional<std::string> payload;
};

/// Produces `messages` to `topic` in order (idempotent producer, acks=all; `extra` producer
/// properties, e.g. `message.max.bytes` for big messages) and waits for every delivery. Returns
/// an error text (the first failed delivery's), empty on success.
inline std::string produce(const std::string& bootstrap, const std::string& topic,
                           const std::vector<test_message>& messages,
                           const std::vector<std::pair<std::string, std::string>>& extra = {}) {
  std::string err;
  char buf[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  std::vector<std::pair<std::string, std::string>> props{
      {"bootstrap.servers", bootstrap}, {"enable.idempotence", "true"}, {"linger.ms", "5"},
      {"message.timeout.ms", "15000"}, {"log_level", "3"}};
  props.insert(props.end(), extra.begin(), extra.end());
  for (const auto& [k, v] : props) {
    if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), buf, sizeof buf) != RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      return buf;
    }
  }
  std::string failed;  // the first delivery error
  rd_kafka_conf_set_opaque(conf, &failed);
  rd_kafka_conf_set_dr_msg_cb(conf, [](rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
    auto* first = static_cast<std::string*>(opaque);
    if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR && first->empty()) *first = rd_kafka_err2str(m->err);
  });
  detail::rk_ptr rk(rd_kafka_new(RD_KAFKA_PRODUCER, conf, buf, sizeof buf));
  if (!rk) {
    rd_kafka_conf_destroy(conf);
    return buf;
  }
  for (const auto& m : messages) {
    for (;;) {
      const rd_kafka_resp_err_t e = produce_one(
          rk.get(), topic, m.partition, m.key ? const_cast<char*>(m.key->data()) : nullptr, m.key ? m.key->size() : 0,
          m.payload ? const_cast<char*>(m.payload->data()) : nullptr, m.payload ? m.payload->size() : 0);
      if (e == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
        rd_kafka_poll(rk.get(), 50);
        continue;
      }
      if (e != RD_KAFKA_RESP_ERR_NO_ERROR) return rd_kafka_err2str(e);
      break;
    }
    rd_kafka_poll(rk.get(), 0);
  }
  if (rd_kafka_flush(rk.get(), 60000) != RD_KAFKA_RESP_ERR_NO_ERROR) return "flush timed out";
  return failed;
}

/// The offsets `group` committed for partitions 0..partitions−1 of `topic` (−1 = none).
inline std::vector<std::int64_t> committed_offsets(const std::string& bootstrap, const std::string& group,
                                                   const std::string& topic, int partitions) {
  std::string err;
  std::vector<std::int64_t> out(static_cast<std::size_t>(partitions), -1);
  auto rk = detail::make_client(RD_KAFKA_CONSUMER, bootstrap, {{"group.id", group}}, err);
  if (!rk) return out;
  rd_kafka_topic_partition_list_t* l = rd_kafka_topic_partition_list_new(partitions);
  for (int p = 0; p < partitions; ++p) rd_kafka_topic_partition_list_add(l, topic.c_str(), p);
  if (rd_kafka_committed(rk.get(), l, 30000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    for (int i = 0; i < l->cnt; ++i)
      out[static_cast<std::size_t>(l->elems[i].partition)] = l->elems[i].offset < 0 ? -1 : l->elems[i].offset;
  }
  rd_kafka_topic_partition_list_destroy(l);
  rd_kafka_consumer_close(rk.get());
  return out;
}

}  // namespace sluice::test
