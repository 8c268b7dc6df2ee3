#include "learn/items.h"

#include <sys/socket.h>

#include <chrono>
#include <string>

#include "fmt/format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace warden::learn {
namespace {

using ::testing::ElementsAre;

Generalization TestGen() {
  Generalization g;
  g.ephemeral_lo = 32768;
  g.ephemeral_hi = 60999;
  return g;
}

RunRef MakeRun(int64_t id, std::string mode = "") {
  RunRef r;
  r.db = "w.db";
  r.run = id;
  r.policy_mode = std::move(mode);
  return r;
}

Observation File(Kind k, std::string_view program, std::string_view path, int64_t ts, uint32_t run = 0) {
  Observation o;
  o.kind = k;
  o.program = program;
  o.path = path;
  o.ts_ns = ts;
  o.run = run;
  return o;
}

Observation Net(Kind k, std::string_view program, int family, std::string_view address, int port,
                policy::Protocol proto = policy::Protocol::kTcp) {
  Observation o;
  o.kind = k;
  o.program = program;
  o.family = family;
  o.address = address;
  o.port = port;
  o.protocol = proto;
  o.ts_ns = 1;
  return o;
}

ItemSet Collect(const std::vector<Observation>& obs, std::vector<RunRef> runs = {MakeRun(1)},
                Generalization g = TestGen()) {
  ItemCollector c(g);
  EXPECT_TRUE(c.Runs(runs).ok());
  for (const auto& o : obs) EXPECT_TRUE(c.Add(o).ok());
  return c.Finish();
}

std::vector<std::string> Targets(const ItemSet& s) {
  std::vector<std::string> out;
  for (const auto& i : s.items) out.push_back(fmt::format("{} {} {}", i.program, KindName(i.kind), i.target));
  return out;
}

TEST(ItemCollectorTest, GroupsCountsAndOrders) {
  ItemSet s = Collect({File(Kind::kFileRead, "/bin/cat", "/etc/passwd", 30, 1),
                       File(Kind::kFileRead, "/bin/cat", "/etc/passwd", 10, 0),
                       File(Kind::kFileWrite, "/bin/cat", "/tmp/out", 20, 0),
                       File(Kind::kExec, "/bin/sh", "/bin/cat", 5, 0),
                       File(Kind::kFileRead, "/bin/cat", "/etc/hosts", 40, 1)},
                      {MakeRun(1), MakeRun(2)});
  EXPECT_THAT(Targets(s), ElementsAre("/bin/cat file-read /etc/hosts", "/bin/cat file-read /etc/passwd",
                                      "/bin/cat file-write /tmp/out", "/bin/sh exec /bin/cat"));
  const Item& passwd = s.items[1];
  EXPECT_EQ(passwd.count, 2);
  EXPECT_EQ(passwd.first_ns, 10);
  EXPECT_EQ(passwd.last_ns, 30);
  EXPECT_THAT(passwd.runs, ElementsAre(0u, 1u));
  EXPECT_THAT(s.items[0].runs, ElementsAre(1u));
  EXPECT_EQ(s.runs.size(), 2u);
}

TEST(ItemCollectorTest, CopiesStringsTheReaderReuses) {
  ItemCollector c(TestGen());
  ASSERT_TRUE(c.Runs({MakeRun(1)}).ok());
  std::string program = "/bin/a", path = "/etc/one";
  ASSERT_TRUE(c.Add(File(Kind::kFileRead, program, path, 1)).ok());
  program = "/bin/b";
  path = "/etc/two";
  ASSERT_TRUE(c.Add(File(Kind::kFileRead, program, path, 2)).ok());
  program.assign(100, 'x');
  path.assign(100, 'y');
  EXPECT_THAT(Targets(c.Finish()), ElementsAre("/bin/a file-read /etc/one", "/bin/b file-read /etc/two"));
}

TEST(ItemCollectorTest, LeavesOutWhatAnActivePolicyDenied) {
  Observation denied = File(Kind::kFileRead, "/bin/cat", "/etc/shadow", 1, 0);
  denied.action = policy::Action::kDeny;
  Observation killed = File(Kind::kExec, "/bin/sh", "/bin/nc", 1, 0);
  killed.action = policy::Action::kKill;
  Observation permissive = File(Kind::kFileRead, "/bin/cat", "/etc/gshadow", 1, 1);
  permissive.action = policy::Action::kDeny;  // would have been denied: it happened
  Observation monitored = File(Kind::kFileRead, "/bin/cat", "/etc/motd", 1, 0);
  monitored.action = policy::Action::kMonitor;
  ItemSet s = Collect({denied, killed, permissive, monitored}, {MakeRun(1, "active"), MakeRun(2, "permissive")});
  EXPECT_THAT(Targets(s), ElementsAre("/bin/cat file-read /etc/gshadow", "/bin/cat file-read /etc/motd"));
}

TEST(ItemCollectorTest, GeneralisesPathsPerProgramAndKind) {
  ItemSet s = Collect({File(Kind::kFileRead, "/bin/ps", "/proc/100/stat", 1),
                       File(Kind::kFileRead, "/bin/ps", "/proc/200/stat", 2),
                       File(Kind::kFileWrite, "/usr/bin/cc1", "/tmp/ccAbC123.s", 3),
                       File(Kind::kFileRead, "/usr/bin/as", "/tmp/ccAbC123.s", 4)});
  EXPECT_THAT(Targets(s), ElementsAre("/bin/ps file-read /proc/*/stat", "/usr/bin/as file-read /tmp/cc??????.s",
                                      "/usr/bin/cc1 file-write /tmp/cc??????.s"));
  EXPECT_EQ(s.items[0].count, 2);
  Generalization exact = TestGen();
  exact.exact = true;
  ItemSet e = Collect({File(Kind::kFileRead, "/bin/ps", "/proc/100/stat", 1)}, {MakeRun(1)}, exact);
  EXPECT_THAT(Targets(e), ElementsAre("/bin/ps file-read /proc/100/stat"));
}

TEST(ItemCollectorTest, CollapseIsPerProgramAndKind) {
  std::vector<std::string> paths;
  for (int i = 0; i < 11; ++i) paths.push_back(fmt::format("/usr/share/x/{}", i));
  std::vector<Observation> obs;
  for (const auto& p : paths) obs.push_back(File(Kind::kFileRead, "/bin/a", p, 1));
  for (int i = 0; i < 6; ++i) obs.push_back(File(Kind::kFileRead, "/bin/b", paths[i], 1));
  for (int i = 6; i < 11; ++i) obs.push_back(File(Kind::kFileWrite, "/bin/a", paths[i], 1));
  ItemSet s = Collect(obs);
  std::vector<std::string> t = Targets(s);
  EXPECT_EQ(t[0], "/bin/a file-read /usr/share/x/*");
  EXPECT_EQ(s.items[0].count, 11);
  // /bin/a wrote 5 of them, /bin/b read 6: both below 10, listed.
  EXPECT_EQ(std::count_if(t.begin(), t.end(), [](auto& x) { return x.starts_with("/bin/a file-write"); }), 5);
  EXPECT_EQ(std::count_if(t.begin(), t.end(), [](auto& x) { return x.starts_with("/bin/b file-read"); }), 6);
}

TEST(ItemCollectorTest, EphemeralAndKernelChosenPortsBecomeTheEphemeralRange) {
  ItemSet s = Collect({
      Net(Kind::kListen, "/srv", AF_INET, "127.0.0.1", 0),
      Net(Kind::kListen, "/srv", AF_INET, "0.0.0.0", 8080),
      Net(Kind::kAccept, "/srv", AF_INET, "127.0.0.1", 40000),   // local port from bind(0)
      Net(Kind::kAccept, "/srv", AF_INET, "10.0.0.9", 40000),    // not loopback: kept
      Net(Kind::kConnect, "/cli", AF_INET, "127.0.0.1", 40000),
      Net(Kind::kConnect, "/cli", AF_INET, "127.0.0.1", 41000),  // same item
      Net(Kind::kConnect, "/cli", AF_INET, "127.0.0.1", 8080),   // a fixed port: kept
      Net(Kind::kConnect, "/cli", AF_INET6, "::1", 50000),
      Net(Kind::kConnect, "/cli", AF_INET6, "::ffff:127.0.0.2", 50000),
      Net(Kind::kConnect, "/cli", AF_INET, "192.0.2.1", 50000),  // remote: kept
      Net(Kind::kConnect, "/cli", AF_INET, "127.0.0.53", 53, policy::Protocol::kUdp),
  });
  EXPECT_THAT(Targets(s),
              ElementsAre("/cli connect 127.0.0.1:32768-60999", "/cli connect 127.0.0.1:8080",
                          "/cli connect 127.0.0.53:53", "/cli connect 192.0.2.1:50000",
                          "/cli connect [::1]:32768-60999", "/cli connect [::ffff:127.0.0.2]:32768-60999",
                          "/srv listen 0.0.0.0:8080", "/srv listen 127.0.0.1:0,32768-60999",
                          "/srv accept 10.0.0.9:40000", "/srv accept 127.0.0.1:32768-60999"));
  EXPECT_EQ(s.items[0].count, 2);
  EXPECT_EQ(s.items[0].port, std::nullopt);
  auto ranges = [](const Item& i) {
    std::vector<std::pair<int, int>> r;
    for (const auto& p : i.ports) r.emplace_back(p.lo, p.hi);
    return r;
  };
  const auto [lo, hi] = std::pair{s.items[0].ports.at(0).lo, s.items[0].ports.at(0).hi};
  EXPECT_LE(lo, 40000);
  EXPECT_GE(hi, 41000);
  EXPECT_THAT(ranges(s.items[0]), ElementsAre(std::pair{lo, hi}));        // not any port
  EXPECT_THAT(ranges(s.items[1]), ElementsAre(std::pair{8080, 8080}));
  EXPECT_THAT(ranges(s.items[7]), ElementsAre(std::pair{0, 0}, std::pair{lo, hi}));  // bind(0)
  EXPECT_THAT(ranges(s.items[8]), ElementsAre(std::pair{40000, 40000}));
  EXPECT_EQ(s.items[1].port, 8080);
  EXPECT_EQ(s.items[2].protocol, policy::Protocol::kUdp);
  EXPECT_EQ(s.items[4].family, AF_INET6);
  EXPECT_EQ(s.items[4].address, "::1");
}

TEST(ItemCollectorTest, EphemeralRangeComesFromTheOptions) {
  Generalization g = TestGen();
  g.ephemeral_lo = 1024;
  g.ephemeral_hi = 9000;
  ItemSet s = Collect({Net(Kind::kConnect, "/cli", AF_INET, "127.0.0.1", 8080),
                       Net(Kind::kConnect, "/cli", AF_INET, "127.0.0.1", 40000)},
                      {MakeRun(1)}, g);
  EXPECT_THAT(Targets(s), ElementsAre("/cli connect 127.0.0.1:1024-9000", "/cli connect 127.0.0.1:40000"));
}

TEST(ItemCollectorTest, AnObservationOfAnUnknownRunIsAnError) {
  ItemCollector c(TestGen());
  ASSERT_TRUE(c.Runs({MakeRun(1)}).ok());
  EXPECT_FALSE(c.Add(File(Kind::kFileRead, "/a", "/b", 1, 3)).ok());
}

TEST(ItemCollectorTest, AMillionObservationsInWellUnderASecondOrSo) {
  ItemCollector c(TestGen());
  ASSERT_TRUE(c.Runs({MakeRun(1), MakeRun(2)}).ok());
  std::vector<std::string> paths, programs;
  for (int i = 0; i < 5000; ++i) paths.push_back(fmt::format("/usr/lib/d{}/f{}", i % 50, i));
  for (int i = 0; i < 20; ++i) programs.push_back(fmt::format("/usr/bin/p{}", i));
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 1'000'000; ++i) {
    Observation o = File(i % 7 ? Kind::kFileRead : Kind::kFileWrite, programs[(i / 1000) % 20],
                         paths[(int64_t{i} * 7919) % 5000], i, i < 500'000 ? 0 : 1);
    ASSERT_TRUE(c.Add(o).ok());
  }
  ItemSet s = c.Finish();
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  int64_t total = 0;
  for (const Item& i : s.items) total += i.count;
  EXPECT_EQ(total, 1'000'000);
  // Each program read and wrote below more than 10 of /usr/lib's children.
  ASSERT_EQ(s.items.size(), 2u * 20);
  EXPECT_EQ(s.items[0].target, "/usr/lib/**");
  RecordProperty("seconds", fmt::format("{:.2f}", secs));
  fmt::print("1M observations: {:.2f} s, {} items\n", secs, s.items.size());
}

}  // namespace
}  // namespace warden::learn
