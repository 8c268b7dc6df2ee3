// learn's observations (learn/observe.h) of real traced runs: what a shell
// pipeline and a loopback TCP server and client did, read from the
// database and from its NDJSON export (plain and gzip). The core check:
// both readings give the same observations in the same order.
#include <algorithm>
#include <string>
#include <vector>

#include "fmt/format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "learn/observe.h"
#include "tests/test_support.h"

namespace warden::itest {
namespace {

using learn::Kind;
using learn::Observation;
using ::testing::Contains;
using ::testing::HasSubstr;

// Every field of every observation, as text (the views are only valid
// during Add).
class Recorder : public learn::ObservationSink {
 public:
  absl::Status Runs(const std::vector<learn::RunRef>& runs) override {
    runs_ = runs;
    return absl::OkStatus();
  }
  absl::Status Add(const Observation& o) override {
    all_.push_back(fmt::format("{} {} {} {} fam={} {} {} {} ts={} err={} {} run={}",
                               learn::KindName(o.kind), o.program, o.path, o.address, o.family,
                               o.port, policy::ProtocolName(o.protocol), "|", o.ts_ns, o.err,
                               policy::ActionName(o.action), o.run));
    brief_.push_back(Brief(o));
    return absl::OkStatus();
  }
  // "KIND PROGRAM TARGET" (network: "ADDRESS PORT PROTOCOL").
  static std::string Brief(const Observation& o) {
    if (o.kind == Kind::kFileRead || o.kind == Kind::kFileWrite || o.kind == Kind::kExec)
      return fmt::format("{} {} {}", learn::KindName(o.kind), o.program, o.path);
    return fmt::format("{} {} {} {} {}", learn::KindName(o.kind), o.program, o.address, o.port,
                       policy::ProtocolName(o.protocol));
  }
  std::vector<learn::RunRef> runs_;
  std::vector<std::string> all_, brief_;
};

class ObserveTest : public IntegrationTest {
 protected:
  // The latest run read from db() and from its export, plain and gzip: all
  // three must agree; returns the database's reading.
  Recorder ReadAllWays() {
    Recorder from_db, plain, gz;
    EXPECT_TRUE(learn::ReadDatabases({.dbs = {db()}}, from_db).ok());
    const std::string run = QueryOne("SELECT max(id) FROM runs");
    for (auto [file, gzip] : {std::pair{Path("e.ndjson"), false}, {Path("e.ndjson.gz"), true}}) {
      std::vector<std::string> cmd = {WardenBin(), "export", "--db", db(), "--run", run, "-o", file};
      if (gzip) cmd.push_back("--gzip");
      ExitInfo e = Run(cmd);
      EXPECT_EQ(e.exit_code, 0) << e.err;
      Recorder& r = gzip ? gz : plain;
      absl::Status s = learn::ReadNdjson(file, {}, r);
      EXPECT_TRUE(s.ok()) << s;
      EXPECT_EQ(r.runs_.size(), 1u);
      if (r.runs_.size() == 1) EXPECT_EQ(r.runs_[0].db, file);
    }
    EXPECT_FALSE(from_db.all_.empty());
    EXPECT_EQ(from_db.all_, plain.all_) << Dump();
    EXPECT_EQ(from_db.all_, gz.all_);
    EXPECT_EQ(from_db.runs_.size(), 1u);
    if (from_db.runs_.size() == 1 && plain.runs_.size() == 1) {
      EXPECT_EQ(from_db.runs_[0].db, db());
      EXPECT_EQ(from_db.runs_[0].run, plain.runs_[0].run);
      EXPECT_EQ(from_db.runs_[0].lost_events, 0u);
      EXPECT_TRUE(from_db.runs_[0].end_ns.has_value());
    }
    return from_db;
  }
};

TEST_F(ObserveTest, ShellPipelineFromTheDatabaseAndItsExportAlike) {
  ExitInfo r = RunWarden({"/bin/sh", "-c",
                          "/bin/cat /etc/hostname > out.txt; /bin/cat out.txt | /usr/bin/wc -c "
                          "> n.txt; /bin/mv n.txt m.txt; /bin/rm out.txt; /bin/cat /nonexistent "
                          "2>/dev/null; true"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Recorder obs = ReadAllWays();
  const std::string sh = QueryOne("SELECT exe FROM processes WHERE ppid NOT IN "
                                  "(SELECT pid FROM processes) ORDER BY id LIMIT 1");
  EXPECT_THAT(obs.brief_, Contains("file-read /usr/bin/cat /etc/hostname"));
  EXPECT_THAT(obs.brief_, Contains("file-write " + sh + " " + Path("out.txt")));
  EXPECT_THAT(obs.brief_, Contains("exec " + sh + " " + Real("/bin/cat")));
  EXPECT_THAT(obs.brief_, Contains("exec " + sh + " /usr/bin/wc"));
  // rename: both paths are written.
  EXPECT_THAT(obs.brief_, Contains("file-write /usr/bin/mv " + Path("n.txt")));
  EXPECT_THAT(obs.brief_, Contains("file-write /usr/bin/mv " + Path("m.txt")));
  EXPECT_THAT(obs.brief_, Contains("file-write /usr/bin/rm " + Path("out.txt")));
  // A failed open counts, with its errno.
  EXPECT_THAT(obs.all_, Contains(HasSubstr("file-read /usr/bin/cat /nonexistent")));
  EXPECT_THAT(obs.all_, Contains(::testing::AllOf(HasSubstr("/nonexistent"), HasSubstr("err=2"))));
  // stat and access are not observations.
  EXPECT_EQ(QueryInt("SELECT count(*) FROM file_events WHERE op IN ('stat','access')") > 0, true);
  for (const auto& line : obs.brief_) EXPECT_THAT(line, ::testing::Not(HasSubstr("ld.so.preload")));
}

// Processes running at once: calls rows land when a call ends, so some
// rows come after a row of a later call ("late": the database reader puts
// them back in time order, as the export does).
TEST_F(ObserveTest, ConcurrentProcessesInTheSameOrderAsTheExport) {
  ExitInfo r = RunWarden({"/bin/sh", "-c",
                          "for i in 1 2 3 4; do (/bin/cat /etc/hostname /etc/hosts >/dev/null; "
                          "/bin/ls /usr >/dev/null) & done; wait"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Recorder obs = ReadAllWays();
  EXPECT_GT(QueryInt("SELECT count(*) FROM (SELECT ts < max(ts) OVER (ORDER BY id ROWS BETWEEN "
                     "UNBOUNDED PRECEDING AND 1 PRECEDING) AS late FROM calls WHERE path IS NOT "
                     "NULL) WHERE late"),
            0);
  EXPECT_EQ(std::count(obs.brief_.begin(), obs.brief_.end(), "file-read /usr/bin/cat /etc/hosts"),
            4);
}

// A server thread accepts; the main thread connects to it (127.0.0.1 only).
constexpr char kServer[] = R"(
import socket, threading
srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen(1)
port = srv.getsockname()[1]
def serve():
    conn, peer = srv.accept()
    conn.sendall(conn.recv(5))
    conn.close()
t = threading.Thread(target=serve)
t.start()
c = socket.create_connection(("127.0.0.1", port))
c.sendall(b"hello")
assert c.recv(5) == b"hello"
print("port", port)
print("client", c.getsockname()[1])
c.close()
t.join()
)";

TEST_F(ObserveTest, LoopbackServerListensAcceptsOnItsPortAndTheClientConnects) {
  ExitInfo r = RunWarden({"/usr/bin/python3", "-c", kServer});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const std::string port = Field(r.out, "port"), client = Field(r.out, "client");
  ASSERT_FALSE(port.empty() || client.empty()) << r.out;
  Recorder obs = ReadAllWays();
  const std::string py = QueryOne("SELECT exe FROM net_events WHERE op='bind'");
  ASSERT_THAT(py, HasSubstr("python3"));
  // bind to port 0: the port is the kernel's choice.
  EXPECT_THAT(obs.brief_, Contains("listen " + py + " 127.0.0.1 0 tcp"));
  // The accept: the client as the peer, on the port the client connected to
  // (listen's port, found through the listening socket of the thread's process).
  EXPECT_THAT(obs.brief_, Contains("accept " + py + " 127.0.0.1 " + port + " tcp"));
  EXPECT_THAT(obs.all_, Contains(HasSubstr("accept " + py + "  127.0.0.1 fam=2 " + port)));
  EXPECT_THAT(obs.brief_, Contains("connect " + py + " 127.0.0.1 " + port + " tcp"));
  EXPECT_EQ(QueryOne("SELECT port FROM net_events WHERE op='accept4' OR op='accept'"), client);
}

TEST_F(ObserveTest, RunsOfSeveralDatabasesAndBadSelections) {
  ASSERT_EQ(RunWarden({"/bin/cat", "/etc/hostname"}).exit_code, 0);
  ASSERT_EQ(RunWarden({"/bin/true"}).exit_code, 0);
  const std::string other = Path("other.db");
  ASSERT_EQ(Run({WardenBin(), "run", "--db", other, "--", "/bin/cat", "/etc/hosts"}).exit_code, 0);
  Recorder both;
  ASSERT_TRUE(learn::ReadDatabases({.dbs = {db(), other}, .runs = {1}}, both).ok());
  ASSERT_EQ(both.runs_.size(), 2u);
  EXPECT_EQ(both.runs_[1].db, other);
  EXPECT_THAT(both.brief_, Contains("file-read /usr/bin/cat /etc/hostname"));
  EXPECT_THAT(both.brief_, Contains("file-read /usr/bin/cat /etc/hosts"));
  // No run given: the last run of each.
  Recorder last;
  ASSERT_TRUE(learn::ReadDatabases({.dbs = {db(), other}}, last).ok());
  ASSERT_EQ(last.runs_.size(), 2u);
  EXPECT_EQ(last.runs_[0].run, 2);
  EXPECT_EQ(last.runs_[1].run, 1);
  // A run one of them lacks.
  Recorder none;
  absl::Status s = learn::ReadDatabases({.dbs = {db(), other}, .runs = {2}}, none);
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(s.message(), HasSubstr("no run 2 in " + other + "; available runs: 1"));
  EXPECT_TRUE(none.runs_.empty());
  // A window: the runs with events inside it, and only those events.
  const int64_t start2 = QueryInt("SELECT start_ns FROM runs WHERE id=2");
  Recorder window;
  ASSERT_TRUE(learn::ReadDatabases({.dbs = {db()}, .from_ns = start2}, window).ok());
  ASSERT_EQ(window.runs_.size(), 1u);
  EXPECT_EQ(window.runs_[0].run, 2);
  EXPECT_THAT(window.brief_, ::testing::Not(Contains("file-read /usr/bin/cat /etc/hostname")));
}

}  // namespace
}  // namespace warden::itest
