// How a call is described to the policy and in policy events, shared by the
// live gate (supervisor/policy_gate) and the dry run (dryrun/): the access
// an open's flags ask for, the protocol a socket type means, the category
// and target a policy event names. One definition, so that a dry run
// judges and reports a recorded call exactly as enforcement would.
#ifndef WARDEN_POLICY_CALL_FACTS_H_
#define WARDEN_POLICY_CALL_FACTS_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "policy/evaluate.h"

namespace warden::policy {

// The access of open flags as file rules see it: O_PATH reads nothing;
// O_RDWR (and the invalid access mode 3) is a read and a write; O_CREAT and
// O_TRUNC write.
FileAccess OpenAccess(uint64_t flags);

// tcp for SOCK_STREAM, udp for SOCK_DGRAM, any otherwise (unknown).
Protocol ProtocolOf(int sock_type);

// A path warden could not read is recorded as a marker ("<unreadable 0x8>").
bool UnreadablePath(std::string_view path);

// The file facts of an open judged on the file it opened
// (open_by_handle_at, at its exit): `path` from the new descriptor.
void DescribeOpenedFile(std::string_view path, uint64_t flags, Call& call);

// The policy category of a call, as policy events name it
// ("file-read", "network-outbound", "exec", "syscall").
std::string_view CategoryName(const Call& c);

// What a policy event names: the path (rename: "a -> b"), "address:port"
// ("[::1]:80"), or the program executed; "" for other calls.
std::string Target(const Call& c);

}  // namespace warden::policy

#endif  // WARDEN_POLICY_CALL_FACTS_H_
