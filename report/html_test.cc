#include "report/html.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace warden::report {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(HtmlTest, EscapesText) {
  EXPECT_EQ(EscapeHtml("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&#39;");
  EXPECT_EQ(EscapeHtml("/usr/bin/cc"), "/usr/bin/cc");
}

TEST(HtmlTest, JsonCannotEndItsScriptElement) {
  const std::string json = R"({"exe":"</script><script>alert(1)</script>","c":"<!--","a":"x&y"})";
  const std::string safe = ScriptSafeJson(json);
  EXPECT_THAT(safe, Not(HasSubstr("<")));
  EXPECT_THAT(safe, Not(HasSubstr(">")));
  EXPECT_EQ(safe, R"({"exe":"\u003c/script\u003e\u003cscript\u003ealert(1)\u003c/script\u003e","c":"\u003c!--","a":"x\u0026y"})");
}

TEST(HtmlTest, Durations) {
  EXPECT_EQ(FormatDuration(0), "0 ns");
  EXPECT_EQ(FormatDuration(850000), "850 us");
  EXPECT_EQ(FormatDuration(12345678), "12.3 ms");
  EXPECT_EQ(FormatDuration(4560000000), "4.56 s");
  EXPECT_EQ(FormatDuration(int64_t{200} * 1000000000), "3 min 20 s");
  EXPECT_EQ(FormatDuration(int64_t{7500} * 1000000000), "2 h 5 min");
}

TEST(HtmlTest, Counts) {
  EXPECT_EQ(FormatCount(0), "0");
  EXPECT_EQ(FormatCount(999), "999");
  EXPECT_EQ(FormatCount(1000), "1,000");
  EXPECT_EQ(FormatCount(1234567), "1,234,567");
  EXPECT_EQ(FormatCount(-4200), "-4,200");
}

// A report of nothing (a run not started) still is a whole page.
TEST(HtmlTest, EmptyRunIsAWholePage) {
  ReportData d;
  d.run.id = 3;
  d.run.argv_json = R"(["sleep","1"])";
  d.status = "not started";
  d.files = {FileClass{.name = "read"}, FileClass{.name = "written"}, FileClass{.name = "executed"}};
  d.activity.denials.assign(1, 0);
  for (auto& k : d.activity.by_kind) k.assign(1, 0);
  const std::string html = RenderHtml(d);
  EXPECT_THAT(html, HasSubstr("<title>warden report: run 3 (sleep 1)</title>"));
  EXPECT_THAT(html, HasSubstr("id=\"process-count\" data-value=\"0\""));
  EXPECT_THAT(html, HasSubstr("</html>\n"));
  EXPECT_THAT(html, HasSubstr("\"rows\":[]"));
}

}  // namespace
}  // namespace warden::report
