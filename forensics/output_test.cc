#include "forensics/output.h"

#include <sstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace warden::forensics {
namespace {

using ::testing::HasSubstr;

std::string Table(size_t max_width) {
  std::ostringstream out;
  auto w = MakeRowWriter(OutputFormat::kText, out, {.max_width = max_width});
  EXPECT_TRUE(w->Begin({"path", "count", "first_seen", "programs"}).ok());
  for (int i = 0; i < 3; ++i)
    EXPECT_TRUE(w->Row({Cell::Text("/usr/lib/x86_64-linux-gnu/gconv/gconv-modules.d/gconv-modules-extra.conf"),
                        Cell::Int(i), Cell::Text("2026-12-03T07:40:11.066Z"),
                        Cell::Text("/root/.pyenv/versions/3.11.7/bin/python3.11")})
                    .ok());
  EXPECT_TRUE(w->End().ok());
  return out.str();
}

size_t Widest(const std::string& text) {
  size_t widest = 0;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) widest = std::max(widest, line.size());
  return widest;
}

// On a terminal, the widest text columns give way, their values shortened
// in the middle; a time column is never cut; without a width, nothing is.
TEST(TextWriterTest, FitsTheWidthGivenByShorteningTheWidestColumns) {
  const std::string whole = Table(0);
  EXPECT_THAT(whole, HasSubstr("gconv-modules-extra.conf"));
  EXPECT_GT(Widest(whole), 120u);
  const std::string fitted = Table(100);
  EXPECT_LE(Widest(fitted), 100u) << fitted;
  EXPECT_THAT(fitted, HasSubstr("2026-12-03T07:40:11.066Z"));
  EXPECT_THAT(fitted, HasSubstr("..."));
  EXPECT_THAT(fitted, HasSubstr("/usr/lib/x86_"));  // the head of the path
  EXPECT_THAT(fitted, HasSubstr("extra.conf"));     // and its file name
  // Too narrow to fit without cutting times: as narrow as it can be.
  const std::string narrow = Table(40);
  EXPECT_THAT(narrow, HasSubstr("2026-12-03T07:40:11.066Z"));
}

}  // namespace
}  // namespace warden::forensics
