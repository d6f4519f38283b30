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
/// forward. Lines are indexed lazily: `plan()` counts only as many new lines as the batch needs.
///
/// **Payloads are padded.** Each payload string is allocated with `SIMDJSON_PADDING` spare
/// bytes of capacity, so simdjson can parse it in place without a copy (see `is_padded`).
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
#include "sluice/fs/detail/posix.hpp"

#include <simdjson.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::inline v0::fs {

/// True if `payload` has `SIMDJSON_PADDING` bytes of spare capacity after its end, so simdjson
/// may read past it (payloads made by `lines_source` always have).
[[nodiscard]] inline bool is_padded(const std::string& payload) noexcept {
  return payload.capacity() - payload.size() >= simdjson::SIMDJSON_PADDING;
}

/// Options of a `lines_source`.
struct lines_source_options {
  /// The topic name of the records (the file is one stream, partition 0).
  std::string topic = "events";
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
    SLUICE_TRYV(count_lines_until(want));
    std::vector<offset_range> out;
    const std::int64_t end = std::min(want, lines_);
    if (end > start) out.push_back({opt_.topic, 0, start, end});
    return out;
  }

  /// Appends the records of `ranges` to `out`, in offset order: every non-blank line whose index
  /// lies in a range of (`topic`, 0). The same ranges give the same records in this and any
  /// later process, as long as the file is unchanged (appending is fine).
  ///
  /// Errors: `errc::corrupt_state` if a range reaches past the complete lines of the file (it
  /// was not planned on this file) or the file changed; the OS error of a read.
  /// Blocking: yes. Complexity: linear in the bytes read, plus at most `index_stride` lines
  /// skipped per range.
  result<void> read(const std::vector<offset_range>& ranges, std::vector<source_record>& out) {
    for (const auto& r : ranges) {
      if (r.topic != opt_.topic || r.partition != 0 || r.from >= r.to) continue;
      if (r.from < 0) return errc::invalid_argument;
      SLUICE_TRYV(refresh());
      SLUICE_TRYV(count_lines_until(r.to));
      if (r.to > lines_) return errc::corrupt_state;
      SLUICE_TRYV(read_range(r.from, r.to, out));
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
  [[nodiscard]] const std::string& problem() const noexcept { return problem_; }

 private:
  lines_source(detail::unique_fd fd, std::filesystem::path path, lines_source_options opt)
      : fd_(std::move(fd)), path_(std::move(path)), opt_(std::move(opt)) {
    index_.push_back(0);
  }

  result<void> fail(const std::string& what) {
    problem_ = "the lines file " + path_.string() + " " + what;
    return errc::corrupt_state;
  }

  // Checks that the file is still the one indexed and has not shrunk or changed under the
  // indexed bytes; notes its size.
  result<void> refresh() {
    if (!problem_.empty()) return errc::corrupt_state;
    struct stat fst {};
    if (::fstat(fd_.get(), &fst) != 0) return detail::last_error();
    struct stat pst {};
    if (::stat(path_.c_str(), &pst) != 0) {
      if (errno == ENOENT || errno == ENOTDIR) return fail("was removed or renamed away");
      return detail::last_error();
    }
    if (pst.st_dev != fst.st_dev || pst.st_ino != fst.st_ino)
      return fail("was replaced by another file");
    const auto size = static_cast<std::uint64_t>(fst.st_size);
    if (seen_ && size == size_ && fst.st_mtim.tv_sec == mtime_.tv_sec &&
        fst.st_mtim.tv_nsec == mtime_.tv_nsec)
      return success();
    if (size < counted_bytes_)
      return fail("shrank to " + std::to_string(size) + " bytes, below the " +
                  std::to_string(counted_bytes_) + " bytes already indexed (truncated)");
    if (!tail_.empty()) {
      std::string now(tail_.size(), '\0');
      SLUICE_TRY(n, detail::pread_full(fd_.get(), now.data(), now.size(),
                                       static_cast<off_t>(counted_bytes_ - tail_.size())));
      if (n != now.size() || now != tail_)
        return fail("was rewritten: its bytes before position " + std::to_string(counted_bytes_) +
                    " changed");
    }
    seen_ = true;
    size_ = size;
    mtime_ = fst.st_mtim;
    return success();
  }

  // Counts complete lines until `lines_ >= target` or the end of the file (as of the last
  // refresh), extending the sparse index.
  result<void> count_lines_until(std::int64_t target) {
    if (lines_ >= target || counted_bytes_ >= size_) return success();
    constexpr std::size_t chunk = std::size_t{1} << 20;
    if (scan_.size() < chunk) scan_.resize(chunk);
    std::uint64_t pos = counted_bytes_;
    while (lines_ < target && pos < size_) {
      const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(chunk, size_ - pos));
      SLUICE_TRY(n, detail::pread_full(fd_.get(), scan_.data(), want, static_cast<off_t>(pos)));
      if (n == 0) break;  // shrank meanwhile: the next refresh reports it
      const char* const base = scan_.data();
      const char* p = base;
      const char* const end = base + n;
      while (lines_ < target) {
        const void* nl = std::memchr(p, '\n', static_cast<std::size_t>(end - p));
        if (nl == nullptr) break;
        p = static_cast<const char*>(nl) + 1;
        ++lines_;
        counted_bytes_ = pos + static_cast<std::uint64_t>(p - base);
        if (lines_ % index_stride == 0) index_.push_back(counted_bytes_);
      }
      if (lines_ >= target) break;
      pos += n;
    }
    // The last bytes counted, to notice a rewrite under them later.
    const auto keep = static_cast<std::size_t>(std::min<std::uint64_t>(counted_bytes_, 64));
    tail_.assign(keep, '\0');
    if (keep > 0) {
      SLUICE_TRY(n, detail::pread_full(fd_.get(), tail_.data(), keep,
                                       static_cast<off_t>(counted_bytes_ - keep)));
      tail_.resize(n);
    }
    return success();
  }

  // Reads lines [from, to), all complete and counted.
  result<void> read_range(std::int64_t from, std::int64_t to, std::vector<source_record>& out) {
    // Start where the previous read stopped if that is at or before `from` within one stride,
    // else at the indexed line before `from`.
    std::int64_t line = (from / index_stride) * index_stride;
    std::uint64_t pos = index_[static_cast<std::size_t>(from / index_stride)];
    if (cursor_line_ <= from && cursor_line_ > line) {
      line = cursor_line_;
      pos = cursor_pos_;
    }
    constexpr std::size_t chunk = std::size_t{1} << 20;
    if (buf_.size() < chunk) buf_.resize(chunk);
    std::size_t have = 0;       // bytes in buf_ from `base`
    std::uint64_t base = pos;   // file position of buf_[0]
    std::size_t start = 0;      // start of the current line in buf_
    while (line < to) {
      const void* nl = std::memchr(buf_.data() + start, '\n', have - start);
      if (nl == nullptr) {
        // Move the partial line to the front and read more.
        std::memmove(buf_.data(), buf_.data() + start, have - start);
        base += start;
        have -= start;
        start = 0;
        if (have == buf_.size()) buf_.resize(buf_.size() * 2);  // a line longer than the buffer
        SLUICE_TRY(n, detail::pread_full(fd_.get(), buf_.data() + have, buf_.size() - have,
                                         static_cast<off_t>(base + have)));
        if (n == 0) return errc::corrupt_state;  // shrank under counted lines
        have += n;
        continue;
      }
      const auto end = static_cast<std::size_t>(static_cast<const char*>(nl) - buf_.data());
      if (line >= from) emit(line, std::string_view(buf_.data() + start, end - start), out);
      start = end + 1;
      ++line;
    }
    cursor_line_ = line;
    cursor_pos_ = base + start;
    return success();
  }

  void emit(std::int64_t line, std::string_view text, std::vector<source_record>& out) const {
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    if (text.find_first_not_of(" \t\r") == std::string_view::npos) return;  // blank: a gap
    source_record& rec = out.emplace_back();
    rec.topic = opt_.topic;
    rec.partition = 0;
    rec.offset = line;
    std::string& payload = rec.payload.emplace();
    payload.reserve(text.size() + simdjson::SIMDJSON_PADDING);
    payload.assign(text);
  }

  detail::unique_fd fd_;
  std::filesystem::path path_;
  lines_source_options opt_;
  std::vector<std::uint64_t> index_;   // byte position of line k * index_stride
  std::int64_t lines_ = 0;             // complete lines counted
  std::uint64_t counted_bytes_ = 0;    // bytes of those lines
  std::string tail_;                   // the last bytes counted, as counted
  bool seen_ = false;                  // size_ and mtime_ are set
  std::uint64_t size_ = 0;
  timespec mtime_{};
  std::string problem_;
  std::int64_t cursor_line_ = 0;       // where the last read stopped
  std::uint64_t cursor_pos_ = 0;
  std::string scan_;                   // counting buffer
  std::string buf_;                    // reading buffer
};

static_assert(source<lines_source>);

}  // namespace sluice::inline v0::fs
