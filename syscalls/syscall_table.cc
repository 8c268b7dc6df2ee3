#include "syscalls/syscall_table.h"

#include <algorithm>
#include <initializer_list>
#include <string>

#include "fmt/format.h"
#include "syscalls/closest.h"

namespace warden::syscalls {
namespace {

// Row helpers for the .inc tables. A(T) is an argument of type kT; L(T, n)
// is one whose length is argument n.
constexpr Arg A(ArgType t) { return Arg{t, -1}; }
constexpr Arg L(ArgType t, int8_t n) { return Arg{t, n}; }
constexpr uint32_t KV(uint32_t a, uint32_t b, uint32_t c) {
  return (a << 16) + (b << 8) + c;
}

constexpr SyscallDef Def(int nr, std::string_view name, uint32_t classes,
                         std::initializer_list<Arg> args, uint32_t since = 0) {
  SyscallDef d;
  d.nr = nr;
  d.name = name;
  d.classes = classes;
  d.since = since;
  d.nargs = static_cast<uint8_t>(args.size());
  size_t i = 0;
  for (const Arg& a : args) d.args[i++] = a;
  return d;
}

#define T(x) ArgType::k##x
#define A(x) A(T(x))
#define L(x, n) L(T(x), n)

constexpr SyscallDef kX86_64[] = {
#include "syscalls/table_x86_64.inc"
};

constexpr SyscallDef kI386[] = {
#include "syscalls/table_i386.inc"
};

#undef A
#undef L
#undef T

constexpr bool SortedUnique(std::span<const SyscallDef> t) {
  for (size_t i = 1; i < t.size(); ++i)
    if (t[i - 1].nr >= t[i].nr) return false;
  return true;
}
static_assert(SortedUnique(kX86_64), "table_x86_64.inc must be sorted by number");
static_assert(SortedUnique(kI386), "table_i386.inc must be sorted by number");

// Dense number -> row index, built once; -1 for holes.
template <size_t N>
constexpr auto BuildIndex(const SyscallDef (&t)[N]) {
  constexpr int kMax = 1024;
  std::array<int16_t, kMax> idx{};
  for (auto& v : idx) v = -1;
  for (size_t i = 0; i < N; ++i) idx[t[i].nr] = static_cast<int16_t>(i);
  return idx;
}
constexpr auto kX86_64Index = BuildIndex(kX86_64);
constexpr auto kI386Index = BuildIndex(kI386);

struct NameIndex {
  std::vector<const SyscallDef*> sorted;
  explicit NameIndex(std::span<const SyscallDef> t) {
    for (const auto& d : t) sorted.push_back(&d);
    std::sort(sorted.begin(), sorted.end(),
              [](auto* a, auto* b) { return a->name < b->name; });
  }
};

const NameIndex& NamesOf(Abi abi) {
  static const NameIndex* x64 = new NameIndex(kX86_64);
  static const NameIndex* x32 = new NameIndex(kI386);
  return abi == Abi::kX86_64 ? *x64 : *x32;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

constexpr ClassName kClassNames[] = {
    {kFile, "file"},     {kDesc, "desc"},     {kNetwork, "network"},
    {kProcess, "process"}, {kSignal, "signal"}, {kMemory, "memory"},
    {kCreds, "creds"},   {kIpc, "ipc"},       {kClock, "clock"},
    {kStat, "stat"},     {kSystem, "system"}, {kExec, "exec"},
};

constexpr std::string_view kArgTypeNames[] = {
    "none",      "int",        "unsigned",    "hex",        "pointer",
    "fd",        "dirfd",      "path",        "string",     "buffer_in",
    "buffer_out", "size",      "offset",      "open_flags", "at_flags",
    "mode",      "access_mode", "fcntl_cmd",  "clone_flags", "mmap_prot",
    "mmap_flags", "socket_domain", "socket_type", "socket_protocol",
    "sockaddr",  "sockaddr_out", "pid",       "signal",     "argv",
    "envp",      "uid",        "gid",         "whence",     "rename_flags",
    "ioctl_cmd", "prctl_option", "ptrace_request", "futex_op", "msg_flags",
    "timespec",  "clock_id",   "wait_options", "access_at_flags",
};
static_assert(std::size(kArgTypeNames) == static_cast<size_t>(ArgType::kAccessAtFlags) + 1,
              "kArgTypeNames must name every ArgType");

}  // namespace

std::string_view AbiName(Abi abi) {
  return abi == Abi::kX86_64 ? "x86_64" : "i386";
}

std::optional<Abi> ParseAbi(std::string_view name) {
  if (name == "x86_64" || name == "x86-64" || name == "amd64") return Abi::kX86_64;
  if (name == "i386" || name == "x86" || name == "ia32") return Abi::kI386;
  return std::nullopt;
}

std::span<const ClassName> ClassNames() { return kClassNames; }

absl::StatusOr<uint32_t> ParseClasses(std::string_view list) {
  uint32_t mask = 0;
  // Debian's Abseil keeps its own string_view type, so split by hand.
  while (!list.empty()) {
    size_t comma = list.find(',');
    std::string_view part = Trim(list.substr(0, comma));
    list = comma == std::string_view::npos ? "" : list.substr(comma + 1);
    if (part.empty()) continue;
    if (part == "all") {
      for (const auto& c : kClassNames) mask |= c.bit;
      continue;
    }
    auto it = std::find_if(std::begin(kClassNames), std::end(kClassNames),
                           [&](const ClassName& c) { return c.name == part; });
    if (it == std::end(kClassNames)) {
      std::vector<std::string_view> names;
      for (const auto& c : kClassNames) names.push_back(c.name);
      return absl::InvalidArgumentError(
          fmt::format("unknown syscall class '{}'; known classes: {}, all", part,
                      fmt::join(names, ", ")));
    }
    mask |= it->bit;
  }
  return mask;
}

std::string ClassesToString(uint32_t mask) {
  std::vector<std::string_view> names;
  for (const auto& c : kClassNames)
    if (mask & c.bit) names.push_back(c.name);
  return fmt::format("{}", fmt::join(names, ","));
}

std::string_view ArgTypeName(ArgType type) {
  auto i = static_cast<size_t>(type);
  return i < std::size(kArgTypeNames) ? kArgTypeNames[i] : "?";
}

std::span<const SyscallDef> Table(Abi abi) {
  if (abi == Abi::kX86_64) return kX86_64;
  return kI386;
}

const SyscallDef* ByNumber(Abi abi, int64_t nr) {
  const auto& idx = abi == Abi::kX86_64 ? kX86_64Index : kI386Index;
  if (nr < 0 || nr >= static_cast<int64_t>(idx.size())) return nullptr;
  int16_t i = idx[nr];
  if (i < 0) return nullptr;
  return &Table(abi)[i];
}

const SyscallDef* ByName(Abi abi, std::string_view name) {
  const auto& v = NamesOf(abi).sorted;
  auto it = std::lower_bound(v.begin(), v.end(), name,
                             [](auto* d, std::string_view n) { return d->name < n; });
  if (it == v.end() || (*it)->name != name) return nullptr;
  return *it;
}

std::vector<std::string_view> ClosestNames(Abi abi, std::string_view name,
                                           size_t limit) {
  std::vector<std::string_view> names;
  for (const auto& d : Table(abi)) names.push_back(d.name);
  return Closest(name, names, limit);
}

}  // namespace warden::syscalls
