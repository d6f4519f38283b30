// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// The option table of a reference binary and its part of `--help`. Shared by the option
/// parsers of `sluice-schema-writer` and `sluice-event-etl`; free of any sluice module, so their
/// tests link nothing more.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace sluice_examples {

/// One option: its name (without the leading `--`), its environment variable (empty for none),
/// its argument placeholder (empty for a switch) and its help line.
struct option_info {
  std::string_view name;
  std::string_view env;
  std::string_view arg;
  std::string_view help;
};

/// Appends one entry per option of `table` to `text`, in order:
/// `  --NAME ARG` on one line, then `      HELP  [ENV]`.
///
/// Errors: none (`std::bad_alloc` aside). Blocking: no. Thread-safety: none needed (pure).
template <class Table>
void append_options_help(std::string& text, const Table& table) {
  for (const option_info& o : table) {
    text += "  --";
    text += o.name;
    if (!o.arg.empty()) {
      text += ' ';
      text += o.arg;
    }
    text += "\n      ";
    text += o.help;
    if (!o.env.empty()) {
      text += "  [";
      text += o.env;
      text += "]";
    }
    text += "\n";
  }
}

/// The command line's flags: `--help` or `--version` if one came first, else every option given,
/// in order, as (name, value), with "" as the value of a switch.
struct scanned_flags {
  bool help = false;
  bool version = false;
  std::vector<std::pair<std::string, std::string>> given;
};

/// Reads `args` from index `first` against `table`: `--help`/`-h` and `--version` end the scan;
/// `-X KEY=VALUE` and `-XKEY=VALUE` (kcat's form) give option `kafka-property`; `--NAME=VALUE`,
/// `--NAME VALUE` (a value never starts with `--`) and `--SWITCH`. A name listed first in a pair
/// of `aliases` is read as the second.
///
/// Errors: the message of the first bad argument (unexpected word, unknown option, a value
/// missing or given to a switch), for the caller's usage error.
/// Blocking: no. Thread-safety: pure.
template <class Table>
std::variant<scanned_flags, std::string> scan_flags(
    const std::vector<std::string>& args, std::size_t first, const Table& table,
    const std::vector<std::pair<std::string_view, std::string_view>>& aliases = {}) {
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
      out.given.emplace_back("kafka-property", a == "-X" ? args[++i] : a.substr(2));
      continue;
    }
    if (a.size() < 3 || a.rfind("--", 0) != 0) return "unexpected argument '" + a + "'";
    std::string name = a.substr(2);
    std::optional<std::string> value;
    if (const auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name.resize(eq);
    }
    for (const auto& [old_name, new_name] : aliases)
      if (name == old_name) name = new_name;
    const option_info* info = nullptr;
    for (const option_info& o : table)
      if (o.name == name) info = &o;
    if (info == nullptr) return "unknown option '--" + name + "'";
    if (info->arg.empty()) {
      if (value) return "option '--" + name + "' takes no value";
      value = "";
    } else if (!value) {
      // Values may start with '-' (a range such as -150:0), but never with "--".
      if (i + 1 >= args.size() || args[i + 1].rfind("--", 0) == 0) return "option '--" + name + "' needs a value";
      value = args[++i];
    }
    out.given.emplace_back(std::move(name), std::move(*value));
  }
  return out;
}

}  // namespace sluice_examples
