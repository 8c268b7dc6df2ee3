#include "learn/generalize.h"

#include <string>
#include <vector>

#include "fmt/format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "policy/glob.h"

namespace warden::learn {
namespace {

using ::testing::Each;
using ::testing::ElementsAre;

std::string Gen(std::string_view path, Generalization g = {}) { return GeneralizePath(path, g); }

// Every glob stands for the path it came from.
void ExpectCovers(const std::vector<std::string_view>& paths, const std::vector<std::string>& globs) {
  ASSERT_EQ(paths.size(), globs.size());
  for (size_t i = 0; i < paths.size(); ++i)
    EXPECT_TRUE(policy::GlobMatch(globs[i], paths[i])) << globs[i] << " vs " << paths[i];
}

TEST(LiteralGlobTest, EscapesGlobCharacters) {
  EXPECT_EQ(LiteralGlob("/etc/passwd"), "/etc/passwd");
  EXPECT_EQ(LiteralGlob("/a*b?c[d]e\\f"), "/a\\*b\\?c\\[d]e\\\\f");
  EXPECT_TRUE(policy::GlobMatch(LiteralGlob("/a*b?c[d]e\\f"), "/a*b?c[d]e\\f"));
  EXPECT_FALSE(policy::GlobMatch(LiteralGlob("/a*b"), "/axxb"));
}

TEST(LiteralGlobTest, KeepsUtf8AndMasksOtherBytes) {
  EXPECT_EQ(LiteralGlob("/srv/café"), "/srv/café");
  EXPECT_EQ(LiteralGlob("/srv/caf\xe9"), "/srv/caf?");
  EXPECT_EQ(LiteralGlob("/x/\xed\xa0\x80"), "/x/???");  // a surrogate is not UTF-8
  EXPECT_TRUE(policy::GlobMatch(LiteralGlob("/srv/caf\xe9"), "/srv/caf\xe9"));
}

TEST(GeneralizeTest, ProcessIdsBecomeStars) {
  EXPECT_EQ(Gen("/proc/1234/stat"), "/proc/*/stat");
  EXPECT_EQ(Gen("/proc/1234"), "/proc/*");
  EXPECT_EQ(Gen("/proc/1234/task/1240/comm"), "/proc/*/task/*/comm");
  EXPECT_EQ(Gen("/proc/self/task/5678/status"), "/proc/self/task/*/status");
  // Only numeric components, and only those two positions.
  EXPECT_EQ(Gen("/proc/self/status"), "/proc/self/status");
  EXPECT_EQ(Gen("/proc/sys/net/ipv4/ip_local_port_range"), "/proc/sys/net/ipv4/ip_local_port_range");
  EXPECT_EQ(Gen("/proc/self/fd/3"), "/proc/self/fd/3");
  EXPECT_EQ(Gen("/proc/12a/stat"), "/proc/12a/stat");
  EXPECT_EQ(Gen("/srv/proc/1234/stat"), "/srv/proc/1234/stat");
}

TEST(GeneralizeTest, TempNamesBecomeTemplates) {
  EXPECT_EQ(Gen("/tmp/ccAbC123.s"), "/tmp/cc??????.s");
  EXPECT_EQ(Gen("/tmp/ccxyzabc.o"), "/tmp/cc??????.o");  // gcc's shape needs no mix
  EXPECT_EQ(Gen("/tmp/tmpab12_xyz"), "/tmp/tmp????????");
  EXPECT_EQ(Gen("/tmp/tmpab12_xyz/data.json"), "/tmp/tmp????????" "/data.json");
  EXPECT_EQ(Gen("/tmp/tmpqwertyui.json"), "/tmp/tmp????????.json");
  EXPECT_EQ(Gen("/tmp/tmp.AbCdEf1234"), "/tmp/tmp.??????????");
  EXPECT_EQ(Gen("/var/tmp/app-Xy9Qz1"), "/var/tmp/app-??????");
  EXPECT_EQ(Gen("/dev/shm/sem.q1W2e3"), "/dev/shm/sem.??????");
  EXPECT_EQ(Gen("/tmp/x/y_ab12cd34.txt"), "/tmp/x/y_????????.txt");
  Generalization g;
  g.temp_dirs = {"/scratch/"};
  EXPECT_EQ(Gen("/scratch/job-Q9w8E7", g), "/scratch/job-??????");
}

TEST(GeneralizeTest, OrdinaryNamesStayLiteral) {
  for (std::string_view p :
       {"/tmp/build.log", "/tmp/results2024.txt", "/tmp/app-config", "/tmp/report-final",
        "/tmp/ccache", "/tmp/tmpfiles.d", "/var/tmp/systemd", "/tmp/app-123456",
        "/home/u/ccAbC123.s", "/usr/lib/tmpab12_xyz", "/tmp", "/tmp/"})
    EXPECT_EQ(Gen(p), p);
}

TEST(GeneralizeTest, ExactKeepsEverythingLiteral) {
  Generalization g;
  g.exact = true;
  EXPECT_EQ(Gen("/proc/1234/stat", g), "/proc/1234/stat");
  EXPECT_EQ(Gen("/tmp/ccAbC123.s", g), "/tmp/ccAbC123.s");
  EXPECT_EQ(Gen("/tmp/a*b", g), "/tmp/a\\*b");
  std::vector<std::string_view> many;
  std::vector<std::string> names;
  for (int i = 0; i < 30; ++i) names.push_back(fmt::format("/usr/share/x/{}", i));
  for (const auto& n : names) many.push_back(n);
  std::vector<std::string> out = GeneralizePaths(many, g, true);
  for (size_t i = 0; i < many.size(); ++i) EXPECT_EQ(out[i], many[i]);
}

TEST(SensitiveTest, TheListedPathsAreSensitive) {
  for (std::string_view p :
       {"/etc/shadow", "/etc/shadow-", "/etc/gshadow", "/etc/sudoers", "/etc/sudoers.d",
        "/etc/sudoers.d/90-cloud", "/root", "/root/.bashrc", "/root/a/b", "/home/alice/.ssh",
        "/home/alice/.ssh/id_ed25519", "/etc/ssh/ssh_host_rsa_key", "/proc/1234/mem",
        "/proc/self/mem", "/proc/self/task/12/mem", "/proc/1/task/2/mem"})
    EXPECT_TRUE(IsSensitive(p)) << p;
  for (std::string_view p : {"/etc/passwd", "/etc/ssh/sshd_config", "/home/alice/.bashrc",
                             "/proc/1234/maps", "/rootfs/x"})
    EXPECT_FALSE(IsSensitive(p)) << p;
}

TEST(SensitiveTest, SensitivePathsNeverBecomeGlobs) {
  EXPECT_EQ(Gen("/proc/1234/mem"), "/proc/1234/mem");
  EXPECT_EQ(Gen("/proc/1234/task/1235/mem"), "/proc/1234/task/1235/mem");
  EXPECT_EQ(Gen("/root/tmpab12_xyz"), "/root/tmpab12_xyz");
  Generalization g;
  g.temp_dirs = {"/root"};
  EXPECT_EQ(Gen("/root/ccAbC123.s", g), "/root/ccAbC123.s");
}

std::vector<std::string> Children(std::string_view dir, int n, std::string_view suffix = "") {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) out.push_back(fmt::format("{}/f{}{}", dir, i, suffix));
  return out;
}

std::vector<std::string> Collapse(const std::vector<std::string>& paths, int n,
                                  bool collapse = true) {
  std::vector<std::string_view> views(paths.begin(), paths.end());
  Generalization g;
  g.collapse = n;
  std::vector<std::string> out = GeneralizePaths(views, g, collapse);
  ExpectCovers(views, out);
  return out;
}

TEST(CollapseTest, MoreThanNChildrenBecomeStar) {
  EXPECT_THAT(Collapse(Children("/usr/share/zoneinfo", 4), 3), Each(std::string("/usr/share/zoneinfo/*")));
  // N itself is not more than N.
  std::vector<std::string> three = Children("/usr/share/zoneinfo", 3);
  EXPECT_EQ(Collapse(three, 3), three);
}

TEST(CollapseTest, DefaultIsTen) {
  EXPECT_EQ(kDefaultCollapse, 10);
  std::vector<std::string> ten = Children("/usr/share/x", 10);
  EXPECT_EQ(Collapse(ten, 0), ten);
  EXPECT_THAT(Collapse(Children("/usr/share/x", 11), 0), Each(std::string("/usr/share/x/*")));
}

TEST(CollapseTest, ATreeBecomesDoubleStar) {
  std::vector<std::string> paths = Children("/usr/lib/python3", 3);
  for (auto& p : Children("/usr/lib/python3/json", 2)) paths.push_back(p);
  paths.push_back("/usr/lib/python3/json");  // the directory opened itself
  // Children of /usr/lib/python3: f0 f1 f2 json = 4 > 3.
  EXPECT_THAT(Collapse(paths, 3), Each(std::string("/usr/lib/python3/**")));
}

TEST(CollapseTest, TheHighestQualifyingDirectoryWinsAndOthersStay) {
  std::vector<std::string> paths = Children("/a/b/c", 5);
  paths.push_back("/a/b/x");
  paths.push_back("/etc/hosts");
  std::vector<std::string> out = Collapse(paths, 3);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(out[i], "/a/b/c/*");
  EXPECT_EQ(out[5], "/a/b/x");
  EXPECT_EQ(out[6], "/etc/hosts");
}

TEST(CollapseTest, CountsChildrenAfterRewriting) {
  // Ten processes' stat files are one child, /proc/*/stat.
  std::vector<std::string> paths;
  for (int i = 0; i < 10; ++i) paths.push_back(fmt::format("/proc/{}/stat", 100 + i));
  EXPECT_THAT(Collapse(paths, 3), Each(std::string("/proc/*/stat")));
}

TEST(CollapseTest, ExecPathsNeverCollapse) {
  std::vector<std::string> bins = Children("/usr/bin", 20);
  EXPECT_EQ(Collapse(bins, 3, /*collapse=*/false), bins);
}

TEST(CollapseTest, NeverTheRoot) {
  std::vector<std::string> top = {"/a", "/b", "/c", "/d", "/e"};
  EXPECT_EQ(Collapse(top, 2), top);
}

TEST(CollapseTest, DirectoriesHoldingSensitivePathsNeverCollapse) {
  // /etc with many children, /etc/shadow among them or not: never /etc/*.
  std::vector<std::string> etc = Children("/etc", 20);
  EXPECT_EQ(Collapse(etc, 3), etc);
  etc.push_back("/etc/shadow");
  EXPECT_EQ(Collapse(etc, 3), etc);
  // Nor a home directory (.ssh lies below it), /root, /etc/ssh, /proc/*.
  for (std::string_view dir : {"/home/alice", "/home", "/root/src", "/etc/ssh", "/etc/sudoers.d",
                               "/proc/self", "/proc/1234/task/7"}) {
    std::vector<std::string> paths = Children(dir, 20);
    std::vector<std::string> out = Collapse(paths, 3);
    for (size_t i = 0; i < out.size(); ++i)
      EXPECT_FALSE(out[i].ends_with("/*") || out[i].ends_with("/**")) << dir << ": " << out[i];
  }
  // A directory whose tree cannot hold one still collapses.
  EXPECT_THAT(Collapse(Children("/home/alice/src", 5), 3), Each(std::string("/home/alice/src/*")));
  EXPECT_THAT(Collapse(Children("/proc/self/fd", 5), 3), Each(std::string("/proc/self/fd/*")));
}

TEST(CollapseTest, SensitivePathsStayLiteralBesideACollapse) {
  // /proc/*/ entries collapse into nothing that covers mem.
  std::vector<std::string> paths = {"/proc/1/mem", "/proc/1/stat", "/proc/1/maps", "/proc/1/status",
                                    "/proc/1/cmdline", "/proc/1/environ"};
  std::vector<std::string> out = Collapse(paths, 2);
  EXPECT_EQ(out[0], "/proc/1/mem");
  for (const auto& g : out) {
    EXPECT_FALSE(policy::GlobMatch(g, "/proc/2/mem")) << g;
    EXPECT_FALSE(policy::GlobMatch(g, "/proc/self/mem")) << g;
  }
}

TEST(CollapseTest, NoGlobEverCoversASensitivePath) {
  std::vector<std::string> paths;
  for (std::string_view dir : {"/etc", "/etc/ssh", "/root", "/home/bob", "/home/bob/.ssh",
                               "/proc/42", "/proc/self", "/tmp", "/usr/lib", "/"})
    for (auto& p : Children(dir == "/" ? "" : dir, 15)) paths.push_back(p);
  std::vector<std::string> out = Collapse(paths, 2);
  for (const auto& g : out)
    for (std::string_view s : {"/etc/shadow", "/etc/gshadow", "/etc/sudoers", "/root/.ssh/id_rsa",
                               "/home/bob/.ssh/id_rsa", "/etc/ssh/ssh_host_ed25519_key",
                               "/proc/42/mem", "/proc/self/mem", "/etc/sudoers.d/x"})
      EXPECT_FALSE(policy::GlobMatch(g, s)) << g << " covers " << s;
}

TEST(CollapseTest, LiteralGlobCharactersSurviveCollapseAndMatch) {
  std::vector<std::string> paths = {"/data/a*b", "/data/c?d", "/data/[e]", "/data/x\\y",
                                    "/data/sp ace", "/other/q*"};
  std::vector<std::string> out = Collapse(paths, 3);
  EXPECT_THAT(std::vector<std::string>(out.begin(), out.begin() + 5), Each(std::string("/data/*")));
  EXPECT_EQ(out[5], "/other/q\\*");
}

TEST(CollapsePatternsTest, PinnedEntriesAreLeftAlone) {
  std::vector<std::string> p = {"/x/a", "/x/b", "/x/c", "/x/d"};
  std::vector<std::string> out = CollapsePatterns(p, {false, false, false, true}, 2);
  EXPECT_THAT(out, ElementsAre("/x/*", "/x/*", "/x/*", "/x/d"));
}

}  // namespace
}  // namespace warden::learn
