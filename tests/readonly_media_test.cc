// The reading commands on a database that sits on read-only media (a
// read-only bind mount: what a forensic copy or an image layer looks like).
// SQLite cannot create the -shm file a WAL database is read through there;
// the reading layer opens such a file as immutable (forensics/read_db.cc).
// Also: a path that is not UTF-8 and a real UTF-8 one export as different
// JSON strings (warden.1, "Text that is not UTF-8").
#include <sys/mount.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/test_support.h"

namespace warden::itest {
namespace {

using ::testing::HasSubstr;

class ReadOnlyMediaTest : public IntegrationTest {
 protected:
  void TearDown() override {
    if (mounted_) umount2(ro_.c_str(), MNT_DETACH);
    IntegrationTest::TearDown();
  }
  // Bind-mounts dir()/src read-only at dir()/ro; false (with a message)
  // when this machine does not allow it.
  bool MountReadOnly(const std::string& src) {
    ro_ = Path("ro");
    std::filesystem::create_directories(ro_);
    if (mount(src.c_str(), ro_.c_str(), nullptr, MS_BIND, nullptr) != 0) {
      reason_ = std::string("bind mount: ") + strerror(errno);
      return false;
    }
    mounted_ = true;
    if (mount(nullptr, ro_.c_str(), nullptr, MS_BIND | MS_REMOUNT | MS_RDONLY, nullptr) != 0) {
      reason_ = std::string("read-only remount: ") + strerror(errno);
      return false;
    }
    return true;
  }
  std::string ro_, reason_;
  bool mounted_ = false;
};

TEST_F(ReadOnlyMediaTest, ExportQueryProfileAndReplayReadADatabaseOnReadOnlyMedia) {
  const std::string src = Path("src");
  std::filesystem::create_directories(src);
  const std::string db = src + "/w.db";
  ExitInfo r = Run({WardenBin(), "run", "--db", db, "--", "/bin/cat", "/etc/hostname"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  if (!MountReadOnly(src)) GTEST_SKIP() << "cannot make a read-only mount here: " << reason_;
  const std::string rodb = ro_ + "/w.db";
  // The media really is read-only: nothing can be created next to the file.
  ASSERT_NE(access(ro_.c_str(), W_OK), 0);

  ExitInfo ex = Run({WardenBin(), "export", "--db", rodb, "--kind", "file"});
  ASSERT_EQ(ex.exit_code, 0) << ex.err;
  EXPECT_THAT(ex.out, HasSubstr("\"path\":\"/etc/hostname\""));
  ExitInfo q = Run({WardenBin(), "query", "--db", rodb, "who", "/etc/hostname"});
  ASSERT_EQ(q.exit_code, 0) << q.err;
  EXPECT_THAT(q.out, HasSubstr("/etc/hostname"));
  ExitInfo p = Run({WardenBin(), "profile", "--db", rodb});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  EXPECT_THAT(p.out, HasSubstr("/etc/hostname"));
  ExitInfo t = Run({WardenBin(), "query", "--db", rodb, "timeline"});
  ASSERT_EQ(t.exit_code, 0) << t.err;
  ExitInfo rp = Run({WardenBin(), "replay", "--db", rodb});
  ASSERT_EQ(rp.exit_code, 0) << rp.err;
  ExitInfo runs = Run({WardenBin(), "runs", "--db", rodb});
  ASSERT_EQ(runs.exit_code, 0) << runs.err;
}

TEST_F(ReadOnlyMediaTest, NonUtf8AndUtf8PathsExportAsDifferentStrings) {
  // One file named with the byte 0xe9, one with the UTF-8 "é".
  const std::string latin1 = Path("caf\xe9"), utf8 = Path("caf\xc3\xa9");
  WriteFile(latin1, "1");
  WriteFile(utf8, "2");
  ExitInfo r = RunWarden({"/bin/cat", latin1, utf8});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ExitInfo ex = Run({WardenBin(), "export", "--db", db(), "--kind", "file"});
  ASSERT_EQ(ex.exit_code, 0) << ex.err;
  // \udce9 for the byte; the real é as it is.
  EXPECT_THAT(ex.out, HasSubstr("caf\\udce9\""));
  EXPECT_THAT(ex.out, HasSubstr("caf\xc3\xa9\""));
  EXPECT_THAT(ex.out, ::testing::Not(HasSubstr("caf\\u00e9")));
}

}  // namespace
}  // namespace warden::itest
