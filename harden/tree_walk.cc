#include "harden/tree_walk.h"

#include <linux/magic.h>
#include <sys/vfs.h>

#include <algorithm>
#include <array>
#include <filesystem>

namespace warden::harden {
namespace {

// f_type of the filesystems the kernel makes up (statfs(2)).
constexpr std::array<long, 10> kPseudo = {
    PROC_SUPER_MAGIC, SYSFS_MAGIC,      DEVPTS_SUPER_MAGIC, CGROUP_SUPER_MAGIC, CGROUP2_SUPER_MAGIC,
    DEBUGFS_MAGIC,    TRACEFS_MAGIC,    SECURITYFS_MAGIC,   BPF_FS_MAGIC,       static_cast<long>(0x6e736673)
    /* NSFS_MAGIC */};

}  // namespace

bool OnPseudoFs(const std::string& host_path) {
  struct statfs fs;
  return statfs(host_path.c_str(), &fs) == 0 &&
         std::find(kPseudo.begin(), kPseudo.end(), static_cast<long>(fs.f_type)) != kPseudo.end();
}

void WalkTree(const std::string& root,
              const std::function<void(const std::string& path, const struct stat& st)>& fn) {
  namespace fs = std::filesystem;
  const size_t skip = root == "/" ? 0 : root.size();
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, fs::directory_options::skip_permission_denied, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    struct stat st;
    if (lstat(it->path().c_str(), &st) != 0) continue;
    if (S_ISDIR(st.st_mode) && OnPseudoFs(it->path())) {
      it.disable_recursion_pending();
      continue;
    }
    fn(it->path().string().substr(skip), st);
  }
}

}  // namespace warden::harden
