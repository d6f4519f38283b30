// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// The files of the state store (docs/state-store.md): a **changelog** holds the keys one batch
/// put or removed, a **snapshot** every key of the state after a batch. Both are one binary
/// format, version 1, little-endian:
///
/// | bytes | field |
/// |---|---|
/// | 4 | magic `SLST` |
/// | 1 | format version (1) |
/// | 1 | kind: `C` changelog, `S` snapshot |
/// | 2 | zero |
/// | 8 | batch id (signed) |
/// | 8 | number of entries |
/// | … | entries: op (1 put, 2 remove), key length (LEB128), key, [value length, value] |
/// | 4 | CRC-32C of every byte before it |
///
/// Entries apply in file order; a snapshot holds puts only.

#include "sluice/core/checksum.hpp"
#include "sluice/core/error.hpp"
#include "sluice/store/blob_store.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

namespace sluice::inline v0::state {

/// Version of the file format written here; readers reject any other.
inline constexpr std::uint8_t format_version = 1;

/// What a state file holds.
enum class file_kind : char {
  changelog = 'C',  ///< the changes of one batch
  snapshot = 'S',   ///< the whole state after one batch
};

/// One entry's operation.
enum class op : std::uint8_t { put = 1, remove = 2 };

namespace detail {
inline constexpr std::string_view magic = "SLST";
inline constexpr std::size_t header_size = 24;
inline constexpr std::size_t trailer_size = 4;

inline void put_le(std::string& out, std::uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFFu));
}
inline std::uint64_t get_le(std::string_view in, std::size_t at, int bytes) noexcept {
  std::uint64_t v = 0;
  for (int i = 0; i < bytes; ++i)
    v |= std::uint64_t{static_cast<unsigned char>(in[at + static_cast<std::size_t>(i)])} << (8 * i);
  return v;
}
inline void put_varint(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7Fu) | 0x80u));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}
// False when the varint runs past `end` or over 10 bytes.
inline bool get_varint(std::string_view in, std::size_t& at, std::size_t end, std::uint64_t& v) noexcept {
  v = 0;
  for (int shift = 0; shift < 64 && at < end; shift += 7) {
    const auto b = static_cast<unsigned char>(in[at++]);
    v |= std::uint64_t{b & 0x7Fu} << shift;
    if ((b & 0x80u) == 0) return true;
  }
  return false;
}
}  // namespace detail

/// Builds one state file: in memory (`put`/`remove` entries, then `finish()`), or, for a file too
/// large to hold (a snapshot), sent in pieces as it is built: a `counting()` writer's pass
/// first counts the entries (the header holds their number), then a writer made with that count
/// and a `store::piece_sink` sends about `piece` bytes at a time, and `finish_pieces()` the rest.
///
/// Errors: the sink's, from `finish_pieces` (`std::bad_alloc` aside). Thread-safety: none.
class file_writer {
 public:
  file_writer(file_kind kind, std::int64_t batch_id) { header(kind, batch_id, 0); }

  /// A writer that only counts the entries given to it (the first pass of a file in pieces).
  [[nodiscard]] static file_writer counting() { return file_writer(); }

  /// A writer of a file of exactly `entries` entries, sent to `out` in pieces of about `piece`
  /// bytes (`out` must outlive the writer).
  file_writer(file_kind kind, std::int64_t batch_id, std::uint64_t entries, const store::piece_sink& out,
              std::size_t piece = std::size_t{1} << 20)
      : out_(&out), piece_(piece), declared_(entries) {
    bytes_.reserve(piece + 64);
    header(kind, batch_id, entries);
  }

  /// From now on, every key written starts with the byte `section` (`'\0'`: none): the entries
  /// of several stages in one file (`state::shared_store`).
  void section(char section) noexcept { section_ = section; }

  /// Records that `key` has `value`.
  void put(std::string_view key, std::string_view value) { add(op::put, key, &value); }
  /// Records that `key` is gone.
  void remove(std::string_view key) { add(op::remove, key, nullptr); }

  /// Makes room for `bytes` more bytes of entries, so a large file built in memory is built
  /// without the copies of a growing buffer (nothing for a counting writer or one in pieces).
  void reserve(std::size_t bytes) {
    if (!counting_ && out_ == nullptr) bytes_.reserve(bytes_.size() + bytes + detail::trailer_size);
  }

  /// Entries so far.
  [[nodiscard]] std::uint64_t entries() const noexcept { return entries_; }
  /// The size of the file a counting writer counted (header, entries, checksum).
  [[nodiscard]] std::size_t counted_bytes() const noexcept {
    return detail::header_size + counted_ + detail::trailer_size;
  }

  /// The finished file (entry count and checksum filled in); the writer is empty afterwards.
  [[nodiscard]] std::string finish() {
    for (int i = 0; i < 8; ++i)
      bytes_[16 + static_cast<std::size_t>(i)] = static_cast<char>((entries_ >> (8 * i)) & 0xFFu);
    detail::put_le(bytes_, crc32c(bytes_), 4);
    return std::move(bytes_);
  }

  /// The size and CRC-32C of a file sent in pieces.
  struct sent {
    std::uint64_t bytes = 0;
    std::uint32_t crc = 0;
  };
  /// Sends the rest of a file in pieces (the checksum last).
  /// Errors: the sink's first error; `errc::invalid_argument` if the entries differ in number
  /// from those counted first (the state changed between the two passes).
  [[nodiscard]] result<sent> finish_pieces() {
    if (error_ && entries_ != declared_) error_ = errc::invalid_argument;
    if (error_) {
      crc_ = crc32c(bytes_, crc_);
      detail::put_le(bytes_, crc_, 4);
      send();
    }
    if (!error_) return error_.error();
    return sent{total_, crc_};
  }

 private:
  file_writer() : counting_(true) {}
  // One entry: the op, the key (after the section byte, if any), the value of a put.
  void add(op o, std::string_view key, const std::string_view* value) {
    ++entries_;
    const std::size_t key_size = key.size() + (section_ != '\0' ? 1 : 0);
    if (counting_) {
      counted_ += 1 + varint_size(key_size) + key_size;
      if (value != nullptr) counted_ += varint_size(value->size()) + value->size();
      return;
    }
    bytes_.push_back(static_cast<char>(o));
    detail::put_varint(bytes_, key_size);
    if (section_ != '\0') bytes_.push_back(section_);
    bytes_ += key;
    if (value != nullptr) {
      detail::put_varint(bytes_, value->size());
      bytes_ += *value;
    }
    if (out_ != nullptr && bytes_.size() >= piece_) flush_piece();
  }
  static std::size_t varint_size(std::uint64_t v) noexcept {
    std::size_t n = 1;
    for (; v >= 0x80; v >>= 7) ++n;
    return n;
  }
  void header(file_kind kind, std::int64_t batch_id, std::uint64_t entries) {
    bytes_.reserve(std::max<std::size_t>(bytes_.capacity(), 256));
    bytes_ += detail::magic;
    bytes_.push_back(static_cast<char>(format_version));
    bytes_.push_back(static_cast<char>(kind));
    detail::put_le(bytes_, 0, 2);
    detail::put_le(bytes_, static_cast<std::uint64_t>(batch_id), 8);
    detail::put_le(bytes_, entries, 8);  // in memory: 0 here, set by finish()
  }
  // The buffer as one piece of entries (checksummed), or as the last piece (the checksum).
  void flush_piece() {
    crc_ = crc32c(bytes_, crc_);
    send();
  }
  void send() {
    if (error_) error_ = (*out_)(bytes_);   // after an error, the rest is dropped
    total_ += bytes_.size();
    bytes_.clear();
  }

  std::string bytes_;
  std::uint64_t entries_ = 0;
  bool counting_ = false;
  char section_ = '\0';
  std::size_t counted_ = 0;     // counting: the bytes of the entries
  const store::piece_sink* out_ = nullptr;
  std::size_t piece_ = 0;
  std::uint64_t declared_ = 0;
  std::uint32_t crc_ = 0;       // of the pieces sent so far
  std::uint64_t total_ = 0;     // bytes sent so far
  result<void> error_ = success();
};

/// What a state file says about itself.
struct file_header {
  file_kind kind = file_kind::changelog;
  std::int64_t batch_id = 0;
  std::uint64_t entries = 0;
};

/// Reads a state file: checks magic, version, kind, batch id, checksum and every length, then
/// calls `apply(op, key, value)` for each entry in order (`value` is empty for a remove). Nothing
/// is applied unless the whole file checks out.
///
/// Errors: `errc::corrupt_state` for anything that is not an intact file of `kind` and
/// `batch_id`; `*why` (when given) then says what is wrong. Thread-safety: pure.
/// Complexity: linear in the file.
template <class Apply>
result<file_header> read_file(std::string_view bytes, file_kind kind, std::int64_t batch_id,
                              Apply&& apply, std::string* why = nullptr) {
  const auto fail = [&](const char* reason) -> result<file_header> {
    if (why != nullptr) *why = reason;
    return errc::corrupt_state;
  };
  if (bytes.size() < detail::header_size + detail::trailer_size) return fail("shorter than a header");
  if (bytes.substr(0, 4) != detail::magic) return fail("not a state file (bad magic)");
  if (static_cast<std::uint8_t>(bytes[4]) != format_version) return fail("unknown format version");
  const std::size_t end = bytes.size() - detail::trailer_size;
  if (crc32c(bytes.substr(0, end)) != static_cast<std::uint32_t>(detail::get_le(bytes, end, 4)))
    return fail("checksum mismatch (torn or corrupted)");
  file_header h;
  h.kind = static_cast<file_kind>(bytes[5]);
  h.batch_id = static_cast<std::int64_t>(detail::get_le(bytes, 8, 8));
  h.entries = detail::get_le(bytes, 16, 8);
  if (h.kind != kind) return fail("a file of the other kind");
  if (h.batch_id != batch_id) return fail("the file of another batch");
  // Two passes: check every length first, so a bad file applies nothing.
  for (int pass = 0; pass < 2; ++pass) {
    std::size_t at = detail::header_size;
    for (std::uint64_t i = 0; i < h.entries; ++i) {
      if (at >= end) return fail("fewer entries than the header says");
      const auto o = static_cast<op>(bytes[at++]);
      if (o != op::put && o != op::remove) return fail("unknown entry operation");
      if (o == op::remove && kind == file_kind::snapshot) return fail("a remove in a snapshot");
      std::uint64_t n = 0;
      if (!detail::get_varint(bytes, at, end, n) || n > end - at) return fail("key runs past the end");
      const std::string_view key = bytes.substr(at, static_cast<std::size_t>(n));
      at += static_cast<std::size_t>(n);
      std::string_view value;
      if (o == op::put) {
        if (!detail::get_varint(bytes, at, end, n) || n > end - at)
          return fail("value runs past the end");
        value = bytes.substr(at, static_cast<std::size_t>(n));
        at += static_cast<std::size_t>(n);
      }
      if (pass == 1) apply(o, key, value);
    }
    if (at != end) return fail("bytes after the last entry");
  }
  return h;
}

}  // namespace sluice::inline v0::state
