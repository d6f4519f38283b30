// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// `s3::checkpoint_store`: the pipeline's write-ahead plan and last commit on S3, as the objects
/// `PREFIX/plan.json` and `PREFIX/commit.json` — the same store and JSON as
/// `fs::checkpoint_store` (`store::blob_checkpoint_store`), over an `s3::blob_store`.

#include "sluice/core/concepts/checkpoint_store.hpp"
#include "sluice/s3/blob_store.hpp"
#include "sluice/store/blob_checkpoint_store.hpp"

namespace sluice::inline v0::s3 {

/// A `sluice::checkpoint_store` at `s3://BUCKET/PREFIX`: construct it from a `blob_store`,
/// `s3::checkpoint_store(s3::blob_store(client, location))`.
///
/// Each write is one PUT (atomic on S3), each read one GET; semantics, errors and layout are
/// those of `store::blob_checkpoint_store`, with the client's errors as the storage's.
using checkpoint_store = store::blob_checkpoint_store<blob_store>;

static_assert(sluice::checkpoint_store<checkpoint_store>);

}  // namespace sluice::inline v0::s3
