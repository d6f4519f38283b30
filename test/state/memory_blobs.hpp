// SPDX-License-Identifier: Apache-2.0
#pragma once
// Blobs in a shared std::map (copies of the object share it, as processes share a folder), with
// a failure switch: the n-th next put or remove fails, to simulate a crash at that point.

#include "sluice/core/error.hpp"

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice_test {

struct memory_blobs {
  struct shared {
    std::map<std::string, std::string, std::less<>> files;
    int fail_in = -1;  // >0: the fail_in-th next put/remove fails
    int puts = 0, removes = 0, lists = 0;
  };
  std::shared_ptr<shared> s = std::make_shared<shared>();

  bool failing() {
    if (s->fail_in > 0 && --s->fail_in == 0) return true;
    return false;
  }
  sluice::result<void> put(std::string_view name, std::string_view bytes) {
    if (failing()) return sluice::errc::io_error;
    ++s->puts;
    s->files.insert_or_assign(std::string(name), std::string(bytes));
    return sluice::success();
  }
  sluice::result<std::optional<std::string>> get(std::string_view name) {
    const auto it = s->files.find(name);
    if (it == s->files.end()) return std::optional<std::string>{};
    return std::optional<std::string>(it->second);
  }
  sluice::result<std::vector<std::string>> list(std::string_view prefix) {
    ++s->lists;
    std::vector<std::string> out;
    for (const auto& [k, v] : s->files)
      if (k.compare(0, prefix.size(), prefix) == 0) out.push_back(k);
    return out;
  }
  sluice::result<void> remove(std::string_view name) {
    if (failing()) return sluice::errc::io_error;
    ++s->removes;
    const auto it = s->files.find(name);
    if (it != s->files.end()) s->files.erase(it);
    return sluice::success();
  }
};

}  // namespace sluice_test
