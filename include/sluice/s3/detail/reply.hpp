// SPDX-License-Identifier: Apache-2.0
#pragma once

// What an S3 reply means: the error of an attempt (transport failure, or the HTTP status and the
// `<Code>` of S3's error document, `classify_reply`), the diagnostic line of a failed request,
// and the ListObjectsV2 page of a reply body. Of S3's error documents only `<Code>` and
// `<Message>` are read, so no diagnostic carries a secret.

#include "sluice/core/error.hpp"
#include "sluice/s3/detail/transport.hpp"
#include "sluice/s3/detail/xml.hpp"
#include "sluice/s3/error.hpp"
#include "sluice/s3/object_info.hpp"

#include <curl/curl.h>

#include <charconv>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

namespace sluice::inline v0::s3::detail {

// Sets `op.error` and `op.s3_code` for the attempt that just ended with `code`.
inline void classify_attempt(s3_op& op, CURLcode code) {
  op.s3_code.clear();
  if (code != CURLE_OK) {
    op.error = op.too_large ? std::error_code(errc::too_large) : make_error(code);
    return;
  }
  if (op.status >= 300) {
    if (auto c = element_text(op.reply, "Code")) op.s3_code = std::move(*c);
  }
  op.error = classify_reply(op.status, op.s3_code);
  if (op.accept_owned_bucket && op.status == 409 && op.s3_code == "BucketAlreadyOwnedByYou") op.error = {};
}

// True if the request found no object (404 other than NoSuchBucket): "absent" for GET and HEAD,
// success for DELETE.
inline bool is_absent(const s3_op& op) { return op.error == std::errc::no_such_file_or_directory; }

// One line about the last attempt of `op`: method, bucket, key, HTTP status or transport error,
// S3's error code and message, attempts, request id.
inline std::string describe(const s3_op& op) {
  std::string s = "S3 " + op.method + " " + op.bucket;
  if (!op.key.empty()) s += "/" + op.key;
  s += ": ";
  if (op.too_large) {
    s += "the reply exceeds the configured maximum size";
  } else if (op.status == 0) {
    s += op.error.message();
  } else {
    s += "HTTP " + std::to_string(op.status);
    if (!op.s3_code.empty()) s += " " + op.s3_code;
    if (auto msg = element_text(op.reply, "Message"); msg && !msg->empty()) s += " (" + *msg + ")";
    if (op.method == "HEAD" && op.s3_code.empty()) s += " (HEAD replies carry no error document)";
  }
  s += " after " + std::to_string(op.attempts) + (op.attempts == 1 ? " attempt" : " attempts");
  if (!op.request_id.empty()) s += ", request id " + op.request_id;
  return s;
}

// One page of a ListObjectsV2 reply; empty optional if it is not one.
inline std::optional<list_page> parse_list_page(std::string_view xml) {
  if (xml.find("<ListBucketResult") == std::string_view::npos) return std::nullopt;
  list_page page;
  std::size_t pos = 0;
  while (auto c = find_element(xml, "Contents", pos)) {
    pos = c->end;
    object_info info;
    auto key = element_text(c->text, "Key");
    if (!key) return std::nullopt;
    info.key = std::move(*key);
    if (auto size = element_text(c->text, "Size")) {
      const auto [p, ec] = std::from_chars(size->data(), size->data() + size->size(), info.size);
      if (ec != std::errc() || p != size->data() + size->size()) return std::nullopt;
    }
    if (auto etag = element_text(c->text, "ETag")) info.etag = std::move(*etag);
    if (auto lm = element_text(c->text, "LastModified")) info.last_modified = std::move(*lm);
    page.objects.push_back(std::move(info));
  }
  const auto truncated = element_text(xml, "IsTruncated");
  if (truncated && *truncated == "true") {
    page.continuation_token = element_text(xml, "NextContinuationToken");
    if (!page.continuation_token || page.continuation_token->empty()) return std::nullopt;
  }
  return page;
}

}  // namespace sluice::inline v0::s3::detail
