#include "report/html.h"

#include <algorithm>
#include <iterator>
#include <string>
#include <vector>

#include "fmt/format.h"
#include "forensics/output.h"
#include "forensics/timeparse.h"
#include "nlohmann/json.hpp"
#include "report/assets.h"

namespace warden::report {
namespace {

using Json = nlohmann::ordered_json;

constexpr std::string_view kOutcomeNames[] = {"ok", "failed", "killed", "unknown"};

std::string_view OutcomeName(Outcome o) { return kOutcomeNames[static_cast<int>(o)]; }

std::string Percent(int64_t part, int64_t whole) {
  return whole > 0 ? fmt::format("{:.1f}", 100.0 * static_cast<double>(part) / static_cast<double>(whole)) : "0";
}

// "+1.234 s": a time since the run started.
std::string Offset(int64_t ns) { return "+" + FormatDuration(ns); }

std::string Command(const std::string& argv_json) {
  return forensics::PrintableText(forensics::ArgvWords(argv_json));
}

class Page {
 public:
  std::string out;

  template <typename... Args>
  void Put(fmt::format_string<Args...> f, Args&&... args) {
    fmt::format_to(std::back_inserter(out), f, std::forward<Args>(args)...);
  }
  void Raw(std::string_view s) { out += s; }
  void Text(std::string_view s) { out += EscapeHtml(s); }

  // A table: the header cells (a leading '#' right-aligns a numeric column).
  void TableStart(std::string_view id, const std::vector<std::string_view>& heads) {
    Put("<table{}><thead><tr>", id.empty() ? "" : fmt::format(" id=\"{}\"", id));
    for (auto h : heads)
      if (h.starts_with('#')) Put("<th class=\"num\">{}</th>", EscapeHtml(h.substr(1)));
      else Put("<th>{}</th>", EscapeHtml(h));
    Raw("</tr></thead><tbody>\n");
  }
  void TableEnd(int64_t more, std::string_view what, int columns) {
    if (more > 0)
      Put("<tr class=\"more\"><td colspan=\"{}\">and {} more {}</td></tr>\n", columns, FormatCount(more), what);
    Raw("</tbody></table>\n");
  }
  void Empty(std::string_view what) { Put("<p class=\"none\">{}</p>\n", EscapeHtml(what)); }
};

std::string RunStatus(const ReportData& d) {
  std::string s = d.status;
  if (d.run.exit_signal) s += fmt::format(" · killed by signal {}", *d.run.exit_signal);
  else if (d.run.exit_code) s += fmt::format(" · exit {}", *d.run.exit_code);
  return s;
}

std::string_view StatusClass(const ReportData& d) {
  if (d.status != "finished") return "warn";
  if (d.run.exit_signal || (d.run.exit_code && *d.run.exit_code != 0)) return "bad";
  return "ok";
}

void Header(Page& p, const ReportData& d) {
  const std::string cmd = Command(d.run.argv_json);
  p.Put("<header class=\"top\"><div class=\"brand\">warden report</div>"
        "<h1>Run {} <code class=\"cmd\" title=\"{}\">{}</code></h1>"
        "<div class=\"status {}\" id=\"run-status\">{}</div></header>\n",
        d.run.id, EscapeHtml(cmd), EscapeHtml(cmd.size() > 120 ? cmd.substr(0, 117) + "..." : cmd),
        StatusClass(d), EscapeHtml(RunStatus(d)));
}

// A value longer than a number (a policy's name) is set smaller and may wrap.
void Card(Page& p, std::string_view id, std::string_view label, std::string_view value, std::string_view sub,
          std::string_view cls = "", std::optional<int64_t> data = std::nullopt) {
  p.Put("<div class=\"card {}\"><div class=\"k\">{}</div><div class=\"v{}\" id=\"{}\"{}>{}</div>"
        "<div class=\"sub\">{}</div></div>\n",
        cls, EscapeHtml(label), value.size() > 10 ? " word" : "", id,
        data ? fmt::format(" data-value=\"{}\"", *data) : "", EscapeHtml(value), EscapeHtml(sub));
}

void Summary(Page& p, const ReportData& d) {
  p.Raw("<section id=\"summary\" class=\"cards\">\n");
  Card(p, "duration", "Duration", FormatDuration(d.duration_ns), d.run.end_ns ? "start to end" : "to the last event recorded");
  Card(p, "process-count", "Processes", FormatCount(d.processes),
       fmt::format("{} thread{}", FormatCount(d.threads), d.threads == 1 ? "" : "s"), "", d.processes);
  Card(p, "event-count", "Events", FormatCount(d.events), "by kind: see Counts", "", d.events);
  const bool permissive = d.run.policy_mode == "permissive";
  Card(p, "denial-count", permissive ? "Would be denied" : "Policy denials", FormatCount(d.denials),
       fmt::format("of {} policy hit{}", FormatCount(d.policy_hits), d.policy_hits == 1 ? "" : "s"),
       d.denials > 0 ? "bad" : "", d.denials);
  Card(p, "lost-count", "Lost events", FormatCount(static_cast<int64_t>(d.run.lost_events)),
       d.run.lost_events ? "not recorded" : "none: the record is whole", d.run.lost_events ? "bad" : "",
       static_cast<int64_t>(d.run.lost_events));
  Card(p, "policy", "Policy", d.run.policy.empty() ? "none" : d.run.policy,
       d.run.policy_mode.empty() ? "record only" : d.run.policy_mode + " mode");
  p.Raw("</section>\n<section class=\"facts\"><dl>\n");
  auto fact = [&](std::string_view k, std::string_view v) {
    p.Put("<div><dt>{}</dt><dd>{}</dd></div>\n", EscapeHtml(k), EscapeHtml(v));
  };
  fact("command", Command(d.run.argv_json));
  fact("directory", d.cwd);
  fact("host", d.host);
  fact("started", forensics::FormatRfc3339Ms(d.run.start_ns));
  fact("ended", d.run.end_ns ? forensics::FormatRfc3339Ms(*d.run.end_ns) : "-");
  fact("recorded by", "warden " + d.warden_version);
  fact("database", fmt::format("{} (schema {})", d.db_name, d.schema_version));
  if (d.run.stops) fact("tracee stops", FormatCount(static_cast<int64_t>(*d.run.stops)));
  p.Raw("</dl></section>\n");
}

void ProcessTable(Page& p, const ReportData& d) {
  const Timeline& t = d.timeline;
  // Open for a reader without JavaScript; the script folds it under the chart.
  p.Put("<details class=\"table-wrap\" open><summary>{} table ({} row{})</summary>\n",
        t.grouped ? "Process group" : "Process", t.rows.size(), t.rows.size() == 1 ? "" : "s");
  p.TableStart("process-table", {"#pid", t.grouped ? "#processes" : "#ppid", "program", "command", "#start",
                                  "#duration", "status"});
  const size_t shown = std::min(t.rows.size(), kMaxProcessTable);
  for (size_t i = 0; i < shown; ++i) {
    const TimelineRow& r = t.rows[i];
    p.Put("<tr class=\"o-{}\"><td class=\"num\">{}</td><td class=\"num\">{}</td>"
          "<td class=\"prog\" style=\"padding-left:{}px\">{}</td><td class=\"cmdcell\">{}</td>"
          "<td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td></tr>\n",
          OutcomeName(r.outcome), r.pid, t.grouped ? FormatCount(r.count) : r.ppid ? std::to_string(*r.ppid) : "-",
          6 + 12 * std::min(r.depth, 16), EscapeHtml(r.exe.empty() ? "?" : r.exe), EscapeHtml(r.command),
          Offset(r.start_ns), r.ended ? FormatDuration(r.end_ns - r.start_ns) : "-", EscapeHtml(r.status));
  }
  int64_t more = static_cast<int64_t>(t.rows.size() - shown);
  p.TableEnd(more, "rows", 7);
  if (t.omitted > 0)
    p.Put("<p class=\"none\">{} more processes are not in the timeline (it shows {} rows at most).</p>\n",
          FormatCount(t.omitted), kMaxTimelineRows);
  p.Raw("</details>\n");
}

void Charts(Page& p, const ReportData& d) {
  p.Raw("<section id=\"activity\"><h2>Events over time</h2>\n");
  p.Put("<p class=\"hint\">Events per {} by kind, stacked; red marks: policy denials. Hover a bar for its "
        "counts.</p>\n",
        FormatDuration(d.activity.bin_ns));
  p.Raw("<div id=\"activity-chart\" class=\"chart\"></div><div id=\"activity-legend\" class=\"legend\"></div>\n"
        "<noscript><p class=\"none\">The charts are drawn by JavaScript; the tables hold the same "
        "data.</p></noscript>\n</section>\n");
  p.Put("<section id=\"timeline\"><h2>Processes</h2><p class=\"hint\">{}</p>\n",
        d.timeline.grouped
            ? "Too many processes for one bar each: one row per program under its parent, shaded by how many "
              "ran at once. Hover a row for details."
            : "One bar per process from start to exit, nested by parent. Hover a bar for its pid, program, "
              "command and exit status.");
  p.Put("<div id=\"timeline-chart\" class=\"chart\" data-rows=\"{}\"></div>\n", d.timeline.rows.size());
  ProcessTable(p, d);
  p.Raw("</section>\n");
}

void CountTable(Page& p, std::string_view id, std::string_view title, std::string_view what, const Counts& c) {
  p.Put("<div class=\"count-box\"><h3>{}</h3>\n", EscapeHtml(title));
  if (c.items.empty()) {
    p.Empty("none");
    p.Raw("</div>\n");
    return;
  }
  int64_t max = 0;
  for (const auto& [name, n] : c.items) max = std::max(max, n);
  p.TableStart(id, {what, "#count", ""});
  for (const auto& [name, n] : c.items)
    p.Put("<tr><td class=\"name k-{0}\">{0}</td><td class=\"num\">{1}</td><td class=\"bar\"><span "
          "style=\"width:{2}%\"></span></td></tr>\n",
          EscapeHtml(name), FormatCount(n), Percent(n, max));
  p.TableEnd(c.more_names, fmt::format("{} ({} events)", what == "syscall" ? "syscalls" : "names",
                                       FormatCount(c.more_count)),
             3);
  p.Raw("</div>\n");
}

void CountsSection(Page& p, const ReportData& d) {
  p.Raw("<section id=\"counts\"><h2>Counts</h2><div class=\"grid\">\n");
  CountTable(p, "by-kind", "Events by kind", "kind", d.by_kind);
  CountTable(p, "by-action", "Watched syscalls by verdict", "action", d.by_action);
  CountTable(p, "by-policy", "Policy hits by action", "action", d.by_policy_action);
  CountTable(p, "by-syscall", "Watched syscalls by name", "syscall", d.by_syscall);
  p.Raw("</div></section>\n");
}

void PolicySection(Page& p, const ReportData& d) {
  p.Raw("<section id=\"policy\"><h2>Policy hits</h2>\n");
  if (d.hits.empty()) {
    p.Empty(d.run.policy.empty() ? "The run had no policy (warden run --policy FILE judges the calls)."
                                  : "No call hit a rule or a default other than allow.");
    p.Raw("</section>\n");
    return;
  }
  p.Raw("<h3>By rule and action</h3>\n");
  p.TableStart("hits", {"rule", "category", "action", "#count", "#first"});
  for (const auto& h : d.hits)
    p.Put("<tr><td>{}</td><td>{}</td><td class=\"act-{}\">{}{}</td><td class=\"num\">{}</td><td "
          "class=\"num\">{}</td></tr>\n",
          EscapeHtml(h.rule.empty() ? "(default)" : h.rule), EscapeHtml(h.category), EscapeHtml(h.action),
          EscapeHtml(h.action), h.enforced ? "" : " (not enforced)", FormatCount(h.count), Offset(h.first_ns));
  p.TableEnd(d.more_hits, "rules", 5);
  if (!d.denial_log.empty()) {
    p.Put("<h3>Denials, in order{}</h3>\n", d.denials > static_cast<int64_t>(d.denial_log.size())
                                                ? fmt::format(" (the first {} of {})", d.denial_log.size(),
                                                              FormatCount(d.denials))
                                                : "");
    p.TableStart("denials", {"#time", "#pid", "program", "syscall", "target", "rule", "action"});
    for (const auto& x : d.denial_log)
      p.Put("<tr><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td><td>{}</td><td "
            "class=\"path\">{}</td><td>{}</td><td class=\"act-{}\">{}{}</td></tr>\n",
            Offset(x.ts_ns), x.pid, EscapeHtml(x.exe), EscapeHtml(x.syscall), EscapeHtml(x.target),
            EscapeHtml(x.rule.empty() ? "(default)" : x.rule), EscapeHtml(x.action), EscapeHtml(x.action),
            x.enforced ? "" : " (not enforced)");
    p.TableEnd(0, "", 7);
  }
  p.Raw("</section>\n");
}

// A long directory wraps after a '/', not inside a name.
std::string BreakAtSlashes(const std::string& html) {
  std::string out;
  for (char c : html) {
    out += c;
    if (c == '/' && out.size() > 1) out += "<wbr>";
  }
  return out;
}

void FilesPanel(Page& p, const FileClass& c) {
  p.Put("<div class=\"panel\" id=\"files-{0}\" data-tab=\"Files {0} ({1})\"><h3>Files {0}: {1} in {2} "
        "director{3}, {4} calls</h3>\n",
        c.name, FormatCount(c.files), FormatCount(static_cast<int64_t>(c.dirs.size()) + c.more_dirs),
        c.dirs.size() + c.more_dirs == 1 ? "y" : "ies", FormatCount(c.calls));
  if (c.dirs.empty()) {
    p.Empty("none");
  } else {
    p.TableStart("", {"directory", "#files", "#calls", "most used"});
    for (const auto& g : c.dirs) {
      std::vector<std::string> names;
      for (const auto& [name, n] : g.top) names.push_back(fmt::format("{} ({})", EscapeHtml(name), n));
      const int64_t rest = g.files - static_cast<int64_t>(g.top.size());
      p.Put("<tr><td class=\"path\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td "
            "class=\"names\">{}{}</td></tr>\n",
            BreakAtSlashes(EscapeHtml(g.dir)), FormatCount(g.files), FormatCount(g.calls), fmt::join(names, ", "),
            rest > 0 ? fmt::format(", and {} more", FormatCount(rest)) : "");
    }
    p.TableEnd(c.more_dirs, "directories", 4);
  }
  p.Raw("</div>\n");
}

std::string Programs(const std::vector<std::string>& programs) {
  std::string s = fmt::format("{}", fmt::join(programs.begin(), programs.begin() + std::min<size_t>(programs.size(), 5), ", "));
  if (programs.size() > 5) s += fmt::format(", and {} more", programs.size() - 5);
  return s;
}

void NetPanel(Page& p, std::string_view id, std::string_view title, const std::vector<profile::NetUse>& list) {
  p.Put("<div class=\"panel\" id=\"{}\" data-tab=\"{} ({})\"><h3>{}</h3>\n", id, title, list.size(), title);
  if (list.empty()) {
    p.Empty("none");
  } else {
    p.TableStart("", {"address", "#port", "family", "type", "#count", "programs"});
    const size_t shown = std::min(list.size(), kMaxListRows);
    for (size_t i = 0; i < shown; ++i) {
      const auto& u = list[i];
      p.Put("<tr><td class=\"path\">{}</td><td class=\"num\">{}</td><td>{}</td><td>{}</td><td "
            "class=\"num\">{}</td><td class=\"names\">{}</td></tr>\n",
            EscapeHtml(u.address), u.port ? std::to_string(*u.port) : "-", EscapeHtml(u.family),
            EscapeHtml(u.sock_type), FormatCount(u.count), EscapeHtml(Programs(u.programs)));
    }
    p.TableEnd(static_cast<int64_t>(list.size() - shown), "", 6);
  }
  p.Raw("</div>\n");
}

void ProfileSection(Page& p, const ReportData& d) {
  p.Raw("<section id=\"profile\"><h2>Runtime profile</h2>\n"
        "<p class=\"hint\">What the run used: successful calls only, as <code>warden profile</code> lists "
        "them.</p>\n<div class=\"tabs\" id=\"profile-tabs\"></div>\n");
  for (const auto& c : d.files) FilesPanel(p, c);
  const auto& progs = d.profile.programs;
  p.Put("<div class=\"panel\" id=\"programs\" data-tab=\"Programs ({0})\"><h3>Programs run: {0}</h3>\n",
        progs.size());
  if (progs.empty()) {
    p.Empty("none");
  } else {
    std::vector<const profile::ProgramRun*> sorted;
    for (const auto& r : progs) sorted.push_back(&r);
    std::stable_sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->count > b->count; });
    p.TableStart("", {"program", "#runs", "#first", "#last"});
    const size_t shown = std::min(sorted.size(), kMaxListRows);
    for (size_t i = 0; i < shown; ++i)
      p.Put("<tr><td class=\"path\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td "
            "class=\"num\">{}</td></tr>\n",
            EscapeHtml(sorted[i]->path), FormatCount(sorted[i]->count),
            Offset(sorted[i]->first_ns - d.run.start_ns), Offset(sorted[i]->last_ns - d.run.start_ns));
    p.TableEnd(static_cast<int64_t>(sorted.size() - shown), "programs", 4);
  }
  p.Raw("</div>\n");
  NetPanel(p, "listening", "Ports listened on", d.profile.listening);
  NetPanel(p, "accessed", "Peers accessed", d.profile.accessed);
  const auto& hosts = d.profile.hosts;
  p.Put("<div class=\"panel\" id=\"hosts\" data-tab=\"IP addresses ({0})\"><h3>IP addresses communicated "
        "with: {0}</h3>\n",
        hosts.size());
  if (hosts.empty()) {
    p.Empty("none");
  } else {
    p.TableStart("", {"address", "#outbound", "#inbound", "programs"});
    const size_t shown = std::min(hosts.size(), kMaxListRows);
    for (size_t i = 0; i < shown; ++i)
      p.Put("<tr><td class=\"path\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td "
            "class=\"names\">{}</td></tr>\n",
            EscapeHtml(hosts[i].address), FormatCount(hosts[i].outbound), FormatCount(hosts[i].inbound),
            EscapeHtml(Programs(hosts[i].programs)));
    p.TableEnd(static_cast<int64_t>(hosts.size() - shown), "addresses", 4);
  }
  p.Raw("</div>\n</section>\n");
}

std::string Rate(const verify::Rate& r) {
  return fmt::format("{:.0f}% ({} of {})", 100 * r.value(), r.observed, r.expected);
}

void ExpectSection(Page& p, const ReportData& d) {
  if (!d.expect) return;
  const verify::Report& r = d.expect->result;
  const std::string_view status = verify::StatusName(r.status);
  p.Put("<section id=\"verify\"><h2>Against the expected profile</h2>\n"
        "<p class=\"hint\">{} checked as <code>warden verify</code> does{}.</p>\n"
        "<div class=\"cards\"><div class=\"card {}\"><div class=\"k\">Verify status</div><div class=\"v\" "
        "id=\"verify-status\">{}</div><div class=\"sub\">warn below {:.0f}%, critical below {:.0f}%</div></div>\n"
        "<div class=\"card\"><div class=\"k\">Observation rate</div><div class=\"v\" id=\"verify-rate\">{:.0f}%</div>"
        "<div class=\"sub\">{} of {} expected items seen</div></div>\n"
        "<div class=\"card {}\"><div class=\"k\">Missing</div><div class=\"v\" id=\"verify-missing\">{}</div>"
        "<div class=\"sub\">expected, not seen</div></div>\n"
        "<div class=\"card {}\"><div class=\"k\">Unexpected</div><div class=\"v\" id=\"verify-unexpected\">{}</div>"
        "<div class=\"sub\">seen, not expected</div></div></div>\n",
        EscapeHtml(d.expect->file), r.service.empty() ? "" : fmt::format(" (service {})", EscapeHtml(r.service)),
        r.status == verify::Status::kOk ? "ok" : r.status == verify::Status::kWarning ? "warn" : "bad", status,
        100 * r.warn_below, 100 * r.critical_below, 100 * r.overall.value(), r.overall.observed, r.overall.expected,
        r.missing.empty() ? "" : "warn", r.missing.size(), r.unexpected.empty() ? "" : "warn", r.unexpected.size());
  for (const auto& f : r.findings) p.Put("<p class=\"finding\">{}</p>\n", EscapeHtml(f));
  if (!r.by_kind.empty()) {
    p.TableStart("", {"kind", "rate"});
    for (const auto& k : r.by_kind)
      p.Put("<tr><td>{}</td><td>{}</td></tr>\n", learn::KindName(k.kind), Rate(k.rate));
    p.TableEnd(0, "", 2);
  }
  auto list = [&](std::string_view title, size_t n, auto&& row) {
    p.Put("<h3>{} ({})</h3>\n", title, n);
    if (n == 0) return p.Empty("none");
    p.TableStart("", {"kind", "program", "target"});
    const size_t shown = std::min(n, kMaxListRows);
    for (size_t i = 0; i < shown; ++i) row(i);
    p.TableEnd(static_cast<int64_t>(n - shown), "", 3);
  };
  list("Missing", r.missing.size(), [&](size_t i) {
    const auto& m = r.missing[i];
    p.Put("<tr><td>{}</td><td class=\"path\">{}</td><td class=\"path\">{}</td></tr>\n", learn::KindName(m.kind),
          EscapeHtml(m.program), EscapeHtml(m.target));
  });
  list("Unexpected", r.unexpected.size(), [&](size_t i) {
    const auto& u = r.unexpected[i];
    p.Put("<tr><td>{}</td><td class=\"path\">{}</td><td class=\"path\">{}</td></tr>\n", learn::KindName(u.kind),
          EscapeHtml(u.program), EscapeHtml(u.target));
  });
  p.Raw("</section>\n");
}

// What the script draws from: times in ns since the run started.
std::string DataJson(const ReportData& d) {
  Json j;
  j["run"] = d.run.id;
  j["duration_ns"] = d.duration_ns;
  j["bin_ns"] = d.activity.bin_ns;
  Json kinds = Json::array(), activity = Json::object();
  for (int k = 0; k < kKindCount; ++k) {
    kinds.push_back(kKindNames[k]);
    activity[std::string(kKindNames[k])] = d.activity.by_kind[static_cast<size_t>(k)];
  }
  j["kinds"] = std::move(kinds);
  j["activity"] = std::move(activity);
  j["denials"] = d.activity.denials;
  Json marks = Json::array();  // the denial log's [pid, time], for the timeline's rows
  for (const auto& x : d.denial_log) marks.push_back({x.pid, x.ts_ns});
  j["denial_marks"] = std::move(marks);
  Json rows = Json::array();
  for (const auto& r : d.timeline.rows) {
    Json row = {{"d", r.depth}, {"n", r.count}, {"pid", r.pid}, {"exe", r.exe}, {"cmd", r.command},
                {"s", r.start_ns}, {"e", r.end_ns}, {"ended", r.ended}, {"st", r.status},
                {"o", OutcomeName(r.outcome)}};
    if (r.count > 1) {
      row["failed"] = r.failed;
      row["busy"] = r.busy;
    }
    rows.push_back(std::move(row));
  }
  j["timeline"] = {{"grouped", d.timeline.grouped}, {"omitted", d.timeline.omitted}, {"rows", std::move(rows)}};
  return ScriptSafeJson(j.dump(-1, ' ', false, Json::error_handler_t::replace));
}

}  // namespace

std::string EscapeHtml(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string ScriptSafeJson(std::string_view json) {
  std::string out;
  out.reserve(json.size());
  for (char c : json) {
    switch (c) {
      case '<': out += "\\u003c"; break;
      case '>': out += "\\u003e"; break;
      case '&': out += "\\u0026"; break;
      default: out += c;
    }
  }
  return out;
}

std::string FormatDuration(int64_t ns) {
  const double v = static_cast<double>(ns);
  if (ns < 1000) return fmt::format("{} ns", ns);
  if (ns < 1000000) return fmt::format("{:.3g} us", v / 1e3);
  if (ns < 1000000000) return fmt::format("{:.3g} ms", v / 1e6);
  if (ns < int64_t{60} * 1000000000) return fmt::format("{:.3g} s", v / 1e9);
  const int64_t s = ns / 1000000000;
  if (s < 3600) return fmt::format("{} min {} s", s / 60, s % 60);
  return fmt::format("{} h {} min", s / 3600, s % 3600 / 60);
}

std::string FormatCount(int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

std::string RenderHtml(const ReportData& d) {
  Page p;
  const std::string cmd = Command(d.run.argv_json);
  p.Put("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        "<title>warden report: run {} ({})</title>\n<style>\n",
        d.run.id, EscapeHtml(cmd.size() > 60 ? cmd.substr(0, 57) + "..." : cmd));
  p.Raw(kReportCss);
  p.Raw("</style>\n<script>\n");
  p.Raw(kErrorCaptureJs);
  p.Raw("</script>\n</head>\n<body>\n");
  Header(p, d);
  p.Raw("<main>\n");
  Summary(p, d);
  Charts(p, d);
  CountsSection(p, d);
  PolicySection(p, d);
  ProfileSection(p, d);
  ExpectSection(p, d);
  p.Raw("</main>\n<footer>Written by <code>warden report</code> from the recorded database; every number "
        "here can be asked again with <code>warden query</code> and <code>warden profile</code>.</footer>\n"
        "<pre id=\"js-errors\" hidden></pre>\n<script type=\"application/json\" id=\"report-data\">");
  p.Raw(DataJson(d));
  p.Raw("</script>\n<script>\n");
  p.Raw(kReportJs);
  p.Raw("</script>\n</body>\n</html>\n");
  return std::move(p.out);
}

}  // namespace warden::report
