#include "policy/rule_paths.h"

#include <limits.h>
#include <stdlib.h>

#include <algorithm>

namespace warden::policy {
namespace {

bool IsMeta(char c) { return c == '*' || c == '?' || c == '[' || c == '\\'; }

std::string Join(const std::string& dir, std::string_view rest) {
  if (rest.empty()) return dir;
  return (dir == "/" ? "" : dir) + "/" + std::string(rest);
}

}  // namespace

std::vector<std::string> ResolvedForms(std::string_view glob, const RealPath& real) {
  std::vector<std::string> out;
  if (glob.empty() || glob[0] != '/' || glob.starts_with("/proc/") || glob == "/proc") return out;
  // The head: the components before the first one with a wildcard.
  const size_t meta = std::find_if(glob.begin(), glob.end(), IsMeta) - glob.begin();
  auto add = [&](std::optional<std::string> form) {
    if (form && *form != glob && !form->starts_with("/proc/") &&
        std::find(out.begin(), out.end(), *form) == out.end())
      out.push_back(std::move(*form));
  };
  if (meta == glob.size()) {
    std::string path(glob);
    while (path.size() > 1 && path.back() == '/') path.pop_back();
    add(real(path));  // the file, every symlink followed
    const size_t slash = path.find_last_of('/');
    const std::string dir = slash == 0 ? "/" : path.substr(0, slash);
    if (auto d = real(dir)) add(Join(*d, path.substr(slash + 1)));  // the name itself
    return out;
  }
  const size_t slash = glob.find_last_of('/', meta);
  const std::string head(slash == 0 ? "/" : glob.substr(0, slash));
  if (head == "/") return out;
  if (auto d = real(head)) add(Join(*d, glob.substr(slash + 1)));
  return out;
}

void AddResolvedPaths(Policy& p, const RealPath& real) {
  for (Rule& r : p.rules) {
    if (r.type != RuleType::kFileRead && r.type != RuleType::kFileWrite && r.type != RuleType::kExec)
      continue;
    r.resolved.clear();
    for (const std::string& glob : r.paths)
      for (std::string& form : ResolvedForms(glob, real))
        if (std::find(r.paths.begin(), r.paths.end(), form) == r.paths.end() &&
            std::find(r.resolved.begin(), r.resolved.end(), form) == r.resolved.end())
          r.resolved.push_back(std::move(form));
  }
}

std::optional<std::string> SystemRealPath(const std::string& path) {
  char buf[PATH_MAX];
  if (realpath(path.c_str(), buf) == nullptr) return std::nullopt;
  return std::string(buf);
}

}  // namespace warden::policy
