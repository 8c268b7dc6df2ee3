#include "harden/elf_deps.h"

#include <elf.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "fmt/format.h"

namespace warden::harden {
namespace {

// The file, read at offsets; every read is checked against its size.
class File {
 public:
  explicit File(int fd) : fd_(fd) {
    struct stat st;
    size_ = fstat(fd, &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
  }
  ~File() { close(fd_); }
  bool Read(uint64_t off, void* buf, uint64_t n) const {
    if (off > size_ || n > size_ - off) return false;
    return pread(fd_, buf, n, static_cast<off_t>(off)) == static_cast<ssize_t>(n);
  }
  std::optional<std::string> String(uint64_t off, uint64_t max) const {
    std::string out;
    char buf[256];
    while (out.size() < max) {
      const uint64_t want = std::min<uint64_t>(sizeof buf, size_ > off ? size_ - off : 0);
      const ssize_t got = want == 0 ? 0 : pread(fd_, buf, want, static_cast<off_t>(off));
      if (got <= 0) return std::nullopt;
      const uint64_t n = static_cast<uint64_t>(got);
      if (const void* nul = memchr(buf, 0, n)) {
        out.append(buf, static_cast<const char*>(nul) - buf);
        return out;
      }
      out.append(buf, n);
      off += n;
    }
    return std::nullopt;
  }

 private:
  int fd_;
  uint64_t size_ = 0;
};

// One layout for both classes: Ehdr/Phdr/Dyn of ELF32 or ELF64.
template <typename Ehdr, typename Phdr, typename Dyn>
absl::StatusOr<ElfDeps> Parse(const File& f, const std::string& path, bool is_64) {
  auto bad = [&](std::string_view what) {
    return absl::InvalidArgumentError(fmt::format("{}: broken ELF file: {}", path, what));
  };
  Ehdr eh;
  if (!f.Read(0, &eh, sizeof eh)) return bad("short header");
  ElfDeps out;
  out.is_64 = is_64;
  out.machine = eh.e_machine;
  if (eh.e_phentsize != sizeof(Phdr) || eh.e_phnum > 4096) return bad("program header size");
  std::vector<Phdr> ph(eh.e_phnum);
  if (!ph.empty() && !f.Read(eh.e_phoff, ph.data(), sizeof(Phdr) * ph.size()))
    return bad("program headers outside the file");
  const Phdr* dynamic = nullptr;
  for (const Phdr& p : ph) {
    if (p.p_type == PT_INTERP) {
      auto s = f.String(p.p_offset, 4096);
      if (!s) return bad("PT_INTERP outside the file");
      out.interpreter = *s;
    }
    if (p.p_type == PT_DYNAMIC) dynamic = &p;
  }
  if (dynamic == nullptr) return out;
  // DT_STRTAB is an address: the PT_LOAD segment holding it gives its offset.
  auto to_offset = [&](uint64_t addr) -> std::optional<uint64_t> {
    for (const Phdr& p : ph)
      if (p.p_type == PT_LOAD && addr >= p.p_vaddr && addr - p.p_vaddr < p.p_filesz)
        return p.p_offset + (addr - p.p_vaddr);
    return std::nullopt;
  };
  std::vector<Dyn> dyn(std::min<uint64_t>(dynamic->p_filesz / sizeof(Dyn), 1 << 16));
  if (!dyn.empty() && !f.Read(dynamic->p_offset, dyn.data(), sizeof(Dyn) * dyn.size()))
    return bad("PT_DYNAMIC outside the file");
  uint64_t strtab = 0;
  bool has_strtab = false;
  for (const Dyn& d : dyn) {
    if (d.d_tag == DT_NULL) break;
    if (d.d_tag == DT_STRTAB) strtab = d.d_un.d_ptr, has_strtab = true;
  }
  if (!has_strtab) return out;
  const std::optional<uint64_t> base = to_offset(strtab);
  if (!base) return bad("DT_STRTAB in no loaded segment");
  std::vector<std::string> rpath, runpath;
  for (const Dyn& d : dyn) {
    if (d.d_tag == DT_NULL) break;
    if (d.d_tag != DT_NEEDED && d.d_tag != DT_RPATH && d.d_tag != DT_RUNPATH) continue;
    auto s = f.String(*base + d.d_un.d_val, 4096);
    if (!s) return bad("a dynamic string outside the file");
    if (d.d_tag == DT_NEEDED) {
      out.needed.push_back(*s);
      continue;
    }
    std::vector<std::string>& list = d.d_tag == DT_RUNPATH ? runpath : rpath;
    for (size_t i = 0; i <= s->size();) {
      size_t j = s->find(':', i);
      if (j == std::string::npos) j = s->size();
      if (j > i) list.push_back(s->substr(i, j - i));
      i = j + 1;
    }
  }
  // ld.so(8): DT_RPATH is ignored when DT_RUNPATH is present.
  out.runpath = runpath.empty() ? rpath : runpath;
  return out;
}

}  // namespace

absl::StatusOr<std::optional<ElfDeps>> ReadElfDeps(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0)
    return absl::NotFoundError(fmt::format("{}: cannot open: {}", path, strerror(errno)));
  File f(fd);
  unsigned char ident[EI_NIDENT];
  if (!f.Read(0, ident, sizeof ident) || memcmp(ident, ELFMAG, SELFMAG) != 0) return std::nullopt;
  if (ident[EI_DATA] != ELFDATA2LSB) return std::nullopt;  // x86 files only
  absl::StatusOr<ElfDeps> deps =
      ident[EI_CLASS] == ELFCLASS64 ? Parse<Elf64_Ehdr, Elf64_Phdr, Elf64_Dyn>(f, path, true)
      : ident[EI_CLASS] == ELFCLASS32 ? Parse<Elf32_Ehdr, Elf32_Phdr, Elf32_Dyn>(f, path, false)
                                      : absl::InvalidArgumentError(
                                            fmt::format("{}: broken ELF file: class", path));
  if (!deps.ok()) return deps.status();
  return std::optional<ElfDeps>(std::move(*deps));
}

}  // namespace warden::harden
