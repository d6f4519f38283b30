// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// Where `sluice-schema-writer` keeps things, chosen at run time from its options: a local
/// folder or an S3 prefix. The choice is made once per location; the catalog pipeline itself stays
/// a compile-time composition, and the storage calls it wraps are I/O-bound (a branch per call is
/// nothing next to a write, let alone a PUT).

#include "../common/blobs.hpp"

namespace schema_writer_cli {

/// Blobs under a local folder or an S3 prefix (shared with sluice-event-etl).
using blobs = sluice_examples::blobs;

/// The catalog sink: `fs::file_sink` into a folder or `s3::object_sink` under a prefix.
using catalog_sink = sluice_examples::object_store;

}  // namespace schema_writer_cli
