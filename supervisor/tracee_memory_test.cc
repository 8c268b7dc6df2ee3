#include "supervisor/tracee_memory.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "gtest/gtest.h"

namespace warden::supervisor {
namespace {

// process_vm_readv on our own pid reads real memory with the same rules as
// on a tracee: mapped pages are read, an unmapped page stops the read.
class TraceeMemoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    page_ = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    map_ = static_cast<char*>(mmap(nullptr, 2 * page_, PROT_READ | PROT_WRITE,
                                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    ASSERT_NE(map_, MAP_FAILED);
    ASSERT_EQ(munmap(map_ + page_, page_), 0);  // second page now unmapped
  }
  void TearDown() override { munmap(map_, page_); }
  uint64_t Addr(const void* p) { return reinterpret_cast<uint64_t>(p); }
  size_t page_ = 0;
  char* map_ = nullptr;
};

TEST_F(TraceeMemoryTest, ReadsMappedMemory) {
  strcpy(map_ + 100, "/etc/passwd");
  TraceeMemory mem(getpid());
  char buf[12] = {};
  EXPECT_EQ(mem.Read(Addr(map_ + 100), buf, 12), 12u);
  EXPECT_STREQ(buf, "/etc/passwd");
}

TEST_F(TraceeMemoryTest, StopsAtAnUnmappedPage) {
  memset(map_, 'x', page_);
  TraceeMemory mem(getpid());
  std::string buf(64, '\0');
  EXPECT_EQ(mem.Read(Addr(map_ + page_ - 10), buf.data(), 64), 10u);
  EXPECT_EQ(buf.substr(0, 10), std::string(10, 'x'));
  EXPECT_EQ(mem.Read(Addr(map_ + page_), buf.data(), 8), 0u);
  EXPECT_EQ(mem.Read(0, buf.data(), 8), 0u);
}

TEST_F(TraceeMemoryTest, CacheServesRepeatedReadsOfOneStop) {
  strcpy(map_, "first");
  TraceeMemory mem(getpid());
  char buf[6] = {};
  ASSERT_EQ(mem.Read(Addr(map_), buf, 6), 6u);
  strcpy(map_, "later");  // the tracee would be stopped: one instance, one snapshot
  ASSERT_EQ(mem.Read(Addr(map_), buf, 6), 6u);
  EXPECT_STREQ(buf, "first");
  TraceeMemory fresh(getpid());  // the next stop sees the new bytes
  ASSERT_EQ(fresh.Read(Addr(map_), buf, 6), 6u);
  EXPECT_STREQ(buf, "later");
}

TEST_F(TraceeMemoryTest, LargeReadsGoDirect) {
  std::string big(3 * 4096, 'a');
  TraceeMemory mem(getpid());
  std::string out(big.size(), '\0');
  EXPECT_EQ(mem.Read(Addr(big.data()), out.data(), big.size()), big.size());
  EXPECT_EQ(out, big);
}

}  // namespace
}  // namespace warden::supervisor
