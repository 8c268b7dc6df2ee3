// A run's report (model.h) as one self-contained HTML page: styles, script
// and data inline, nothing fetched. The summary, the tables and the
// profile are HTML (readable without JavaScript); the script draws the
// process timeline and the activity chart as SVG from the JSON data the
// page carries. The same data gives the same bytes.
#ifndef WARDEN_REPORT_HTML_H_
#define WARDEN_REPORT_HTML_H_

#include <string>
#include <string_view>

#include "report/model.h"

namespace warden::report {

std::string RenderHtml(const ReportData& data);

// Text for HTML content and attribute values: & < > " ' escaped.
std::string EscapeHtml(std::string_view text);
// JSON text made safe inside <script>: every '<', '>' and '&' (which JSON
// has only inside strings) as \u003c, \u003e, \u0026, so that neither
// "</script>" nor "<!--" can end or change the element.
std::string ScriptSafeJson(std::string_view json);

// "850 us", "12.3 ms", "4.56 s", "3 min 20 s", "2 h 5 min".
std::string FormatDuration(int64_t ns);
// 1234567 -> "1,234,567".
std::string FormatCount(int64_t n);

}  // namespace warden::report

#endif  // WARDEN_REPORT_HTML_H_
