#include "learn/generalize.h"

#include <algorithm>
#include <numeric>
#include <optional>

#include "store/json.h"
#include "policy/glob.h"

namespace warden::learn {
namespace {

// Rule 1. Directories are listed with their trees ("/root" and "/root/**")
// so that opening the directory itself stays literal too.
constexpr std::string_view kSensitive[] = {
    "/etc/shadow*",        "/etc/gshadow*",      "/etc/sudoers*",       "/etc/sudoers.d/**",
    "/etc/security/opasswd", "/root",            "/root/**",            "/home/*/.ssh",
    "/home/*/.ssh/**",     "/etc/ssh/ssh_host_*", "/proc/*/mem",        "/proc/*/task/*/mem",
};

constexpr std::string_view kTempRoots[] = {"/tmp", "/var/tmp", "/dev/shm"};

// Rule 3: the shapes of random temp names.
enum class Alphabet : uint8_t { kAlnum, kPython };  // [A-Za-z0-9]; [a-z0-9_]
struct Template {
  std::string_view prefix;  // the fixed part before the run; "" for the generic shapes
  int length;               // the random run
  Alphabet alphabet;
};
constexpr Template kTemplates[] = {
    {"cc", 6, Alphabet::kAlnum},     // gcc: mkstemps("ccXXXXXX.s")
    {"tmp", 8, Alphabet::kPython},   // Python tempfile: "tmp" + 8 of [a-z0-9_]
    {"tmp.", 10, Alphabet::kAlnum},  // mktemp(1): tmp.XXXXXXXXXX
    {"", 6, Alphabet::kAlnum},       // mkstemp(3)/mkdtemp(3): PREFIX-XXXXXX
    {"", 8, Alphabet::kPython},      // Python tempfile with a prefix of its own
    {"", 10, Alphabet::kAlnum},
};

bool Digit(char c) { return c >= '0' && c <= '9'; }
bool Lower(char c) { return c >= 'a' && c <= 'z'; }
bool Upper(char c) { return c >= 'A' && c <= 'Z'; }
bool GlobChar(char c) { return c == '*' || c == '?' || c == '[' || c == '\\'; }

bool AllDigits(std::string_view s) { return !s.empty() && std::all_of(s.begin(), s.end(), Digit); }

bool InAlphabet(std::string_view run, Alphabet a) {
  return std::all_of(run.begin(), run.end(), [a](char c) {
    return Digit(c) || Lower(c) || (a == Alphabet::kAlnum ? Upper(c) : c == '_');
  });
}

// At least two of upper case, lower case, digits: what a random run
// almost always has and a word almost never does.
bool Mixed(std::string_view run) {
  bool d = std::any_of(run.begin(), run.end(), Digit);
  bool l = std::any_of(run.begin(), run.end(), Lower);
  bool u = std::any_of(run.begin(), run.end(), Upper);
  return d + l + u >= 2;
}

// Where the random run of `t` starts when it ends at `end`, if it does.
bool RunFits(std::string_view name, size_t end, const Template& t) {
  if (end < static_cast<size_t>(t.length)) return false;
  size_t start = end - t.length;
  std::string_view run = name.substr(start, t.length);
  if (!InAlphabet(run, t.alphabet)) return false;
  if (!t.prefix.empty()) return start == t.prefix.size() && name.starts_with(t.prefix);
  bool separated = start == 0 || name[start - 1] == '-' || name[start - 1] == '_' ||
                   name[start - 1] == '.';
  return separated && Mixed(run);
}

// The component with its random run as '?'s, or nullopt when it has none.
// The run ends at the end of the name or at a '.' (a suffix: ".s", ".json").
std::optional<std::string> RandomName(std::string_view name) {
  for (const Template& t : kTemplates) {
    for (size_t end = 0; end <= name.size(); ++end) {
      if (end < name.size() && name[end] != '.') continue;
      if (!RunFits(name, end, t)) continue;
      size_t start = end - t.length;
      return LiteralGlob(name.substr(0, start)) + std::string(t.length, '?') +
             LiteralGlob(name.substr(end));
    }
  }
  return std::nullopt;
}

std::vector<std::string_view> Split(std::string_view path) {
  std::vector<std::string_view> parts;
  size_t i = 0;
  while (i <= path.size()) {
    size_t slash = path.find('/', i);
    if (slash == std::string_view::npos) slash = path.size();
    if (slash > i) parts.push_back(path.substr(i, slash - i));
    i = slash + 1;
  }
  return parts;
}

// The temp root `path` lies under, as a number of leading components, or 0.
size_t TempDepth(std::string_view path, const Generalization& g) {
  auto under = [&](std::string_view root) {
    while (root.size() > 1 && root.back() == '/') root.remove_suffix(1);
    return root.size() > 1 && path.size() > root.size() + 1 && path.starts_with(root) &&
           path[root.size()] == '/';
  };
  for (std::string_view root : kTempRoots)
    if (under(root)) return Split(root).size();
  for (const std::string& root : g.temp_dirs)
    if (!root.empty() && root[0] == '/' && under(root)) return Split(root).size();
  return 0;
}

// Rules 2 and 3 on the components of an absolute path; false when neither
// applies.
bool Rewrite(std::string_view path, const Generalization& g, std::string& out) {
  std::vector<std::string_view> parts = Split(path);
  std::vector<std::string> globs;
  bool changed = false;
  bool proc = !parts.empty() && parts[0] == "proc";
  size_t temp = TempDepth(path, g);
  for (size_t i = 0; i < parts.size(); ++i) {
    bool id = proc && ((i == 1 && AllDigits(parts[i])) ||
                       (i == 3 && parts[2] == "task" && AllDigits(parts[i])));
    std::optional<std::string> random = temp && i >= temp ? RandomName(parts[i]) : std::nullopt;
    if (id) globs.push_back("*");
    else if (random) globs.push_back(*random);
    else globs.push_back(LiteralGlob(parts[i]));
    changed = changed || id || random;
  }
  if (!changed) return false;
  out.clear();
  for (const std::string& part : globs) out.append("/").append(part);
  if (path.ends_with('/')) out.append("/");
  return true;
}

// Could the sensitive `pattern` match something strictly below the
// directory `dir` (a glob, as components)? Conservative: a wildcard in the
// directory is taken to match anything.
bool ReachesBelow(std::string_view pattern, const std::vector<std::string_view>& dir) {
  std::vector<std::string_view> p = Split(pattern);
  for (size_t i = 0; i < dir.size(); ++i) {
    if (i >= p.size()) return false;
    if (p[i].find("**") != std::string_view::npos) return true;
    if (!HasWildcard(dir[i]) && !policy::GlobMatch(p[i], UnescapeGlob(dir[i]))) return false;
  }
  return p.size() > dir.size();
}

bool Collapsible(const std::vector<std::string_view>& dir) {
  if (dir.empty()) return false;  // never "/*" nor "/**"
  return std::none_of(SensitivePatterns().begin(), SensitivePatterns().end(),
                      [&](std::string_view p) { return ReachesBelow(p, dir); });
}

// Rule 4 over entries sorted by their components.
class Collapser {
 public:
  Collapser(const std::vector<std::vector<std::string_view>>& parts, std::vector<std::string>& out,
            int n)
      : parts_(parts), out_(out), n_(n) {}

  // order[lo, hi): entries strictly below the directory of their first
  // `depth` components.
  void Below(const std::vector<size_t>& order, size_t lo, size_t hi, size_t depth) {
    size_t children = 0;
    bool deep = false;
    for (size_t i = lo; i < hi; ++i) {
      const auto& p = parts_[order[i]];
      if (i == lo || p[depth] != parts_[order[i - 1]][depth]) ++children;
      deep = deep || p.size() > depth + 1;
    }
    const auto& first = parts_[order[lo]];
    std::vector<std::string_view> dir(first.begin(), first.begin() + depth);
    if (children > static_cast<size_t>(n_) && Collapsible(dir)) {
      std::string glob;
      for (std::string_view d : dir) glob.append("/").append(d);
      glob.append(deep ? "/**" : "/*");
      for (size_t i = lo; i < hi; ++i) out_[order[i]] = glob;
      return;
    }
    for (size_t i = lo; i < hi;) {
      size_t j = i;
      while (j < hi && parts_[order[j]][depth] == parts_[order[i]][depth]) ++j;
      // The child itself (once per duplicate) sorts first; the rest lie below it.
      size_t k = i;
      while (k < j && parts_[order[k]].size() == depth + 1) ++k;
      if (k < j) Below(order, k, j, depth + 1);
      i = j;
    }
  }

 private:
  const std::vector<std::vector<std::string_view>>& parts_;
  std::vector<std::string>& out_;
  int n_;
};

}  // namespace

std::string UnescapeGlob(std::string_view glob) {
  std::string out;
  for (size_t i = 0; i < glob.size(); ++i) {
    if (glob[i] == '\\' && i + 1 < glob.size()) ++i;
    out.push_back(glob[i]);
  }
  return out;
}

bool HasWildcard(std::string_view glob) {
  for (size_t i = 0; i < glob.size(); ++i) {
    if (glob[i] == '\\') ++i;
    else if (GlobChar(glob[i])) return true;
  }
  return false;
}

std::span<const std::string_view> SensitivePatterns() { return kSensitive; }

bool IsSensitive(std::string_view path) {
  return std::any_of(std::begin(kSensitive), std::end(kSensitive),
                     [&](std::string_view p) { return policy::GlobMatch(p, path); });
}

std::string LiteralGlob(std::string_view path) {
  std::string out;
  out.reserve(path.size());
  for (size_t i = 0; i < path.size();) {
    size_t n = store::Utf8Length(path, i);
    if (n == 0) {
      out.push_back('?');
      ++i;
      continue;
    }
    if (n == 1 && GlobChar(path[i])) out.push_back('\\');
    out.append(path.substr(i, n));
    i += n;
  }
  return out;
}

std::string GeneralizePath(std::string_view path, const Generalization& g) {
  std::string out;
  if (g.exact || path.empty() || path[0] != '/' || IsSensitive(path) || !Rewrite(path, g, out) ||
      !policy::GlobMatch(out, path))  // a guard: the glob must stand for the path
    return LiteralGlob(path);
  return out;
}

std::vector<std::string> CollapsePatterns(const std::vector<std::string>& patterns,
                                          const std::vector<bool>& sensitive, int n) {
  std::vector<std::string> out = patterns;
  std::vector<std::vector<std::string_view>> parts(patterns.size());
  std::vector<size_t> order;
  for (size_t i = 0; i < patterns.size(); ++i) {
    if (sensitive[i] || patterns[i].empty() || patterns[i][0] != '/') continue;
    parts[i] = Split(patterns[i]);
    if (!parts[i].empty()) order.push_back(i);
  }
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return parts[a] < parts[b]; });
  if (!order.empty()) Collapser(parts, out, n).Below(order, 0, order.size(), 0);
  return out;
}

std::vector<std::string> GeneralizePaths(const std::vector<std::string_view>& paths,
                                         const Generalization& g, bool collapse) {
  std::vector<std::string> globs;
  std::vector<bool> sensitive;
  globs.reserve(paths.size());
  for (std::string_view p : paths) {
    globs.push_back(GeneralizePath(p, g));
    sensitive.push_back(IsSensitive(p));
  }
  if (g.exact || !collapse) return globs;
  std::vector<std::string> collapsed =
      CollapsePatterns(globs, sensitive, g.collapse > 0 ? g.collapse : kDefaultCollapse);
  for (size_t i = 0; i < paths.size(); ++i)
    if (collapsed[i] != globs[i] && policy::GlobMatch(collapsed[i], paths[i]))
      globs[i] = std::move(collapsed[i]);  // the guard again
  return globs;
}

}  // namespace warden::learn
