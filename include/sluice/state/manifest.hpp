// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// The state manifest: what a commit record says about the state as of its batch — the snapshot
/// recovery starts from and every changelog after it, each with its size and CRC-32C — so a
/// restart reads exactly the files of the committed batch and verifies each one
/// (docs/state-store.md). Its text form is one line, stored as the commit record's `state`:
///
///     sluice-state v1 batch=42 snapshot=40:5678:9abcdef0 changelogs=41:100:deadbeef,42:96:0badf00d
///
/// `snapshot=-` when there is none yet; `changelogs=` may be empty (batches that changed
/// nothing write no changelog).

#include "sluice/core/text.hpp"

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace sluice::inline v0::state {

/// One state file named by a manifest.
struct file_ref {
  std::int64_t batch_id = 0;
  std::uint64_t bytes = 0;
  std::uint32_t crc = 0;
  friend bool operator==(const file_ref&, const file_ref&) = default;
};

/// The state as of `batch_id`: `snapshot` (if any), then `changelogs` in batch order.
struct manifest {
  std::int64_t batch_id = -1;
  std::optional<file_ref> snapshot;
  std::vector<file_ref> changelogs;
  friend bool operator==(const manifest&, const manifest&) = default;
};

namespace detail {
inline void append_ref(std::string& out, const file_ref& f) {
  out += std::to_string(f.batch_id);
  out.push_back(':');
  out += std::to_string(f.bytes);
  out.push_back(':');
  for (int shift = 28; shift >= 0; shift -= 4) out.push_back(text::hex_lower[(f.crc >> shift) & 0xFu]);
}
template <class T>
bool parse_number(std::string_view s, T& v, int base = 10) noexcept {
  const auto r = std::from_chars(s.data(), s.data() + s.size(), v, base);
  return r.ec == std::errc{} && r.ptr == s.data() + s.size() && !s.empty();
}
inline std::optional<file_ref> parse_ref(std::string_view s) {
  const auto a = s.find(':');
  const auto b = a == std::string_view::npos ? a : s.find(':', a + 1);
  if (b == std::string_view::npos) return std::nullopt;
  file_ref f;
  if (!parse_number(s.substr(0, a), f.batch_id) || f.batch_id < 0 ||
      !parse_number(s.substr(a + 1, b - a - 1), f.bytes) || s.size() - b - 1 != 8 ||
      !parse_number(s.substr(b + 1), f.crc, 16))
    return std::nullopt;
  return f;
}
}  // namespace detail

/// `m` as its one-line text.
[[nodiscard]] inline std::string to_text(const manifest& m) {
  std::string out = "sluice-state v1 batch=";
  out += std::to_string(m.batch_id);
  out += " snapshot=";
  if (m.snapshot) {
    detail::append_ref(out, *m.snapshot);
  } else {
    out.push_back('-');
  }
  out += " changelogs=";
  for (std::size_t i = 0; i < m.changelogs.size(); ++i) {
    if (i != 0) out.push_back(',');
    detail::append_ref(out, m.changelogs[i]);
  }
  return out;
}

/// Reads what `to_text` wrote; empty when `s` is anything else (another version included), or
/// when the files it names are out of order (a snapshot after the batch, changelogs not strictly
/// increasing, not after the snapshot, or past the batch).
[[nodiscard]] inline std::optional<manifest> parse_manifest(std::string_view s) {
  constexpr std::string_view head = "sluice-state v1 batch=";
  if (s.substr(0, head.size()) != head) return std::nullopt;
  s.remove_prefix(head.size());
  const auto sp1 = s.find(' ');
  if (sp1 == std::string_view::npos) return std::nullopt;
  manifest m;
  if (!detail::parse_number(s.substr(0, sp1), m.batch_id) || m.batch_id < 0) return std::nullopt;
  s.remove_prefix(sp1 + 1);
  constexpr std::string_view snap = "snapshot=";
  const auto sp2 = s.find(' ');
  if (s.substr(0, snap.size()) != snap || sp2 == std::string_view::npos) return std::nullopt;
  const std::string_view snap_text = s.substr(snap.size(), sp2 - snap.size());
  if (snap_text != "-") {
    m.snapshot = detail::parse_ref(snap_text);
    if (!m.snapshot || m.snapshot->batch_id > m.batch_id) return std::nullopt;
  }
  s.remove_prefix(sp2 + 1);
  constexpr std::string_view logs = "changelogs=";
  if (s.substr(0, logs.size()) != logs) return std::nullopt;
  s.remove_prefix(logs.size());
  std::int64_t last = m.snapshot ? m.snapshot->batch_id : -1;
  while (!s.empty()) {
    const auto comma = s.find(',');
    const auto ref = detail::parse_ref(s.substr(0, comma));
    if (!ref || ref->batch_id <= last || ref->batch_id > m.batch_id) return std::nullopt;
    last = ref->batch_id;
    m.changelogs.push_back(*ref);
    if (comma == std::string_view::npos) break;
    s.remove_prefix(comma + 1);
    if (s.empty()) return std::nullopt;  // a trailing comma
  }
  return m;
}

}  // namespace sluice::inline v0::state
