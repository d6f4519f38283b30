// SPDX-License-Identifier: Apache-2.0
// Security of sluice-schema-writer on the real services (issue 5 §4):
//   - the S3 secret and a SASL-style `-X sasl.password=…` never appear in anything the writer
//     emits: stdout, stderr, the progress file, the catalog, the checkpoint, the completed-batches
//     log, the dead letters (every object of the bucket), nor in its usage errors;
//   - the binary runs as an unprivileged user (nobody, through setpriv) with only its own folders
//     writable, from Kafka to S3 and from a file to folders, and fails cleanly (exit 1, the OS's
//     reason) where it may not write.
#include "writer_services.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <set>

namespace {

using namespace swsvc;

constexpr const char* sasl_password = "SaslPw-9f8e7d6c5b4a-never-print";
constexpr uid_t nobody_uid = 65534;
constexpr gid_t nogroup_gid = 65534;

class Security : public writer_services {
 protected:
  void SetUp() override {
    writer_services::SetUp();
    ASSERT_EQ(sluice::test::create_topic(svc_.kafka_bootstrap, topic_, 2), "");
    std::vector<sluice::test::test_message> msgs;
    for (const auto& m : read_kcat(sample_file)) msgs.push_back({-1, m.key, m.payload});
    ASSERT_EQ(sluice::test::produce(svc_.kafka_bootstrap, topic_, msgs), "");
  }

  // Where `text` holds a secret: "" if nowhere.
  [[nodiscard]] std::string leak(const std::string& where, std::string_view text) const {
    for (const std::string_view s : {std::string_view(svc_.s3_secret_key), std::string_view(sasl_password)}) {
      if (!s.empty() && text.find(s) != std::string_view::npos) return where + " holds a secret";
    }
    return {};
  }
};

TEST_F(Security, SecretsNeverAppearInWhatTheWriterEmits) {
  ASSERT_GE(svc_.s3_secret_key.size(), 8u);
  scratch_dir d;
  const auto progress_file = d / "progress.jsonl";
  const std::vector<std::string> sasl{"-X", "sasl.username=sluice", "-X", std::string("sasl.password=") + sasl_password};
  auto extra = sasl;
  extra.insert(extra.end(), {"--once", "--max-records-per-batch", "4", "--progress", "file:" + progress_file.string()});
  const auto r = writer(args(sluice::test::unique_name("sec"), "s", extra), credentials());
  ASSERT_EQ(r.exit_code, 0) << r.err;

  std::size_t checked = 0;
  EXPECT_EQ(leak("stderr", r.err), "");
  EXPECT_EQ(leak("stdout", r.out), "");
  const auto progress = read_file(progress_file);
  ASSERT_FALSE(progress.empty());
  EXPECT_EQ(leak("progress", progress), "");
  // Every object the run wrote: catalog, checkpoint, log, dead letters.
  std::set<std::string> kinds;
  for (const auto& [k, v] : sluice_s3_it::objects_under(*s3_, bucket_, "")) {
    EXPECT_EQ(leak(k, k + v), "");
    kinds.insert(k.substr(0, k.find('/', 2)));
    ++checked;
  }
  EXPECT_EQ(kinds, (std::set<std::string>{"s/catalog", "s/checkpoint", "s/dead-letters"}));
  EXPECT_GE(objects("s", "checkpoint/completed-batches").size(), 1u);
  EXPECT_GE(parse_dead_letters(objects("s", "dead-letters")).size(), 1u);

  // The audit listing and error paths: `batches`, a bad -X value, an unknown -X property, a
  // wrong S3 secret (its value must not be echoed either).
  const auto listed = writer({"batches", "--checkpoint", "s3://" + bucket_ + "/s/checkpoint", "--s3-endpoint",
                              svc_.s3_endpoint, "--s3-path-style"},
                             credentials());
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_EQ(leak("batches", listed.out + listed.err), "");
  for (const auto& bad : std::vector<std::vector<std::string>>{
           {"-X", std::string("sasl.passwrd=") + sasl_password},
           {"-X", std::string("sasl.password") + sasl_password},
           {"-X", "security.protocol=NOPE", "-X", std::string("sasl.password=") + sasl_password}}) {
    auto a = args(sluice::test::unique_name("sec"), "bad", bad);
    a.push_back("--once");
    const auto e = writer(a, credentials());
    EXPECT_NE(e.exit_code, 0) << bad[1];
    EXPECT_EQ(leak("usage error for " + bad.back().substr(0, 12), e.err + e.out), "") << e.err;
  }
  env_list wrong = credentials();
  wrong[1].second = std::string("Wr0ngSecret-") + sasl_password;
  auto wa = args(sluice::test::unique_name("sec"), "wrong", sasl);
  wa.push_back("--once");
  const auto w = writer(wa, wrong);
  EXPECT_EQ(w.exit_code, 1) << w.err;
  EXPECT_EQ(leak("wrong-secret run", w.err + w.out), "") << w.err;
  std::printf("[ security ] %zu objects, stderr %zu bytes, progress %zu bytes: no secret\n", checked, r.err.size(),
              progress.size());
}

// argv to run `args` of the writer as nobody:nogroup without supplementary groups or new privileges.
std::vector<std::string> as_nobody(const std::vector<std::string>& args) {
  std::vector<std::string> a{"/usr/bin/setpriv", "--reuid=" + std::to_string(nobody_uid),
                             "--regid=" + std::to_string(nogroup_gid), "--clear-groups", "--no-new-privs", "--",
                             writer_exe.string()};
  a.insert(a.end(), args.begin(), args.end());
  return a;
}

TEST_F(Security, RunsAsAnUnprivilegedUserWithOnlyItsOwnFoldersWritable) {
  ASSERT_EQ(::geteuid(), 0u) << "this test switches to nobody with setpriv and must start as root";
  ASSERT_TRUE(fsys::exists("/usr/bin/setpriv")) << "setpriv missing: scripts/install-deps.sh installs util-linux";
  scratch_dir d;
  // The scratch dir and the source stay root's (readable, not writable); `own` is nobody's.
  fsys::permissions(d.path(), fsys::perms::owner_all | fsys::perms::group_read | fsys::perms::group_exec |
                                  fsys::perms::others_read | fsys::perms::others_exec);
  const auto source = d / "sample.jsonl";
  fsys::copy_file(sample_file, source);
  fsys::permissions(source, fsys::perms::owner_read | fsys::perms::owner_write | fsys::perms::group_read |
                                fsys::perms::others_read);
  const auto own = d / "own";
  fsys::create_directory(own);
  ASSERT_EQ(::chown(own.c_str(), nobody_uid, nogroup_gid), 0);
  fsys::permissions(own, fsys::perms::owner_all);
  const env_list env{{"HOME", "/nonexistent"}};

  // File source into folders, as nobody, in its own folder: the same catalog as root's run.
  const auto mine = run(as_nobody({"--source", "file:" + source.string(), "--sink", "file:" + (own / "catalog").string(),
                                   "--checkpoint", "file:" + (own / "checkpoint").string(), "--once"}),
                        env, own);
  ASSERT_EQ(mine.exit_code, 0) << mine.err;
  const auto ref = d / "root-run";
  const auto rr = writer({"--source", "file:" + source.string(), "--sink", "file:" + (ref / "catalog").string(),
                          "--checkpoint", "file:" + (ref / "checkpoint").string(), "--once"});
  ASSERT_EQ(rr.exit_code, 0) << rr.err;
  const auto cat = tree(own / "catalog");
  EXPECT_EQ(cat.size(), 16u);
  EXPECT_EQ(cat, tree(ref / "catalog"));
  EXPECT_FALSE(tree(own / "dead-letters").empty());
  for (const auto& e : fsys::recursive_directory_iterator(own)) {
    struct stat st {};
    ASSERT_EQ(::stat(e.path().c_str(), &st), 0);
    EXPECT_EQ(st.st_uid, nobody_uid) << e.path() << " was not written by nobody";
  }

  // Kafka to S3 as nobody, the progress file in its folder.
  auto ka = args(sluice::test::unique_name("nobody"), "n", {"--once", "--progress", "file:" + (own / "p.jsonl").string()});
  auto env_s3 = credentials();
  const auto k = run(as_nobody(ka), env_s3, own);
  ASSERT_EQ(k.exit_code, 0) << k.err;
  EXPECT_EQ(objects("n", "catalog").size(), 16u);
  EXPECT_FALSE(read_file(own / "p.jsonl").empty());

  // Where it may not write, it stops with exit 1 and the OS's reason, and writes nothing there.
  for (const auto& where : {std::vector<std::string>{"--sink", "file:" + (d / "forbidden-catalog").string(),
                                                     "--checkpoint", "file:" + (own / "cp2").string()},
                            std::vector<std::string>{"--sink", "file:" + (own / "c3").string(), "--checkpoint",
                                                     "file:" + (d / "forbidden-checkpoint").string()}}) {
    auto a = where;
    a.insert(a.begin(), {"--source", "file:" + source.string()});
    a.push_back("--once");
    const auto f = run(as_nobody(a), env, own);
    EXPECT_EQ(f.exit_code, 1) << f.err;
    EXPECT_NE(f.err.find("ermission denied"), std::string::npos) << f.err;
  }
  EXPECT_FALSE(fsys::exists(d / "forbidden-catalog"));
  EXPECT_FALSE(fsys::exists(d / "forbidden-checkpoint"));
  // Its default state folder (./.sluice) in a folder it may not write: the same clean failure.
  const auto cwd_fail = run(as_nobody({"--source", "file:" + source.string(), "--once"}), env, d.path());
  EXPECT_EQ(cwd_fail.exit_code, 1) << cwd_fail.err;
  EXPECT_FALSE(fsys::exists(d / ".sluice"));
  EXPECT_FALSE(fsys::exists(d / "schema-catalog"));
}

}  // namespace
