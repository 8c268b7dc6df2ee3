#include "supervisor/tracee_memory.h"

#include <sys/uio.h>

#include <vector>

namespace warden::supervisor {

// process_vm_readv never splits one remote iovec: a range that runs into an
// unmapped page would fail whole. One remote iovec per page makes it stop at
// the first bad page instead, returning what came before.
size_t TraceeMemory::Read(uint64_t addr, void* buf, size_t len) {
  if (addr == 0 || len == 0) return 0;
  constexpr uint64_t kPage = 4096;
  std::vector<iovec> remote;
  uint64_t a = addr, end = addr + len;
  while (a < end) {
    uint64_t next = std::min(end, (a / kPage + 1) * kPage);
    remote.push_back({reinterpret_cast<void*>(a), static_cast<size_t>(next - a)});
    a = next;
  }
  iovec local{buf, len};
  size_t done = 0;
  // IOV_MAX is 1024 per call; large reads go in slices.
  for (size_t i = 0; i < remote.size(); i += 1024) {
    size_t n = std::min<size_t>(1024, remote.size() - i);
    size_t want = 0;
    for (size_t k = i; k < i + n; ++k) want += remote[k].iov_len;
    local = {static_cast<char*>(buf) + done, want};
    ssize_t got = process_vm_readv(pid_, &local, 1, &remote[i], n, 0);
    if (got <= 0) break;
    done += static_cast<size_t>(got);
    if (static_cast<size_t>(got) < want) break;
  }
  return done;
}

}  // namespace warden::supervisor
