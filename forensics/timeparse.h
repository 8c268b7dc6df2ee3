// Points in time as users type them on the command line (`warden query
// timeline --from T --to T`), and the RFC 3339 form the query and profile
// outputs print. Times are nanoseconds since the Unix epoch, as recorded.
#ifndef WARDEN_FORENSICS_TIMEPARSE_H_
#define WARDEN_FORENSICS_TIMEPARSE_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace warden::forensics {

// Parses one of:
//   - RFC 3339: "2026-11-23T10:00:00Z", "2026-11-23T10:00:00.250+01:00"
//     ('t', 'z' and a space for 'T' are accepted too; fractions of up to 9
//     digits are used, further digits are dropped), or a bare date
//     "2026-11-23" (midnight UTC);
//   - relative to `now_ns`: "now", "90s ago", "5m ago", "1h ago", "2d ago",
//     "1w ago", "1h30m ago", or a duration alone ("1h", "30m", "7d": that
//     long ago) (units: ms, s, m, h, d, w and their long forms
//     sec/second(s), min/minute(s), hour(s), day(s), week(s));
//   - nanoseconds since the epoch: "1795465469006954192".
// Anything else (or an impossible date such as 2026-02-30) is an
// InvalidArgument error that shows the accepted forms.
absl::StatusOr<int64_t> ParseTimeNs(std::string_view text, int64_t now_ns);

// A duration ("72h", "30m", "7d", "2w", "1h30m") as the time that long
// before `now_ns` (--older-than); InvalidArgument with the accepted forms.
absl::StatusOr<int64_t> ParseDurationAgo(std::string_view duration, int64_t now_ns);

// CLOCK_REALTIME in nanoseconds.
int64_t NowNs();

// "2026-11-23T10:00:00.123Z": UTC, with `digits` (0-9) fractional digits,
// truncated, not rounded. Ms: 3 digits; Us: 6.
std::string FormatRfc3339(int64_t ns, int digits);
inline std::string FormatRfc3339Ms(int64_t ns) { return FormatRfc3339(ns, 3); }
inline std::string FormatRfc3339Us(int64_t ns) { return FormatRfc3339(ns, 6); }

}  // namespace warden::forensics

#endif  // WARDEN_FORENSICS_TIMEPARSE_H_
