#include "learn/observation.h"

namespace warden::learn {
namespace {

constexpr std::string_view kKindNames[] = {"file-read", "file-write", "exec",
                                           "connect",   "listen",     "accept"};

}  // namespace

std::string_view KindName(Kind k) { return kKindNames[static_cast<int>(k)]; }

std::optional<Kind> ParseKind(std::string_view name) {
  for (Kind k : kAllKinds)
    if (KindName(k) == name) return k;
  return std::nullopt;
}

}  // namespace warden::learn
