// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// SHA-256 (FIPS 180-4) and HMAC-SHA256 (RFC 2104), the two primitives of AWS Signature
/// Version 4, from OpenSSL's libcrypto (EVP digests and `HMAC()`; libcurl links it already, and
/// the `sluice::s3` target names `OpenSSL::Crypto`). Checked against the NIST/FIPS 180 examples
/// and the RFC 4231 HMAC vectors in test/s3.
///
/// Errors of this header: none but `std::bad_alloc`. With the default provider, OpenSSL fails a
/// SHA-256 or HMAC call only when it cannot allocate, which is reported as `std::bad_alloc`
/// (the one exception that may cross a stage boundary, STYLE.md §4).

#include "sluice/core/text.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <string>
#include <string_view>

namespace sluice::inline v0::s3 {

/// A SHA-256 digest: 32 bytes.
using sha256_digest = std::array<std::uint8_t, 32>;

namespace detail {

struct evp_md_ctx_deleter {
  void operator()(EVP_MD_CTX* c) const noexcept { EVP_MD_CTX_free(c); }
};

// OpenSSL's result of a digest call: 1, or a failure to allocate (see the file comment).
inline void check_evp(int rc) {
  if (rc != 1) throw std::bad_alloc();
}

// `s`'s bytes for OpenSSL, never a null pointer (an empty view may have one).
inline const unsigned char* evp_bytes(std::string_view s) noexcept {
  return reinterpret_cast<const unsigned char*>(s.empty() ? "" : s.data());
}

}  // namespace detail

/// Incremental SHA-256: `update` any number of times, then `finish` once.
///
/// Errors: `std::bad_alloc` (see the file comment).
/// Thread-safety: none per object. Complexity: linear in the bytes hashed.
class sha256 {
 public:
  /// A digest of nothing yet.
  sha256() : ctx_(EVP_MD_CTX_new()) {
    if (!ctx_) throw std::bad_alloc();
    detail::check_evp(EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr));
  }

  /// Hashes `bytes` after everything given so far.
  void update(std::string_view bytes) {
    detail::check_evp(EVP_DigestUpdate(ctx_.get(), detail::evp_bytes(bytes), bytes.size()));
  }

  /// The digest of everything given; the object must not be used afterwards.
  [[nodiscard]] sha256_digest finish() {
    sha256_digest out{};
    unsigned int n = 0;
    detail::check_evp(EVP_DigestFinal_ex(ctx_.get(), out.data(), &n));
    return out;
  }

 private:
  std::unique_ptr<EVP_MD_CTX, detail::evp_md_ctx_deleter> ctx_;
};

/// The SHA-256 digest of `bytes`.
///
/// Errors: `std::bad_alloc`. Complexity: linear.
[[nodiscard]] inline sha256_digest sha256_of(std::string_view bytes) {
  sha256_digest out{};
  unsigned int n = 0;
  detail::check_evp(EVP_Digest(detail::evp_bytes(bytes), bytes.size(), out.data(), &n, EVP_sha256(), nullptr));
  return out;
}

/// HMAC-SHA256 (RFC 2104) of `message` under `key` (a key longer than 64 bytes is hashed first).
///
/// Errors: `std::bad_alloc`. Complexity: linear in the key and message.
[[nodiscard]] inline sha256_digest hmac_sha256(std::string_view key, std::string_view message) {
  sha256_digest out{};
  unsigned int n = 0;
  if (HMAC(EVP_sha256(), detail::evp_bytes(key), static_cast<int>(key.size()), detail::evp_bytes(message),
           message.size(), out.data(), &n) == nullptr)
    throw std::bad_alloc();
  return out;
}

/// The digest's bytes as a string (to chain HMACs: the SigV4 signing key).
[[nodiscard]] inline std::string_view as_bytes(const sha256_digest& d) noexcept {
  return {reinterpret_cast<const char*>(d.data()), d.size()};
}

/// Lowercase hexadecimal of the digest (64 characters; `text::to_hex`).
[[nodiscard]] inline std::string to_hex(const sha256_digest& d) { return text::to_hex(as_bytes(d)); }

/// Lowercase hexadecimal SHA-256 of `bytes`: the SigV4 payload hash.
[[nodiscard]] inline std::string sha256_hex(std::string_view bytes) { return to_hex(sha256_of(bytes)); }

}  // namespace sluice::inline v0::s3
