// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// `dedup_key_of<T>`: the key by which `watermark_dedup<T>` tells a duplicate, as bytes.

namespace sluice::inline v0::stream {

/// The dedup key of a value as bytes: `dedup_key_of<T>::append(out, v)` appends an encoding to
/// the `std::string` `out` that is equal for two values exactly when their keys are equal.
/// Specialize it for your types (`event_etl::device_event` has one).
///
/// Semantics: the encoding is a pure function of the key, and it is valid UTF-8 when the key's
/// strings are, since `watermark_dedup` keeps the keys in its checkpointed state (JSON text).
template <class T>
struct dedup_key_of;

}  // namespace sluice::inline v0::stream
