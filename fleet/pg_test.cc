// The pure parts of fleet/: COPY text, UTF-8 repair, URL redaction, days.
#include "fleet/pg.h"
#include "fleet/pg_schema.h"
#include "gtest/gtest.h"

namespace warden::fleet {
namespace {

std::string Copy(std::string_view s) {
  std::string out;
  AppendCopyText(out, s);
  return out;
}

TEST(CopyTextTest, EscapesWhatCopyReadsAndKeepsUtf8) {
  EXPECT_EQ(Copy("/etc/passwd"), "/etc/passwd");
  EXPECT_EQ(Copy("a\tb\nc\rd\\e"), "a\\tb\\nc\\rd\\\\e");
  EXPECT_EQ(Copy("/tmp/caf\xc3\xa9"), "/tmp/caf\xc3\xa9");
  EXPECT_EQ(Copy("\xe2\x82\xac!"), "\xe2\x82\xac!");
  // Not UTF-8: a literal backslash (\\ in COPY text), then xNN.
  EXPECT_EQ(Copy("bad\xff" "end"), "bad\\\\xffend");
  EXPECT_EQ(Copy("\xc3"), "\\\\xc3");            // cut short
  EXPECT_EQ(Copy("\xed\xa0\x80"), "\\\\xed\\\\xa0\\\\x80");  // a surrogate
  EXPECT_EQ(Copy(""), "");
}

TEST(CopyTextTest, ValidUtf8ForParametersAndJson) {
  EXPECT_EQ(ValidUtf8("ok\xc3\xa9"), "ok\xc3\xa9");
  EXPECT_EQ(ValidUtf8("a\xff"), "a\\xff");
  EXPECT_EQ(ValidUtf8("a\xff", true), "a\xef\xbf\xbd");
}

TEST(PgUrlTest, PasswordIsNeverShown) {
  EXPECT_EQ(RedactUrl("postgresql://warden:s3cret@127.0.0.1:5432/db"),
            "postgresql://warden:***@127.0.0.1:5432/db");
  EXPECT_EQ(RedactUrl("postgresql://warden@host/db"), "postgresql://warden@host/db");
  EXPECT_EQ(RedactUrl("host=x dbname=y"), "host=x dbname=y");
}

TEST(PartitionTest, DaysAreUtcDays) {
  constexpr int64_t kDay = 86400LL * 1000000000LL;
  EXPECT_EQ(DayOf(0), 0);
  EXPECT_EQ(DayOf(kDay - 1), 0);
  EXPECT_EQ(DayOf(kDay), 1);
  EXPECT_EQ(DayOf(-1), -1);
  EXPECT_EQ(PartitionName(0), "events_19700101");
  // 2026-12-03T12:00:00Z
  EXPECT_EQ(PartitionName(DayOf(1796299200LL * 1000000000LL)), "events_20261203");
}

}  // namespace
}  // namespace warden::fleet
