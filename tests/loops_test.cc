// The loops that start from a recording (issue 10), on real programs:
//   learn -> enforce: a policy learned from two runs, enforced in active mode
//     on a third, denies nothing and changes neither output nor exit status;
//     a variant that does one more thing is denied, and the denial recorded;
//   policy test: the dry run on the variant's recording (made without a
//     policy) predicts exactly the denials live enforcement produced;
//   expect -> verify: a profile from one run verifies another run of the
//     same workload (rate 1, nothing unexpected, exit 0); the variant is
//     flagged (exit non-zero, the extra item listed); a run that skipped
//     part of the work has missing items and a rate below 1; the NDJSON
//     export of a run gives the same report as its database.
#include <algorithm>
#include <filesystem>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/test_support.h"

namespace warden::itest {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

constexpr std::chrono::milliseconds kSlow{40000};

struct Workload {
  std::string name;
  // Files the workload needs, written into the test directory.
  std::vector<std::pair<std::string, std::string>> files;
  std::vector<std::string> argv;     // the workload (run in the test directory)
  std::vector<std::string> variant;  // the same, plus one thing more
  std::vector<std::string> partial;  // the same, minus part of the work ({}: none)
  std::string extra;                 // a substring of the denied target in the variant
  std::vector<std::string> before;   // files removed before each run
};

// Every workload runs in the C locale, so that an error message does not
// go looking for translations (a denial must not trigger calls the
// recording never made).
std::vector<std::string> Env(std::vector<std::string> argv) {
  argv.insert(argv.begin(), {"/usr/bin/env", "LC_ALL=C", "LANG=C"});
  return argv;
}

std::vector<Workload> Workloads() {
  std::vector<Workload> w;
  const std::string pipeline =
      "cat /etc/hostname /etc/os-release | sort | head -n 3 > out.txt; wc -l < out.txt";
  const std::string tail = "; tr a-z A-Z < out.txt | md5sum";
  w.push_back({"shell_pipeline", {},
               Env({"/bin/sh", "-c", pipeline + tail}),
               Env({"/bin/sh", "-c", pipeline + tail + "; cat /etc/shadow"}),
               Env({"/bin/sh", "-c", pipeline}),
               "/etc/shadow", {}});
  w.push_back({"python_script",
               {{"mylib.py", "def summarize(data, rows):\n"
                             "    return '%d keys, %d rows\\n' % (len(data), len(rows))\n"},
                {"data.json", "{\"a\": 1, \"b\": [1, 2, 3]}\n"},
                {"data.csv", "x,y\n1,2\n3,4\n"},
                {"main.py", "import csv, hashlib, json, os, sys\n"
                            "sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))\n"
                            "import mylib\n"
                            "data = json.load(open('data.json'))\n"
                            "rows = [] if '--no-csv' in sys.argv else list(csv.reader(open('data.csv')))\n"
                            "out = mylib.summarize(data, rows)\n"
                            "open('report.txt', 'w').write(out)\n"
                            "print(hashlib.sha256(out.encode()).hexdigest())\n"
                            "if '--shadow' in sys.argv:\n"
                            "    try:\n"
                            "        open('/etc/shadow').read()\n"
                            "    except OSError:\n"
                            "        print('refused')\n"}},
               Env({"/usr/bin/python3", "main.py"}),
               Env({"/usr/bin/python3", "main.py", "--shadow"}),
               Env({"/usr/bin/python3", "main.py", "--no-csv"}),
               "/etc/shadow", {}});
  w.push_back({"gcc_c",
               {{"hello.c", "#include <stdio.h>\n#ifdef EXTRA\n#include \"extra/extra.h\"\n#endif\n"
                            "int main(void) { puts(\"hello\"); return 0; }\n"},
                {"extra/extra.h", "#define EXTRA_VALUE 1\n"}},
               Env({"/usr/bin/gcc", "-c", "hello.c", "-o", "hello.o"}),
               Env({"/usr/bin/gcc", "-DEXTRA", "-c", "hello.c", "-o", "hello.o"}),
               {},
               "extra/extra.h", {"hello.o"}});
  w.push_back({"loopback_tcp",
               {{"net.py", "import socket, sys, threading\n"
                           "srv = socket.socket()\n"
                           "srv.bind(('127.0.0.1', 0))\n"
                           "srv.listen(1)\n"
                           "port = srv.getsockname()[1]\n"
                           "def serve():\n"
                           "    c, _ = srv.accept()\n"
                           "    c.sendall(c.recv(100).upper())\n"
                           "    c.close()\n"
                           "t = threading.Thread(target=serve)\n"
                           "t.start()\n"
                           "cl = socket.create_connection(('127.0.0.1', port))\n"
                           "cl.sendall(b'ping')\n"
                           "print(cl.recv(100).decode())\n"
                           "cl.close()\n"
                           "t.join()\n"
                           "if '--other' in sys.argv:\n"
                           "    try:\n"
                           "        socket.create_connection(('127.0.0.1', 9), timeout=2)\n"
                           "    except OSError:\n"
                           "        print('refused')\n"}},
               Env({"/usr/bin/python3", "net.py"}),
               Env({"/usr/bin/python3", "net.py", "--other"}),
               {},
               "127.0.0.1:9", {}});
  w.push_back({"make_j2",
               {{"a.c", "int a(void) { return 1; }\n"},
                {"b.c", "int b(void) { return 2; }\n"},
                {"main.c", "int a(void); int b(void);\nint main(void) { return a() + b() - 3; }\n"},
                {"Makefile", "CC = cc\nall: prog\nprog: a.o b.o main.o\n\t$(CC) -o prog a.o b.o main.o\n"
                             "%.o: %.c\n\t$(CC) -c $< -o $@\nextra:\n\tid -u\n"}},
               Env({"/usr/bin/make", "-s", "-B", "-j2", "all"}),
               Env({"/usr/bin/make", "-s", "-B", "-j2", "all", "extra"}),
               Env({"/usr/bin/make", "-s", "-B", "-j2", "a.o"}),
               "/id", {}});
  return w;
}

void PrintTo(const Workload& w, std::ostream* os) { *os << w.name; }

class LoopsTest : public IntegrationTest, public ::testing::WithParamInterface<Workload> {
 protected:
  void SetUp() override {
    IntegrationTest::SetUp();
    for (const auto& [name, text] : GetParam().files) {
      std::filesystem::create_directories(std::filesystem::path(Path(name)).parent_path());
      WriteFile(Path(name), text);
    }
  }
  ExitInfo Warden(std::vector<std::string> args) {
    args.insert(args.begin(), WardenBin());
    return Run(args, kSlow);
  }
  void Clean() {
    for (const auto& f : GetParam().before) std::filesystem::remove(Path(f));
  }
  // The workload under `warden run --db DB [--policy P]`.
  ExitInfo Record(const std::string& db, const std::vector<std::string>& argv,
                  const std::string& policy = "") {
    Clean();
    std::vector<std::string> args = {"run", "--db", db};
    if (!policy.empty()) args.insert(args.end(), {"--policy", policy});
    args.push_back("--");
    args.insert(args.end(), argv.begin(), argv.end());
    return Warden(args);
  }
  // (syscall, target, rule) of the denials a database recorded.
  std::vector<std::string> LiveDenials(const std::string& db) {
    std::vector<std::string> out;
    ExitInfo r = Run({"/usr/bin/sqlite3", db,
                      "SELECT syscall || ' ' || target || ' ' || rule FROM policy_events "
                      "WHERE action = 'deny' AND enforced = 1 ORDER BY 1"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    for (const auto& l : Lines(r.out)) out.push_back(l);
    return out;
  }
  // The same, as `warden policy test` predicts them.
  std::vector<std::string> PredictedDenials(const std::string& policy, const std::string& db,
                                            int* exit_code) {
    ExitInfo r = Warden({"policy", "test", policy, "--db", db, "--format", "ndjson"});
    *exit_code = r.exit_code;
    std::vector<std::string> out;
    for (const auto& line : Lines(r.out)) {
      auto o = ParseJsonObject(line);
      if (!o || (*o)["kind"] != "call" || (*o)["action"] != "deny") continue;
      out.push_back((*o)["syscall"] + " " + (*o)["target"] + " " + (*o)["rule"]);
    }
    std::sort(out.begin(), out.end());
    return out;
  }
  std::map<std::string, std::string> VerifyJson(const std::vector<std::string>& args, int* code) {
    std::vector<std::string> a = {"verify", "--expect", Path("expect.json"), "--format", "json"};
    a.insert(a.end(), args.begin(), args.end());
    ExitInfo r = Warden(a);
    *code = r.exit_code;
    auto o = ParseJsonObject(r.out);
    EXPECT_TRUE(o) << r.out << r.err;
    return o ? *o : std::map<std::string, std::string>{};
  }
};

TEST_P(LoopsTest, LearnEnforceDryRunExpectVerify) {
  const Workload& w = GetParam();
  Clean();
  ExitInfo plain = Run(w.argv, kSlow);
  ASSERT_EQ(plain.exit_code, 0) << plain.err;

  // Learn from two runs.
  const std::string learn_db = Path("learn.db"), policy = Path("learned.yaml");
  for (int i = 0; i < 2; ++i) {
    ExitInfo r = Record(learn_db, w.argv);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  ExitInfo learned = Warden({"learn", "--db", learn_db, "--run", "1", "--run", "2", "--mode",
                             "active", "-o", policy});
  ASSERT_EQ(learned.exit_code, 0) << learned.err;
  ExitInfo check = Warden({"policy", "check", policy});
  ASSERT_EQ(check.exit_code, 0) << check.out << check.err;

  // Enforce it on a third run: nothing denied, the same output and status.
  const std::string enforce_db = Path("enforce.db");
  ExitInfo enforced = Record(enforce_db, w.argv, policy);
  EXPECT_EQ(enforced.exit_code, plain.exit_code) << enforced.err;
  EXPECT_EQ(enforced.out, plain.out);
  EXPECT_THAT(LiveDenials(enforce_db), IsEmpty()) << ReadFile(policy);

  // The variant: denied live, and the denial recorded.
  const std::string variant_db = Path("variant.db"), live_db = Path("variant-live.db");
  ExitInfo recorded = Record(variant_db, w.variant);
  ASSERT_EQ(recorded.timed_out, false);
  Record(live_db, w.variant, policy);
  std::vector<std::string> live = LiveDenials(live_db);
  ASSERT_THAT(live, Not(IsEmpty()));
  EXPECT_TRUE(std::any_of(live.begin(), live.end(),
                          [&](const std::string& d) { return d.find(w.extra) != std::string::npos; }))
      << ::testing::PrintToString(live);

  // The dry run on the recording made without a policy predicts exactly those.
  int dry_exit = -1;
  EXPECT_EQ(PredictedDenials(policy, variant_db, &dry_exit), live);
  EXPECT_EQ(dry_exit, 1);
  int clean_exit = -1;
  EXPECT_THAT(PredictedDenials(policy, enforce_db, &clean_exit), IsEmpty());
  EXPECT_EQ(clean_exit, 0);

  // expect from one run, verify another run of the same workload.
  ExitInfo expected = Warden({"expect", "--db", learn_db, "--run", "2", "--service", w.name,
                              "-o", Path("expect.json")});
  ASSERT_EQ(expected.exit_code, 0) << expected.err;
  int code = -1;
  auto same = VerifyJson({"--db", enforce_db}, &code);
  EXPECT_EQ(code, 0) << same["missing"] << same["unexpected"];
  EXPECT_EQ(same["status"], "ok");
  EXPECT_THAT(same["observation"], HasSubstr("\"rate\": 1,"));
  EXPECT_EQ(same["unexpected"], "[]");

  // The variant is flagged, with its extra item.
  auto flagged = VerifyJson({"--db", variant_db}, &code);
  EXPECT_NE(code, 0);
  EXPECT_THAT(flagged["unexpected"], HasSubstr(w.extra));

  // Its NDJSON export (gzip) gives the same report as its database.
  ExitInfo ex = Warden({"export", "--db", variant_db, "--gzip", "-o", Path("variant.ndjson.gz")});
  ASSERT_EQ(ex.exit_code, 0) << ex.err;
  int offline_code = -1;
  auto offline = VerifyJson({"--observations", Path("variant.ndjson.gz")}, &offline_code);
  EXPECT_EQ(offline_code, code);
  for (const char* key : {"status", "observation", "by_kind", "missing", "unexpected", "findings"})
    EXPECT_EQ(offline[key], flagged[key]) << key;

  // A run that skipped part of the work: missing items, a rate below 1.
  if (!w.partial.empty()) {
    const std::string partial_db = Path("partial.db");
    ExitInfo p = Record(partial_db, w.partial);
    ASSERT_EQ(p.exit_code, 0) << p.err;
    auto skipped = VerifyJson({"--db", partial_db}, &code);
    EXPECT_NE(code, 2);
    EXPECT_NE(skipped["missing"], "[]");
    EXPECT_THAT(skipped["observation"], Not(HasSubstr("\"rate\": 1,")));
  }
}

INSTANTIATE_TEST_SUITE_P(Workloads, LoopsTest, ::testing::ValuesIn(Workloads()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace warden::itest
