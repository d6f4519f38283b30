// SPDX-License-Identifier: Apache-2.0
// The disk's floor for one durable commit per batch (docs/benchmarks.md, "Event ETL with
// checkpoints"): BATCHES times, write BYTES bytes to a temp file in DIR, fsync it, rename it over
// commit.bin and fsync DIR, as a checkpoint store does for one file. Prints one JSON object:
// batches, bytes per batch, wall seconds, commits per second.
//
// usage: stream_commit_floor DIR BATCHES BYTES

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

bool write_all(int fd, const std::string& bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: stream_commit_floor DIR BATCHES BYTES\n");
    return 2;
  }
  const std::string dir = argv[1];
  const long batches = std::strtol(argv[2], nullptr, 10);
  const long size = std::strtol(argv[3], nullptr, 10);
  if (batches <= 0 || size < 0) {
    std::fprintf(stderr, "stream_commit_floor: BATCHES > 0 and BYTES >= 0\n");
    return 2;
  }
  ::mkdir(dir.c_str(), 0755);
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (dfd < 0) {
    std::perror("stream_commit_floor: open DIR");
    return 1;
  }
  std::string bytes(static_cast<std::size_t>(size), 'x');
  const std::string tmp = dir + "/commit.bin.tmp";
  const std::string dst = dir + "/commit.bin";
  const auto t0 = std::chrono::steady_clock::now();
  for (long b = 0; b < batches; ++b) {
    if (!bytes.empty()) bytes[static_cast<std::size_t>(b) % bytes.size()] = static_cast<char>('a' + b % 26);
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || !write_all(fd, bytes) || ::fsync(fd) != 0 || ::close(fd) != 0 ||
        ::rename(tmp.c_str(), dst.c_str()) != 0 || ::fsync(dfd) != 0) {
      std::perror("stream_commit_floor");
      return 1;
    }
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("{\"batches\": %ld, \"bytes_per_batch\": %ld, \"wall_s\": %.3f, \"commits_per_s\": %.1f}\n", batches,
              size, secs, static_cast<double>(batches) / secs);
  ::close(dfd);
  return 0;
}
