// A path of a root filesystem walked the way the kernel would walk it with
// that root as "/": every symlink on the way, whole chains, and the file it
// ends at. Harden keeps all of them, so that a name the program used
// (/bin/sh, /lib64/ld-linux-x86-64.so.2, /etc/localtime) still leads to
// its file in the hardened tree.
#ifndef WARDEN_HARDEN_ROOT_WALK_H_
#define WARDEN_HARDEN_ROOT_WALK_H_

#include <optional>
#include <string>
#include <vector>

namespace warden::harden {

struct RootWalk {
  std::vector<std::string> links;     // root paths of the symlinks followed, in order
  std::optional<std::string> target;  // the root path it ends at; nullopt: not there
};

// `path`: absolute, as the traced program saw it inside `root` (a host
// directory). `follow_last`: follow a symlink that ends the path.
RootWalk WalkInRoot(const std::string& root, const std::string& path, bool follow_last = true);

}  // namespace warden::harden

#endif  // WARDEN_HARDEN_ROOT_WALK_H_
