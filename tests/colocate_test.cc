// Colocation (supervisor/colocate.h): a busy traced task is bound to
// warden's CPU, and the program cannot tell: sched_getaffinity answers
// with the CPUs it had; a task that sets its own affinity keeps it.
#include <sched.h>

#include <string>

#include "gtest/gtest.h"
#include "tests/test_support.h"

namespace warden::itest {
namespace {

// Python stats files (each a stop), then prints what it sees and what the
// kernel really allows it: "seen N" and "real N"; and what a thread it
// starts then sees: "thread N". "real" is read while the process is still
// one busy task: once a thread runs beside it, warden may lift the binding
// for a while (supervisor/colocate.h), and on a loaded machine it did.
constexpr const char* kProbe = R"(
import os, sys
if len(sys.argv) > 1: os.sched_setaffinity(0, set(range(os.cpu_count())))
for i in range(3000): os.path.exists('/usr/include/stdio.h')
print('seen', len(os.sched_getaffinity(0)))
for line in open('/proc/self/status'):
    if line.startswith('Cpus_allowed_list:'):
        spec = line.split()[1]
        n = sum((int(b) - int(a) + 1) if '-' in r else 1
                for r in spec.split(',') for a, _, b in [r.partition('-')])
        print('real', n)
import threading
t = threading.Thread(target=lambda: print('thread', len(os.sched_getaffinity(0))))
t.start(); t.join()
)";

class ColocateTest : public IntegrationTest {
 protected:
  void SetUp() override {
    IntegrationTest::SetUp();
    cpu_set_t set;
    ASSERT_EQ(sched_getaffinity(0, sizeof set, &set), 0);
    cpus_ = CPU_COUNT(&set);
    if (cpus_ < 2) GTEST_SKIP() << "one CPU: nothing to colocate";
  }
  int cpus_ = 0;
};

TEST_F(ColocateTest, BusyTaskIsBoundButSeesEveryCpu) {
  ExitInfo r = RunWarden({"python3", "-c", kProbe});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Field(r.out, "real"), "1") << r.out;  // bound to warden's CPU
  EXPECT_EQ(Field(r.out, "seen"), std::to_string(cpus_)) << r.out;
  EXPECT_EQ(Field(r.out, "thread"), std::to_string(cpus_)) << r.out;  // a thread it started too
}

TEST_F(ColocateTest, NoColocateLeavesTheTaskAlone) {
  ExitInfo r = RunWarden({"python3", "-c", kProbe}, {"--no-colocate"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Field(r.out, "real"), std::to_string(cpus_)) << r.out;
  EXPECT_EQ(Field(r.out, "seen"), std::to_string(cpus_)) << r.out;
}

TEST_F(ColocateTest, ATaskThatSetsItsOwnAffinityKeepsIt) {
  ExitInfo r = RunWarden({"python3", "-c", kProbe, "own"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Field(r.out, "real"), std::to_string(cpus_)) << r.out;
  EXPECT_EQ(Field(r.out, "seen"), std::to_string(cpus_)) << r.out;
}

}  // namespace
}  // namespace warden::itest
