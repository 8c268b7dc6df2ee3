// The report page's inline style sheet and scripts (html.h).
#ifndef WARDEN_REPORT_ASSETS_H_
#define WARDEN_REPORT_ASSETS_H_

#include <string_view>

namespace warden::report {

extern const std::string_view kReportCss;
// In <head>: collects script errors and console.error calls into the
// #js-errors element (a test reads them from the rendered page).
extern const std::string_view kErrorCaptureJs;
// At the end of <body>: draws the charts from #report-data, makes the
// profile's tabs, and marks <body data-rendered="ok"> when done.
extern const std::string_view kReportJs;

}  // namespace warden::report

#endif  // WARDEN_REPORT_ASSETS_H_
