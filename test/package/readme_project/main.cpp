// SPDX-License-Identifier: Apache-2.0
// The catalog entry the schema writer makes for one schema: file name and Spark-ready text.
#include <sluice/avro/avro.hpp>

#include <cstdio>
#include <string>

int main() {
  const std::string schema = R"({"type":"record","name":"orders","fields":[
      {"name":"ORDER_ID","type":"long"},
      {"name":"AMOUNT","type":{"type":"bytes","logicalType":"decimal","precision":40,"scale":2}}]})";

  // CRC-64-AVRO of the Parsing Canonical Form, as Java's SchemaNormalization computes it.
  const auto fingerprint = sluice::avro::fingerprint(schema);
  // Lowercased field names, decimal precision capped at 38; everything else kept.
  const auto spark = sluice::avro::preprocess(schema, {.lowercase_field_names = true});
  if (!fingerprint || !spark) {
    std::fprintf(stderr, "bad schema\n");
    return 1;
  }
  const std::string name(sluice::avro::fingerprint_decimal(fingerprint.value()));
  std::printf("%s.avsc\n%s\n", name.c_str(), spark.value().c_str());
}
