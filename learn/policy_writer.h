// Items (items.h) -> the text of a policy (warden-policy(5)) that allows
// what the runs did: `warden learn`.
//
// Rules, per program (the caller's executable, as a path glob):
//  - file-read, file-write: one rule each, the paths (globs) it used;
//  - exec: one rule, the files it executed;
//  - network-outbound: one rule per peer port and protocol, the peer
//    addresses (no port: the port varies, a loopback ephemeral one);
//  - network-inbound: one rule per local port and protocol. A bind is
//    judged by the local port alone (a rule naming addresses never matches
//    a bind), so when the program bound the port the rule names no
//    addresses and its comment lists the bound addresses and accepted
//    peers; when it only accepted on it (the socket came from elsewhere),
//    the rule names the accepted peers.
// Every rule is allow and carries its provenance as a comment: the number of
// events, the runs (database and run id), first and last seen (RFC 3339).
// Defaults: deny for each category (file, exec, network) that has learned
// rules, allow otherwise; mode permissive unless asked; log_mode All, so a
// run under the policy records both what it would deny and the behaviour to
// learn from again (--merge).
//
// Merging (--merge FILE): the file's rules come first, in their order, as
// read (names, enabled flags, actions, the comments right above each), with
// its name, description, mode (unless `mode` is set), log mode, defaults and
// ignored syscalls; learned items that one of its rules already covers
// (same type, a program glob that matches, the path or peer matched) add
// nothing. Learning again from the same runs with --merge of the previous
// output gives the same bytes.
#ifndef WARDEN_LEARN_POLICY_WRITER_H_
#define WARDEN_LEARN_POLICY_WRITER_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "learn/items.h"
#include "policy/policy.h"

namespace warden::learn {

struct WriterOptions {
  std::optional<policy::Mode> mode;  // --mode; else the merged file's, else permissive
  // --merge: the policy file's name (for messages) and text.
  std::optional<std::string> merge_name;
  std::string merge_text;
  // Written into the header comment: how paths were generalised.
  Generalization gen;
};

// InvalidArgument when the merged file has errors (the parser's
// FILE:LINE:COLUMN messages).
absl::StatusOr<std::string> WritePolicy(const ItemSet& set, const WriterOptions& options);

// Whether `item` is already covered by `rule` (the merge rule above).
bool Covers(const policy::Rule& rule, const Item& item);

}  // namespace warden::learn

#endif  // WARDEN_LEARN_POLICY_WRITER_H_
