// What a hardened tree keeps of a source root, and why: the paths the
// recorded runs used, every symlink on the way to them, their parent
// directories, the dynamic loader and the DT_NEEDED closure of every kept
// ELF file, the defaults a service needs, and what the keep file adds.
// Pure of output: the plan is made by reading the source root only.
#ifndef WARDEN_HARDEN_PLAN_H_
#define WARDEN_HARDEN_PLAN_H_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "harden/keep_file.h"

namespace warden::harden {

enum class Why : uint8_t {
  kObserved,       // a run used it
  kLinkOnTheWay,   // a symlink on the way to a kept path
  kElfDependency,  // the interpreter or a DT_NEEDED library of a kept ELF file
  kDefault,        // a default a service needs (DefaultSet)
  kKeepFile,       // a line of the keep file
  kKeepDirOf,      // under a directory named by --keep-dir-of
  kParent,         // a directory on the way to a kept path
  kListed,         // an entry of a directory a run listed
};
std::string_view WhyName(Why w);

struct Kept {
  Why why = Why::kObserved;
  std::string from;  // the kept path that brought it ("" for observed, default, keep file)
};

// The defaults, each switchable (warden(1), HARDEN).
struct DefaultSet {
  bool users = true;     // /etc/passwd, /etc/group
  bool nss = true;       // /etc/nsswitch.conf and the libnss_*.so.2 modules it names
  bool hosts = true;     // /etc/hosts, /etc/resolv.conf
  bool ca = true;        // the CA bundle (/etc/ssl/certs/ca-certificates.crt, its links)
  bool tmp = true;       // /tmp (its mode, 1777, comes with it)
  bool tz = false;       // /etc/localtime, /etc/timezone and /usr/share/zoneinfo
};

struct PlanInput {
  std::string root;                   // the source root, a directory
  std::vector<std::string> observed;  // root paths the runs used (files, names as written)
  std::vector<std::string> listed;    // directories the runs listed: their entries are kept
  KeepFile keep;
  std::vector<std::string> keep_dir_of;  // globs of directories kept whole
  DefaultSet defaults;
};

struct Plan {
  std::map<std::string, Kept> kept;  // root path -> why (sorted: parents first)
  // What a kept file needs and the root does not have (a library no
  // directory holds): reported, not fatal.
  std::vector<std::string> missing;
};

absl::StatusOr<Plan> MakePlan(const PlanInput& in);

}  // namespace warden::harden

#endif  // WARDEN_HARDEN_PLAN_H_
