// SPDX-License-Identifier: Apache-2.0
// stop_flag and the SIGTERM/SIGINT handlers.

#include "sluice/core/environment.hpp"
#include "sluice/core/stop.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <thread>

namespace {

using namespace sluice;

TEST(Stop, FlagIsOneWay) {
  stop_flag f;
  EXPECT_FALSE(f.stop_requested());
  f.request_stop();
  EXPECT_TRUE(f.stop_requested());
  f.request_stop();
  EXPECT_TRUE(f.stop_requested());
}

TEST(Stop, SigtermAndSigintRequestAStop) {
  for (const int sig : {SIGTERM, SIGINT}) {
    stop_flag f;
    ASSERT_TRUE(install_signal_handlers(f));
    ASSERT_EQ(std::raise(sig), 0);  // without the handler this would end the test binary
    EXPECT_TRUE(f.stop_requested());
    // SA_RESETHAND: the default action is back after the first signal.
    struct sigaction now {};
    ASSERT_EQ(::sigaction(sig, nullptr, &now), 0);
    EXPECT_EQ(now.sa_handler, SIG_DFL);
    ASSERT_TRUE(uninstall_signal_handlers());
  }
}

TEST(Stop, UninstallRestoresTheDefaults) {
  stop_flag f;
  ASSERT_TRUE(install_signal_handlers(f));
  ASSERT_TRUE(uninstall_signal_handlers());
  for (const int sig : {SIGTERM, SIGINT}) {
    struct sigaction now {};
    ASSERT_EQ(::sigaction(sig, nullptr, &now), 0);
    EXPECT_EQ(now.sa_handler, SIG_DFL);
  }
  EXPECT_FALSE(f.stop_requested());
}

TEST(SystemEnvironment, SleepReturnsEarlyOnStop) {
  system_environment env;
  stop_flag f;
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    f.request_stop();
  });
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_FALSE(env.sleep_for(std::chrono::seconds(20), f));
  const auto waited = std::chrono::steady_clock::now() - t0;
  stopper.join();
  EXPECT_LT(waited, std::chrono::seconds(2));
}

TEST(SystemEnvironment, SleepsTheWholeDurationWithoutStop) {
  system_environment env;
  stop_flag f;
  const auto t0 = env.monotonic_ns();
  EXPECT_TRUE(env.sleep_for(std::chrono::milliseconds(120), f));
  EXPECT_GE(env.monotonic_ns() - t0, 120'000'000);
}

TEST(SystemEnvironment, ClocksAndRandomness) {
  system_environment env;
  const auto wall = env.wall_ms();
  EXPECT_GT(wall, 1'600'000'000'000);  // after 2020
  const auto a = env.monotonic_ns();
  EXPECT_LE(a, env.monotonic_ns());
  const auto r1 = env.random_u64();
  const auto r2 = env.random_u64();
  EXPECT_NE(r1, r2);
}

}  // namespace
