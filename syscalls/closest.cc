#include "syscalls/closest.h"

#include <algorithm>
#include <utility>

namespace warden::syscalls {

// Optimal string alignment: insertions, deletions, substitutions and
// swaps of two neighbours ("rnus" is one edit from "runs").
size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> before(b.size() + 1), prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) cur[j] = std::min(cur[j], before[j - 2] + 1);
    }
    std::swap(before, prev);
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::vector<std::string_view> Closest(std::string_view name, const std::vector<std::string_view>& candidates,
                                      size_t limit) {
  std::vector<std::pair<size_t, std::string_view>> scored;
  for (std::string_view c : candidates) {
    size_t dist = EditDistance(name, c);
    if (!name.empty() && c.substr(0, name.size()) == name) dist = std::min<size_t>(dist, 1);
    scored.emplace_back(dist, c);
  }
  std::sort(scored.begin(), scored.end());
  std::vector<std::string_view> out;
  for (const auto& [dist, c] : scored) {
    if (out.size() >= limit) break;
    if (dist > std::max<size_t>(3, name.size() / 2)) break;
    out.push_back(c);
  }
  return out;
}

}  // namespace warden::syscalls
