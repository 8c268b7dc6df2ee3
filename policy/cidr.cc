#include "policy/cidr.h"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <charconv>
#include <cstring>

#include "fmt/format.h"

namespace warden::policy {
namespace {

// Parses an address into 16 bytes (IPv4 in the first 4); family or 0.
int ParseAddress(const std::string& text, std::array<uint8_t, 16>& bytes) {
  bytes.fill(0);
  if (inet_pton(AF_INET, text.c_str(), bytes.data()) == 1) return AF_INET;
  if (inet_pton(AF_INET6, text.c_str(), bytes.data()) == 1) return AF_INET6;
  return 0;
}

bool PrefixEqual(const uint8_t* a, const uint8_t* b, int prefix) {
  int full = prefix / 8, rest = prefix % 8;
  if (std::memcmp(a, b, full) != 0) return false;
  if (rest == 0) return true;
  uint8_t mask = static_cast<uint8_t>(0xff << (8 - rest));
  return (a[full] & mask) == (b[full] & mask);
}

bool ParseInt(std::string_view s, int& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size() && !s.empty();
}

}  // namespace

absl::StatusOr<Cidr> ParseCidr(std::string_view text) {
  Cidr net;
  size_t slash = text.find('/');
  std::string addr(text.substr(0, slash));
  net.family = ParseAddress(addr, net.bytes);
  if (net.family == 0)
    return absl::InvalidArgumentError(fmt::format(
        "'{}' is not an IPv4 or IPv6 address (write e.g. 10.0.0.0/8 or fd00::/8)",
        std::string(text)));
  const int max = net.family == AF_INET ? 32 : 128;
  net.prefix = max;
  if (slash != std::string_view::npos) {
    std::string_view p = text.substr(slash + 1);
    if (!ParseInt(p, net.prefix) || net.prefix < 0 || net.prefix > max)
      return absl::InvalidArgumentError(fmt::format(
          "'{}': prefix length must be 0-{} for an {} address", std::string(text), max,
          net.family == AF_INET ? "IPv4" : "IPv6"));
  }
  // Host bits under the prefix are almost always a typo (10.1.2.3/8).
  for (int bit = net.prefix; bit < max; ++bit)
    if (net.bytes[bit / 8] & (0x80 >> (bit % 8)))
      return absl::InvalidArgumentError(fmt::format(
          "'{}' has host bits set beyond the /{} prefix (did you mean {}?)", std::string(text),
          net.prefix, FormatCidr([&] {
            Cidr fixed = net;
            for (int b = net.prefix; b < max; ++b)
              fixed.bytes[b / 8] &= static_cast<uint8_t>(~(0x80 >> (b % 8)));
            return fixed;
          }())));
  return net;
}

absl::StatusOr<PortRange> ParsePortRange(std::string_view text) {
  PortRange r;
  size_t dash = text.find('-');
  bool ok = dash == std::string_view::npos
                ? ParseInt(text, r.lo) && (r.hi = r.lo, true)
                : ParseInt(text.substr(0, dash), r.lo) && ParseInt(text.substr(dash + 1), r.hi);
  if (!ok || r.lo < 0 || r.hi > 65535 || r.lo > 65535 || r.hi < 0)
    return absl::InvalidArgumentError(fmt::format(
        "bad port '{}': write a port 0-65535 or a range like 8000-8100", std::string(text)));
  if (r.lo > r.hi)
    return absl::InvalidArgumentError(fmt::format(
        "bad port range '{}': the first port is greater than the last", std::string(text)));
  return r;
}

bool CidrContains(const Cidr& net, std::string_view address) {
  std::array<uint8_t, 16> bytes;
  int family = ParseAddress(std::string(address), bytes);
  if (family == AF_INET6 && net.family == AF_INET) {
    // ::ffff:a.b.c.d is the IPv4 peer of a dual-stack socket.
    static constexpr uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::memcmp(bytes.data(), kMapped, 12) != 0) return false;
    std::memmove(bytes.data(), bytes.data() + 12, 4);
    family = AF_INET;
  }
  return family == net.family && PrefixEqual(bytes.data(), net.bytes.data(), net.prefix);
}

std::string FormatCidr(const Cidr& net) {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(net.family, net.bytes.data(), buf, sizeof buf);
  return fmt::format("{}/{}", buf, net.prefix);
}

}  // namespace warden::policy
