// SPDX-License-Identifier: Apache-2.0
#include <sluice/schema_writer/normalize_key.hpp>

#include <gtest/gtest.h>

#include <cstddef>
#include <random>
#include <regex>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace sw = sluice::schema_writer;
using namespace std::string_literals;

namespace {

std::string normalized(std::string_view raw) {
  const auto r = sw::normalize_key(raw);
  EXPECT_TRUE(r.has_value()) << "rejected: " << (r ? "" : r.error().reason);
  return r ? r.value() : std::string{};
}

std::string reason(std::string_view raw) {
  const auto r = sw::normalize_key(raw);
  EXPECT_FALSE(r.has_value()) << "accepted as " << (r ? r.value() : "");
  return r ? std::string{} : r.error().reason;
}

}  // namespace

TEST(NormalizeKey, LowercasesThreePartKeys) {
  EXPECT_EQ(normalized("ORCLPDB1.HR.ACCOUNTS"), "orclpdb1.hr.accounts");
  EXPECT_EQ(normalized("Db.ScHeMa.TaBlE"), "db.schema.table");
  EXPECT_EQ(normalized("orclpdb1.hr.accounts"), "orclpdb1.hr.accounts");
  EXPECT_EQ(normalized("A$B.C#D.E_F9"), "a$b.c#d.e_f9");
  EXPECT_EQ(normalized("0.1.2"), "0.1.2");
}

TEST(NormalizeKey, PrefixesTwoPartKeysWithGg) {
  EXPECT_EQ(normalized("C##GGADMIN.GG_HEARTBEAT"), "gg.ggadmin.gg_heartbeat");
  EXPECT_EQ(normalized("hr.t"), "gg.hr.t");
  EXPECT_EQ(normalized("GG.HEARTBEAT"), "gg.gg.heartbeat");
}

TEST(NormalizeKey, StripsCommonUserPrefixFromEveryPart) {
  EXPECT_EQ(normalized("c##x.c##y.c##z"), "x.y.z");
  EXPECT_EQ(normalized("C##X.c##Y.C##Z"), "x.y.z");
  EXPECT_EQ(normalized("SALESPDB.C##APP_OWNER.ACCOUNTS"), "salespdb.app_owner.accounts");
  EXPECT_EQ(normalized("C##C##APP.T.U"), "app.t.u");  // every leading prefix goes
  EXPECT_EQ(normalized("c##c#.t.u"), "c#.t.u");
}

TEST(NormalizeKey, KeepsCommonUserMarkerThatIsNotAPrefix) {
  EXPECT_EQ(normalized("db.APP_C##X.t"), "db.app_c##x.t");
  EXPECT_EQ(normalized("db.c#x.t"), "db.c#x.t");
  EXPECT_EQ(normalized("db.#c##.t"), "db.#c##.t");
  EXPECT_EQ(normalized("db.cc##.t"), "db.cc##.t");
}

TEST(NormalizeKey, RejectsPartThatIsOnlyThePrefix) {
  EXPECT_EQ(reason("db.C##.t"), "part 2 of the key is only the Oracle common-user prefix 'c##'");
  EXPECT_EQ(reason("db.c##c##.t"), "part 2 of the key is only the Oracle common-user prefix 'c##'");
  EXPECT_EQ(reason("C##.t"), "part 1 of the key is only the Oracle common-user prefix 'c##'");
}

TEST(NormalizeKey, RejectsWrongNumberOfParts) {
  const std::string expected_tail =
      "; expected db.schema.table (or schema.table for a GoldenGate heartbeat table)";
  EXPECT_EQ(reason("ONEPART"), "key has 1 part" + expected_tail);
  EXPECT_EQ(reason("A.B.C.D"), "key has 4 parts" + expected_tail);
  EXPECT_EQ(reason("A.B.C.D.E"), "key has 5 parts" + expected_tail);
}

TEST(NormalizeKey, RejectsEmptyKeyAndEmptyParts) {
  EXPECT_EQ(reason(""), "key is empty");
  EXPECT_EQ(reason(".a.b"), "key has an empty part (it starts or ends with '.')");
  EXPECT_EQ(reason("a.b."), "key has an empty part (it starts or ends with '.')");
  EXPECT_EQ(reason("."), "key has an empty part (it starts or ends with '.')");
  EXPECT_EQ(reason(".a"), "key has an empty part (it starts or ends with '.')");
}

TEST(NormalizeKey, RejectsDotDot) {
  EXPECT_EQ(reason(".."), "key contains '..'");
  EXPECT_EQ(reason("a..b"), "key contains '..'");
  EXPECT_EQ(reason("a.b..."), "key contains '..'");
}

TEST(NormalizeKey, RejectsPathSeparators) {
  EXPECT_EQ(reason("a/b.c"), "key contains the path separator '/' (U+002F) at offset 1");
  EXPECT_EQ(reason("a.b.c\\d"), "key contains the path separator '\\' (U+005C) at offset 5");
  EXPECT_EQ(reason("ORCLPDB1.HR/../../ETC.PASSWD"),
            "key contains the path separator '/' (U+002F) at offset 11");
}

TEST(NormalizeKey, RejectsControlCharacters) {
  EXPECT_EQ(reason("a.b.\x01" "c"), "key contains the control character U+0001 at offset 4");
  EXPECT_EQ(reason("a.b.c\x7f"), "key contains the control character U+007F at offset 5");
  EXPECT_EQ(reason("a.b.c\n"), "key contains the control character U+000A at offset 5");
  EXPECT_EQ(reason("\ta.b.c"), "key contains the control character U+0009 at offset 0");
  EXPECT_EQ(reason("a.b.c\0"s), "key contains the control character U+0000 at offset 5");
  EXPECT_EQ(reason("a.b.c\xc2\x85"), "key contains the control character U+0085 at offset 5");
}

TEST(NormalizeKey, RejectsCharactersOutsideTheSafeSet) {
  const std::string allowed = "; allowed are letters a-z, digits, '_', '$', '#' and '.' between parts";
  EXPECT_EQ(reason("a.b.c d"), "key contains ' ' (U+0020) at offset 5" + allowed);
  EXPECT_EQ(reason("a-b.c.d"), "key contains '-' (U+002D) at offset 1" + allowed);
  EXPECT_EQ(reason("a.b.c%2F"), "key contains '%' (U+0025) at offset 5" + allowed);
  EXPECT_EQ(reason("a.b.\"c\""), "key contains '\"' (U+0022) at offset 4" + allowed);
  EXPECT_EQ(reason("a.b.\xc3\xa9"), "key contains U+00E9 at offset 4" + allowed);
  EXPECT_EQ(reason("a.b.\xc3\x89T\xc3\x89"), "key contains U+00C9 at offset 4" + allowed);
  EXPECT_EQ(reason("a.b.\xf0\x9f\x98\x80"), "key contains U+1F600 at offset 4" + allowed);
  EXPECT_EQ(reason("a.b.\xf4\x8f\xbf\xbf"), "key contains U+10FFFF at offset 4" + allowed);
  for (const char c : std::string_view{"!\"%&'()*+,-:;<=>?@[]^`{|}~ "}) {
    const std::string key = "db.t"s + c + "x.y";
    const auto r = sw::normalize_key(key);
    ASSERT_FALSE(r.has_value()) << key;
    EXPECT_NE(r.error().reason.find("at offset 4; allowed"), std::string::npos) << r.error().reason;
  }
}

TEST(NormalizeKey, RejectsMalformedUtf8) {
  EXPECT_EQ(reason("a.b.\xff"), "key is not valid UTF-8 (byte 0xFF at offset 4)");
  EXPECT_EQ(reason("a.b.\xc0\xaf"), "key is not valid UTF-8 (byte 0xC0 at offset 4)");  // overlong
  EXPECT_EQ(reason("a.b.\xed\xa0\x80"), "key is not valid UTF-8 (byte 0xED at offset 4)");  // surrogate
  EXPECT_EQ(reason("a.b.c\xe2\x82"), "key is not valid UTF-8 (byte 0xE2 at offset 5)");  // truncated
  EXPECT_EQ(reason("\x80" "a.b.c"), "key is not valid UTF-8 (byte 0x80 at offset 0)");
  // Encoding is judged before anything else, even an earlier control character.
  EXPECT_EQ(reason("\x01.b.\xfe"), "key is not valid UTF-8 (byte 0xFE at offset 4)");
}

TEST(NormalizeKey, LimitsPartLength) {
  const std::string longest(sw::max_key_part_length, 'T');
  EXPECT_EQ(normalized("db.s." + longest), "db.s." + std::string(sw::max_key_part_length, 't'));
  EXPECT_EQ(normalized("db.C##" + longest + ".t"), "db." + std::string(sw::max_key_part_length, 't') + ".t");
  EXPECT_EQ(reason("db.s." + longest + "X"), "part 3 of the key is longer than 128 characters");
  EXPECT_EQ(reason(longest + "X.t"), "part 1 of the key is longer than 128 characters");
}

TEST(NormalizeKey, RejectionIsInvalidInput) {
  const auto r = sw::normalize_key("nope");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), sluice::errc::invalid_key);
  EXPECT_TRUE(r.error().code() == sluice::condition::invalid_input);
  EXPECT_FALSE(r.error().code() == sluice::condition::retriable);
}

TEST(NormalizeKey, SafeCharacterSetIsExactlyLowercaseDigitsAndUnderscoreDollarHash) {
  std::string accepted;
  for (int c = 0; c < 256; ++c) {
    if (sw::is_safe_key_char(static_cast<char>(c))) accepted += static_cast<char>(c);
  }
  EXPECT_EQ(accepted, "#$0123456789_abcdefghijklmnopqrstuvwxyz");
}

// Differential check against an independent oracle: a regular expression over the lowercased key.
// A part is any run of leading "c##" (all of them, hence the negative lookahead) followed by 1 to
// 128 safe characters; two or three parts.
TEST(NormalizeKey, AgreesWithRegexOracleOnRandomKeys) {
  const std::regex oracle(
      R"(^(?:c##)*(?!c##)([a-z0-9_$#]{1,128})\.(?:c##)*(?!c##)([a-z0-9_$#]{1,128}))"
      R"((?:\.(?:c##)*(?!c##)([a-z0-9_$#]{1,128}))?$)");
  const std::regex shape(R"(^[a-z0-9_$#]{1,128}\.[a-z0-9_$#]{1,128}\.[a-z0-9_$#]{1,128}$)");
  const std::vector<std::string> alphabet = {
      "a", "Z", "c", "C", "#", "#", "$", "_", "0", "9", ".", ".", ".", "c##", "C##",
      "/", "\\", " ", "-", "\x01", "\x7f", "\0"s, "\xc3\xa9", "\xff", "\xc0", "\xe2\x82", "g"};
  std::mt19937 rng(20240601);  // fixed: a failure must be reproducible
  std::uniform_int_distribution<std::size_t> pick(0, alphabet.size() - 1);
  std::uniform_int_distribution<std::size_t> pick_good(0, 14);  // the first 15 are safe
  std::uniform_int_distribution<int> length(0, 12);
  std::uniform_int_distribution<int> parts(1, 4);
  std::uniform_int_distribution<int> part_length(0, 4);
  std::size_t accepted = 0;
  std::size_t rejected = 0;
  for (int iteration = 0; iteration < 30000; ++iteration) {
    std::string key;
    if (iteration % 2 == 0) {  // any sequence of tokens
      for (int n = length(rng); n > 0; --n) key += alphabet[pick(rng)];
    } else {  // mostly well-shaped: 1-4 parts of safe tokens, sometimes one token from anywhere
      for (int p = parts(rng); p > 0; --p) {
        for (int n = part_length(rng); n > 0; --n) {
          key += alphabet[pick(rng) % 7 == 0 ? pick(rng) : pick_good(rng)];
        }
        if (p > 1) key += '.';
      }
    }
    std::string lower = key;
    for (char& c : lower) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;

    const auto r = sw::normalize_key(key);
    std::smatch m;
    const bool expect_ok = std::regex_match(lower, m, oracle);
    ASSERT_EQ(r.has_value(), expect_ok) << "key: " << ::testing::PrintToString(key)
                                        << (r ? "" : " reason: " + r.error().reason);
    if (expect_ok) {
      ++accepted;
      const std::string expected =
          m[3].matched ? m[1].str() + "." + m[2].str() + "." + m[3].str()
                       : "gg." + m[1].str() + "." + m[2].str();
      ASSERT_EQ(r.value(), expected) << ::testing::PrintToString(key);
      ASSERT_TRUE(std::regex_match(r.value(), shape)) << r.value();
      const auto again = sw::normalize_key(r.value());  // idempotent
      ASSERT_TRUE(again.has_value()) << r.value();
      ASSERT_EQ(again.value(), r.value());
    } else {
      ++rejected;
      ASSERT_FALSE(r.error().reason.empty()) << ::testing::PrintToString(key);
    }
  }
  // The generator must exercise both outcomes, or the comparison proves little.
  EXPECT_GT(accepted, 1000u);
  EXPECT_GT(rejected, 1000u);
}
