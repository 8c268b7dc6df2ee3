#include "log/log.h"

#include <stdlib.h>

#include <fstream>
#include <sstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/scratch.h"

namespace warden::log {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::Not;

class LogTest : public warden::testing::ScratchTest {};

TEST_F(LogTest, LevelsIncludeTheOnesAbove) {
  ASSERT_TRUE(Configure("warn", scratch_ + "/w.log").ok());
  EXPECT_FALSE(Enabled(Level::kInfo));
  EXPECT_TRUE(Enabled(Level::kWarn));
  EXPECT_TRUE(Enabled(Level::kPanic));
  Log(Level::kInfo, "run", "not {}", "written");
  Log(Level::kError, "run", "written {}", 1);
  std::string text = warden::testing::Slurp(scratch_ + "/w.log");
  EXPECT_THAT(text, Not(HasSubstr("not written")));
  EXPECT_THAT(text, MatchesRegex("[0-9-]+T[0-9:]+\\.[0-9]{6}Z warden\\[[0-9]+\\] error run: written 1\n"));
  ASSERT_TRUE(Configure("trace", std::nullopt).ok());
  EXPECT_TRUE(Enabled(Level::kTrace));
}

TEST_F(LogTest, BadLevelOrFileIsAClearError) {
  absl::Status s = Configure("verbose", std::nullopt);
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(std::string(s.message()), HasSubstr("trace, debug, info, warn, error, fatal, panic"));
  s = Configure(std::nullopt, scratch_ + "/no/such/dir/x.log");
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(std::string(s.message()), HasSubstr("x.log"));
}

TEST_F(LogTest, TheEnvironmentIsTheDefault) {
  setenv("WARDEN_LOG_LEVEL", "debug", 1);
  setenv("WARDEN_LOG_FILE", (scratch_ + "/e.log").c_str(), 1);
  ASSERT_TRUE(Configure(std::nullopt, std::nullopt).ok());
  EXPECT_TRUE(Enabled(Level::kDebug));
  Log(Level::kDebug, "test", "from the environment");
  EXPECT_THAT(warden::testing::Slurp(scratch_ + "/e.log"), HasSubstr("debug test: from the environment"));
  // An option wins over the environment.
  ASSERT_TRUE(Configure("error", std::nullopt).ok());
  EXPECT_FALSE(Enabled(Level::kWarn));
  unsetenv("WARDEN_LOG_LEVEL");
  unsetenv("WARDEN_LOG_FILE");
}

}  // namespace
}  // namespace warden::log
