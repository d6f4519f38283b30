// SPDX-License-Identifier: Apache-2.0
// Consumer of the installed package: fingerprints each schema given on the command line and
// compares it with the expected value that follows it (Apache Avro's own test vectors).
// Usage: sluice_consumer <schema> <expected signed decimal> [<schema> <expected> ...]
#include <sluice/avro/avro.hpp>

#include <cstdio>
#include <string>
#include <string_view>

int main(int argc, char** argv) {
  if (argc < 3 || argc % 2 != 1) {
    std::fprintf(stderr, "usage: sluice_consumer <schema> <expected fingerprint> ...\n");
    return 2;
  }
  int failures = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string_view schema = argv[i];
    const std::string expected = argv[i + 1];
    const auto fp = sluice::avro::fingerprint(schema);
    if (!fp) {
      std::fprintf(stderr, "FAIL %s: %s\n", argv[i], fp.error().message().c_str());
      ++failures;
      continue;
    }
    const std::string decimal(sluice::avro::fingerprint_decimal(fp.value()));
    const bool ok = decimal == expected && fp.value() == std::stoll(expected);
    std::printf("%s %s -> %s (expected %s)\n", ok ? "ok  " : "FAIL", argv[i], decimal.c_str(),
                expected.c_str());
    failures += ok ? 0 : 1;
  }

  // Preprocessing through the installed headers: field names are lowercased on request.
  const auto pre = sluice::avro::preprocess(
      R"({"type":"record","name":"R","fields":[{"name":"MixedCase","type":"int"}]})",
      {.lowercase_field_names = true});
  const bool pre_ok = pre && pre.value().find("\"mixedcase\"") != std::string::npos &&
                      pre.value().find("\"MixedCase\"") == std::string::npos;
  std::printf("%s preprocess -> %s\n", pre_ok ? "ok  " : "FAIL",
              pre ? pre.value().c_str() : pre.error().message().c_str());
  failures += pre_ok ? 0 : 1;
  return failures == 0 ? 0 : 1;
}
