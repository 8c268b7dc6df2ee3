#include "verify/report.h"

#include <algorithm>

#include "fmt/format.h"
#include "forensics/output.h"
#include "forensics/timeparse.h"
#include "store/json.h"

namespace warden::verify {
namespace {

// Right-aligned, so that a column of rates lines up on the point.
std::string Percent(const Rate& r) { return fmt::format("{:>6.1f}%", r.value() * 100); }

// Text safe for a terminal: the one escaper every text output uses.
std::string Printable(std::string_view s) { return forensics::PrintableText(s); }

// Rows of cells as columns two spaces apart, each line indented by two.
std::string Table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width;
  for (const auto& row : rows)
    for (size_t c = 0; c < row.size(); ++c) {
      width.resize(std::max(width.size(), row.size()));
      width[c] = std::max(width[c], row[c].size());
    }
  std::string out;
  for (const auto& row : rows) {
    std::string line = " ";
    for (size_t c = 0; c < row.size(); ++c)
      line += " " + (c + 1 == row.size() ? row[c] : fmt::format("{:<{}}", row[c], width[c]) + " ");
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

std::string RateRow(const Rate& r) { return fmt::format("{} of {}", r.observed, r.expected); }

std::string TextRates(const Report& r) {
  std::vector<std::vector<std::string>> rows = {{"overall", Percent(r.overall), RateRow(r.overall)}};
  for (const auto& k : r.by_kind) rows.push_back({std::string(learn::KindName(k.kind)), Percent(k.rate), RateRow(k.rate)});
  for (const auto& t : r.by_tag) rows.push_back({"tag " + Printable(t.tag), Percent(t.rate), RateRow(t.rate)});
  std::string out = "\nobservation rate (expected items observed; optional items not counted):\n" + Table(rows);
  if (r.optional.expected)
    out += fmt::format("  optional items: {} of {} observed\n", r.optional.observed, r.optional.expected);
  return out;
}

std::string TextItems(const Report& r) {
  std::string out = fmt::format("\nmissing: expected, not observed ({}):\n", r.missing.size());
  std::vector<std::vector<std::string>> rows;
  for (const auto& m : r.missing)
    rows.push_back({std::string(learn::KindName(m.kind)), Printable(m.program), Printable(m.target),
                    m.tag.empty() ? "" : "tag " + Printable(m.tag)});
  out += rows.empty() ? "  (none)\n" : Table(rows);
  out += fmt::format("\nunexpected: observed, not expected ({}):\n", r.unexpected.size());
  rows = {{"kind", "program", "path/peer", "count", "first_seen"}};
  for (const auto& u : r.unexpected)
    rows.push_back({std::string(learn::KindName(u.kind)), Printable(u.program), Printable(u.target),
                    std::to_string(u.count), forensics::FormatRfc3339Ms(u.first_ns)});
  out += r.unexpected.empty() ? "  (none)\n" : Table(rows);
  return out;
}

}  // namespace

std::string ReportText(const Report& r, std::string_view expect_file) {
  std::string out = fmt::format("service {}, expected profile {}\n", Printable(r.service), Printable(expect_file));
  out += fmt::format("status: {}\n", StatusName(r.status));
  for (const auto& f : r.findings) out += "  - " + Printable(f) + "\n";
  out += fmt::format("thresholds: critical below {:.1f}%, warning below {:.1f}%, unexpected items {}\n",
                     r.critical_below * 100, r.warn_below * 100, r.fail_on_unexpected ? "fail" : "are listed only");
  out += TextRates(r) + TextItems(r);
  out += fmt::format("\nruns ({}), {} event{} lost:\n", r.runs.size(), r.lost_events, r.lost_events == 1 ? "" : "s");
  std::vector<std::vector<std::string>> rows;
  for (const auto& run : r.runs)
    rows.push_back({Printable(run.db), fmt::format("run {}", run.run), forensics::FormatRfc3339Ms(run.start_ns),
                    fmt::format("lost {}", run.lost_events)});
  return out + (rows.empty() ? "  (none)\n" : Table(rows));
}

}  // namespace warden::verify
