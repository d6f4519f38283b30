// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// `tumbling_window<Agg>`: event-time tumbling windows per group under a watermark, emitted in
/// append mode once closed (Spark's `withWatermark(...).groupBy(window(...), ...)` with
/// `outputMode("append")`). What is grouped and aggregated is the policy `Agg`
/// (`event_etl::device_aggregator` for the event ETL); the event time of its input is
/// `event_time_of`.

#include "sluice/core/concepts/transform.hpp"
#include "sluice/core/error.hpp"
#include "sluice/core/reject.hpp"
#include "sluice/state/state_store.hpp"
#include "sluice/store/any_blobs.hpp"
#include "sluice/stream/detail/hash.hpp"
#include "sluice/stream/detail/incremental.hpp"
#include "sluice/stream/event_time_of.hpp"
#include "sluice/stream/state_blob.hpp"
#include "sluice/stream/watermark.hpp"

#include <algorithm>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::inline v0::stream {

/// An aggregation policy of `tumbling_window`.
///
/// Syntax: `input_type`, `output_type`, `state_type` (default-constructible: the empty
/// aggregate); `a.group_key(out, v)` appends the group's key bytes of input `v` to `out`;
/// `a.add(state, v)` folds `v` into a group's state; `a.finish(start_ms, end_ms, key, state)`
/// makes the output row of a closed window; `a.save(state, writer)` / `a.load(state, reader)`
/// serialise a state with `blob_writer` / `blob_reader`.
///
/// Semantics: `add` is deterministic; `load` restores exactly what `save` wrote (doubles
/// round-trip), so a restored window finishes as it would have without the restart. Group keys
/// order the output within a window (byte order).
template <class A>
concept window_aggregator =
    std::default_initializable<typename A::state_type> &&
    requires(const A& a, std::string& out, const typename A::input_type& v,
             typename A::state_type& st, const typename A::state_type& cst, std::int64_t ms,
             std::string_view key, blob_writer& w, blob_reader& r) {
      typename A::output_type;
      { a.group_key(out, v) } -> std::same_as<void>;
      { a.add(st, v) } -> std::same_as<void>;
      { a.finish(ms, ms, key, cst) } -> std::same_as<typename A::output_type>;
      { a.save(cst, w) } -> std::same_as<void>;
      { a.load(st, r) } -> std::same_as<result<void>>;
    };

/// Window length and watermark delay of a `tumbling_window`.
struct window_options {
  std::int64_t window_ms = 60'000;     ///< length of each window (> 0); windows start at multiples of it
  std::int64_t delay_ms = 600'000;     ///< watermark delay (≥ 0)
};

/// Counts of a `tumbling_window`.
struct window_stats {
  std::int64_t aggregated = 0;   ///< events folded into a window
  std::int64_t late = 0;         ///< dropped: older than the watermark
  std::int64_t emitted = 0;      ///< windows (rows) emitted
};

/// Tumbling windows per group, emitted once the watermark passes their end.
///
/// Semantics:
/// - an event at time `t` belongs to the window `[start, start + window)` with
///   `start = ⌊t / window⌋ · window` (aligned to the Unix epoch, as Spark's `window()`), and to
///   the group `Agg::group_key` gives;
/// - the watermark is `max(event time seen) − delay`, advanced at the end of each batch
///   (`event_time_watermark`); an event with `t < watermark` is late: dropped and counted;
/// - at the end of each batch, every window with `end ≤ watermark` is emitted once (append
///   mode), ordered by window start, then group key bytes, and its state is dropped. No later
///   event can reach it: any such event is late. Windows still open stay in the state, which is
///   saved with each commit (`save_state` / `load_state`), so a restart neither loses nor
///   double-counts an event: whole in the commit record, or, once `checkpoint_to` attached a
///   state store, incrementally (`batch_stateful_transform`): each commit writes a changelog of
///   the windows the batch changed and the watermark, a snapshot every `snapshot_interval`
///   changelogs (docs/state-store.md, "The windows' entries"). Closed windows are not written
///   as removals: recovery drops them as the batch did, from the watermark of each file.
///
/// Errors: none from `apply`; `errc::corrupt_state` from `load_state` (`state_error()` names a
/// bad state file); the state store's from `save_state(blob, batch)`.
/// Thread-safety: none. Complexity: expected O(1) per event; O(open windows) per batch that
/// closes windows and per `save_state`.
template <class Agg>
  requires window_aggregator<Agg>
class tumbling_window {
 public:
  using stage_concept = transform_tag;
  using input_type = typename Agg::input_type;
  using output_type = typename Agg::output_type;
  using state_type = typename Agg::state_type;

  /// A window stage.
  /// Errors: `errc::invalid_argument` if `window_ms` ≤ 0 or `delay_ms` < 0.
  static result<tumbling_window> make(window_options opt, Agg agg = {}) {
    if (opt.window_ms <= 0 || opt.delay_ms < 0) return errc::invalid_argument;
    return tumbling_window(opt, std::move(agg));
  }

  /// Folds the events of `in` into their windows, then advances the watermark and appends the
  /// rows of the windows it closed to `out`.
  result<void> apply(std::vector<input_type>& in, std::vector<output_type>& out, reject_list&) {
    constexpr std::size_t ahead = 8;
    for (std::size_t i = 0; i < in.size(); ++i) {
      // The group key's bytes of a later event (the source's buffer, cold in a large batch).
      if constexpr (requires { agg_.prefetch(in[i]); }) {
        if (i + ahead < in.size()) agg_.prefetch(in[i + ahead]);
      }
      const auto& v = in[i];
      const std::int64_t t = event_time_of<input_type>::get(v);
      wm_.observe(t);
      if (wm_.is_late(t)) {
        ++stats_.late;
        continue;
      }
      const std::int64_t start = window_start(t);
      key_.clear();
      agg_.group_key(key_, v);
      entry& e = find_or_insert(start, key_);
      agg_.add(e.state, v);
      e.dirty = true;
      ++stats_.aggregated;
    }
    wm_.advance();
    emit_closed(out);
    return success();
  }

  /// From now on, commits checkpoint the state incrementally into `blobs` (a changelog per
  /// batch, snapshots, retention: `opt`); a state saved whole before still loads.
  void checkpoint_to(store::any_blobs blobs, state::state_options opt) {
    inc_.attach(std::move(blobs), std::move(opt));
    for (auto& e : entries_) e.dirty = true;
  }  /// As above, into `shared`, which other stages of the pipeline share (one file per batch for
  /// all of them); `own` names where a store of this stage alone kept its files, read when a
  /// commit from before names them. Errors: `errc::invalid_argument` if `shared` is full.
  result<void> checkpoint_to(std::shared_ptr<state::shared_store> shared, state::state_options own) {
    for (auto& e : entries_) e.dirty = true;
    return inc_.attach(std::move(shared), std::move(own));
  }


  /// The state of batch `batch_id`: with a state store, its changes written there and the
  /// manifest naming them in `blob`; without, as `save_state(blob)`. A retry of the same batch
  /// writes the same.
  result<void> save_state(std::string& blob, std::int64_t batch_id) {
    if (!inc_.attached()) return std::as_const(*this).save_state(blob);
    const bool changed = std::any_of(entries_.begin(), entries_.end(), [](const entry& e) { return e.dirty; });
    return inc_.write(
        batch_id, wm_.max_seen(), changed,
        [&](state::file_writer& w) {
          for (const auto& e : entries_)
            if (e.dirty) put_window(w, e);
        },
        [&](state::file_writer& w) {
          std::vector<std::uint32_t> order(entries_.size());
          for (std::uint32_t i = 0; i < order.size(); ++i) order[i] = i;
          sort_entries(order);
          for (const auto i : order) put_window(w, entries_[i]);
        },
        blob);
  }

  /// The commit of the last `save_state(blob, batch)` is durable (the state store may delete
  /// files no retained commit needs).
  result<void> state_committed() {
    for (auto& e : entries_) e.dirty = false;
    return inc_.committed();
  }

  /// What the state store found wrong when `load_state` failed (the file and why), else empty.
  [[nodiscard]] std::string state_error() const { return inc_.error_detail(); }

  /// Appends the state: `window1;`, the largest event time seen (`n;` if none), the number of
  /// open windows, then each window's start, group key and aggregate state (in window start,
  /// then key order, so equal states give equal blobs).
  result<void> save_state(std::string& blob) const {
    blob += "window1;";
    blob_writer w(blob);
    w.optional_integer(wm_.max_seen());
    w.integer(static_cast<std::int64_t>(entries_.size()));
    std::vector<std::uint32_t> order(entries_.size());
    for (std::uint32_t i = 0; i < order.size(); ++i) order[i] = i;
    sort_entries(order);
    for (const auto i : order) {
      const auto& e = entries_[i];
      w.integer(e.start);
      w.bytes(e.key.view());
      agg_.save(e.state, w);
    }
    return success();
  }

  /// Restores what `save_state` wrote (a manifest of the state store, or the whole state);
  /// `""` resets to no state.
  /// Errors: `errc::corrupt_state` for any other text, and for a state file that is missing or
  /// damaged (`state_error()` says which).
  result<void> load_state(std::string_view blob) {
    entries_.clear();
    index_.clear();
    min_start_ = std::numeric_limits<std::int64_t>::max();
    wm_.restore(std::nullopt);
    if (detail::is_manifest(blob) || (blob.empty() && inc_.attached())) {
      auto r = inc_.recover(
          blob,
          detail::incremental_state::entries(
              [this](std::optional<std::int64_t> m) {
                wm_.restore(m);
                drop_closed();
              },
              [this](std::string_view key, std::string_view value) -> result<void> {
                if (key.size() < 9 || key.front() != 'k') return errc::corrupt_state;
                std::int64_t start;
                std::memcpy(&start, key.data() + 1, 8);
                if (start != window_start(start)) return errc::corrupt_state;  // not a window of this size
                entry& e = find_or_insert(start, key.substr(9));
                e.state = state_type{};
                blob_reader r(value);
                SLUICE_TRYV(agg_.load(e.state, r));
                if (!r.at_end()) return errc::corrupt_state;
                return success();
              }),
          [this] {
            drop_closed();
            inc_.recovered_max_seen(wm_.max_seen());
          });
      if (!r) {
        entries_.clear();
        index_.clear();
        wm_.restore(std::nullopt);
        return r.error();
      }
      return success();
    }
    if (blob.empty()) return success();
    blob_reader r(blob);
    SLUICE_TRYV(r.expect("window1;"));
    SLUICE_TRY(max_seen, r.optional_integer());
    SLUICE_TRY(n, r.integer());
    if (n < 0) return errc::corrupt_state;
    for (std::int64_t i = 0; i < n; ++i) {
      SLUICE_TRY(start, r.integer());
      SLUICE_TRY(key, r.bytes());
      if (start != window_start(start)) return errc::corrupt_state;  // not a window of this size
      const std::size_t before = entries_.size();
      auto& e = find_or_insert(start, key);
      if (entries_.size() == before) return errc::corrupt_state;  // a window twice
      SLUICE_TRYV(agg_.load(e.state, r));
    }
    if (!r.at_end()) return errc::corrupt_state;
    wm_.restore(max_seen);
    // A whole state from the commit record (saved before the store was attached): the first
    // incremental commit after it writes a snapshot, since no file holds these windows.
    inc_.recovered_whole();
    return success();
  }

  /// The start of the window of an event at `t`.
  [[nodiscard]] std::int64_t window_start(std::int64_t t) const noexcept {
    const std::int64_t w = opt_.window_ms;
    const std::int64_t q = t / w;
    return (t % w != 0 && t < 0 ? q - 1 : q) * w;
  }
  /// The watermark.
  [[nodiscard]] const event_time_watermark& watermark() const noexcept { return wm_; }
  /// Open windows (one per window and group).
  [[nodiscard]] std::size_t open_windows() const noexcept { return entries_.size(); }
  /// The options.
  [[nodiscard]] const window_options& options() const noexcept { return opt_; }
  /// The aggregation policy.
  [[nodiscard]] const Agg& aggregator() const noexcept { return agg_; }
  /// Counts since this object was made (all batches, retries included).
  [[nodiscard]] const window_stats& stats() const noexcept { return stats_; }

 private:
  // An index slot: the entry's index + 1 (0: empty) in the low half, the high half of its hash
  // in the high half, so a probe rejects other windows without reading their entries.
  using slot_type = std::uint64_t;
  static slot_type make_slot(std::uint64_t hash, std::size_t entry) noexcept {
    return (hash & 0xffffffff00000000ULL) | static_cast<std::uint64_t>(entry + 1);
  }

  // A group key: up to `inline_size` bytes kept in the entry itself (the common case: a lookup
  // compares it without another cache miss), longer ones on the heap.
  class key_bytes {
   public:
    static constexpr std::size_t inline_size = 32;
    key_bytes() = default;
    explicit key_bytes(std::string_view k) : size_(k.size()) {
      if (k.size() <= inline_size) {
        std::memcpy(inline_, k.data(), k.size());
      } else {
        heap_.assign(k);
      }
    }
    [[nodiscard]] std::string_view view() const noexcept {
      return size_ <= inline_size ? std::string_view(inline_, size_) : std::string_view(heap_);
    }

   private:
    std::size_t size_ = 0;
    char inline_[inline_size] = {};
    std::string heap_;
  };

  struct entry {
    std::uint64_t hash = 0;
    std::int64_t start = 0;
    key_bytes key;
    state_type state{};
    bool dirty = false;   // changed since the last commit (for the changelog)
  };

  tumbling_window(window_options opt, Agg agg) : opt_(opt), agg_(std::move(agg)), wm_(opt.delay_ms) {}

  static std::uint64_t hash_of(std::int64_t start, std::string_view key) noexcept {
    return detail::hash_bytes(key, static_cast<std::uint64_t>(start) * 0x9E3779B97F4A7C15ULL);
  }

  entry& find_or_insert(std::int64_t start, std::string_view key) {
    if ((entries_.size() + 1) * 2 > index_.size()) reindex(std::max<std::size_t>(64, index_.size() * 2));
    const std::uint64_t h = hash_of(start, key);
    const std::uint64_t tag = h & 0xffffffff00000000ULL;
    const std::size_t mask = index_.size() - 1;
    for (std::size_t i = static_cast<std::size_t>(h) & mask;; i = (i + 1) & mask) {
      const slot_type slot = index_[i];
      if (slot == 0) {
        entries_.push_back(entry{h, start, key_bytes(key), state_type{}, false});
        index_[i] = make_slot(h, entries_.size() - 1);
        if (start < min_start_) min_start_ = start;
        return entries_.back();
      }
      if ((slot & 0xffffffff00000000ULL) != tag) continue;
      entry& e = entries_[static_cast<std::size_t>(slot & 0xffffffffULL) - 1];
      if (e.hash == h && e.start == start && detail::equal_bytes(e.key.view(), key)) return e;
    }
  }

  void reindex(std::size_t capacity) {
    index_.assign(capacity, 0);
    const std::size_t mask = capacity - 1;
    min_start_ = std::numeric_limits<std::int64_t>::max();
    for (std::size_t k = 0; k < entries_.size(); ++k) {
      std::size_t i = static_cast<std::size_t>(entries_[k].hash) & mask;
      while (index_[i] != 0) i = (i + 1) & mask;
      index_[i] = make_slot(entries_[k].hash, k);
      min_start_ = std::min(min_start_, entries_[k].start);
    }
  }

  void sort_entries(std::vector<std::uint32_t>& order) const {
    std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
      const auto& x = entries_[a];
      const auto& y = entries_[b];
      return x.start != y.start ? x.start < y.start : x.key.view() < y.key.view();
    });
  }

  // A window of the changelog: key 'k', the start (8 bytes LE) and the group key; value the
  // aggregate state as the policy saves it.
  void put_window(state::file_writer& w, const entry& e) {
    key_.assign(1, 'k');
    char start[8];
    std::memcpy(start, &e.start, 8);
    key_.append(start, 8);
    key_.append(e.key.view());
    value_.clear();
    blob_writer bw(value_);
    agg_.save(e.state, bw);
    w.put(key_, value_);
  }

  // Drops (without emitting) every window the watermark closed: recovery, as `emit_closed` did.
  void drop_closed() {
    const std::int64_t wm = wm_.current();
    if (entries_.empty() || wm < event_time_watermark::none + opt_.window_ms) return;
    std::size_t kept = 0;
    for (std::size_t i = 0; i < entries_.size(); ++i) {
      if (entries_[i].start <= wm - opt_.window_ms) continue;
      if (kept != i) entries_[kept] = std::move(entries_[i]);
      ++kept;
    }
    if (kept == entries_.size()) return;
    entries_.resize(kept);
    reindex(std::max<std::size_t>(64, index_.size()));
  }

  // Emits and drops every window whose end is at or before the watermark.
  void emit_closed(std::vector<output_type>& out) {
    const std::int64_t wm = wm_.current();
    if (entries_.empty() || wm < event_time_watermark::none + opt_.window_ms ||
        min_start_ > wm - opt_.window_ms)
      return;
    closing_.clear();
    for (std::uint32_t i = 0; i < entries_.size(); ++i)
      if (entries_[i].start <= wm - opt_.window_ms) closing_.push_back(i);
    sort_entries(closing_);
    out.reserve(out.size() + closing_.size());
    for (const auto i : closing_) {
      const auto& e = entries_[i];
      out.push_back(agg_.finish(e.start, e.start + opt_.window_ms, e.key.view(), e.state));
    }
    stats_.emitted += static_cast<std::int64_t>(closing_.size());
    // Keep the open windows, in their order.
    std::size_t kept = 0;
    for (std::size_t i = 0; i < entries_.size(); ++i) {
      if (entries_[i].start <= wm - opt_.window_ms) continue;
      if (kept != i) entries_[kept] = std::move(entries_[i]);
      ++kept;
    }
    entries_.resize(kept);
    std::size_t capacity = index_.size();
    while (capacity > 64 && entries_.size() * 8 < capacity) capacity /= 2;
    reindex(capacity);
  }

  window_options opt_;
  [[no_unique_address]] Agg agg_;
  event_time_watermark wm_;
  std::vector<entry> entries_;
  std::vector<slot_type> index_;       // open addressing (see slot_type), 0 = empty
  std::int64_t min_start_ = std::numeric_limits<std::int64_t>::max();
  std::string key_;                    // scratch
  std::string value_;                  // scratch: an aggregate saved for the changelog
  std::vector<std::uint32_t> closing_;  // scratch
  detail::incremental_state inc_;      // the state store, once attached
  window_stats stats_;
};

}  // namespace sluice::inline v0::stream
