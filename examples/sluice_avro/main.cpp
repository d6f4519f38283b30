// SPDX-License-Identifier: Apache-2.0
// sluice-avro: Avro schema canonical form, fingerprint and preprocessing (see --help).

#include <sluice/avro/avro.hpp>
#include <sluice/avro/detail/json.hpp>
#include <sluice/avro/detail/names.hpp>
#include <sluice/core/json.hpp>
#include <sluice/core/utf8.hpp>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

namespace {

namespace avro = sluice::avro;

constexpr std::string_view usage_text =
    R"(usage: sluice-avro <command> [options] [FILE]

Reads an Avro schema (JSON) from FILE, or from standard input when FILE is absent or "-",
and parses it exactly as Java Avro 1.12.2 does.

commands:
  canonical     print the Parsing Canonical Form
  fingerprint   print the CRC-64-AVRO fingerprint of the canonical form on three lines:
                the signed decimal (Java Long.toString, the catalog file name), the 16 hex
                digits (Java String.format("%016x")) and the canonical form
  preprocess    print the schema minified with field names lowercased and decimal precision
                capped (see the options)

options:
  --jsonl             read one JSON string (holding one schema text) per line and print one
                      JSON object per line:
                        fingerprint: {"fingerprint":"<decimal>","hex":"<16 hex>","canonical":"<pcf>"}
                        canonical:   {"canonical":"<pcf>"}
                        preprocess:  {"schema":<preprocessed schema>}
                        any command: {"error":"<path>: <message>"} for a rejected line
  --keep-case         preprocess: keep field names as they are
  --max-precision N   preprocess: cap decimal precision at N (default 38)
  -h, --help          print this help

exit status:
  0  every schema processed (in --jsonl mode rejected lines are reported in the output)
  1  the schema (single-schema mode) is invalid; the reason goes to standard error
  2  usage error, or FILE cannot be read
)";

int usage_error(const char* msg) {
  std::fprintf(stderr, "sluice-avro: %s\n(try 'sluice-avro --help')\n", msg);
  return 2;
}

bool read_all(std::FILE* f, std::string& out) {
  char buf[1 << 16];
  for (;;) {
    const std::size_t n = std::fread(buf, 1, sizeof buf, f);
    out.append(buf, n);
    if (n < sizeof buf) return !std::ferror(f);
  }
}

void write(std::string_view s) { std::fwrite(s.data(), 1, s.size(), stdout); }

// Appends s as a quoted JSON string; ill-formed UTF-8 is replaced as a Java String would
// (U+FFFD), so every output line is valid JSON.
void append_json_string(std::string& o, std::string_view s) {
  if (sluice::utf8::is_valid(s)) return sluice::json::append_string(o, s);
  std::string decoded;
  avro::detail::java_decode_utf8(s, decoded);
  sluice::json::append_string(o, decoded);
}

struct options {
  std::string_view command;
  bool jsonl = false;
  avro::preprocess_options pre;
  const char* file = nullptr;
};

// One schema in --jsonl mode: appends one JSON object (without newline) to out.
void run_line(avro::schema_parser& parser, const options& opt, std::string_view schema, std::string& out) {
  avro::parse_error err;
  out += '{';
  auto fail = [&] {
    out += "\"error\":";
    append_json_string(out, err.to_string());
    out += '}';
  };
  if (opt.command == "fingerprint") {
    auto r = parser.analyse(schema, &err);
    if (!r) return fail();
    out += "\"fingerprint\":\"";
    out += avro::fingerprint_decimal(r.value().fingerprint);
    out += "\",\"hex\":\"";
    out += avro::fingerprint_hex(r.value().fingerprint);
    out += "\",\"canonical\":";
    append_json_string(out, r.value().canonical);
    out += '}';
  } else if (opt.command == "canonical") {
    auto r = parser.canonical_form(schema, &err);
    if (!r) return fail();
    out += "\"canonical\":";
    append_json_string(out, r.value());
    out += '}';
  } else {
    auto r = parser.preprocess(schema, opt.pre, &err);
    if (!r) return fail();
    out += "\"schema\":";
    out += r.value();
    out += '}';
  }
}

int run_jsonl(const options& opt, std::string_view input) {
  avro::schema_parser parser;
  avro::detail::json_document line_doc;
  std::string out;
  std::size_t pos = 0;
  while (pos < input.size()) {
    // Line terminators as Java's BufferedReader.readLine: \n, \r or \r\n.
    std::size_t e = pos;
    while (e < input.size() && input[e] != '\n' && input[e] != '\r') ++e;
    const std::string_view line = input.substr(pos, e - pos);
    pos = e;
    if (pos < input.size() && input[pos] == '\r') ++pos;
    if (e < input.size() && input[e] == '\r' && pos < input.size() && input[pos] == '\n') ++pos;
    else if (e < input.size() && input[e] == '\n') ++pos;
    out.clear();
    if (!line_doc.parse(line) || line_doc[0].kind != avro::detail::jkind::string) {
      out += "{\"error\":\"$: input line is not a JSON string\"}";
    } else {
      run_line(parser, opt, line_doc.str(0), out);
    }
    out += '\n';
    write(out);
  }
  return 0;
}

int run_single(const options& opt, std::string_view schema) {
  avro::schema_parser parser;
  avro::parse_error err;
  std::string out;
  if (opt.command == "fingerprint") {
    auto r = parser.analyse(schema, &err);
    if (r) {
      out = avro::fingerprint_decimal(r.value().fingerprint) + '\n' + avro::fingerprint_hex(r.value().fingerprint) +
            '\n' + std::string(r.value().canonical) + '\n';
    }
  } else if (opt.command == "canonical") {
    auto r = parser.canonical_form(schema, &err);
    if (r) out = std::string(r.value()) + '\n';
  } else {
    auto r = parser.preprocess(schema, opt.pre, &err);
    if (r) out = std::string(r.value()) + '\n';
  }
  if (err.code) {
    // Escaped like a JSON string (one line, no control characters), without the quotes.
    std::string quoted;
    append_json_string(quoted, err.to_string());
    std::string msg = "sluice-avro: invalid schema: ";
    msg.append(quoted, 1, quoted.size() - 2);
    msg += '\n';
    std::fwrite(msg.data(), 1, msg.size(), stderr);
    return 1;
  }
  write(out);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  options opt;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "-h" || a == "--help") {
      write(usage_text);
      return 0;
    }
    if (a == "--jsonl") {
      opt.jsonl = true;
    } else if (a == "--keep-case") {
      opt.pre.lowercase_field_names = false;
    } else if (a == "--max-precision") {
      if (i + 1 >= argc) return usage_error("--max-precision needs a value");
      const char* v = argv[++i];
      char* end = nullptr;
      errno = 0;
      const unsigned long n = std::strtoul(v, &end, 10);
      if (*v == '\0' || *end != '\0' || errno != 0 || n == 0 || n > 1000000 || *v == '-')
        return usage_error("--max-precision needs a positive integer");
      opt.pre.max_decimal_precision = static_cast<unsigned>(n);
    } else if (a.size() > 1 && a[0] == '-') {
      return usage_error("unknown option");
    } else if (opt.command.empty()) {
      if (a != "canonical" && a != "fingerprint" && a != "preprocess") return usage_error("unknown command");
      opt.command = a;
    } else if (!opt.file) {
      opt.file = argv[i];
    } else {
      return usage_error("too many arguments");
    }
  }
  if (opt.command.empty()) return usage_error("missing command (canonical, fingerprint or preprocess)");
  std::string input;
  if (!opt.file || std::string_view(opt.file) == "-") {
    if (!read_all(stdin, input)) return usage_error("cannot read standard input");
  } else {
    std::FILE* f = std::fopen(opt.file, "rb");
    if (!f) {
      std::fprintf(stderr, "sluice-avro: cannot open '%s': %s\n", opt.file, std::strerror(errno));
      return 2;
    }
    const bool ok = read_all(f, input);
    std::fclose(f);
    if (!ok) {
      std::fprintf(stderr, "sluice-avro: cannot read '%s'\n", opt.file);
      return 2;
    }
  }
  const int rc = opt.jsonl ? run_jsonl(opt, input) : run_single(opt, input);
  if (std::fflush(stdout) != 0) return 2;
  return rc;
}
