// SPDX-License-Identifier: Apache-2.0
#include "sluice/fs/dead_letters.hpp"
#include "sluice/fs/directory_blobs.hpp"
#include "sluice/store/blob_dead_letters.hpp"
#include "sluice/store/blob_store.hpp"

#include "temp_dir.hpp"

#include <gtest/gtest.h>

#include <set>
#include <span>
#include <string>
#include <vector>

namespace {

using sluice::fs::directory_blobs;
using sluice_test::files_under;
using sluice_test::spit;
using sluice_test::temp_dir;

static_assert(sluice::store::blob_store<directory_blobs>);

// Dead letters over local blobs (as sluice-schema-writer and sluice-event-etl keep them): the
// store, not the program, removes the temp files a killed write left, on its first put into
// each folder, and only those of writers that are gone.
TEST(DirectoryBlobs, TheFirstPutIntoAFolderRemovesStaleTempFilesThere) {
  temp_dir dir;
  const auto dead = std::to_string(sluice_test::dead_pid());
  const std::string stale = ".batch-3.jsonl.sluice-tmp-" + dead + "-0";
  const std::string stale_old = ".sluice-tmp-" + dead + "-1";  // the name of older releases
  const std::string stale_below = "p/.batch-5.jsonl.sluice-tmp-" + dead + "-2";
  const std::string live = ".batch-4.jsonl.sluice-tmp-1-0";  // pid 1 is alive
  for (const auto& f : {stale, stale_old, stale_below, live, std::string("notes.txt")}) spit(dir / f, "x");

  sluice::store::blob_dead_letters<directory_blobs> dlq{directory_blobs(dir.path())};
  EXPECT_EQ(files_under(dir.path()).size(), 5u);  // nothing happens before the first write
  ASSERT_TRUE(dlq.write(0, {}));                  // no letters, no put
  EXPECT_EQ(files_under(dir.path()).size(), 5u);
  const std::vector<sluice::dead_letter> letters{{"t", 0, 7, {}, "p", "r", 0}};
  ASSERT_TRUE(dlq.write(0, std::span<const sluice::dead_letter>(letters)));
  EXPECT_EQ(files_under(dir.path()), (std::set<std::string>{"batch-0.jsonl", stale_below, live, "notes.txt"}));
  EXPECT_EQ(dlq.read(0).value(), letters);

  // The folder below is cleaned on the first put there.
  directory_blobs blobs(dir.path());
  ASSERT_TRUE(blobs.put("p/batch-0.jsonl", "y"));
  EXPECT_EQ(files_under(dir.path()),
            (std::set<std::string>{"batch-0.jsonl", "p/batch-0.jsonl", live, "notes.txt"}));
}

TEST(DirectoryBlobs, KeysAreFilesUnderTheRootAndTempFilesAreNotKeys) {
  temp_dir dir;
  directory_blobs blobs(dir / "root");
  EXPECT_EQ(blobs.get("a/b").value(), std::nullopt);
  EXPECT_TRUE(blobs.list("").value().empty());
  ASSERT_TRUE(blobs.put("a/b", "1"));
  ASSERT_TRUE(blobs.put("c", "2"));
  EXPECT_EQ(sluice_test::slurp(dir / "root/a/b"), "1");
  spit(dir / ("root/a/.b.sluice-tmp-" + std::to_string(::getpid()) + "-999999"), "half");
  EXPECT_EQ(blobs.list("").value(), (std::vector<std::string>{"a/b", "c"}));
  EXPECT_EQ(blobs.list("a/").value(), std::vector<std::string>{"a/b"});
  EXPECT_EQ(blobs.get(".b.sluice-tmp-1-0").error(), sluice::errc::invalid_argument);
  EXPECT_EQ(blobs.put("../x", "3").error(), sluice::errc::invalid_argument);
  EXPECT_EQ(blobs.root(), dir / "root");
}

// One file per key; the temp file of a killed put is not a key (moved here from the log store
// tests: the folder store of the completed-batches log is `directory_blobs`).
TEST(DirectoryBlobs, SkipsTempFilesOfKilledPutsAndLaysOutOneFilePerKey) {
  temp_dir dir;
  directory_blobs s(dir / "store");
  ASSERT_TRUE(s.put("m/a.json", "a"));
  sluice_test::spit(dir / "store/m/.sluice-tmp-77-0", "half");
  EXPECT_EQ(s.list("").value(), std::vector<std::string>{"m/a.json"});
  EXPECT_EQ(s.list("m/.sluice").value(), std::vector<std::string>{});
  EXPECT_EQ(sluice_test::slurp(dir / "store/m/a.json"), "a");
  EXPECT_EQ(s.list("../").error(), sluice::errc::invalid_argument);
}

}  // namespace
