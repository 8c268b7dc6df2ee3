#include "harden/lib_search.h"

#include <fcntl.h>
#include <glob.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>

#include "fmt/format.h"

namespace warden::harden {
namespace {

// ld.so's own directories after ld.so.conf's (Debian's x86_64 and i386
// multiarch ones, then the historical ones).
constexpr const char* kSystemDirs64[] = {"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu",
                                         "/lib64", "/usr/lib64", "/lib", "/usr/lib"};
constexpr const char* kSystemDirs32[] = {"/lib/i386-linux-gnu", "/usr/lib/i386-linux-gnu",
                                         "/lib32", "/usr/lib32", "/lib", "/usr/lib"};

std::string Dirname(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  return slash == std::string::npos || slash == 0 ? "/" : path.substr(0, slash);
}

std::string Join(const std::string& dir, const std::string& name) {
  return (dir.ends_with('/') ? dir : dir + "/") + name;
}

}  // namespace

std::optional<std::string> InRoot(const std::string& root, const std::string& path) {
  const int dir = open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) return std::nullopt;
  open_how how{};
  how.flags = O_PATH | O_CLOEXEC;
  how.resolve = RESOLVE_IN_ROOT;
  const int fd = static_cast<int>(syscall(SYS_openat2, dir, path.c_str(), &how, sizeof how));
  close(dir);
  if (fd < 0) return std::nullopt;
  char link[64], buf[4096];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  const ssize_t n = readlink(link, buf, sizeof buf);
  close(fd);
  if (n <= 0 || n >= static_cast<ssize_t>(sizeof buf)) return std::nullopt;
  return std::string(buf, n);
}

LibrarySearch::LibrarySearch(std::string root) : root_(std::move(root)) {
  ReadConf("/etc/ld.so.conf", 0);
}

// One ld.so.conf file: a directory per line, `include GLOB` (relative to
// the file's directory when not absolute), `#` comments.
void LibrarySearch::ReadConf(const std::string& root_path, int depth) {
  if (depth > 8) return;  // include loops
  auto host = InRoot(root_, root_path);
  if (!host) return;
  std::ifstream in(*host);
  std::string line;
  while (std::getline(in, line)) {
    if (size_t hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    line.erase(0, line.find_first_not_of(" \t"));
    line.erase(line.find_last_not_of(" \t\r") + 1);
    if (line.empty()) continue;
    if (line.starts_with("include") && line.size() > 7 && (line[7] == ' ' || line[7] == '\t')) {
      std::string pattern = line.substr(8);
      pattern.erase(0, pattern.find_first_not_of(" \t"));
      if (!pattern.starts_with('/')) pattern = Join(Dirname(root_path), pattern);
      glob_t g{};
      if (glob((root_ + pattern).c_str(), 0, nullptr, &g) == 0) {
        std::vector<std::string> files(g.gl_pathv, g.gl_pathv + g.gl_pathc);
        std::sort(files.begin(), files.end());
        for (const std::string& f : files) ReadConf(f.substr(root_.size()), depth + 1);
      }
      globfree(&g);
      continue;
    }
    if (line.starts_with('/') &&
        std::find(conf_dirs_.begin(), conf_dirs_.end(), line) == conf_dirs_.end())
      conf_dirs_.push_back(line);
  }
}

bool LibrarySearch::Usable(const std::string& root_path, const ElfDeps& of) const {
  auto host = InRoot(root_, root_path);
  if (!host) return false;
  auto deps = ReadElfDeps(*host);
  return deps.ok() && deps->has_value() && (*deps)->is_64 == of.is_64 &&
         (*deps)->machine == of.machine;
}

std::optional<std::string> LibrarySearch::Find(const std::string& name, const ElfDeps& of,
                                               const std::string& object) const {
  if (name.find('/') != std::string::npos) {
    const std::string path = name.starts_with('/') ? name : Join(Dirname(object), name);
    return InRoot(root_, path) ? std::optional(path) : std::nullopt;
  }
  std::vector<std::string> dirs;
  for (std::string d : of.runpath) {
    for (const char* origin : {"$ORIGIN", "${ORIGIN}"})
      for (size_t at; (at = d.find(origin)) != std::string::npos;)
        d.replace(at, strlen(origin), Dirname(object));
    dirs.push_back(d);
  }
  dirs.insert(dirs.end(), conf_dirs_.begin(), conf_dirs_.end());
  for (const char* d : of.is_64 ? kSystemDirs64 : kSystemDirs32) dirs.push_back(d);
  for (const std::string& d : dirs) {
    const std::string candidate = Join(d, name);
    if (Usable(candidate, of)) return candidate;
  }
  return std::nullopt;
}

}  // namespace warden::harden
