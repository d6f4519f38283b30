// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// `lines_source`: a replayable source over a file of plain lines (JSON lines: one event per
/// line), next to `kcat_source`, which reads `kcat -J` envelopes.
///
/// Every line is one record of the single partition (`topic`, 0) whose offset is the line's
/// index in the file (0-based) and whose payload is the line without its `'\n'` (and without a
/// `'\r'` before it); the key is absent and the timestamp 0. Lines holding only spaces, tabs or
/// `'\r'` carry no record: their offsets are gaps, as after Kafka compaction. Nothing else is
/// inspected, so a line that is not JSON reaches the codec, which rejects it with its reason.
///
/// **Memory stays flat.** The source keeps a sparse index, the byte position of every 1024th
/// line, so a file of 10 million lines costs about 80 KB; reading a range starts at the nearest
/// indexed line before it (or where the previous read stopped, the common case) and scans
/// forward. Lines are indexed lazily: `plan()` counts only as many new lines as the batch needs,
/// and keeps their bytes and ends (8 bytes a line) for the read that follows, which takes them
/// without reading or searching again. Two buffers of about one batch's bytes each.
///
/// **Zero-copy records.** `read` yields `record_view`s (`record_type`): one `pread` brings a
/// batch's bytes into one buffer the source owns, and each record views its line there, with
/// `payload_padding` ≥ `SIMDJSON_PADDING` readable bytes after it, so simdjson parses in place.
/// No allocation per record: the buffer keeps its capacity from batch to batch. The views are
/// valid until the next `read` (or until the source is moved or destroyed). When the lines of a
/// range were counted by the last `plan` (the steady state), the read takes the bytes the count
/// read; a replayed range is read again and scanned.
///
/// **Following a growing file.** As `kcat_source` does, `plan()` checks the file (an `fstat` and a
/// `stat`) and counts lines appended since; only complete lines (ending in `'\n'`) are planned,
/// so a line still being written is never read half. A file that shrank below what was indexed,
/// was rewritten before the indexed end (its last indexed bytes changed) or whose path names
/// another file is an error, `errc::corrupt_state` with the reason in `problem()`; the source
/// stays failed. A last line without `'\n'` is planned only once its newline arrives: write files
/// with a final newline (the generator and `jq -c` do).

#include "sluice/core/concepts/source.hpp"
#include "sluice/core/error.hpp"
#include "sluice/core/record.hpp"
#include "sluice/fs/detail/file_watch.hpp"
#include "sluice/fs/detail/posix.hpp"

#include <simdjson.h>

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::inline v0::fs {

namespace detail {

/// A growable byte buffer that does not zero what it adds (a batch of file bytes is read into
/// it) and keeps its capacity when cleared.
class byte_buffer {
 public:
  [[nodiscard]] char* data() noexcept { return data_.get(); }
  [[nodiscard]] const char* data() const noexcept { return data_.get(); }
  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  [[nodiscard]] std::size_t capacity() const noexcept { return capacity_; }
  void clear() noexcept { size_ = 0; }
  /// Makes room for `n` more bytes after `size()` (contents kept) and returns where they go.
  char* reserve_more(std::size_t n) {
    if (capacity_ - size_ < n) {
      const std::size_t cap = std::max(size_ + n, capacity_ + capacity_ / 2);
      auto bigger = std::make_unique_for_overwrite<char[]>(cap);
      if (size_ > 0) std::memcpy(bigger.get(), data_.get(), size_);
      data_ = std::move(bigger);
      capacity_ = cap;
    }
    return data_.get() + size_;
  }
  /// Counts `n` bytes written after `size()` (within the room made by `reserve_more`).
  void grow(std::size_t n) noexcept { size_ += n; }
  void resize_down(std::size_t n) noexcept { size_ = n; }

 private:
  std::unique_ptr<char[]> data_;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
};

}  // namespace detail

/// Options of a `lines_source`.
struct lines_source_options {
  /// The topic name of the records (the file is one stream, partition 0).
  std::string topic = "events";
  /// At most this many bytes counted ahead are kept for the next read (beyond it, counting far
  /// ahead, as a replay after a restart does, keeps only the last stretch). Not a limit on lines.
  std::size_t max_kept_bytes = std::size_t{64} << 20;
};

/// A replayable source over a file of lines (see the file comment).
///
/// Planning: one range `[position, position + n)` of partition (`topic`, 0), with `n` ≤ `max`
/// lines that are complete in the file; empty when no new complete line exists. A position that
/// does not name the partition starts at line 0.
/// Thread-safety: none; one source per pipeline.
class lines_source {
 public:
  using stage_concept = source_tag;
  /// Zero-copy: records view the source's batch buffer (see the file comment).
  using record_type = record_view;

  /// Lines between two entries of the sparse index.
  static constexpr std::int64_t index_stride = 1024;

  /// Opens `file`; nothing is read until the first `plan` or `read`.
  ///
  /// Errors: the OS error if the file cannot be opened (`ENOENT`, `EACCES`) or is a directory
  /// (`EISDIR`).
  /// Blocking: yes (open, fstat).
  static result<lines_source> open(const std::filesystem::path& file, lines_source_options opt = {}) {
    SLUICE_TRY(fd, detail::open_fd(file.c_str(), O_RDONLY));
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) return detail::last_error();
    if (S_ISDIR(st.st_mode)) return std::error_code(EISDIR, std::system_category());
    return lines_source(std::move(fd), file, std::move(opt));
  }

  /// Plans the next batch from `position` (see the class comment), after counting the complete
  /// lines appended since the last call, up to the `max` lines this batch may take.
  ///
  /// Errors: `errc::invalid_argument` if `max` < 1; the OS error of `fstat`, `stat` or a read;
  /// `errc::corrupt_state` if the file shrank, was rewritten or replaced (see `problem()`).
  /// Blocking: yes. Complexity: linear in the bytes of the newly counted lines.
  [[nodiscard]] result<std::vector<offset_range>> plan(const source_position& position,
                                                       std::int64_t max) {
    if (max < 1) return errc::invalid_argument;
    std::int64_t start = 0;
    for (const auto& p : position)
      if (p.partition == 0 && p.topic == opt_.topic) start = p.to;
    if (start < 0) return errc::invalid_argument;
    const std::int64_t want = max > std::numeric_limits<std::int64_t>::max() - start
                                  ? std::numeric_limits<std::int64_t>::max()
                                  : start + max;
    SLUICE_TRYV(refresh());
    // The lines before the batch (a restart from a checkpoint far into the file) are counted
    // without keeping their bytes; the batch's lines are kept for its read.
    SLUICE_TRYV(count_lines_until(start, false));
    SLUICE_TRYV(count_lines_until(want));
    std::vector<offset_range> out;
    const std::int64_t end = std::min(want, lines_);
    if (end > start) out.push_back({opt_.topic, 0, start, end});
    return out;
  }

  /// Appends the records of `ranges` to `out`, in offset order: every non-blank line whose index
  /// lies in a range of (`topic`, 0). The same ranges give the same records in this and any
  /// later process, as long as the file is unchanged (appending is fine). The records view this
  /// source's buffer until the next `read`; `out` is left as it was on an error.
  ///
  /// Errors: `errc::corrupt_state` if a range reaches past the complete lines of the file (it
  /// was not planned on this file) or the file changed; the OS error of a read.
  /// Blocking: yes. Complexity: linear in the bytes read, plus at most `index_stride` lines
  /// skipped per range.
  result<void> read(const std::vector<offset_range>& ranges, std::vector<record_view>& out) {
    batch_.clear();
    lines_read_.clear();
    for (const auto& r : ranges) {
      if (r.topic != opt_.topic || r.partition != 0 || r.from >= r.to) continue;
      if (r.from < 0) return errc::invalid_argument;
      SLUICE_TRYV(refresh());
      SLUICE_TRYV(count_lines_until(r.to));
      if (r.to > lines_) return errc::corrupt_state;
      SLUICE_TRYV(read_range(r.from, r.to));
    }
    // Padding after the last line; earlier lines are followed by later ones and this.
    std::memset(batch_.reserve_more(simdjson::SIMDJSON_PADDING), 0, simdjson::SIMDJSON_PADDING);
    const std::size_t readable = batch_.size() + simdjson::SIMDJSON_PADDING;
    out.reserve(out.size() + lines_read_.size());
    for (const line_span& l : lines_read_) {
      record_view& rec = out.emplace_back();
      rec.topic = opt_.topic;
      rec.partition = 0;
      rec.offset = l.line;
      rec.payload.emplace(batch_.data() + l.begin, l.size);
      rec.payload_padding = readable - l.begin - l.size;
    }
    return success();
  }

  /// Nothing to release for a file; always succeeds (idempotent).
  result<void> commit(const std::vector<offset_range>&) const noexcept { return success(); }

  /// The file this source reads.
  [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }
  /// The options it was opened with.
  [[nodiscard]] const lines_source_options& options() const noexcept { return opt_; }
  /// Complete lines counted so far (blank ones included).
  [[nodiscard]] std::int64_t counted_lines() const noexcept { return lines_; }
  /// Why the source failed with `errc::corrupt_state`; empty if it did not.
  [[nodiscard]] const std::string& problem() const noexcept { return watch_.problem(); }

 private:
  lines_source(detail::unique_fd fd, std::filesystem::path path, lines_source_options opt)
      : fd_(std::move(fd)), path_(std::move(path)), opt_(std::move(opt)) {
    index_.push_back(0);
  }

  // Checks that the file is still the one indexed and has not shrunk or changed under the
  // indexed bytes; notes its size (`watch_.size()`).
  result<void> refresh() {
    SLUICE_TRY(changed, watch_.check(fd_.get(), path_, counted_bytes_));
    (void)changed;
    return success();
  }

  // Counts complete lines until `lines_ >= target` or the end of the file (as of the last
  // refresh), extending the sparse index. With `keep_bytes` false the lines' bytes are not kept for
  // a read (lines before the batch being planned): only the chunk being counted is held.
  result<void> count_lines_until(std::int64_t target, bool keep_bytes = true) {
    const std::uint64_t size = watch_.size();
    if (lines_ >= target || counted_bytes_ >= size) return success();
    constexpr std::size_t chunk = std::size_t{1} << 20;
    // The lines counted now are the ones the next read most likely asks for: keep their bytes
    // (in `next_`, from `counted_start_`) and their ends, so that read needs no second pass.
    counted_first_ = lines_;
    counted_start_ = counted_bytes_;
    counted_ends_.clear();
    next_.clear();
    prefetched_ = true;
    std::uint64_t pos = counted_bytes_;   // file position of next_'s end
    while (lines_ < target && pos < size) {
      if (next_.size() > 0 && (!keep_bytes || next_.size() > opt_.max_kept_bytes)) {
        // Lines not kept (before the batch) or counted far ahead: keep only the line being
        // counted.
        const auto done = static_cast<std::size_t>(counted_bytes_ - counted_start_);
        std::memmove(next_.data(), next_.data() + done, next_.size() - done);
        next_.resize_down(next_.size() - done);
        counted_first_ = lines_;
        counted_start_ = counted_bytes_;
        counted_ends_.clear();
      }
      // About what the lines still wanted take (from the average line so far, a quarter more),
      // so a small batch does not copy a whole chunk it will not use; more is read if short.
      std::uint64_t need = chunk;
      if (lines_ > 0) {
        const std::uint64_t avg = counted_bytes_ / static_cast<std::uint64_t>(lines_) + 1;
        const std::uint64_t more = std::min<std::uint64_t>(static_cast<std::uint64_t>(target - lines_), chunk);
        need = std::clamp<std::uint64_t>(more * avg / 4 * 5 + 4096, std::uint64_t{64} << 10, chunk);
      }
      const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(need, size - pos));
      SLUICE_TRY(n, detail::pread_full(fd_.get(), next_.reserve_more(want), want, static_cast<off_t>(pos)));
      if (n == 0) break;  // shrank meanwhile: the next refresh reports it
      const char* const base = next_.data();   // the byte at counted_start_
      const char* p = base + next_.size();
      const char* const end = p + n;
      next_.grow(n);
      while (lines_ < target) {
        const void* nl = std::memchr(p, '\n', static_cast<std::size_t>(end - p));
        if (nl == nullptr) break;
        p = static_cast<const char*>(nl) + 1;
        ++lines_;
        counted_bytes_ = counted_start_ + static_cast<std::uint64_t>(p - base);
        counted_ends_.push_back(counted_bytes_);
        if (lines_ % index_stride == 0) index_.push_back(counted_bytes_);
      }
      if (lines_ >= target) break;
      pos += n;
    }
    // The last bytes counted, to notice a rewrite under them later: still in the bytes just
    // read when they are there.
    const auto keep = static_cast<std::size_t>(std::min<std::uint64_t>(counted_bytes_, detail::file_watch::tail_size));
    if (counted_bytes_ - keep >= counted_start_) {
      watch_.note_tail(std::string_view(next_.data() + (counted_bytes_ - keep - counted_start_), keep));
    } else {
      SLUICE_TRYV(watch_.read_tail(fd_.get(), counted_bytes_));
    }
    return success();
  }

  // Reads lines [from, to), all complete and counted, into `batch_`, noting each in
  // `lines_read_`.
  result<void> read_range(std::int64_t from, std::int64_t to) {
    const std::int64_t known_end = counted_first_ + static_cast<std::int64_t>(counted_ends_.size());
    if (from >= counted_first_ && to <= known_end) return read_counted(from, to);
    return read_scanning(from, to);
  }

  // The fast path: the bounds of lines [from, to) are in `counted_ends_`; one pread, no search.
  result<void> read_counted(std::int64_t from, std::int64_t to) {
    const auto end_of = [&](std::int64_t line) {   // position after the line's '\n'
      return counted_ends_[static_cast<std::size_t>(line - counted_first_)];
    };
    const std::uint64_t first = from == counted_first_ ? counted_start_ : end_of(from - 1);
    const std::uint64_t last = end_of(to - 1);
    std::size_t base = 0;      // batch_[base] holds the file's byte at `origin`
    std::uint64_t origin = 0;
    if (prefetched_ && batch_.size() == 0) {
      // The bytes the count read are still in next_: take them as they are.
      std::swap(batch_, next_);
      prefetched_ = false;
      origin = counted_start_;
    } else {
      const auto bytes = static_cast<std::size_t>(last - first);
      base = batch_.size();
      origin = first;
      SLUICE_TRY(n, detail::pread_full(fd_.get(), batch_.reserve_more(bytes), bytes,
                                       static_cast<off_t>(first)));
      if (n != bytes) return errc::corrupt_state;  // shrank under counted lines
      batch_.grow(bytes);
    }
    std::uint64_t begin = first;
    for (std::int64_t line = from; line < to; ++line) {
      const std::uint64_t end = end_of(line);
      note(line, base + static_cast<std::size_t>(begin - origin),
           static_cast<std::size_t>(end - 1 - begin));
      begin = end;
    }
    cursor_line_ = to;
    cursor_pos_ = last;
    return success();
  }

  // The general path (a replay, or lines counted by an earlier plan): scan for newlines from the
  // previous read's end or the indexed line before `from`.
  result<void> read_scanning(std::int64_t from, std::int64_t to) {
    std::int64_t line = (from / index_stride) * index_stride;
    std::uint64_t pos = index_[static_cast<std::size_t>(from / index_stride)];
    if (cursor_line_ <= from && cursor_line_ > line) {
      line = cursor_line_;
      pos = cursor_pos_;
    }
    constexpr std::size_t chunk = std::size_t{1} << 20;
    const std::size_t base = batch_.size();   // batch_[base] holds the byte at file `pos`
    std::size_t start = base;                 // start of the current line in batch_
    std::size_t scanned = base;               // bytes before this hold no unseen '\n'
    while (line < to) {
      const void* nl = std::memchr(batch_.data() + scanned, '\n', batch_.size() - scanned);
      if (nl == nullptr) {
        scanned = batch_.size();
        const std::uint64_t at = pos + (batch_.size() - base);
        if (at >= counted_bytes_) return errc::corrupt_state;  // counted lines end with '\n'
        const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(chunk, counted_bytes_ - at));
        SLUICE_TRY(n, detail::pread_full(fd_.get(), batch_.reserve_more(want), want,
                                         static_cast<off_t>(at)));
        if (n == 0) return errc::corrupt_state;  // shrank under counted lines
        batch_.grow(n);
        continue;
      }
      const auto end = static_cast<std::size_t>(static_cast<const char*>(nl) - batch_.data());
      if (line >= from) note(line, start, end - start);
      start = end + 1;
      scanned = start;
      ++line;
    }
    cursor_line_ = line;
    cursor_pos_ = pos + (start - base);
    batch_.resize_down(start);   // bytes read past the range are not needed
    return success();
  }

  // Notes line `line` at batch_[begin, begin + size) (without its '\n') unless it is blank.
  void note(std::int64_t line, std::size_t begin, std::size_t size) {
    std::string_view text(batch_.data() + begin, size);
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    if (text.find_first_not_of(" \t\r") == std::string_view::npos) return;  // blank: a gap
    lines_read_.push_back({line, begin, text.size()});
  }

  struct line_span {
    std::int64_t line;
    std::size_t begin;   // in batch_
    std::size_t size;
  };

  detail::unique_fd fd_;
  std::filesystem::path path_;
  lines_source_options opt_;
  std::vector<std::uint64_t> index_;   // byte position of line k * index_stride
  std::int64_t lines_ = 0;             // complete lines counted
  std::uint64_t counted_bytes_ = 0;    // bytes of those lines
  detail::file_watch watch_{"lines file"};   // identity, size and tail of the file
  std::int64_t cursor_line_ = 0;       // where the last read stopped
  std::uint64_t cursor_pos_ = 0;
  std::int64_t counted_first_ = 0;     // first line counted by the last count
  std::uint64_t counted_start_ = 0;    // its byte position
  std::vector<std::uint64_t> counted_ends_;   // position after each of those lines' '\n'
  detail::byte_buffer next_;           // the bytes the last count read, from counted_start_
  bool prefetched_ = false;            // next_ holds them (not yet taken by a read)
  detail::byte_buffer batch_;          // the bytes of the last read
  std::vector<line_span> lines_read_;  // its records, as positions in batch_
};

static_assert(source<lines_source>);

}  // namespace sluice::inline v0::fs
