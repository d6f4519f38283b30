// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// The names a storage backend reserves for the blobs it is still writing,
/// `.<name>.sluice-tmp-<pid>-<n>` (`<name>` the target's last key segment, cut to fit `NAME_MAX`;
/// `<pid>` the writing process; `<n>` a per-process serial). The folder backend writes every blob
/// under such a name and renames it into place (`fs::write_file_atomic`), so a write killed
/// half-way leaves one behind. They are never keys: `check_relative_key` refuses a segment of this shape, `list` of every
/// `store::blob_store` skips them, `get` never returns one (docs/architecture.md, Storage
/// contracts).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::inline v0::store {

/// The marker in the name of every temp file of an atomic write: `.<name>.sluice-tmp-<pid>-<n>`.
inline constexpr std::string_view temp_file_marker = "sluice-tmp-";

/// The parts of a temp file name (see `parse_temp_file_name`).
struct temp_file_name_parts {
  std::string_view target;  ///< the target's file name (maybe cut short); empty for old names
  std::uint64_t pid = 0;    ///< the process that wrote it
  std::uint64_t serial = 0; ///< its serial number in that process
};

/// Splits a temp file name `.<name>.sluice-tmp-<pid>-<n>` (or the older `.sluice-tmp-<pid>-<n>`)
/// into its parts; empty if `name` (a file name, not a path) is anything else. `<pid>` and `<n>`
/// are decimal numbers below 2^64.
[[nodiscard]] constexpr std::optional<temp_file_name_parts> parse_temp_file_name(
    std::string_view name) noexcept {
  auto number_at_end = [](std::string_view& s, std::uint64_t& out) {
    std::size_t digits = 0;
    while (digits < s.size() && s[s.size() - 1 - digits] >= '0' && s[s.size() - 1 - digits] <= '9')
      ++digits;
    if (digits == 0 || digits > 20) return false;
    out = 0;
    for (char c : s.substr(s.size() - digits)) {
      const auto d = static_cast<std::uint64_t>(c - '0');
      if (out > (UINT64_MAX - d) / 10) return false;  // does not fit in 64 bits
      out = out * 10 + d;
    }
    s.remove_suffix(digits);
    return true;
  };
  temp_file_name_parts parts;
  std::string_view rest = name;
  if (!number_at_end(rest, parts.serial) || rest.empty() || rest.back() != '-') return std::nullopt;
  rest.remove_suffix(1);
  if (!number_at_end(rest, parts.pid)) return std::nullopt;
  if (rest.size() < temp_file_marker.size() ||
      rest.substr(rest.size() - temp_file_marker.size()) != temp_file_marker)
    return std::nullopt;
  rest.remove_suffix(temp_file_marker.size());
  // What is left is "." (an old name) or "." + target + ".".
  if (rest.empty() || rest.front() != '.' || rest.back() != '.') return std::nullopt;
  parts.target = rest.size() == 1 ? std::string_view() : rest.substr(1, rest.size() - 2);
  return parts;
}

/// True if `name` (a file name, not a path) is a temp file of an atomic write.
[[nodiscard]] constexpr bool is_temp_file_name(std::string_view name) noexcept {
  return parse_temp_file_name(name).has_value();
}

/// The temp file name for target file name `target`, process `pid` and serial `serial`; the
/// target part is cut so the whole name fits in 255 bytes.
[[nodiscard]] inline std::string make_temp_file_name(std::string_view target, std::uint64_t pid,
                                                     std::uint64_t serial) {
  std::string tail(temp_file_marker);
  tail += std::to_string(pid);
  tail += '-';
  tail += std::to_string(serial);
  const std::size_t room = 255 - 2 - tail.size();
  std::string name = ".";
  name += target.substr(0, room);
  name += '.';
  name += tail;
  return name;
}

}  // namespace sluice::inline v0::store
