// `warden harden --check`: the workload run again inside the hardened tree,
// under warden, and compared with the recorded run the tree was made from.
//
// A hardened tree breaks a program in one way: a file it needs is not
// there. So besides the exit status, the check lists every file that a
// process of the check run looked for in the hardened tree and did not
// find (ENOENT) although the original run found it, or the source root has
// it. The second case matters most: it is the file the coverage run never
// reached, which only the check run shows, and which the keep file must
// add. Lookups that failed in the source too (a loader probing its search
// path, a program trying optional configuration) are not listed.
#ifndef WARDEN_HARDEN_CHECK_H_
#define WARDEN_HARDEN_CHECK_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace warden::harden {

struct RunStatus {
  int64_t run = 0;
  std::optional<int> exit_code, exit_signal;  // both unset: the run did not end
  std::string Text() const;  // "exit 0", "signal 9 (SIGKILL)", "did not end"
  bool operator==(const RunStatus& o) const {
    return exit_code == o.exit_code && exit_signal == o.exit_signal;
  }
};

struct MissingFile {
  std::string path;     // a root path of the hardened tree
  std::string program;  // the program that looked for it (first seen)
  bool found_before = false;  // the original run found it
  bool in_source = false;     // the source root has it
};

// A directory the check run listed in the hardened tree that lacks
// entries the source root's has. Programs that find files in a listing
// (python's imports) look up no missing name, so nothing fails by ENOENT:
// when the check differs, these are where to look.
struct ThinnedDir {
  std::string path;
  uint64_t dropped = 0;  // entries of the source's directory not in OUT's
};

struct CheckReport {
  std::string out;
  RunStatus original, hardened;
  std::vector<MissingFile> missing;  // sorted by path
  std::vector<ThinnedDir> thinned;   // sorted by path; needs the source root
  bool Same() const { return original == hardened && missing.empty(); }
};

struct CheckInput {
  std::string original_db;
  std::vector<int64_t> runs;  // the original runs; empty: the latest
  std::string source_root;    // "": not given (only the original run counts)
  std::string run_root;       // the root the original run ran in (observed.h)
  std::string out;            // the hardened tree (a real path)
  std::string check_db;       // the check run's database (its latest run)
};

// Errors: those of opening either database or finding its runs.
absl::StatusOr<CheckReport> CompareCheck(const CheckInput& in);

std::string CheckText(const CheckReport& r);
std::string CheckJson(const CheckReport& r);

}  // namespace warden::harden

#endif  // WARDEN_HARDEN_CHECK_H_
