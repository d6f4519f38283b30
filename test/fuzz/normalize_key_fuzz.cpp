// SPDX-License-Identifier: Apache-2.0
// libFuzzer target over the schema writer's key normalizer (docs/architecture.md §2, step 2). Any
// bytes must give a key or a rejection (never a crash or a sanitizer report), and:
//   - the result equals that of a small independent reference of the documented rules (same
//     accept/reject decision, same key);
//   - an accepted key is `db.schema.table` over [a-z0-9_$#], no part empty, longer than
//     max_key_part_length or starting with `c##`, and normalizes to itself;
//   - its catalog key has exactly one `/`, no `..`, and ends in `.avsc` (never leaves the table's
//     folder);
//   - a rejection has a non-empty reason of printable ASCII (it goes into a JSON dead letter and
//     into logs, and never echoes raw bytes).
#include <sluice/core/utf8.hpp>
#include <sluice/schema_writer/catalog_transform.hpp>
#include <sluice/schema_writer/normalize_key.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace sw = sluice::schema_writer;

[[noreturn]] void fail(const char* what, std::string_view input, std::string_view detail = {}) {
  std::fprintf(stderr, "normalize_key_fuzz invariant violated: %s\ninput (%zu bytes)\n%.*s\n", what, input.size(),
               static_cast<int>(detail.size()), detail.data());
  std::abort();
}

bool safe_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '$' || c == '#';
}

// The documented rules, written independently and plainly.
std::optional<std::string> reference(std::string_view raw) {
  if (raw.empty() || sluice::utf8::first_invalid(raw)) return std::nullopt;
  for (const char c : raw) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
                    c == '$' || c == '#' || c == '.';
    if (!ok) return std::nullopt;
  }
  if (raw.find("..") != std::string_view::npos) return std::nullopt;
  std::vector<std::string> parts(1);
  for (const char c : raw) {
    if (c == '.') {
      parts.emplace_back();
    } else {
      parts.back() += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    }
  }
  if (parts.size() < 2 || parts.size() > 3) return std::nullopt;
  for (auto& p : parts) {
    if (p.empty()) return std::nullopt;
    while (p.rfind("c##", 0) == 0) p.erase(0, 3);
    if (p.empty() || p.size() > sw::max_key_part_length) return std::nullopt;
  }
  std::string out = parts.size() == 2 ? std::string(sw::heartbeat_database) : std::string();
  for (const auto& p : parts) {
    if (!out.empty()) out += '.';
    out += p;
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view raw(reinterpret_cast<const char*>(data), size);
  const auto got = sw::normalize_key(raw);
  const auto want = reference(raw);
  if (got.has_value() != want.has_value()) {
    fail(got.has_value() ? "accepted a key the rules reject" : "rejected a key the rules accept", raw,
         got.has_value() ? std::string_view(got.value()) : std::string_view(got.error().reason));
  }
  if (!got.has_value()) {
    const std::string& reason = got.error().reason;
    if (reason.empty()) fail("empty rejection reason", raw);
    for (const char c : reason) {
      if (c < 0x20 || c > 0x7e) fail("rejection reason is not printable ASCII", raw, reason);
    }
    return 0;
  }
  const std::string& key = got.value();
  if (key != *want) fail("key differs from the reference", raw, key);
  int dots = 0;
  std::size_t part = 0;
  for (const char c : key) {
    if (c == '.') {
      if (part == 0) fail("empty part", raw, key);
      ++dots;
      part = 0;
    } else {
      if (!safe_char(c)) fail("unsafe character in a normalized key", raw, key);
      ++part;
    }
  }
  if (dots != 2 || part == 0) fail("not db.schema.table", raw, key);
  const auto again = sw::normalize_key(key);
  if (!again.has_value() || again.value() != key) fail("not idempotent", raw, key);
  const std::string ck = sw::catalog_key(key, static_cast<std::int64_t>(size) * -7919);
  if (ck.find('/') != key.size() || ck.find('/', key.size() + 1) != std::string::npos ||
      ck.find("..") != std::string::npos || !ck.ends_with(".avsc"))
    fail("catalog key leaves the table's folder", raw, ck);
  return 0;
}
