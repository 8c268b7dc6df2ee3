#include <gtest/gtest.h>

#include "syscalls/decode.h"
#include "syscalls/fake_memory.h"

namespace warden::syscalls {
namespace {

constexpr uint64_t kPage = 4096;

TEST(ReadCStringTest, ReadsUpToNul) {
  FakeMemory mem;
  mem.PutString(0x10000, "/etc/passwd");
  StringValue s = ReadCString(mem, 0x10000);
  EXPECT_EQ(s.value, "/etc/passwd");
  EXPECT_FALSE(s.truncated);
  EXPECT_FALSE(s.unreadable);
}

TEST(ReadCStringTest, NullAndUnmappedAreUnreadable) {
  FakeMemory mem;
  EXPECT_TRUE(ReadCString(mem, 0).unreadable);
  StringValue s = ReadCString(mem, 0xdead0000);
  EXPECT_TRUE(s.unreadable);
  EXPECT_FALSE(s.truncated);
  EXPECT_EQ(s.value, "");
}

TEST(ReadCStringTest, CapTruncates) {
  FakeMemory mem;
  mem.PutString(0x10000, "abcdefgh");
  StringValue s = ReadCString(mem, 0x10000, 4);
  EXPECT_EQ(s.value, "abcd");
  EXPECT_TRUE(s.truncated);
  // Exactly `cap` bytes then NUL is complete, not truncated.
  s = ReadCString(mem, 0x10000, 8);
  EXPECT_EQ(s.value, "abcdefgh");
  EXPECT_FALSE(s.truncated);
}

TEST(ReadCStringTest, StringEndingJustBeforeUnmappedPageIsComplete) {
  FakeMemory mem;
  // "tail" + NUL fill the last 5 bytes of the page; the next page is unmapped.
  uint64_t addr = 3 * kPage - 5;
  mem.PutString(addr, "tail");
  StringValue s = ReadCString(mem, addr);
  EXPECT_EQ(s.value, "tail");
  EXPECT_FALSE(s.truncated);
  EXPECT_FALSE(s.unreadable);
}

TEST(ReadCStringTest, NeverReadsAcrossAPageBoundary) {
  FakeMemory mem;
  std::string long_string(2 * kPage + 100, 'x');
  uint64_t addr = kPage * 5 + 4000;
  mem.PutString(addr, long_string);
  StringValue s = ReadCString(mem, addr, 3 * kPage);
  EXPECT_EQ(s.value, long_string);
  ASSERT_FALSE(mem.calls().empty());
  for (const auto& c : mem.calls())
    EXPECT_LE(c.addr % kPage + c.len, kPage) << std::hex << c.addr << " " << c.len;
  EXPECT_EQ(mem.calls()[0].len, kPage - 4000);
}

TEST(ReadCStringTest, RunningIntoUnmappedPageIsTruncated) {
  FakeMemory mem;
  uint64_t addr = 2 * kPage - 3;
  mem.PutBytes(addr, "abc");  // no NUL before the page ends
  StringValue s = ReadCString(mem, addr);
  EXPECT_EQ(s.value, "abc");
  EXPECT_TRUE(s.truncated);
  EXPECT_FALSE(s.unreadable);
}

TEST(EscapeBytesTest, Escapes) {
  EXPECT_EQ(EscapeBytes("plain"), "plain");
  EXPECT_EQ(EscapeBytes("a\nb\tc"), "a\\nb\\tc");
  EXPECT_EQ(EscapeBytes("say \"hi\" \\o/"), "say \\\"hi\\\" \\\\o/");
  EXPECT_EQ(EscapeBytes(std::string("\0\x01\x7f\xff", 4)), "\\x00\\x01\\x7f\\xff");
  EXPECT_EQ(EscapeBytes("\r\v\f"), "\\r\\v\\f");
}

TEST(QuoteStringTest, Forms) {
  EXPECT_EQ(QuoteString({"a\nb", false, false}, 0x1000), "\"a\\nb\"");
  EXPECT_EQ(QuoteString({"abc", false, true}, 0x1000), "\"abc\"...");
  EXPECT_EQ(QuoteString({"", true, false}, 0), "NULL");
  EXPECT_EQ(QuoteString({"", true, false}, 0x1234), "<unreadable 0x1234>");
  EXPECT_EQ(QuoteString({"", false, false}, 0x1000), "\"\"");
}

TEST(QuoteStringTest, FromMemory) {
  FakeMemory mem;
  mem.PutString(0x10000, "hello\tworld");
  EXPECT_EQ(QuoteString(ReadCString(mem, 0x10000, 5), 0x10000), "\"hello\"...");
  EXPECT_EQ(QuoteString(ReadCString(mem, 0x10000), 0x10000), "\"hello\\tworld\"");
}

TEST(ReadStringArrayTest, ReadsAll) {
  FakeMemory mem;
  mem.PutStringArray(0x20000, 0x30000, {"ls", "-l", "/tmp"});
  StringArray a = ReadStringArray(mem, 0x20000);
  EXPECT_EQ(a.items, (std::vector<std::string>{"ls", "-l", "/tmp"}));
  EXPECT_EQ(a.total_count, 3u);
  EXPECT_FALSE(a.truncated);
  EXPECT_FALSE(a.unreadable);
}

TEST(ReadStringArrayTest, EmptyAndNull) {
  FakeMemory mem;
  mem.PutPointers(0x20000, {0});
  StringArray a = ReadStringArray(mem, 0x20000);
  EXPECT_TRUE(a.items.empty());
  EXPECT_FALSE(a.unreadable);
  EXPECT_TRUE(ReadStringArray(mem, 0).unreadable);
}

TEST(ReadStringArrayTest, CountCapKeepsCounting) {
  FakeMemory mem;
  mem.PutStringArray(0x20000, 0x30000, {"a", "b", "c", "d", "e"});
  StringArray a = ReadStringArray(mem, 0x20000, 2);
  EXPECT_EQ(a.items, (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(a.truncated);
  EXPECT_EQ(a.total_count, 5u);
}

TEST(ReadStringArrayTest, ByteCap) {
  FakeMemory mem;
  mem.PutStringArray(0x20000, 0x30000, {"aaaa", "bbbb", "cccc"});
  // 5 bytes for "aaaa\0", then 3 left: "bbb" and the cap is hit.
  StringArray a = ReadStringArray(mem, 0x20000, 100, 8);
  EXPECT_EQ(a.items, (std::vector<std::string>{"aaaa", "bbb"}));
  EXPECT_TRUE(a.truncated);
  EXPECT_EQ(a.total_count, 3u);
}

TEST(ReadStringArrayTest, ThirtyTwoBitPointers) {
  FakeMemory mem;
  mem.PutStringArray(0x20000, 0x30000, {"/bin/sh", "-c", "true"}, 4);
  StringArray a = ReadStringArray(mem, 0x20000, 4096, 128 * 1024, 4);
  EXPECT_EQ(a.items, (std::vector<std::string>{"/bin/sh", "-c", "true"}));
  EXPECT_FALSE(a.unreadable);
  // Read as 64-bit pointers the same bytes make no sense: two 32-bit
  // pointers fuse into one address that is not mapped.
  EXPECT_TRUE(ReadStringArray(mem, 0x20000, 4096, 128 * 1024, 8).unreadable);
}

TEST(ReadStringArrayTest, UnreadableElementStops) {
  FakeMemory mem;
  mem.PutString(0x30000, "ok");
  mem.PutPointers(0x20000, {0x30000, 0xdead0000, 0x30000, 0});
  StringArray a = ReadStringArray(mem, 0x20000);
  EXPECT_EQ(a.items, (std::vector<std::string>{"ok"}));
  EXPECT_TRUE(a.unreadable);
}

TEST(ReadStringArrayTest, ArrayRunningIntoUnmappedMemoryIsUnreadable) {
  FakeMemory mem;
  mem.PutString(0x30000, "x");
  mem.PutPointers(0x20000, {0x30000, 0x30000});  // no NULL terminator
  StringArray a = ReadStringArray(mem, 0x20000);
  EXPECT_EQ(a.items.size(), 2u);
  EXPECT_TRUE(a.unreadable);
}

TEST(ReadStringArrayTest, PointersAreReadAPageAtATime) {
  FakeMemory mem;
  std::vector<uint64_t> ptrs(300, 0x30000);
  ptrs.push_back(0);
  mem.PutString(0x30000, "v");
  mem.PutPointers(0x20000, ptrs);
  StringArray a = ReadStringArray(mem, 0x20000, 0, 0);  // count only
  EXPECT_EQ(a.total_count, 300u);
  EXPECT_TRUE(a.truncated);
  EXPECT_LE(mem.calls().size(), 2u);  // 301 pointers = 2408 bytes: one page
}

}  // namespace
}  // namespace warden::syscalls
