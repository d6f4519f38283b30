// SPDX-License-Identifier: Apache-2.0
#pragma once

// StatefulTransformLaws<M>: the semantics of `stateful_transform` (core/concepts/transform.hpp)
// as a typed suite, for the stream stages (and any other stateful transform).
//   using type;                                  the transform
//   using value_type;                            its input
//   static type make();                          a fresh transform ("no state yet")
//   static std::vector<std::vector<value_type>> batches();   several batches, with state carried
//                                                across them (their output depends on it)
// Laws: restoring the state saved after any batch into a fresh transform gives the same output
// for the following batches as not restarting; `load_state("")` is a fresh transform; saving a
// restored state gives a blob that restores to the same behaviour; a blob cut short is refused.

#include "sluice/core/concepts/transform.hpp"
#include "sluice/core/error.hpp"
#include "sluice/core/reject.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace stream_laws {

template <class M>
class StatefulTransformLaws : public ::testing::Test {};
TYPED_TEST_SUITE_P(StatefulTransformLaws);

namespace detail {
template <class M>
auto apply(typename M::type& t, std::vector<typename M::value_type> in) {
  std::vector<typename M::type::output_type> out;
  sluice::reject_list rj;
  EXPECT_TRUE(t.apply(in, out, rj));
  return out;
}
}  // namespace detail

TYPED_TEST_P(StatefulTransformLaws, RestoreAfterAnyBatchContinuesExactly) {
  static_assert(sluice::stateful_transform<typename TypeParam::type>);
  const auto batches = TypeParam::batches();
  ASSERT_GE(batches.size(), 3u);
  std::vector<std::vector<typename TypeParam::type::output_type>> want;
  {
    auto t = TypeParam::make();
    for (const auto& b : batches) want.push_back(detail::apply<TypeParam>(t, b));
  }
  bool any_output = false;
  for (const auto& w : want) any_output = any_output || !w.empty();
  ASSERT_TRUE(any_output) << "the model's batches must produce output";
  for (std::size_t cut = 0; cut < batches.size(); ++cut) {
    auto t = TypeParam::make();
    for (std::size_t i = 0; i < cut; ++i) detail::apply<TypeParam>(t, batches[i]);
    std::string blob;
    ASSERT_TRUE(t.save_state(blob));
    auto again = TypeParam::make();
    ASSERT_TRUE(again.load_state(blob));
    for (std::size_t i = cut; i < batches.size(); ++i)
      EXPECT_EQ(detail::apply<TypeParam>(again, batches[i]), want[i]) << "cut " << cut << " batch " << i;
  }
}

TYPED_TEST_P(StatefulTransformLaws, EmptyBlobIsAFreshTransform) {
  const auto batches = TypeParam::batches();
  auto used = TypeParam::make();
  for (const auto& b : batches) detail::apply<TypeParam>(used, b);
  ASSERT_TRUE(used.load_state(""));
  auto fresh = TypeParam::make();
  for (const auto& b : batches)
    EXPECT_EQ(detail::apply<TypeParam>(used, b), detail::apply<TypeParam>(fresh, b));
}

TYPED_TEST_P(StatefulTransformLaws, SavedRestoredStateSavesTheSame) {
  const auto batches = TypeParam::batches();
  auto t = TypeParam::make();
  for (std::size_t i = 0; i + 1 < batches.size(); ++i) detail::apply<TypeParam>(t, batches[i]);
  std::string a;
  ASSERT_TRUE(t.save_state(a));
  auto u = TypeParam::make();
  ASSERT_TRUE(u.load_state(a));
  std::string b;
  ASSERT_TRUE(u.save_state(b));
  auto v = TypeParam::make();
  ASSERT_TRUE(v.load_state(b));
  EXPECT_EQ(detail::apply<TypeParam>(v, batches.back()), detail::apply<TypeParam>(t, batches.back()));
}

TYPED_TEST_P(StatefulTransformLaws, TruncatedBlobIsRefused) {
  const auto batches = TypeParam::batches();
  auto t = TypeParam::make();
  for (const auto& b : batches) detail::apply<TypeParam>(t, b);
  std::string blob;
  ASSERT_TRUE(t.save_state(blob));
  ASSERT_GT(blob.size(), 8u);
  for (const std::size_t cut : {std::size_t{1}, blob.size() / 2, blob.size() - 1}) {
    auto u = TypeParam::make();
    const auto r = u.load_state(std::string_view(blob).substr(0, cut));
    ASSERT_FALSE(r) << cut;
    EXPECT_EQ(r.error(), sluice::errc::corrupt_state);
  }
}

REGISTER_TYPED_TEST_SUITE_P(StatefulTransformLaws, RestoreAfterAnyBatchContinuesExactly,
                            EmptyBlobIsAFreshTransform, SavedRestoredStateSavesTheSame,
                            TruncatedBlobIsRefused);

}  // namespace stream_laws
