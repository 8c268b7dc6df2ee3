#include "supervisor/paths.h"

#include <unistd.h>

#include <algorithm>
#include <vector>

namespace warden::supervisor {

std::string ReadLink(const std::string& link) { return ReadLink(link.c_str()); }

std::string ReadLink(const char* link) {
  char buf[4096];
  ssize_t n = readlink(link, buf, sizeof buf);
  if (n <= 0) return std::string();
  std::string out;
  out.reserve(static_cast<size_t>(n) + 128);  // room for a name appended to a directory
  out.assign(buf, static_cast<size_t>(n));
  return out;
}

namespace {

// An absolute path with nothing to normalise: no "//", no "." or ".."
// component, no trailing "/". Most paths programs pass are.
bool IsNormal(std::string_view path) {
  if (path.empty() || path[0] != '/') return false;
  if (path.size() > 1 && path.back() == '/') return false;
  for (size_t i = 0; i + 1 < path.size(); ++i) {
    if (path[i] != '/') continue;
    if (path[i + 1] == '/') return false;
    if (path[i + 1] == '.') {
      const size_t rest = path.size() - (i + 2);
      if (rest == 0 || path[i + 2] == '/') return false;                      // "/."
      if (path[i + 2] == '.' && (rest == 1 || path[i + 3] == '/')) return false;  // "/.."
    }
  }
  return true;
}

}  // namespace

std::string NormalizeOwned(std::string&& path) {
  if (IsNormal(path)) return std::move(path);
  return NormalizePath(std::string_view(path));
}

std::string ResolveOnto(std::string&& base, std::string_view path) {
  if (!path.empty() && path[0] == '/') return NormalizePath(path);
  if (!path.empty()) {
    base.push_back('/');
    base.append(path);
  }
  return NormalizeOwned(std::move(base));
}

std::string NormalizePath(std::string_view path) {
  if (IsNormal(path)) return std::string(path);
  std::vector<std::string_view> parts;
  size_t i = 0;
  while (i < path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    std::string_view part = path.substr(i, j - i);
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
    i = j + 1;
  }
  std::string out;
  for (auto p : parts) {
    out.push_back('/');
    out.append(p);
  }
  return out.empty() ? "/" : out;
}

std::string ResolvePath(std::string_view base, std::string_view path) {
  if (!path.empty() && path[0] == '/') return NormalizePath(path);
  if (path.empty()) return NormalizePath(base);
  std::string joined;
  joined.reserve(base.size() + 1 + path.size());
  joined.append(base);
  joined.push_back('/');
  joined.append(path);
  return NormalizePath(joined);
}

bool SplitProcLink(std::string_view path, int tid, int tgid, std::string* link,
                   std::string* rest) {
  // /dev/fd is a symlink to /proc/self/fd on every Linux distribution.
  std::string spelled;
  if (path.substr(0, 8) == "/dev/fd/") {
    spelled = "/proc/self/fd/" + std::string(path.substr(8));
    path = spelled;
  }
  constexpr std::string_view kProc = "/proc/";
  if (path.substr(0, kProc.size()) != kProc) return false;
  std::string_view tail = path.substr(kProc.size());
  std::string prefix;
  auto take = [&tail](std::string_view word) {
    if (tail.substr(0, word.size()) != word) return false;
    if (tail.size() > word.size() && tail[word.size()] != '/') return false;
    tail.remove_prefix(std::min(tail.size(), word.size() + 1));
    return true;
  };
  if (take("self")) {
    prefix = "/proc/" + std::to_string(tgid);
  } else if (take("thread-self")) {
    prefix = "/proc/" + std::to_string(tgid) + "/task/" + std::to_string(tid);
  } else {
    size_t n = 0;
    while (n < tail.size() && tail[n] >= '0' && tail[n] <= '9') ++n;
    if (n == 0 || (n < tail.size() && tail[n] != '/')) return false;
    prefix = "/proc/" + std::string(tail.substr(0, n));
    tail.remove_prefix(std::min(tail.size(), n + 1));
  }
  std::string_view kind;
  for (std::string_view k : {"cwd", "root", "exe"})
    if (take(k)) kind = k;
  if (kind.empty()) {
    if (!take("fd")) return false;
    size_t n = 0;
    while (n < tail.size() && tail[n] >= '0' && tail[n] <= '9') ++n;
    if (n == 0 || (n < tail.size() && tail[n] != '/')) return false;
    *link = prefix + "/fd/" + std::string(tail.substr(0, n));
    tail.remove_prefix(n);
  } else {
    *link = prefix + "/" + std::string(kind);
    if (!tail.empty()) tail = path.substr(path.size() - tail.size() - 1);  // keep the '/'
  }
  *rest = std::string(tail);
  return true;
}

}  // namespace warden::supervisor
