// SPDX-License-Identifier: Apache-2.0
#pragma once

// Name lookups of the exact Avro engine: the table of defined full names (FNV-1a, open
// addressing) and the distinct keys of a JSON object as Jackson keeps them (last value wins).
#include <sluice/avro/detail/schema_model.hpp>

#include <algorithm>
#include <cstdint>
#include <string_view>
#include <vector>

namespace sluice::inline v0::avro::detail {

class schema_names : public schema_state {
 protected:
  // ---------------------------------------------------------------- names table
  static std::uint64_t hash(std::string_view s) noexcept {
    std::uint64_t h = 0xcbf29ce484222325ULL;
    for (char c : s) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
    return h;
  }
  struct slot {
    std::uint64_t h;
    std::uint32_t node;  // npos32 = empty
  };
  void table_clear() {
    if (table_.size() != 64 || table_used_ != 0) {
      for (std::uint32_t i : table_slots_) table_[i].node = npos32;
      if (table_.empty()) table_.assign(64, slot{0, npos32});
    }
    table_slots_.clear();
    table_used_ = 0;
  }
  std::string_view name_of(std::uint32_t node) const noexcept {
    return {names_.data() + nodes_[node].full, nodes_[node].full_len};
  }
  std::uint32_t table_find(std::string_view full) const noexcept {
    const std::uint64_t h = hash(full);
    const std::size_t mask = table_.size() - 1;
    for (std::size_t i = h & mask;; i = (i + 1) & mask) {
      const slot& s = table_[i];
      if (s.node == npos32) return npos32;
      if (s.h == h && name_of(s.node) == full) return s.node;
    }
  }
  void table_insert(std::uint32_t node) {
    if ((table_used_ + 1) * 2 > table_.size()) {
      std::vector<slot> old;
      old.swap(table_);
      table_.assign(old.size() * 2, slot{0, npos32});
      table_slots_.clear();
      table_used_ = 0;
      for (const slot& s : old)
        if (s.node != npos32) table_put(s.h, s.node);
    }
    table_put(hash(name_of(node)), node);
  }
  void table_put(std::uint64_t h, std::uint32_t node) {
    const std::size_t mask = table_.size() - 1;
    std::size_t i = h & mask;
    while (table_[i].node != npos32) i = (i + 1) & mask;
    table_[i] = slot{h, node};
    table_slots_.push_back(static_cast<std::uint32_t>(i));
    ++table_used_;
  }

  // ---------------------------------------------------------------- object keys
  // Jackson's ObjectNode keeps each key once, at its first position, with its last value. The
  // distinct pairs of an object are pushed on pairs_ (a stack: release() in reverse order, so
  // recursion may push more); objects above small_object keys also get an open-addressing table
  // behind the pairs, so finding duplicates and looking keys up stays linear for wide objects.
  struct kv {
    std::uint32_t key;  // pairs: key node; table slots: pair index (npos32 = empty)
    std::uint32_t val;  // pairs: last value node; table slots: low 32 bits of the key's hash
  };
  struct pairs_view {
    std::uint32_t base, count, cap;  // cap 0: no table, look keys up linearly
  };
  static constexpr std::uint32_t small_object = 16;

  static std::uint32_t table_cap(std::uint32_t n) noexcept {
    std::uint32_t cap = 32;
    while (cap < n * 2) cap *= 2;
    return cap;
  }

  pairs_view unique_pairs(std::uint32_t obj) const {
    const std::uint32_t n = doc_[obj].a;
    pairs_view pv{static_cast<std::uint32_t>(pairs_.size()), 0, 0};
    std::uint32_t c = obj + 1;
    if (n <= small_object) {
      for (std::uint32_t i = 0; i < n; ++i) {
        const std::uint32_t v = c + 1;
        const std::string_view key = doc_.str(c);
        std::uint32_t k = 0;
        while (k < pv.count && doc_.str(pairs_[pv.base + k].key) != key) ++k;
        if (k < pv.count) pairs_[pv.base + k].val = v;
        else pairs_.push_back(kv{c, v}), ++pv.count;
        c = doc_[v].next;
      }
      return pv;
    }
    pv.cap = table_cap(n);
    pairs_.resize(pv.base + n + pv.cap, kv{npos32, 0});
    const std::uint32_t mask = pv.cap - 1;
    for (std::uint32_t i = 0; i < n; ++i) {
      const std::uint32_t v = c + 1;
      const std::string_view key = doc_.str(c);
      const std::uint64_t h = hash(key);
      for (std::uint32_t t = static_cast<std::uint32_t>(h) & mask;; t = (t + 1) & mask) {
        kv& slot = pairs_[pv.base + n + t];
        if (slot.key == npos32) {
          slot = kv{pv.count, static_cast<std::uint32_t>(h)};
          pairs_[pv.base + pv.count++] = kv{c, v};
          break;
        }
        if (slot.val == static_cast<std::uint32_t>(h) && doc_.str(pairs_[pv.base + slot.key].key) == key) {
          pairs_[pv.base + slot.key].val = v;
          break;
        }
      }
      c = doc_[v].next;
    }
    // Compact: move the table right behind the pairs.
    if (pv.count < n)
      std::copy(pairs_.begin() + pv.base + n, pairs_.begin() + pv.base + n + pv.cap, pairs_.begin() + pv.base + pv.count);
    pairs_.resize(pv.base + pv.count + pv.cap);
    return pv;
  }

  // Last value of key in an object given by unique_pairs (npos32 when absent).
  std::uint32_t lookup(const pairs_view& pv, std::string_view key) const noexcept {
    if (pv.cap == 0) {
      for (std::uint32_t k = 0; k < pv.count; ++k)
        if (doc_.str(pairs_[pv.base + k].key) == key) return pairs_[pv.base + k].val;
      return npos32;
    }
    const std::uint64_t h = hash(key);
    const std::uint32_t mask = pv.cap - 1;
    for (std::uint32_t t = static_cast<std::uint32_t>(h) & mask;; t = (t + 1) & mask) {
      const kv& slot = pairs_[pv.base + pv.count + t];
      if (slot.key == npos32) return npos32;
      if (slot.val == static_cast<std::uint32_t>(h) && doc_.str(pairs_[pv.base + slot.key].key) == key)
        return pairs_[pv.base + slot.key].val;
    }
  }

  void release(const pairs_view& pv) const { pairs_.resize(pv.base); }

  // Value node of the last occurrence of key in object obj (npos32 when absent).
  std::uint32_t last_value(std::uint32_t obj, std::string_view key) const noexcept {
    std::uint32_t found = npos32;
    std::uint32_t c = obj + 1;
    for (std::uint32_t i = 0; i < doc_[obj].a; ++i) {
      const std::uint32_t v = c + 1;
      if (doc_.str(c) == key) found = v;
      c = doc_[v].next;
    }
    return found;
  }
  mutable std::vector<kv> pairs_;            // scratch stack of unique_pairs (see there)
  std::vector<slot> table_;
  std::vector<std::uint32_t> table_slots_;
  std::size_t table_used_ = 0;
};

}  // namespace sluice::inline v0::avro::detail
