// A file or exec rule names files. The supervisor judges the file a call
// acts on, found as the kernel finds it, symlinks followed
// (supervisor/object_path.h). So a rule written with a symlink on the way
// (/bin/sh, /lib/**, /etc/localtime) must also match that file's own path
// (/usr/bin/dash, /usr/lib/**, /usr/share/zoneinfo/Etc/UTC): when a policy
// is loaded, each path glob gains the forms the filesystem gives its
// literal head. A symlink after the first wildcard is not followed
// (warden-policy(5), PATHS).
#ifndef WARDEN_POLICY_RULE_PATHS_H_
#define WARDEN_POLICY_RULE_PATHS_H_

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "policy/policy.h"

namespace warden::policy {

// realpath(3) of an absolute path, or nullopt when it cannot be resolved.
using RealPath = std::function<std::optional<std::string>(const std::string& path)>;

// The forms of `glob` other than itself: its literal head resolved (the
// whole path when it has no wildcard: the file, and the name with only its
// directory resolved). Nothing under /proc, whose self is the loader's.
std::vector<std::string> ResolvedForms(std::string_view glob, const RealPath& real);

// Fills Rule::resolved of every file and exec rule.
void AddResolvedPaths(Policy& p, const RealPath& real);

// The filesystem's answer (realpath(3)).
std::optional<std::string> SystemRealPath(const std::string& path);

}  // namespace warden::policy

#endif  // WARDEN_POLICY_RULE_PATHS_H_
