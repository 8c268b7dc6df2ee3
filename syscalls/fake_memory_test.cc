#include "syscalls/fake_memory.h"

#include <gtest/gtest.h>

namespace warden::syscalls {
namespace {

TEST(FakeMemoryTest, ReadsUpToRegionEndAndNothingOutside) {
  FakeMemory mem;
  mem.PutBytes(0x1000, "abcdef");
  char buf[16] = {};
  EXPECT_EQ(mem.Read(0x1002, buf, 3), 3u);
  EXPECT_EQ(std::string(buf, 3), "cde");
  EXPECT_EQ(mem.Read(0x1004, buf, 16), 2u);
  EXPECT_EQ(std::string(buf, 2), "ef");
  EXPECT_EQ(mem.Read(0x1006, buf, 1), 0u);
  EXPECT_EQ(mem.Read(0xfff, buf, 1), 0u);
  EXPECT_EQ(mem.Read(0, buf, 1), 0u);
}

TEST(FakeMemoryTest, AdjacentAndOverlappingPutsMerge) {
  FakeMemory mem;
  mem.PutBytes(0x2000, "abc");
  mem.PutBytes(0x2003, "def");  // touches: one region
  mem.PutBytes(0x2001, "XY");   // overwrites inside
  char buf[8] = {};
  EXPECT_EQ(mem.Read(0x2000, buf, 8), 6u);
  EXPECT_EQ(std::string(buf, 6), "aXYdef");
}

TEST(FakeMemoryTest, StringsAndPointerArrays) {
  FakeMemory mem;
  mem.PutString(0x3000, "hi");
  char buf[3];
  ASSERT_EQ(mem.Read(0x3000, buf, 3), 3u);
  EXPECT_EQ(std::string(buf, 3), std::string("hi\0", 3));

  mem.PutPointers(0x4000, {0x11223344, 0}, 4);
  unsigned char p[8];
  ASSERT_EQ(mem.Read(0x4000, p, 8), 8u);
  EXPECT_EQ(p[0], 0x44);
  EXPECT_EQ(p[3], 0x11);
  EXPECT_EQ(p[4], 0);

  mem.PutStringArray(0x5000, 0x6000, {"ls", "-l"});
  uint64_t ptrs[3];
  ASSERT_EQ(mem.Read(0x5000, ptrs, sizeof ptrs), sizeof ptrs);
  EXPECT_EQ(ptrs[0], 0x6000u);
  EXPECT_EQ(ptrs[1], 0x6003u);
  EXPECT_EQ(ptrs[2], 0u);
  EXPECT_EQ(mem.calls().size(), 3u);
}

}  // namespace
}  // namespace warden::syscalls
