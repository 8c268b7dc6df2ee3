#include "verify/match.h"

#include <algorithm>
#include <charconv>

#include "policy/glob.h"

namespace warden::verify {

std::optional<Peer> ParsePeer(std::string_view text) {
  size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  std::string_view address = text.substr(0, colon), port = text.substr(colon + 1);
  if (address.front() == '[') {
    if (address.size() < 3 || address.back() != ']') return std::nullopt;
    address = address.substr(1, address.size() - 2);
  } else if (address.find(':') != std::string_view::npos) {
    return std::nullopt;  // IPv6 needs its brackets
  }
  Peer p{std::string(address), std::nullopt, {}};
  if (port == "*") return p;
  auto number = [](std::string_view t, int* v) {
    auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), *v);
    return ec == std::errc() && end == t.data() + t.size() && *v >= 0 && *v <= 65535;
  };
  int v = -1;
  if (number(port, &v)) {
    p.port = v;
    return p;
  }
  for (size_t i = 0; i <= port.size();) {
    size_t j = std::min(port.find(',', i), port.size());
    std::string_view r = port.substr(i, j - i);
    size_t dash = r.find('-');
    int lo = -1, hi = -1;
    if (dash == std::string_view::npos ? !number(r, &lo) || !number(r, &hi)
                                       : !number(r.substr(0, dash), &lo) || !number(r.substr(dash + 1), &hi) || lo > hi)
      return std::nullopt;
    p.ranges.emplace_back(lo, hi);
    i = j + 1;
  }
  return p;
}

namespace {

// The ports `p` stands for, as ranges; empty: any.
std::vector<std::pair<int, int>> Ranges(const Peer& p) {
  if (p.port) return {{*p.port, *p.port}};
  return p.ranges;
}

}  // namespace

bool PeerMatch(const Peer& pattern, std::string_view target) {
  auto observed = ParsePeer(target);
  if (!observed) return false;
  // Every port the observed peer stands for lies in one of the pattern's.
  const auto want = Ranges(pattern), got = Ranges(*observed);
  if (!want.empty()) {
    if (got.empty()) return false;
    for (const auto& [glo, ghi] : got)
      if (std::none_of(want.begin(), want.end(), [&](const auto& w) { return w.first <= glo && ghi <= w.second; }))
        return false;
  }
  return pattern.address == observed->address || policy::GlobMatch(pattern.address, observed->address);
}

bool HasGlob(std::string_view text) { return text.find_first_of("*?[\\") != std::string_view::npos; }

bool IsLiteral(const ExpectedItem& e) {
  if (e.program.find('/') == std::string::npos || HasGlob(e.program)) return false;
  if (!IsNetworkKind(e.kind)) return !HasGlob(e.target);
  auto peer = ParsePeer(e.target);
  return peer && peer->port && !HasGlob(peer->address);
}

bool Matches(const ExpectedItem& e, const learn::Item& o) {
  if (e.kind != o.kind) return false;
  if (e.program != o.program && !policy::ProgramMatch(e.program, o.program)) return false;
  if (e.target == o.target) return true;
  if (!IsNetworkKind(e.kind)) return policy::GlobMatch(e.target, o.target);
  auto peer = ParsePeer(e.target);
  return peer && PeerMatch(*peer, o.target);
}

}  // namespace warden::verify

namespace warden::verify {
namespace {

std::string Key(learn::Kind k, std::string_view program, std::string_view target) {
  std::string key(1, static_cast<char>(k));
  key.append(program);
  key.push_back('\0');
  key.append(target);
  return key;
}

}  // namespace

Matcher::Matcher(const std::vector<ExpectedItem>& items) {
  for (size_t i = 0; i < items.size(); ++i) {
    const ExpectedItem& e = items[i];
    if (IsLiteral(e)) {
      literal_[Key(e.kind, e.program, e.target)].push_back(i);
      continue;
    }
    std::optional<Peer> peer = IsNetworkKind(e.kind) ? ParsePeer(e.target) : std::nullopt;
    patterns_[static_cast<int>(e.kind)].push_back({&e, i, peer, policy::Glob(e.target)});
  }
}

bool Matcher::Observe(const learn::Item& o, std::vector<bool>& seen) const {
  bool any = false;
  if (auto it = literal_.find(Key(o.kind, o.program, o.target)); it != literal_.end()) {
    for (size_t i : it->second) seen[i] = true;
    any = true;
  }
  for (const Pattern& p : patterns_[static_cast<int>(o.kind)]) {
    if (p.item->program != o.program && !policy::ProgramMatch(p.item->program, o.program)) continue;
    bool target = p.item->target == o.target || (p.peer ? PeerMatch(*p.peer, o.target) : p.target.Match(o.target));
    if (!target) continue;
    seen[p.index] = true;
    any = true;
  }
  return any;
}

}  // namespace warden::verify
