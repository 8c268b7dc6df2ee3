// ReadNdjson on hand-written exports: what becomes an observation, the
// local port of an accept, the run selection, gzip, and bad input.
#include <stdlib.h>
#include <unistd.h>
#include <zlib.h>

#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "learn/observe.h"
#include "learn/observe_test_sink.h"

namespace warden::learn {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class NdjsonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = ::testing::TempDir() + "/observe_ndjson.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { system(("rm -rf '" + dir_ + "'").c_str()); }
  std::string Write(const std::string& name, const std::string& text) {
    std::string path = dir_ + "/" + name;
    std::ofstream(path) << text;
    return path;
  }
  std::string WriteGz(const std::string& name, const std::string& text) {
    std::string path = dir_ + "/" + name;
    gzFile gz = gzopen(path.c_str(), "wb");
    gzwrite(gz, text.data(), static_cast<unsigned>(text.size()));
    gzclose(gz);
    return path;
  }
  std::string dir_;
};

// One export line of run `run` at time `ts`: `rest` are the fields after kind.
std::string L(int run, int ts, std::string_view rest) {
  return fmt::format("{{\"run\":{},\"ts\":{},\"pid\":10,\"exe\":\"/bin/p\",{}}}\n", run, ts, rest);
}

const std::string kFiles =
    L(1, 1, R"("kind":"process","op":"start","ppid":1,"tgid":10,"is_thread":false,"argv":["p"])") +
    L(1, 2, R"("kind":"syscall","syscall":"openat","args":"AT_FDCWD, \"/etc/x\"")") +
    L(1, 2, R"("kind":"file","syscall":"openat","path":"/etc/x","op":"read","flags":"O_RDONLY","errno":0,"action":"allow")") +
    L(1, 3, R"("kind":"file","syscall":"openat","path":"/tmp/y","op":"create","flags":"O_RDWR|O_CREAT","errno":0,"action":"allow")") +
    L(1, 4, R"("kind":"file","syscall":"newfstatat","path":"/etc/x","op":"stat","flags":"0","errno":0)") +
    L(1, 5, R"("kind":"file","syscall":"renameat2","path":"/tmp/y","op":"rename","flags":"0","path2":"/tmp/z","errno":0,"action":"allow")") +
    L(1, 6, R"("kind":"file","syscall":"openat","path":"/etc/shadow","op":"read","flags":"O_RDONLY","errno":13,"errno_name":"EACCES","action":"deny")") +
    L(1, 7, R"("kind":"exec","path":"/bin/q","argv":["q"],"result":0,"errno":0,"action":"allow")") +
    L(1, 8, R"("kind":"process","op":"exit","exit_code":0)");

TEST_F(NdjsonTest, FileAndExecObservationsInOrder) {
  TextSink sink;
  ASSERT_TRUE(ReadNdjson(Write("a.ndjson", kFiles), {}, sink).ok());
  EXPECT_THAT(sink.lines(),
              ElementsAre("0 file-read /bin/p /etc/x", "0 file-read /bin/p /tmp/y",
                          "0 file-write /bin/p /tmp/y", "0 file-write /bin/p /tmp/y",
                          "0 file-write /bin/p /tmp/z", "0 file-read /bin/p /etc/shadow err 13 deny",
                          "0 exec /bin/p /bin/q"));
  ASSERT_EQ(sink.runs().size(), 1u);
  EXPECT_EQ(sink.runs()[0].run, 1);
  EXPECT_EQ(sink.runs()[0].start_ns, 1);
  EXPECT_EQ(sink.runs()[0].end_ns, 8);
  EXPECT_EQ(sink.runs()[0].lost_events, 0u);
}

TEST_F(NdjsonTest, GzipAndPlainGiveTheSame) {
  TextSink plain, gz;
  ASSERT_TRUE(ReadNdjson(Write("a.ndjson", kFiles), {}, plain).ok());
  ASSERT_TRUE(ReadNdjson(WriteGz("a.ndjson.gz", kFiles), {}, gz).ok());
  EXPECT_EQ(plain.lines(), gz.lines());
  EXPECT_EQ(plain.lines().size(), 7u);
}

std::string Net(int ts, int pid, std::string_view op, std::string_view family,
                std::string_view addr, int port, int fd, std::string_view type = "SOCK_STREAM") {
  return fmt::format(
      "{{\"run\":1,\"ts\":{},\"pid\":{},\"exe\":\"/bin/s\",\"kind\":\"net\",\"syscall\":\"{}\","
      "\"op\":\"{}\",\"family\":\"{}\",\"sock_type\":\"{}\",\"direction\":\"x\",\"addr\":\"{}\","
      "{}\"fd\":{},\"result\":0,\"errno\":0,\"action\":\"allow\"}}\n",
      ts, pid, op, op, family, type, addr, port < 0 ? "" : fmt::format("\"port\":{},", port), fd);
}

std::string Start(int ts, int pid, int ppid, int tgid, bool thread) {
  return fmt::format(
      "{{\"run\":1,\"ts\":{},\"pid\":{},\"exe\":\"/bin/s\",\"kind\":\"process\",\"op\":\"start\","
      "\"ppid\":{},\"tgid\":{},\"is_thread\":{}}}\n",
      ts, pid, ppid, tgid, thread ? "true" : "false");
}

TEST_F(NdjsonTest, AcceptGetsTheLocalPortTheSocketListensOn) {
  std::string text = Start(1, 20, 1, 20, false) +
                     Net(2, 20, "bind", "AF_INET", "127.0.0.1", 0, 3) +
                     Net(3, 20, "listen", "AF_INET", "127.0.0.1", 4242, 3) +
                     Net(4, 20, "accept4", "AF_INET", "127.0.0.1", 50000, 3) +
                     // a thread of the same process accepts on the same fd
                     Start(5, 21, 20, 20, true) +
                     Net(6, 21, "accept", "AF_INET", "127.0.0.1", 50001, 3) +
                     // a forked child inherits the listening socket
                     Start(7, 30, 20, 30, false) +
                     Net(8, 30, "accept", "AF_INET", "127.0.0.1", 50002, 3) +
                     // a socket nobody bound: unknown
                     Net(9, 20, "accept", "AF_INET", "127.0.0.1", 50003, 7) +
                     Net(10, 30, "connect", "AF_INET6", "::1", 80, 4) +
                     Net(11, 30, "sendto", "AF_INET", "10.0.0.1", 53, 5, "SOCK_DGRAM") +
                     // a send on a connected socket names no peer
                     Net(12, 30, "sendto", "AF_INET", "", -1, 5, "SOCK_DGRAM") +
                     Net(13, 30, "connect", "AF_UNIX", "/run/x.sock", -1, 6) +
                     Net(14, 30, "recvfrom", "AF_INET", "10.0.0.1", 53, 5, "SOCK_DGRAM") +
                     Net(15, 30, "bind", "AF_INET", "0.0.0.0", 8080, 8);
  TextSink sink;
  ASSERT_TRUE(ReadNdjson(Write("n.ndjson", text), {}, sink).ok());
  EXPECT_THAT(sink.lines(),
              ElementsAre("0 listen /bin/s 127.0.0.1 0 tcp", "0 accept /bin/s 127.0.0.1 4242 tcp",
                          "0 accept /bin/s 127.0.0.1 4242 tcp", "0 accept /bin/s 127.0.0.1 4242 tcp",
                          "0 accept /bin/s 127.0.0.1 -1 tcp", "0 connect /bin/s ::1 80 tcp v6",
                          "0 connect /bin/s 10.0.0.1 53 udp", "0 listen /bin/s 0.0.0.0 8080 tcp"));
}

const std::string kTwoRuns =
    L(3, 100, R"("kind":"policy_change","source":"p.yaml","name":"p","accepted":true)") +
    L(3, 101, R"("kind":"file","syscall":"openat","path":"/a","op":"read","flags":"O_RDONLY","errno":0,"action":"allow")") +
    L(3, 102, R"("kind":"policy","syscall":"openat","action":"deny","mode":"permissive","category":"file-read")") +
    L(5, 200, R"("kind":"file","syscall":"openat","path":"/b","op":"read","flags":"O_RDONLY","errno":0,"action":"allow")") +
    L(5, 300, R"("kind":"exec","path":"/c","errno":0,"action":"allow")");

TEST_F(NdjsonTest, EveryRunOrTheRunsAskedForOrThoseWithEventsInTheWindow) {
  const std::string path = Write("r.ndjson", kTwoRuns);
  TextSink all;
  ASSERT_TRUE(ReadNdjson(path, {}, all).ok());
  ASSERT_EQ(all.runs().size(), 2u);
  EXPECT_EQ(all.runs()[0].db, path);
  EXPECT_EQ(all.runs()[0].policy_mode, "permissive");
  EXPECT_EQ(all.runs()[1].run, 5);
  EXPECT_THAT(all.lines(), ElementsAre("0 file-read /bin/p /a", "1 file-read /bin/p /b",
                                       "1 exec /bin/p /c"));
  TextSink five;
  ASSERT_TRUE(ReadNdjson(path, {.runs = {5}}, five).ok());
  EXPECT_THAT(five.lines(), ElementsAre("0 file-read /bin/p /b", "0 exec /bin/p /c"));
  TextSink window;
  ASSERT_TRUE(ReadNdjson(path, {.from_ns = 150, .to_ns = 250}, window).ok());
  ASSERT_EQ(window.runs().size(), 1u);
  EXPECT_EQ(window.runs()[0].run, 5);
  EXPECT_THAT(window.lines(), ElementsAre("0 file-read /bin/p /b"));
  TextSink missing;
  absl::Status s = ReadNdjson(path, {.runs = {7}}, missing);
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(s.message(), HasSubstr("no run 7 in " + path + "; available runs: 3, 5"));
}

TEST_F(NdjsonTest, BytesThatAreNotUtf8ComeBack) {
  std::string text =
      L(1, 1, R"("kind":"file","syscall":"openat","path":"/tmp/caf\udce9","op":"read","flags":"O_RDONLY","errno":0)") +
      L(1, 2, R"("kind":"file","syscall":"openat","path":"/tmp/caf\u00e9 \\udce9","op":"read","flags":"O_RDONLY","errno":0)");
  TextSink sink;
  ASSERT_TRUE(ReadNdjson(Write("b.ndjson", text), {}, sink).ok());
  EXPECT_THAT(sink.lines(), ElementsAre("0 file-read /bin/p /tmp/caf\xe9",
                                        "0 file-read /bin/p /tmp/caf\xc3\xa9 \\udce9"));
}

TEST_F(NdjsonTest, FieldsInAnotherOrderAreParsed) {
  // Not as the export writes it (jq output, say): parsed, not peeked.
  std::string text = R"({"kind": "file", "op": "read", "path": "/x", "syscall": "open", )"
                     R"("flags": "O_RDONLY", "exe": "/e", "pid": 1, "ts": 5, "run": 2})" "\n";
  TextSink sink;
  ASSERT_TRUE(ReadNdjson(Write("j.ndjson", text), {}, sink).ok());
  EXPECT_THAT(sink.lines(), ElementsAre("0 file-read /e /x"));
  EXPECT_EQ(sink.runs()[0].run, 2);
}

TEST_F(NdjsonTest, BadInputIsNamed) {
  TextSink sink;
  absl::Status missing = ReadNdjson(dir_ + "/nope.ndjson", {}, sink);
  EXPECT_EQ(missing.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(missing.message(), HasSubstr("does not exist"));

  std::string bad = Write("bad.ndjson", kFiles.substr(0, kFiles.find('\n') + 1) + "{\"run\":1,\"ts\n");
  absl::Status s = ReadNdjson(bad, {}, sink);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr(bad + ":2: line 2 is not JSON"));

  absl::Status text = ReadNdjson(Write("t.txt", "hello world\n"), {}, sink);
  EXPECT_EQ(text.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(text.message(), HasSubstr(":1: line 1 is not JSON"));

  absl::Status other = ReadNdjson(Write("o.json", "{\"a\":1}\n"), {}, sink);
  EXPECT_EQ(other.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(other.message(), HasSubstr("not a line of `warden export --format ndjson`"));

  absl::Status dir = ReadNdjson(dir_, {}, sink);
  EXPECT_EQ(dir.code(), absl::StatusCode::kFailedPrecondition);

  std::string gz = WriteGz("cut.gz", kFiles + kFiles + kFiles);
  ASSERT_EQ(truncate(gz.c_str(), 60), 0);
  EXPECT_FALSE(ReadNdjson(gz, {}, sink).ok());
}

TEST_F(NdjsonTest, DatabaseErrors) {
  TextSink sink;
  absl::Status missing = ReadDatabases({.dbs = {dir_ + "/none.db"}}, sink);
  EXPECT_EQ(missing.code(), absl::StatusCode::kNotFound);
  absl::Status notdb = ReadDatabases({.dbs = {Write("x.db", std::string(4096, 'x'))}}, sink);
  EXPECT_EQ(notdb.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(notdb.message(), HasSubstr("not a warden database"));
  EXPECT_TRUE(sink.runs().empty());
}

}  // namespace
}  // namespace warden::learn
