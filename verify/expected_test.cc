#include "verify/expected.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace warden::verify {
namespace {

using ::testing::HasSubstr;
using learn::Kind;

ExpectedProfile Sample() {
  ExpectedProfile p;
  p.service = "web";
  p.generated_from = {{"a.db", "b.db"}, {{"a.db", 3}, {"b.db", 1}}, "0.1.0", "2026-11-23T10:00:00.000Z"};
  p.coverage = {0.75, false};
  p.items = {{Kind::kFileRead, "/usr/bin/cat", "/etc/hosts", false, "config"},
             {Kind::kFileWrite, "/usr/bin/cat", "/tmp/caf\xe9", true, ""},
             {Kind::kExec, "/bin/sh", "/usr/bin/*", false, ""},
             {Kind::kConnect, "/usr/bin/curl", "[::1]:*", false, "net"},
             {Kind::kListen, "*", "0.0.0.0:8080", false, ""},
             {Kind::kAccept, "nginx", "10.0.0.7:443", true, "net"}};
  return p;
}

void ExpectSame(const ExpectedProfile& a, const ExpectedProfile& b) {
  EXPECT_EQ(a.service, b.service);
  EXPECT_EQ(a.generated_from.databases, b.generated_from.databases);
  ASSERT_EQ(a.generated_from.runs.size(), b.generated_from.runs.size());
  for (size_t i = 0; i < a.generated_from.runs.size(); ++i) {
    EXPECT_EQ(a.generated_from.runs[i].db, b.generated_from.runs[i].db);
    EXPECT_EQ(a.generated_from.runs[i].run, b.generated_from.runs[i].run);
  }
  EXPECT_EQ(a.generated_from.warden_version, b.generated_from.warden_version);
  EXPECT_EQ(a.generated_from.generated, b.generated_from.generated);
  EXPECT_EQ(a.coverage.min_observation_rate, b.coverage.min_observation_rate);
  EXPECT_EQ(a.coverage.fail_on_unexpected, b.coverage.fail_on_unexpected);
  ASSERT_EQ(a.items.size(), b.items.size());
  for (size_t i = 0; i < a.items.size(); ++i) {
    EXPECT_EQ(a.items[i].kind, b.items[i].kind) << i;
    EXPECT_EQ(a.items[i].program, b.items[i].program) << i;
    EXPECT_EQ(a.items[i].target, b.items[i].target) << i;
    EXPECT_EQ(a.items[i].optional, b.items[i].optional) << i;
    EXPECT_EQ(a.items[i].tag, b.items[i].tag) << i;
  }
}

TEST(ExpectedTest, WriteThenReadGivesTheSameProfileAndBytes) {
  std::string text = WriteExpected(Sample());
  auto back = ParseExpected(text, "x.json");
  ASSERT_TRUE(back.ok()) << back.status();
  ExpectSame(Sample(), *back);
  EXPECT_EQ(WriteExpected(*back), text);
}

TEST(ExpectedTest, TheDocumentIsStable) {
  ExpectedProfile p;
  p.service = "s";
  p.generated_from = {{"w.db"}, {{"w.db", 2}}, "0.1.0", "2026-11-23T10:00:00.000Z"};
  p.items = {{Kind::kFileRead, "/bin/cat", "/etc/caf\xe9", false, ""},
             {Kind::kConnect, "/bin/nc", "127.0.0.1:80", true, "t"}};
  EXPECT_EQ(WriteExpected(p), R"({
  "schema_version": 1,
  "service": "s",
  "generated_from": {
    "databases": ["w.db"],
    "runs": [{"db": "w.db", "run": 2}],
    "warden_version": "0.1.0",
    "generated": "2026-11-23T10:00:00.000Z"
  },
  "coverage": {"min_observation_rate": 0.8, "fail_on_unexpected": true},
  "items": [
    {"kind": "file-read", "program": "/bin/cat", "path": "/etc/caf\udce9"},
    {"kind": "connect", "program": "/bin/nc", "peer": "127.0.0.1:80", "optional": true, "tag": "t"}
  ]
}
)");
  p.items.clear();
  EXPECT_THAT(WriteExpected(p), HasSubstr("\"items\": []\n}"));
  EXPECT_TRUE(ParseExpected(WriteExpected(p), "e.json").ok());
}

TEST(ExpectedTest, MinimalHandWrittenProfileGetsDefaults) {
  auto p = ParseExpected(R"({"schema_version": 1, "service": "x", "items": [
      {"kind": "exec", "program": "*", "path": "/usr/bin/\udcff"}]})", "m.json");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->coverage.min_observation_rate, 0.8);
  EXPECT_TRUE(p->coverage.fail_on_unexpected);
  ASSERT_EQ(p->items.size(), 1u);
  EXPECT_EQ(p->items[0].target, "/usr/bin/\xff");
  EXPECT_FALSE(p->items[0].optional);
}

std::string Error(std::string_view text) {
  auto p = ParseExpected(text, "e.json");
  EXPECT_FALSE(p.ok());
  return p.ok() ? "" : std::string(p.status().message());
}

TEST(ExpectedTest, NotJsonNamesLineAndColumn) {
  EXPECT_THAT(Error("{\n  \"schema_version\": 1,\n  \"service\": x\n}"), HasSubstr("e.json:3:14: not JSON"));
  // Columns count the text as written, before the byte escapes are rewritten.
  EXPECT_THAT(Error("[\"\\udce9\\udce9\", x]"), HasSubstr("e.json:1:18: not JSON"));
  EXPECT_THAT(Error(""), HasSubstr("e.json:1:1: not JSON"));
}

TEST(ExpectedTest, SchemaVersion) {
  EXPECT_THAT(Error(R"({"service": "x", "items": []})"), HasSubstr("e.json: missing field 'schema_version'"));
  EXPECT_THAT(Error(R"({"schema_version": 2, "service": "x", "items": []})"),
              HasSubstr("e.json: schema_version 2 is not supported: this warden reads version 1"));
  EXPECT_THAT(Error(R"({"schema_version": "1", "service": "x", "items": []})"),
              HasSubstr("schema_version \"1\" is not supported"));
  EXPECT_THAT(Error("[1]"), HasSubstr("the top level must be a JSON object"));
}

TEST(ExpectedTest, FieldsAndKinds) {
  auto doc = [](std::string item) {
    return R"({"schema_version": 1, "service": "x", "items": [)" + item + "]}";
  };
  EXPECT_THAT(Error(R"({"schema_version": 1, "service": "x"})"), HasSubstr("missing field 'items'"));
  EXPECT_THAT(Error(R"({"schema_version": 1, "items": []})"), HasSubstr("missing field 'service'"));
  EXPECT_THAT(Error(R"({"schema_version": 1, "service": "x", "items": [], "extra": 1})"),
              HasSubstr("unknown key 'extra'"));
  EXPECT_THAT(Error(doc(R"({"kind": "file-exec", "program": "*", "path": "/a"})")),
              HasSubstr("e.json: items[0]: unknown kind 'file-exec' (kinds: file-read"));
  EXPECT_THAT(Error(doc(R"({"kind": "exec", "path": "/a"})")), HasSubstr("items[0]: missing field 'program'"));
  EXPECT_THAT(Error(doc(R"({"kind": "exec", "program": "*"})")), HasSubstr("items[0]: missing field 'path'"));
  EXPECT_THAT(Error(doc(R"({"kind": "connect", "program": "*", "path": "/a"})")),
              HasSubstr("a connect item has a 'peer', not a 'path'"));
  EXPECT_THAT(Error(doc(R"({"kind": "connect", "program": "*", "peer": "::1:80"})")),
              HasSubstr("peer '::1:80' is not ADDRESS:PORT"));
  EXPECT_THAT(Error(doc(R"({"kind": "listen", "program": "*", "peer": "1.2.3.4:99999"})")),
              HasSubstr("is not ADDRESS:PORT"));
  EXPECT_THAT(Error(doc(R"({"kind": "exec", "program": "*", "path": "/a[b"})")), HasSubstr("items[0]: path:"));
  EXPECT_THAT(Error(doc(R"({"kind": "exec", "program": "*", "path": "/a", "optinal": true})")),
              HasSubstr("items[0]: unknown key 'optinal'"));
  EXPECT_THAT(Error(doc(R"({"kind": "exec", "program": "*", "path": "/a", "optional": "yes"})")),
              HasSubstr("'optional' must be true or false"));
  EXPECT_THAT(Error(R"({"schema_version": 1, "service": "x", "items": [], "coverage": {"min_observation_rate": 80}})"),
              HasSubstr("e.json: coverage: min_observation_rate must be a number from 0 to 1"));
  EXPECT_THAT(Error(R"({"schema_version": 1, "service": "x", "items": [],
                        "generated_from": {"runs": [{"db": "a"}]}})"),
              HasSubstr("generated_from.runs[0]: 'run' must be a run id"));
}

TEST(ExpectedTest, ReadExpectedNamesAMissingFile) {
  auto p = ReadExpected("/nonexistent/expected.json");
  ASSERT_FALSE(p.ok());
  EXPECT_TRUE(absl::IsNotFound(p.status()));
  EXPECT_THAT(std::string(p.status().message()), HasSubstr("/nonexistent/expected.json"));
}

}  // namespace
}  // namespace warden::verify
