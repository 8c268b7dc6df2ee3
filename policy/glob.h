// Glob patterns for paths and programs, as policy files write them:
//   *      any run of characters except '/'
//   **     any run of characters, '/' included ("/var/www/**")
//   ?      one character except '/'
//   [abc] [a-z] [!a-z]  one character of (or not of) a set
//   \x     the character x
// A pattern matches the whole text. No regex, no allocation: the matcher
// runs at every judged stop.
#ifndef WARDEN_POLICY_GLOB_H_
#define WARDEN_POLICY_GLOB_H_

#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace warden::policy {

bool GlobMatch(std::string_view pattern, std::string_view text);

// A pattern prepared for matching many texts: the common shapes of policy
// paths (a literal "/etc/passwd", a tree "/var/www/**", a name anywhere
// "**/id_rsa") become one string comparison; a pattern of another shape is
// first checked on its literal head, which rejects most paths at once.
class Glob {
 public:
  explicit Glob(std::string pattern);
  bool Match(std::string_view text) const;
  const std::string& pattern() const { return pattern_; }

 private:
  enum class Shape : uint8_t { kExact, kPrefix, kSuffix, kGeneral };
  std::string pattern_;
  std::string literal_;  // kExact: the text; kPrefix: head; kSuffix: tail; kGeneral: head
  Shape shape_ = Shape::kGeneral;
};

// OK, or what is wrong with the pattern (an unclosed '[', a trailing '\').
absl::Status ValidateGlob(std::string_view pattern);

// A rule's `program`: "*" matches any program; a pattern without '/'
// matches the executable's base name ("cat"); one with '/' the full path
// ("/usr/bin/*").
bool ProgramMatch(std::string_view pattern, std::string_view exe);

}  // namespace warden::policy

#endif  // WARDEN_POLICY_GLOB_H_
