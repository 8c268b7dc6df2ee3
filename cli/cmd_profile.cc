// `warden profile [--db PATH]... [--run ID]... [--from T] [--to T]
// [--format text|json]`: the runtime profile of recorded runs
// (profile/profile.h), read through an event source (learn/event_source.h):
// what they read, wrote and executed, the programs they ran, their ports
// and peers, and whether recording has finished. Several runs: their union.
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "cli/default_db.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "cli/option_table.h"
#include "cli/source.h"
#include "fmt/format.h"
#include "forensics/output.h"
#include "forensics/timeparse.h"
#include "learn/event_source.h"
#include "profile/profile_builder.h"
#include "store/json.h"

namespace warden::cli {
namespace {

using profile::Profile;

constexpr std::string_view kProfileUsage =
    R"usage(usage: warden profile [--db PATH]... [--run ID]... [--from T] [--to T] [--format text|json]
The runtime profile of recorded runs: files read, written and executed (each
with a count, first and last seen, and the programs that did it), programs
run, ports listened on, ports and addresses accessed, IP addresses
communicated with, and the profiling status: "not started" (no process
recorded yet), "in progress" (the run has not ended), "interrupted (warden
died)" or "finished". Of several runs (replicas of one service, restarts),
the profile of their union: counts summed, first seen the earliest, last seen
the latest, programs merged; the head lists each run.
  --db PATH          database written by `warden run` (default: see warden(1), FILES);
                     repeat for several files; opened read-only, never changed
  --pg URL           instead of --db: the runs shipped to PostgreSQL (warden ship)
  --select K=V,...   with --pg: the runs whose labels include these
  --run ID           a run of each database (repeatable; default: the latest
                     run, or with --from/--to every run with events inside)
  --from T, --to T   only events inside the window (RFC 3339, "2h ago", ...)
  --format F         text (sections of aligned columns; the default) or json
                     (one object)

Only successful calls count: errno 0 and a result of 0 or more, or no
result recorded (`warden run --no-results`); a non-blocking connect that
returned EINPROGRESS counts as accessed. Files read: op read; written: write,
create, truncate, unlink, rmdir, mkdir, rename, link, symlink, chmod, chown,
utime, mknod; executed: exec. Ports listened on: listen, and bind to a port
other than 0 (and AF_UNIX binds). Accessed: outbound connect, sendto and
sendmsg peers. IP addresses: IPv4 and IPv6 peers in either direction.
Times are RFC 3339 UTC with milliseconds.
Exit status: 0; 2 for a usage error, or a database that is missing, not a
warden database or without the run; 1 when the output cannot be written.
)usage";

std::string Time(int64_t ns) { return forensics::FormatRfc3339Ms(ns); }

std::string Programs(const std::vector<std::string>& programs) { return fmt::format("{}", fmt::join(programs, ", ")); }

std::string JsonPrograms(const std::vector<std::string>& programs) {
  std::string out = "[";
  for (size_t i = 0; i < programs.size(); ++i) out += (i ? "," : "") + store::JsonQuote(programs[i]);
  return out + "]";
}

std::string JsonOpt(const std::optional<int64_t>& v) { return v ? std::to_string(*v) : "null"; }

// One section of the text output: a title with the count, then an aligned
// table indented by two spaces, or "(none)".
void Section(std::ostream& out, std::string_view title, const std::vector<std::string>& columns,
             const std::vector<forensics::Cells>& rows) {
  out << fmt::format("\n{} ({}):\n", title, rows.size());
  if (rows.empty()) {
    out << "  (none)\n";
    return;
  }
  std::ostringstream table;
  // Indented by two: two columns fewer for the table.
  const size_t width = forensics::TerminalWidth();
  auto w = forensics::MakeRowWriter(forensics::OutputFormat::kText, table,
                                    {.max_width = width > 2 ? width - 2 : 0});
  w->Begin(columns).IgnoreError();
  for (const auto& r : rows) w->Row(r).IgnoreError();
  w->End().IgnoreError();
  std::istringstream lines(table.str());
  std::string line;
  while (std::getline(lines, line)) out << "  " << line << '\n';
}

// A status with the exit of a finished run.
std::string StatusWithExit(std::string_view status, const std::optional<int64_t>& exit_code,
                           const std::optional<int64_t>& exit_signal) {
  if (status != "finished") return std::string(status);
  if (exit_signal) return fmt::format("finished (killed by signal {})", *exit_signal);
  if (exit_code) return fmt::format("finished (exit {})", *exit_code);
  return "finished";
}

// On a terminal, a long line ends in "..." (--format json has it whole).
std::string FitWidth(std::string line) {
  if (const size_t width = forensics::TerminalWidth(); width > 10 && line.size() > width)
    line = line.substr(0, width - 3) + "...";
  return line;
}

// The head: one run's id and command; of several, each on a line.
void PrintHead(const Profile& p, std::ostream& out) {
  if (p.runs.size() == 1) {
    out << FitWidth(fmt::format("run {}: {}", p.run, forensics::PrintableText(forensics::ArgvWords(p.argv_json))))
        << '\n';
    return;
  }
  out << fmt::format("runs:      {}\n", p.runs.size());
  for (const auto& r : p.runs)
    out << FitWidth(fmt::format("  {} run {}: {}: {}", forensics::PrintableText(r.db), r.run,
                                StatusWithExit(profile::RunStatus(r), r.exit_code, r.exit_signal),
                                forensics::PrintableText(forensics::ArgvWords(r.argv_json))))
        << '\n';
}

void PrintText(const Profile& p, std::ostream& out) {
  PrintHead(p, out);
  out << fmt::format("status:    {}\n", StatusWithExit(p.status, p.exit_code, p.exit_signal));
  out << fmt::format("started:   {}\n", Time(p.start_ns));
  out << fmt::format("ended:     {}\n", p.end_ns ? Time(*p.end_ns) : "-");
  out << fmt::format("processes: {}\n", p.processes);
  if (p.io_uring_rings > 0)
    out << fmt::format("unseen:    io_uring ({} ring{}): files and connections used through a ring "
                       "are not in this profile\n",
                       p.io_uring_rings, p.io_uring_rings == 1 ? "" : "s");
  using forensics::Cell;
  auto files = [&](std::string_view title, const std::vector<profile::FileUse>& list) {
    std::vector<forensics::Cells> rows;
    for (const auto& f : list)
      rows.push_back({Cell::Text(f.path), Cell::Int(f.count), Cell::Text(Time(f.first_ns)),
                      Cell::Text(Time(f.last_ns)), Cell::Text(Programs(f.programs))});
    Section(out, title, {"path", "count", "first_seen", "last_seen", "programs"}, rows);
  };
  files("files read", p.read);
  files("files written", p.written);
  files("files executed", p.executed);
  {
    std::vector<forensics::Cells> rows;
    for (const auto& r : p.programs)
      rows.push_back({Cell::Text(r.path), Cell::Int(r.count), Cell::Text(Time(r.first_ns)),
                      Cell::Text(Time(r.last_ns))});
    Section(out, "programs run", {"program", "count", "first_seen", "last_seen"}, rows);
  }
  auto net = [&](std::string_view title, const std::vector<profile::NetUse>& list) {
    std::vector<forensics::Cells> rows;
    for (const auto& u : list)
      rows.push_back({Cell::Text(u.address), Cell::OptInt(u.port), Cell::TextOrNull(u.family),
                      Cell::TextOrNull(u.sock_type), Cell::Int(u.count), Cell::Text(Time(u.first_ns)),
                      Cell::Text(Time(u.last_ns)), Cell::Text(Programs(u.programs))});
    Section(out, title, {"address", "port", "family", "type", "count", "first_seen", "last_seen", "programs"},
            rows);
  };
  net("ports listened on", p.listening);
  net("ports and addresses accessed", p.accessed);
  {
    std::vector<forensics::Cells> rows;
    for (const auto& h : p.hosts)
      rows.push_back({Cell::Text(h.address), Cell::Int(h.outbound), Cell::Int(h.inbound),
                      Cell::Text(Time(h.first_ns)), Cell::Text(Time(h.last_ns)), Cell::Text(Programs(h.programs))});
    Section(out, "IP addresses communicated with",
            {"address", "outbound", "inbound", "first_seen", "last_seen", "programs"}, rows);
  }
}

void PrintJson(const Profile& p, std::ostream& out) {
  auto files = [](const std::vector<profile::FileUse>& list) {
    std::vector<std::string> items;
    for (const auto& f : list)
      items.push_back(fmt::format(R"({{"path":{},"count":{},"first_seen":{},"last_seen":{},"programs":{}}})",
                                  store::JsonQuote(f.path), f.count, store::JsonQuote(Time(f.first_ns)),
                                  store::JsonQuote(Time(f.last_ns)), JsonPrograms(f.programs)));
    return fmt::format("[{}]", fmt::join(items, ","));
  };
  auto net = [](const std::vector<profile::NetUse>& list) {
    std::vector<std::string> items;
    for (const auto& u : list)
      items.push_back(fmt::format(
          R"({{"address":{},"port":{},"family":{},"type":{},"count":{},"first_seen":{},"last_seen":{},"programs":{}}})",
          store::JsonQuote(u.address), JsonOpt(u.port), store::JsonQuote(u.family), store::JsonQuote(u.sock_type),
          u.count, store::JsonQuote(Time(u.first_ns)), store::JsonQuote(Time(u.last_ns)),
          JsonPrograms(u.programs)));
    return fmt::format("[{}]", fmt::join(items, ","));
  };
  std::vector<std::string> programs, hosts;
  for (const auto& r : p.programs)
    programs.push_back(fmt::format(R"({{"path":{},"count":{},"first_seen":{},"last_seen":{}}})",
                                   store::JsonQuote(r.path), r.count, store::JsonQuote(Time(r.first_ns)),
                                   store::JsonQuote(Time(r.last_ns))));
  for (const auto& h : p.hosts)
    hosts.push_back(fmt::format(
        R"({{"address":{},"outbound":{},"inbound":{},"first_seen":{},"last_seen":{},"programs":{}}})",
        store::JsonQuote(h.address), h.outbound, h.inbound, store::JsonQuote(Time(h.first_ns)),
        store::JsonQuote(Time(h.last_ns)), JsonPrograms(h.programs)));
  // Several runs: each one's head first; the profile's own run, argv and
  // exit are null then.
  const bool several = p.runs.size() > 1;
  std::string runs;
  if (several) {
    std::vector<std::string> items;
    for (const auto& r : p.runs)
      items.push_back(fmt::format(
          R"({{"db":{},"run":{},"argv":{},"status":{},"start":{},"end":{},"exit_code":{},"exit_signal":{},"processes":{},"io_uring_rings":{}}})",
          store::JsonQuote(r.db), r.run, r.argv_json.empty() ? "null" : r.argv_json,
          store::JsonQuote(profile::RunStatus(r)), store::JsonQuote(Time(r.start_ns)),
          r.end_ns ? store::JsonQuote(Time(*r.end_ns)) : "null", JsonOpt(r.exit_code), JsonOpt(r.exit_signal),
          r.processes, r.io_uring_rings));
    runs = fmt::format(R"("runs":[{}],)", fmt::join(items, ","));
  }
  out << fmt::format(
      R"({{{}"run":{},"argv":{},"status":{},"start":{},"end":{},"exit_code":{},"exit_signal":{},"processes":{},"io_uring_rings":{},)"
      R"("files":{{"read":{},"written":{},"executed":{}}},"programs":{},)"
      R"("ports":{{"listening":{},"accessed":{}}},"addresses":[{}]}})"
      "\n",
      runs, several ? "null" : std::to_string(p.run), p.argv_json.empty() ? "null" : p.argv_json, store::JsonQuote(p.status),
      store::JsonQuote(Time(p.start_ns)), p.end_ns ? store::JsonQuote(Time(*p.end_ns)) : "null",
      JsonOpt(p.exit_code), JsonOpt(p.exit_signal), p.processes, p.io_uring_rings, files(p.read), files(p.written),
      files(p.executed), fmt::format("[{}]", fmt::join(programs, ",")), net(p.listening), net(p.accessed),
      fmt::join(hosts, ","));
}

}  // namespace

int ProfileCommand(const std::vector<std::string>& args) {
  learn::Selection selection;
  bool json = false;
  std::vector<Option> table;
  AddSelectionOptions(table, selection, forensics::NowNs());
  table.push_back({"--format", true, [&json](const std::string& v) -> std::optional<std::string> {
                     if (v != "json" && v != "text") return fmt::format("unknown format '{}'; formats: text, json", v);
                     json = v == "json";
                     return std::nullopt;
                   }});
  if (auto rc = ParseCommandLine("profile", args, std::move(table), kProfileUsage)) return *rc;
  auto fail = [](const absl::Status& s) {
    fmt::print(stderr, "warden profile: {}\n", std::string(s.message()));
    return 2;
  };
  auto source = OpenSource(selection);
  if (!source.ok()) return fail(source.status());
  auto profile = profile::ReadProfile(**source, selection);
  if (!profile.ok()) return fail(profile.status());
  if (json) PrintJson(*profile, std::cout);
  else PrintText(*profile, std::cout);
  std::cout.flush();
  return std::cout ? 0 : 1;
}

}  // namespace warden::cli
