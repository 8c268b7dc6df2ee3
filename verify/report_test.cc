#include "verify/report.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "store/json.h"
#include "verify/test_items.h"

namespace warden::verify {
namespace {

using learn::Kind;
using testing::MakeItem;
using testing::MakeRun;
using ::testing::HasSubstr;
using ::testing::Not;

Report Sample() {
  ExpectedProfile p;
  p.service = "web";
  p.coverage.min_observation_rate = 0;
  p.items = {{Kind::kFileRead, "/usr/bin/app", "/etc/app.conf", false, "config"},
             {Kind::kConnect, "/usr/bin/app", "[::1]:5432", false, "db"},
             {Kind::kExec, "*", "/usr/bin/app", true, ""}};
  learn::ItemSet s;
  s.runs = {MakeRun("w.db", 4, 3)};
  s.lost_events = 3;
  s.items = {MakeItem(Kind::kFileRead, "/usr/bin/app", "/etc/app.conf"),
             MakeItem(Kind::kFileRead, "/usr/bin/app", "/etc/caf\xe9\x01", 7, 1'795'000'001'250'000'000)};
  return Verify(p, s, {});
}

TEST(ReportTest, TextShowsStatusRatesAndItems) {
  std::string t = ReportText(Sample(), "exp.json");
  EXPECT_THAT(t, HasSubstr("service web, expected profile exp.json\nstatus: warning\n"));
  EXPECT_THAT(t, HasSubstr("  - observation rate 50.0% (1 of 2 expected items) is below the warning threshold 80.0%"));
  EXPECT_THAT(t, HasSubstr("  - 1 unexpected item observed"));
  EXPECT_THAT(t, HasSubstr("  - run 4 of w.db lost 3 events"));
  EXPECT_THAT(t, HasSubstr("  overall       50.0%  1 of 2\n"
                           "  file-read    100.0%  1 of 1\n"
                           "  connect        0.0%  0 of 1\n"  // no exec: its only item is optional
                           "  tag config   100.0%  1 of 1\n"
                           "  tag db         0.0%  0 of 1\n"));
  EXPECT_THAT(t, HasSubstr("  optional items: 0 of 1 observed\n"));
  EXPECT_THAT(t, HasSubstr("missing: expected, not observed (1):\n  connect  /usr/bin/app  [::1]:5432  tag db\n"));
  // Bytes that are not UTF-8 and control characters are shown as \xNN.
  EXPECT_THAT(t, HasSubstr("  file-read  /usr/bin/app  /etc/caf\\xe9\\x01  7      2026-11-18T11:06:41.250Z\n"));
  EXPECT_THAT(t, Not(HasSubstr("\x01")));
}

TEST(ReportTest, JsonIsValidAndComplete) {
  std::string text = ReportJson(Sample(), "exp.json");
  auto j = nlohmann::json::parse([&] { std::string r; return store::RewriteByteEscapes(text, r) ? r : text; }());
  EXPECT_EQ(j["status"], "warning");
  EXPECT_EQ(j["findings"].size(), 3u);
  EXPECT_EQ(j["observation"]["rate"], 0.5);
  EXPECT_EQ(j["observation"]["expected"], 2);
  EXPECT_EQ(j["optional"]["expected"], 1);
  EXPECT_EQ(j["by_kind"][1]["kind"], "connect");
  EXPECT_EQ(j["by_kind"][1]["rate"], 0);
  EXPECT_EQ(j["by_tag"][0]["tag"], "config");
  EXPECT_EQ(j["missing"][0]["peer"], "[::1]:5432");
  EXPECT_EQ(j["missing"][0]["tag"], "db");
  EXPECT_EQ(store::WithBytesRestored(j["unexpected"][0]["path"].get<std::string>()), "/etc/caf\xe9\x01");
  EXPECT_EQ(j["unexpected"][0]["count"], 7);
  EXPECT_EQ(j["unexpected"][0]["first_seen"], "2026-11-18T11:06:41.250Z");
  EXPECT_EQ(j["runs"][0]["lost_events"], 3);
  EXPECT_EQ(j["lost_events"], 3);
  EXPECT_EQ(j["thresholds"]["warn_below"], 0.8);
  EXPECT_EQ(j["thresholds"]["fail_on_unexpected"], true);
  EXPECT_THAT(text, HasSubstr(R"("path": "/etc/caf\udce9\u0001")"));
  EXPECT_EQ(text.back(), '\n');
}

}  // namespace
}  // namespace warden::verify
