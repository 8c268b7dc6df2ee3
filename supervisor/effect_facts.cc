#include "supervisor/effect_facts.h"

#include "policy/call_facts.h"

namespace warden::supervisor {

using policy::FileAccess;
using policy::NetKind;

void DescribeFileUse(const EffectRow& e, std::string_view path, std::string_view path2,
                     uint64_t open_flags, policy::Call& call) {
  if (e.effect == Effect::kExec) {
    call.exec = true;
    call.path = path;
    call.unreadable = policy::UnreadablePath(path);
    return;
  }
  switch (FileUseOf(e)) {
    case FileUse::kNone: return;
    case FileUse::kWrite: call.access = FileAccess::kWrite; break;
    case FileUse::kOpen:
      if (e.effect == Effect::kOpenByHandle) return;  // judged at exit: the path comes from the fd
      call.access = policy::OpenAccess(open_flags);
      break;
  }
  call.path = path;
  // rename and link: the second path is judged too; a symlink's text is not a path.
  const bool two = e.effect == Effect::kTwoPaths;
  if (two) call.path2 = path2;
  call.unreadable = policy::UnreadablePath(path) || (two && policy::UnreadablePath(path2));
}

NetKind NetKindOf(Effect e, bool has_addr) {
  switch (e) {
    case Effect::kConnect: return NetKind::kOutbound;
    case Effect::kSendto:
    case Effect::kSendmsg:
    case Effect::kSendmmsg: return has_addr ? NetKind::kOutbound : NetKind::kNone;
    case Effect::kBind: return NetKind::kBind;
    case Effect::kAccept: return NetKind::kAccept;
    default: return NetKind::kNone;
  }
}

}  // namespace warden::supervisor
