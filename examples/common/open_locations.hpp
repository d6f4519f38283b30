// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// The stores and the sink of a reference binary's locations (`storage_options.hpp`), opened:
/// the S3 client when any location is on S3 (credentials, endpoint, region, retries and
/// timeout), the checkpoint and dead-letter blobs, and the maker of the sink. Shared by
/// `sluice-schema-writer` and `sluice-event-etl`.

#include "blobs.hpp"
#include "cli_support.hpp"
#include "storage_options.hpp"

#include "sluice/fs/atomic_file.hpp"
#include "sluice/s3/client.hpp"
#include "sluice/s3/credentials.hpp"
#include "sluice/store/blob_checkpoint_store.hpp"
#include "sluice/store/blob_dead_letters.hpp"

#include <cstddef>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace sluice_examples {

/// The S3 client's options of `s3`: endpoint, region, addressing, retries, timeout, CA file.
inline sluice::s3::client_options client_options_of(const s3_settings& s3) {
  sluice::s3::client_options opt;
  opt.service_endpoint = s3.endpoint;
  opt.region = s3.region;
  opt.addressing = s3.path_style ? sluice::s3::addressing_style::path : sluice::s3::addressing_style::virtual_host;
  opt.retry.max_attempts = s3.max_attempts;
  opt.request_timeout = s3.request_timeout;
  opt.ca_file = s3.ca_file;
  return opt;
}

/// The checkpoint store of both binaries, over a folder or an S3 prefix.
using checkpoint_store = sluice::store::blob_checkpoint_store<blobs>;
/// The dead letters of both binaries, over a folder or an S3 prefix.
using dead_letter_store = sluice::store::blob_dead_letters<blobs>;

/// Where a run keeps its state and writes its output, opened.
struct locations {
  std::shared_ptr<sluice::s3::client> s3;   ///< set when any location is on S3
  std::optional<blobs> checkpoint;          ///< plan and commit (per partition with Kafka)
  std::optional<blobs> dead_letters;
  std::function<object_store()> make_sink;  ///< a folder or S3 sink; empty for none (the console)
  std::string sink_text = "stdout";         ///< the sink, for log lines

  /// The checkpoint store at the root (a file source's single stream).
  [[nodiscard]] checkpoint_store checkpoint_root() const { return checkpoint_store(*checkpoint); }
  /// The dead letters at the root.
  [[nodiscard]] dead_letter_store dead_letters_root() const { return dead_letter_store(*dead_letters); }
  /// The checkpoint store of one stream under the root, e.g. a Kafka partition's `topic/3`.
  [[nodiscard]] checkpoint_store checkpoint_at(std::string_view sub) const {
    return checkpoint_store(checkpoint->at(sub));
  }
  /// The dead letters of one stream under the root.
  [[nodiscard]] dead_letter_store dead_letters_at(std::string_view sub) const {
    return dead_letter_store(dead_letters->at(sub));
  }

  /// With a local checkpoint folder, removes the temp files a killed run left there (one writer
  /// per folder with a file source, so any temp file there is a leftover) and says so on stderr.
  ///
  /// Returns: 0, or the exit code 1 when the folder cannot be cleaned (written to stderr as
  /// `PROGRAM: fatal: …`). Blocking: lists and removes files. Thread-safety: none.
  [[nodiscard]] int clean_checkpoint_folder(const char* program) const {
    const auto root = checkpoint->local_root();
    if (!root) return 0;
    auto removed = sluice::fs::remove_temp_files(*root);
    if (!removed) {
      std::fprintf(stderr, "%s: fatal: cannot clean the checkpoint directory %s: %s\n", program, root->c_str(),
                   describe(removed.error()).c_str());
      return 1;
    }
    if (removed.value() > 0)
      std::fprintf(stderr, "%s: removed %zu temp files of an interrupted run from %s\n", program,
                   removed.value(), root->c_str());
    return 0;
  }
};

/// The blobs at `where`, through `s3` when it is on S3.
inline blobs blobs_at(const std::shared_ptr<sluice::s3::client>& s3, const location& where) {
  if (const auto* prefix = where.s3()) return blobs::s3(s3, *prefix);
  return blobs::local(*where.local());
}

/// Opens the locations: the S3 client (with `s3`'s settings and the credentials of the
/// environment) when any of them is on S3, then the checkpoint and dead-letter blobs and the
/// maker of the sink at `sink` (none: the console).
///
/// Errors: none returned; a failure is written to stderr as `PROGRAM: …` and yields the exit
/// code: 2 without S3 credentials, 1 when the client cannot be set up.
/// Blocking: reads the shared credentials file. Thread-safety: none (writes stderr).
inline std::variant<locations, int> open_locations(const char* program, const s3_settings& s3,
                                                   const location& checkpoint, const location& dead_letters,
                                                   const location* sink) {
  locations loc;
  if (checkpoint.s3() != nullptr || dead_letters.s3() != nullptr || (sink != nullptr && sink->s3() != nullptr)) {
    std::string why;
    auto creds = sluice::s3::load_credentials(sluice::s3::process_environment, &why);
    if (!creds) {
      std::fprintf(stderr, "%s: no S3 credentials: %s\n", program, why.c_str());
      return 2;
    }
    auto client = sluice::s3::client::make_shared(client_options_of(s3), std::move(creds).value());
    if (!client) {
      std::fprintf(stderr, "%s: cannot set up the S3 client: %s\n", program, describe(client.error()).c_str());
      return 1;
    }
    loc.s3 = std::move(client).value();
  }
  loc.checkpoint = blobs_at(loc.s3, checkpoint);
  loc.dead_letters = blobs_at(loc.s3, dead_letters);
  if (sink != nullptr) {
    loc.sink_text = sink->string();
    if (const auto* prefix = sink->s3()) {
      loc.make_sink = [c = loc.s3, where = *prefix] { return object_store::s3(c, where); };
    } else {
      loc.make_sink = [root = *sink->local()] { return object_store::local(root); };
    }
  }
  return loc;
}

}  // namespace sluice_examples
