// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// CRC-32C (Castagnoli, as in iSCSI, ext4 and Kafka's record batches): the checksum of persisted
/// state files, so a torn or corrupted file is recognized instead of being read as state.

#include <array>
#include <cstdint>
#include <string_view>

namespace sluice::inline v0 {

namespace detail {
inline constexpr std::array<std::uint32_t, 256> crc32c_table = [] {
  std::array<std::uint32_t, 256> t{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) != 0 ? (c >> 1) ^ 0x82F63B78u : c >> 1;
    t[i] = c;
  }
  return t;
}();
}  // namespace detail

/// Continues the CRC-32C `crc` (0 to start) over `bytes`: `crc32c(b, crc32c(a)) == crc32c(a + b)`.
///
/// Complexity: linear. Thread-safety: pure.
[[nodiscard]] constexpr std::uint32_t crc32c(std::string_view bytes, std::uint32_t crc = 0) noexcept {
  crc = ~crc;
  for (const char ch : bytes)
    crc = detail::crc32c_table[(crc ^ static_cast<unsigned char>(ch)) & 0xFFu] ^ (crc >> 8);
  return ~crc;
}

// The check value of the CRC catalogue (RFC 3720, B.4).
static_assert(crc32c("123456789") == 0xE3069283u);

}  // namespace sluice::inline v0
