// MemoryReader over a live tracee: process_vm_readv (one syscall per read,
// not one PTRACE_PEEKDATA per word; where a seccomp profile refuses it,
// /proc/PID/mem, then PTRACE_PEEKDATA), with a small page cache so that the
// argument decoder and the recorder, which both read a call's path, copy it
// out of the tracee once. Use one instance per stop: the tracee's memory
// may change once it runs again.
#ifndef WARDEN_SUPERVISOR_TRACEE_MEMORY_H_
#define WARDEN_SUPERVISOR_TRACEE_MEMORY_H_

#include <sys/types.h>

#include <array>
#include <cstdint>
#include <memory>

#include "syscalls/memory_reader.h"

namespace warden::supervisor {

class TraceeMemory : public syscalls::MemoryReader {
 public:
  explicit TraceeMemory(pid_t pid) : pid_(pid) {}
  size_t Read(uint64_t addr, void* buf, size_t len) override;

  static constexpr uint64_t kPage = 4096;

 private:
  struct Page {
    bool loaded = false;
    uint64_t base = 0;
    size_t valid = 0;  // bytes readable from base (0: unmapped)
    std::array<unsigned char, kPage> data;  // in the object: no allocation per stop
  };
  // Reads straight from the tracee, stopping at the first unreadable page.
  size_t ReadDirect(uint64_t addr, void* buf, size_t len);
  size_t ReadPage(uint64_t addr, void* buf, size_t len);
  const Page& CachedPage(uint64_t base);

  pid_t pid_;
  std::array<Page, 4> pages_;
  size_t next_ = 0;  // round-robin victim
};

}  // namespace warden::supervisor

#endif  // WARDEN_SUPERVISOR_TRACEE_MEMORY_H_
