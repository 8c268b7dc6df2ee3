// Path generalisation for `learn` and `expect`: the paths one program read,
// wrote or executed, turned into the globs (policy/glob.h) a policy rule or
// an expected item lists. Every rule is meant to be checked by a reviewer
// reading the output, so each one is narrow and stated here:
//
//  1. Sensitive paths (SensitivePatterns(): shadow and sudoers files, /root,
//     ssh keys, /proc/*/mem) are never generalised: they stay literal, and
//     no directory whose tree could hold one is ever collapsed (so there is
//     never an "/etc/*" that would grant /etc/shadow).
//  2. /proc: a numeric process id becomes "*" (/proc/1234/stat ->
//     /proc/*/stat), and so does a numeric thread id after "task"
//     (/proc/self/task/5678/comm -> /proc/self/task/*/comm). Only numeric
//     components change.
//  3. Random temp names: a component below a temp directory (/tmp,
//     /var/tmp, /dev/shm, Generalization::temp_dirs) that has the shape of a
//     mkstemp(3)/mkdtemp(3) name keeps its fixed part and has its random run
//     replaced by as many '?' (/tmp/ccAbC123.s -> /tmp/cc??????.s): '?'
//     matches exactly one character, so the glob stands for the template and
//     nothing longer. The shapes (kTemplates in generalize.cc): gcc's
//     "cc"+6, Python tempfile's "tmp"+8 of [a-z0-9_], mktemp(1)'s
//     "tmp."+10; and any name whose last 6, 8 or 10 characters before an
//     optional ".suffix" follow a '-', '_' or '.' (or start the name) and
//     mix at least two of upper case, lower case and digits
//     (/var/tmp/app-Xy9Qz1). /tmp/build.log, /tmp/results2024.txt stay
//     literal.
//  4. Collapse: when one program read (or wrote) more than N distinct
//     entries directly below a directory D -- files or subdirectories -- the
//     paths below D become "D/*", or "D/**" when some are deeper than one
//     level (a tree). The highest such directory wins; "/" never collapses.
//     Exec paths never collapse: which programs may run is what a reviewer
//     most needs to see one by one.
//     N = kDefaultCollapse unless --collapse N.
//  5. Exact (--exact): every path literal.
// A literal path is written with its glob characters (* ? [ \) escaped, and
// bytes that are not UTF-8 as '?' (a policy is a YAML text). Whatever the
// rules do, the glob of a path matches that path (GlobMatch).
#ifndef WARDEN_LEARN_GENERALIZE_H_
#define WARDEN_LEARN_GENERALIZE_H_

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "learn/items.h"

namespace warden::learn {

// 10: a program that opens more than ten entries of one directory is
// enumerating it (a Python package, a header directory, a locale or
// certificate tree), and the next run or the next version will open one
// more; listing each would make a policy that breaks on the first change.
// Up to ten stay listed one by one: a program's handful of configuration
// files in /etc/foo, each of which a reviewer should see. Sensitive
// directories never collapse, whatever N.
inline constexpr int kDefaultCollapse = 10;

// The patterns of rule 1, as globs.
std::span<const std::string_view> SensitivePatterns();
bool IsSensitive(std::string_view path);

// The glob that matches exactly `path`: * ? [ \ escaped, each byte that is
// not part of valid UTF-8 replaced by '?'.
std::string LiteralGlob(std::string_view path);

// The reverse of LiteralGlob for a glob without wildcards: the text it
// matches. HasWildcard: the glob has an unescaped * ? or [.
std::string UnescapeGlob(std::string_view glob);
bool HasWildcard(std::string_view glob);

// Rules 1-3 (and 5) on one path: its glob before collapsing.
std::string GeneralizePath(std::string_view path, const Generalization& g);

// Rule 4 on the distinct globs of one program and kind (as GeneralizePath
// returns them): result[i] is the glob that stands for patterns[i].
// `sensitive[i]`: patterns[i] is pinned (left as it is).
std::vector<std::string> CollapsePatterns(const std::vector<std::string>& patterns,
                                          const std::vector<bool>& sensitive, int n);

// All rules on the distinct paths of one program and kind: result[i] is the
// glob for paths[i]. `collapse`: false for exec paths.
std::vector<std::string> GeneralizePaths(const std::vector<std::string_view>& paths,
                                         const Generalization& g, bool collapse);

}  // namespace warden::learn

#endif  // WARDEN_LEARN_GENERALIZE_H_
