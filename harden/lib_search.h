// Where the dynamic loader of a root filesystem finds a library an ELF
// file names (DT_NEEDED), found the way ld.so(8) searches, inside that
// root: DT_RPATH (when there is no DT_RUNPATH), DT_RUNPATH ($ORIGIN is the
// object's directory), the directories of the root's /etc/ld.so.conf (with
// its includes), then the system directories. A candidate of another ELF
// class or machine is passed over, as ld.so does. Paths are the root's
// own (/usr/lib/x86_64-linux-gnu/libc.so.6), looked up with every symlink
// resolved inside the root, never on the host.
#ifndef WARDEN_HARDEN_LIB_SEARCH_H_
#define WARDEN_HARDEN_LIB_SEARCH_H_

#include <optional>
#include <string>
#include <vector>

#include "harden/elf_deps.h"

namespace warden::harden {

class LibrarySearch {
 public:
  // `root`: the source root (a directory); its etc/ld.so.conf is read now.
  explicit LibrarySearch(std::string root);

  // The root's path of the library `name` needed by the object at
  // `object` (a root path) whose headers are `of`; nullopt when no
  // directory has it.
  std::optional<std::string> Find(const std::string& name, const ElfDeps& of,
                                  const std::string& object) const;

  const std::vector<std::string>& conf_dirs() const { return conf_dirs_; }

 private:
  void ReadConf(const std::string& root_path, int depth);
  bool Usable(const std::string& root_path, const ElfDeps& of) const;

  std::string root_;
  std::vector<std::string> conf_dirs_;
};

// `path` (a root path) as a host path under `root`, every symlink resolved
// inside the root (openat2 RESOLVE_IN_ROOT); nullopt when it is not there.
std::optional<std::string> InRoot(const std::string& root, const std::string& path);

}  // namespace warden::harden

#endif  // WARDEN_HARDEN_LIB_SEARCH_H_
