// What a call's effect row (effects.h) means to the policy: the file and
// network facts of a policy::Call, from what was captured at the stop (the
// live gate) or what was recorded (the dry run, dryrun/). One definition of
// which calls file, exec and network rules judge, and how.
#ifndef WARDEN_SUPERVISOR_EFFECT_FACTS_H_
#define WARDEN_SUPERVISOR_EFFECT_FACTS_H_

#include <cstdint>
#include <string_view>

#include "policy/evaluate.h"
#include "supervisor/effects.h"

namespace warden::supervisor {

// Fills the exec or file facts of `call`: exec with the path executed; the
// access FileUseOf and the open flags give, with the path and, for rename
// and link, the second path; unreadable when a judged path is a marker.
// Nothing for calls that use no file (stat, access, readlink, ...) and for
// open_by_handle_at, judged on the opened file at its exit
// (policy::DescribeOpenedFile).
void DescribeFileUse(const EffectRow& e, std::string_view path, std::string_view path2,
                     uint64_t open_flags, policy::Call& call);

// How network rules judge a call: outbound for connect, and for sendto,
// sendmsg and sendmmsg that name a destination; bind; accept (judged at
// its exit, on the peer); kNone for the rest.
policy::NetKind NetKindOf(Effect e, bool has_addr);

}  // namespace warden::supervisor

#endif  // WARDEN_SUPERVISOR_EFFECT_FACTS_H_
