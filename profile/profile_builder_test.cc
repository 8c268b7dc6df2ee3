// ProfileBuilder on hand-built events: what counts, the classes, the
// orders, and the union of several runs.
#include "profile/profile_builder.h"

#include <errno.h>

#include <string>
#include <vector>

#include "fmt/format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace warden::profile {
namespace {

using learn::EventKind;
using learn::RecordedEvent;
using learn::RunRef;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

RecordedEvent FileEv(int64_t ts, std::string_view exe, std::string_view op, std::string_view path,
                     std::optional<int64_t> result = 3, int err = 0) {
  return RecordedEvent{.kind = EventKind::kFile, .ts_ns = ts, .pid = 1, .exe = exe, .op = op,
                       .path = path, .err = err, .result = result};
}

RecordedEvent NetEv(int64_t ts, std::string_view op, std::string_view direction, std::string_view address,
                    int port, std::optional<int64_t> result = 0, int err = 0,
                    std::string_view family = "AF_INET", std::string_view exe = "/bin/app") {
  return RecordedEvent{.kind = EventKind::kNet, .ts_ns = ts, .pid = 1, .exe = exe, .op = op,
                       .family = family, .sock_type = "SOCK_STREAM", .direction = direction,
                       .address = address, .port = port, .fd = 3, .err = err, .result = result};
}

RunRef MakeRun(int64_t id, int64_t start, std::optional<int64_t> end, int64_t processes = 1) {
  return RunRef{.db = "a.db", .run = id, .start_ns = start, .end_ns = end, .argv_json = R"(["app"])",
                .exit_code = end ? std::optional<int64_t>(0) : std::nullopt, .processes = processes};
}

Profile Build(const std::vector<RecordedEvent>& events, std::vector<RunRef> runs = {MakeRun(1, 0, 100)},
              learn::Selection selection = {}) {
  ProfileBuilder b(std::move(runs), selection);
  b.SetRun(0);
  for (const auto& e : events) EXPECT_TRUE(b.Add(e).ok());
  return b.Finish();
}

std::vector<std::string> Paths(const std::vector<FileUse>& list) {
  std::vector<std::string> out;
  for (const auto& f : list) out.push_back(f.path);
  return out;
}

TEST(ProfileBuilderTest, OnlySuccessfulCallsInTheirClasses) {
  Profile p = Build({
      FileEv(10, "/bin/cat", "read", "/etc/hosts"),
      FileEv(11, "/bin/cat", "read", "/etc/hosts", std::nullopt),  // no result recorded: counts
      FileEv(12, "/bin/cat", "read", "/etc/missing", -1, ENOENT),
      FileEv(13, "/bin/cat", "read", "/etc/odd", -5),                // negative result, errno 0
      FileEv(14, "/bin/cat", "stat", "/etc/passwd", 0),              // in no class
      FileEv(15, "/bin/sh", "read", "/etc/hosts"),
      FileEv(16, "/bin/sh", "rename", "/tmp/b"),
      FileEv(17, "/bin/sh", "create", "/tmp/a"),
      FileEv(18, "/bin/sh", "exec", "/bin/cat", 0),
      FileEv(19, "", "read", "/etc/aaa"),                            // no exe: no program
  });
  EXPECT_THAT(Paths(p.read), ElementsAre("/etc/aaa", "/etc/hosts"));
  EXPECT_THAT(Paths(p.written), ElementsAre("/tmp/a", "/tmp/b"));
  EXPECT_THAT(Paths(p.executed), ElementsAre("/bin/cat"));
  const FileUse& hosts = p.read[1];
  EXPECT_EQ(hosts.count, 3);
  EXPECT_EQ(hosts.first_ns, 10);
  EXPECT_EQ(hosts.last_ns, 15);
  EXPECT_THAT(hosts.programs, ElementsAre("/bin/cat", "/bin/sh"));
  EXPECT_THAT(p.read[0].programs, IsEmpty());
}

TEST(ProfileBuilderTest, ProgramsAreSuccessfulExecs) {
  auto exec = [](int64_t ts, std::string_view path, std::optional<int64_t> result, int err) {
    return RecordedEvent{.kind = EventKind::kExec, .ts_ns = ts, .exe = "/bin/sh", .path = path,
                         .err = err, .result = result};
  };
  Profile p = Build({exec(5, "/usr/local/bin/cat", -1, ENOENT), exec(6, "/bin/cat", 0, 0),
                     exec(9, "/bin/cat", std::nullopt, 0), exec(7, "/bin/a", 0, 0)});
  ASSERT_EQ(p.programs.size(), 2u);
  EXPECT_EQ(p.programs[0].path, "/bin/a");
  EXPECT_EQ(p.programs[1].path, "/bin/cat");
  EXPECT_EQ(p.programs[1].count, 2);
  EXPECT_EQ(p.programs[1].first_ns, 6);
  EXPECT_EQ(p.programs[1].last_ns, 9);
}

TEST(ProfileBuilderTest, PortsAndPeers) {
  Profile p = Build({
      NetEv(1, "bind", "local", "0.0.0.0", 0),       // ephemeral: not listening
      NetEv(2, "bind", "local", "0.0.0.0", 8080),
      NetEv(3, "listen", "local", "0.0.0.0", 8080),
      NetEv(4, "bind", "local", "/run/app.sock", -1, 0, 0, "AF_UNIX"),
      NetEv(5, "connect", "outbound", "10.1.2.3", 443, -1, EINPROGRESS),  // counts
      NetEv(6, "connect", "outbound", "10.1.2.3", 443, 0, 0, "AF_INET", "/bin/other"),
      NetEv(7, "connect", "outbound", "10.9.9.9", 80, -1, ECONNREFUSED),
      NetEv(8, "sendto", "outbound", "10.0.0.1", 53, -1, EINPROGRESS),   // only connect's counts
      NetEv(9, "accept", "inbound", "192.168.0.5", 40000, 5),
      NetEv(10, "sendto", "outbound", "", -1),                           // no address
      NetEv(11, "connect", "outbound", "/run/db.sock", -1, 0, 0, "AF_UNIX"),
  });
  std::vector<std::string> listening, accessed, hosts;
  for (const auto& u : p.listening)
    listening.push_back(fmt::format("{} {} {} x{}", u.family, u.address, u.port.value_or(-1), u.count));
  for (const auto& u : p.accessed)
    accessed.push_back(fmt::format("{} {} x{} {}", u.address, u.port.value_or(-1), u.count,
                                   fmt::join(u.programs, "+")));
  for (const auto& h : p.hosts)
    hosts.push_back(fmt::format("{} out {} in {} {}-{}", h.address, h.outbound, h.inbound, h.first_ns, h.last_ns));
  // By port (none first), then address.
  EXPECT_THAT(listening, ElementsAre("AF_UNIX /run/app.sock -1 x1", "AF_INET 0.0.0.0 8080 x2"));
  EXPECT_THAT(accessed, ElementsAre("/run/db.sock -1 x1 /bin/app", "10.1.2.3 443 x2 /bin/app+/bin/other"));
  EXPECT_THAT(hosts, ElementsAre("10.1.2.3 out 2 in 0 5-6", "192.168.0.5 out 0 in 1 9-9"));
}

TEST(ProfileBuilderTest, OneRunKeepsItsHead) {
  RunRef r = MakeRun(7, 100, 200, 4);
  r.exit_signal = 9;
  r.io_uring_rings = 2;
  Profile p = Build({}, {r});
  EXPECT_EQ(p.run, 7);
  EXPECT_EQ(p.argv_json, R"(["app"])");
  EXPECT_EQ(p.start_ns, 100);
  EXPECT_EQ(p.end_ns, 200);
  EXPECT_EQ(p.exit_signal, 9);
  EXPECT_EQ(p.status, "finished");
  EXPECT_EQ(p.processes, 4);
  EXPECT_EQ(p.io_uring_rings, 2);
}

TEST(ProfileBuilderTest, SeveralRunsAreTheirUnion) {
  std::vector<RunRef> runs = {MakeRun(1, 100, 200, 3), MakeRun(2, 50, 300, 2), MakeRun(3, 400, std::nullopt, 1)};
  runs[2].interrupted = true;
  ProfileBuilder b(runs, {});
  b.SetRun(0);
  ASSERT_TRUE(b.Add(FileEv(150, "/bin/a", "read", "/etc/x")).ok());
  b.SetRun(1);
  ASSERT_TRUE(b.Add(FileEv(60, "/bin/b", "read", "/etc/x")).ok());
  ASSERT_TRUE(b.Add(FileEv(250, "/bin/a", "read", "/etc/x")).ok());
  b.SetRun(2);
  ASSERT_TRUE(b.Add(FileEv(410, "/bin/c", "read", "/etc/y")).ok());
  Profile p = b.Finish();
  EXPECT_EQ(p.runs.size(), 3u);
  EXPECT_EQ(p.run, 0);
  EXPECT_EQ(p.argv_json, "");
  EXPECT_FALSE(p.exit_code);
  EXPECT_EQ(p.start_ns, 50);
  EXPECT_FALSE(p.end_ns);  // run 3 has not ended
  EXPECT_EQ(p.status, "2 finished, 1 interrupted (warden died)");
  EXPECT_EQ(p.processes, 6);
  ASSERT_EQ(p.read.size(), 2u);
  EXPECT_EQ(p.read[0].count, 3);
  EXPECT_EQ(p.read[0].first_ns, 60);
  EXPECT_EQ(p.read[0].last_ns, 250);
  EXPECT_THAT(p.read[0].programs, ElementsAre("/bin/a", "/bin/b"));

  runs.pop_back();
  Profile ended = Build({}, runs);
  EXPECT_EQ(ended.status, "finished");
  EXPECT_EQ(ended.end_ns, 300);
}

TEST(ProfileBuilderTest, WindowLeavesOutEventsOutsideIt) {
  Profile p = Build({FileEv(10, "/bin/a", "read", "/early"), FileEv(20, "/bin/a", "read", "/in"),
                     FileEv(30, "/bin/a", "read", "/late")},
                    {MakeRun(1, 0, 100)}, {.from_ns = 15, .to_ns = 25});
  EXPECT_THAT(Paths(p.read), ElementsAre("/in"));
}

TEST(ProfileBuilderTest, StatusOfARun) {
  RunRef r = MakeRun(1, 0, std::nullopt, 0);
  EXPECT_EQ(RunStatus(r), "not started");
  r.processes = 1;
  EXPECT_EQ(RunStatus(r), "in progress");
  r.interrupted = true;
  EXPECT_EQ(RunStatus(r), "interrupted (warden died)");
  r.end_ns = 5;
  EXPECT_EQ(RunStatus(r), "finished");
}

}  // namespace
}  // namespace warden::profile
