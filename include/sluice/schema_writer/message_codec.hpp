// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// `message_codec`: the schema writer's codec, raw `source_record`s to `schema_message`s
/// (docs/architecture.md §2, step 1: key and value become strings).

#include "sluice/core/concepts/tags.hpp"
#include "sluice/core/error.hpp"
#include "sluice/core/record.hpp"
#include "sluice/core/reject.hpp"
#include "sluice/core/text.hpp"
#include "sluice/core/utf8.hpp"
#include "sluice/schema_writer/schema_message.hpp"

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace sluice::inline v0::schema_writer {

namespace detail {

inline std::string invalid_utf8_reason(std::string_view what, std::string_view bytes,
                                       std::size_t at) {
  std::string reason(what);
  reason += " is not valid UTF-8 (byte 0x";
  text::append_hex_byte(reason, static_cast<unsigned char>(bytes[at]), text::hex_upper);
  reason += " at offset ";
  reason += std::to_string(at);
  reason += ')';
  return reason;
}

}  // namespace detail

/// Decodes schema-topic records into `schema_message`s: key and payload as UTF-8 text.
///
/// Per record, in this order:
/// - bytes the source could not read as a message (`source_record::bad_input` set, e.g. a line of
///   a kcat file that is not a kcat message) → reject with that reason, so the raw bytes reach
///   the dead letters;
/// - key and payload together longer than `max_message_bytes` → reject "too large: …" (the
///   message of `errc::too_large`, with both sizes);
/// - no payload (a Kafka tombstone) → reject "message has no payload …";
/// - a payload that is not UTF-8 → reject, naming the first bad byte and its offset (Avro schema
///   JSON is text; the dead letter keeps the bytes in base64);
/// - a key that is not UTF-8 → reject likewise;
/// - otherwise one `schema_message` with the record's index as `origin`. A missing key is kept
///   as absent: whether that is bad input depends on the schema (the envelope schema is filtered
///   whatever its key), which `catalog_transform` decides.
///
/// Models `codec_for<message_codec, source_record>`; stateless (its one member is an option).
/// Errors: none at batch level (bad records are rejects); the result is always success.
/// Thread-safety: pure; one instance may serve several threads.
/// Complexity: linear in the bytes of the batch (UTF-8 check and one copy).
struct message_codec {
  using stage_concept = codec_tag;
  using value_type = schema_message;

  /// The largest message accepted, key and payload bytes together; larger ones are rejects.
  std::size_t max_message_bytes = static_cast<std::size_t>(-1);

  /// Appends one `schema_message` per acceptable record of `in` to `out`; the others go to
  /// `rejects` with their index and a reason.
  result<void> decode(std::span<const source_record> in, std::vector<schema_message>& out,
                      reject_list& rejects) const {
    out.reserve(out.size() + in.size());
    for (std::size_t i = 0; i < in.size(); ++i) {
      const source_record& rec = in[i];
      if (rec.bad_input) {
        rejects.add(i, *rec.bad_input);
        continue;
      }
      const std::size_t bytes = (rec.key ? rec.key->size() : 0) + (rec.payload ? rec.payload->size() : 0);
      if (bytes > max_message_bytes) {
        rejects.add(i, std::error_code(errc::too_large).message() + ": the message has " + std::to_string(bytes) +
                           " bytes (key and payload), more than the maximum of " +
                           std::to_string(max_message_bytes));
        continue;
      }
      if (!rec.payload) {
        rejects.add(i, "message has no payload (a tombstone); expected an Avro schema");
        continue;
      }
      if (const auto bad = utf8::first_invalid(*rec.payload)) {
        rejects.add(i, detail::invalid_utf8_reason("payload", *rec.payload, *bad));
        continue;
      }
      if (rec.key) {
        if (const auto bad = utf8::first_invalid(*rec.key)) {
          rejects.add(i, detail::invalid_utf8_reason("key", *rec.key, *bad));
          continue;
        }
      }
      out.push_back(schema_message{i, rec.key, *rec.payload});
    }
    return success();
  }
};

}  // namespace sluice::inline v0::schema_writer
