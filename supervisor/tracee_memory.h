// MemoryReader over a live tracee: process_vm_readv (one syscall per read,
// not one PTRACE_PEEKDATA per word).
#ifndef WARDEN_SUPERVISOR_TRACEE_MEMORY_H_
#define WARDEN_SUPERVISOR_TRACEE_MEMORY_H_

#include <sys/types.h>

#include "syscalls/memory_reader.h"

namespace warden::supervisor {

class TraceeMemory : public syscalls::MemoryReader {
 public:
  explicit TraceeMemory(pid_t pid) : pid_(pid) {}
  size_t Read(uint64_t addr, void* buf, size_t len) override;

 private:
  pid_t pid_;
};

}  // namespace warden::supervisor

#endif  // WARDEN_SUPERVISOR_TRACEE_MEMORY_H_
