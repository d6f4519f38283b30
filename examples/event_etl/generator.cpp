// SPDX-License-Identifier: Apache-2.0
// sluice-event-gen: writes realistic device events as JSON lines (the input of sluice-event-etl),
// with configurable shares of duplicates, out-of-order, late and invalid events; deterministic for
// a given seed. Run it with --help for the options.
#include "sluice/core/progress.hpp"
#include "sluice/core/text.hpp"
#include "sluice/core/time.hpp"

#include <algorithm>
#include <cerrno>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace {

constexpr const char* program = "sluice-event-gen";

struct options {
  std::int64_t events = 100'000;
  std::int64_t devices = 1'000;
  std::uint64_t seed = 42;
  double duplicates = 0.02;     // exact resends of a recent event
  double out_of_order = 0.05;   // up to 60 s before the stream's time (within the watermark)
  double late = 0.01;           // 11 to 40 minutes behind (beyond a 10-minute watermark)
  double invalid = 0.01;        // rejects (not JSON, missing field, wrong type, bad timestamp)
  double filtered = 0.01;       // valid JSON the range filter drops (null or out of range)
  std::int64_t start_ms = 1'717'200'000'000;   // 2024-06-01T00:00:00Z
  double rate = 1'000;          // events per second of event time
  std::string output;           // empty: stdout
};

const char* help =
    "usage: sluice-event-gen [OPTIONS]\n"
    "\n"
    "Writes device events as JSON lines (the schema of docs/event-etl.md), one per line, in\n"
    "arrival order; the same options and seed always give the same bytes.\n"
    "\n"
    "  --events N          events to write (default 100000)\n"
    "  --devices N         distinct devices (default 1000)\n"
    "  --seed N            random seed (default 42)\n"
    "  --rate R            events per second of event time (default 1000)\n"
    "  --start ISO         event time of the first event (default 2024-06-01T00:00:00Z)\n"
    "  --duplicates P      share of exact resends of a recent event (default 0.02)\n"
    "  --out-of-order P    share moved up to 60 s back, within the watermark (default 0.05)\n"
    "  --late P            share moved 11 to 40 minutes back, late for a 10-minute watermark\n"
    "                      (default 0.01)\n"
    "  --invalid P         share of rejects: not JSON, missing field, wrong type, bad timestamp\n"
    "                      (default 0.01)\n"
    "  --filtered P        share the range filter drops: null or out-of-range values\n"
    "                      (default 0.01)\n"
    "  --output FILE       write to FILE instead of stdout\n"
    "  --help              this text\n";

// SplitMix64: small, fast, the same on every platform.
struct rng {
  std::uint64_t s;
  std::uint64_t next() {
    std::uint64_t z = (s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }   // [0, 1)
  std::int64_t below(std::int64_t n) { return static_cast<std::int64_t>(next() % static_cast<std::uint64_t>(n)); }
  bool chance(double p) { return uniform() < p; }
};

struct city {
  const char* name;
  const char* country;
  double lat, lon;
};
constexpr city cities[] = {
    {"Berlin", "DE", 52.52, 13.405},        {"Paris", "FR", 48.8566, 2.3522},
    {"Madrid", "ES", 40.4168, -3.7038},     {"Lisbon", "PT", 38.7223, -9.1393},
    {"São Paulo", "BR", -23.5505, -46.6333}, {"New York", "US", 40.7128, -74.006},
    {"Tokyo", "JP", 35.6762, 139.6503},     {"Sydney", "AU", -33.8688, 151.2093},
    {"Nairobi", "KE", -1.2921, 36.8219},    {"Zürich", "CH", 47.3769, 8.5417},
    {"Reykjavík", "IS", 64.1466, -21.9426}, {"Toronto", "CA", 43.6532, -79.3832},
};
constexpr const char* types[] = {"thermostat", "camera", "smoke_detector", "tracker", "meter"};

struct device {
  std::string id;
  const char* type;
  const city* home;
  double battery;
  std::string firmware;
};

void append_num(std::string& out, double v) {
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}
double round_to(double v, double scale) { return std::round(v * scale) / scale; }

void append_uuid(std::string& out, rng& r) {
  const std::uint64_t a = r.next(), b = r.next();
  for (int i = 0; i < 32; ++i) {
    if (i == 8 || i == 12 || i == 16 || i == 20) out.push_back('-');
    const std::uint64_t w = i < 16 ? a : b;
    out.push_back(sluice::text::hex_lower[(w >> ((i % 16) * 4)) & 15]);
  }
}

// One valid event line (without '\n').
std::string event_line(rng& r, device& d, std::int64_t t_ms, std::string& event_id_out) {
  std::string line = "{\"event_id\":\"";
  const std::size_t id_at = line.size();
  append_uuid(line, r);
  event_id_out.assign(line, id_at, 36);
  line += "\",\"device_id\":\"";
  line += d.id;
  line += "\",\"device_type\":\"";
  line += d.type;
  line += "\",\"event_time\":\"";
  sluice::append_iso8601_utc(line, t_ms);
  line += "\",\"event_duration\":";
  append_num(line, round_to(0.05 + r.uniform() * 4.95, 1000));
  d.battery = std::max(1.0, d.battery - r.uniform() * 0.05);
  line += ",\"battery_level\":";
  append_num(line, round_to(d.battery, 10));
  line += ",\"signal_strength\":";
  append_num(line, static_cast<double>(-110 + r.below(71)));
  line += ",\"location\":{\"city\":\"";
  line += d.home->name;
  line += "\",\"country\":\"";
  line += d.home->country;
  line += "\",\"latitude\":";
  append_num(line, round_to(d.home->lat + (r.uniform() - 0.5) * 0.1, 10000));
  line += ",\"longitude\":";
  append_num(line, round_to(d.home->lon + (r.uniform() - 0.5) * 0.1, 10000));
  line += "},\"firmware_version\":\"";
  line += d.firmware;
  line += "\"}";
  return line;
}

// Replaces the first occurrence of `what` in `line` by `with`.
void replace(std::string& line, std::string_view what, std::string_view with) {
  const auto at = line.find(what);
  if (at != std::string::npos) line.replace(at, what.size(), with);
}

// Turns a valid line into a reject of one of four kinds.
void make_invalid(std::string& line, rng& r) {
  switch (r.below(5)) {
    case 0: line.resize(line.size() / 2); break;                                // not JSON
    case 1: replace(line, "\"device_id\":", "\"device\":"); break;             // missing field
    case 2: replace(line, "\"battery_level\":", "\"battery_level\":\"high\",\"x\":"); break;  // wrong type
    case 3: replace(line, "T", " at "); break;                                  // bad timestamp
    default: line = "[1,2,3]"; break;                                           // not an object
  }
}

// Turns a valid line into one the range filter drops.
void make_filtered(std::string& line, rng& r) {
  switch (r.below(4)) {
    case 0: replace(line, "\"battery_level\":", "\"battery_level\":1e3,\"y\":"); break;
    case 1: replace(line, "\"signal_strength\":", "\"signal_strength\":null,\"y\":"); break;
    case 2: replace(line, "\"event_duration\":", "\"event_duration\":-1,\"y\":"); break;
    default: replace(line, "\"latitude\":", "\"latitude\":95.5,\"y\":"); break;
  }
}

bool parse_args(int argc, char** argv, options& o) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--help" || a == "-h") {
      std::fputs(help, stdout);
      std::exit(0);
    }
    if (i + 1 >= argc) {
      std::fprintf(stderr, "%s: '%s' needs a value (or is unknown)\nTry '%s --help'.\n", program, argv[i], program);
      return false;
    }
    const std::string_view v = argv[++i];
    auto integer = [&](std::int64_t& out, std::int64_t lo) {
      const auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
      return ec == std::errc{} && p == v.data() + v.size() && out >= lo;
    };
    auto share = [&](double& out) {
      const auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
      return ec == std::errc{} && p == v.data() + v.size() && out >= 0 && out <= 1;
    };
    bool ok = false;
    std::int64_t n = 0;
    if (a == "--events") ok = integer(o.events, 0);
    else if (a == "--devices") ok = integer(o.devices, 1);
    else if (a == "--seed") ok = integer(n, 0), o.seed = static_cast<std::uint64_t>(n);
    else if (a == "--rate") {
      const auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), o.rate);
      ok = ec == std::errc{} && p == v.data() + v.size() && o.rate > 0;
    } else if (a == "--start") {
      const auto t = sluice::parse_iso8601_ms(v);
      ok = t.has_value();
      if (ok) o.start_ms = *t;
    } else if (a == "--duplicates") ok = share(o.duplicates);
    else if (a == "--out-of-order") ok = share(o.out_of_order);
    else if (a == "--late") ok = share(o.late);
    else if (a == "--invalid") ok = share(o.invalid);
    else if (a == "--filtered") ok = share(o.filtered);
    else if (a == "--output") ok = !v.empty(), o.output = v;
    else {
      std::fprintf(stderr, "%s: unknown option '%s'\nTry '%s --help'.\n", program, argv[i - 1], program);
      return false;
    }
    if (!ok) {
      std::fprintf(stderr, "%s: bad value '%s' for %s\n", program, argv[i], argv[i - 1]);
      return false;
    }
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  options o;
  if (!parse_args(argc, argv, o)) return 2;
  std::FILE* out = stdout;
  if (!o.output.empty()) {
    out = std::fopen(o.output.c_str(), "we");
    if (out == nullptr) {
      std::fprintf(stderr, "%s: cannot open %s: %s\n", program, o.output.c_str(), std::strerror(errno));
      return 1;
    }
  }
  rng r{o.seed};
  std::vector<device> devs;
  devs.reserve(static_cast<std::size_t>(o.devices));
  for (std::int64_t i = 0; i < o.devices; ++i) {
    char id[32];
    std::snprintf(id, sizeof id, "dev-%06lld", static_cast<long long>(i));
    const city* home = &cities[r.below(std::size(cities))];
    std::string fw = "1." + std::to_string(r.below(5)) + "." + std::to_string(r.below(10));
    devs.push_back({id, types[r.below(std::size(types))], home, 50 + r.uniform() * 50, fw});
  }
  std::vector<std::string> recent(512);   // recent valid lines, for resends
  std::size_t recent_n = 0;
  std::string buf, event_id;
  const double step_ms = 1000.0 / o.rate;
  for (std::int64_t i = 0; i < o.events; ++i) {
    std::string line;
    if (recent_n > 0 && r.chance(o.duplicates)) {
      line = recent[static_cast<std::size_t>(r.below(static_cast<std::int64_t>(std::min(recent_n, recent.size()))))];
    } else {
      std::int64_t t = o.start_ms + static_cast<std::int64_t>(static_cast<double>(i) * step_ms) + r.below(1000);
      if (r.chance(o.out_of_order)) t -= 1'000 + r.below(59'000);
      else if (r.chance(o.late)) t -= 660'000 + r.below(1'740'000);
      device& d = devs[static_cast<std::size_t>(r.below(o.devices))];
      line = event_line(r, d, t, event_id);
      if (r.chance(o.invalid)) {
        make_invalid(line, r);
      } else if (r.chance(o.filtered)) {
        make_filtered(line, r);
      } else {
        recent[recent_n++ % recent.size()] = line;
      }
    }
    buf += line;
    buf.push_back('\n');
    if (buf.size() > (1u << 20)) {
      if (std::fwrite(buf.data(), 1, buf.size(), out) != buf.size()) break;
      buf.clear();
    }
  }
  const bool ok = std::fwrite(buf.data(), 1, buf.size(), out) == buf.size() && std::fflush(out) == 0 &&
                  (out == stdout || std::fclose(out) == 0);
  if (!ok) {
    std::fprintf(stderr, "%s: write failed: %s\n", program, std::strerror(errno));
    return 1;
  }
  return 0;
}
