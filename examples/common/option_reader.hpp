// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// What the option parsers of `sluice-schema-writer` and `sluice-event-etl` read their options
/// with: the value of an option from its flag or its variable (`option_reader`), and the value
/// types both binaries share: switches and booleans, whole numbers in a range, durations (the
/// writer's `500ms`/`10s`/`1m`/`1h` and the event ETL's Spark forms `'1 minute'`,
/// `'10 minutes'`, `30s` in one parser), and the choice between two options that name one thing.
/// Free of any sluice module.

#include "option_table.hpp"

#include <charconv>
#include <chrono>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <variant>
#include <vector>

namespace sluice_examples {

/// A usage or configuration error: the message for stderr; the exit code is 2.
struct usage_error {
  std::string message;
};

/// Looks up an environment variable (`std::getenv` in the program, a map in tests).
using env_lookup = std::function<std::optional<std::string>(const std::string&)>;

/// Which durations a binary takes.
enum class duration_syntax {
  compact,   ///< a whole number glued to `ms`, `s`, `m` or `h` (`500ms`, `10s`, `1m`, `2h`), or `0`
  spark,     ///< also as Spark writes them: `1 minute`, `10 minutes`, `30 seconds`,
             ///< `500 milliseconds`, `2 hours`, `1 day`, `3 min`, `1d` (blanks around allowed)
};

/// `1`/`true`/`yes`/`on` or `0`/`false`/`no`/`off`; empty for anything else.
inline std::optional<bool> parse_bool(std::string_view v) noexcept {
  if (v == "1" || v == "true" || v == "yes" || v == "on") return true;
  if (v == "0" || v == "false" || v == "no" || v == "off") return false;
  return std::nullopt;
}

/// A whole decimal number, all of `v` (no sign but `-`, no blanks); false if it is not one or
/// does not fit.
inline bool parse_int64(std::string_view v, std::int64_t& out) noexcept {
  if (v.empty()) return false;
  const auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  return ec == std::errc{} && ptr == v.data() + v.size();
}

/// A duration of `syntax` (see `duration_syntax`); `0` alone is zero. Empty if `v` is none.
///
/// Complexity: linear in `v`.
inline std::optional<std::chrono::milliseconds> parse_duration(std::string_view v, duration_syntax syntax) {
  const bool spark = syntax == duration_syntax::spark;
  const auto trim_front = [&](std::string_view& s) {
    while (spark && !s.empty() && s.front() == ' ') s.remove_prefix(1);
  };
  trim_front(v);
  while (spark && !v.empty() && v.back() == ' ') v.remove_suffix(1);
  std::size_t digits = 0;
  while (digits < v.size() && v[digits] >= '0' && v[digits] <= '9') ++digits;
  std::int64_t n = 0;
  if (digits == 0 || digits > 12 || !parse_int64(v.substr(0, digits), n)) return std::nullopt;
  std::string_view unit = v.substr(digits);
  trim_front(unit);
  if (unit.empty()) {
    if (n == 0) return std::chrono::milliseconds(0);
    return std::nullopt;
  }
  struct named {
    std::string_view name;
    std::int64_t ms;
    bool compact;   // also in duration_syntax::compact
  };
  static constexpr named units[] = {
      {"ms", 1, true},           {"millisecond", 1, false},      {"milliseconds", 1, false},
      {"s", 1'000, true},        {"sec", 1'000, false},          {"second", 1'000, false},
      {"seconds", 1'000, false}, {"m", 60'000, true},            {"min", 60'000, false},
      {"minute", 60'000, false}, {"minutes", 60'000, false},     {"h", 3'600'000, true},
      {"hour", 3'600'000, false}, {"hours", 3'600'000, false},   {"d", 86'400'000, false},
      {"day", 86'400'000, false}, {"days", 86'400'000, false}};
  for (const auto& u : units) {
    if (u.name != unit || !(u.compact || spark)) continue;
    if (n > std::numeric_limits<std::int64_t>::max() / u.ms) return std::nullopt;
    return std::chrono::milliseconds(n * u.ms);
  }
  return std::nullopt;
}

/// The value of an option and where it came from.
struct option_value {
  std::string value;
  std::string where;    ///< `--NAME` as written, or the variable's name: the prefix of a message
  bool from_flag = false;
};

/// The options of one invocation: each from its last flag, else from its variable (a flag beats
/// its variable), as the table declares them.
///
/// Thread-safety: const member functions are safe to call concurrently if `env` is.
class option_reader {
 public:
  /// Reads `flags` (from `scan_flags` over `table`) and, for an option not given as a flag,
  /// the variable the table names, through `env`; durations are of `durations`.
  option_reader(scanned_flags flags, std::span<const option_info> table, env_lookup env, duration_syntax durations)
      : flags_(std::move(flags)), table_(table), env_(std::move(env)), durations_(durations) {}

  /// `--help` (or `-h`) came first: nothing else was read.
  [[nodiscard]] bool help() const noexcept { return flags_.help; }
  /// `--version` came first: nothing else was read.
  [[nodiscard]] bool version() const noexcept { return flags_.version; }

  /// The value of its last flag.
  [[nodiscard]] std::optional<option_value> flag(std::string_view name) const {
    std::optional<option_value> last;
    for (const auto& g : flags_.given)
      if (g.name == name) last = option_value{g.value, "--" + g.spelled, true};
    return last;
  }

  /// The value of its last flag, else of its variable.
  [[nodiscard]] std::optional<option_value> get(std::string_view name) const {
    if (auto f = flag(name)) return f;
    const option_info* o = detail::find_option(table_, name);
    if (o == nullptr || o->env.empty()) return std::nullopt;
    if (auto v = env_(std::string(o->env))) return option_value{*v, std::string(o->env), false};
    return std::nullopt;
  }

  /// Every value given as a flag, in order (a repeatable option such as `-X`).
  [[nodiscard]] std::vector<std::string> all(std::string_view name) const {
    std::vector<std::string> out;
    for (const auto& g : flags_.given)
      if (g.name == name) out.push_back(g.value);
    return out;
  }

  /// The flags in order (the options whose last flag wins among several names).
  [[nodiscard]] const std::vector<given_option>& given() const noexcept { return flags_.given; }

  /// An environment variable that belongs to no option (`AWS_REGION`).
  [[nodiscard]] std::optional<std::string> env(const std::string& name) const { return env_(name); }

  /// The durations this binary takes.
  [[nodiscard]] duration_syntax durations() const noexcept { return durations_; }

 private:
  scanned_flags flags_;
  std::span<const option_info> table_;
  env_lookup env_;
  duration_syntax durations_;
};

/// Scans `args` from index `first` against `table` (see `scan_flags`) and returns the reader of
/// the options given there and in the environment `env`.
///
/// Errors: the scanner's message of the first bad argument.
inline std::variant<option_reader, usage_error> read_options(const std::vector<std::string>& args, std::size_t first,
                                                             std::span<const option_info> table, env_lookup env,
                                                             duration_syntax durations,
                                                             std::span<const hidden_alias> hidden = {}) {
  auto scanned = scan_flags(args, first, table, hidden);
  if (auto* bad = std::get_if<std::string>(&scanned)) return usage_error{std::move(*bad)};
  return option_reader(std::get<scanned_flags>(std::move(scanned)), table, std::move(env), durations);
}

/// Sets `out` from a switch: its flag turns it on; its variable says 1/0, true/false, yes/no or
/// on/off. Left as it is when neither is given.
///
/// Errors: a variable of another value (`VAR: expected true or false, got '…'`).
inline std::optional<usage_error> read_switch(const option_reader& r, std::string_view name, bool& out) {
  const auto v = r.get(name);
  if (!v) return std::nullopt;
  const auto b = v->from_flag ? std::optional<bool>(true) : parse_bool(v->value);
  if (!b) return usage_error{v->where + ": expected true or false, got '" + v->value + "'"};
  out = *b;
  return std::nullopt;
}

/// Sets `out` from a whole-number option in [`lo`, `hi`].
///
/// Errors: another value (`WHERE: expected a whole number from LO to HI, got '…'`).
template <class Int>
std::optional<usage_error> read_whole_number(const option_reader& r, std::string_view name, std::int64_t lo,
                                             std::int64_t hi, Int& out) {
  const auto v = r.get(name);
  if (!v) return std::nullopt;
  std::int64_t n = 0;
  if (!parse_int64(v->value, n) || n < lo || n > hi) {
    return usage_error{v->where + ": expected a whole number from " + std::to_string(lo) + " to " +
                       std::to_string(hi) + ", got '" + v->value + "'"};
  }
  out = static_cast<Int>(n);
  return std::nullopt;
}

/// Sets `out` from a duration option (of the reader's syntax) of at least `min`.
///
/// Errors: another value (`WHERE: expected EXPECTED, got '…'`, where `expected` reads like
/// "a duration such as 10s").
inline std::optional<usage_error> read_duration(const option_reader& r, std::string_view name,
                                                std::string_view expected, std::chrono::milliseconds& out,
                                                std::chrono::milliseconds min = std::chrono::milliseconds(0)) {
  const auto v = r.get(name);
  if (!v) return std::nullopt;
  const auto d = parse_duration(v->value, r.durations());
  if (!d || *d < min) return usage_error{v->where + ": expected " + std::string(expected) + ", got '" + v->value + "'"};
  out = *d;
  return std::nullopt;
}

/// Which of two options that name one thing in two ways (`--source` and
/// `--kafka-bootstrap-servers`) is in force.
enum class picked { neither, first, second };

/// Picks between the options `a` and `b`: the one given; when both are, the one given as a flag.
/// When `a` wins over a given `b`, `notes` gets `B is ignored: A names THING`.
///
/// Errors: both given as flags, or both as variables (`both A and B are given: CHOOSE`).
inline std::variant<picked, usage_error> pick_one(const std::optional<option_value>& a,
                                                  const std::optional<option_value>& b, std::string_view choose,
                                                  std::string_view thing, std::vector<std::string>& notes) {
  if (a && b && a->from_flag == b->from_flag) {
    return usage_error{"both " + a->where + " and " + b->where + " are given: " + std::string(choose)};
  }
  if (a && (!b || a->from_flag)) {
    if (b) notes.push_back(b->where + " is ignored: " + a->where + " names " + std::string(thing));
    return picked::first;
  }
  return b ? picked::second : picked::neither;
}

}  // namespace sluice_examples
