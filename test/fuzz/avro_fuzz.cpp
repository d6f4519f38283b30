// SPDX-License-Identifier: Apache-2.0
// libFuzzer target over the Avro core: parse → canonical form → fingerprint → preprocess.
// Any bytes must give a value or an error (never a crash, a hang or a sanitizer report), and the
// results of the different entry points must agree with each other:
//   - analyse, canonical_form and fingerprint succeed or fail together, with the same error code;
//   - a failure carries a non-empty parse_error message and path;
//   - fingerprint == crc64_avro(canonical), and the decimal / hex / little-endian spellings of it
//     read back to the same value;
//   - canonical_form(canonical) == canonical (unless the canonical form mixes names with and without
//     a namespace: the Parsing Canonical Form is lossy there, in Java too);
//   - preprocess fails on an invalid schema; on a valid one, when it succeeds, its output is a valid
//     schema, a fixed point of preprocess, and byte-identical between the reusable parser and the
//     free function;
//   - the fused fast path (detail/fast_path.hpp) gives exactly the exact engine's canonical form
//     and full name, or bails.
#include <sluice/avro/avro.hpp>
#include <sluice/avro/detail/fast_path.hpp>
#include <sluice/avro/detail/schema_engine.hpp>

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

namespace avro = sluice::avro;

[[noreturn]] void fail(const char* what, std::string_view detail = {}) {
  std::fprintf(stderr, "avro_fuzz invariant violated: %s\n%.*s\n", what, static_cast<int>(detail.size()),
               detail.data());
  std::abort();
}

void check(bool ok, const char* what, std::string_view detail = {}) {
  if (!ok) fail(what, detail);
}

// True when the canonical form defines both dotted and undotted named types: re-parsing it then
// puts the undotted ones into the enclosing namespace, so canonical_form is not idempotent there.
bool mixes_namespaces(std::string_view pcf) {
  bool dotted = false, plain = false;
  constexpr std::string_view open = "{\"name\":\"";
  for (std::size_t at = pcf.find(open); at != std::string_view::npos; at = pcf.find(open, at + 1)) {
    const std::size_t begin = at + open.size();
    const std::size_t end = pcf.find('"', begin);
    if (end == std::string_view::npos) break;
    const std::string_view rest = pcf.substr(end + 1);
    const bool defines = rest.starts_with(",\"type\":\"record\",\"fields\":") ||
                         rest.starts_with(",\"type\":\"enum\",\"symbols\":") ||
                         rest.starts_with(",\"type\":\"fixed\",\"size\":");
    if (!defines) continue;
    (pcf.substr(begin, end - begin).find('.') != std::string_view::npos ? dotted : plain) = true;
  }
  return dotted && plain;
}

void check_spellings(std::int64_t fp) {
  const std::string dec = avro::fingerprint_decimal(fp);
  std::int64_t back = 0;
  auto [p, ec] = std::from_chars(dec.data(), dec.data() + dec.size(), back);
  check(ec == std::errc{} && p == dec.data() + dec.size() && back == fp, "fingerprint_decimal does not read back", dec);
  const std::string hex = avro::fingerprint_hex(fp);
  std::uint64_t uback = 0;
  auto [q, ec2] = std::from_chars(hex.data(), hex.data() + hex.size(), uback, 16);
  check(hex.size() == 16 && ec2 == std::errc{} && q == hex.data() + hex.size() &&
            uback == static_cast<std::uint64_t>(fp),
        "fingerprint_hex does not read back", hex);
  for (char c : hex) check((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'), "fingerprint_hex is not lowercase hex", hex);
  const auto le = avro::fingerprint_le_bytes(fp);
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < le.size(); ++i) v |= static_cast<std::uint64_t>(le[i]) << (8 * i);
  check(v == static_cast<std::uint64_t>(fp), "fingerprint_le_bytes is not little-endian");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view json(reinterpret_cast<const char*>(data), size);
  // One parser for the whole run, as in production: exercises its reused buffers.
  static avro::schema_parser parser;

  {
    static avro::detail::fast_analyser fast;
    static avro::detail::schema_engine exact;
    static std::string pcf;
    if (fast.run(json)) {
      check(!exact.compile(json, nullptr), "fast path accepts what the exact engine rejects", json);
      check(!exact.canonical(pcf) && pcf == fast.canonical(), "fast path canonical form differs from the engine's", json);
      check(exact.root_full_name() == fast.root_full_name(), "fast path full name differs from the engine's", json);
    }
  }

  avro::parse_error err_a, err_c;
  auto analysed = parser.analyse(json, &err_a);
  // Copy the views out: the next call on `parser` invalidates them.
  const bool ok = analysed.has_value();
  std::string canonical, full_name;
  std::int64_t fp = 0;
  if (ok) {
    canonical = std::string(analysed.value().canonical);
    full_name = std::string(analysed.value().full_name);
    fp = analysed.value().fingerprint;
  } else {
    check(static_cast<bool>(analysed.error()), "error result without an error code");
    check(err_a.code == analysed.error(), "parse_error.code differs from the returned error");
    check(!err_a.message.empty(), "parse_error without a message");
    check(!err_a.path.empty() && err_a.path[0] == '$', "parse_error path does not start with $", err_a.path);
    check(err_a.to_string() == err_a.path + ": " + err_a.message, "parse_error::to_string format", err_a.to_string());
  }

  auto c = avro::canonical_form(json, &err_c);
  auto f = avro::fingerprint(json);
  auto pc = parser.canonical_form(json);
  check(c.has_value() == ok && f.has_value() == ok && pc.has_value() == ok,
        "analyse, canonical_form and fingerprint disagree on validity", json);
  if (!ok) {
    check(c.error() == analysed.error() && f.error() == analysed.error() && pc.error() == analysed.error(),
          "entry points fail with different error codes", json);
    check(err_c.message == err_a.message && err_c.path == err_a.path, "parse_error differs between calls", json);
    auto pre = avro::preprocess(json);
    check(!pre.has_value(), "preprocess accepts an invalid schema", json);
    return 0;
  }

  check(c.value() == canonical && pc.value() == canonical, "canonical forms differ between entry points", canonical);
  check(f.value() == fp, "fingerprint differs between entry points", canonical);
  check(static_cast<std::uint64_t>(fp) == avro::crc64_avro(canonical), "fingerprint is not crc64 of the canonical form", canonical);
  check(full_name.empty() || canonical.find(full_name) != std::string::npos, "full name not in the canonical form", full_name);
  check_spellings(fp);

  if (!mixes_namespaces(canonical)) {
    auto again = avro::canonical_form(canonical);
    check(again.has_value(), "canonical form does not parse", canonical);
    check(again.value() == canonical, "canonical form is not a fixed point", canonical);
  }

  auto pre = parser.preprocess(json);
  auto pre_free = avro::preprocess(json);
  check(pre.has_value() == pre_free.has_value(), "preprocess: parser and free function disagree", json);
  if (pre.has_value()) {
    const std::string out(pre.value());
    check(out == pre_free.value(), "preprocess output is not deterministic", out);
    check(avro::canonical_form(out).has_value(), "preprocess output is not a valid schema", out);
    auto twice = avro::preprocess(out);
    check(twice.has_value() && twice.value() == out, "preprocess is not a fixed point", out);
  }
  return 0;
}
