// SPDX-License-Identifier: Apache-2.0
// The source laws of test/laws/laws.hpp against kafka::partition_source on librdkafka's mock
// cluster: standalone (no group) and as a group member's partition (commits go to the group).

#include "laws.hpp"

#include "sluice/kafka/group_member.hpp"
#include "sluice/kafka/partition_reader.hpp"
#include "sluice/kafka/partition_source.hpp"

#include "kafka_test_support.hpp"
#include "mock_cluster.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace {

using namespace sluice;
using namespace std::chrono_literals;

// One mock cluster for the binary, with a topic whose partition 1 holds 25 records (tombstones
// and null keys among them) and whose partitions 0 and 2 hold others.
struct cluster {
  sluice_test::mock_cluster mc;
  std::string topic = "laws";
  cluster() {
    mc.create_topic(topic, 3);
    for (int i = 0; i < 25; ++i)
      mc.produce(topic, 1, i % 7 == 3 ? std::nullopt : std::optional<std::string>("k" + std::to_string(i)),
                 i % 5 == 4 ? std::nullopt : std::optional<std::string>("v" + std::to_string(i)));
    mc.produce_many(topic, 0, 4);
    mc.produce_many(topic, 2, 6);
  }
};
cluster& shared() {
  static cluster c;
  return c;
}

struct standalone_model {
  using type = kafka::partition_source;
  static type make() {
    auto cfg = sluice_test::mock_config(shared().mc, shared().topic);
    return kafka::partition_source::make(cfg, 1).value();
  }
  static type reopen(type&) { return make(); }
};

// A partition owned by a group member: commits go to the group; every instance has a group of
// its own, so the committed offsets of one test do not move the start of another.
struct member_model {
  using type = kafka::partition_source;
  static type make() {
    static int n = 0;
    auto cfg = sluice_test::mock_config(shared().mc, shared().topic, "laws-" + std::to_string(n++));
    members().push_back(std::make_unique<kafka::group_member>(kafka::group_member::make(cfg).value()));
    auto& m = *members().back();
    const auto end = std::chrono::steady_clock::now() + 30s;
    while (!m.owns({shared().topic, 1}) && std::chrono::steady_clock::now() < end) EXPECT_TRUE(m.poll(100ms));
    EXPECT_TRUE(m.owns({shared().topic, 1}));
    return kafka::partition_source(kafka::partition_reader::make(cfg).value(), {shared().topic, 1},
                                   kafka::starting_offsets::earliest, &m);
  }
  static type reopen(type& s) {
    // A new reader, the same member and group.
    auto cfg = sluice_test::mock_config(shared().mc, shared().topic);
    return kafka::partition_source(kafka::partition_reader::make(cfg).value(), s.partition(),
                                   kafka::starting_offsets::earliest, members().back().get());
  }
  static std::vector<std::unique_ptr<kafka::group_member>>& members() {
    static std::vector<std::unique_ptr<kafka::group_member>> m;
    return m;
  }
};

}  // namespace

namespace sluice_laws {
INSTANTIATE_TYPED_TEST_SUITE_P(KafkaPartition, SourceLaws, ::testing::Types<standalone_model>);
INSTANTIATE_TYPED_TEST_SUITE_P(KafkaGroupPartition, SourceLaws, ::testing::Types<member_model>);
// The kafka module has no sink, store or policy models.
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(SinkLaws);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(IdempotencyLaws);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(CheckpointStoreLaws);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(DeadLetterSinkLaws);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(DedupLaws);
}  // namespace sluice_laws
