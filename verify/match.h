// When an expected item (expected.h) stands for an observed one (an Item of
// learn/items.h): the kinds are equal, the program matches the item's
// program pattern (a policy rule's `program`: "*", a base name, or a path
// glob, policy/glob.h) and the target matches -- a path by glob, a peer by
// address (glob) and port ("*": any). An observed target that is itself a
// generalised pattern matches an expected one written the same way.
#ifndef WARDEN_VERIFY_MATCH_H_
#define WARDEN_VERIFY_MATCH_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "policy/glob.h"

#include "learn/items.h"
#include "verify/expected.h"

namespace warden::verify {

// "ADDRESS:PORT" or "[IPV6]:PORT", PORT a number 0..65535 or "*".
// "ADDRESS:PORTS" ("[ADDRESS]:PORTS" for IPv6). PORTS: one port, "*" (any),
// or ranges "LO-HI" separated by commas ("0,32768-60999": a bind that let
// the kernel choose, then accepts on the port it chose -- learn/items.h).
struct Peer {
  std::string address;
  std::optional<int> port;  // one port; nullopt: "*" or ranges
  std::vector<std::pair<int, int>> ranges;  // set for PORTS given as ranges
};
std::optional<Peer> ParsePeer(std::string_view text);

// The expected `pattern` peer matches the observed `target` peer.
bool PeerMatch(const Peer& pattern, std::string_view target);

// True when `text` holds glob characters (* ? [ \).
bool HasGlob(std::string_view text);

// True when only the same text matches `e` (no pattern in it): such items
// are looked up by equality.
bool IsLiteral(const ExpectedItem& e);

bool Matches(const ExpectedItem& e, const learn::Item& observed);

// The expected items of a profile prepared for matching many observed
// items: literal ones by one hash lookup, patterns by kind.
class Matcher {
 public:
  explicit Matcher(const std::vector<ExpectedItem>& items);
  // Sets seen[i] for every expected item i that `o` matches; false when
  // there is none (`o` is unexpected).
  bool Observe(const learn::Item& o, std::vector<bool>& seen) const;

 private:
  struct Pattern {
    const ExpectedItem* item;
    size_t index;
    std::optional<Peer> peer;  // network kinds
    policy::Glob target;
  };
  absl::flat_hash_map<std::string, std::vector<size_t>> literal_;
  std::vector<Pattern> patterns_[std::size(learn::kAllKinds)];
};

}  // namespace warden::verify

#endif  // WARDEN_VERIFY_MATCH_H_
