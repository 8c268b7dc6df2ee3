#include "verify/match.h"

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
  Peer p{std::string(address), std::nullopt};
  if (port == "*") return p;
  int v = -1;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), v);
  if (ec != std::errc() || end != port.data() + port.size() || v < 0 || v > 65535) return std::nullopt;
  p.port = v;
  return p;
}

bool PeerMatch(const Peer& pattern, std::string_view target) {
  auto observed = ParsePeer(target);
  if (!observed) return false;
  if (pattern.port && pattern.port != observed->port) return false;
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
