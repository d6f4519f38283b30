// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// `raw_view_codec`: the identity codec. It views each record's key and payload without copying.

#include "sluice/core/concepts/tags.hpp"
#include "sluice/core/error.hpp"
#include "sluice/core/record.hpp"
#include "sluice/core/reject.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace sluice::inline v0 {

/// A record's bytes, viewed. Valid while the batch's records live: the runner keeps them until
/// the batch is committed, so stages may use views within a batch but a stateful transform must
/// copy what it keeps across batches.
struct raw_view {
  std::optional<std::string_view> key;
  std::optional<std::string_view> payload;
  std::int64_t timestamp_ms = 0;
  std::size_t origin = 0;   ///< index of the record in the batch
  friend bool operator==(const raw_view&, const raw_view&) = default;
};

/// Decodes nothing: each record becomes a `raw_view` of it. Never rejects. Takes owning
/// `source_record`s and zero-copy `record_view`s alike.
///
/// Errors: none. Thread-safety: stateless. Complexity: linear.
struct raw_view_codec {
  using stage_concept = codec_tag;
  using value_type = raw_view;

  result<void> decode(std::span<const source_record> in, std::vector<raw_view>& out,
                      reject_list&) const {
    return view_all(in, out);
  }
  result<void> decode(std::span<const record_view> in, std::vector<raw_view>& out,
                      reject_list&) const {
    return view_all(in, out);
  }

 private:
  template <class R>
  static result<void> view_all(std::span<const R> in, std::vector<raw_view>& out) {
    out.reserve(out.size() + in.size());
    for (std::size_t i = 0; i < in.size(); ++i) {
      const auto& r = in[i];
      out.push_back(raw_view{r.key ? std::optional<std::string_view>(*r.key) : std::nullopt,
                             r.payload ? std::optional<std::string_view>(*r.payload) : std::nullopt,
                             r.timestamp_ms, i});
    }
    return success();
  }
};

}  // namespace sluice::inline v0
