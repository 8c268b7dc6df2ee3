#include "supervisor/object_path.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <deque>

#include "fmt/format.h"
#include "supervisor/paths.h"

namespace warden::supervisor {
namespace {

// One descriptor, closed when replaced or dropped.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  Fd(Fd&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  Fd& operator=(Fd&& o) noexcept {
    if (this != &o) {
      Reset();
      fd_ = o.fd_;
      o.fd_ = -1;
    }
    return *this;
  }
  ~Fd() { Reset(); }
  int get() const { return fd_; }
  bool ok() const { return fd_ >= 0; }

 private:
  void Reset() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }
  int fd_;
};

constexpr int kMaxLinks = 40;  // the kernel's MAXSYMLINKS

Fd OpenHow(int dirfd, const char* path, uint64_t flags, uint64_t resolve) {
  open_how how{};
  how.flags = flags | O_PATH | O_CLOEXEC;
  how.resolve = resolve;
  return Fd(static_cast<int>(syscall(SYS_openat2, dirfd, path, &how, sizeof how)));
}

bool OnProc(int fd) {
  struct statfs fs;
  return fstatfs(fd, &fs) == 0 && fs.f_type == PROC_SUPER_MAGIC;
}

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char ch : s)
    if (ch < '0' || ch > '9') return false;
  return true;
}

// The caller's own /proc directory is named /proc/self (its thread's,
// /proc/thread-self), as the program names it: what rules and learned
// policies say, and not a number that changes every run.
std::string NameOwnProc(std::string path, pid_t tid, pid_t tgid) {
  auto under = [&](const std::string& dir) {
    return path.starts_with(dir) && (path.size() == dir.size() || path[dir.size()] == '/');
  };
  const std::string own = fmt::format("/proc/{}", tgid);
  const std::string thread = fmt::format("{}/task/{}", own, tid);
  if (under(thread)) return "/proc/thread-self" + path.substr(thread.size());
  if (under(own)) return "/proc/self" + path.substr(own.size());
  return path;
}

// The path of `fd` as warden sees it; "" for what is not a path (pipe:[..]).
std::string PathOf(int fd) {
  char link[40];
  *fmt::format_to_n(link, sizeof link - 1, "/proc/self/fd/{}", fd).out = '\0';
  std::string path = ReadLink(link);
  if (path.empty() || path[0] != '/' || path.ends_with(" (deleted)")) return "";
  return path;
}

std::optional<FoundObject> Found(int fd, const PathQuery& q, std::string_view missing = {}) {
  std::string path = PathOf(fd);
  if (path.empty()) return std::nullopt;
  if (!missing.empty()) path = (path == "/" ? "" : path) + "/" + std::string(missing);
  return FoundObject{NameOwnProc(std::move(path), q.tid, q.tgid), missing.empty()};
}

std::deque<std::string> Components(std::string_view text) {
  std::deque<std::string> out;
  size_t i = 0;
  while (i < text.size()) {
    size_t j = text.find('/', i);
    if (j == std::string_view::npos) j = text.size();
    if (j > i) out.emplace_back(text.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

// The component-by-component walk the kernel does, for what openat2 from
// warden cannot answer for the task: another root or mount namespace,
// RESOLVE_IN_ROOT, magic links, /proc/self.
class Walk {
 public:
  explicit Walk(const PathQuery& q) : q_(q) {}

  std::optional<FoundObject> Run() {
    Fd base;
    if (q_.in_root || (!q_.text.empty() && q_.text[0] != '/')) {
      base = Fd(open(q_.base_link.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
      if (!base.ok()) return std::nullopt;
    }
    if (q_.in_root) root_ = std::move(base);  // RESOLVE_IN_ROOT: "/" is the dirfd
    else root_ = Fd(open(q_.own_root ? fmt::format("/proc/{}/root", q_.tid).c_str() : "/",
                         O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!root_.ok() || fstat(root_.get(), &root_st_) != 0) return std::nullopt;
    Fd cur = base.ok() ? std::move(base) : Fd(dup(root_.get()));
    if (!cur.ok()) return std::nullopt;
    std::deque<std::string> parts = Components(q_.text);
    while (!parts.empty()) {
      std::string name = std::move(parts.front());
      parts.pop_front();
      const bool last = parts.empty();
      if (name == ".") continue;
      if (name == "..") {
        if (IsRoot(cur.get())) continue;
        cur = Fd(openat(cur.get(), "..", O_PATH | O_DIRECTORY | O_CLOEXEC));
        if (!cur.ok()) return std::nullopt;
        continue;
      }
      Fd next(openat(cur.get(), name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
      if (!next.ok()) {
        if (last && errno == ENOENT) return Found(cur.get(), q_, name);
        return std::nullopt;
      }
      struct stat st;
      if (fstat(next.get(), &st) != 0) return std::nullopt;
      if (!S_ISLNK(st.st_mode) || (last && !q_.follow_last)) {
        cur = std::move(next);
        continue;
      }
      if (++links_ > kMaxLinks) return std::nullopt;  // ELOOP for the kernel too
      std::string target;
      if (OnProc(next.get())) {
        target = ReadLinkAt(cur.get(), name);
        if (name == "self" && AllDigits(target)) {
          target = std::to_string(q_.tgid);
        } else if (name == "thread-self" && target.find("/task/") != std::string::npos) {
          target = fmt::format("{}/task/{}", q_.tgid, q_.tid);
        } else if (target.empty() || target[0] == '/' || target.find(":[") != std::string::npos ||
                   target.starts_with("anon_inode:")) {
          // A magic link: the kernel jumps to the object itself, whatever
          // the reader's root. Let it.
          cur = Fd(openat(cur.get(), name.c_str(), O_PATH | O_CLOEXEC));
          if (!cur.ok()) return std::nullopt;
          continue;
        }
      } else {
        target = ReadLinkAt(next.get(), "");
      }
      if (target.empty()) return std::nullopt;
      if (target[0] == '/') {
        cur = Fd(dup(root_.get()));
        if (!cur.ok()) return std::nullopt;
      }
      std::deque<std::string> more = Components(target);
      parts.insert(parts.begin(), more.begin(), more.end());
    }
    return Found(cur.get(), q_);
  }

 private:
  bool IsRoot(int fd) const {
    struct stat st;
    return fstat(fd, &st) == 0 && st.st_dev == root_st_.st_dev && st.st_ino == root_st_.st_ino;
  }
  static std::string ReadLinkAt(int dirfd, const std::string& name) {
    char buf[4096];
    const ssize_t n = readlinkat(dirfd, name.c_str(), buf, sizeof buf);
    return n > 0 && n < static_cast<ssize_t>(sizeof buf) ? std::string(buf, n) : "";
  }

  const PathQuery& q_;
  Fd root_;
  struct stat root_st_ {};
  int links_ = 0;
};

// A name not there yet (O_CREAT, mkdir, bind): its directory found by the
// kernel, unless the name is a symlink the call would follow (a dangling
// one: O_CREAT creates its target), which the walk follows.
std::optional<FoundObject> Missing(int dirfd, const std::string& text, const PathQuery& q) {
  std::string_view t = text;
  while (t.size() > 1 && t.back() == '/') t.remove_suffix(1);
  const size_t slash = t.find_last_of('/');
  const std::string name(slash == std::string_view::npos ? t : t.substr(slash + 1));
  const std::string dir(slash == std::string_view::npos ? "." : slash == 0 ? "/" : t.substr(0, slash));
  if (name.empty() || name == "." || name == "..") return Walk(q).Run();
  Fd parent = OpenHow(dirfd, dir.c_str(), O_DIRECTORY, RESOLVE_NO_MAGICLINKS);
  // No directory for warden need not mean none for the task: a symlink on
  // the way into /proc/self/task/TID is warden's /proc/self. The walk knows.
  if (!parent.ok()) return Walk(q).Run();
  struct stat st;
  if (OnProc(parent.get()) || fstatat(parent.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0)
    return Walk(q).Run();
  return Found(parent.get(), q, name);
}

}  // namespace

std::optional<FoundObject> FindObject(const PathQuery& q) {
  if (q.text.empty()) return std::nullopt;
  if (q.own_root || q.in_root) return Walk(q).Run();
  // Same root and mounts as warden: the kernel walks it for warden in one
  // call. Magic links (refused here) and /proc (whose self is warden's)
  // take the walk.
  std::string text;
  Fd base;
  if (q.text[0] == '/') {
    text = q.text;
  } else if (!q.base.empty() && q.base[0] == '/' && !q.base.ends_with(" (deleted)")) {
    text = fmt::format("{}/{}", q.base == "/" ? "" : q.base, q.text);
  } else {
    base = Fd(open(q.base_link.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!base.ok()) return std::nullopt;
    text = q.text;
  }
  const int dirfd = base.ok() ? base.get() : AT_FDCWD;
  Fd fd = OpenHow(dirfd, text.c_str(), q.follow_last ? 0 : O_NOFOLLOW, RESOLVE_NO_MAGICLINKS);
  if (fd.ok()) return OnProc(fd.get()) ? Walk(q).Run() : Found(fd.get(), q);
  if (errno == ENOENT) return Missing(dirfd, text, q);
  if (errno == ELOOP || errno == EXDEV) return Walk(q).Run();
  return std::nullopt;
}

}  // namespace warden::supervisor
