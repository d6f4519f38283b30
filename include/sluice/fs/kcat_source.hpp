// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// `kcat_source`: a replayable source over a file of `kcat -C -J` output, one JSON object per
/// message (`topic`, `partition`, `offset`, `tstype`, `ts`, `broker`, `key`, `payload`, and
/// `headers` when kcat prints them; `key` and `payload` may be `null`).
///
/// The file is indexed when opened: for every (topic, partition) found in it, the offsets and
/// the byte positions of their lines. Plans are offset ranges per (topic, partition) as in
/// Kafka, and a plan is read back exactly from those byte positions, in this or a later process.
///
/// **Following a growing file.** `plan()` first checks the file (an `fstat` and a `stat`, nothing
/// more while it is unchanged) and indexes the lines appended since, so a source over the output
/// of a running `kcat -C -J … >> file` sees new messages without a restart. Only complete lines
/// are indexed: a last line without its `'\n'` waits until it is complete, unless it already
/// holds a whole kcat message (a JSON object is complete at its closing brace; only whitespace may
/// then follow it before the newline). Appending never changes what a plan reads, since the index
/// of a line depends only on the lines before it (see the rule on offsets below). A file that
/// shrank, was rewritten before the indexed end, or whose path now names another file (replaced,
/// renamed, removed) is an error (`errc::corrupt_state`, `problem()` says which), never a silent
/// misreading; the source stays failed.
///
/// **Bad lines.** A line that is not a kcat message (not JSON, not UTF-8, not an object, no
/// string `topic`, no integer `partition` in [0, 2^31) or `offset` ≥ 0, a `key` or `payload` that
/// is neither string nor null, a non-integer `ts`, or an offset that is not above the offset of
/// the previous message of its (topic, partition): a repeat or an out-of-order message) is never
/// skipped: it becomes a record of the pseudo-partition
/// (`kcat_bad_line_topic`, 0) whose offset is the line's index in the file (0-based), whose key is
/// absent and whose payload is the raw line. It is planned, replayed and committed like any
/// record, so it reaches the codec, which must reject it: its `bad_input` holds
/// `kcat_bad_line_reason(rec)` (core/record.hpp), every codec rejects a record with `bad_input`
/// set with that reason, and the dead letter then carries the raw line and the reason. Lines holding only whitespace carry no
/// message and are not counted as bad.
///
/// Limits: simdjson accepts only UTF-8, so a line with raw non-UTF-8 bytes (binary payloads as
/// kcat prints them without `-D`/base64) is a bad line; its bytes still reach the dead letters.

#include "sluice/core/concepts/source.hpp"
#include "sluice/core/error.hpp"
#include "sluice/core/fair_share.hpp"
#include "sluice/core/record.hpp"
#include "sluice/fs/detail/file_watch.hpp"
#include "sluice/fs/detail/posix.hpp"

#include <simdjson.h>

#include <fcntl.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

namespace sluice::inline v0::fs {

/// The topic of the pseudo-partition that carries the bad lines of a kcat file. It is not a
/// valid Kafka topic name (Kafka allows only `[a-zA-Z0-9._-]`), so it never clashes with data.
inline constexpr std::string_view kcat_bad_line_topic = "<kcat-bad-line>";

/// True if `rec` is a bad line of a kcat file rather than a message (see the file comment).
[[nodiscard]] inline bool is_kcat_bad_line(const source_record& rec) noexcept {
  return rec.topic == kcat_bad_line_topic;
}

namespace detail {

/// One message line, as views into the parser's memory.
struct kcat_message {
  std::string_view topic;
  std::int32_t partition = 0;
  std::int64_t offset = 0;
  std::int64_t timestamp_ms = 0;
  std::optional<std::string_view> key;
  std::optional<std::string_view> payload;
};

/// Parses one line into `m`; returns why it is not a kcat message, or nothing if it is one.
/// `padded` says whether `line` is followed by `SIMDJSON_PADDING` readable bytes.
inline std::optional<std::string> parse_kcat_line(simdjson::dom::parser& parser,
                                                  std::string_view line, bool padded,
                                                  kcat_message& m) {
  simdjson::dom::element doc;
  if (const auto err = parser.parse(line.data(), line.size(), !padded).get(doc); err) {
    std::string why = "not valid JSON (";
    why += simdjson::error_message(err);
    why += ')';
    return why;
  }
  simdjson::dom::object obj;
  if (doc.get(obj) != simdjson::SUCCESS) return std::string("not a JSON object");
  if (obj["topic"].get(m.topic) != simdjson::SUCCESS || m.topic.empty())
    return std::string("no non-empty string \"topic\"");
  if (m.topic == kcat_bad_line_topic) return std::string("topic name reserved for bad lines");
  std::int64_t partition = 0;
  if (obj["partition"].get(partition) != simdjson::SUCCESS || partition < 0 ||
      partition > std::numeric_limits<std::int32_t>::max())
    return std::string("no integer \"partition\" in [0, 2147483647]");
  m.partition = static_cast<std::int32_t>(partition);
  if (obj["offset"].get(m.offset) != simdjson::SUCCESS || m.offset < 0)
    return std::string("no integer \"offset\" >= 0");
  m.timestamp_ms = 0;
  if (simdjson::dom::element ts; obj["ts"].get(ts) == simdjson::SUCCESS &&
                                 ts.get(m.timestamp_ms) != simdjson::SUCCESS)
    return std::string("\"ts\" is not an integer");
  auto bytes = [&](const char* name, std::optional<std::string_view>& out) {
    out.reset();
    simdjson::dom::element e;
    if (obj[name].get(e) != simdjson::SUCCESS || e.is_null()) return true;
    std::string_view s;
    if (e.get(s) != simdjson::SUCCESS) return false;
    out = s;
    return true;
  };
  if (!bytes("key", m.key)) return std::string("\"key\" is neither a string nor null");
  if (!bytes("payload", m.payload)) return std::string("\"payload\" is neither a string nor null");
  return std::nullopt;
}

}  // namespace detail

/// Why the bad line `rec` (`is_kcat_bad_line(rec)`) is not a kcat message: one sentence for its
/// dead letter, e.g. `line 27 of the kcat file is not a kcat -J message: not valid JSON (…)`.
/// A pure function of the record, so a replay gives the same reason.
///
/// Complexity: one parse of the line. Thread-safety: safe.
[[nodiscard]] inline std::string kcat_bad_line_reason(const source_record& rec) {
  std::string why = "line ";
  why += std::to_string(rec.offset + 1);
  why += " of the kcat file is not a kcat -J message: ";
  simdjson::dom::parser parser;
  detail::kcat_message m;
  const std::string_view line = rec.payload ? std::string_view(*rec.payload) : std::string_view();
  if (auto bad = detail::parse_kcat_line(parser, line, false, m)) {
    why += *bad;
  } else {
    // The line parses: the index flagged it because an earlier line of its partition has this
    // offset or a higher one.
    why += "offset ";
    why += std::to_string(m.offset);
    why += " of topic ";
    why += m.topic;
    why += " partition ";
    why += std::to_string(m.partition);
    why += " is not above the offset of an earlier line of that partition (a repeated or "
           "out-of-order message)";
  }
  return why;
}

/// A replayable source over a file of `kcat -J` lines (see the file comment for the format and
/// for how bad lines surface).
///
/// Planning: every (topic, partition) of the file so far (see the file comment on growth),
/// plus the bad-line pseudo-partition when
/// there are bad lines, ordered by (topic, partition). A partition the position does not name
/// starts at its first offset in the file. At most `max` offsets are planned in total, shared
/// fairly among the partitions that have data left; offset gaps (compacted topics) count
/// towards `max`, as Spark's `maxOffsetsPerTrigger` does.
/// Thread-safety: none; one source per pipeline.
class kcat_source {
 public:
  using stage_concept = source_tag;

  /// What the index found for one partition.
  struct partition_info {
    std::string topic;
    std::int32_t partition = 0;
    std::int64_t first_offset = 0;   ///< smallest offset in the file
    std::int64_t end_offset = 0;     ///< one past the largest offset in the file
    std::size_t records = 0;         ///< lines of this partition in the file
    friend bool operator==(const partition_info&, const partition_info&) = default;
  };

  /// Opens and indexes `file`.
  ///
  /// Errors: the OS error if the file cannot be opened or read (`ENOENT`, `EACCES`, `EISDIR`).
  /// Bad lines are not errors (see the file comment).
  /// Blocking: yes, reads the whole file once. Complexity: linear in the file size.
  static result<kcat_source> open(const std::filesystem::path& file) {
    SLUICE_TRY(fd, detail::open_fd(file.c_str(), O_RDONLY));
    kcat_source src(std::move(fd), file);
    SLUICE_TRYV(src.refresh());
    return src;
  }

  /// Indexes the complete lines appended to the file since the last call (see the file comment);
  /// `plan()` calls it. Returns how many lines it indexed (blank ones included).
  ///
  /// Errors: the OS error of `fstat`, `stat` or a read; `errc::corrupt_state` if the file shrank,
  /// was rewritten before the indexed end, or its path names another file or nothing (the reason
  /// in `problem()`); after that every call fails the same way.
  /// Blocking: yes. Complexity: O(1) system calls when the file is unchanged, else linear in the
  /// bytes appended.
  result<std::size_t> refresh() {
    SLUICE_TRY(changed, watch_.check(fd_.get(), path_, consumed_));
    if (!changed) return std::size_t{0};
    return index_new_lines();
  }

  /// Plans the next batch from `position` (see the class comment), after indexing what was
  /// appended to the file (`refresh()`).
  ///
  /// Errors: `errc::invalid_argument` if `max` < 1; those of `refresh()`.
  /// Complexity: O(partitions × (|position| + log records)) plus that of `refresh()`.
  [[nodiscard]] result<std::vector<offset_range>> plan(const source_position& position,
                                                       std::int64_t max) {
    if (max < 1) return errc::invalid_argument;
    SLUICE_TRYV(refresh());
    std::vector<partition_backlog> backlogs;
    backlogs.reserve(parts_.size());
    for (const auto& p : parts_) {
      std::int64_t start = p.entries.front().offset;
      for (const auto& pos : position)
        if (pos.partition == p.partition && pos.topic == p.topic) start = pos.from;
      backlogs.push_back({p.topic, p.partition, start, p.entries.back().offset + 1});
    }
    return plan_fairly(backlogs, max);
  }

  /// Appends the records of `ranges` to `out`, in offset order per range; the same ranges give
  /// the same records in any process, as long as the file is unchanged (appending is fine).
  ///
  /// Errors: the OS error of a read; `errc::corrupt_state` if the file changed under an indexed
  /// line (it no longer holds the message the index recorded).
  /// Blocking: yes. Complexity: linear in the records read plus O(log n) per range.
  result<void> read(const std::vector<offset_range>& ranges, std::vector<source_record>& out) {
    for (const auto& r : ranges) {
      const partition_index* p = find(r.topic, r.partition);
      if (p == nullptr) continue;  // no record of that partition in the file
      const bool bad = p->topic == kcat_bad_line_topic;
      auto it = std::lower_bound(p->entries.begin(), p->entries.end(), r.from,
                                 [](const entry& e, std::int64_t off) { return e.offset < off; });
      for (; it != p->entries.end() && it->offset < r.to; ++it) {
        SLUICE_TRY(line, line_at(*it));
        source_record rec;
        if (bad) {
          rec.topic = kcat_bad_line_topic;
          rec.offset = it->offset;
          rec.payload = std::string(line);
          rec.bad_input = kcat_bad_line_reason(rec);
        } else {
          detail::kcat_message m;
          if (detail::parse_kcat_line(parser_, line, true, m) || m.topic != p->topic ||
              m.partition != p->partition || m.offset != it->offset)
            return errc::corrupt_state;
          rec.topic = std::string(m.topic);
          rec.partition = m.partition;
          rec.offset = m.offset;
          rec.timestamp_ms = m.timestamp_ms;
          if (m.key) rec.key = std::string(*m.key);
          if (m.payload) rec.payload = std::string(*m.payload);
        }
        out.push_back(std::move(rec));
      }
    }
    return success();
  }

  /// Nothing to release for a file; always succeeds (idempotent).
  result<void> commit(const std::vector<offset_range>&) const noexcept { return success(); }

  /// The partitions of the file in planning order (the bad-line pseudo-partition included).
  [[nodiscard]] std::vector<partition_info> partitions() const {
    std::vector<partition_info> out;
    for (const auto& p : parts_)
      out.push_back({p.topic, p.partition, p.entries.front().offset, p.entries.back().offset + 1,
                     p.entries.size()});
    return out;
  }

  /// How many lines of the file are bad lines.
  [[nodiscard]] std::size_t bad_line_count() const noexcept {
    const partition_index* p = find(std::string(kcat_bad_line_topic), 0);
    return p == nullptr ? 0 : p->entries.size();
  }

  /// The file this source reads.
  [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }

  /// The bytes of the file indexed so far (complete lines).
  [[nodiscard]] std::uint64_t indexed_bytes() const noexcept { return consumed_; }

  /// The bytes of an incomplete last line (no `'\n'` yet, not a whole message) that the last
  /// `refresh()` left for later; 0 if none.
  [[nodiscard]] std::uint64_t pending_bytes() const noexcept { return pending_; }

  /// Why the source failed with `errc::corrupt_state` in `refresh()`; empty if it did not.
  [[nodiscard]] const std::string& problem() const noexcept { return watch_.problem(); }

 private:
  struct entry {
    std::int64_t offset;   // Kafka offset, or the line index for bad lines
    std::uint64_t pos;     // byte position of the line
    std::uint64_t len;     // bytes of the line, without its '\n'
    std::int64_t line;     // 0-based line index
  };
  struct partition_index {
    std::string topic;
    std::int32_t partition = 0;
    std::vector<entry> entries;   // sorted by offset, never empty
  };

  kcat_source(detail::unique_fd fd, std::filesystem::path path)
      : fd_(std::move(fd)), path_(std::move(path)) {}

  [[nodiscard]] const partition_index* find(const std::string& topic, std::int32_t partition) const {
    auto it = std::lower_bound(parts_.begin(), parts_.end(), std::tie(topic, partition),
                               [](const partition_index& p, const auto& k) {
                                 return std::tie(p.topic, p.partition) < k;
                               });
    if (it == parts_.end() || it->topic != topic || it->partition != partition) return nullptr;
    return &*it;
  }

  // The partition of (topic, partition), created (in order) if new.
  partition_index& partition_of(std::string_view topic, std::int32_t partition) {
    if (last_part_ < parts_.size() && parts_[last_part_].partition == partition &&
        parts_[last_part_].topic == topic)
      return parts_[last_part_];
    const auto key = std::tuple<std::string_view, std::int32_t>(topic, partition);
    auto it = std::lower_bound(parts_.begin(), parts_.end(), key,
                               [](const partition_index& p, const auto& k) {
                                 return std::tuple<std::string_view, std::int32_t>(
                                            p.topic, p.partition) < k;
                               });
    if (it == parts_.end() || it->topic != topic || it->partition != partition)
      it = parts_.insert(it, partition_index{std::string(topic), partition, {}});
    last_part_ = static_cast<std::size_t>(it - parts_.begin());
    return *it;
  }

  // Indexes one line at file position `pos`. A message must have an offset above the previous
  // one of its partition, so the index of a line depends only on the lines before it: appending
  // never changes what a plan over the lines before reads, in this or a later process.
  void index_line(std::string_view line, std::uint64_t pos) {
    const std::int64_t line_no = next_line_++;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) return;
    detail::kcat_message m;
    if (!detail::parse_kcat_line(parser_, line, true, m)) {
      auto& p = partition_of(m.topic, m.partition);
      if (p.entries.empty() || p.entries.back().offset < m.offset) {
        p.entries.push_back({m.offset, pos, line.size(), line_no});
        return;
      }
    }
    partition_of(kcat_bad_line_topic, 0).entries.push_back({line_no, pos, line.size(), line_no});
  }

  // Indexes the complete lines from `consumed_` to the end of the file.
  result<std::size_t> index_new_lines() {
    const std::int64_t first_line = next_line_;
    std::string buf;
    std::size_t cap = std::size_t{1} << 20;
    if (watch_.size() - consumed_ < cap)
      cap = std::max<std::size_t>(4096, static_cast<std::size_t>(watch_.size() - consumed_) + 1);
    buf.resize(cap + simdjson::SIMDJSON_PADDING);
    std::size_t have = 0;
    std::uint64_t base = consumed_;  // file position of buf[0]
    pending_ = 0;
    for (;;) {
      if (have == cap) {
        cap *= 2;
        buf.resize(cap + simdjson::SIMDJSON_PADDING);
      }
      SLUICE_TRY(n, detail::pread_full(fd_.get(), buf.data() + have, cap - have,
                                       static_cast<off_t>(base + have)));
      const bool eof = n < cap - have;
      have += n;
      std::size_t start = 0;
      if (tail_open_) {
        // The last line was indexed as a whole message before its newline came: only
        // whitespace may follow it on its line.
        std::size_t i = 0;
        while (i < have && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r')) ++i;
        if (i < have && buf[i] != '\n') {
          return watch_.fail(path_, "was changed: text was appended to its last line, which was indexed as "
                      "a complete message");
        }
        start = i < have ? i + 1 : i;
        tail_open_ = i == have;
        consumed_ = base + start;
      }
      while (const void* nl = std::memchr(buf.data() + start, '\n', have - start)) {
        const auto end = static_cast<std::size_t>(static_cast<const char*>(nl) - buf.data());
        index_line(std::string_view(buf.data() + start, end - start), base + start);
        start = end + 1;
        consumed_ = base + start;
      }
      if (eof) {
        const std::string_view rest(buf.data() + start, have - start);
        detail::kcat_message m;
        if (rest.find_first_not_of(" \t\r") != std::string_view::npos &&
            !detail::parse_kcat_line(parser_, rest, true, m)) {
          index_line(rest, base + start);
          consumed_ = base + have;
          tail_open_ = true;
        } else {
          pending_ = rest.size();
        }
        break;
      }
      std::memmove(buf.data(), buf.data() + start, have - start);
      base += start;
      have -= start;
    }
    SLUICE_TRYV(watch_.read_tail(fd_.get(), consumed_));
    return static_cast<std::size_t>(next_line_ - first_line);
  }

  // The bytes of the line of `e`, followed by at least SIMDJSON_PADDING readable bytes. Reads
  // ahead a window of the file, since the lines of a plan are usually consecutive.
  result<std::string_view> line_at(const entry& e) {
    if (e.pos < win_start_ || e.pos + e.len > win_start_ + win_len_) {
      const std::size_t want = std::max<std::size_t>(e.len, std::size_t{1} << 18);
      if (win_.size() < want + simdjson::SIMDJSON_PADDING) win_.resize(want + simdjson::SIMDJSON_PADDING);
      SLUICE_TRY(n, detail::pread_full(fd_.get(), win_.data(), want, static_cast<off_t>(e.pos)));
      if (n < e.len) return errc::corrupt_state;  // the file shrank since it was indexed
      win_start_ = e.pos;
      win_len_ = n;
    }
    return std::string_view(win_.data() + (e.pos - win_start_), e.len);
  }

  detail::unique_fd fd_;
  std::filesystem::path path_;
  std::vector<partition_index> parts_;   // sorted by (topic, partition)
  std::size_t last_part_ = 0;            // the partition of the previous line (a guess)
  std::uint64_t consumed_ = 0;           // bytes indexed: complete lines (and a whole message)
  std::int64_t next_line_ = 0;           // index of the next line
  bool tail_open_ = false;               // the last line indexed has no '\n' yet
  std::uint64_t pending_ = 0;            // bytes of an incomplete last line
  detail::file_watch watch_{"kcat file"};   // identity, size and tail of the file
  simdjson::dom::parser parser_;
  std::string win_;
  std::uint64_t win_start_ = 0;
  std::size_t win_len_ = 0;
};

static_assert(source<kcat_source>);

}  // namespace sluice::inline v0::fs
