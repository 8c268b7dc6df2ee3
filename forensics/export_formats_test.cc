// Export(): json and csv, time and kind filters; the NDJSON of ExportNdjson
// stays what it was.
#include <sstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "forensics/export.h"
#include "store/store.h"
#include "store/test_util.h"

namespace warden::forensics {
using namespace warden::store;  // the writer, to make databases to read

namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using store::testing::Json;
using store::testing::JsonParser;
using store::testing::TempDir;

// A small RFC 4180 reader: rows of fields.
std::vector<std::vector<std::string>> ParseCsv(const std::string& text, std::string* error) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  size_t i = 0;
  bool quoted = false, any = false;
  while (i < text.size()) {
    char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (c == '"') quoted = false;
      else field += c;
      ++i;
      continue;
    }
    if (c == '"' && field.empty()) {
      quoted = true;
      ++i;
      any = true;
      continue;
    }
    if (c == ',') {
      row.push_back(std::move(field));
      field.clear();
      ++i;
      any = true;
      continue;
    }
    if (c == '\r') {
      if (i + 1 >= text.size() || text[i + 1] != '\n') {
        *error = "CR without LF at " + std::to_string(i);
        return rows;
      }
      row.push_back(std::move(field));
      field.clear();
      rows.push_back(std::move(row));
      row.clear();
      i += 2;
      any = false;
      continue;
    }
    if (c == '\n') {
      *error = "LF without CR at " + std::to_string(i);
      return rows;
    }
    field += c;
    any = true;
    ++i;
  }
  if (any || quoted) *error = "last row has no line end";
  return rows;
}

class ExportFormatsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty());
    auto store = Store::Open(db_);
    ASSERT_TRUE(store.ok()) << store.status();
    Store& s = **store;
    ASSERT_TRUE(s.BeginRun(RunInfo{.argv = {"sh"}, .cwd = "/w", .host = "h",
                                   .warden_version = "0", .start_ns = 90})
                    .ok());
    s.Submit(ProcessStart{.ts_ns = 100, .pid = 10, .ppid = 1, .tgid = 10, .exe = "/bin/sh",
                          .argv = {"sh", "-c", "echo \"a,b\""}, .cwd = "/w"});
    s.Submit(FileEvent{.ts_ns = 200, .pid = 10, .exe = "/bin/sh", .syscall = "openat",
                       .path = "/tmp/a,b \"q\"\nx", .op = "read", .flags = "O_RDONLY", .result = 3});
    s.Submit(NetEvent{.ts_ns = 300, .pid = 10, .exe = "/bin/sh", .syscall = "connect",
                      .op = "connect", .family = "AF_INET", .sock_type = "SOCK_STREAM",
                      .direction = "outbound", .address = "10.0.0.1", .port = 80, .fd = 3,
                      .err = 111});
    s.Submit(PolicyEvent{.ts_ns = 300, .pid = 10, .exe = "/bin/sh", .abi = "x86_64", .nr = 42,
                         .syscall = "connect", .args = "3, {AF_INET, 10.0.0.1:80}, 16",
                         .action = "deny", .rule = "no-net", .mode = "active",
                         .category = "network-outbound", .target = "10.0.0.1:80", .err = 13});
    s.Submit(ProcessEnd{.ts_ns = 400, .pid = 10, .exit_code = 0});
    ASSERT_TRUE(s.FinishRun({.end_ns = 500, .exit_code = 0}).ok());
    ASSERT_TRUE(s.BeginRun(RunInfo{.argv = {"cat"}, .cwd = "/w", .host = "h",
                                   .warden_version = "0", .start_ns = 1000})
                    .ok());
    s.Submit(FileEvent{.ts_ns = 1100, .pid = 20, .exe = "/bin/cat", .syscall = "openat",
                       .path = "/etc/hosts", .op = "read", .result = 3});
    ASSERT_TRUE(s.FinishRun({.end_ns = 1200, .exit_code = 0}).ok());
  }

  std::string Run(const ExportOptions& o) {
    std::ostringstream out;
    absl::Status s = Export(db_, o, out);
    EXPECT_TRUE(s.ok()) << s;
    return out.str();
  }

  TempDir dir_;
  std::string db_ = dir_.File("w.db");
};

TEST_F(ExportFormatsTest, NdjsonIsExportNdjson) {
  std::ostringstream plain;
  ASSERT_TRUE(ExportNdjson(db_, std::nullopt, plain).ok());
  EXPECT_EQ(Run({}), plain.str());
  std::ostringstream one;
  ASSERT_TRUE(ExportNdjson(db_, 2, one).ok());
  EXPECT_EQ(Run({.run_id = 2}), one.str());
  EXPECT_EQ(one.str(),
            "{\"run\":2,\"ts\":1100,\"time\":\"1970-01-01T00:00:00.000001100Z\",\"pid\":20,\"exe\":\"/bin/cat\",\"kind\":\"file\","
            "\"syscall\":\"openat\",\"path\":\"/etc/hosts\",\"op\":\"read\",\"result\":3,"
            "\"errno\":0,\"action\":\"allow\"}\n");
}

TEST_F(ExportFormatsTest, JsonIsOneArrayOfTheNdjsonObjects) {
  std::string ndjson = Run({});
  std::string json = Run({.format = ExportFormat::kJson});
  std::string error;
  auto v = JsonParser::Parse(json, &error);
  ASSERT_TRUE(v) << error << "\n" << json;
  ASSERT_EQ(v->type, Json::kArray);
  std::istringstream lines(ndjson);
  std::string line;
  size_t i = 0;
  while (std::getline(lines, line)) {
    ASSERT_LT(i, v->items.size());
    auto obj = JsonParser::Parse(line);
    ASSERT_TRUE(obj);
    EXPECT_EQ(v->items[i].members.size(), obj->members.size()) << line;
    EXPECT_EQ(v->items[i].Str("kind"), obj->Str("kind"));
    EXPECT_EQ(v->items[i].Int("ts"), obj->Int("ts"));
    // The array holds the very same text, one object per line.
    EXPECT_THAT(json, HasSubstr(line));
    ++i;
  }
  EXPECT_EQ(i, v->items.size());
  EXPECT_EQ(json.substr(0, 2), "[\n");
  EXPECT_EQ(json.substr(json.size() - 3), "\n]\n");
  // Nothing selected: still a valid (empty) array.
  auto empty = JsonParser::Parse(Run({.from_ns = 5000, .format = ExportFormat::kJson}));
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->type, Json::kArray);
  EXPECT_TRUE(empty->items.empty());
}

TEST_F(ExportFormatsTest, CsvHasTheUnionOfColumnsAndQuotes) {
  std::string csv = Run({.run_id = 1, .format = ExportFormat::kCsv});
  std::string error;
  auto rows = ParseCsv(csv, &error);
  ASSERT_EQ(error, "") << csv;
  ASSERT_EQ(rows.size(), 1u + 5u) << csv;  // header + start, file, net, policy, exit
  std::vector<std::string> columns = CsvColumns();
  EXPECT_EQ(rows[0], columns);
  for (const auto& r : rows) ASSERT_EQ(r.size(), columns.size()) << csv;
  auto col = [&](std::string_view name) {
    return static_cast<size_t>(std::find(columns.begin(), columns.end(), name) - columns.begin());
  };
  // In time order, each kind's own fields filled, the others empty.
  EXPECT_EQ(rows[1][col("kind")], "process");
  EXPECT_EQ(rows[1][col("op")], "start");
  EXPECT_EQ(rows[1][col("argv")], "[\"sh\",\"-c\",\"echo \\\"a,b\\\"\"]");
  EXPECT_EQ(rows[1][col("path")], "");
  EXPECT_EQ(rows[2][col("kind")], "file");
  EXPECT_EQ(rows[2][col("path")], "/tmp/a,b \"q\"\nx");  // quoted, quotes doubled, newline kept
  EXPECT_EQ(rows[2][col("result")], "3");
  EXPECT_EQ(rows[3][col("kind")], "policy");
  EXPECT_EQ(rows[3][col("rule")], "no-net");
  EXPECT_EQ(rows[3][col("enforced")], "true");
  EXPECT_EQ(rows[4][col("kind")], "net");
  EXPECT_EQ(rows[4][col("addr")], "10.0.0.1");
  EXPECT_EQ(rows[4][col("port")], "80");
  EXPECT_EQ(rows[4][col("errno_name")], "ECONNREFUSED");
  EXPECT_EQ(rows[5][col("op")], "exit");
  EXPECT_EQ(rows[5][col("exit_code")], "0");
  for (size_t i = 1; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i][col("run")], "1");
    EXPECT_EQ(rows[i][col("pid")], "10");
    EXPECT_EQ(rows[i][col("exe")], "/bin/sh");
  }
  EXPECT_THAT(csv, HasSubstr("\"/tmp/a,b \"\"q\"\"\nx\""));
}

TEST_F(ExportFormatsTest, TimeAndKindFilters) {
  auto kinds_of = [](const std::string& ndjson) {
    std::vector<std::string> out;
    std::istringstream in(ndjson);
    std::string line;
    while (std::getline(in, line)) {
      auto v = JsonParser::Parse(line);
      out.push_back(v ? v->Str("kind") + "@" + std::to_string(v->Int("ts")) : "?");
    }
    return out;
  };
  // Bounds are inclusive; process starts and exits by their own times.
  EXPECT_THAT(kinds_of(Run({.from_ns = 200, .to_ns = 400})),
              ElementsAre("file@200", "policy@300", "net@300", "process@400"));
  EXPECT_THAT(kinds_of(Run({.to_ns = 100})), ElementsAre("process@100"));
  EXPECT_THAT(kinds_of(Run({.from_ns = 1000})), ElementsAre("file@1100"));
  EXPECT_THAT(kinds_of(Run({.kinds = {"file"}})), ElementsAre("file@200", "file@1100"));
  EXPECT_THAT(kinds_of(Run({.run_id = 1, .kinds = {"net", "process"}})),
              ElementsAre("process@100", "net@300", "process@400"));
  EXPECT_THAT(kinds_of(Run({.kinds = {"policy_change"}})), ElementsAre());
}

TEST_F(ExportFormatsTest, ParseKinds) {
  auto k = ParseKinds("file,net,policy_change");
  ASSERT_TRUE(k.ok());
  EXPECT_THAT(*k, ElementsAre("file", "net", "policy_change"));
  EXPECT_THAT(std::string(ParseKinds("file,files").status().message()),
              HasSubstr("unknown kind 'files'; kinds: process, exec, file, net, syscall, policy, "
                        "policy_change"));
  EXPECT_FALSE(ParseKinds("").ok());
  EXPECT_FALSE(ParseKinds("file,").ok());
}

TEST_F(ExportFormatsTest, BadInput) {
  std::ostringstream out;
  EXPECT_EQ(Export(dir_.File("none.db"), {}, out).code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(Export(db_, {.run_id = 9}, out).code(), absl::StatusCode::kNotFound);
  std::string path = dir_.File("notes.txt");
  FILE* f = fopen(path.c_str(), "w");
  fputs("shopping list, not a database, but long enough to be read as a header.\n"
        "more text more text more text more text more text more text more text\n", f);
  fclose(f);
  absl::Status s = Export(path, {}, out);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(s.message()), HasSubstr("not a warden database"));
  EXPECT_EQ(out.str(), "");
}

}  // namespace
}  // namespace warden::forensics
