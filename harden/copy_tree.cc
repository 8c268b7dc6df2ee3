#include "harden/copy_tree.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <map>
#include <vector>

#include "fmt/format.h"
#include "harden/tree_walk.h"

namespace warden::harden {
namespace {

absl::Status Errno(std::string_view what, const std::string& path) {
  return absl::InternalError(fmt::format("{} {}: {}", what, path, strerror(errno)));
}

// Extended attributes of `from` onto `to` (names and values as they are).
void CopyXattrs(const std::string& from, const std::string& to) {
  std::vector<char> names(65536);
  const ssize_t n = llistxattr(from.c_str(), names.data(), names.size());
  for (ssize_t i = 0; i < n;) {
    const char* name = names.data() + i;
    std::vector<char> value(65536);
    const ssize_t v = lgetxattr(from.c_str(), name, value.data(), value.size());
    if (v >= 0) (void)lsetxattr(to.c_str(), name, value.data(), v, 0);
    i += strlen(name) + 1;
  }
}

absl::Status CopyContents(const std::string& from, const std::string& to, const struct stat& st) {
  const int in = open(from.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (in < 0) return Errno("cannot read", from);
  const int out = open(to.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (out < 0) {
    close(in);
    return Errno("cannot create", to);
  }
  off_t off = 0;
  while (off < st.st_size) {
    const ssize_t n = sendfile(out, in, &off, static_cast<size_t>(st.st_size - off));
    if (n <= 0) break;
  }
  const bool ok = off == st.st_size;
  close(in);
  close(out);
  return ok ? absl::OkStatus() : Errno("cannot copy", from);
}

// Owner, mode and times of `st` onto `to` (not following a symlink).
void Attributes(const std::string& to, const struct stat& st) {
  (void)lchown(to.c_str(), st.st_uid, st.st_gid);  // only root may; owners are kept when it can
  if (!S_ISLNK(st.st_mode)) chmod(to.c_str(), st.st_mode & 07777);
  const struct timespec times[2] = {st.st_atim, st.st_mtim};
  utimensat(AT_FDCWD, to.c_str(), times, AT_SYMLINK_NOFOLLOW);
}

absl::Status CheckOut(const std::string& out, bool force) {
  struct stat st;
  if (lstat(out.c_str(), &st) != 0) {
    if (errno != ENOENT) return Errno("cannot use output", out);
    std::error_code ec;
    std::filesystem::create_directories(out, ec);
    if (ec) return absl::InternalError(fmt::format("cannot create {}: {}", out, ec.message()));
    return absl::OkStatus();
  }
  if (!S_ISDIR(st.st_mode))
    return absl::FailedPreconditionError(fmt::format("output {} exists and is not a directory", out));
  if (force) return absl::OkStatus();
  DIR* d = opendir(out.c_str());
  if (d == nullptr) return Errno("cannot read", out);
  bool empty = true;
  while (dirent* e = readdir(d))
    if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) empty = false;
  closedir(d);
  if (!empty)
    return absl::FailedPreconditionError(fmt::format(
        "output {} exists and is not empty; give an empty or new directory, or --force", out));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<CopyStats> CopyTree(const std::string& root, const Plan& plan,
                                   const std::string& out, bool force) {
  if (absl::Status s = CheckOut(out, force); !s.ok()) return s;
  CopyStats stats;
  std::map<std::pair<dev_t, ino_t>, std::string> inodes;  // hard links
  std::vector<std::pair<std::string, struct stat>> dirs;  // times set last
  for (const auto& [path, why] : plan.kept) {
    const std::string from = root + path, to = out + path;
    struct stat st;
    if (lstat(from.c_str(), &st) != 0) continue;  // gone since the plan
    if (S_ISDIR(st.st_mode)) {
      if (mkdir(to.c_str(), 0700) != 0 && errno != EEXIST) return Errno("cannot create", to);
      dirs.emplace_back(to, st);
      ++stats.dirs;
      continue;
    }
    unlink(to.c_str());  // --force over an old tree
    if (S_ISLNK(st.st_mode)) {
      std::vector<char> buf(st.st_size + 1 > 4096 ? st.st_size + 1 : 4096);
      const ssize_t n = readlink(from.c_str(), buf.data(), buf.size());
      if (n < 0 || symlink(std::string(buf.data(), n).c_str(), to.c_str()) != 0)
        return Errno("cannot copy symlink", from);
      ++stats.links;
    } else if (S_ISREG(st.st_mode)) {
      auto [it, first] = inodes.emplace(std::pair(st.st_dev, st.st_ino), to);
      if (!first && st.st_nlink > 1) {
        if (link(it->second.c_str(), to.c_str()) != 0) return Errno("cannot link", to);
        ++stats.hard_links;
        continue;
      }
      if (absl::Status s = CopyContents(from, to, st); !s.ok()) return s;
      ++stats.files;
      stats.bytes += st.st_size;
    } else {
      // Devices, fifos, sockets: made again where warden may (root).
      if (mknod(to.c_str(), st.st_mode, st.st_rdev) != 0) continue;
      ++stats.others;
    }
    CopyXattrs(from, to);
    Attributes(to, st);
  }
  for (auto it = dirs.rbegin(); it != dirs.rend(); ++it) {
    CopyXattrs(root + it->first.substr(out.size()), it->first);
    Attributes(it->first, it->second);
  }
  return stats;
}

CopyStats MeasureTree(const std::string& root) {
  CopyStats stats;
  std::map<std::pair<dev_t, ino_t>, bool> seen;
  WalkTree(root, [&](const std::string&, const struct stat& st) {
    if (S_ISDIR(st.st_mode)) ++stats.dirs;
    else if (S_ISLNK(st.st_mode)) ++stats.links;
    else if (S_ISREG(st.st_mode) && seen.emplace(std::pair(st.st_dev, st.st_ino), true).second) {
      ++stats.files;
      stats.bytes += st.st_size;
    } else if (S_ISREG(st.st_mode)) {
      ++stats.hard_links;
    } else {
      ++stats.others;
    }
  });
  return stats;
}

}  // namespace warden::harden
