// Every row of both tables, decoded from hostile register values and
// memory: a tracee controls both, so no input may crash a decoder or make it
// read out of bounds (ASan builds check the latter). Deterministic: a fixed
// seed, so a failure reproduces.
#include <cstring>
#include <random>
#include <string>

#include "gtest/gtest.h"
#include "syscalls/decode.h"
#include "syscalls/fake_memory.h"
#include "syscalls/syscall_table.h"

namespace warden::syscalls {
namespace {

constexpr uint64_t kBase = 0x10000;   // start of the fake tracee memory
constexpr size_t kSize = 3 * 4096;    // mapped bytes; beyond is unmapped

// Register values a hostile or buggy program would pass: small numbers,
// negative ones, pointers into, at the edge of and past mapped memory.
uint64_t RandomRegister(std::mt19937_64& rng) {
  switch (rng() % 8) {
    case 0: return 0;
    case 1: return rng() % 64;
    case 2: return static_cast<uint64_t>(-static_cast<int64_t>(rng() % 5000));
    case 3: return kBase + rng() % kSize;           // inside
    case 4: return kBase + kSize - 1 - rng() % 16;  // right at the end
    case 5: return kBase + kSize + rng() % 4096;    // unmapped
    case 6: return ~0ull - rng() % 4096;            // wraps around
    default: return rng();
  }
}

// Random bytes: text with and without NULs, so strings run into the end of
// the mapping, and pointer-shaped words so arrays point anywhere.
FakeMemory RandomMemory(std::mt19937_64& rng) {
  std::string bytes(kSize, '\0');
  for (size_t i = 0; i < kSize; i += 8) {
    uint64_t word = rng() % 3 == 0 ? RandomRegister(rng) : rng();
    if (rng() % 4 == 0) word &= 0x00ffffffffffffffull;  // a NUL now and then
    memcpy(&bytes[i], &word, 8);
  }
  FakeMemory mem;
  mem.PutBytes(kBase, bytes);
  return mem;
}

void DecodeEveryRow(Abi abi) {
  std::mt19937_64 rng(20261123);
  for (const SyscallDef& def : Table(abi)) {
    for (int round = 0; round < 40; ++round) {
      FakeMemory mem = RandomMemory(rng);
      uint64_t regs[6];
      for (auto& r : regs) r = RandomRegister(rng);
      auto args = DecodeArgs(def, regs, mem, abi);
      ASSERT_EQ(args.size(), def.nargs) << def.name;
      std::string call = FormatCall(def, args);
      ASSERT_EQ(call.rfind(std::string(def.name) + "(", 0), 0u) << call;
      ASSERT_EQ(call.back(), ')') << call;
      // Captured at the stop, formatted later with the memory gone: the
      // same text (the recorder formats on the store's writer thread).
      CapturedArgs captured = CaptureArgs(def, regs, mem, abi);
      mem = FakeMemory();
      ASSERT_EQ(std::string(def.name) + "(" + FormatArgs(def, captured) + ")", call);
      ASSERT_FALSE(FormatResult(static_cast<int64_t>(regs[0])).empty());
    }
  }
}

TEST(DecodeRandomTest, EveryX8664RowSurvivesHostileInput) { DecodeEveryRow(Abi::kX86_64); }
TEST(DecodeRandomTest, EveryI386RowSurvivesHostileInput) { DecodeEveryRow(Abi::kI386); }

TEST(DecodeRandomTest, SockaddrSurvivesEveryLength) {
  std::mt19937_64 rng(7);
  for (int round = 0; round < 2000; ++round) {
    FakeMemory mem = RandomMemory(rng);
    uint16_t family = static_cast<uint16_t>(rng() % 48);
    mem.PutBytes(kBase, std::string(reinterpret_cast<char*>(&family), 2));
    SockAddr a = ReadSockAddr(mem, kBase + (rng() % 2 ? 0 : kSize - 8), RandomRegister(rng));
    EXPECT_FALSE(a.text.empty());
  }
}

}  // namespace
}  // namespace warden::syscalls
