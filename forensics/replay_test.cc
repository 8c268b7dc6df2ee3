#include "forensics/replay.h"

#include <sstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "store/store.h"
#include "store/test_util.h"

namespace warden::forensics {
using namespace warden::store;  // the writer, to make databases to read

namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using store::testing::TempDir;

TEST(RenderCall, StraceLikeLines) {
  ReplayCall c{.ts_ns = 1'795'465'963'776'149'392, .pid = 1234, .name = "openat",
               .args = "AT_FDCWD, \"/etc/hosts\", O_RDONLY|O_CLOEXEC", .result = 3,
               .action = "allow"};
  EXPECT_EQ(RenderCall(c, false, false),
            "[pid 1234] openat(AT_FDCWD, \"/etc/hosts\", O_RDONLY|O_CLOEXEC) = 3\n");
  EXPECT_EQ(RenderCall(c, true, false),
            "2026-11-23T20:32:43.776149Z [pid 1234] openat(AT_FDCWD, \"/etc/hosts\", "
            "O_RDONLY|O_CLOEXEC) = 3\n");
  c.result = -1;
  c.err = 2;
  EXPECT_EQ(RenderCall(c, false, false),
            "[pid 1234] openat(AT_FDCWD, \"/etc/hosts\", O_RDONLY|O_CLOEXEC) = -1 ENOENT (No such "
            "file or directory)\n");
  ReplayCall exit{.pid = 7, .name = "exit_group", .args = "0"};
  EXPECT_EQ(RenderCall(exit, false, false), "[pid 7] exit_group(0) = ?\n");
  ReplayCall mmap{.pid = 7, .name = "mmap", .args = "NULL, 4096", .result = 0x7f0000001000};
  EXPECT_EQ(RenderCall(mmap, false, false), "[pid 7] mmap(NULL, 4096) = 0x7f0000001000\n");
  ReplayCall restart{.pid = 7, .name = "wait4", .args = "-1", .result = -1, .err = 512};
  EXPECT_EQ(RenderCall(restart, false, false),
            "[pid 7] wait4(-1) = ? ERESTARTSYS (To be restarted if SA_RESTART is set)\n");
}

TEST(RenderCall, Verdicts) {
  ReplayCall c{.pid = 5, .name = "openat", .args = "AT_FDCWD, \"/etc/shadow\", O_RDONLY",
               .result = -1, .err = 13, .action = "deny", .rule = "no-secrets"};
  EXPECT_EQ(RenderCall(c, false, false),
            "[pid 5] openat(AT_FDCWD, \"/etc/shadow\", O_RDONLY) = -1 EACCES (Permission denied) "
            "<denied by no-secrets>\n");
  c.rule = "";
  EXPECT_THAT(RenderCall(c, false, false), HasSubstr("<denied by default>"));
  ReplayCall kill{.pid = 5, .name = "ptrace", .args = "PTRACE_TRACEME", .action = "kill",
                  .rule = "warden:no-ptrace"};
  EXPECT_EQ(RenderCall(kill, false, false),
            "[pid 5] ptrace(PTRACE_TRACEME) = ? <killed by warden:no-ptrace>\n");
  // Permissive: what would have happened; the call itself succeeded.
  ReplayCall would{.pid = 5, .name = "connect", .args = "3, {AF_INET, 10.0.0.1:22}, 16",
                   .result = 0, .action = "deny", .rule = "no-ssh", .enforced = false};
  EXPECT_EQ(RenderCall(would, false, false),
            "[pid 5] connect(3, {AF_INET, 10.0.0.1:22}, 16) = 0 <would deny: no-ssh>\n");
  // Enforcement not recorded: the run's mode decides (warden's own
  // protections are enforced in every mode).
  would.enforced.reset();
  EXPECT_THAT(RenderCall(would, false, true), HasSubstr("<would deny: no-ssh>"));
  EXPECT_THAT(RenderCall(would, false, false), HasSubstr("<denied by no-ssh>"));
  kill.enforced.reset();
  EXPECT_THAT(RenderCall(kill, false, true), HasSubstr("<killed by warden:no-ptrace>"));
  ReplayCall monitor{.pid = 5, .name = "execve", .args = "\"/usr/bin/gcc\"", .result = 0,
                     .action = "monitor", .rule = "compilers"};
  EXPECT_THAT(RenderCall(monitor, false, false), HasSubstr("= 0 <monitored by compilers>"));
}

class ReplayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty());
    auto store = Store::Open(db_);
    ASSERT_TRUE(store.ok()) << store.status();
    Store& s = **store;
    ASSERT_TRUE(s.BeginRun(RunInfo{.argv = {"old"}, .start_ns = 10}).ok());
    s.Submit(SyscallEvent{.ts_ns = 20, .pid = 1, .abi = "x86_64", .nr = 0, .name = "read",
                          .args = "0", .result = 0, .action = "allow"});
    ASSERT_TRUE(s.FinishRun({.end_ns = 30}).ok());
    RunInfo info{.argv = {"sh"}, .start_ns = 100, .policy = "p", .policy_mode = "active"};
    ASSERT_TRUE(s.BeginRun(info).ok());
    auto call = [&](int64_t ts, int pid, std::string name, std::string args,
                    std::optional<int64_t> result, int err, std::string action = "allow",
                    std::string rule = "") {
      s.Submit(SyscallEvent{.ts_ns = ts, .pid = pid, .abi = "x86_64", .nr = 1, .name = name,
                            .args = args, .result = result, .err = err, .action = action,
                            .rule = rule});
    };
    call(110, 10, "openat", "AT_FDCWD, \"/etc/hosts\", O_RDONLY", 3, 0);
    s.Submit(FileEvent{.ts_ns = 110, .pid = 10, .syscall = "openat", .path = "/etc/hosts",
                       .op = "read", .result = 3});
    call(120, 11, "openat", "AT_FDCWD, \"/etc/shadow\", O_RDONLY", -1, 13, "deny", "no-secrets");
    s.Submit(FileEvent{.ts_ns = 120, .pid = 11, .syscall = "openat", .path = "/etc/shadow",
                       .op = "read", .result = -1, .err = 13, .action = "deny",
                       .rule = "no-secrets"});
    s.Submit(PolicyEvent{.ts_ns = 120, .pid = 11, .abi = "x86_64", .nr = 257,
                         .syscall = "openat", .args = "AT_FDCWD, \"/etc/shadow\", O_RDONLY",
                         .action = "deny", .rule = "no-secrets", .mode = "active",
                         .enforced = true, .category = "file-read", .target = "/etc/shadow",
                         .result = -1, .err = 13});
    call(130, 10, "renameat", "AT_FDCWD, \"a\", AT_FDCWD, \"/tmp/b\"", 0, 0);
    s.Submit(FileEvent{.ts_ns = 130, .pid = 10, .syscall = "renameat", .path = "/w/a",
                       .op = "rename", .result = 0, .path2 = "/tmp/b"});
    // A hit recorded without its call (log mode: hits only).
    s.Submit(PolicyEvent{.ts_ns = 140, .pid = 11, .abi = "x86_64", .nr = 42,
                         .syscall = "connect", .args = "3, {AF_INET, 10.0.0.1:22}, 16",
                         .action = "deny", .rule = "no-ssh", .mode = "permissive",
                         .enforced = false, .category = "network-outbound",
                         .target = "10.0.0.1:22", .result = 0});
    call(150, 10, "exit_group", "0", std::nullopt, 0);
    ASSERT_TRUE(s.FinishRun({.end_ns = 200}).ok());
  }

  std::vector<std::string> Lines(const ReplayOptions& o) {
    std::ostringstream out;
    absl::Status st = Replay(db_, o, out);
    EXPECT_TRUE(st.ok()) << st;
    std::vector<std::string> lines;
    std::istringstream in(out.str());
    std::string l;
    while (std::getline(in, l)) lines.push_back(l);
    return lines;
  }

  TempDir dir_;
  std::string db_ = dir_.File("w.db");
};

TEST_F(ReplayTest, TheLatestRunByDefault) {
  EXPECT_THAT(
      Lines({}),
      ElementsAre(
          "[pid 10] openat(AT_FDCWD, \"/etc/hosts\", O_RDONLY) = 3",
          "[pid 11] openat(AT_FDCWD, \"/etc/shadow\", O_RDONLY) = -1 EACCES (Permission denied) "
          "<denied by no-secrets>",
          "[pid 10] renameat(AT_FDCWD, \"a\", AT_FDCWD, \"/tmp/b\") = 0",
          "[pid 11] connect(3, {AF_INET, 10.0.0.1:22}, 16) = 0 <would deny: no-ssh>",
          "[pid 10] exit_group(0) = ?"));
  EXPECT_THAT(Lines({.run_id = 1}), ElementsAre("[pid 1] read(0) = 0"));
}

TEST_F(ReplayTest, Filters) {
  EXPECT_THAT(Lines({.pid = 11}),
              ElementsAre(HasSubstr("/etc/shadow"), HasSubstr("connect(")));
  EXPECT_THAT(Lines({.syscall = "renameat"}), ElementsAre(HasSubstr("renameat(")));
  EXPECT_THAT(Lines({.syscall = "connect"}), ElementsAre(HasSubstr("<would deny: no-ssh>")));
  EXPECT_THAT(Lines({.from_ns = 120, .to_ns = 130}),
              ElementsAre(HasSubstr("/etc/shadow"), HasSubstr("renameat(")));
  auto glob = [](std::string prefix) {
    return [prefix](std::string_view p) { return p.starts_with(prefix); };
  };
  EXPECT_THAT(Lines({.path_match = glob("/etc/")}),
              ElementsAre(HasSubstr("/etc/hosts"), HasSubstr("/etc/shadow")));
  // The second path of a rename, and a policy hit's target.
  EXPECT_THAT(Lines({.path_match = glob("/tmp/")}), ElementsAre(HasSubstr("renameat(")));
  EXPECT_THAT(Lines({.path_match = glob("10.0.0.1")}), ElementsAre(HasSubstr("connect(")));
  EXPECT_THAT(Lines({.pid = 10, .path_match = glob("/etc/")}),
              ElementsAre(HasSubstr("/etc/hosts")));
  EXPECT_THAT(Lines({.time = true}).front(),
              ::testing::MatchesRegex("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\\.[0-9]{6}Z \\[pid 10\\] "
                                    "openat.*"));
}

TEST_F(ReplayTest, BadInput) {
  std::ostringstream out;
  absl::Status s = Replay(db_, {.run_id = 9}, out);
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(s.message()), HasSubstr("no run 9"));
  EXPECT_THAT(std::string(s.message()), HasSubstr("available runs: 1-2"));
  EXPECT_EQ(Replay(dir_.File("none.db"), {}, out).code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(out.str(), "");
}

}  // namespace
}  // namespace warden::forensics
