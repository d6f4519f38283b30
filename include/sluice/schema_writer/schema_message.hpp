// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// `schema_message`: one schema-topic message as text, what `message_codec` makes of a
/// `source_record` and `catalog_transform` consumes (docs/architecture.md §2, step 1).

#include <cstddef>
#include <optional>
#include <string>

namespace sluice::inline v0::schema_writer {

/// A schema-topic message whose key and payload are known to be UTF-8 text.
///
/// The key is still raw (not normalized): `catalog_transform` normalizes it, since a message
/// without a key may still be the envelope schema, which is filtered rather than rejected.
struct schema_message {
  std::size_t origin = 0;          ///< index of the source record in its batch (for rejects)
  std::optional<std::string> key;  ///< the raw table name; absent when the message had no key
  std::string payload;             ///< the Avro schema JSON, as the producer sent it
  friend bool operator==(const schema_message&, const schema_message&) = default;
};

}  // namespace sluice::inline v0::schema_writer
