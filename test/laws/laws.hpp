// SPDX-License-Identifier: Apache-2.0
#pragma once

// Law suites: the semantic contracts of the stage concepts (documented in
// include/sluice/core/concepts/*.hpp), as GoogleTest typed-test suites run against every model.
//
// To check a model, write a *model traits* type and instantiate the suite in ONE .cpp file of a
// test binary (the suites are registered in this header, so include it in one TU per binary),
// inside namespace sluice_laws (the suite names are looked up there):
//
//   struct my_store_model {
//     using type = sluice::fs::checkpoint_store;
//     static type make();               // an empty store (e.g. in a fresh temporary directory)
//     static type reopen(type& s);      // the same store as a new process would open it
//   };
//   namespace sluice_laws {
//   INSTANTIATE_TYPED_TEST_SUITE_P(Fs, CheckpointStoreLaws, ::testing::Types<my_store_model>);
//   }
//
// The traits each suite needs are documented above it.

#include "stages.hpp"

#include "sluice/core/concepts.hpp"
#include "sluice/core/memory_source.hpp"
#include "sluice/core/memory_stores.hpp"
#include "sluice/core/null_sink.hpp"
#include "sluice/core/pipeline.hpp"
#include "sluice/core/progress.hpp"
#include "sluice/core/runner.hpp"
#include "sluice/core/codecs/raw_view.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

namespace sluice_laws {

using namespace sluice;

// ================================================================================================
// SourceLaws<M>: M::type models `source`.
//   static type make();            a source holding at least 20 records in at least 2 partitions
//   static type reopen(type& s);   a new instance over the same data (a restarted process)
// ================================================================================================
template <class M>
class SourceLaws : public ::testing::Test {};
TYPED_TEST_SUITE_P(SourceLaws);

namespace detail {
inline std::int64_t total_size(const std::vector<offset_range>& rs) {
  std::int64_t n = 0;
  for (const auto& r : rs) n += r.size();
  return n;
}
// Reads `ranges` and appends owning copies to `out`: a zero-copy source's views die at its
// next read, and the laws compare records of several reads.
template <class S>
result<void> read_owned(S& s, const std::vector<offset_range>& ranges, std::vector<source_record>& out) {
  std::vector<source_record_t<S>> got;
  SLUICE_TRYV(s.read(ranges, got));
  for (const auto& r : got) out.push_back(to_source_record(r));
  return success();
}
template <class S>
std::vector<source_record> read_all_at_once(S& s) {
  auto plan = s.plan({}, std::numeric_limits<std::int32_t>::max());
  EXPECT_TRUE(plan) << plan.error().message();
  std::vector<source_record> out;
  if (plan) {
    EXPECT_TRUE(read_owned(s, plan.value(), out));
  }
  return out;
}
inline auto record_id(const source_record& r) { return std::tie(r.topic, r.partition, r.offset); }
}  // namespace detail

TYPED_TEST_P(SourceLaws, PlanHasNoSideEffects) {
  auto s = TypeParam::make();
  const auto a = s.plan({}, 7);
  const auto b = s.plan({}, 7);
  ASSERT_TRUE(a && b);
  EXPECT_FALSE(a.value().empty());
  EXPECT_EQ(a.value(), b.value());
}

TYPED_TEST_P(SourceLaws, PlanRespectsMaxAndIsWellFormed) {
  auto s = TypeParam::make();
  for (const std::int64_t max : {1, 2, 3, 5, 8, 13}) {
    const auto p = s.plan({}, max);
    ASSERT_TRUE(p);
    EXPECT_LE(detail::total_size(p.value()), max);
    EXPECT_GE(detail::total_size(p.value()), 1);
    std::set<std::pair<std::string, std::int32_t>> seen;
    for (const auto& r : p.value()) {
      EXPECT_LT(r.from, r.to) << "ranges are non-empty";
      EXPECT_TRUE(seen.emplace(r.topic, r.partition).second) << "one range per partition";
    }
  }
}

TYPED_TEST_P(SourceLaws, PlanStartsAtThePosition) {
  auto s = TypeParam::make();
  const auto first = s.plan({}, 4);
  ASSERT_TRUE(first);
  const auto pos = advance_position({}, first.value());
  const auto next = s.plan(pos, 4);
  ASSERT_TRUE(next);
  for (const auto& r : next.value()) {
    for (const auto& p : pos) {
      if (p.topic == r.topic && p.partition == r.partition) {
        EXPECT_EQ(r.from, p.to);
      }
    }
  }
}

TYPED_TEST_P(SourceLaws, ReadReplaysExactlyInThisAndANewInstance) {
  auto s = TypeParam::make();
  const auto p = s.plan({}, 9);
  ASSERT_TRUE(p);
  std::vector<source_record> a, b, c;
  ASSERT_TRUE(detail::read_owned(s, p.value(), a));
  ASSERT_TRUE(detail::read_owned(s, p.value(), b));
  auto again = TypeParam::reopen(s);
  ASSERT_TRUE(detail::read_owned(again, p.value(), c));
  EXPECT_FALSE(a.empty());
  EXPECT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) {
    EXPECT_EQ(detail::record_id(a[i]), detail::record_id(b[i]));
    EXPECT_EQ(a[i].key, b[i].key);
    EXPECT_EQ(a[i].payload, b[i].payload);
  }
  ASSERT_EQ(a.size(), c.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(detail::record_id(a[i]), detail::record_id(c[i]));
    EXPECT_EQ(a[i].key, c[i].key);
    EXPECT_EQ(a[i].payload, c[i].payload);
  }
}

TYPED_TEST_P(SourceLaws, ReadStaysInRangesInOffsetOrder) {
  auto s = TypeParam::make();
  const auto p = s.plan({}, 11);
  ASSERT_TRUE(p);
  std::vector<source_record> out;
  ASSERT_TRUE(detail::read_owned(s, p.value(), out));
  std::map<std::pair<std::string, std::int32_t>, std::int64_t> last;
  for (const auto& rec : out) {
    const auto in_range = std::any_of(p.value().begin(), p.value().end(), [&](const offset_range& r) {
      return r.topic == rec.topic && r.partition == rec.partition && rec.offset >= r.from &&
             rec.offset < r.to;
    });
    EXPECT_TRUE(in_range) << rec.topic << "/" << rec.partition << "@" << rec.offset;
    auto [it, fresh] = last.try_emplace({rec.topic, rec.partition}, rec.offset);
    if (!fresh) {
      EXPECT_LT(it->second, rec.offset) << "offset order per partition";
      it->second = rec.offset;
    }
  }
}

TYPED_TEST_P(SourceLaws, WalkingPlansReadsEveryRecordOnce) {
  auto s = TypeParam::make();
  const auto all = detail::read_all_at_once(s);
  ASSERT_GE(all.size(), 20u);
  source_position pos;
  std::vector<source_record> walked;
  for (int guard = 0; guard < 100000; ++guard) {
    const auto p = s.plan(pos, 3);
    ASSERT_TRUE(p);
    if (p.value().empty()) break;
    ASSERT_TRUE(detail::read_owned(s, p.value(), walked));
    pos = advance_position(pos, p.value());
  }
  std::set<std::tuple<std::string, std::int32_t, std::int64_t>> ids;
  for (const auto& r : walked) EXPECT_TRUE(ids.emplace(r.topic, r.partition, r.offset).second);
  EXPECT_EQ(walked.size(), all.size());
  for (const auto& r : all) EXPECT_TRUE(ids.contains({r.topic, r.partition, r.offset}));
}

TYPED_TEST_P(SourceLaws, CommitIsIdempotentAndDoesNotChangePlans) {
  auto s = TypeParam::make();
  const auto p = s.plan({}, 5);
  ASSERT_TRUE(p);
  const auto pos = advance_position({}, p.value());
  const auto before = s.plan(pos, 5);
  ASSERT_TRUE(before);
  EXPECT_TRUE(s.commit(p.value()));
  EXPECT_TRUE(s.commit(p.value()));
  const auto after = s.plan(pos, 5);
  ASSERT_TRUE(after);
  EXPECT_EQ(after.value(), before.value());
}

REGISTER_TYPED_TEST_SUITE_P(SourceLaws, PlanHasNoSideEffects, PlanRespectsMaxAndIsWellFormed,
                            PlanStartsAtThePosition, ReadReplaysExactlyInThisAndANewInstance,
                            ReadStaysInRangesInOffsetOrder, WalkingPlansReadsEveryRecordOnce,
                            CommitIsIdempotentAndDoesNotChangePlans);

// ================================================================================================
// SinkLaws<M>: M::type models `sink_for<M::value_type>` and claims idempotent writes.
//   static type make();                          an empty sink
//   static std::vector<value_type> values();     one batch of at least 2 distinct values
//   static auto contents(type& k);               an equality-comparable snapshot of what it holds
// ================================================================================================
template <class M>
class SinkLaws : public ::testing::Test {};
TYPED_TEST_SUITE_P(SinkLaws);

TYPED_TEST_P(SinkLaws, ReplayedBatchHasNoSecondEffect) {
  auto k = TypeParam::make();
  const auto values = TypeParam::values();
  const batch_plan plan{0, {{"t", 0, 0, static_cast<std::int64_t>(values.size())}}};
  const auto empty = TypeParam::contents(k);
  ASSERT_TRUE(k.write(std::span(values), plan));
  const auto once = TypeParam::contents(k);
  EXPECT_NE(once, empty) << "a write has an effect";
  ASSERT_TRUE(k.write(std::span(values), plan));
  EXPECT_EQ(TypeParam::contents(k), once) << "a replay has none";
}

TYPED_TEST_P(SinkLaws, EmptyBatchWritesNothing) {
  auto k = TypeParam::make();
  const auto before = TypeParam::contents(k);
  const std::vector<typename TypeParam::value_type> none;
  ASSERT_TRUE(k.write(std::span(none), batch_plan{0, {{"t", 0, 0, 1}}}));
  EXPECT_EQ(TypeParam::contents(k), before);
}

TYPED_TEST_P(SinkLaws, RetryAfterFailureConverges) {
  // A batch written after a failed attempt ends as a single successful write would.
  auto clean = TypeParam::make();
  const auto values = TypeParam::values();
  const batch_plan plan{3, {{"t", 1, 10, 10 + static_cast<std::int64_t>(values.size())}}};
  ASSERT_TRUE(clean.write(std::span(values), plan));
  sluice_test::faulty_sink<typename TypeParam::type> flaky{TypeParam::make()};
  EXPECT_FALSE(flaky.write(std::span(values), plan));
  ASSERT_TRUE(flaky.write(std::span(values), plan));
  EXPECT_EQ(TypeParam::contents(flaky.inner), TypeParam::contents(clean));
}

REGISTER_TYPED_TEST_SUITE_P(SinkLaws, ReplayedBatchHasNoSecondEffect, EmptyBatchWritesNothing,
                            RetryAfterFailureConverges);

// ================================================================================================
// IdempotencyLaws<M>: M::type models `idempotency_policy`.
//   static type make();                     a policy that knows no batch
//   static constexpr bool remembers;        false for at-least-once policies
//   static std::size_t records(type& p);    (only if remembers) completion records it holds
// ================================================================================================
template <class M>
class IdempotencyLaws : public ::testing::Test {};
TYPED_TEST_SUITE_P(IdempotencyLaws);

namespace detail {
inline batch_plan some_plan(std::int64_t id) {
  return batch_plan{id, {{"orders", 0, 10 * id, 10 * id + 10}, {"orders", 3, 7, 9}}};
}

// Runs a once-mode pipeline over 10 records whose sink fails with `ec` on every write.
template <class Policy>
auto run_with_failing_sink(Policy policy, std::error_code ec) {
  memory_source src;
  for (int i = 0; i < 10; ++i) src.push("t", 0, std::nullopt, std::to_string(i));
  sluice_test::faulty_sink<null_sink> sink{null_sink{}, ec, 1'000'000};
  auto p = make_pipeline(std::move(src), raw_view_codec{}, std::move(sink), std::move(policy));
  memory_checkpoint_store ckpt;
  memory_dead_letter_sink dlq;
  null_progress progress;
  runner_options opt;
  opt.once = true;
  opt.retry.max_attempts = 3;
  stop_flag stop;
  sluice_test::fake_environment env;
  auto r = run(p, ckpt, dlq, progress, opt, stop, env);
  return std::make_tuple(std::move(p), std::move(ckpt), std::move(r));
}
}  // namespace detail

TYPED_TEST_P(IdempotencyLaws, FreshPolicyKnowsNoBatch) {
  auto p = TypeParam::make();
  const auto d = p.is_done(detail::some_plan(0));
  ASSERT_TRUE(d);
  EXPECT_FALSE(d.value());
}

TYPED_TEST_P(IdempotencyLaws, MarkDoneMakesIsDoneTrueOnlyForThatBatch) {
  auto p = TypeParam::make();
  ASSERT_TRUE(p.mark_done(detail::some_plan(1)));
  const auto d1 = p.is_done(detail::some_plan(1));
  const auto d2 = p.is_done(detail::some_plan(2));
  ASSERT_TRUE(d1 && d2);
  EXPECT_EQ(d1.value(), TypeParam::remembers);
  EXPECT_FALSE(d2.value());
}

TYPED_TEST_P(IdempotencyLaws, MarkingTwiceLeavesOneRecord) {
  auto p = TypeParam::make();
  ASSERT_TRUE(p.mark_done(detail::some_plan(4)));
  ASSERT_TRUE(p.mark_done(detail::some_plan(4)));
  if constexpr (TypeParam::remembers) {
    EXPECT_EQ(TypeParam::records(p), 1u);
    const auto d = p.is_done(detail::some_plan(4));
    ASSERT_TRUE(d);
    EXPECT_TRUE(d.value());
  }
}

TYPED_TEST_P(IdempotencyLaws, NeverMarkedAfterAFailedWrite) {
  for (const std::error_code ec : {std::error_code(errc::io_error), std::error_code(errc::timeout)}) {
    auto [p, ckpt, r] = detail::run_with_failing_sink(TypeParam::make(), ec);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), ec);
    const auto pending = ckpt.pending();
    ASSERT_TRUE(pending && pending.value().has_value()) << "the plan stays pending";
    const auto d = p.idempotency().is_done(*pending.value());
    ASSERT_TRUE(d);
    EXPECT_FALSE(d.value()) << "mark_done was called after a failed write";
    if constexpr (TypeParam::remembers) {
      EXPECT_EQ(TypeParam::records(p.idempotency()), 0u);
    }
    EXPECT_TRUE(ckpt.history().empty()) << "nothing committed";
  }
}

TYPED_TEST_P(IdempotencyLaws, MarkedAfterASuccessfulBatch) {
  memory_source src;
  for (int i = 0; i < 5; ++i) src.push("t", 0, std::nullopt, std::to_string(i));
  auto p = make_pipeline(std::move(src), raw_view_codec{}, null_sink{}, TypeParam::make());
  memory_checkpoint_store ckpt;
  memory_dead_letter_sink dlq;
  null_progress progress;
  runner_options opt;
  opt.once = true;
  stop_flag stop;
  sluice_test::fake_environment env;
  ASSERT_TRUE(run(p, ckpt, dlq, progress, opt, stop, env));
  ASSERT_EQ(ckpt.history().size(), 1u);
  const auto d = p.idempotency().is_done(ckpt.history()[0].plan);
  ASSERT_TRUE(d);
  EXPECT_EQ(d.value(), TypeParam::remembers);
}

REGISTER_TYPED_TEST_SUITE_P(IdempotencyLaws, FreshPolicyKnowsNoBatch,
                            MarkDoneMakesIsDoneTrueOnlyForThatBatch, MarkingTwiceLeavesOneRecord,
                            NeverMarkedAfterAFailedWrite, MarkedAfterASuccessfulBatch);

// ================================================================================================
// CheckpointStoreLaws<M>: M::type models `checkpoint_store`.
//   static type make();             an empty store
//   static type reopen(type& s);    the same store as a new process would open it
// ================================================================================================
template <class M>
class CheckpointStoreLaws : public ::testing::Test {};
TYPED_TEST_SUITE_P(CheckpointStoreLaws);

namespace detail {
inline commit_record some_commit(std::int64_t id) {
  commit_record c;
  c.plan = batch_plan{id, {{"a \"quoted\" topic", 0, 5, 9}, {"b\xc3\xa9", 7, 0, 3}}};
  c.position = advance_position({{"a \"quoted\" topic", 0, 5, 5}, {"zz", 2, 4, 4}}, c.plan.ranges);
  c.state = std::string("3:abc\0\n\xff", 9);
  return c;
}
}  // namespace detail

TYPED_TEST_P(CheckpointStoreLaws, EmptyAtFirst) {
  auto s = TypeParam::make();
  const auto p = s.pending();
  const auto c = s.last_commit();
  ASSERT_TRUE(p && c);
  EXPECT_FALSE(p.value().has_value());
  EXPECT_FALSE(c.value().has_value());
}

TYPED_TEST_P(CheckpointStoreLaws, WrittenPlanIsPendingUntilCommitted) {
  auto s = TypeParam::make();
  const auto rec = detail::some_commit(0);
  ASSERT_TRUE(s.write_plan(rec.plan));
  auto p = s.pending();
  ASSERT_TRUE(p && p.value());
  EXPECT_EQ(*p.value(), rec.plan);
  ASSERT_TRUE(s.commit(rec));
  p = s.pending();
  ASSERT_TRUE(p);
  EXPECT_FALSE(p.value().has_value());
  const auto c = s.last_commit();
  ASSERT_TRUE(c && c.value());
  EXPECT_EQ(*c.value(), rec);
}

TYPED_TEST_P(CheckpointStoreLaws, LaterCommitReplacesEarlier) {
  auto s = TypeParam::make();
  for (std::int64_t id = 0; id < 3; ++id) {
    const auto rec = detail::some_commit(id);
    ASSERT_TRUE(s.write_plan(rec.plan));
    ASSERT_TRUE(s.commit(rec));
  }
  const auto c = s.last_commit();
  ASSERT_TRUE(c && c.value());
  EXPECT_EQ(*c.value(), detail::some_commit(2));
  const auto next = detail::some_commit(3);
  ASSERT_TRUE(s.write_plan(next.plan));
  const auto p = s.pending();
  ASSERT_TRUE(p && p.value());
  EXPECT_EQ(*p.value(), next.plan);
}

TYPED_TEST_P(CheckpointStoreLaws, SurvivesReopen) {
  auto s = TypeParam::make();
  const auto rec = detail::some_commit(0);
  ASSERT_TRUE(s.write_plan(rec.plan));
  ASSERT_TRUE(s.commit(rec));
  const auto next = detail::some_commit(1);
  ASSERT_TRUE(s.write_plan(next.plan));
  auto again = TypeParam::reopen(s);
  const auto p = again.pending();
  const auto c = again.last_commit();
  ASSERT_TRUE(p && p.value() && c && c.value());
  EXPECT_EQ(*p.value(), next.plan);
  EXPECT_EQ(*c.value(), rec);
}

REGISTER_TYPED_TEST_SUITE_P(CheckpointStoreLaws, EmptyAtFirst, WrittenPlanIsPendingUntilCommitted,
                            LaterCommitReplacesEarlier, SurvivesReopen);

// ================================================================================================
// DeadLetterSinkLaws<M>: M::type models `dead_letter_sink`.
//   static type make();                                   an empty sink
//   static std::vector<dead_letter> contents(type& d);    every stored letter, batch id order
// ================================================================================================
template <class M>
class DeadLetterSinkLaws : public ::testing::Test {};
TYPED_TEST_SUITE_P(DeadLetterSinkLaws);

// What a model's `contents` returns for a sink `d` whose batches are stored under `names`
// (`batch-<id>.jsonl`, any order): every letter, batch id order.
template <class D, class Names>
std::vector<dead_letter> letters_in_batch_order(D& d, const Names& names) {
  std::vector<std::int64_t> ids;
  for (const auto& n : names) ids.push_back(std::stoll(n.substr(6, n.size() - 6 - 6)));
  std::sort(ids.begin(), ids.end());
  std::vector<dead_letter> out;
  for (const auto id : ids) {
    auto letters = d.read(id).value();
    out.insert(out.end(), letters.begin(), letters.end());
  }
  return out;
}

namespace detail {
inline std::vector<dead_letter> some_letters(std::int64_t batch) {
  return {
      dead_letter{"topic", 0, 10 * batch, std::string("k1"), std::string("{\"a\":1}"), "bad json",
                  1'717'243'199'000},
      dead_letter{"topic", 1, 10 * batch + 1, std::nullopt, std::string("\xff\x00\x01", 3),
                  "not UTF-8 \"quoted\"", 1'717'243'199'001},
      dead_letter{"topic", 1, 10 * batch + 2, std::string("k\xc3\xa9"), std::nullopt, "tombstone",
                  1'717'243'199'002},
  };
}
}  // namespace detail

TYPED_TEST_P(DeadLetterSinkLaws, StoresEveryLetterExactly) {
  auto d = TypeParam::make();
  const auto letters = detail::some_letters(0);
  ASSERT_TRUE(d.write(0, std::span<const dead_letter>(letters)));
  EXPECT_EQ(TypeParam::contents(d), letters);
}

TYPED_TEST_P(DeadLetterSinkLaws, ReplayedBatchStoresNothingNew) {
  auto d = TypeParam::make();
  const auto letters = detail::some_letters(0);
  ASSERT_TRUE(d.write(0, std::span<const dead_letter>(letters)));
  ASSERT_TRUE(d.write(0, std::span<const dead_letter>(letters)));
  EXPECT_EQ(TypeParam::contents(d), letters);
}

TYPED_TEST_P(DeadLetterSinkLaws, BatchesAccumulate) {
  auto d = TypeParam::make();
  const auto a = detail::some_letters(0);
  const auto b = detail::some_letters(1);
  ASSERT_TRUE(d.write(0, std::span<const dead_letter>(a)));
  ASSERT_TRUE(d.write(1, std::span<const dead_letter>(b)));
  auto both = a;
  both.insert(both.end(), b.begin(), b.end());
  EXPECT_EQ(TypeParam::contents(d), both);
}

REGISTER_TYPED_TEST_SUITE_P(DeadLetterSinkLaws, StoresEveryLetterExactly,
                            ReplayedBatchStoresNothingNew, BatchesAccumulate);

// ================================================================================================
// DedupLaws<M>: M::type is a transform that drops duplicates by a key.
//   using value_type;                               its input and output type
//   static type make();
//   static std::vector<value_type> batch();         values with at least one duplicate key
//   static auto key(const value_type& v);           the key it deduplicates on
// ================================================================================================
template <class M>
class DedupLaws : public ::testing::Test {};
TYPED_TEST_SUITE_P(DedupLaws);

namespace detail {
template <class M>
std::vector<typename M::value_type> apply_once(std::vector<typename M::value_type> in) {
  auto t = M::make();
  std::vector<typename M::value_type> out;
  reject_list rejects;
  EXPECT_TRUE(t.apply(in, out, rejects));
  EXPECT_TRUE(rejects.empty());
  return out;
}
}  // namespace detail

TYPED_TEST_P(DedupLaws, KeepsFirstOccurrenceOfEachKeyInOrder) {
  const auto in = TypeParam::batch();
  // Oracle: a quadratic scan.
  std::vector<typename TypeParam::value_type> expected;
  for (const auto& v : in) {
    const bool seen = std::any_of(expected.begin(), expected.end(),
                                  [&](const auto& e) { return TypeParam::key(e) == TypeParam::key(v); });
    if (!seen) expected.push_back(v);
  }
  ASSERT_LT(expected.size(), in.size()) << "the model's batch must contain a duplicate";
  EXPECT_EQ(detail::apply_once<TypeParam>(in), expected);
}

TYPED_TEST_P(DedupLaws, DropsAReplayedBatch) {
  const auto in = TypeParam::batch();
  auto twice = in;
  twice.insert(twice.end(), in.begin(), in.end());
  EXPECT_EQ(detail::apply_once<TypeParam>(twice), detail::apply_once<TypeParam>(in));
}

TYPED_TEST_P(DedupLaws, IsIdempotent) {
  const auto once = detail::apply_once<TypeParam>(TypeParam::batch());
  EXPECT_EQ(detail::apply_once<TypeParam>(once), once);
}

REGISTER_TYPED_TEST_SUITE_P(DedupLaws, KeepsFirstOccurrenceOfEachKeyInOrder, DropsAReplayedBatch,
                            IsIdempotent);

}  // namespace sluice_laws
