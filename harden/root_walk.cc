#include "harden/root_walk.h"

#include <sys/stat.h>
#include <unistd.h>

#include <deque>

namespace warden::harden {
namespace {

constexpr int kMaxLinks = 40;

void PushFront(std::deque<std::string>& parts, const std::string& text) {
  std::deque<std::string> more;
  size_t i = 0;
  while (i <= text.size()) {
    size_t j = text.find('/', i);
    if (j == std::string::npos) j = text.size();
    if (j > i) more.push_back(text.substr(i, j - i));
    i = j + 1;
  }
  parts.insert(parts.begin(), more.begin(), more.end());
}

std::string Parent(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  return slash == 0 || slash == std::string::npos ? "/" : path.substr(0, slash);
}

}  // namespace

RootWalk WalkInRoot(const std::string& root, const std::string& path, bool follow_last) {
  RootWalk out;
  // `cur` never holds a symlink: root + cur stays inside the root.
  std::string cur = "/";
  std::deque<std::string> parts;
  PushFront(parts, path);
  int links = 0;
  while (!parts.empty()) {
    const std::string name = std::move(parts.front());
    parts.pop_front();
    if (name == ".") continue;
    if (name == "..") {
      cur = Parent(cur);
      continue;
    }
    const std::string next = (cur == "/" ? "" : cur) + "/" + name;
    struct stat st;
    if (lstat((root + next).c_str(), &st) != 0) return out;
    if (!S_ISLNK(st.st_mode) || (parts.empty() && !follow_last)) {
      cur = next;
      continue;
    }
    if (++links > kMaxLinks) return out;
    char buf[4096];
    const ssize_t n = readlink((root + next).c_str(), buf, sizeof buf);
    if (n <= 0 || n >= static_cast<ssize_t>(sizeof buf)) return out;
    out.links.push_back(next);
    const std::string target(buf, n);
    if (target[0] == '/') cur = "/";
    PushFront(parts, target);
  }
  out.target = cur;
  return out;
}

}  // namespace warden::harden
