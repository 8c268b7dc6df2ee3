#include "learn/file_access.h"

#include <fcntl.h>

#include <charconv>

namespace warden::learn {
namespace {

using policy::FileAccess;

// Calls whose access is in their open flags.
constexpr std::string_view kOpenCalls[] = {"open", "openat", "openat2", "open_by_handle_at"};

// Ops that change a file or a directory (supervisor/effects.cc FileUseOf).
constexpr std::string_view kWriteOps[] = {"create", "unlink", "rmdir", "mkdir", "mknod",
                                          "chmod",  "chown",  "truncate", "utime", "rename",
                                          "link",   "symlink"};
// Ops whose second path is written too (a symlink's path2 is text).
constexpr std::string_view kTwoPathOps[] = {"rename", "link"};
// The xattr calls share the op "xattr": the writing ones by name.
constexpr std::string_view kXattrWrites[] = {"setxattr",      "lsetxattr",     "removexattr",
                                             "lremovexattr",  "setxattrat",    "removexattrat",
                                             "fsetxattr",     "fremovexattr"};

// The open flags that decide access, by the names the decoder prints.
struct FlagValue {
  std::string_view name;
  uint64_t value;
};
constexpr FlagValue kOpenFlagValues[] = {
    {"O_RDONLY", O_RDONLY}, {"O_WRONLY", O_WRONLY}, {"O_RDWR", O_RDWR},
    {"O_ACCMODE", O_ACCMODE}, {"O_CREAT", O_CREAT},  {"O_TRUNC", O_TRUNC},
    {"O_PATH", O_PATH},     {"O_TMPFILE", O_TMPFILE},
};

// An open without flags text: its op, as the recorder derived it.
struct OpAccess {
  std::string_view op;
  FileAccess access;
};
constexpr OpAccess kOpenOps[] = {{"read", FileAccess::kRead},
                                 {"write", FileAccess::kWrite},
                                 {"create", FileAccess::kWrite},
                                 {"truncate", FileAccess::kWrite},
                                 {"stat", FileAccess::kNone}};

template <size_t N>
bool In(const std::string_view (&list)[N], std::string_view v) {
  for (std::string_view x : list)
    if (x == v) return true;
  return false;
}

uint64_t FlagToken(std::string_view t) {
  for (const auto& f : kOpenFlagValues)
    if (f.name == t) return f.value;
  if (t.size() > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X')) {
    uint64_t v = 0;
    std::from_chars(t.data() + 2, t.data() + t.size(), v, 16);
    return v;
  }
  return 0;
}

}  // namespace

std::optional<uint64_t> ParseOpenFlags(std::string_view flags) {
  if (flags.empty()) return std::nullopt;
  uint64_t v = 0;
  for (size_t i = 0; i <= flags.size();) {
    size_t j = flags.find('|', i);
    if (j == std::string_view::npos) j = flags.size();
    v |= FlagToken(flags.substr(i, j - i));
    i = j + 1;
  }
  return v;
}

FileAccess OpenFlagsAccess(uint64_t flags) {
  if (flags & O_PATH) return FileAccess::kNone;
  int a = 0;
  switch (flags & O_ACCMODE) {
    case O_RDONLY: a = 1; break;
    case O_WRONLY: a = 2; break;
    default: a = 3; break;  // O_RDWR, and the invalid 3 (read and write checks)
  }
  if (flags & (O_CREAT | O_TRUNC)) a |= 2;
  return static_cast<FileAccess>(a);
}

FileAccessOf FileAccessOfEvent(std::string_view syscall, std::string_view op,
                               std::string_view flags) {
  if (In(kOpenCalls, syscall)) {
    if (auto v = ParseOpenFlags(flags)) return {OpenFlagsAccess(*v), false};
    for (const auto& o : kOpenOps)
      if (o.op == op) return {o.access, false};
    return {};
  }
  if (syscall == "creat") return {FileAccess::kWrite, false};
  if (In(kWriteOps, op)) return {FileAccess::kWrite, In(kTwoPathOps, op)};
  if (op == "xattr" && In(kXattrWrites, syscall)) return {FileAccess::kWrite, false};
  return {};
}

}  // namespace warden::learn
