#include "verify/expect.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "verify/test_items.h"

namespace warden::verify {
namespace {

using learn::Kind;
using testing::MakeItem;
using testing::MakeRun;
using ::testing::HasSubstr;

learn::ItemSet Sample() {
  learn::ItemSet s;
  s.runs = {MakeRun("a.db", 2), MakeRun("b.db", 7), MakeRun("a.db", 3)};
  s.runs[2].end_ns = std::nullopt;
  s.items = {MakeItem(Kind::kExec, "/usr/bin/bash", "/usr/bin/make", 1, 1'795'000'000'500'000'000),
             MakeItem(Kind::kExec, "/usr/bin/warden", "/usr/bin/bash", 1, 1'795'000'000'100'000'000),
             MakeItem(Kind::kFileRead, "/usr/bin/make", "/etc/hosts"),
             MakeItem(Kind::kFileRead, "/usr/bin/make", "/srv/app/conf.d/a.conf"),
             MakeItem(Kind::kConnect, "/usr/bin/make", "10.0.0.1:443")};
  s.items[4].last_ns = 1'795'000'009'000'000'000;  // the newest observation
  return s;
}

TEST(ExpectTest, OneExpectedItemPerItemInOrder) {
  ExpectOptions o;
  o.service = "build";
  o.warden_version = "9.9";
  o.coverage = {0.9, false};
  auto p = MakeExpected(Sample(), o);
  EXPECT_EQ(p.service, "build");
  EXPECT_EQ(p.coverage.min_observation_rate, 0.9);
  EXPECT_FALSE(p.coverage.fail_on_unexpected);
  ASSERT_EQ(p.items.size(), 5u);
  EXPECT_EQ(p.items[0].program, "/usr/bin/bash");
  EXPECT_EQ(p.items[4].kind, Kind::kConnect);
  EXPECT_EQ(p.items[4].target, "10.0.0.1:443");
  EXPECT_EQ(p.generated_from.databases, (std::vector<std::string>{"a.db", "b.db"}));
  ASSERT_EQ(p.generated_from.runs.size(), 3u);
  EXPECT_EQ(p.generated_from.runs[1].db, "b.db");
  EXPECT_EQ(p.generated_from.runs[1].run, 7);
  EXPECT_EQ(p.generated_from.warden_version, "9.9");
}

TEST(ExpectTest, SameRunsSameBytes) {
  ExpectOptions o;
  EXPECT_EQ(WriteExpected(MakeExpected(Sample(), o)), WriteExpected(MakeExpected(Sample(), o)));
}

TEST(ExpectTest, GeneratedIsTheNewestDataNotTheClock) {
  EXPECT_EQ(GeneratedTime(Sample()), "2026-11-18T11:06:49.000Z");
  learn::ItemSet s;
  s.runs = {MakeRun("a.db", 1)};
  EXPECT_EQ(GeneratedTime(s), "2026-11-18T11:06:45.000Z");  // the run's end
}

TEST(ExpectTest, DefaultServiceIsTheFirstProgramExecuted) {
  EXPECT_EQ(DefaultService(Sample()), "bash");
  EXPECT_EQ(MakeExpected(Sample(), {}).service, "bash");
  EXPECT_EQ(DefaultService(learn::ItemSet{}), "service");
}

TEST(ExpectTest, FirstMatchingTagWins) {
  ExpectOptions o;
  // "/**" matches every path and every program (full paths): it catches the rest.
  o.tags = {*ParseTagRule("conf=/srv/app/**"), *ParseTagRule("etc=/etc/*"), *ParseTagRule("upstream=10.0.0.*:443"),
            *ParseTagRule("all=/**"), *ParseTagRule("shell=bash")};
  auto p = MakeExpected(Sample(), o);
  EXPECT_EQ(p.items[0].tag, "all");   // exec /usr/bin/make
  EXPECT_EQ(p.items[2].tag, "etc");   // /etc/hosts: "all" matches too, "etc" comes first
  EXPECT_EQ(p.items[3].tag, "conf");
  EXPECT_EQ(p.items[4].tag, "upstream");
  o.tags = {*ParseTagRule("shell=bash")};  // a program's base name
  p = MakeExpected(Sample(), o);
  EXPECT_EQ(p.items[0].tag, "shell");
  EXPECT_EQ(p.items[1].tag, "");
  EXPECT_EQ(p.items[2].tag, "");
}

TEST(ExpectTest, OptionalGlobs) {
  ExpectOptions o;
  o.optional = {"/etc/*"};
  auto p = MakeExpected(Sample(), o);
  EXPECT_TRUE(p.items[2].optional);
  EXPECT_FALSE(p.items[3].optional);
}

TEST(ExpectTest, BadTagRules) {
  for (std::string_view bad : {"conf", "=/etc", "conf=", "conf=/etc/[a"}) {
    auto r = ParseTagRule(bad);
    EXPECT_FALSE(r.ok()) << bad;
    EXPECT_THAT(std::string(r.status().message()), HasSubstr("--tag")) << bad;
  }
  auto r = ParseTagRule("a=b=c");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->name, "a");
  EXPECT_EQ(r->glob, "b=c");
}

}  // namespace
}  // namespace warden::verify
