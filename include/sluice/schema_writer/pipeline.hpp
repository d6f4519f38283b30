// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// The schema writer as a composed pipeline type (docs/architecture.md §2): source → `message_codec`
/// → `catalog_transform` → in-batch dedup of (table, fingerprint) → sink, with an idempotency
/// policy. `catalog_pipeline<Src, Sink, Idem>` shows how to compose your own from the same
/// stages; `file_pipeline` is the one `sluice-schema-writer` runs on local files.

#include "sluice/core/error.hpp"
#include "sluice/core/object.hpp"
#include "sluice/core/pipeline.hpp"
#include "sluice/core/transforms/dedup_in_batch.hpp"
#include "sluice/fs/directory_blobs.hpp"
#include "sluice/fs/file_sink.hpp"
#include "sluice/fs/kcat_source.hpp"
#include "sluice/idempotency/completed_batches_log.hpp"
#include "sluice/schema_writer/catalog_transform.hpp"
#include "sluice/schema_writer/message_codec.hpp"

#include <chrono>
#include <filesystem>
#include <string>
#include <utility>

namespace sluice::inline v0::schema_writer {

/// Drops the second and later catalog objects of one key, i.e. of one (table, fingerprint),
/// within a batch (docs/architecture.md §2, step 6: duplicates are dropped before any write).
///
/// The catalog key is `<db.schema.table>/<fingerprint>.avsc`, so equal keys mean equal table and
/// fingerprint; the first occurrence wins, and since preprocessing is deterministic every
/// occurrence of the same raw schema has the same bytes.
using catalog_dedup = dedup_in_batch<object, by_object_key>;

/// The completed-batches log of the schema writer on a local file system, partitioned by month
/// (`<root>/yyyymm=<YYYYMM>/<app>/<stream_name>/batch-<id>.json`).
template <class Clock = std::chrono::system_clock>
using file_batches_log = idempotency::completed_batches_log<fs::directory_blobs, Clock>;

/// The schema writer's stages around a source, a sink and an idempotency policy of your choice.
///
/// `Src` must deliver schema-topic records (key: table name, payload: Avro schema JSON), `Sink`
/// must accept `object`s; e.g. `catalog_pipeline<memory_source, memory_object_sink,
/// idempotency::none>` for a test, or a Kafka source and an S3 sink. The template head of
/// `pipeline` checks each stage against its neighbour.
template <class Src, class Sink, class Idem>
using catalog_pipeline = pipeline<Src, message_codec, catalog_transform, catalog_dedup, Sink, Idem>;

/// What `sluice-schema-writer` runs: a kcat -J file → catalog files, with the completed-batches
/// log on the file system.
using file_pipeline = catalog_pipeline<fs::kcat_source, fs::file_sink, file_batches_log<>>;

/// Where `make_file_pipeline` reads and writes.
struct file_pipeline_config {
  std::filesystem::path source;       ///< kcat -J lines
  std::filesystem::path sink;         ///< the catalog root
  std::filesystem::path log;          ///< root of the completed-batches log
  std::string app = "sluice-schema-writer";   ///< app name in the log
  std::string stream_name = "default";        ///< stream name in the log
  catalog_options catalog{};          ///< preprocessing options
};

/// Makes the file-based schema writer pipeline: opens and indexes the source file, and sets up
/// the sink and the log (their directories are created on the first write).
///
/// Errors: the OS error if the source file cannot be opened or read; `errc::invalid_argument`
/// if the app or stream name is not a valid log name (`idempotency::is_valid_log_name`).
/// Blocking: reads the source file once.
[[nodiscard]] inline result<file_pipeline> make_file_pipeline(const file_pipeline_config& cfg) {
  SLUICE_TRY(source, fs::kcat_source::open(cfg.source));
  SLUICE_TRY(log, file_batches_log<>::make(fs::directory_blobs(cfg.log), cfg.app,
                                           cfg.stream_name));
  return file_pipeline(std::move(source), message_codec{}, catalog_transform(cfg.catalog),
                       catalog_dedup{}, fs::file_sink(cfg.sink), std::move(log));
}

}  // namespace sluice::inline v0::schema_writer
