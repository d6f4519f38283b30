// SPDX-License-Identifier: Apache-2.0
#pragma once

/// @file
/// The option table of a reference binary and its part of `--help`. Shared by the option
/// parsers of `sluice-schema-writer` and `sluice-event-etl`; free of any sluice module, so their
/// tests link nothing more.

#include <string>
#include <string_view>

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

}  // namespace sluice_examples
