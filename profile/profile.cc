#include "profile/profile.h"

namespace warden::profile {

FileClass FileClassOf(std::string_view op) {
  if (op == "read") return FileClass::kRead;
  if (op == "exec") return FileClass::kExecuted;
  for (std::string_view w : kWrittenOps)
    if (op == w) return FileClass::kWritten;
  return FileClass::kNone;
}

std::string RunStatus(const learn::RunRef& run) {
  if (run.end_ns) return "finished";
  if (run.interrupted) return "interrupted (warden died)";
  if (run.processes == 0) return "not started";
  return "in progress";
}

}  // namespace warden::profile
