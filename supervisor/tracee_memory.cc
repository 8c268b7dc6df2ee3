#include "supervisor/tracee_memory.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <vector>

#include "fmt/format.h"

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

namespace {

// How tracee memory is read, process-wide. process_vm_readv is one call
// per read, but a container runtime's seccomp profile may refuse it (Docker's
// default does without SYS_PTRACE) while a tracer may still read
// /proc/PID/mem or use PTRACE_PEEKDATA: each is tried when the one before is
// refused, and the first that works is kept.
enum class Method : int { kVmReadv, kProcMem, kPeekData, kNone };
std::atomic<int> g_method{static_cast<int>(Method::kVmReadv)};

bool Refused(int err) { return err == EPERM || err == ENOSYS || err == EACCES; }

// Says once, on stderr, that nothing works.
void WarnUnreadable() {
  static std::atomic<bool> said{false};
  if (said.exchange(true)) return;
  fprintf(stderr,
          "warden: cannot read the traced program's memory (process_vm_readv, /proc/PID/mem and "
          "PTRACE_PEEKDATA are all refused here): paths, addresses and argv are recorded as "
          "<unreadable>, and a policy denies the calls whose verdict needs them\n");
}

// /proc/PID/mem: 0 on a refusal (errno says), else the bytes read.
ssize_t ReadProcMem(pid_t pid, uint64_t addr, void* buf, size_t len) {
  char path[64];
  *fmt::format_to_n(path, sizeof path - 1, "/proc/{}/mem", pid).out = '\0';
  const int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t got = pread(fd, buf, len, static_cast<off_t>(addr));
  const int err = errno;
  close(fd);
  errno = err;
  return got;
}

// PTRACE_PEEKDATA, a word at a time (the tracee is stopped).
ssize_t ReadPeek(pid_t pid, uint64_t addr, void* buf, size_t len) {
  auto* out = static_cast<unsigned char*>(buf);
  size_t done = 0;
  while (done < len) {
    const uint64_t a = addr + done;
    const uint64_t word_addr = a & ~uint64_t{7};
    errno = 0;
    const long word = ptrace(PTRACE_PEEKDATA, pid, word_addr, nullptr);
    if (errno != 0) return done > 0 ? static_cast<ssize_t>(done) : -1;
    const size_t off = a - word_addr;
    const size_t n = std::min(len - done, sizeof word - off);
    memcpy(out + done, reinterpret_cast<const unsigned char*>(&word) + off, n);
    done += n;
  }
  return static_cast<ssize_t>(done);
}

}  // namespace

// Reads [addr, addr+len) within one page by the first method that works.
size_t TraceeMemory::ReadPage(uint64_t addr, void* buf, size_t len) {
  for (;;) {
    const auto method = static_cast<Method>(g_method.load(std::memory_order_relaxed));
    ssize_t got = -1;
    switch (method) {
      case Method::kVmReadv: {
        iovec local{buf, len};
        iovec remote{reinterpret_cast<void*>(addr), len};
        got = process_vm_readv(pid_, &local, 1, &remote, 1, 0);
        break;
      }
      case Method::kProcMem: got = ReadProcMem(pid_, addr, buf, len); break;
      case Method::kPeekData: got = ReadPeek(pid_, addr, buf, len); break;
      case Method::kNone: return 0;
    }
    if (got > 0) return static_cast<size_t>(got);
    if (!Refused(errno)) return 0;  // EFAULT, EIO, ESRCH: unmapped, or gone
    // Refused: the next method, for this read and every later one.
    int expected = static_cast<int>(method);
    g_method.compare_exchange_strong(expected, static_cast<int>(method) + 1);
    if (method == Method::kPeekData) {
      WarnUnreadable();
      return 0;
    }
  }
}

// process_vm_readv never splits one remote iovec: a range that runs into an
// unmapped page would fail whole. One remote iovec per page makes it stop at
// the first bad page instead, returning what came before.
size_t TraceeMemory::ReadDirect(uint64_t addr, void* buf, size_t len) {
  if (addr / kPage == (addr + len - 1) / kPage) return ReadPage(addr, buf, len);  // the common case
  if (g_method.load(std::memory_order_relaxed) != static_cast<int>(Method::kVmReadv)) {
    size_t done = 0;  // page by page through the fallback
    while (done < len) {
      const uint64_t a = addr + done;
      const size_t n = std::min<size_t>(len - done, kPage - a % kPage);
      const size_t got = ReadPage(a, static_cast<char*>(buf) + done, n);
      done += got;
      if (got < n) break;
    }
    return done;
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
