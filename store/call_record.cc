// A CallRecord's parts as the event structs the writer stores: the text of
// the arguments and flags is made here, on the writer's thread.
#include "fmt/format.h"
#include "store/events.h"

namespace warden::store {

SyscallEvent SyscallPart(const CallRecord& c) {
  SyscallEvent ev;
  ev.ts_ns = c.ts_ns;
  ev.pid = c.pid;
  ev.exe = c.exe;
  ev.abi = std::string(syscalls::AbiName(c.args.abi));
  ev.nr = c.nr;
  ev.name = c.def ? std::string(c.def->name) : fmt::format("syscall_{:#x}", c.nr);
  if (c.def != nullptr) ev.args = syscalls::FormatArgs(*c.def, c.args);
  ev.result = c.result;
  ev.err = c.err;
  ev.action = std::string(c.action);
  ev.rule = c.rule;
  return ev;
}

FileEvent FilePart(const CallRecord& c) {
  const CallRecord::File& f = *c.file;
  return FileEvent{c.ts_ns,
                   c.pid,
                   c.exe,
                   std::string(f.syscall),
                   f.path,
                   std::string(f.op),
                   f.flags_text ? f.flags_text(f.flags) : std::string(),
                   c.result,
                   c.err,
                   f.path2,
                   std::string(c.action),
                   c.rule};
}

ExecEvent ExecPart(const CallRecord& c) {
  ExecEvent ev = *c.exec;
  ev.ts_ns = c.ts_ns;
  ev.pid = c.pid;
  ev.exe = c.exe;
  ev.result = c.result;
  ev.err = c.err;
  ev.action = std::string(c.action);
  ev.rule = c.rule;
  return ev;
}

NetEvent NetPart(const CallRecord& c) {
  NetEvent ev = *c.net;
  ev.ts_ns = c.ts_ns;
  ev.pid = c.pid;
  ev.exe = c.exe;
  ev.result = c.result;
  ev.err = c.err;
  ev.action = std::string(c.action);
  ev.rule = c.rule;
  return ev;
}

PolicyEvent HitPart(const CallRecord& c, const std::string& args) {
  PolicyEvent ev;
  ev.ts_ns = c.ts_ns;
  ev.pid = c.pid;
  ev.exe = c.exe;
  ev.abi = std::string(syscalls::AbiName(c.args.abi));
  ev.nr = c.nr;
  ev.syscall = c.def ? std::string(c.def->name) : fmt::format("syscall_{:#x}", c.nr);
  ev.args = args;
  ev.action = std::string(c.action);
  ev.rule = c.rule;
  ev.mode = std::string(c.hit->mode);
  ev.enforced = c.hit->enforced;
  ev.category = c.hit->category;
  ev.target = c.hit->target;
  ev.result = c.result;
  ev.err = c.err;
  return ev;
}

}  // namespace warden::store
