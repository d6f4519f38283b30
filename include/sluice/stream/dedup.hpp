// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// `watermark_dedup<T>`: drops duplicates by key across batches, keeping the key of each event
/// until the watermark passes its event time, so state stays bounded (Spark's
/// `withWatermark(...).dropDuplicates(...)`).

#include "sluice/core/concepts/transform.hpp"
#include "sluice/core/error.hpp"
#include "sluice/core/reject.hpp"
#include "sluice/state/state_store.hpp"
#include "sluice/store/any_blobs.hpp"
#include "sluice/stream/detail/hash.hpp"
#include "sluice/stream/detail/incremental.hpp"
#include "sluice/stream/dedup_key_of.hpp"
#include "sluice/stream/event_time_of.hpp"
#include "sluice/stream/state_blob.hpp"
#include "sluice/stream/watermark.hpp"

#include <sys/mman.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <limits>
#include <memory>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::inline v0::stream {

namespace detail {

/// Memory for a large open-addressing table: zero-filled, 2 MiB aligned and advised as huge
/// pages (Linux, `madvise`), so random probes miss the TLB less.
template <class T>
class table_memory {
 public:
  table_memory() = default;
  table_memory(table_memory&& o) noexcept : data_(std::move(o.data_)), n_(std::exchange(o.n_, 0)) {}
  table_memory& operator=(table_memory&& o) noexcept {
    data_ = std::move(o.data_);
    n_ = std::exchange(o.n_, 0);
    return *this;
  }
  explicit table_memory(std::size_t n) : n_(n) {
    constexpr std::size_t huge = std::size_t{1} << 21;
    const std::size_t bytes = (n * sizeof(T) + huge - 1) / huge * huge;
    void* p = std::aligned_alloc(huge, bytes);
    if (p == nullptr) throw std::bad_alloc();
#ifdef MADV_HUGEPAGE
    (void)::madvise(p, bytes, MADV_HUGEPAGE);  // a hint: failure only costs speed
#endif
    std::memset(p, 0, n * sizeof(T));
    data_.reset(static_cast<T*>(p));
  }
  [[nodiscard]] T* data() const noexcept { return data_.get(); }
  [[nodiscard]] std::size_t size() const noexcept { return n_; }
  [[nodiscard]] bool empty() const noexcept { return n_ == 0; }
  T& operator[](std::size_t i) const noexcept { return data_.get()[i]; }
  T* begin() const noexcept { return data_.get(); }
  T* end() const noexcept { return data_.get() + n_; }

 private:
  struct free_deleter {
    void operator()(T* p) const noexcept { std::free(p); }
  };
  std::unique_ptr<T, free_deleter> data_;
  std::size_t n_ = 0;
};

/// Bytes in an anonymous memory mapping that grows with `mremap` (the pages move, nothing is
/// copied), so a growing arena never holds two copies of itself; `truncate` gives the pages past
/// the new end back. Pages not written yet take no memory.
class byte_region {
 public:
  byte_region() = default;
  byte_region(const byte_region&) = delete;
  byte_region& operator=(const byte_region&) = delete;
  byte_region(byte_region&& o) noexcept
      : data_(std::exchange(o.data_, nullptr)), size_(std::exchange(o.size_, 0)), cap_(std::exchange(o.cap_, 0)) {}
  byte_region& operator=(byte_region&& o) noexcept {
    if (this != &o) {
      release();
      data_ = std::exchange(o.data_, nullptr);
      size_ = std::exchange(o.size_, 0);
      cap_ = std::exchange(o.cap_, 0);
    }
    return *this;
  }
  ~byte_region() { release(); }

  [[nodiscard]] char* data() noexcept { return data_; }
  [[nodiscard]] const char* data() const noexcept { return data_; }
  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  [[nodiscard]] std::size_t capacity() const noexcept { return cap_; }

  /// Address space for `n` bytes (rounded up to pages). Throws `std::bad_alloc`.
  void reserve(std::size_t n) {
    if (n <= cap_) return;
    const std::size_t bytes = (n + page - 1) / page * page;
    void* p = data_ == nullptr ? ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
                               : ::mremap(data_, cap_, bytes, MREMAP_MAYMOVE);
    if (p == MAP_FAILED) throw std::bad_alloc();
    data_ = static_cast<char*>(p);
    cap_ = bytes;
  }
  void append(const void* p, std::size_t n) {
    grow_for(n);
    std::memcpy(data_ + size_, p, n);
    size_ += n;
  }
  void append_zeros(std::size_t n) {
    grow_for(n);
    std::memset(data_ + size_, 0, n);
    size_ += n;
  }
  /// Keeps the first `n` bytes (`n` ≤ `size()`) and gives the whole pages after them back.
  void truncate(std::size_t n) noexcept {
    size_ = n;
    const std::size_t keep = (n + page - 1) / page * page;
    if (keep < cap_) (void)::madvise(data_ + keep, cap_ - keep, MADV_DONTNEED);   // a hint
  }

 private:
  static constexpr std::size_t page = 4096;
  void grow_for(std::size_t n) {
    if (size_ + n > cap_) reserve(std::max(size_ + n, 2 * cap_));
  }
  void release() noexcept {
    if (data_ != nullptr) ::munmap(data_, cap_);
    data_ = nullptr;
    size_ = cap_ = 0;
  }
  char* data_ = nullptr;
  std::size_t size_ = 0;
  std::size_t cap_ = 0;
};

/// An exact set of byte keys, each with the event time it was first seen at.
///
/// Keys live in an arena of records `[hash:8][time:8][length:4][key bytes]`, each padded to 8
/// bytes, in insertion order; an open-addressing table of 8-byte slots (the high 32 bits of the
/// hash as a tag, the record's offset in 8-byte units; linear probing) indexes them. A tag match
/// is confirmed against the record's whole hash and key, so the set stays exact. Keys expire
/// lazily: `expire_before(t)` only sets the threshold; an expired key counts as absent
/// (inserting it again renews it in place) and is not listed. Expired records are dropped when
/// the table is 70% full or the arena holds 1.5 times the records the last rebuild kept: one
/// sequential pass slides the live records to the front of the arena (in place: the arena is a
/// `byte_region`, which also grows without a copy) and indexes them in a fresh table of two to four times their number, so the next rebuild is far away. The
/// memory held is the table (8 bytes a slot) and the arena, nothing spare, and never two copies
/// of either (peak RSS is a goal, docs/benchmarks.md). Listing walks the arena in order (deterministic).
class timed_key_set {
 public:
  struct entry {
    std::string_view key;
    std::int64_t time;
  };

  /// The hash `insert` uses for `key` (never 0).
  [[nodiscard]] static std::uint64_t hash_of(std::string_view key) noexcept { return hash_bytes(key); }

  /// Keys with a time before `t` count as absent from now on (`t` never decreases).
  void expire_before(std::int64_t t) noexcept {
    if (t > expire_before_) expire_before_ = t;
  }

  /// Makes room for `n` more keys without a rebuild in between (so `prefetch` stays valid).
  void reserve_more(std::size_t n) {
    if (full(records_ + n)) rebuild(n);
  }

  /// Hints the cache with the first slot of a key of hash `h` (from `hash_of`).
  void prefetch(std::uint64_t h) const noexcept {
    if (!slots_.empty()) __builtin_prefetch(&slots_[static_cast<std::size_t>(h) & (slots_.size() - 1)]);
  }

  /// Inserts `key` seen at `time` unless present; true if it was inserted.
  bool insert(std::string_view key, std::int64_t time) { return insert(key, hash_of(key), time); }

  /// As above, with `h == hash_of(key)` computed already.
  bool insert(std::string_view key, std::uint64_t h, std::int64_t time) {
    if (full(records_ + 1)) reserve_more(1);
    const std::size_t mask = slots_.size() - 1;
    const std::uint32_t tag = tag_of(h);
    for (std::size_t i = static_cast<std::size_t>(h) & mask;; i = (i + 1) & mask) {
      slot& s = slots_[i];
      if (s.tag == 0) {
        s = slot{tag, append_record(h, time, key)};
        ++records_;
        return true;
      }
      if (s.tag == tag && matches(s.unit, h, key)) {
        const std::size_t at = std::size_t{s.unit} * 8;
        if (time_at(at) >= expire_before_) return false;
        set_time_at(at, time);   // expired: the key is new again
        return true;
      }
    }
  }

  /// True if `key` is in the set (and not expired).
  [[nodiscard]] bool contains(std::string_view key) const noexcept {
    if (slots_.empty()) return false;
    const std::uint64_t h = hash_of(key);
    const std::size_t mask = slots_.size() - 1;
    const std::uint32_t tag = tag_of(h);
    for (std::size_t i = static_cast<std::size_t>(h) & mask;; i = (i + 1) & mask) {
      const slot& s = slots_[i];
      if (s.tag == 0) return false;
      if (s.tag == tag && matches(s.unit, h, key)) return time_at(std::size_t{s.unit} * 8) >= expire_before_;
    }
  }

  /// Calls `fn(entry)` for every key that has not expired, in insertion order.
  template <class Fn>
  void for_each(Fn&& fn) const {
    for (std::size_t at = 0; at < arena_.size(); at = next_record(at)) {
      const std::int64_t t = time_at(at);
      if (t >= expire_before_) fn(entry{key_at(at), t});
    }
  }

  /// Keys that have not expired. Complexity: O(records).
  [[nodiscard]] std::size_t size() const noexcept {
    std::size_t n = 0;
    for (std::size_t at = 0; at < arena_.size(); at = next_record(at)) n += time_at(at) >= expire_before_ ? 1 : 0;
    return n;
  }
  /// Bytes of the records in the arena (expired ones included).
  [[nodiscard]] std::size_t arena_bytes() const noexcept { return arena_.size(); }
  /// Bytes held (table and arena), for memory reports.
  [[nodiscard]] std::size_t memory_bytes() const noexcept {
    return slots_.size() * sizeof(slot) + arena_.size();
  }
  void clear() {
    slots_ = {};
    arena_ = byte_region();
    records_ = 0;
    kept_ = 0;
    expire_before_ = std::numeric_limits<std::int64_t>::min();
  }

 private:
  struct slot {
    std::uint32_t tag;    // 0: empty; else the high half of the key's hash (never 0 here)
    std::uint32_t unit;   // the key's record starts at byte 8 * unit of the arena
  };
  static_assert(sizeof(slot) == 8);
  static constexpr std::size_t header = 20;   // hash, time, length

  static std::uint32_t tag_of(std::uint64_t h) noexcept {
    const auto t = static_cast<std::uint32_t>(h >> 32);
    return t == 0 ? 1 : t;
  }
  static std::size_t padded(std::size_t n) noexcept { return (n + 7) & ~std::size_t{7}; }
  // The records a table of `slots` holds before a rebuild: 70% (8-byte slots: the probes of
  // linear probing stay within a cache line or two at that load).
  static std::size_t room(std::size_t slots) noexcept { return slots * 7 / 10; }
  // Full: the table at 70%, or the arena at 1.5 times the records the last rebuild kept (plus
  // 1024), so expired records never make up more than a third of it, whatever the table's size.
  [[nodiscard]] bool full(std::size_t records) const noexcept {
    return records > std::min(room(slots_.size()), kept_ + kept_ / 2 + 1024);
  }

  [[nodiscard]] bool matches(std::uint32_t unit, std::uint64_t h, std::string_view key) const noexcept {
    const std::size_t at = std::size_t{unit} * 8;
    return hash_at(at) == h && detail::equal_bytes(key_at(at), key);
  }

  // Appends the record; its offset in 8-byte units. Throws `std::length_error` past 32 GiB of
  // records (2^32 units), far beyond what fits in memory for a watermark's worth of keys.
  std::uint32_t append_record(std::uint64_t h, std::int64_t time, std::string_view key) {
    const std::size_t at = arena_.size();
    if (at / 8 > std::numeric_limits<std::uint32_t>::max()) throw std::length_error("dedup key arena");
    char head[header];
    const auto len = static_cast<std::uint32_t>(key.size());
    std::memcpy(head, &h, 8);
    std::memcpy(head + 8, &time, 8);
    std::memcpy(head + 16, &len, 4);
    arena_.append(head, header);
    arena_.append(key.data(), key.size());
    arena_.append_zeros(padded(arena_.size()) - arena_.size());
    return static_cast<std::uint32_t>(at / 8);
  }
  [[nodiscard]] std::int64_t time_at(std::size_t at) const noexcept {
    std::int64_t t;
    std::memcpy(&t, arena_.data() + at + 8, 8);
    return t;
  }
  void set_time_at(std::size_t at, std::int64_t t) noexcept { std::memcpy(arena_.data() + at + 8, &t, 8); }
  [[nodiscard]] std::uint32_t length_at(std::size_t at) const noexcept {
    std::uint32_t n;
    std::memcpy(&n, arena_.data() + at + 16, 4);
    return n;
  }
  [[nodiscard]] std::string_view key_at(std::size_t at) const noexcept {
    return {arena_.data() + at + header, length_at(at)};
  }
  [[nodiscard]] std::size_t record_size(std::size_t at) const noexcept { return padded(header + length_at(at)); }
  [[nodiscard]] std::size_t next_record(std::size_t at) const noexcept { return at + record_size(at); }
  [[nodiscard]] std::uint64_t hash_at(std::size_t at) const noexcept {
    std::uint64_t h;
    std::memcpy(&h, arena_.data() + at, 8);
    return h;
  }

  // Slides the live records (in order) to the front of the arena and indexes them in a fresh
  // table of 2 to 4 times (live + n) slots (so at least 40% of the live records more fit before
  // the next rebuild); the old table is freed first.
  void rebuild(std::size_t n) {
    std::size_t live = 0, live_bytes = 0;
    for (std::size_t at = 0; at < arena_.size();) {
      const std::size_t size = record_size(at);
      if (time_at(at) >= expire_before_) {
        if (live_bytes != at) std::memmove(arena_.data() + live_bytes, arena_.data() + at, size);
        ++live;
        live_bytes += size;
      }
      at += size;
    }
    arena_.truncate(live_bytes);
    std::size_t capacity = 1024;
    while (capacity < 2 * (live + n)) capacity *= 2;
    // Address space for every record until the next rebuild (70% of the table), so appends
    // rarely move the arena (and a move copies nothing).
    const std::size_t per_record = live > 0 ? live_bytes / live : 64;
    arena_.reserve(std::max(live_bytes, room(capacity) * per_record) + 64 * per_record);
    slots_ = {};   // freed before the new table is allocated: the peak is one table
    table_memory<slot> fresh(capacity);
    // Indexed 16 at a time: their slots are prefetched first, so the cache misses overlap.
    const std::size_t mask = capacity - 1;
    constexpr std::size_t group = 16;
    std::size_t offsets[group];
    for (std::size_t at = 0; at < live_bytes;) {
      std::size_t k = 0;
      for (; k < group && at < live_bytes; ++k, at = next_record(at)) {
        offsets[k] = at;
        __builtin_prefetch(&fresh[static_cast<std::size_t>(hash_at(at)) & mask], 1);
      }
      for (std::size_t j = 0; j < k; ++j) {
        const std::uint64_t h = hash_at(offsets[j]);
        std::size_t i = static_cast<std::size_t>(h) & mask;
        while (fresh[i].tag != 0) i = (i + 1) & mask;
        fresh[i] = slot{tag_of(h), static_cast<std::uint32_t>(offsets[j] / 8)};
      }
    }
    slots_ = std::move(fresh);
    records_ = live;
    kept_ = live;
  }


  table_memory<slot> slots_;
  byte_region arena_;
  std::size_t records_ = 0;   // records in the arena (occupied slots), expired ones included
  std::size_t kept_ = 0;      // the records the last rebuild kept
  std::int64_t expire_before_ = std::numeric_limits<std::int64_t>::min();
};

}  // namespace detail

/// Counts of a `watermark_dedup`.
struct dedup_stats {
  std::int64_t passed = 0;       ///< events output
  std::int64_t duplicates = 0;   ///< dropped: key already in the state
  std::int64_t late = 0;         ///< dropped: older than the watermark
};

/// Drops an event whose key (`dedup_key_of<T>`) was already seen, across batches, and events
/// older than the watermark (`event_time_of<T>`); keeps the rest in order. `T` needs both
/// specializations (`event_etl::device_event` has them).
///
/// Semantics (Spark's `withWatermark("event_time", delay).dropDuplicates(key)`):
/// - the watermark is `max(event time seen) − delay`, advanced at the end of each batch (it is
///   constant during a batch; `event_time_watermark`);
/// - an event with `t < watermark` is *late*: dropped and counted, whether or not it is a
///   duplicate;
/// - otherwise the first event of a key passes and the key is kept with its event time; later
///   events of the key are dropped as duplicates while the key is kept;
/// - a key is forgotten at the end of the batch after which the watermark passed its time
///   (`t < watermark`), so the state holds about `delay` worth of keys. Any event that could
///   match a forgotten key is late itself, so no duplicate slips through unless it carries a
///   later event time than its first occurrence.
/// The state (watermark and keys) is saved and restored through `save_state` / `load_state`
/// (`stateful_transform`), so a restart neither loses nor repeats a decision: whole, in the
/// commit record, or, once `checkpoint_to` attached a state store, incrementally
/// (`batch_stateful_transform`): each commit writes a changelog of the keys the batch added and
/// the watermark, a snapshot every `snapshot_interval` changelogs, and the commit record names
/// them (docs/state-store.md, "The dedup's entries"). Keys the watermark passed are not written
/// as removals: recovery forgets them as the batch did, from the watermark of each file.
///
/// Errors: none from `apply`; `errc::corrupt_state` from `load_state` (with the state store's
/// `state_error()` naming the file); the state store's from `save_state(blob, batch)`.
/// Thread-safety: none. Complexity: expected O(1) per event (amortized: expired keys are
/// dropped in one pass when the table fills); O(state) per `save_state(blob)`, O(keys added)
/// per incremental commit (O(state) when it writes a snapshot).
template <class T>
class watermark_dedup {
 public:
  using stage_concept = transform_tag;
  using output_type = T;

  /// A dedup with watermark delay `delay_ms` (ms).
  explicit watermark_dedup(std::int64_t delay_ms = 600'000) noexcept : wm_(delay_ms) {}

  /// Moves the events that are neither late nor duplicates from `in` to `out`, then advances the
  /// watermark and forgets the keys it passed.
  result<void> apply(std::vector<T>& in, std::vector<T>& out, reject_list&) {
    // The events that pass are compacted in place, then swapped into `out` when it is empty
    // (as the pipeline passes it), so they are not copied to another buffer.
    std::size_t kept = 0;
    // In groups: first the keys, their hashes and a prefetch of their slots, then the inserts,
    // so the cache misses of a large table overlap instead of stalling one after the other.
    constexpr std::size_t group = 16;
    keys_.reserve_more(in.size());
    for (std::size_t g = 0; g < in.size(); g += group) {
      const std::size_t n = std::min(group, in.size() - g);
      key_.clear();
      for (std::size_t k = 0; k < n; ++k) {
        const std::size_t at = key_.size();
        dedup_key_of<T>::append(key_, in[g + k]);
        ends_[k] = key_.size();
        hashes_[k] = detail::timed_key_set::hash_of(std::string_view(key_).substr(at));
        keys_.prefetch(hashes_[k]);
      }
      for (std::size_t k = 0; k < n; ++k) {
        T& v = in[g + k];
        const std::int64_t t = event_time_of<T>::get(v);
        wm_.observe(t);
        if (wm_.is_late(t)) {
          ++stats_.late;
          continue;
        }
        const std::size_t from = k == 0 ? 0 : ends_[k - 1];
        const std::string_view key = std::string_view(key_).substr(from, ends_[k] - from);
        if (!keys_.insert(key, hashes_[k], t)) {
          ++stats_.duplicates;
          continue;
        }
        if (inc_.attached()) remember_added(key, t);
        ++stats_.passed;
        if (kept != g + k) in[kept] = std::move(v);
        ++kept;
      }
    }
    in.erase(in.begin() + static_cast<std::ptrdiff_t>(kept), in.end());
    if (out.empty()) {
      out.swap(in);
    } else {
      out.insert(out.end(), std::make_move_iterator(in.begin()), std::make_move_iterator(in.end()));
    }
    wm_.advance();
    keys_.expire_before(wm_.current());
    return success();
  }

  /// From now on, commits checkpoint the state incrementally into `blobs` (a changelog per
  /// batch, snapshots, retention: `opt`); a state saved whole before still loads.
  void checkpoint_to(store::any_blobs blobs, state::state_options opt) {
    inc_.attach(std::move(blobs), std::move(opt));
    added_.clear();
  }
  /// As above, into `shared`, which other stages of the pipeline share (one file per batch for
  /// all of them); `own` names where a store of this stage alone kept its files, read when a
  /// commit from before names them. Errors: `errc::invalid_argument` if `shared` is full.
  result<void> checkpoint_to(std::shared_ptr<state::shared_store> shared, state::state_options own) {
    added_.clear();
    return inc_.attach(std::move(shared), std::move(own));
  }

  /// The state of batch `batch_id`: with a state store, its changes written there and the
  /// manifest naming them in `blob`; without, as `save_state(blob)`. A retry of the same batch
  /// writes the same.
  result<void> save_state(std::string& blob, std::int64_t batch_id) {
    if (!inc_.attached()) return std::as_const(*this).save_state(blob);
    return inc_.write(
        batch_id, wm_.max_seen(), !added_.empty(),
        [&](state::file_writer& w) {
          for (std::size_t at = 0; at < added_.size();) {
            std::int64_t t;
            std::uint32_t n;
            std::memcpy(&t, added_.data() + at, 8);
            std::memcpy(&n, added_.data() + at + 8, 4);
            put_key(w, std::string_view(added_).substr(at + 12, n), t);
            at += 12 + n;
          }
        },
        [&](state::file_writer& w) {
          // Per key: the arena's record (20 bytes of header and the key) is at least the entry
          // (op, two lengths, 'k', the key and 8 bytes of time: 12 bytes and the key).
          w.reserve(keys_.arena_bytes());
          keys_.for_each([&](const detail::timed_key_set::entry& e) { put_key(w, e.key, e.time); });
        },
        blob);
  }

  /// The commit of the last `save_state(blob, batch)` is durable (the state store may delete
  /// files no retained commit needs).
  result<void> state_committed() {
    added_.clear();
    return inc_.committed();
  }

  /// What the state store found wrong when `load_state` failed (the file and why), else empty.
  [[nodiscard]] std::string state_error() const { return inc_.error_detail(); }

  /// Appends the state: `dedup1;`, the largest event time seen (`n;` if none), the number of
  /// keys, then each key's time and bytes.
  result<void> save_state(std::string& blob) const {
    blob += "dedup1;";
    blob_writer w(blob);
    w.optional_integer(wm_.max_seen());
    w.integer(static_cast<std::int64_t>(keys_.size()));
    keys_.for_each([&](const detail::timed_key_set::entry& e) {
      w.integer(e.time);
      w.bytes(e.key);
    });
    return success();
  }

  /// Restores what `save_state` wrote (a manifest of the state store, or the whole state);
  /// `""` resets to no state.
  /// Errors: `errc::corrupt_state` for any other text, and for a state file that is missing or
  /// damaged (`state_error()` says which).
  result<void> load_state(std::string_view blob) {
    keys_.clear();
    wm_.restore(std::nullopt);
    added_.clear();
    if (detail::is_manifest(blob) || (blob.empty() && inc_.attached())) {
      auto r = inc_.recover(
          blob,
          detail::incremental_state::entries(
              [this](std::optional<std::int64_t> m) {
                wm_.restore(m);
                keys_.expire_before(wm_.current());
              },
              [this](std::string_view key, std::string_view value) -> result<void> {
                if (key.empty() || key.front() != 'k' || value.size() != 8) return errc::corrupt_state;
                std::int64_t t;
                std::memcpy(&t, value.data(), 8);
                if (!keys_.insert(key.substr(1), t)) return errc::corrupt_state;  // a key twice
                return success();
              }),
          [this] { inc_.recovered_max_seen(wm_.max_seen()); });
      if (!r) {
        keys_.clear();
        wm_.restore(std::nullopt);
        return r.error();
      }
      return success();
    }
    if (blob.empty()) return success();
    blob_reader r(blob);
    SLUICE_TRYV(r.expect("dedup1;"));
    SLUICE_TRY(max_seen, r.optional_integer());
    SLUICE_TRY(n, r.integer());
    if (n < 0) return errc::corrupt_state;
    for (std::int64_t i = 0; i < n; ++i) {
      SLUICE_TRY(t, r.integer());
      SLUICE_TRY(k, r.bytes());
      if (!keys_.insert(k, t)) return errc::corrupt_state;  // a key twice
    }
    if (!r.at_end()) return errc::corrupt_state;
    wm_.restore(max_seen);
    keys_.expire_before(wm_.current());
    // A whole state in the commit (from before the store was attached): the first incremental
    // commit after it writes a snapshot, since no file holds these keys.
    inc_.recovered_whole();
    return success();
  }

  /// The watermark.
  [[nodiscard]] const event_time_watermark& watermark() const noexcept { return wm_; }
  /// Keys held.
  [[nodiscard]] std::size_t state_size() const noexcept { return keys_.size(); }
  /// Bytes of the key table.
  [[nodiscard]] std::size_t state_bytes() const noexcept { return keys_.memory_bytes(); }
  /// The keys held with their times (for tests and tools), in insertion order.
  [[nodiscard]] std::vector<std::pair<std::string, std::int64_t>> snapshot() const {
    std::vector<std::pair<std::string, std::int64_t>> out;
    keys_.for_each([&](const detail::timed_key_set::entry& e) { out.emplace_back(std::string(e.key), e.time); });
    return out;
  }
  /// Counts since this object was made (all batches, retries included).
  [[nodiscard]] const dedup_stats& stats() const noexcept { return stats_; }

 private:
  // A key of the changelog: 'k' then the key's bytes; its value the event time (8 bytes LE).
  void put_key(state::file_writer& w, std::string_view key, std::int64_t t) {
    char v[8];
    std::memcpy(v, &t, 8);
    key_.assign(1, 'k');
    key_.append(key);
    w.put(key_, std::string_view(v, 8));
  }
  void remember_added(std::string_view key, std::int64_t t) {
    char head[12];
    const auto n = static_cast<std::uint32_t>(key.size());
    std::memcpy(head, &t, 8);
    std::memcpy(head + 8, &n, 4);
    added_.append(head, 12);
    added_.append(key);
  }

  event_time_watermark wm_;
  detail::timed_key_set keys_;
  detail::incremental_state inc_;          // the state store, once attached
  std::string added_;                      // keys added since the last commit: time, length, bytes
  std::string key_;                        // scratch: the keys of a group
  std::size_t ends_[16] = {};              // scratch: where each key of the group ends
  std::uint64_t hashes_[16] = {};          // scratch: their hashes
  dedup_stats stats_;
};

}  // namespace sluice::inline v0::stream
