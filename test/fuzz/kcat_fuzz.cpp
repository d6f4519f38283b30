// SPDX-License-Identifier: Apache-2.0
// libFuzzer target over the kcat -J reader (fs::kcat_source) and the schema writer's first two
// stages behind it. The input is a file's bytes (an in-memory file); it must never crash, hang or
// trip a sanitizer, and:
//   - opening succeeds (bad lines are records, not errors);
//   - planning from the start with a small `max` (taken from the input) and reading each plan
//     delivers every indexed line exactly once: each record inside its plan's range and
//     partition, no more offsets per plan than `max`, bad lines with their raw line as payload
//     and a non-empty reason;
//   - the records equal those of one plan over everything, and those of a second source over
//     the same file (replay is exact);
//   - the number of records is the number of complete non-blank lines, or one more (a last line
//     without its newline counts only when it holds a whole message);
//   - message_codec and catalog_transform account for every record (kept, rejected or
//     filtered), and every catalog key is `<db.schema.table>/<fingerprint>.avsc`.
#include <sluice/core/record.hpp>
#include <sluice/core/reject.hpp>
#include <sluice/fs/kcat_source.hpp>
#include <sluice/schema_writer/catalog_transform.hpp>
#include <sluice/schema_writer/message_codec.hpp>

#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace {

namespace fs = sluice::fs;
namespace sw = sluice::schema_writer;
using sluice::source_record;

[[noreturn]] void fail(const char* what, std::string_view detail = {}) {
  std::fprintf(stderr, "kcat_fuzz invariant violated: %s\n%.*s\n", what, static_cast<int>(detail.size()),
               detail.data());
  std::abort();
}

void check(bool ok, const char* what, std::string_view detail = {}) {
  if (!ok) fail(what, detail);
}

// Every record of the file, planning `max` offsets at a time from the start.
std::vector<source_record> read_all(const std::string& path, std::int64_t max) {
  auto src = fs::kcat_source::open(path);
  check(src.has_value(), "open failed");
  auto& s = src.value();
  sluice::source_position pos;
  std::vector<source_record> out;
  for (int round = 0; round < 100000; ++round) {
    auto plan = s.plan(pos, max);
    check(plan.has_value(), "plan failed");
    if (plan.value().empty()) return out;
    std::int64_t planned = 0;
    for (const auto& r : plan.value()) {
      check(r.from < r.to, "empty range planned");
      planned += r.size();
    }
    check(planned <= max, "plan exceeds max");
    std::vector<source_record> recs;
    check(s.read(plan.value(), recs).has_value(), "read failed");
    for (const auto& rec : recs) {
      bool inside = false;
      for (const auto& r : plan.value())
        inside = inside || (rec.topic == r.topic && rec.partition == r.partition && rec.offset >= r.from && rec.offset < r.to);
      check(inside, "record outside its plan", rec.topic);
      if (fs::is_kcat_bad_line(rec)) {
        check(rec.payload.has_value() && !rec.key.has_value(), "bad line without its raw line");
        check(!fs::kcat_bad_line_reason(rec).empty(), "bad line without a reason");
      }
    }
    out.insert(out.end(), recs.begin(), recs.end());
    for (const auto& r : plan.value()) {
      bool found = false;
      for (auto& p : pos) {
        if (p.topic == r.topic && p.partition == r.partition) {
          p.from = p.to = r.to;
          found = true;
        }
      }
      if (!found) pos.push_back({r.topic, r.partition, r.to, r.to});
    }
  }
  fail("planning does not end");
}

bool same(const source_record& a, const source_record& b) {
  return std::tie(a.topic, a.partition, a.offset, a.timestamp_ms, a.key, a.payload) ==
         std::tie(b.topic, b.partition, b.offset, b.timestamp_ms, b.key, b.payload);
}

bool before(const source_record& a, const source_record& b) {
  return std::tie(a.topic, a.partition, a.offset) < std::tie(b.topic, b.partition, b.offset);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const int fd = ::memfd_create("kcat_fuzz", 0);
  check(fd >= 0, "memfd_create failed");
  for (std::size_t done = 0; done < size;) {
    const auto n = ::write(fd, data + done, size - done);
    check(n > 0, "write failed");
    done += static_cast<std::size_t>(n);
  }
  const std::string path = "/proc/self/fd/" + std::to_string(fd);
  const std::int64_t small = size > 0 ? 1 + data[0] % 7 : 1;

  auto a = read_all(path, small);
  auto b = read_all(path, std::int64_t{1} << 40);
  ::close(fd);

  check(a.size() == b.size(), "small plans and one plan read different numbers of records");
  std::sort(a.begin(), a.end(), before);
  std::sort(b.begin(), b.end(), before);
  for (std::size_t i = 0; i < a.size(); ++i) {
    check(same(a[i], b[i]), "small plans and one plan read different records");
    if (i > 0) check(before(a[i - 1], a[i]), "a record delivered twice");
  }

  std::size_t complete = 0;
  std::size_t start = 0;
  for (std::size_t nl = bytes.find('\n'); nl != std::string_view::npos; nl = bytes.find('\n', start)) {
    if (bytes.substr(start, nl - start).find_first_not_of(" \t\r") != std::string_view::npos) ++complete;
    start = nl + 1;
  }
  check(a.size() == complete || a.size() == complete + 1, "records do not match the lines");

  // The schema writer's codec and transform over them: every record accounted for.
  sluice::reject_list rejects;
  std::vector<sw::schema_message> msgs;
  check(sw::message_codec{}.decode(a, msgs, rejects).has_value(), "decode failed");
  check(msgs.size() + rejects.size() == a.size(), "codec lost or invented records");
  const std::size_t codec_rejects = rejects.size();
  const std::size_t decoded = msgs.size();
  sw::catalog_transform t;
  std::vector<sluice::object> objs;
  check(t.apply(msgs, objs, rejects).has_value(), "transform failed");
  const auto& st = t.stats();
  check(objs.size() + static_cast<std::size_t>(st.filtered) + (rejects.size() - codec_rejects) == decoded,
        "transform lost or invented messages");
  for (const auto& o : objs) {
    const auto slash = o.key.find('/');
    check(slash != std::string::npos && o.key.find('/', slash + 1) == std::string::npos &&
              o.key.find("..") == std::string::npos && o.key.ends_with(".avsc"),
          "catalog key leaves its table's folder", o.key);
    check(sw::normalize_key(o.key.substr(0, slash)).has_value(), "catalog table is not a normalized key", o.key);
  }
  for (const auto& r : rejects.items()) check(!r.reason.empty() && r.origin < a.size(), "bad reject", r.reason);
  return 0;
}
