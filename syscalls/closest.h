// "Did you mean": the candidates closest to a mistyped name, by edit
// distance (a candidate that starts with what was typed counts as close).
// Used for syscall names, commands and options alike.
#ifndef WARDEN_SYSCALLS_CLOSEST_H_
#define WARDEN_SYSCALLS_CLOSEST_H_

#include <string_view>
#include <vector>

namespace warden::syscalls {

size_t EditDistance(std::string_view a, std::string_view b);

// At most `limit` candidates, closest first; none that is too far off
// (more than max(3, half the name) edits).
std::vector<std::string_view> Closest(std::string_view name, const std::vector<std::string_view>& candidates,
                                      size_t limit = 3);

}  // namespace warden::syscalls

#endif  // WARDEN_SYSCALLS_CLOSEST_H_
