// Reading tracee memory, behind an interface so that decoders can be tested
// without a live process (tests use FakeMemory; the supervisor uses
// process_vm_readv on the traced pid).
#ifndef WARDEN_SYSCALLS_MEMORY_READER_H_
#define WARDEN_SYSCALLS_MEMORY_READER_H_

#include <cstddef>
#include <cstdint>

namespace warden::syscalls {

class MemoryReader {
 public:
  virtual ~MemoryReader() = default;
  // Copies up to `len` bytes at tracee address `addr` into `buf`. Returns the
  // number of bytes copied: fewer than `len` when the range runs into an
  // unmapped page, 0 when `addr` itself is unreadable (or NULL).
  virtual size_t Read(uint64_t addr, void* buf, size_t len) = 0;
};

}  // namespace warden::syscalls

#endif  // WARDEN_SYSCALLS_MEMORY_READER_H_
