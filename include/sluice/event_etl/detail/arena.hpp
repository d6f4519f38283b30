// SPDX-License-Identifier: Apache-2.0
#pragma once

// A chunked byte arena for the strings of one batch: allocations never move (views into them
// stay valid until `reset`), and chunks are kept across batches so steady-state batches
// allocate nothing.

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

namespace sluice::inline v0::event_etl::detail {

class chunk_arena {
 public:
  static constexpr std::size_t chunk_size = std::size_t{1} << 16;

  /// `n` writable bytes that stay in place until `reset`.
  char* allocate(std::size_t n) {
    if (chunks_.empty()) chunks_.push_back(make(std::max(n, chunk_size)));
    if (used_ + n <= chunks_[current_].size) {
      char* p = chunks_[current_].data.get() + used_;
      used_ += n;
      return p;
    }
    // The next kept chunk if it is large enough, else a new one (large requests get their own).
    ++current_;
    if (current_ == chunks_.size()) {
      chunks_.push_back(make(std::max(n, chunk_size)));
    } else if (chunks_[current_].size < n) {
      chunks_.insert(chunks_.begin() + static_cast<std::ptrdiff_t>(current_), make(n));
    }
    used_ = n;
    return chunks_[current_].data.get();
  }

  /// A copy of `s` in the arena.
  std::string_view copy(std::string_view s) {
    if (s.empty()) return {};
    char* p = allocate(s.size());
    std::memcpy(p, s.data(), s.size());
    return {p, s.size()};
  }

  /// Forgets every allocation (their views become invalid); keeps the chunks.
  void reset() noexcept {
    current_ = 0;
    used_ = 0;
    if (chunks_.size() > 64) chunks_.resize(64);  // bound what an exceptional batch leaves
  }

 private:
  struct chunk {
    std::unique_ptr<char[]> data;
    std::size_t size = 0;
  };
  static chunk make(std::size_t n) { return chunk{std::make_unique_for_overwrite<char[]>(n), n}; }

  std::vector<chunk> chunks_;
  std::size_t current_ = 0;
  std::size_t used_ = 0;
};

}  // namespace sluice::inline v0::event_etl::detail
