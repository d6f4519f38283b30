// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// `s3::dead_letters`: the dead letters of each batch on S3, as the object
/// `PREFIX/batch-<batch_id>.jsonl` — the same sink and JSON lines as `fs::dead_letters`
/// (`store::blob_dead_letters`), over an `s3::blob_store`.

#include "sluice/core/concepts/dead_letter_sink.hpp"
#include "sluice/s3/blob_store.hpp"
#include "sluice/store/blob_dead_letters.hpp"

namespace sluice::inline v0::s3 {

/// A `dead_letter_sink` at `s3://BUCKET/PREFIX`: construct it from a `blob_store`,
/// `s3::dead_letters(s3::blob_store(client, location))`.
///
/// A batch's letters are one PUT (atomic); a batch whose object exists (a replay) is not written
/// again (one GET decides). Errors are the client's, and `errc::invalid_argument` for a negative
/// batch id.
using dead_letters = store::blob_dead_letters<blob_store>;

static_assert(dead_letter_sink<dead_letters>);

}  // namespace sluice::inline v0::s3
