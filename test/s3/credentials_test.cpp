// SPDX-License-Identifier: Apache-2.0
// The credentials chain (environment, then the shared credentials file and profile) with a
// scripted environment and temp files, and the secret type that cannot be printed.
#include "sluice/s3/credentials.hpp"

#include "../fs/temp_dir.hpp"

#include <gtest/gtest.h>

#include <stdlib.h>

#include <concepts>
#include <map>
#include <ostream>
#include <string>
#include <string_view>

namespace {

using sluice::s3::credentials;
using sluice::s3::load_credentials;
using sluice::s3::secret_string;

// A secret cannot reach a stream, a string or a string_view by accident.
template <class T>
concept streamable = requires(std::ostream& os, const T& v) { os << v; };
static_assert(streamable<std::string>);
static_assert(!streamable<secret_string>);
static_assert(!std::convertible_to<secret_string, std::string>);
static_assert(!std::convertible_to<secret_string, std::string_view>);
static_assert(!std::convertible_to<std::string, secret_string>);

struct fake_env {
  std::map<std::string, std::string> vars;
  sluice::s3::environment_lookup lookup() const {
    return [this](const std::string& name) -> std::optional<std::string> {
      auto it = vars.find(name);
      if (it == vars.end()) return std::nullopt;
      return it->second;
    };
  }
};

constexpr const char* file_text =
    "# comment\n"
    "[default]\n"
    "aws_access_key_id = AKIADEFAULTDEFAULT01\n"
    "aws_secret_access_key = default/secret+KEY=\n"
    "\n"
    "; another comment\n"
    "[prod]\r\n"
    "  AWS_Access_Key_Id=AKIAPRODPRODPROD0001  \r\n"
    "aws_secret_access_key=prod-secret-value\r\n"
    "aws_session_token = prod-token-value\r\n"
    "[broken]\n"
    "aws_access_key_id = AKIAONLYIDNOSECRET01\n";

void expect_no_secrets(const std::string& text) {
  for (const char* s : {"default/secret+KEY=", "prod-secret-value", "prod-token-value", "env-secret", "env-token"})
    EXPECT_EQ(text.find(s), std::string::npos) << text;
}

TEST(S3Credentials, EnvironmentComesFirst) {
  sluice_test::temp_dir dir;
  sluice_test::spit(dir / "creds", file_text);
  fake_env env{{{"AWS_ACCESS_KEY_ID", "AKIAENVENVENVENV0001"},
                {"AWS_SECRET_ACCESS_KEY", "env-secret"},
                {"AWS_SESSION_TOKEN", "env-token"},
                {"AWS_SHARED_CREDENTIALS_FILE", (dir / "creds").string()}}};
  const auto c = load_credentials(env.lookup()).value();
  EXPECT_EQ(c.access_key_id, "AKIAENVENVENVENV0001");
  EXPECT_EQ(c.secret_access_key.expose(), "env-secret");
  EXPECT_EQ(c.session_token.expose(), "env-token");
  EXPECT_EQ(c.source, "environment");
  EXPECT_EQ(c.describe(), "access key ****************0001 from environment, secret key (set, redacted), "
                          "session token (set, redacted)");
  expect_no_secrets(c.describe());
}

TEST(S3Credentials, HalfAnEnvironmentPairIsAnError) {
  std::string why;
  fake_env only_id{{{"AWS_ACCESS_KEY_ID", "AKIAENVENVENVENV0001"}}};
  EXPECT_EQ(load_credentials(only_id.lookup(), &why).error(), sluice::errc::access_denied);
  EXPECT_EQ(why, "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not");
  fake_env only_secret{{{"AWS_SECRET_ACCESS_KEY", "env-secret"}}};
  EXPECT_EQ(load_credentials(only_secret.lookup(), &why).error(), sluice::errc::access_denied);
  EXPECT_EQ(why, "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not");
  expect_no_secrets(why);
}

TEST(S3Credentials, SharedFileWithDefaultAndNamedProfiles) {
  sluice_test::temp_dir dir;
  sluice_test::spit(dir / "creds", file_text);
  fake_env env{{{"AWS_SHARED_CREDENTIALS_FILE", (dir / "creds").string()}}};
  auto c = load_credentials(env.lookup()).value();
  EXPECT_EQ(c.access_key_id, "AKIADEFAULTDEFAULT01");
  EXPECT_EQ(c.secret_access_key.expose(), "default/secret+KEY=");
  EXPECT_TRUE(c.session_token.empty());
  EXPECT_EQ(c.source, (dir / "creds").string() + " [default]");
  EXPECT_EQ(c.describe(), "access key ****************LT01 from " + (dir / "creds").string() +
                              " [default], secret key (set, redacted), session token (not set)");

  env.vars["AWS_PROFILE"] = "prod";
  c = load_credentials(env.lookup()).value();
  EXPECT_EQ(c.access_key_id, "AKIAPRODPRODPROD0001");
  EXPECT_EQ(c.secret_access_key.expose(), "prod-secret-value");
  EXPECT_EQ(c.session_token.expose(), "prod-token-value");
  expect_no_secrets(c.describe());
}

TEST(S3Credentials, HomeCredentialsFileIsTheDefault) {
  sluice_test::temp_dir dir;
  sluice_test::spit(dir / ".aws/credentials", file_text);
  fake_env env{{{"HOME", dir.path().string()}, {"AWS_PROFILE", "prod"}}};
  const auto c = load_credentials(env.lookup()).value();
  EXPECT_EQ(c.access_key_id, "AKIAPRODPRODPROD0001");
  EXPECT_EQ(c.source, (dir / ".aws/credentials").string() + " [prod]");
}

TEST(S3Credentials, MissingProfileFileOrKeysAreClearErrors) {
  sluice_test::temp_dir dir;
  sluice_test::spit(dir / "creds", file_text);
  std::string why;
  fake_env env{{{"AWS_SHARED_CREDENTIALS_FILE", (dir / "creds").string()}, {"AWS_PROFILE", "staging"}}};
  EXPECT_EQ(load_credentials(env.lookup(), &why).error(), sluice::errc::access_denied);
  EXPECT_EQ(why, "profile [staging] not found in " + (dir / "creds").string());
  env.vars["AWS_PROFILE"] = "broken";
  EXPECT_EQ(load_credentials(env.lookup(), &why).error(), sluice::errc::access_denied);
  EXPECT_EQ(why, "profile [broken] in " + (dir / "creds").string() +
                     " lacks aws_access_key_id or aws_secret_access_key");
  env.vars["AWS_SHARED_CREDENTIALS_FILE"] = (dir / "nope").string();
  EXPECT_EQ(load_credentials(env.lookup(), &why).error(), sluice::errc::access_denied);
  EXPECT_EQ(why, "no credentials: AWS_ACCESS_KEY_ID is not set and " + (dir / "nope").string() + " does not exist");
  fake_env empty;
  EXPECT_EQ(load_credentials(empty.lookup(), &why).error(), sluice::errc::access_denied);
  EXPECT_NE(why.find("AWS_ACCESS_KEY_ID is not set"), std::string::npos) << why;
  EXPECT_TRUE(load_credentials(empty.lookup()).error() == sluice::condition::fatal);
}

TEST(S3Credentials, AnUnreadableFileIsTheOsError) {
  sluice_test::temp_dir dir;
  std::filesystem::create_directories(dir / "creds-is-a-directory");
  fake_env env{{{"AWS_SHARED_CREDENTIALS_FILE", (dir / "creds-is-a-directory").string()}}};
  std::string why;
  const auto r = load_credentials(env.lookup(), &why);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), std::errc::is_a_directory);
  EXPECT_EQ(why, "cannot read " + (dir / "creds-is-a-directory").string());
}

TEST(S3Credentials, TheProcessEnvironmentIsTheDefaultLookup) {
  ::setenv("AWS_ACCESS_KEY_ID", "AKIAPROCESSPROCESS01", 1);
  ::setenv("AWS_SECRET_ACCESS_KEY", "process-secret", 1);
  ::unsetenv("AWS_SESSION_TOKEN");
  const auto c = load_credentials().value();
  ::unsetenv("AWS_ACCESS_KEY_ID");
  ::unsetenv("AWS_SECRET_ACCESS_KEY");
  EXPECT_EQ(c.access_key_id, "AKIAPROCESSPROCESS01");
  EXPECT_EQ(c.secret_access_key.expose(), "process-secret");
  EXPECT_TRUE(c.session_token.empty());
}

TEST(S3Credentials, SecretStringCopiesMovesAndDescribes) {
  secret_string a("s3cr3t");
  secret_string b = a;
  EXPECT_EQ(b.expose(), "s3cr3t");
  secret_string c = std::move(a);
  EXPECT_EQ(c.expose(), "s3cr3t");
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): moved-from is wiped and empty
  EXPECT_EQ(c.describe(), "(set, redacted)");
  EXPECT_EQ(secret_string().describe(), "(not set)");
  b = secret_string("other");
  EXPECT_EQ(b.expose(), "other");
  // A short key id is masked completely.
  credentials k;
  k.access_key_id = "short";
  EXPECT_EQ(k.describe().substr(0, 20), "access key ***** fro");
}

}  // namespace
