// SPDX-License-Identifier: Apache-2.0
#pragma once

// The event ETL's end-to-end fixture, shared by the in-process pipeline tests and the SIGKILL
// tests (folder and S3): generated input lines with what the pipeline must do with each, the
// reference models' files and dead letters for them, the pipeline as the tests compose it, and
// readers of a run's output.
#include "helpers.hpp"
#include "reference.hpp"
#include "stages.hpp"
#include "temp_dir.hpp"

#include "sluice/core/runner.hpp"
#include "sluice/event_etl/jsonl_sink.hpp"
#include "sluice/event_etl/pipeline.hpp"
#include "sluice/fs/checkpoint_store.hpp"
#include "sluice/fs/dead_letters.hpp"
#include "sluice/fs/file_sink.hpp"
#include "sluice/fs/lines_source.hpp"

#include <charconv>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace etl_test {

using namespace stream_test;
inline constexpr std::int64_t minute = 60'000;
inline constexpr std::int64_t batch_size = 50;

// One line of the input, with what the pipeline must do with it.
struct line {
  enum kind { valid, reject, filtered, blank } what = valid;
  std::string text;
  std::string reason;                  // reject: the dead letter's reason
  std::string id, device, type, city;  // valid, filtered: the event
  std::int64_t t = 0;
  double duration = 0, battery = 0, signal = 0;
};

inline std::vector<line> make_lines(unsigned seed, int n) {
  std::mt19937_64 rng(seed);
  std::vector<line> out;
  std::int64_t now = ms("2024-06-01T00:00:00Z");
  const char* cities[] = {"Berlin", "Z\xc3\xbcrich", "Paris"};
  for (int i = 0; i < n; ++i) {
    now += 1'000;
    const auto r = rng() % 100;
    if (r < 5 && !out.empty()) {   // a resend of an earlier line (a duplicate, or late by now)
      out.push_back(out[rng() % out.size()]);
      continue;
    }
    if (r < 7) {
      line l;
      l.what = line::blank;
      out.push_back(l);
      continue;
    }
    line l;
    l.id = "ev-" + std::to_string(i);
    l.device = "dev-" + std::to_string(rng() % 4);
    l.type = rng() % 5 == 0 ? "camera" : "meter";
    l.city = cities[rng() % 3];
    l.t = now - static_cast<std::int64_t>(rng() % 30'000);
    if (r < 10) l.t -= 5 * minute;   // late for a 2-minute watermark delay
    l.duration = static_cast<double>(rng() % 5000) / 1000.0;
    l.battery = static_cast<double>(rng() % 1001) / 10.0;
    l.signal = -static_cast<double>(rng() % 120);
    if (r >= 10 && r < 13) l.battery = 150, l.what = line::filtered;
    json_event j;
    j.event_id = l.id;
    j.device_id = l.device;
    j.device_type = l.type;
    std::string iso;
    append_iso8601_utc(iso, l.t);
    j.event_time = iso;
    auto num = [](double v) {
      char b[32];
      const auto e = std::to_chars(b, b + sizeof b, v);
      return std::string(b, e.ptr);
    };
    j.event_duration = num(l.duration);
    j.battery_level = num(l.battery);
    j.signal_strength = num(l.signal);
    j.city = "\"" + l.city + "\"";
    l.text = j.text();
    if (r >= 13 && r < 15) {
      l.what = line::reject;
      l.text = "[\"not an object\"]";
      l.reason = "not a JSON object";
    } else if (r >= 15 && r < 17) {
      l.what = line::reject;
      j.device_id.clear();
      l.text = j.text();
      l.reason = "empty required field \"device_id\"";
    }
    out.push_back(l);
  }
  return out;
}

inline std::string file_text(const std::vector<line>& lines) {
  std::string s;
  for (const auto& l : lines) s += l.text + "\n";
  return s;
}

// What the files and dead letters must be, from the reference models, batch by batch.
struct expected {
  std::map<std::string, std::string> files;          // key → bytes
  std::vector<std::pair<std::int64_t, std::string>> letters;   // offset, reason
};

inline expected oracle(const std::vector<line>& lines, std::int64_t window, std::int64_t delay) {
  expected ex;
  ref_dedup dedup(delay);
  ref_windows windows(window, delay);
  const range_filter_options ranges;
  for (std::size_t from = 0; from < lines.size(); from += batch_size) {
    std::vector<device_event> batch;
    for (std::size_t i = from; i < std::min(lines.size(), from + batch_size); ++i) {
      const auto& l = lines[i];
      if (l.what == line::reject) ex.letters.emplace_back(static_cast<std::int64_t>(i), l.reason);
      if (l.what != line::valid && l.what != line::filtered) continue;
      if (!ranges.battery_level.contains(l.battery)) continue;
      auto e = event(l.id, l.device, l.t, l.duration, l.battery, l.signal, std::string_view(l.city));
      e.device_type = l.type;
      e.country = std::nullopt;
      e.country = std::string_view("DE");
      e.latitude = 52.52;
      e.longitude = 13.405;
      e.firmware_version = std::string_view("1.2.3");
      batch.push_back(e);
    }
    const auto rows = windows.batch(dedup.batch(batch));
    if (rows.empty()) continue;
    std::string bytes;
    for (const auto& r : rows) {
      append_row_json(bytes, r);
      bytes += '\n';
    }
    ex.files[batch_object_key("", batch_plan{0, {{"events", 0, static_cast<std::int64_t>(from), 0}}})] = bytes;
  }
  return ex;
}

using folder_sink = jsonl_batch_sink<device_window_row, fs::file_sink>;

template <class Sink>
auto make_etl(const std::filesystem::path& input, Sink sink) {
  event_etl_options opt;
  opt.window_ms = minute;
  opt.watermark_delay_ms = 2 * minute;
  return make_event_etl(fs::lines_source::open(input).value(), std::move(sink), opt).value();
}

struct dirs {
  sluice_test::temp_dir root;
  std::filesystem::path input() const { return root / "in.jsonl"; }
  std::filesystem::path out() const { return root / "out"; }
  std::filesystem::path ckpt() const { return root / "ckpt"; }
  std::filesystem::path dlq() const { return root / "dlq"; }
};

inline runner_options options(bool once = true) {
  runner_options opt;
  opt.max_records_per_batch = batch_size;
  opt.once = once;
  opt.retry.max_attempts = 1;
  return opt;
}

// Runs `p` to the end of its input with the folder checkpoint and dead letters of `d`.
template <class Pipeline>
result<run_summary> run_in(const dirs& d, Pipeline& p) {
  fs::checkpoint_store ckpt(d.ckpt());
  fs::dead_letters dlq(d.dlq());
  null_progress progress;
  stop_flag stop;
  sluice_test::fake_environment env;
  return run(p, ckpt, dlq, progress, options(), stop, env);
}

inline std::map<std::string, std::string> folder(const std::filesystem::path& root) {
  std::map<std::string, std::string> m;
  for (const auto& f : sluice_test::files_under(root)) m[f] = sluice_test::slurp(root / f);
  return m;
}

inline std::vector<std::pair<std::int64_t, std::string>> letters(const std::filesystem::path& root) {
  std::vector<std::pair<std::int64_t, std::string>> out;
  std::map<std::int64_t, std::vector<std::pair<std::int64_t, std::string>>> by_batch;
  for (const auto& f : sluice_test::files_under(root)) {
    const std::string text = sluice_test::slurp(root / f);
    std::size_t start = 0;
    const auto id = std::stoll(f.substr(6));   // batch-<id>.jsonl
    while (start < text.size()) {
      const auto nl = text.find('\n', start);
      auto d = store::parse_dead_letter_line(std::string_view(text).substr(start, nl - start)).value();
      by_batch[id].emplace_back(d.offset, d.reason);
      start = nl + 1;
    }
  }
  for (auto& [id, v] : by_batch) out.insert(out.end(), v.begin(), v.end());
  return out;
}

}  // namespace etl_test
