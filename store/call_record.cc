// A CallRecord's parts as the event structs the writer stores: the text of
// the arguments and flags is made here, on the writer's thread.
#include "fmt/format.h"
#include "store/events.h"

namespace warden::store {
namespace {

// What every part of one call says alike: when, who, what came of it and
// the verdict. Every part struct has these fields.
template <typename Part>
Part Stamped(Part ev, const CallRecord& c) {
  ev.ts_ns = c.ts_ns;
  ev.pid = c.pid;
  ev.exe = c.exe;
  ev.result = c.result;
  ev.err = c.err;
  ev.action = std::string(c.action);
  ev.rule = c.rule;
  return ev;
}

std::string CallName(const CallRecord& c) {
  return c.def ? std::string(c.def->name) : fmt::format("syscall_{:#x}", c.nr);
}

}  // namespace

SyscallEvent SyscallPart(const CallRecord& c) {
  SyscallEvent ev;
  ev.abi = std::string(syscalls::AbiName(c.args.abi));
  ev.nr = c.nr;
  ev.name = CallName(c);
  if (c.def != nullptr) ev.args = syscalls::FormatArgs(*c.def, c.args);
  return Stamped(std::move(ev), c);
}

FileEvent FilePart(const CallRecord& c) {
  const CallRecord::File& f = *c.file;
  FileEvent ev;
  ev.syscall = std::string(f.syscall);
  ev.path = f.path;
  ev.op = std::string(f.op);
  ev.flags = f.flags_text ? f.flags_text(f.flags) : std::string();
  ev.path2 = f.path2;
  ev.named = f.named;
  return Stamped(std::move(ev), c);
}

ExecEvent ExecPart(const CallRecord& c) { return Stamped(*c.exec, c); }

NetEvent NetPart(const CallRecord& c) { return Stamped(*c.net, c); }

PolicyEvent HitPart(const CallRecord& c, const std::string& args) {
  PolicyEvent ev;
  ev.abi = std::string(syscalls::AbiName(c.args.abi));
  ev.nr = c.nr;
  ev.syscall = CallName(c);
  ev.args = args;
  ev.mode = std::string(c.hit->mode);
  ev.enforced = c.hit->enforced;
  ev.category = c.hit->category;
  ev.target = c.hit->target;
  return Stamped(std::move(ev), c);
}

}  // namespace warden::store
