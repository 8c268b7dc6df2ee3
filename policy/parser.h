// Reads a policy file (YAML, warden-policy(5)) into a validated Policy.
// yaml-cpp's exceptions stop here: every error comes back as a Status whose
// message lists each problem as "FILE:LINE:COLUMN: what is wrong", one per
// line, with the fix where there is one ("did you mean: openat, open?").
#ifndef WARDEN_POLICY_PARSER_H_
#define WARDEN_POLICY_PARSER_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "policy/policy.h"

namespace warden::policy {

absl::StatusOr<Policy> ParsePolicyText(std::string_view text, std::string_view filename);
absl::StatusOr<Policy> ParsePolicyFile(const std::string& path);

}  // namespace warden::policy

#endif  // WARDEN_POLICY_PARSER_H_
