// Writes a plan's kept paths from the source root into a new tree: file
// contents, modes, owners (when warden may set them), times, extended
// attributes and hard links (two kept names of one source inode stay one
// inode), symlinks as they are. The source is only read.
#ifndef WARDEN_HARDEN_COPY_TREE_H_
#define WARDEN_HARDEN_COPY_TREE_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "harden/plan.h"

namespace warden::harden {

struct CopyStats {
  uint64_t files = 0, dirs = 0, links = 0, hard_links = 0, others = 0;
  uint64_t bytes = 0;  // regular files' contents, once per inode
};

// `out` must not exist, or be an empty directory (`force`: any directory,
// whose entries are then left as they are and overwritten where kept).
absl::StatusOr<CopyStats> CopyTree(const std::string& root, const Plan& plan,
                                   const std::string& out, bool force);

// Files and bytes of a whole tree (not following symlinks), for the
// report's before/after.
CopyStats MeasureTree(const std::string& root);

}  // namespace warden::harden

#endif  // WARDEN_HARDEN_COPY_TREE_H_
