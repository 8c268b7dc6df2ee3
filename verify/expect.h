// `warden expect`: an expected profile (expected.h) from the items of
// recorded runs (learn/items.h), one expected item per item, in the same
// order, so the same runs always give the same bytes. The item's target is
// already a glob; its program is written as the glob of exactly that path
// (learn::LiteralGlob).
#ifndef WARDEN_VERIFY_EXPECT_H_
#define WARDEN_VERIFY_EXPECT_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "learn/items.h"
#include "verify/expected.h"

namespace warden::verify {

// `--tag NAME=GLOB`: items whose path or peer matches GLOB (policy/glob.h),
// or whose program does (as a policy rule's `program`), get tag NAME. The
// first rule that matches wins.
struct TagRule {
  std::string name;
  std::string glob;
};
// "NAME=GLOB"; InvalidArgument for a missing '=', an empty name or glob, a
// bad glob.
absl::StatusOr<TagRule> ParseTagRule(std::string_view text);

struct ExpectOptions {
  std::string service;         // "" : the base name of the first program executed
  Coverage coverage;
  std::vector<TagRule> tags;
  std::vector<std::string> optional;  // `--optional GLOB`: matching items are optional
  std::string warden_version;
};

ExpectedProfile MakeExpected(const learn::ItemSet& set, const ExpectOptions& options);

// The time an expected profile says it was generated: the end of the newest
// run (or its last observation when it has not ended), not the wall clock,
// so the same runs give the same bytes. RFC 3339, milliseconds.
std::string GeneratedTime(const learn::ItemSet& set);

// The base name of the program the runs executed first ("make" for
// `warden run -- make`), or "service" when nothing was executed.
std::string DefaultService(const learn::ItemSet& set);

}  // namespace warden::verify

#endif  // WARDEN_VERIFY_EXPECT_H_
