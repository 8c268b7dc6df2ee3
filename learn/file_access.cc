#include "learn/file_access.h"

#include <fcntl.h>

#include "policy/call_facts.h"
#include "supervisor/effect_facts.h"
#include "syscalls/decode.h"
#include "syscalls/syscall_table.h"

namespace warden::learn {

namespace {

// The open flags an op stands for, for an open recorded without flags text.
uint64_t FlagsOfOp(std::string_view op) {
  if (op == "create") return O_WRONLY | O_CREAT;
  if (op == "truncate") return O_WRONLY | O_TRUNC;
  if (op == "write") return O_WRONLY;
  if (op == "stat") return O_PATH;
  return O_RDONLY;
}

}  // namespace

FileAccessOf FileAccessOfEvent(std::string_view syscall, std::string_view op,
                               std::string_view flags) {
  // File events carry the syscall's name; the effect rows hold for both ABIs.
  syscalls::Abi abi = syscalls::Abi::kX86_64;
  const syscalls::SyscallDef* def = syscalls::ByName(abi, syscall);
  if (def == nullptr) def = syscalls::ByName(abi = syscalls::Abi::kI386, syscall);
  if (def == nullptr) return {};
  const supervisor::EffectRow* row = supervisor::EffectOf(abi, def->nr);
  if (row == nullptr) return {};
  policy::Call call;
  const uint64_t open_flags = flags.empty() ? FlagsOfOp(op) : syscalls::ParseFlagsText(flags);
  // open_by_handle_at is judged at its exit, on the file it opened.
  if (row->effect == supervisor::Effect::kOpenByHandle) policy::DescribeOpenedFile("/", open_flags, call);
  else supervisor::DescribeFileUse(*row, "/", "/", open_flags, call);
  if (call.exec) return {};
  return {call.access, !call.path2.empty()};
}

}  // namespace warden::learn
