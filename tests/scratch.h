// For unit tests that need real files: a fresh temporary directory that
// goes away with the test, and a file's whole contents. Header-only, so
// that any library's *_test.cc can use it without linking the
// integration tests' support code.
#ifndef WARDEN_TESTS_SCRATCH_H_
#define WARDEN_TESTS_SCRATCH_H_

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "gtest/gtest.h"

namespace warden::testing {

// A fixture whose scratch_ is a new directory under /tmp, removed after
// each test.
class ScratchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/warden_unit.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    scratch_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(scratch_); }

  std::string scratch_;
};

inline std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace warden::testing

#endif  // WARDEN_TESTS_SCRATCH_H_
