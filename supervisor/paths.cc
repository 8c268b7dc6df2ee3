#include "supervisor/paths.h"

#include <vector>

namespace warden::supervisor {

std::string NormalizePath(std::string_view path) {
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
  std::string joined(base);
  joined.push_back('/');
  joined.append(path);
  return NormalizePath(joined);
}

}  // namespace warden::supervisor
