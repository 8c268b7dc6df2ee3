// Path arithmetic for recorded paths: every path warden records is
// absolute, resolved against the right dirfd or cwd.
#ifndef WARDEN_SUPERVISOR_PATHS_H_
#define WARDEN_SUPERVISOR_PATHS_H_

#include <string>
#include <string_view>

namespace warden::supervisor {

// Lexically normalizes an absolute path: collapses "//", drops ".", resolves
// ".." against the previous component (never above "/"). Lexical only: a
// ".." after a symlink is resolved as the text says, not as the kernel would.
std::string NormalizePath(std::string_view path);
std::string NormalizeOwned(std::string&& path);  // no copy when already normal

// `path` if absolute, else `base` + "/" + `path`; normalized. An empty
// `path` (AT_EMPTY_PATH) yields `base`.
std::string ResolvePath(std::string_view base, std::string_view path);
std::string ResolveOnto(std::string&& base, std::string_view path);  // appends to `base`

// The target of symlink `link` (a /proc/PID/fd/N or cwd link, mostly); ""
// when it cannot be read.
std::string ReadLink(const std::string& link);
std::string ReadLink(const char* link);

// Paths through /proc that name another file: /proc/self/fd/3/x,
// /proc/12/cwd/y, /proc/thread-self/root/etc/z. Splits one into the /proc
// link to read ("/proc/<tgid>/fd/3", with self and thread-self made
// explicit for the traced task) and the rest ("/x"). Returns false for every
// other path.
bool SplitProcLink(std::string_view path, int tid, int tgid, std::string* link,
                   std::string* rest);

}  // namespace warden::supervisor

#endif  // WARDEN_SUPERVISOR_PATHS_H_
