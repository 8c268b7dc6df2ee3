// Test helper: small root filesystems in temporary directories, built from
// this machine's own files, for harden's unit tests and its end-to-end
// test (tests/harden_test.cc). Header-only; tests only.
//
// The layout is Debian's merged /usr (bin, lib, lib64 -> usr/...), with the
// loader's own absolute link in usr/lib64, because that is where symlink
// chains and the loader's path are easy to get wrong.
#ifndef WARDEN_HARDEN_TEST_ROOT_H_
#define WARDEN_HARDEN_TEST_ROOT_H_

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/scratch.h"

namespace warden::harden::testing {

namespace fs = std::filesystem;

inline void WriteIn(const std::string& root, const std::string& path, const std::string& text) {
  fs::create_directories(fs::path(root + path).parent_path());
  std::ofstream(root + path) << text;
}

// bin, lib, lib64 -> usr/..., and usr/lib64/ld-linux-x86-64.so.2 -> the
// loader in /lib/x86_64-linux-gnu (absolute, as Debian ships it).
inline void MakeMergedUsr(const std::string& root) {
  for (const char* d : {"/usr/bin", "/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/etc"})
    fs::create_directories(root + d);
  fs::create_symlink("usr/bin", root + "/bin");
  fs::create_symlink("usr/lib", root + "/lib");
  fs::create_symlink("usr/lib64", root + "/lib64");
  fs::create_symlink("/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2",
                     root + "/usr/lib64/ld-linux-x86-64.so.2");
}

// Copies the libraries ldd names for this machine's ELF file `host_path`
// into ROOT/usr/lib/x86_64-linux-gnu (the fixture may use ldd; the code
// under test reads ELF). Returns their paths inside the root.
inline std::vector<std::string> CopyLibrariesOf(const std::string& root, const std::string& host_path) {
  std::vector<std::string> libs;
  FILE* p = popen(("ldd " + host_path).c_str(), "r");
  char line[512];
  while (p != nullptr && fgets(line, sizeof line, p) != nullptr) {
    const std::string s(line);
    const size_t slash = s.find('/');
    if (slash == std::string::npos) continue;
    const std::string path = s.substr(slash, s.find(' ', slash) - slash);
    const std::string in_root = "/usr/lib/x86_64-linux-gnu/" + fs::path(path).filename().string();
    fs::copy_file(fs::canonical(path), root + in_root, fs::copy_options::skip_existing);
    libs.push_back(in_root);
  }
  if (p != nullptr) pclose(p);
  return libs;
}

// Copies this machine's /usr/bin/PROG into ROOT/usr/bin (as AS when
// given), and its libraries. Returns the libraries' paths inside the root.
inline std::vector<std::string> CopyProgram(const std::string& root, const std::string& prog,
                                            const std::string& as = "") {
  fs::copy_file("/usr/bin/" + prog, root + "/usr/bin/" + (as.empty() ? prog : as),
                fs::copy_options::overwrite_existing);
  return CopyLibrariesOf(root, "/usr/bin/" + prog);
}

// A fixture with an empty root, tmp_/root, in a fresh temporary directory
// tmp_ that is removed after the test (with anything else the test put
// there, such as an output tree); fixtures derive and fill root_ in SetUp.
class TempRootTest : public warden::testing::ScratchTest {
 protected:
  void SetUp() override {
    ScratchTest::SetUp();
    tmp_ = scratch_;
    root_ = tmp_ + "/root";
    fs::create_directory(root_);
  }

  void Write(const std::string& path, const std::string& text) { WriteIn(root_, path, text); }

  std::string tmp_, root_;
};

}  // namespace warden::harden::testing

#endif  // WARDEN_HARDEN_TEST_ROOT_H_
