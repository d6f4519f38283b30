// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// The option table of a reference binary and its part of `--help`. Shared by the option
/// parsers of `sluice-schema-writer` and `sluice-event-etl`; free of any sluice module, so their
/// tests link nothing more.

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace sluice_examples {

/// One option: its name (without the leading `--`), its environment variable (empty for none),
/// its argument placeholder (empty for a switch) and its help line.
///
/// An alias names the option it stands for in `same_as` and nothing else: it takes that
/// option's argument and variable, its value counts as that option's, and `--help` lists it
/// as `--ALIAS ARG` / `the same as --NAME` (right after the option, where the table puts it).
struct option_info {
  std::string_view name;
  std::string_view env;
  std::string_view arg;
  std::string_view help;
  std::string_view same_as = {};
};

/// The table row of `name`, an alias of the option `same_as`.
constexpr option_info alias(std::string_view name, std::string_view same_as) noexcept {
  return {name, {}, {}, {}, same_as};
}

/// A name the scanner reads as another option's without listing it in `--help` (an old
/// spelling kept working).
struct hidden_alias {
  std::string_view name;
  std::string_view same_as;
};

namespace detail {

inline const option_info* find_option(std::span<const option_info> table, std::string_view name) {
  for (const option_info& o : table)
    if (o.name == name) return &o;
  return nullptr;
}

}  // namespace detail

/// Appends one entry per option of `table` to `text`, in order:
/// `  --NAME ARG` on one line, then `      HELP  [ENV]` (`      the same as --NAME` for an alias).
///
/// Errors: none (`std::bad_alloc` aside). Blocking: no. Thread-safety: none needed (pure).
inline void append_options_help(std::string& text, std::span<const option_info> table) {
  for (const option_info& row : table) {
    const option_info* target = row.same_as.empty() ? &row : detail::find_option(table, row.same_as);
    const option_info& o = target != nullptr ? *target : row;
    text += "  --";
    text += row.name;
    if (!o.arg.empty()) {
      text += ' ';
      text += o.arg;
    }
    text += "\n      ";
    if (!row.same_as.empty()) {
      text += "the same as --";
      text += row.same_as;
      text += "\n";
      continue;
    }
    text += o.help;
    if (!o.env.empty()) {
      text += "  [";
      text += o.env;
      text += "]";
    }
    text += "\n";
  }
}

/// One option given on the command line: the option's name (an alias's target), its value ("" for
/// a switch) and the name as written (for messages).
struct given_option {
  std::string name;
  std::string value;
  std::string spelled;
};

/// The command line's flags: `--help` or `--version` if one came first, else every option given,
/// in order.
struct scanned_flags {
  bool help = false;
  bool version = false;
  std::vector<given_option> given;
};

/// Reads `args` from index `first` against `table`: `--help`/`-h` and `--version` end the scan;
/// `-X KEY=VALUE` and `-XKEY=VALUE` (kcat's form) give option `kafka-property`; `--NAME=VALUE`,
/// `--NAME VALUE` (a value never starts with `--`) and `--SWITCH`. An alias of the table and a
/// `hidden` name are read as the option they stand for.
///
/// Errors: the message of the first bad argument (unexpected word, unknown option, a value
/// missing or given to a switch), for the caller's usage error.
/// Blocking: no. Thread-safety: pure.
inline std::variant<scanned_flags, std::string> scan_flags(const std::vector<std::string>& args, std::size_t first,
                                                           std::span<const option_info> table,
                                                           std::span<const hidden_alias> hidden = {}) {
  scanned_flags out;
  for (std::size_t i = first; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      out.help = true;
      return out;
    }
    if (a == "--version") {
      out.version = true;
      return out;
    }
    if (a == "-X" || (a.size() > 2 && a.rfind("-X", 0) == 0)) {
      if (a == "-X" && i + 1 >= args.size()) return std::string("option '-X' needs KEY=VALUE");
      out.given.push_back({"kafka-property", a == "-X" ? args[++i] : a.substr(2), "kafka-property"});
      continue;
    }
    if (a.size() < 3 || a.rfind("--", 0) != 0) return "unexpected argument '" + a + "'";
    std::string spelled = a.substr(2);
    std::optional<std::string> value;
    if (const auto eq = spelled.find('='); eq != std::string::npos) {
      value = spelled.substr(eq + 1);
      spelled.resize(eq);
    }
    std::string_view name = spelled;
    for (const hidden_alias& h : hidden)
      if (name == h.name) name = h.same_as;
    const option_info* info = detail::find_option(table, name);
    if (info != nullptr && !info->same_as.empty()) info = detail::find_option(table, info->same_as);
    if (info == nullptr) return "unknown option '--" + spelled + "'";
    if (info->arg.empty()) {
      if (value) return "option '--" + spelled + "' takes no value";
      value = "";
    } else if (!value) {
      // Values may start with '-' (a range such as -150:0), but never with "--".
      if (i + 1 >= args.size() || args[i + 1].rfind("--", 0) == 0) return "option '--" + spelled + "' needs a value";
      value = args[++i];
    }
    out.given.push_back({std::string(info->name), std::move(*value), std::move(spelled)});
  }
  return out;
}

}  // namespace sluice_examples
