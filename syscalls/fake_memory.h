// An in-memory MemoryReader for tests: tracee memory as a set of readable
// regions, everything else unmapped. Header-only so that any test target
// (decoders, supervisor, policy) can use it without linking test code.
#ifndef WARDEN_SYSCALLS_FAKE_MEMORY_H_
#define WARDEN_SYSCALLS_FAKE_MEMORY_H_

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <iterator>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "syscalls/memory_reader.h"

namespace warden::syscalls {

class FakeMemory : public MemoryReader {
 public:
  struct ReadCall {
    uint64_t addr;
    size_t len;
  };

  // Like process_vm_readv: bytes up to the end of the region holding
  // `addr`, 0 when `addr` is not in any region.
  size_t Read(uint64_t addr, void* buf, size_t len) override {
    calls_.push_back({addr, len});
    auto it = regions_.upper_bound(addr);
    if (it == regions_.begin()) return 0;
    --it;
    uint64_t end = it->first + it->second.size();
    if (addr >= end) return 0;
    size_t n = std::min<uint64_t>(len, end - addr);
    std::memcpy(buf, it->second.data() + (addr - it->first), n);
    return n;
  }

  // Maps `bytes` at `addr`. Overlapping or touching regions merge into one,
  // so that consecutive Put calls build contiguous memory.
  void PutBytes(uint64_t addr, std::string_view bytes) {
    uint64_t start = addr, end = addr + bytes.size();
    auto it = regions_.upper_bound(start);
    if (it != regions_.begin() && End(*std::prev(it)) >= start) --it;
    std::vector<std::pair<uint64_t, std::string>> absorbed;
    while (it != regions_.end() && it->first <= end) {
      start = std::min(start, it->first);
      end = std::max(end, End(*it));
      absorbed.emplace_back(it->first, std::move(it->second));
      it = regions_.erase(it);
    }
    std::string merged(end - start, '\0');
    for (const auto& [a, b] : absorbed) merged.replace(a - start, b.size(), b);
    merged.replace(addr - start, bytes.size(), bytes);
    regions_[start] = std::move(merged);
  }

  // Maps `s` and its terminating NUL at `addr`.
  void PutString(uint64_t addr, std::string_view s) {
    PutBytes(addr, std::string(s) + '\0');
  }

  // Maps little-endian pointers of `pointer_size` (8 or 4) bytes at `addr`.
  // No NULL terminator is added: pass 0 as the last element for one.
  void PutPointers(uint64_t addr, const std::vector<uint64_t>& ptrs, int pointer_size = 8) {
    std::string bytes;
    for (uint64_t p : ptrs)
      for (int i = 0; i < pointer_size; ++i) bytes += static_cast<char>((p >> (8 * i)) & 0xff);
    PutBytes(addr, bytes);
  }

  // Maps an argv-style array: the strings one after another from
  // `strings_addr`, and the NULL-terminated pointer array at `addr`.
  void PutStringArray(uint64_t addr, uint64_t strings_addr,
                      std::initializer_list<std::string_view> strings, int pointer_size = 8) {
    std::vector<uint64_t> ptrs;
    for (std::string_view s : strings) {
      PutString(strings_addr, s);
      ptrs.push_back(strings_addr);
      strings_addr += s.size() + 1;
    }
    ptrs.push_back(0);
    PutPointers(addr, ptrs, pointer_size);
  }

  // Every Read call so far, to check how decoders access memory.
  const std::vector<ReadCall>& calls() const { return calls_; }

 private:
  static uint64_t End(const std::pair<const uint64_t, std::string>& r) {
    return r.first + r.second.size();
  }

  std::map<uint64_t, std::string> regions_;
  std::vector<ReadCall> calls_;
};

}  // namespace warden::syscalls

#endif  // WARDEN_SYSCALLS_FAKE_MEMORY_H_
