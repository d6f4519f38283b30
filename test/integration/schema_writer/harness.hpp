// SPDX-License-Identifier: Apache-2.0
#pragma once
// Test harness of the schema-writer end-to-end tests: running processes (the binary, the Java
// oracle, sluice-avro), scratch directories, snapshots of directory trees, the sample topic.

#include <simdjson.h>

#include <gtest/gtest.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

extern char** environ;

namespace swtest {

namespace fsys = std::filesystem;

inline const fsys::path writer_exe = SLUICE_SCHEMA_WRITER_EXE;
inline const fsys::path avro_exe = SLUICE_AVRO_EXE;
inline const fsys::path sample_file =
    fsys::path(SLUICE_TESTDATA_DIR) / "goldengate" / "schema-topic.sample.jsonl";

using env_list = std::vector<std::pair<std::string, std::string>>;

/// The environment of a child: ours without any SLUICE_* variable (so a developer's settings do
/// not leak into the tests), plus `extra`.
inline std::vector<std::string> child_environment(const env_list& extra) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    if (std::strncmp(*e, "SLUICE_", 7) != 0) env.emplace_back(*e);
  }
  for (const auto& [k, v] : extra) env.push_back(k + "=" + v);
  return env;
}

struct proc_result {
  int exit_code = -1;   ///< exit status, or -1 if killed by a signal
  int signal = 0;       ///< the signal that killed it, or 0
  std::string out;
  std::string err;
};

/// Starts `argv` with `env` in `cwd`; stdin from `input_fd` (or /dev/null when -1), stdout and
/// stderr to the given fds (or /dev/null when -1). Returns the pid.
inline pid_t spawn(const std::vector<std::string>& argv, const env_list& env,
                   const fsys::path& cwd, int in_fd, int out_fd, int err_fd) {
  std::vector<std::string> envs = child_environment(env);
  std::vector<char*> cargv;
  for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  std::vector<char*> cenv;
  for (auto& e : envs) cenv.push_back(e.data());
  cenv.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    const int devnull = ::open("/dev/null", O_RDWR);
    ::dup2(in_fd >= 0 ? in_fd : devnull, 0);
    ::dup2(out_fd >= 0 ? out_fd : devnull, 1);
    ::dup2(err_fd >= 0 ? err_fd : devnull, 2);
    if (!cwd.empty() && ::chdir(cwd.c_str()) != 0) ::_exit(126);
    ::execve(cargv[0], cargv.data(), cenv.data());
    ::_exit(127);
  }
  return pid;
}

inline void decode_status(int status, proc_result& r) {
  if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) r.signal = WTERMSIG(status);
}

/// Runs `argv` to completion, feeding `input` on stdin and capturing stdout and stderr.
inline proc_result run(const std::vector<std::string>& argv, const env_list& env = {},
                       const fsys::path& cwd = {}, const std::string& input = {}) {
  int in_pipe[2];
  int out_pipe[2];
  int err_pipe[2];
  if (::pipe2(in_pipe, O_CLOEXEC) != 0 || ::pipe2(out_pipe, O_CLOEXEC) != 0 ||
      ::pipe2(err_pipe, O_CLOEXEC) != 0)
    throw std::runtime_error("pipe failed");
  const pid_t pid = spawn(argv, env, cwd, in_pipe[0], out_pipe[1], err_pipe[1]);
  ::close(in_pipe[0]);
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  proc_result r;
  std::size_t written = 0;
  if (input.empty()) {
    ::close(in_pipe[1]);
    in_pipe[1] = -1;
  } else {
    ::fcntl(in_pipe[1], F_SETFL, O_NONBLOCK);
  }
  bool out_open = true;
  bool err_open = true;
  char buf[65536];
  while (out_open || err_open) {
    pollfd fds[3] = {{out_open ? out_pipe[0] : -1, POLLIN, 0},
                     {err_open ? err_pipe[0] : -1, POLLIN, 0},
                     {in_pipe[1], POLLOUT, 0}};
    if (::poll(fds, 3, -1) < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error("poll failed");
    }
    if (fds[2].revents != 0 && in_pipe[1] >= 0) {
      const auto n = ::write(in_pipe[1], input.data() + written, input.size() - written);
      if (n > 0) written += static_cast<std::size_t>(n);
      if (n < 0 && errno != EAGAIN) written = input.size();
      if (written == input.size()) {
        ::close(in_pipe[1]);
        in_pipe[1] = -1;
      }
    }
    for (int k = 0; k < 2; ++k) {
      if (fds[k].revents == 0) continue;
      const auto n = ::read(fds[k].fd, buf, sizeof buf);
      if (n > 0) {
        (k == 0 ? r.out : r.err).append(buf, static_cast<std::size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        (k == 0 ? out_open : err_open) = false;
      }
    }
  }
  if (in_pipe[1] >= 0) ::close(in_pipe[1]);
  ::close(out_pipe[0]);
  ::close(err_pipe[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  decode_status(status, r);
  return r;
}

/// Runs the schema writer with `args`.
inline proc_result writer(const std::vector<std::string>& args, const env_list& env = {},
                          const fsys::path& cwd = {}) {
  std::vector<std::string> argv{writer_exe.string()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run(argv, env, cwd);
}

/// A fresh scratch directory, removed at the end of the test unless it failed.
class scratch_dir {
 public:
  scratch_dir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = "sluice-sw-";
    if (info != nullptr) name += std::string(info->test_suite_name()) + "." + info->name();
    name += "-" + std::to_string(::getpid());
    path_ = fsys::temp_directory_path() / name;
    fsys::remove_all(path_);
    fsys::create_directories(path_);
  }
  ~scratch_dir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    if (info == nullptr || !info->result()->Failed()) {
      std::error_code ec;
      fsys::remove_all(path_, ec);
    }
  }
  scratch_dir(const scratch_dir&) = delete;
  scratch_dir& operator=(const scratch_dir&) = delete;
  [[nodiscard]] const fsys::path& path() const noexcept { return path_; }
  [[nodiscard]] fsys::path operator/(const std::string& s) const { return path_ / s; }

 private:
  fsys::path path_;
};

inline std::string read_file(const fsys::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline void write_file(const fsys::path& p, std::string_view bytes) {
  fsys::create_directories(p.parent_path());
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

inline std::vector<std::string> lines_of(std::string_view text) {
  std::vector<std::string> lines;
  while (!text.empty()) {
    const auto nl = text.find('\n');
    lines.emplace_back(text.substr(0, nl));
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return lines;
}

/// Every regular file under `root`: relative path → content.
inline std::map<std::string, std::string> tree(const fsys::path& root) {
  std::map<std::string, std::string> files;
  if (!fsys::exists(root)) return files;
  for (const auto& e : fsys::recursive_directory_iterator(root)) {
    if (e.is_regular_file()) files[e.path().lexically_relative(root).string()] = read_file(e.path());
  }
  return files;
}

/// Identity of a file on disk: inode and mtime in nanoseconds.
struct file_identity {
  std::uint64_t inode = 0;
  std::int64_t mtime_ns = 0;
  friend bool operator==(const file_identity&, const file_identity&) = default;
};

inline std::map<std::string, file_identity> identities(const fsys::path& root) {
  std::map<std::string, file_identity> ids;
  if (!fsys::exists(root)) return ids;
  for (const auto& e : fsys::recursive_directory_iterator(root)) {
    struct stat st {};
    if (::lstat(e.path().c_str(), &st) != 0) continue;
    ids[e.path().lexically_relative(root).string()] = {
        static_cast<std::uint64_t>(st.st_ino),
        static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec};
  }
  return ids;
}

/// One message of a kcat -J file, as the test reads it (with simdjson, independently of the
/// library's source).
struct message {
  std::string topic;
  std::int64_t partition = 0;
  std::int64_t offset = 0;
  std::optional<std::string> key;
  std::optional<std::string> payload;
};

inline std::vector<message> read_kcat(const fsys::path& file) {
  std::vector<message> out;
  simdjson::dom::parser parser;
  for (const auto& line : lines_of(read_file(file))) {
    if (line.empty()) continue;
    simdjson::dom::element doc;
    if (parser.parse(line).get(doc) != simdjson::SUCCESS) throw std::runtime_error("bad line");
    message m;
    m.topic = std::string(std::string_view(doc["topic"]));
    m.partition = std::int64_t(doc["partition"]);
    m.offset = std::int64_t(doc["offset"]);
    if (!doc["key"].is_null()) m.key = std::string(std::string_view(doc["key"]));
    if (!doc["payload"].is_null()) m.payload = std::string(std::string_view(doc["payload"]));
    out.push_back(std::move(m));
  }
  return out;
}

/// The sample topic `copies` times over, in order; copies after the first rename every table
/// (key suffix `_C<copy>`), so they write new catalog objects and dead letters of their own.
inline std::vector<message> sample_copies(int copies) {
  const auto sample = read_kcat(sample_file);
  std::vector<message> out;
  for (int c = 0; c < copies; ++c) {
    for (auto m : sample) {
      if (c > 0 && m.key && std::count(m.key->begin(), m.key->end(), '.') == 2 &&
          m.key->find("generic_wrapper") == std::string::npos) {
        *m.key += "_C" + std::to_string(c);
      }
      out.push_back(std::move(m));
    }
  }
  return out;
}

/// `s` as a JSON string literal.
inline std::string json_quote(std::string_view s) {
  std::string out = "\"";
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += ch;
    }
  }
  return out + "\"";
}

/// A kcat -J line for `m`.
inline std::string kcat_line(const message& m) {
  std::string s = "{\"topic\": " + json_quote(m.topic) +
                  ", \"partition\": " + std::to_string(m.partition) +
                  ", \"offset\": " + std::to_string(m.offset) +
                  ", \"tstype\": \"create\", \"ts\": " + std::to_string(1755000000000 + m.offset) +
                  ", \"broker\": 0, \"key\": " + (m.key ? json_quote(*m.key) : "null") +
                  ", \"payload\": " + (m.payload ? json_quote(*m.payload) : "null") + "}";
  return s;
}

/// Path of the Java Avro oracle launcher (built on first use by its build.sh).
inline const std::string& oracle() {
  static const std::string path = [] {
    const auto r = run({"/bin/bash",
                        std::string(SLUICE_SOURCE_DIR) + "/test/tools/avro-oracle/build.sh"});
    if (r.exit_code != 0) throw std::runtime_error("avro-oracle/build.sh failed: " + r.err);
    auto lines = lines_of(r.out);
    while (!lines.empty() && lines.back().empty()) lines.pop_back();
    if (lines.empty()) throw std::runtime_error("avro-oracle/build.sh printed no path");
    return lines.back();
  }();
  return path;
}

/// Runs `tool args…` on `schemas`, one JSON string per line, and returns its output lines.
inline std::vector<std::string> run_jsonl(const std::vector<std::string>& argv,
                                          const std::vector<std::string>& schemas) {
  std::string input;
  for (const auto& s : schemas) input += json_quote(s) + "\n";
  const auto r = run(argv, {}, {}, input);
  if (r.exit_code != 0) throw std::runtime_error(argv[0] + " failed: " + r.err);
  auto lines = lines_of(r.out);
  while (!lines.empty() && lines.back().empty()) lines.pop_back();
  if (lines.size() != schemas.size()) throw std::runtime_error(argv[0] + ": wrong line count");
  return lines;
}

/// Java Avro's fingerprints (signed decimal) of `schemas`; empty for a schema Java rejects.
inline std::vector<std::string> java_fingerprints(const std::vector<std::string>& schemas) {
  std::vector<std::string> fps;
  simdjson::dom::parser parser;
  for (const auto& line : run_jsonl({"/bin/bash", oracle(), "fingerprint"}, schemas)) {
    simdjson::dom::element doc;
    if (parser.parse(line).get(doc) != simdjson::SUCCESS) throw std::runtime_error("oracle output");
    std::string_view fp;
    fps.emplace_back(doc["fingerprint"].get(fp) == simdjson::SUCCESS ? std::string(fp) : "");
  }
  return fps;
}

/// `sluice-avro preprocess --jsonl` of `schemas`: the preprocessed bytes, empty on error.
inline std::vector<std::string> cli_preprocess(const std::vector<std::string>& schemas,
                                               bool lowercase = true) {
  std::vector<std::string> argv{avro_exe.string(), "preprocess", "--jsonl"};
  if (!lowercase) argv.emplace_back("--keep-case");
  std::vector<std::string> out;
  for (const auto& line : run_jsonl(argv, schemas)) {
    constexpr std::string_view head = "{\"schema\":";
    if (line.rfind(head, 0) == 0 && line.back() == '}') {
      out.push_back(line.substr(head.size(), line.size() - head.size() - 1));
    } else {
      out.emplace_back();
    }
  }
  return out;
}

}  // namespace swtest
