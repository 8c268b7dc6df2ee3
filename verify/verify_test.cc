#include "verify/verify.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "verify/test_items.h"

namespace warden::verify {
namespace {

using learn::Kind;
using testing::MakeItem;
using testing::MakeRun;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

ExpectedProfile Profile() {
  ExpectedProfile p;
  p.service = "web";
  p.coverage.min_observation_rate = 0;  // the thresholds of VerifyOptions decide
  p.items = {{Kind::kFileRead, "/usr/bin/app", "/etc/app.conf", false, "config"},
             {Kind::kFileRead, "/usr/bin/app", "/srv/static/**", false, "content"},
             {Kind::kFileWrite, "/usr/bin/app", "/var/log/app.log", false, ""},
             {Kind::kExec, "*", "/usr/bin/app", false, ""},
             {Kind::kConnect, "app", "10.0.0.*:5432", false, "config"},
             {Kind::kListen, "/usr/bin/app", "0.0.0.0:8080", false, ""},
             {Kind::kFileRead, "/usr/bin/app", "/etc/optional.conf", true, "config"}};
  return p;
}

learn::ItemSet AllObserved() {
  learn::ItemSet s;
  s.runs = {MakeRun("w.db", 4)};
  s.items = {MakeItem(Kind::kExec, "/usr/bin/warden", "/usr/bin/app"),
             MakeItem(Kind::kFileRead, "/usr/bin/app", "/etc/app.conf"),
             MakeItem(Kind::kFileRead, "/usr/bin/app", "/srv/static/css/site.css"),
             MakeItem(Kind::kFileRead, "/usr/bin/app", "/srv/static/index.html"),
             MakeItem(Kind::kFileWrite, "/usr/bin/app", "/var/log/app.log"),
             MakeItem(Kind::kConnect, "/usr/bin/app", "10.0.0.9:5432"),
             MakeItem(Kind::kListen, "/usr/bin/app", "0.0.0.0:8080")};
  return s;
}

TEST(VerifyTest, EverythingObservedIsOk) {
  Report r = Verify(Profile(), AllObserved(), {});
  EXPECT_EQ(r.overall.expected, 6);  // the optional item is not counted
  EXPECT_EQ(r.overall.observed, 6);
  EXPECT_EQ(r.overall.value(), 1.0);
  EXPECT_EQ(r.optional.expected, 1);
  EXPECT_EQ(r.optional.observed, 0);
  EXPECT_TRUE(r.missing.empty());
  EXPECT_TRUE(r.unexpected.empty());
  EXPECT_EQ(r.status, Status::kOk);
  EXPECT_TRUE(r.findings.empty());
  EXPECT_EQ(ExitCode(r.status), 0);
}

TEST(VerifyTest, RatesPerKindAndTag) {
  learn::ItemSet s = AllObserved();
  s.items.erase(s.items.begin() + 5);  // no connect
  s.items.erase(s.items.begin() + 1);  // no /etc/app.conf
  Report r = Verify(Profile(), s, {.warn_below = 0.5, .critical_below = 0.1});
  EXPECT_EQ(r.overall.observed, 4);
  EXPECT_DOUBLE_EQ(r.overall.value(), 4.0 / 6);
  ASSERT_EQ(r.by_kind.size(), 5u);
  EXPECT_EQ(r.by_kind[0].kind, Kind::kFileRead);
  EXPECT_EQ(r.by_kind[0].rate.expected, 2);
  EXPECT_EQ(r.by_kind[0].rate.observed, 1);
  EXPECT_EQ(r.by_kind[3].kind, Kind::kConnect);
  EXPECT_EQ(r.by_kind[3].rate.observed, 0);
  ASSERT_EQ(r.by_tag.size(), 2u);
  EXPECT_EQ(r.by_tag[0].tag, "config");
  EXPECT_EQ(r.by_tag[0].rate.expected, 2);  // the optional one is not counted
  EXPECT_EQ(r.by_tag[0].rate.observed, 0);
  EXPECT_EQ(r.by_tag[1].tag, "content");
  EXPECT_EQ(r.by_tag[1].rate.value(), 1.0);
  ASSERT_EQ(r.missing.size(), 2u);
  EXPECT_EQ(r.missing[0].target, "/etc/app.conf");
  EXPECT_EQ(r.missing[1].target, "10.0.0.*:5432");
  EXPECT_EQ(r.status, Status::kOk);  // 0.67 is above 0.5
}

TEST(VerifyTest, StatusThresholds) {
  learn::ItemSet s = AllObserved();
  s.items.resize(4);  // exec, app.conf, static: 3 of 6 = 0.5
  Report r = Verify(Profile(), s, {});
  EXPECT_EQ(r.status, Status::kWarning);
  EXPECT_THAT(r.findings, ElementsAre(HasSubstr("50.0% (3 of 6 expected items) is below the warning threshold 80.0%")));
  EXPECT_EQ(ExitCode(r.status), 1);
  r = Verify(Profile(), s, {.warn_below = 0.8, .critical_below = 0.51});
  EXPECT_EQ(r.status, Status::kCritical);
  EXPECT_THAT(r.findings[0], HasSubstr("below the critical threshold 51.0%"));
  EXPECT_EQ(ExitCode(r.status), 3);
  r = Verify(Profile(), s, {.warn_below = 0.5, .critical_below = 0.5});  // not below: ok
  EXPECT_EQ(r.status, Status::kOk);
}

TEST(VerifyTest, ProfileMinRateRaisesTheWarningThreshold) {
  ExpectedProfile p = Profile();
  p.coverage.min_observation_rate = 0.95;
  learn::ItemSet s = AllObserved();
  s.items.pop_back();  // 5 of 6
  Report r = Verify(p, s, {.warn_below = 0.5, .critical_below = 0.1});
  EXPECT_EQ(r.warn_below, 0.95);
  EXPECT_EQ(r.status, Status::kWarning);
  p.coverage.min_observation_rate = 0.0;  // the command line decides
  EXPECT_EQ(Verify(p, s, {.warn_below = 0.5, .critical_below = 0.1}).status, Status::kOk);
}

TEST(VerifyTest, UnexpectedItems) {
  learn::ItemSet s = AllObserved();
  s.items.push_back(MakeItem(Kind::kFileRead, "/usr/bin/app", "/etc/shadow", 3, 1'795'000'001'000'000'000));
  s.items.push_back(MakeItem(Kind::kConnect, "/usr/bin/app", "10.0.0.9:22"));          // other port
  s.items.push_back(MakeItem(Kind::kFileRead, "/usr/bin/other", "/etc/app.conf"));      // other program
  s.items.push_back(MakeItem(Kind::kFileWrite, "/usr/bin/app", "/etc/app.conf"));       // other kind
  s.items.push_back(MakeItem(Kind::kFileRead, "/usr/bin/app", "/etc/optional.conf"));  // optional: expected
  Report r = Verify(Profile(), s, {});
  ASSERT_EQ(r.unexpected.size(), 4u);
  EXPECT_EQ(r.unexpected[0].target, "/etc/shadow");
  EXPECT_EQ(r.unexpected[0].count, 3);
  EXPECT_EQ(r.unexpected[0].first_ns, 1'795'000'001'000'000'000);
  EXPECT_EQ(r.unexpected[1].target, "10.0.0.9:22");
  EXPECT_EQ(r.unexpected[2].program, "/usr/bin/other");
  EXPECT_EQ(r.unexpected[3].kind, Kind::kFileWrite);
  EXPECT_EQ(r.optional.observed, 1);
  EXPECT_EQ(r.overall.value(), 1.0);
  EXPECT_EQ(r.status, Status::kWarning);
  EXPECT_THAT(r.findings, ElementsAre(HasSubstr("4 unexpected items observed")));
  ExpectedProfile p = Profile();
  p.coverage.fail_on_unexpected = false;  // listed, not failing
  r = Verify(p, s, {});
  EXPECT_EQ(r.unexpected.size(), 4u);
  EXPECT_EQ(r.status, Status::kOk);
}

TEST(VerifyTest, LostEventsAreAFinding) {
  learn::ItemSet s = AllObserved();
  s.runs = {MakeRun("w.db", 4), MakeRun("w.db", 5, 12)};
  s.lost_events = 12;
  Report r = Verify(Profile(), s, {});
  EXPECT_EQ(r.lost_events, 12u);
  EXPECT_EQ(r.status, Status::kWarning);
  EXPECT_THAT(r.findings, ElementsAre(HasSubstr("run 5 of w.db lost 12 events")));
}

TEST(VerifyTest, NothingExpectedIsRateOne) {
  ExpectedProfile p;
  Report r = Verify(p, learn::ItemSet{}, {});
  EXPECT_EQ(r.overall.value(), 1.0);
  EXPECT_EQ(r.status, Status::kOk);
  r = Verify(Profile(), learn::ItemSet{}, {});
  EXPECT_EQ(r.overall.value(), 0.0);
  EXPECT_EQ(r.status, Status::kCritical);
  EXPECT_EQ(r.missing.size(), 6u);
}

TEST(VerifyTest, GeneralisedTargetsMatchTheirText) {
  ExpectedProfile p;
  p.items = {{Kind::kFileRead, "/bin/ps", "/proc/*/stat", false, ""},
             {Kind::kConnect, "/bin/c", "127.0.0.1:*", false, ""},
             {Kind::kConnect, "/bin/c", "[::1]:8080", false, ""},
             {Kind::kAccept, "/bin/s", "[fe80::*]:*", false, ""}};
  learn::ItemSet s;
  s.items = {MakeItem(Kind::kFileRead, "/bin/ps", "/proc/*/stat"),  // the generaliser's own pattern
             MakeItem(Kind::kConnect, "/bin/c", "127.0.0.1:*"),
             MakeItem(Kind::kConnect, "/bin/c", "[::1]:8080"),
             MakeItem(Kind::kAccept, "/bin/s", "[fe80::1]:443")};
  Report r = Verify(p, s, {});
  EXPECT_EQ(r.overall.observed, 4);
  EXPECT_TRUE(r.unexpected.empty());
  s.items = {MakeItem(Kind::kConnect, "/bin/c", "[::2]:8080"), MakeItem(Kind::kConnect, "/bin/c", "127.0.0.2:80")};
  r = Verify(p, s, {});
  EXPECT_EQ(r.unexpected.size(), 2u);
}

}  // namespace
}  // namespace warden::verify
