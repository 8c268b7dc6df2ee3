// Shared fixture of the policy integration tests (tests/policy_*_test.cc):
// writes a YAML policy into the test's temporary directory, runs real
// programs under `warden run --policy`, and reads back what the policy
// recorded (policy_events, policy_changes, the action/rule columns of the
// behaviour tables).
#ifndef WARDEN_TESTS_POLICY_TEST_SUPPORT_H_
#define WARDEN_TESTS_POLICY_TEST_SUPPORT_H_

#include <netinet/in.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <arpa/inet.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "tests/test_support.h"

namespace warden::itest {

// Replaces every `from` with `to` in `text`.
inline std::string ReplaceAll(std::string text, std::string_view from, std::string_view to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

inline bool Exists(const std::string& path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0;
}

inline int ModeOf(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return -1;
  return st.st_mode & 07777;
}

// The policy most security tests start from: one file-read rule,
// "no-secret", that denies $DIR/`rel` with EACCES (active by default).
inline std::string NoSecretPolicy(std::string_view rel = "secret") {
  return ReplaceAll(R"(
rules:
  - name: no-secret
    type: file-read
    paths: $DIR/REL
    action: deny
    errno: EACCES
)", "REL", rel);
}

class PolicyTest : public IntegrationTest {
 protected:
  static std::string H() { return Helper("policy_helper"); }
  std::string PolicyFile() const { return Path("policy.yaml"); }

  // The policy text with $DIR replaced by the test directory and $PORT by
  // `port` (when given); "version: 1" and a name are added unless the text
  // has them.
  std::string Expand(std::string_view yaml, int port = -1) const {
    std::string text = ReplaceAll(std::string(yaml), "$DIR", dir());
    if (port >= 0) text = ReplaceAll(text, "$PORT", std::to_string(port));
    if (text.find("version:") == std::string::npos) text = "version: 1\n" + text;
    if (text.find("\nname:") == std::string::npos && text.rfind("name:", 0) != 0)
      text = "name: test-policy\n" + text;
    return text;
  }

  void WritePolicy(std::string_view yaml, int port = -1) { WriteFile(PolicyFile(), Expand(yaml, port)); }

  // Writes the policy and runs `cmd` under it.
  ExitInfo RunPolicy(std::string_view yaml, const std::vector<std::string>& cmd,
                     std::vector<std::string> extra = {}, int port = -1) {
    WritePolicy(yaml, port);
    std::vector<std::string> opts = {"--policy", PolicyFile()};
    opts.insert(opts.end(), extra.begin(), extra.end());
    return RunWarden(cmd, opts);
  }

  // policy_helper OP ARGS... under the policy.
  ExitInfo RunHelper(std::string_view yaml, const std::vector<std::string>& args) {
    std::vector<std::string> cmd = {H()};
    cmd.insert(cmd.end(), args.begin(), args.end());
    return RunPolicy(yaml, cmd);
  }

  // The latest run's id, as SQL.
  static std::string RunId() { return "(SELECT max(id) FROM runs)"; }

  // Everything a policy failure needs: the fixture's Dump() plus the
  // policy's own tables and the verdict columns.
  std::string PolicyDump() {
    std::string out = Dump();
    auto table = [&](const std::string& title, const std::string& sql) {
      out += "-- " + title + "\n";
      for (const auto& row : Query(sql)) {
        for (size_t i = 0; i < row.size(); ++i) out += (i ? " | " : "") + row[i];
        out += "\n";
      }
    };
    table("runs (policy)", "SELECT id, policy, policy_mode, stops, exit_code FROM runs");
    table("policy_events",
          "SELECT pid, exe, abi, syscall, args, action, rule, mode, enforced, category, target, "
          "result, errno FROM policy_events WHERE run_id=" + RunId() + " ORDER BY id");
    table("policy_changes", "SELECT run_id, source, name, accepted, message FROM policy_changes ORDER BY id");
    table("file_events (verdicts)",
          "SELECT pid, syscall, path, op, result, errno, action, rule FROM file_events WHERE run_id=" +
              RunId() + " AND (action != 'allow' OR rule IS NOT NULL) ORDER BY id");
    table("exec_events (verdicts)", "SELECT pid, path, result, errno, action, rule FROM exec_events "
                                    "WHERE run_id=" + RunId() + " ORDER BY id");
    table("net_events (verdicts)", "SELECT pid, syscall, address, port, result, errno, action, rule "
                                   "FROM net_events WHERE run_id=" + RunId() +
                                   " AND (action != 'allow' OR rule IS NOT NULL) ORDER BY id");
    table("syscall_events (verdicts)", "SELECT pid, name, args, result, errno, action, rule FROM "
                                       "syscall_events WHERE run_id=" + RunId() +
                                       " AND (action != 'allow' OR rule IS NOT NULL) ORDER BY id");
    return out;
  }

  // A TCP port on 127.0.0.1 that nothing listens on right now, from a
  // range per test process (20000 + pid % 20000) so that parallel test
  // runs rarely meet; checked by binding it.
  static int NextPort() {
    static int n = 0;
    for (int tries = 0; tries < 200; ++tries) {
      int port = 20000 + (getpid() % 20000 + 97 * n++) % 20000;
      int s = socket(AF_INET, SOCK_STREAM, 0);
      sockaddr_in a{};
      a.sin_family = AF_INET;
      a.sin_port = htons(static_cast<uint16_t>(port));
      a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      bool free = bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
      close(s);
      if (free) return port;
    }
    return 20000 + getpid() % 20000;
  }

  // `policy_helper accept PORT` outside warden, listening; retries other
  // ports on EADDRINUSE. Sets *port.
  Spawned StartListener(int* port) {
    for (int tries = 0; tries < 5; ++tries) {
      *port = NextPort();
      Spawned p = Start({H(), "accept", std::to_string(*port)});
      bool up = WaitUntil([&] {
        std::string out = ReadFile(p.out_path);
        return out.find("listening") != std::string::npos || out.find("bind err") != std::string::npos;
      });
      if (up && ReadFile(p.out_path).find("listening") != std::string::npos) return p;
      Wait(p);
    }
    ADD_FAILURE() << "no listener could be started";
    return Spawned{};
  }
};

}  // namespace warden::itest

#endif  // WARDEN_TESTS_POLICY_TEST_SUPPORT_H_
