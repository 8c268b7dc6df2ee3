#include "syscalls/flags.h"

#include <gtest/gtest.h>

namespace warden::syscalls {
namespace {

constexpr FlagName kTable[] = {
    {0x1, "A"}, {0x2, "B"}, {0x4, "C"},
    {0x18, "WIDE"},  // two bits: must win over NARROW
    {0x10, "NARROW"},
};

TEST(FormatFlagsTest, JoinsKnownBitsInTableOrder) {
  EXPECT_EQ(FormatFlags(0x5, kTable), "A|C");
  EXPECT_EQ(FormatFlags(0x7, kTable), "A|B|C");
}

TEST(FormatFlagsTest, ZeroUsesZeroText) {
  EXPECT_EQ(FormatFlags(0, kTable), "0");
  EXPECT_EQ(FormatFlags(0, kTable, "NONE"), "NONE");
  EXPECT_EQ(FormatFlags(0, kTable, ""), "");
}

TEST(FormatFlagsTest, LeftoverBitsAsHex) {
  EXPECT_EQ(FormatFlags(0x1 | 0x100, kTable), "A|0x100");
  EXPECT_EQ(FormatFlags(0x8000000000000000, kTable), "0x8000000000000000");
}

TEST(FormatFlagsTest, WiderRowClaimsItsBitsFirst) {
  EXPECT_EQ(FormatFlags(0x18, kTable), "WIDE");
  EXPECT_EQ(FormatFlags(0x10, kTable), "NARROW");
  EXPECT_EQ(FormatFlags(0x08, kTable), "0x8");  // half a composite is not the composite
}

TEST(FormatEnumTest, NameOrNumber) {
  EXPECT_EQ(FormatEnum(2, kTable), "B");
  EXPECT_EQ(FormatEnum(3, kTable), "3");
  EXPECT_EQ(FormatEnum(255, kTable, Unknown::kHex), "0xff");
}

TEST(FindNameTest, FindsExactValueOnly) {
  EXPECT_EQ(FindName(0x18, kTable), "WIDE");
  EXPECT_EQ(FindName(0x3, kTable), std::nullopt);
}

TEST(JoinFlagsTest, SkipsEmptyParts) {
  EXPECT_EQ(JoinFlags({"A", "", "B"}), "A|B");
  EXPECT_EQ(JoinFlags({"", ""}), "");
}

}  // namespace
}  // namespace warden::syscalls
