// `warden stub` without a daemon: a tiny image (one static program, no
// libc at all: "distroless"), its stub written, unpacked as a container
// runtime would (image/unpack.h), and its entrypoint run in a chroot of
// it: warden starts from its own bundle, traces the program, and records
// into the database directory of the image. The container engine tests
// are packaging/container-test.sh.
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "image/digest.h"
#include "image/unpack.h"
#include "nlohmann/json.hpp"
#include "tests/test_support.h"

namespace warden::itest {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Json = nlohmann::json;

class StubTest : public IntegrationTest {
 protected:
  // IMAGE.tar: a `docker save` archive of a root with only /sbin/ldconfig
  // (static-pie on Debian), CMD ldconfig --version.
  void MakeImage() {
    const std::string root = Path("root"), save = Path("save");
    fs::create_directories(root + "/sbin");
    fs::copy_file("/sbin/ldconfig", root + "/sbin/ldconfig");
    fs::create_directories(save + "/l1");
    ASSERT_EQ(Run({"/bin/tar", "-C", root, "-cf", save + "/l1/layer.tar", "."}).exit_code, 0);
    auto diff = image::Sha256OfFile(save + "/l1/layer.tar");
    ASSERT_TRUE(diff.ok());
    Json config = {{"architecture", "amd64"}, {"os", "linux"},
                   {"config", {{"Cmd", {"/sbin/ldconfig", "--version"}}, {"Env", {"PATH=/sbin"}}}},
                   {"rootfs", {{"type", "layers"}, {"diff_ids", {*diff}}}}};
    std::ofstream(save + "/config.json") << config.dump();
    std::ofstream(save + "/manifest.json")
        << R"([{"Config":"config.json","RepoTags":["tiny:1"],"Layers":["l1/layer.tar"]}])";
    ASSERT_EQ(Run({"/bin/tar", "-C", save, "-cf", Path("tiny.tar"), "."}).exit_code, 0);
  }

  // The stub archive's manifest and config.
  void ReadStub(const std::string& archive, Json& manifest, Json& config) {
    const std::string x = Path("x");
    fs::remove_all(x);
    fs::create_directories(x);
    ASSERT_TRUE(image::ExtractTar(archive, x).ok());
    manifest = Json::parse(std::ifstream(x + "/manifest.json"));
    config = Json::parse(std::ifstream(x + "/" + manifest[0]["Config"].get<std::string>()));
  }

  // The stub unpacked into a root, and its ENTRYPOINT + CMD run there.
  ExitInfo RunContainer(const std::string& archive, const Json& config) {
    const std::string scratch = Path("scratch");
    fs::remove_all(scratch);
    fs::create_directories(scratch);
    auto root = image::UnpackImage(archive, scratch);
    EXPECT_TRUE(root.ok()) << root.status();
    rootfs_ = root.ok() ? *root : "";
    // As an engine sets a container up: a mount namespace with /proc.
    fs::create_directories(rootfs_ + "/proc");
    std::vector<std::string> argv = {"/usr/bin/unshare", "--mount", "/bin/sh", "-c",
                                     "mount -t proc proc \"$0/proc\" && exec /usr/sbin/chroot \"$0\" \"$@\"",
                                     rootfs_};
    for (const auto* part : {&config["config"]["Entrypoint"], &config["config"]["Cmd"]})
      for (const Json& a : *part) argv.push_back(a);
    return Run(argv);
  }

  std::string rootfs_;
};

TEST_F(StubTest, TheStubRunsTheImagesCommandUnderWardenWithoutTheImagesLibc) {
  if (geteuid() != 0) GTEST_SKIP() << "chroot needs root here";
  MakeImage();
  ExitInfo s = Run({WardenBin(), "stub", Path("tiny.tar"), "-o", Path("stub.tar")});
  ASSERT_EQ(s.exit_code, 0) << s.err;
  EXPECT_THAT(s.out, HasSubstr("tiny:1-stub"));
  Json manifest, config;
  ReadStub(Path("stub.tar"), manifest, config);
  EXPECT_EQ(manifest[0]["RepoTags"], Json({"tiny:1-stub"}));
  ASSERT_EQ(manifest[0]["Layers"].size(), 2u);
  EXPECT_EQ(manifest[0]["Layers"][0], "l1/layer.tar");  // the original layer, unchanged
  // The new layer's diff_id is what docker load will check.
  auto diff = image::Sha256OfFile(Path("x/") + manifest[0]["Layers"][1].get<std::string>());
  ASSERT_TRUE(diff.ok());
  EXPECT_EQ(config["rootfs"]["diff_ids"][1], *diff);
  EXPECT_EQ(config["config"]["Cmd"], Json({"/sbin/ldconfig", "--version"}));  // unchanged
  EXPECT_TRUE(config["config"]["Volumes"].contains("/var/lib/warden"));
  const Json& entry = config["config"]["Entrypoint"];
  ASSERT_GE(entry.size(), 8u);
  EXPECT_EQ(entry[3], "/opt/warden/bin/warden");
  EXPECT_EQ(entry.back(), "--");

  ExitInfo r = RunContainer(Path("stub.tar"), config);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("ldconfig (Debian GLIBC"));
  EXPECT_FALSE(fs::exists(rootfs_ + "/lib")) << "the image got a libc";
  // The recording is in the image's database directory.
  const std::string db_in_image = rootfs_ + "/var/lib/warden/warden.db";
  ExitInfo q = Run({WardenBin(), "query", "sql", "--db", db_in_image, "SELECT path FROM exec_events"});
  EXPECT_THAT(q.out, HasSubstr("/sbin/ldconfig")) << q.err;
  EXPECT_EQ(fs::status(rootfs_ + "/var/lib/warden").permissions() & fs::perms::all, fs::perms::all);
}

TEST_F(StubTest, APolicyGoesInAndIsEnforced) {
  if (geteuid() != 0) GTEST_SKIP() << "chroot needs root here";
  MakeImage();
  WriteFile(Path("p.yaml"), "version: 1\nname: no-ldconfig\nrules:\n  - name: no-ldconfig\n    type: exec\n"
                            "    paths: /sbin/ldconfig\n    action: deny\n");
  ExitInfo s = Run({WardenBin(), "stub", Path("tiny.tar"), "-o", Path("stub.tar"), "--policy", Path("p.yaml"),
                    "--tag", "tiny:guarded"});
  ASSERT_EQ(s.exit_code, 0) << s.err;
  Json manifest, config;
  ReadStub(Path("stub.tar"), manifest, config);
  EXPECT_EQ(manifest[0]["RepoTags"], Json({"tiny:guarded"}));
  ExitInfo r = RunContainer(Path("stub.tar"), config);
  EXPECT_NE(r.exit_code, 0) << r.out;
  EXPECT_TRUE(fs::exists(rootfs_ + "/etc/warden/policy.yaml"));
  ExitInfo q = Run({WardenBin(), "query", "sql", "--db", rootfs_ + "/var/lib/warden/warden.db",
                    "SELECT rule FROM policy_events"});
  EXPECT_THAT(q.out, HasSubstr("no-ldconfig")) << q.err;
}

TEST_F(StubTest, BadInputExits2AndWritesNothing) {
  MakeImage();
  WriteFile(Path("plain"), "not an image");
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{Path("plain"), "-o", Path("o.tar")},
        {Path("missing.tar"), "-o", Path("o.tar")},
        {Path("tiny.tar"), "-o", Path("o.tar"), "--policy", Path("nope.yaml")},
        {Path("tiny.tar"), "-o", Path("o.tar"), "--db-dir", "relative"},
        {Path("tiny.tar")}}) {
    std::vector<std::string> cmd = {WardenBin(), "stub"};
    cmd.insert(cmd.end(), args.begin(), args.end());
    ExitInfo r = Run(cmd);
    EXPECT_EQ(r.exit_code, 2) << args[0] << ": " << r.err;
    EXPECT_FALSE(fs::exists(Path("o.tar")));
    EXPECT_FALSE(fs::exists(Path("o.tar.part")));
  }
  // A stub of a stub is refused.
  ASSERT_EQ(Run({WardenBin(), "stub", Path("tiny.tar"), "-o", Path("s1.tar")}).exit_code, 0);
  ExitInfo r = Run({WardenBin(), "stub", Path("s1.tar"), "-o", Path("o.tar")});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("already starts under warden"));
  EXPECT_EQ(Run({WardenBin(), "stub", "--help"}).exit_code, 0);
}

}  // namespace
}  // namespace warden::itest
