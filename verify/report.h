// A verify report (verify.h) as text for a person or JSON for a program.
// Both are complete: status and findings, rates overall / per kind / per
// tag, missing and unexpected items, the runs and what they lost.
#ifndef WARDEN_VERIFY_REPORT_H_
#define WARDEN_VERIFY_REPORT_H_

#include <string>

#include "verify/verify.h"

namespace warden::verify {

// `expect_file`: the expected profile's file name, named in the header.
std::string ReportText(const Report& r, std::string_view expect_file);
// One JSON object, ending in a newline (times RFC 3339, rates 0..1).
std::string ReportJson(const Report& r, std::string_view expect_file);

}  // namespace warden::verify

#endif  // WARDEN_VERIFY_REPORT_H_
