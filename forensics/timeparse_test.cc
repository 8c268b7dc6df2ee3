#include "forensics/timeparse.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace warden::forensics {

namespace {

using ::testing::HasSubstr;

constexpr int64_t kSec = 1000000000;
// 2026-11-23T10:00:00Z
constexpr int64_t kT0 = 1795428000LL * kSec;
constexpr int64_t kNow = kT0 + 123456789;

int64_t Parse(std::string_view text) {
  auto t = ParseTimeNs(text, kNow);
  EXPECT_TRUE(t.ok()) << text << ": " << t.status();
  return t.ok() ? *t : -1;
}

std::string Error(std::string_view text) {
  auto t = ParseTimeNs(text, kNow);
  EXPECT_FALSE(t.ok()) << text << " parsed as " << (t.ok() ? *t : 0);
  return t.ok() ? "" : std::string(t.status().message());
}

TEST(ParseTimeTest, Rfc3339Utc) {
  EXPECT_EQ(Parse("2026-11-23T10:00:00Z"), kT0);
  EXPECT_EQ(Parse("2026-11-23t10:00:00z"), kT0);
  EXPECT_EQ(Parse("2026-11-23 10:00:00Z"), kT0);
  EXPECT_EQ(Parse("  2026-11-23T10:00:00Z\n"), kT0);
  EXPECT_EQ(Parse("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(Parse("2000-03-01T00:00:00Z"), 951868800LL * kSec);  // after a 400-year leap day
  EXPECT_EQ(Parse("2024-02-29T12:00:00Z"), 1709208000LL * kSec);
}

TEST(ParseTimeTest, Rfc3339FractionsAndOffsets) {
  EXPECT_EQ(Parse("2026-11-23T10:00:00.5Z"), kT0 + 500000000);
  EXPECT_EQ(Parse("2026-11-23T10:00:00.123Z"), kT0 + 123000000);
  EXPECT_EQ(Parse("2026-11-23T10:00:00.123456789Z"), kT0 + 123456789);
  EXPECT_EQ(Parse("2026-11-23T10:00:00.1234567891234Z"), kT0 + 123456789);  // extra digits dropped
  EXPECT_EQ(Parse("2026-11-23T11:00:00+01:00"), kT0);
  EXPECT_EQ(Parse("2026-11-23T04:30:00-05:30"), kT0);
  EXPECT_EQ(Parse("2026-11-23T10:00:00+00:00"), kT0);
  EXPECT_EQ(Parse("2026-11-23T10:00:00-00:00"), kT0);
  EXPECT_EQ(Parse("2026-11-24T00:00:00.25+14:00"), kT0 + 250000000);
}

TEST(ParseTimeTest, BareDateIsMidnightUtc) {
  EXPECT_EQ(Parse("2026-11-23"), kT0 - 10 * 3600 * kSec);
}

TEST(ParseTimeTest, Relative) {
  EXPECT_EQ(Parse("now"), kNow);
  EXPECT_EQ(Parse("NOW"), kNow);
  EXPECT_EQ(Parse("90s ago"), kNow - 90 * kSec);
  EXPECT_EQ(Parse("5m ago"), kNow - 300 * kSec);
  EXPECT_EQ(Parse("1h ago"), kNow - 3600 * kSec);
  EXPECT_EQ(Parse("2d ago"), kNow - 2 * 86400 * kSec);
  EXPECT_EQ(Parse("1w ago"), kNow - 7 * 86400 * kSec);
  EXPECT_EQ(Parse("250ms ago"), kNow - 250000000);
  EXPECT_EQ(Parse("1h30m ago"), kNow - 5400 * kSec);
  EXPECT_EQ(Parse("1h 30m ago"), kNow - 5400 * kSec);
  EXPECT_EQ(Parse("2 days ago"), kNow - 2 * 86400 * kSec);
  EXPECT_EQ(Parse("3 Hours Ago"), kNow - 3 * 3600 * kSec);
  EXPECT_EQ(Parse("0s ago"), kNow);
}

TEST(ParseTimeTest, RawNanoseconds) {
  EXPECT_EQ(Parse("0"), 0);
  EXPECT_EQ(Parse("1795465469006954192"), 1795465469006954192LL);
  EXPECT_EQ(Parse("9223372036854775807"), INT64_MAX);
  EXPECT_THAT(Error("9223372036854775808"), HasSubstr("out of range"));
}

TEST(ParseTimeTest, BadTimesSayWhatIsAccepted) {
  for (const char* bad : {"", "   ", "yesterday", "ago", "5 ago", "5x ago", "h ago", "-5", "1.5h ago",
                          "in 5m", "m5", "2026-11-23T10:00:00", "2026-11-23T10:00Z",
                          "2026-11-23T10:00:00.Z", "2026-11-23T10:00:00Zjunk",
                          "2026-11-23T10:00:00+0100", "2026/11/23", "2026-1-23",
                          "12:00:00", "0x10"}) {
    std::string e = Error(bad);
    EXPECT_THAT(e, HasSubstr("RFC 3339")) << bad;
    EXPECT_THAT(e, HasSubstr("ago")) << bad;
  }
}

// A duration alone is that long ago, as --from 1h is typed.
TEST(ParseTimeTest, ADurationAloneIsThatLongAgo) {
  EXPECT_EQ(Parse("5m"), kNow - 5 * 60 * kSec);
  EXPECT_EQ(Parse("1h"), Parse("1h ago"));
  EXPECT_EQ(Parse("7d"), kNow - 7 * 86400 * kSec);
  EXPECT_EQ(Parse("1h30m"), Parse("90m ago"));
}

TEST(ParseTimeTest, ImpossibleDatesAreErrors) {
  EXPECT_THAT(Error("2026-02-29T00:00:00Z"), HasSubstr("day out of range"));
  EXPECT_THAT(Error("2026-04-31T00:00:00Z"), HasSubstr("day out of range"));
  EXPECT_THAT(Error("2026-13-01T00:00:00Z"), HasSubstr("month out of range"));
  EXPECT_THAT(Error("2026-00-01T00:00:00Z"), HasSubstr("month out of range"));
  EXPECT_THAT(Error("2026-11-23T24:00:00Z"), HasSubstr("time of day out of range"));
  EXPECT_THAT(Error("2026-11-23T10:60:00Z"), HasSubstr("time of day out of range"));
  EXPECT_THAT(Error("2026-11-23T10:00:00+24:00"), HasSubstr("offset out of range"));
  EXPECT_THAT(Error("9999-01-01T00:00:00Z"), HasSubstr("out of range"));  // beyond int64 ns
  EXPECT_THAT(Error("99999999999999999999d ago"), HasSubstr("RFC 3339"));
}

TEST(FormatRfc3339Test, UtcWithMilliseconds) {
  EXPECT_EQ(FormatRfc3339Ms(kT0), "2026-11-23T10:00:00.000Z");
  EXPECT_EQ(FormatRfc3339Ms(kT0 + 123999999), "2026-11-23T10:00:00.123Z");
  EXPECT_EQ(FormatRfc3339Ms(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatRfc3339Ms(-1), "1969-12-31T23:59:59.999Z");
}

// One formatter for every precision: truncated, never rounded, and the
// second before the epoch for negative times.
TEST(FormatRfc3339Test, AnyNumberOfDigits) {
  EXPECT_EQ(FormatRfc3339Us(kT0 + 123456999), "2026-11-23T10:00:00.123456Z");
  EXPECT_EQ(FormatRfc3339Us(-1), "1969-12-31T23:59:59.999999Z");
  EXPECT_EQ(FormatRfc3339(kT0 + 999999999, 0), "2026-11-23T10:00:00Z");
  EXPECT_EQ(FormatRfc3339(kT0 + 7, 9), "2026-11-23T10:00:00.000000007Z");
}

TEST(FormatRfc3339Test, RoundTrips) {
  for (int64_t t : {kT0, kT0 + 1000000, int64_t{951868800} * kSec + 999000000})
    EXPECT_EQ(Parse(FormatRfc3339Ms(t)), t);
}

TEST(NowTest, IsRecent) {
  EXPECT_GT(NowNs(), kT0 - 365LL * 86400 * kSec * 10);  // sanity: after 2016
}

}  // namespace
}  // namespace warden::forensics
