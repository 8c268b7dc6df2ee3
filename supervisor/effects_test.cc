#include "supervisor/effects.h"

#include "gtest/gtest.h"

namespace warden::supervisor {
namespace {

using syscalls::Abi;

TEST(EffectsTest, OpenatNamesItsDirfdPathAndFlags) {
  const EffectRow* e = EffectOf(Abi::kX86_64, 257);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->name, "openat");
  EXPECT_EQ(e->effect, Effect::kOpen);
  EXPECT_EQ(e->dirfd, 0);
  EXPECT_EQ(e->path, 1);
  EXPECT_EQ(e->flags, 2);
}

TEST(EffectsTest, SameNameSameMeaningInBothAbis) {
  const EffectRow* x64 = EffectOf(Abi::kX86_64, syscalls::ByName(Abi::kX86_64, "rename")->nr);
  const EffectRow* x86 = EffectOf(Abi::kI386, syscalls::ByName(Abi::kI386, "rename")->nr);
  ASSERT_NE(x64, nullptr);
  EXPECT_EQ(x64, x86);
  EXPECT_EQ(EffectOf(Abi::kI386, 5)->effect, Effect::kOpen);  // i386 open
  EXPECT_EQ(EffectOf(Abi::kX86_64, 39), nullptr);             // getpid: raw event only
  EXPECT_EQ(EffectOf(Abi::kX86_64, -1), nullptr);
  EXPECT_EQ(EffectOf(Abi::kX86_64, 100000), nullptr);
}

// Every argument index a row names exists in the syscall of each ABI that
// has it: a typo in the table would read the wrong register.
TEST(EffectsTest, EveryRowFitsTheSyscallsItDescribes) {
  for (Abi abi : {Abi::kX86_64, Abi::kI386}) {
    for (const auto& def : syscalls::Table(abi)) {
      const EffectRow* e = EffectOf(abi, def.nr);
      if (e == nullptr) continue;
      for (int idx : {e->dirfd, e->path, e->dirfd2, e->path2, e->flags}) {
        EXPECT_LT(idx, def.nargs) << def.name << " in " << syscalls::AbiName(abi);
      }
      if (e->path >= 0) {
        auto t = def.args[e->path].type;
        EXPECT_TRUE(t == syscalls::ArgType::kPath || t == syscalls::ArgType::kString)
            << def.name << " arg " << int(e->path) << " is " << syscalls::ArgTypeName(t);
      }
      if (e->dirfd >= 0) {
        // kFdOp's descriptor is the file itself, not a directory.
        EXPECT_EQ(def.args[e->dirfd].type,
                  e->effect == Effect::kFdOp ? syscalls::ArgType::kFd : syscalls::ArgType::kDirFd)
            << def.name;
      }
    }
  }
}

TEST(EffectsTest, EveryRowNamesARealSyscall) {
  for (const EffectRow& e : EffectRows()) {
    EXPECT_TRUE(syscalls::ByName(Abi::kX86_64, e.name) || syscalls::ByName(Abi::kI386, e.name))
        << e.name;
  }
}

// Every %file call that takes a path has a row, so that it gets a file
// event and not only a raw one: bench/fidelity.sh compares the paths with
// strace's %file set (fanotify_mark, open_tree, move_mount, the *xattrat
// calls, i386 utimensat_time64 and others had none).
TEST(EffectsTest, EveryFileCallWithAPathHasARow) {
  for (Abi abi : {Abi::kX86_64, Abi::kI386}) {
    for (const auto& def : syscalls::Table(abi)) {
      if (!(def.classes & syscalls::kFile)) continue;
      bool has_path = false;
      for (int i = 0; i < def.nargs; ++i)
        has_path |= def.args[i].type == syscalls::ArgType::kPath;
      if (has_path)
        EXPECT_NE(EffectOf(abi, def.nr), nullptr) << def.name << " in " << syscalls::AbiName(abi);
    }
  }
}

// fanotify_mark's 64-bit mask takes two registers on i386: dirfd and path
// are one argument further than on x86_64.
TEST(EffectsTest, FanotifyMarkPositionsPerAbi) {
  const EffectRow* x64 = EffectOf(Abi::kX86_64, syscalls::ByName(Abi::kX86_64, "fanotify_mark")->nr);
  const EffectRow* x86 = EffectOf(Abi::kI386, syscalls::ByName(Abi::kI386, "fanotify_mark")->nr);
  ASSERT_NE(x64, nullptr);
  ASSERT_NE(x86, nullptr);
  EXPECT_EQ(x64->dirfd, 3);
  EXPECT_EQ(x64->path, 4);
  EXPECT_EQ(x86->dirfd, 4);
  EXPECT_EQ(x86->path, 5);
}

TEST(EffectsTest, StateKeepersAreNamed) {
  EXPECT_TRUE(KeepsState("chdir"));
  EXPECT_TRUE(KeepsState("dup3"));
  EXPECT_FALSE(KeepsState("close"));  // not traced by default: see effects.cc
  EXPECT_FALSE(KeepsState("read"));
}

}  // namespace
}  // namespace warden::supervisor
