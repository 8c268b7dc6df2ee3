// `warden verify`: recorded runs (their items, learn/items.h) checked
// against an expected profile (expected.h).
//
//  - observation rate: the expected items that are not optional and were
//    observed, over all expected items that are not optional (1 when there
//    are none); overall, per kind and per tag;
//  - missing: the expected items (not optional) that were not observed;
//  - unexpected: the observed items that match no expected item, optional
//    ones included;
//  - lost events: what the runs could not record.
//
// Status (the worst that applies):
//  - critical: rate < critical_below;
//  - warning:  rate < the warning threshold, the higher of warn_below and
//              the profile's min_observation_rate (a profile can make the
//              check stricter, the command line cannot loosen it); or any
//              event lost; or an unexpected item when the profile says
//              fail_on_unexpected;
//  - ok otherwise.
#ifndef WARDEN_VERIFY_VERIFY_H_
#define WARDEN_VERIFY_VERIFY_H_

#include <cstdint>
#include <string>
#include <vector>

#include "learn/items.h"
#include "verify/expected.h"

namespace warden::verify {

struct VerifyOptions {
  double warn_below = 0.8;
  double critical_below = 0.5;
};

struct Rate {
  int64_t expected = 0;  // expected items that are not optional
  int64_t observed = 0;  // those of them observed
  double value() const { return expected ? static_cast<double>(observed) / expected : 1.0; }
};

struct KindRate {
  learn::Kind kind;
  Rate rate;
};

struct TagRate {
  std::string tag;
  Rate rate;
};

struct Unexpected {
  learn::Kind kind;
  std::string program, target;
  int64_t count = 0;
  int64_t first_ns = 0;
};

enum class Status { kOk, kWarning, kCritical };
std::string_view StatusName(Status s);  // "ok", "warning", "critical"

struct Report {
  std::string service;
  Rate overall;
  std::vector<KindRate> by_kind;  // the kinds of the required items, in kAllKinds order
  std::vector<TagRate> by_tag;    // tags in name order; untagged items are in none
  Rate optional;                  // optional items: how many, how many observed
  std::vector<ExpectedItem> missing;       // profile order
  std::vector<Unexpected> unexpected;      // the order of the observed items
  std::vector<learn::RunRef> runs;
  uint64_t lost_events = 0;
  // What decided the status.
  double warn_below = 0, critical_below = 0;
  bool fail_on_unexpected = false;
  Status status = Status::kOk;
  std::vector<std::string> findings;  // one sentence per reason, worst first
};

Report Verify(const ExpectedProfile& profile, const learn::ItemSet& observed, const VerifyOptions& options);

// 0 ok, 1 warning, 3 critical (2 is left for bad input).
int ExitCode(Status s);

}  // namespace warden::verify

#endif  // WARDEN_VERIFY_VERIFY_H_
