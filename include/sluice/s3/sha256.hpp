// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// SHA-256 (FIPS 180-4) and HMAC-SHA256 (RFC 2104), the two primitives of AWS Signature
/// Version 4, without an OpenSSL dependency. Checked against the NIST/FIPS 180 examples and the
/// RFC 4231 HMAC vectors in test/s3.

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace sluice::inline v0::s3 {

/// A SHA-256 digest: 32 bytes.
using sha256_digest = std::array<std::uint8_t, 32>;

/// Incremental SHA-256: `update` any number of times, then `finish` once.
///
/// Thread-safety: none per object. Complexity: linear in the bytes hashed.
class sha256 {
 public:
  /// Hashes `bytes` after everything given so far.
  void update(std::string_view bytes) noexcept {
    if (bytes.empty()) return;  // its data() may be null, which memcpy must not see
    const auto* p = reinterpret_cast<const std::uint8_t*>(bytes.data());
    std::size_t n = bytes.size();
    total_ += n;
    if (used_ != 0) {
      const std::size_t take = n < 64 - used_ ? n : 64 - used_;
      std::memcpy(block_.data() + used_, p, take);
      used_ += take;
      p += take;
      n -= take;
      if (used_ < 64) return;
      compress(block_.data());
      used_ = 0;
    }
    for (; n >= 64; p += 64, n -= 64) compress(p);
    if (n != 0) std::memcpy(block_.data(), p, n);
    used_ = n;
  }

  /// The digest of everything given; the object must not be used afterwards.
  [[nodiscard]] sha256_digest finish() noexcept {
    const std::uint64_t bits = total_ * 8;
    block_[used_++] = 0x80;
    if (used_ > 56) {
      std::memset(block_.data() + used_, 0, 64 - used_);
      compress(block_.data());
      used_ = 0;
    }
    std::memset(block_.data() + used_, 0, 56 - used_);
    for (int i = 0; i < 8; ++i) block_[56 + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(bits >> (56 - 8 * i));
    compress(block_.data());
    sha256_digest out{};
    for (std::size_t i = 0; i < 8; ++i)
      for (std::size_t b = 0; b < 4; ++b) out[4 * i + b] = static_cast<std::uint8_t>(h_[i] >> (24 - 8 * b));
    return out;
  }

 private:
  static constexpr std::uint32_t rotr(std::uint32_t x, int n) noexcept { return (x >> n) | (x << (32 - n)); }

  void compress(const std::uint8_t* p) noexcept {
    static constexpr std::array<std::uint32_t, 64> k = {
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};
    std::array<std::uint32_t, 64> w{};
    for (std::size_t i = 0; i < 16; ++i)
      w[i] = (std::uint32_t{p[4 * i]} << 24) | (std::uint32_t{p[4 * i + 1]} << 16) |
             (std::uint32_t{p[4 * i + 2]} << 8) | std::uint32_t{p[4 * i + 3]};
    for (std::size_t i = 16; i < 64; ++i) {
      const std::uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
      const std::uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
      w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    std::uint32_t a = h_[0], b = h_[1], c = h_[2], d = h_[3], e = h_[4], f = h_[5], g = h_[6], h = h_[7];
    for (std::size_t i = 0; i < 64; ++i) {
      const std::uint32_t t1 = h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + k[i] + w[i];
      const std::uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
      h = g;
      g = f;
      f = e;
      e = d + t1;
      d = c;
      c = b;
      b = a;
      a = t1 + t2;
    }
    h_[0] += a;
    h_[1] += b;
    h_[2] += c;
    h_[3] += d;
    h_[4] += e;
    h_[5] += f;
    h_[6] += g;
    h_[7] += h;
  }

  std::array<std::uint32_t, 8> h_ = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                     0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  std::array<std::uint8_t, 64> block_{};
  std::size_t used_ = 0;
  std::uint64_t total_ = 0;
};

/// The SHA-256 digest of `bytes`. Complexity: linear.
[[nodiscard]] inline sha256_digest sha256_of(std::string_view bytes) noexcept {
  sha256 h;
  h.update(bytes);
  return h.finish();
}

/// HMAC-SHA256 (RFC 2104) of `message` under `key` (a key longer than 64 bytes is hashed first).
///
/// Complexity: linear in the key and message.
[[nodiscard]] inline sha256_digest hmac_sha256(std::string_view key, std::string_view message) noexcept {
  std::array<std::uint8_t, 64> k{};
  if (key.size() > 64) {
    const auto d = sha256_of(key);
    std::memcpy(k.data(), d.data(), d.size());
  } else if (!key.empty()) {
    std::memcpy(k.data(), key.data(), key.size());
  }
  std::array<char, 64> pad{};
  for (std::size_t i = 0; i < 64; ++i) pad[i] = static_cast<char>(k[i] ^ 0x36);
  sha256 inner;
  inner.update(std::string_view(pad.data(), pad.size()));
  inner.update(message);
  const auto inner_digest = inner.finish();
  for (std::size_t i = 0; i < 64; ++i) pad[i] = static_cast<char>(k[i] ^ 0x5c);
  sha256 outer;
  outer.update(std::string_view(pad.data(), pad.size()));
  outer.update(std::string_view(reinterpret_cast<const char*>(inner_digest.data()), inner_digest.size()));
  return outer.finish();
}

/// The digest's bytes as a string (to chain HMACs: the SigV4 signing key).
[[nodiscard]] inline std::string_view as_bytes(const sha256_digest& d) noexcept {
  return {reinterpret_cast<const char*>(d.data()), d.size()};
}

/// Lowercase hexadecimal of the digest (64 characters).
[[nodiscard]] inline std::string to_hex(const sha256_digest& d) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(64);
  for (const auto b : d) {
    out.push_back(digits[b >> 4]);
    out.push_back(digits[b & 0xF]);
  }
  return out;
}

/// Lowercase hexadecimal SHA-256 of `bytes`: the SigV4 payload hash.
[[nodiscard]] inline std::string sha256_hex(std::string_view bytes) { return to_hex(sha256_of(bytes)); }

}  // namespace sluice::inline v0::s3
