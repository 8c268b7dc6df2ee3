#include "supervisor/tracee_memory.h"

#include <sys/uio.h>

#include <algorithm>
#include <cstring>
#include <vector>

namespace warden::supervisor {

// Small reads (paths, sockaddrs, argv pointers) go through the page cache;
// big ones (argv string areas, buffers) straight to the tracee.
size_t TraceeMemory::Read(uint64_t addr, void* buf, size_t len) {
  if (addr == 0 || len == 0) return 0;
  if (len > 2 * kPage) return ReadDirect(addr, buf, len);
  size_t done = 0;
  auto* out = static_cast<unsigned char*>(buf);
  while (done < len) {
    uint64_t a = addr + done;
    const Page& p = CachedPage(a & ~(kPage - 1));
    size_t off = a - p.base;
    if (off >= p.valid) break;
    size_t n = std::min(len - done, p.valid - off);
    memcpy(out + done, p.data.data() + off, n);
    done += n;
    if (p.valid < kPage) break;
  }
  return done;
}

const TraceeMemory::Page& TraceeMemory::CachedPage(uint64_t base) {
  for (const Page& p : pages_)
    if (p.loaded && p.base == base) return p;
  Page& p = pages_[next_];
  next_ = (next_ + 1) % pages_.size();
  p.loaded = true;
  p.base = base;
  p.valid = ReadDirect(base, p.data.data(), kPage);
  return p;
}

// process_vm_readv never splits one remote iovec: a range that runs into an
// unmapped page would fail whole. One remote iovec per page makes it stop at
// the first bad page instead, returning what came before.
size_t TraceeMemory::ReadDirect(uint64_t addr, void* buf, size_t len) {
  if (addr / kPage == (addr + len - 1) / kPage) {  // one page: the common case
    iovec local{buf, len};
    iovec remote{reinterpret_cast<void*>(addr), len};
    ssize_t got = process_vm_readv(pid_, &local, 1, &remote, 1, 0);
    return got > 0 ? static_cast<size_t>(got) : 0;
  }
  std::vector<iovec> remote;
  uint64_t a = addr, end = addr + len;
  while (a < end) {
    uint64_t next = std::min(end, (a / kPage + 1) * kPage);
    remote.push_back({reinterpret_cast<void*>(a), static_cast<size_t>(next - a)});
    a = next;
  }
  size_t done = 0;
  // IOV_MAX is 1024 per call; large reads go in slices.
  for (size_t i = 0; i < remote.size(); i += 1024) {
    size_t n = std::min<size_t>(1024, remote.size() - i);
    size_t want = 0;
    for (size_t k = i; k < i + n; ++k) want += remote[k].iov_len;
    iovec local{static_cast<char*>(buf) + done, want};
    ssize_t got = process_vm_readv(pid_, &local, 1, &remote[i], n, 0);
    if (got <= 0) break;
    done += static_cast<size_t>(got);
    if (static_cast<size_t>(got) < want) break;
  }
  return done;
}

}  // namespace warden::supervisor
