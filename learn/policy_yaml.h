// A policy model (policy/policy.h) written back as the YAML text of
// warden-policy(5), with comments: what `warden learn` writes, for learned
// rules and for the rules of a policy it merges with alike, so that a rule
// read from a file and written again comes out the same.
#ifndef WARDEN_LEARN_POLICY_YAML_H_
#define WARDEN_LEARN_POLICY_YAML_H_

#include <string>
#include <string_view>
#include <vector>

#include "policy/policy.h"

namespace warden::learn {

// A rule and the comment lines written above it ("# ..." each, without the
// indentation), after an empty line when `blank_before`.
struct CommentedRule {
  policy::Rule rule;
  std::vector<std::string> comments;
  bool blank_before = false;
};

struct PolicyDocument {
  std::vector<std::string> header;  // comment lines at the top ("# ...")
  policy::Policy policy;            // everything but its rules
  std::vector<CommentedRule> rules;
};

std::string WritePolicyYaml(const PolicyDocument& doc);

// A YAML scalar for `text`: plain when that reads back as the same string
// in any YAML reader, double-quoted with escapes otherwise.
std::string YamlScalar(std::string_view text);

// Text safe inside a "# " comment: one line, valid UTF-8 (control
// characters and other bytes as \xNN).
std::string CommentText(std::string_view text);

// The comment lines right above each rule of a policy file's `text` (as
// CommentedRule wants them), by the rules' locations: what a merged policy's
// rules keep. result[i] is for policy.rules[i].
std::vector<CommentedRule> RulesWithComments(const policy::Policy& policy, std::string_view text);

}  // namespace warden::learn

#endif  // WARDEN_LEARN_POLICY_YAML_H_
