// The expected profile (warden-expect(5)): what a service is expected to do,
// written by `warden expect` from recorded runs, kept next to the image and
// checked by `warden verify`. A JSON document:
//
//   {
//     "schema_version": 1,
//     "service": "web",
//     "generated_from": {
//       "databases": ["warden.db"],
//       "runs": [{"db": "warden.db", "run": 3}],
//       "warden_version": "0.1.0",
//       "generated": "2026-11-23T10:00:00.000Z"
//     },
//     "coverage": {"min_observation_rate": 0.8, "fail_on_unexpected": true},
//     "items": [
//       {"kind": "file-read", "program": "/usr/bin/cat", "path": "/etc/hosts", "tag": "config"},
//       {"kind": "connect", "program": "/usr/bin/curl", "peer": "10.0.0.1:443", "optional": true}
//     ]
//   }
//
// Writing is deterministic: the same profile gives the same bytes (keys in
// a fixed order, items in the given order, one item per line).
#ifndef WARDEN_VERIFY_EXPECTED_H_
#define WARDEN_VERIFY_EXPECTED_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "learn/observation.h"

namespace warden::verify {

inline constexpr int kSchemaVersion = 1;

struct ExpectedItem {
  learn::Kind kind = learn::Kind::kFileRead;
  std::string program;  // a program pattern, as a policy rule's `program`
  std::string target;   // "path" (file kinds, exec) or "peer" (network kinds)
  bool optional = false;
  std::string tag;      // "" when untagged
};

struct SourceRun {
  std::string db;
  int64_t run = 0;
};

struct GeneratedFrom {
  std::vector<std::string> databases;
  std::vector<SourceRun> runs;
  std::string warden_version;
  std::string generated;  // RFC 3339
};

struct Coverage {
  double min_observation_rate = 0.8;
  bool fail_on_unexpected = true;
};

struct ExpectedProfile {
  std::string service;
  GeneratedFrom generated_from;
  Coverage coverage;
  std::vector<ExpectedItem> items;
};

// True for connect, listen and accept: their target is a "peer".
bool IsNetworkKind(learn::Kind k);

// The document, ending in a newline.
std::string WriteExpected(const ExpectedProfile& p);

// Parses a document; `name` (the file name) starts every error message.
// InvalidArgument: not JSON (with line and column), a schema version other
// than 1, a missing or mistyped field, an unknown kind or key, a bad glob
// or peer -- each saying what to fix.
absl::StatusOr<ExpectedProfile> ParseExpected(std::string_view text, std::string_view name);

// Reads and parses a file (NotFound / PermissionDenied when it cannot be
// read).
absl::StatusOr<ExpectedProfile> ReadExpected(const std::string& path);

}  // namespace warden::verify

#endif  // WARDEN_VERIFY_EXPECTED_H_
