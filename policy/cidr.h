// IPv4 / IPv6 networks and ports for network rules.
#ifndef WARDEN_POLICY_CIDR_H_
#define WARDEN_POLICY_CIDR_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "policy/policy.h"

namespace warden::policy {

// "10.0.0.0/8", "192.168.1.7", "::1", "fd00::/8". A prefix longer than the
// address, host bits set under the prefix, or an unparsable address is an
// error that says which.
absl::StatusOr<Cidr> ParseCidr(std::string_view text);

// "80", "8000-8100"; ports are 0-65535 and lo <= hi.
absl::StatusOr<PortRange> ParsePortRange(std::string_view text);

// True when `address` (text as warden records it: "127.0.0.1", "::1",
// "::ffff:10.0.0.1") lies in `net`. An IPv4-mapped IPv6 address also
// matches IPv4 networks. False for anything that is not an IP address.
bool CidrContains(const Cidr& net, std::string_view address);

std::string FormatCidr(const Cidr& net);

}  // namespace warden::policy

#endif  // WARDEN_POLICY_CIDR_H_
