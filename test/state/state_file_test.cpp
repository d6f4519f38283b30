// SPDX-License-Identifier: Apache-2.0
// The state file format and the manifest: round trips, and every kind of damage recognized
// before anything is applied.
#include "sluice/state/manifest.hpp"
#include "sluice/state/state_file.hpp"

#include <gtest/gtest.h>

#include <string>
#include <tuple>
#include <vector>

namespace st = sluice::state;

namespace {
using entry = std::tuple<st::op, std::string, std::string>;

std::vector<entry> read_all(const std::string& bytes, st::file_kind kind, std::int64_t batch,
                            bool& ok, std::string* why = nullptr) {
  std::vector<entry> out;
  auto r = st::read_file(bytes, kind, batch,
                         [&](st::op o, std::string_view k, std::string_view v) {
                           out.emplace_back(o, std::string(k), std::string(v));
                         },
                         why);
  ok = r.has_value();
  return out;
}

std::string sample_changelog() {
  st::file_writer w(st::file_kind::changelog, 42);
  w.put("a", "1");
  w.remove("b");
  w.put(std::string("\0k", 2), std::string(300, 'x'));  // binary key, a 2-byte length
  w.put("", "");
  return w.finish();
}
}  // namespace

TEST(StateFile, RoundTripsEntriesInOrder) {
  const std::string bytes = sample_changelog();
  EXPECT_EQ(bytes.substr(0, 6), std::string("SLST\x01" "C", 6));
  bool ok = false;
  const auto got = read_all(bytes, st::file_kind::changelog, 42, ok);
  ASSERT_TRUE(ok);
  const std::vector<entry> want = {{st::op::put, "a", "1"},
                                   {st::op::remove, "b", ""},
                                   {st::op::put, std::string("\0k", 2), std::string(300, 'x')},
                                   {st::op::put, "", ""}};
  EXPECT_EQ(got, want);
}

TEST(StateFile, AFileSentInPiecesIsTheFileBuiltInMemory) {
  // Entries of every size around the piece size, so pieces end inside and between entries.
  std::vector<std::pair<std::string, std::string>> entries;
  for (int i = 0; i < 400; ++i)
    entries.emplace_back("key-" + std::to_string(i), std::string(static_cast<std::size_t>(i * 7 % 300), 'a' + i % 26));
  entries.emplace_back(std::string(200, 'k'), std::string(70000, 'v'));   // one entry larger than a piece
  const auto write_all = [&](st::file_writer& w) {
    for (const auto& [k, v] : entries) w.put(k, v);
    w.remove("gone");
  };
  st::file_writer memory(st::file_kind::snapshot, 9);
  write_all(memory);
  const std::string whole = memory.finish();

  st::file_writer counter = st::file_writer::counting();
  write_all(counter);
  EXPECT_EQ(counter.entries(), entries.size() + 1);
  EXPECT_EQ(counter.counted_bytes(), whole.size());
  for (const std::size_t piece : {1u, 7u, 4096u, 100000u}) {
    std::string sent;
    std::size_t pieces = 0;
    const sluice::store::piece_sink out = [&](std::string_view p) -> sluice::result<void> {
      sent += p;
      ++pieces;
      return sluice::success();
    };
    st::file_writer w(st::file_kind::snapshot, 9, counter.entries(), out, piece);
    write_all(w);
    const auto done = w.finish_pieces();
    ASSERT_TRUE(done) << piece;
    EXPECT_EQ(sent, whole) << piece;
    EXPECT_EQ(done.value().bytes, whole.size());
    EXPECT_EQ(done.value().crc, sluice::crc32c(std::string_view(whole).substr(0, whole.size() - 4)));
    EXPECT_GT(pieces, piece < whole.size() ? 1u : 0u);
  }
  // A count that differs from the entries given (the state changed between the passes) and a
  // sink that fails are errors, never a file with a wrong header.
  const sluice::store::piece_sink ok = [](std::string_view) -> sluice::result<void> { return sluice::success(); };
  st::file_writer short_count(st::file_kind::snapshot, 9, counter.entries() - 1, ok, 4096);
  write_all(short_count);
  EXPECT_EQ(short_count.finish_pieces().error(), sluice::errc::invalid_argument);
  int calls = 0;
  const sluice::store::piece_sink failing = [&](std::string_view) -> sluice::result<void> {
    ++calls;
    return sluice::errc::io_error;
  };
  st::file_writer broken(st::file_kind::snapshot, 9, counter.entries(), failing, 4096);
  write_all(broken);
  EXPECT_EQ(broken.finish_pieces().error(), sluice::errc::io_error);
  EXPECT_EQ(calls, 1) << "nothing is sent after the first error";
}

TEST(StateFile, EveryFlippedBitAndEveryTruncationIsRejectedWithNothingApplied) {
  const std::string bytes = sample_changelog();
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string bad = bytes;
      bad[i] = static_cast<char>(bad[i] ^ (1 << bit));
      bool ok = true;
      const auto got = read_all(bad, st::file_kind::changelog, 42, ok);
      EXPECT_FALSE(ok) << "byte " << i << " bit " << bit;
      EXPECT_TRUE(got.empty());
    }
  }
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    bool ok = true;
    std::string why;
    EXPECT_TRUE(read_all(bytes.substr(0, n), st::file_kind::changelog, 42, ok, &why).empty());
    EXPECT_FALSE(ok) << n;
    EXPECT_FALSE(why.empty());
  }
}

TEST(StateFile, WrongKindOrBatchIsRejected) {
  const std::string bytes = sample_changelog();
  bool ok = true;
  std::string why;
  read_all(bytes, st::file_kind::snapshot, 42, ok, &why);
  EXPECT_FALSE(ok);
  EXPECT_EQ(why, "a file of the other kind");
  read_all(bytes, st::file_kind::changelog, 41, ok, &why);
  EXPECT_FALSE(ok);
  EXPECT_EQ(why, "the file of another batch");
}

TEST(StateManifest, RoundTripsAndRejectsMalformedText) {
  st::manifest m;
  m.batch_id = 42;
  m.snapshot = st::file_ref{40, 5678, 0x9abcdef0};
  m.changelogs = {{41, 100, 0xdeadbeef}, {42, 96, 0x0badf00d}};
  const std::string text = st::to_text(m);
  EXPECT_EQ(text,
            "sluice-state v1 batch=42 snapshot=40:5678:9abcdef0 "
            "changelogs=41:100:deadbeef,42:96:0badf00d");
  EXPECT_EQ(st::parse_manifest(text), m);
  const st::manifest empty{7, std::nullopt, {}};
  EXPECT_EQ(st::to_text(empty), "sluice-state v1 batch=7 snapshot=- changelogs=");
  EXPECT_EQ(st::parse_manifest(st::to_text(empty)), empty);
  for (const char* bad : {
           "", "sluice-state v2 batch=1 snapshot=- changelogs=",
           "sluice-state v1 batch=x snapshot=- changelogs=",
           "sluice-state v1 batch=5 snapshot=6:1:00000000 changelogs=",     // snapshot after batch
           "sluice-state v1 batch=5 snapshot=- changelogs=3:1:00000000,3:1:00000000",  // repeated
           "sluice-state v1 batch=5 snapshot=3:1:00000000 changelogs=2:1:00000000",    // before it
           "sluice-state v1 batch=5 snapshot=- changelogs=6:1:00000000",               // after batch
           "sluice-state v1 batch=5 snapshot=- changelogs=4:1:0000",                   // short crc
           "sluice-state v1 batch=5 snapshot=- changelogs=4:1:00000000,",
       })
    EXPECT_EQ(st::parse_manifest(bad), std::nullopt) << bad;
}

namespace {

// The run-time CRC-32C (the processor's instruction where it has one) against the table a byte
// at a time, on every length around the 8-byte steps and at odd offsets, and the catalogue's
// check value at run time.
TEST(Crc32c, TheFastPathEqualsTheTableOnEveryLengthAndOffset) {
  std::string data(4096 + 17, '\0');
  std::uint64_t x = 0x9E3779B97F4A7C15ULL;
  for (char& c : data) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    c = static_cast<char>(x);
  }
  const std::string_view all(data);
  for (std::size_t offset = 0; offset < 9; ++offset) {
    for (std::size_t n = 0; n < 70; ++n) {
      const auto s = all.substr(offset, n);
      ASSERT_EQ(sluice::crc32c(s), sluice::crc32c_portable(s)) << offset << " " << n;
    }
  }
  EXPECT_EQ(sluice::crc32c(all), sluice::crc32c_portable(all));
  // Continuation: crc32c(b, crc32c(a)) == crc32c(a + b), across the fast and portable paths.
  EXPECT_EQ(sluice::crc32c(all.substr(1000), sluice::crc32c(all.substr(0, 1000))), sluice::crc32c(all));
  EXPECT_EQ(sluice::crc32c_portable(all.substr(1000), sluice::crc32c(all.substr(0, 1000))), sluice::crc32c(all));
  volatile char nine[] = "123456789";
  const std::string text(const_cast<const char*>(nine), 9);
  EXPECT_EQ(sluice::crc32c(text), 0xE3069283u);
}

}  // namespace
