// Strings and string arrays in tracee memory.
#include <array>
#include <cstring>
#include <optional>
#include <string>

#include "fmt/format.h"
#include "syscalls/decode.h"

namespace warden::syscalls {
namespace {

// x86 pages. Memory is mapped (or not) a page at a time, so a read that
// stays within one page either fully succeeds or fully fails.
constexpr uint64_t kPageSize = 4096;

// Upper bound on the elements ReadStringArray counts past its caps, so a
// corrupt array cannot keep the tracer busy. The kernel's own limit
// (MAX_ARG_STRINGS) is far larger, but no real argv/envp comes close.
constexpr size_t kMaxCountedElements = 1 << 20;

size_t BytesToPageEnd(uint64_t addr) { return kPageSize - addr % kPageSize; }

// Reads a pointer array a page at a time: one Read per page, not one per
// element, since each Read is a process_vm_readv in the supervisor.
class PointerReader {
 public:
  PointerReader(MemoryReader& mem, uint64_t addr, int pointer_size)
      : mem_(mem), next_(addr), size_(pointer_size == 4 ? 4 : 8) {}

  // False when the next pointer cannot be read.
  bool Next(uint64_t* out) {
    if (len_ - pos_ < size_ && !Refill()) return false;
    uint64_t v = 0;
    std::memcpy(&v, buf_.data() + pos_, size_);  // x86 is little-endian, as is the tracee
    *out = v;
    pos_ += size_;
    next_ += size_;
    return true;
  }

 private:
  bool Refill() {
    // A pointer straddling a page boundary is read whole, across it.
    size_t chunk = std::max<size_t>(size_, BytesToPageEnd(next_));
    len_ = mem_.Read(next_, buf_.data(), chunk);
    pos_ = 0;
    return len_ >= size_;
  }

  MemoryReader& mem_;
  uint64_t next_;  // tracee address of buf_[pos_]
  size_t size_;
  std::array<unsigned char, kPageSize> buf_{};
  size_t pos_ = 0, len_ = 0;
};

struct Escape {
  char c;
  std::string_view text;
};
// The C escapes a reader recognises; other non-printables become \xNN.
constexpr Escape kEscapes[] = {
    {'\n', "\\n"}, {'\t', "\\t"}, {'\r', "\\r"}, {'\v', "\\v"},
    {'\f', "\\f"}, {'"', "\\\""}, {'\\', "\\\\"},
};

std::optional<std::string_view> CEscape(unsigned char c) {
  for (const Escape& e : kEscapes)
    if (static_cast<unsigned char>(e.c) == c) return e.text;
  return std::nullopt;
}

}  // namespace

StringValue ReadCString(MemoryReader& mem, uint64_t addr, size_t cap) {
  StringValue out;
  if (addr == 0) {
    out.unreadable = true;
    return out;
  }
  // One byte past the cap tells "exactly cap bytes" from "longer".
  size_t want = cap + 1;
  uint64_t cur = addr;
  std::array<char, kPageSize> buf;
  while (want > 0) {
    // Never ask past the page end: if the next page is unmapped, a read
    // spanning both could fail as a whole and lose this page's bytes.
    size_t chunk = std::min<uint64_t>(want, BytesToPageEnd(cur));
    size_t got = mem.Read(cur, buf.data(), chunk);
    if (const void* nul = std::memchr(buf.data(), '\0', got)) {
      out.value.append(buf.data(), static_cast<const char*>(nul) - buf.data());
      return out;
    }
    out.value.append(buf.data(), got);
    if (got < chunk) {  // ran into unmapped memory before the NUL
      out.unreadable = cur == addr && got == 0;
      out.truncated = !out.unreadable;
      return out;
    }
    cur += got;
    want -= got;
  }
  out.value.resize(cap);
  out.truncated = true;
  return out;
}

std::string EscapeBytes(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  for (char ch : bytes) {
    auto c = static_cast<unsigned char>(ch);
    if (auto esc = CEscape(c)) out += *esc;
    else if (c >= 0x20 && c < 0x7f) out += ch;
    else out += fmt::format("\\x{:02x}", c);
  }
  return out;
}

std::string QuoteString(const StringValue& s, uint64_t addr) {
  if (addr == 0) return "NULL";
  if (s.unreadable) return fmt::format("<unreadable {:#x}>", addr);
  return fmt::format("\"{}\"{}", EscapeBytes(s.value), s.truncated ? "..." : "");
}

StringArray ReadStringArray(MemoryReader& mem, uint64_t addr, size_t max_count,
                            size_t max_bytes, int pointer_size) {
  StringArray out;
  if (addr == 0) {
    out.unreadable = true;
    return out;
  }
  PointerReader ptrs(mem, addr, pointer_size);
  size_t used = 0;  // string bytes kept, NULs included
  uint64_t p;
  while (true) {
    if (!ptrs.Next(&p)) {
      out.unreadable = true;
      break;
    }
    if (p == 0) break;
    // Past a cap, keep counting so that callers can say how many there are.
    if (out.truncated || out.items.size() >= max_count || used >= max_bytes) {
      out.truncated = true;
      if (++out.total_count >= kMaxCountedElements) break;
      continue;
    }
    size_t room = max_bytes - used;
    StringValue s = ReadCString(mem, p, room);
    if (s.unreadable) {
      out.unreadable = true;
      break;
    }
    if (s.truncated && s.value.size() == room) out.truncated = true;
    used += s.value.size() + 1;
    out.items.push_back(std::move(s.value));
    ++out.total_count;
  }
  return out;
}

}  // namespace warden::syscalls
