#include "harden/keep_file.h"

#include <fstream>
#include <sstream>

#include "fmt/format.h"
#include "policy/glob.h"

namespace warden::harden {

absl::StatusOr<KeepFile> KeepFile::Parse(std::string_view text, std::string_view name) {
  KeepFile out;
  int number = 0;
  size_t i = 0;
  while (i < text.size()) {
    size_t j = text.find('\n', i);
    if (j == std::string_view::npos) j = text.size();
    std::string line(text.substr(i, j - i));
    i = j + 1;
    ++number;
    if (size_t hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    line.erase(0, line.find_first_not_of(" \t"));
    line.erase(line.find_last_not_of(" \t\r") + 1);
    if (line.empty()) continue;
    KeepLine k{line, false, number};
    if (line[0] == '!') {
      k.exclude = true;
      k.glob = line.substr(1);
      k.glob.erase(0, k.glob.find_first_not_of(" \t"));
    }
    if (k.glob.empty() || (k.glob[0] != '/' && !k.glob.starts_with("**")))
      return absl::InvalidArgumentError(fmt::format(
          "{}:{}: '{}' is not an absolute path glob; write /usr/lib/**, **/name or !/path",
          name, number, line));
    if (absl::Status s = policy::ValidateGlob(k.glob); !s.ok())
      return absl::InvalidArgumentError(
          fmt::format("{}:{}: {}", name, number, std::string(s.message())));
    out.lines_.push_back(std::move(k));
  }
  return out;
}

absl::StatusOr<KeepFile> KeepFile::Read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(fmt::format("cannot read keep file {}", path));
  std::ostringstream ss;
  ss << in.rdbuf();
  return Parse(ss.str(), path);
}

bool KeepFile::Keeps(std::string_view path) const {
  bool keep = false;
  for (const KeepLine& k : lines_)
    if (policy::GlobMatch(k.glob, path)) keep = !k.exclude;
  return keep;
}

bool KeepFile::Excludes(std::string_view path) const {
  for (auto it = lines_.rbegin(); it != lines_.rend(); ++it)
    if (policy::GlobMatch(it->glob, path)) return it->exclude;
  return false;
}

}  // namespace warden::harden
