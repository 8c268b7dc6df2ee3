#include "policy/glob.h"

#include "fmt/format.h"

namespace warden::policy {
namespace {

// Matches one bracket expression at p[0] == '[' against c. Sets *len to the
// expression's length; returns false for an unclosed one (ValidateGlob
// rejects those, so it only guards).
bool MatchClass(std::string_view p, char c, size_t* len) {
  size_t i = 1;
  bool negate = i < p.size() && (p[i] == '!' || p[i] == '^');
  if (negate) ++i;
  bool found = false;
  bool first = true;
  for (; i < p.size() && (p[i] != ']' || first); ++i, first = false) {
    char lo = p[i];
    if (lo == '\\' && i + 1 < p.size()) lo = p[++i];
    char hi = lo;
    if (i + 2 < p.size() && p[i + 1] == '-' && p[i + 2] != ']') {
      hi = p[i + 2];
      i += 2;
    }
    if (lo <= c && c <= hi) found = true;
  }
  if (i >= p.size()) return false;
  *len = i + 1;
  return found != negate && c != '/';
}

}  // namespace

// Iterative matcher with backtracking, as fnmatch does, on two levels: a
// '*' may only grow within its path segment, so when it would have to
// swallow a '/' the match falls back to the last '**', which may. Earlier
// stars never need revisiting: a later '**' subsumes them, and a '*' in an
// earlier segment is pinned by the '/' that follows it.
bool GlobMatch(std::string_view p, std::string_view t) {
  constexpr size_t kNone = std::string_view::npos;
  size_t pi = 0, ti = 0;
  size_t star_p = kNone, star_t = 0;    // last '*'
  size_t dstar_p = kNone, dstar_t = 0;  // last '**'
  while (ti < t.size()) {
    if (pi < p.size() && p[pi] == '*') {
      const bool crosses = pi + 1 < p.size() && p[pi + 1] == '*';
      while (pi < p.size() && p[pi] == '*') ++pi;
      if (crosses) {
        dstar_p = pi, dstar_t = ti;
        star_p = kNone;
      } else {
        star_p = pi, star_t = ti;
      }
      continue;
    }
    size_t len = 1;
    bool ok = false;
    if (pi < p.size()) {
      const char pc = p[pi];
      if (pc == '?') ok = t[ti] != '/';
      else if (pc == '[') ok = MatchClass(p.substr(pi), t[ti], &len);
      else if (pc == '\\' && pi + 1 < p.size()) ok = p[pi + 1] == t[ti], len = 2;
      else ok = pc == t[ti];
    }
    if (ok) {
      pi += len;
      ++ti;
    } else if (star_p != kNone && t[star_t] != '/') {
      pi = star_p;  // the last '*' swallows one more character
      ti = ++star_t;
    } else if (dstar_p != kNone) {
      star_p = kNone;  // the last '**' does, and what followed it restarts
      pi = dstar_p;
      ti = ++dstar_t;
    } else {
      return false;
    }
  }
  while (pi < p.size() && p[pi] == '*') ++pi;
  return pi == p.size();
}

absl::Status ValidateGlob(std::string_view p) {
  for (size_t i = 0; i < p.size(); ++i) {
    if (p[i] == '\\') {
      if (i + 1 == p.size()) return absl::InvalidArgumentError(fmt::format(
          "glob '{}' ends with a lone '\\': escape it as '\\\\'", std::string(p)));
      ++i;
    } else if (p[i] == '[') {
      size_t len = 0;
      // Any character works as the probe: only the shape is checked.
      if (!MatchClass(p.substr(i), 'a', &len) && p.find(']', i + 2) == std::string_view::npos)
        return absl::InvalidArgumentError(fmt::format(
            "glob '{}' has an unclosed '[' at offset {}: close it or escape it as '\\['",
            std::string(p), i));
    }
  }
  return absl::OkStatus();
}

namespace {

bool Wild(char c) { return c == '*' || c == '?' || c == '[' || c == '\\'; }

bool HasWild(std::string_view s) {
  for (char c : s)
    if (Wild(c)) return true;
  return false;
}

}  // namespace

Glob::Glob(std::string pattern) : pattern_(std::move(pattern)) {
  std::string_view p = pattern_;
  if (!HasWild(p)) {
    shape_ = Shape::kExact;
    literal_ = pattern_;
  } else if (p.size() >= 2 && p.ends_with("**") && !HasWild(p.substr(0, p.size() - 2))) {
    shape_ = Shape::kPrefix;  // "LIT**": anything that starts with LIT
    literal_ = std::string(p.substr(0, p.size() - 2));
  } else if (p.size() >= 2 && p.starts_with("**") && !HasWild(p.substr(2))) {
    shape_ = Shape::kSuffix;  // "**LIT": anything that ends with LIT
    literal_ = std::string(p.substr(2));
  } else {
    size_t i = 0;
    while (i < p.size() && !Wild(p[i])) ++i;
    literal_ = std::string(p.substr(0, i));
  }
}

bool Glob::Match(std::string_view text) const {
  switch (shape_) {
    case Shape::kExact: return text == literal_;
    case Shape::kPrefix: return text.starts_with(literal_);
    case Shape::kSuffix: return text.ends_with(literal_);
    case Shape::kGeneral: return text.starts_with(literal_) && GlobMatch(pattern_, text);
  }
  return false;
}

bool ProgramMatch(std::string_view pattern, std::string_view exe) {
  if (pattern == "*") return true;
  if (pattern.find('/') != std::string_view::npos) return GlobMatch(pattern, exe);
  size_t slash = exe.rfind('/');
  return GlobMatch(pattern, slash == std::string_view::npos ? exe : exe.substr(slash + 1));
}

}  // namespace warden::policy
