// SPDX-License-Identifier: Apache-2.0
#pragma once
// A `store::blob_store` over `store::memory_blobs` (copies share the blobs, as processes share a
// folder) that counts puts, removes and lists and can fail: the n-th next put or remove fails
// without touching the blobs, to simulate a crash at that point.

#include "sluice/core/error.hpp"
#include "sluice/store/blob_store.hpp"
#include "sluice/store/memory_blobs.hpp"

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice_test {

struct faulty_blobs {
  using stage_concept = sluice::store::blob_store_tag;
  struct counters {
    int fail_in = -1;  // >0: the fail_in-th next put/remove fails
    int puts = 0, removes = 0, lists = 0;
  };
  sluice::store::memory_blobs inner;  // the blobs themselves (tests damage them through it)
  std::shared_ptr<counters> s = std::make_shared<counters>();

  bool failing() { return s->fail_in > 0 && --s->fail_in == 0; }
  sluice::result<void> put(std::string_view key, std::string_view bytes) {
    if (failing()) return sluice::errc::io_error;
    ++s->puts;
    return inner.put(key, bytes);
  }
  sluice::result<std::optional<std::string>> get(std::string_view key) { return inner.get(key); }
  sluice::result<std::vector<std::string>> list(std::string_view prefix) {
    ++s->lists;
    return inner.list(prefix);
  }
  sluice::result<void> remove(std::string_view key) {
    if (failing()) return sluice::errc::io_error;
    ++s->removes;
    return inner.remove(key);
  }
};

static_assert(sluice::store::blob_store<faulty_blobs>);

}  // namespace sluice_test
