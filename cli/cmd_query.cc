// `warden query [--db PATH] [--run ID] [--format text|json|csv] NAME ...`:
// named forensic queries over a recorded database (store/query.h), read-only.
#include <charconv>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "cli/default_db.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "cli/option_table.h"
#include "fmt/format.h"
#include "policy/glob.h"
#include "policy/cidr.h"
#include "forensics/query.h"
#include "forensics/timeparse.h"

namespace warden::cli {
namespace {

constexpr std::string_view kQueryUsage = R"(usage: warden query [--db PATH] [--run ID] [--format text|json|csv] NAME [ARGS...]
  --db PATH    database written by `warden run` (default: see warden(1), FILES); opened
               read-only, never changed
  --run ID     the run to query (default: the latest run); not for sql
  --format F   text (aligned columns; the default), json (an array of
               objects) or csv (RFC 4180, a header row)

queries:
  tree [--threads]      the process tree: argv of each process's last exec,
                        duration, exit status; threads with --threads
  timeline [--pid P] [--from T] [--to T] [--kind K[,K...]]
                        every event (process start and end, exec, file, net,
                        syscall, policy) in time order, with a description;
                        --kind keeps some: process, exec, file, net, syscall,
                        policy
  who GLOB              which processes touched a path matching GLOB (file
                        events; * within a name, ** across /, as policies),
                        and how: op, count, first and last seen, result
  net [--addr CIDR] [--port N]
                        network events; --addr keeps those whose address
                        (the peer, or the local address of bind and listen)
                        is in CIDR (10.0.0.0/8, ::1), --port those of port N
  denied [--all]        policy hits that denied or killed; --all: monitor
                        and allow hits too
  stats                 counts by event kind, by action (the verdicts on
                        syscall events, and policy hits) and by syscall name
  sql "SELECT ..."      one read-only SELECT (or WITH ... SELECT) over the
                        tables and views of warden-db(5)

T: RFC 3339 (2026-11-23T10:00:00Z, 2026-11-23T11:00:00.250+01:00), relative
(now, 90s ago, 5m ago, 1h ago, 2d ago, 1h30m ago) or nanoseconds since the
epoch. --from and --to are inclusive.
GLOB: SQLite GLOB, case-sensitive: * any run of characters, '/' included;
? any one character; [abc], [a-z], [^abc] one character of (or not of) a set;
no escape character ([*] matches a literal *). It matches the whole path:
'/etc/*' is everything under /etc, '*/passwd' any file named passwd. Quote
it for the shell.
Exit status: 0 on success; 2 for a usage error, a bad time, address or
port, a database that is missing, not a warden database or without the
run, or SQL that is not one read-only SELECT; 1 when the output cannot be
written.
)";

bool ParseInt(const std::string& s, int64_t& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

int Usage(std::string_view message) {
  fmt::print(stderr, "warden query: {}\n(see `warden query --help`)\n", message);
  return 2;
}

// Keeps the rows whose "address" column lies in a network.
class CidrFilter : public forensics::RowSink {
 public:
  CidrFilter(forensics::RowSink& next, policy::Cidr net) : next_(next), net_(net) {}
  absl::Status Begin(const std::vector<std::string>& columns) override {
    for (size_t i = 0; i < columns.size(); ++i)
      if (columns[i] == "address") column_ = i;
    return next_.Begin(columns);
  }
  absl::Status Row(const forensics::Cells& row) override {
    const forensics::Cell& a = row[column_];
    if (a.type != forensics::Cell::kText || !policy::CidrContains(net_, a.s)) return absl::OkStatus();
    return next_.Row(row);
  }
  absl::Status End() override { return next_.End(); }

 private:
  forensics::RowSink& next_;
  policy::Cidr net_;
  size_t column_ = 0;
};

// The tree as text: PID, PPID, duration, status and the command, indented
// under its parent like `ps f`.
class TreeText : public forensics::RowSink {
 public:
  explicit TreeText(std::ostream& out)
      : next_(forensics::MakeRowWriter(forensics::OutputFormat::kText, out,
                                       {.max_width = forensics::TerminalWidth()})) {}
  absl::Status Begin(const std::vector<std::string>& columns) override {
    for (size_t i = 0; i < columns.size(); ++i) col_[columns[i]] = i;
    return next_->Begin({"pid", "ppid", "duration_ms", "status", "command"});
  }
  absl::Status Row(const forensics::Cells& row) override {
    const int64_t depth = row[col_["depth"]].i;
    const forensics::Cell& argv = row[col_["argv"]];
    std::string command = argv.is_null() ? row[col_["exe"]].s : forensics::ArgvWords(argv.s);
    if (command.empty()) command.push_back('?');
    if (row[col_["is_thread"]].i) command += " (thread)";
    std::string indent = depth > 0 ? std::string(static_cast<size_t>(depth - 1) * 3 + 1, ' ') + "\\_ " : "";
    return next_->Row({row[col_["pid"]], row[col_["ppid"]], row[col_["duration_ms"]], row[col_["status"]],
                       forensics::Cell::Text(indent + command)});
  }
  absl::Status End() override { return next_->End(); }

 private:
  std::unique_ptr<forensics::RowSink> next_;
  std::map<std::string, size_t> col_;
};

struct Args {
  std::string db = DefaultDb();
  std::optional<int64_t> run;
  forensics::OutputFormat format = forensics::OutputFormat::kText;
  std::vector<std::string> positional;
  std::set<std::string> given;  // options seen, to check they fit the query
  bool threads = false, all = false;
  std::optional<int> pid, port;
  std::string from, to, addr;
  std::vector<std::string> kinds;
};

// 0: parsed; -1: printed help; else the exit code.
int Parse(const std::vector<std::string>& args, Args& a) {
  auto number = [](std::string_view name, int64_t low, int64_t high, std::string_view what, auto& field) {
    return Option{name, true, [name, low, high, what, &field](const std::string& v) -> std::optional<std::string> {
                    int64_t n = 0;
                    if (!ParseInt(v, n) || n < low || n > high) return fmt::format("{} wants {}, got '{}'", name, what, v);
                    field = static_cast<int>(n);
                    return std::nullopt;
                  }};
  };
  bool help = false;
  std::vector<Option> table = {
      SetOption("--db", a.db), RunIdOption(a.run), SetOption("--from", a.from), SetOption("--to", a.to),
      SetOption("--addr", a.addr), FlagOption("--threads", a.threads), FlagOption("--all", a.all),
      number("--pid", 1, INT32_MAX, "a process id", a.pid), number("--port", 0, 65535, "a port (0-65535)", a.port),
      {"--format", true,
       [&a](const std::string& v) -> std::optional<std::string> {
         auto f = forensics::ParseOutputFormat(v);
         if (!f) return fmt::format("unknown format '{}'; formats: text, json, csv", v);
         a.format = *f;
         return std::nullopt;
       }},
      {"--kind", true,
       [&a](const std::string& v) -> std::optional<std::string> {
         for (absl::string_view k : absl::StrSplit(v, ',', absl::SkipEmpty())) a.kinds.emplace_back(k);
         return std::nullopt;
       }},
  };
  // Which options were given: each query checks they fit it.
  for (Option& o : table)
    o.apply = [&a, name = std::string(o.name), apply = o.apply](const std::string& v) {
      a.given.insert(name);
      return apply(v);
    };
  for (Option& o : HelpOptions(help)) table.push_back(std::move(o));
  if (auto error = ParseOptions(args, table, &a.positional)) return Usage(*error);
  if (help) {
    fmt::print("{}", kQueryUsage);
    return -1;
  }
  return 0;
}

struct QuerySpec {
  std::string_view name;
  size_t args;                          // positional arguments after NAME
  std::vector<std::string_view> options;  // options besides --db, --run, --format
  std::vector<std::string> hide;        // columns the text format leaves out
};

const QuerySpec kQueries[] = {
    {"tree", 0, {"--threads"}, {}},
    {"timeline", 0, {"--pid", "--from", "--to", "--kind"}, {"ts_ns", "action"}},
    {"who", 1, {}, {}},
    {"net", 0, {"--addr", "--port"}, {"ts_ns"}},
    {"denied", 0, {"--all"}, {"ts_ns", "mode", "args"}},
    {"stats", 0, {}, {}},
    {"sql", 1, {}, {}},
};

int Fail(const absl::Status& s) {
  // The output stream failing (a closed pipe, a full disk) is not bad input.
  if (!std::cout) return 1;
  fmt::print(stderr, "warden query: {}\n", std::string(s.message()));
  return 2;
}

}  // namespace

int QueryCommand(const std::vector<std::string>& args) {
  Args a;
  if (int rc = Parse(args, a); rc != 0) return rc < 0 ? 0 : rc;
  if (a.positional.empty()) return Usage("which query? tree, timeline, who, net, denied, stats or sql");
  const std::string name = a.positional[0];
  const QuerySpec* spec = nullptr;
  for (const auto& q : kQueries)
    if (q.name == name) spec = &q;
  if (!spec)
    return Usage(fmt::format("unknown query '{}'; queries: tree, timeline, who, net, denied, stats, sql", name));
  const size_t given_args = a.positional.size() - 1;
  if (given_args != spec->args) {
    if (name == "who") return Usage("who wants one GLOB, e.g. warden query who '/etc/*'");
    if (name == "sql") return Usage("sql wants one quoted statement, e.g. warden query sql \"SELECT * FROM runs\"");
    return Usage(fmt::format("{} takes no arguments, got '{}'", name, a.positional[1]));
  }
  for (const auto& opt : a.given) {
    if (opt == "--db" || opt == "--format" || (opt == "--run" && name != "sql")) continue;
    if (std::find(spec->options.begin(), spec->options.end(), opt) == spec->options.end())
      return Usage(opt == "--run" ? "--run does not apply to sql; write WHERE run_id = N instead"
                                  : fmt::format("{} does not apply to {}", opt, name));
  }

  // Everything the command line says is checked before the file is opened.
  forensics::TimelineOptions timeline{.pid = a.pid, .kinds = a.kinds};
  const int64_t now = forensics::NowNs();
  for (auto [flag, text, out] : {std::tuple{"--from", &a.from, &timeline.from_ns},
                                 std::tuple{"--to", &a.to, &timeline.to_ns}}) {
    if (text->empty() && !a.given.contains(flag)) continue;
    auto t = forensics::ParseTimeNs(*text, now);
    if (!t.ok()) return Usage(fmt::format("{}: {}", flag, std::string(t.status().message())));
    *out = *t;
  }
  if (timeline.from_ns && timeline.to_ns && *timeline.from_ns > *timeline.to_ns)
    return Usage(fmt::format("--from ({}) is after --to ({})", forensics::FormatRfc3339Ms(*timeline.from_ns),
                             forensics::FormatRfc3339Ms(*timeline.to_ns)));
  std::optional<policy::Cidr> net;
  if (a.given.contains("--addr")) {
    auto c = policy::ParseCidr(a.addr);
    if (!c.ok()) return Usage(fmt::format("--addr: {}", std::string(c.status().message())));
    net = *c;
  }

  auto db = forensics::QueryDb::Open(a.db);
  if (!db.ok()) return Fail(db.status());
  auto writer = forensics::MakeRowWriter(a.format, std::cout,
                                         {.hide = spec->hide, .max_width = forensics::TerminalWidth()});
  absl::Status s;
  if (name == "sql") {
    s = (*db)->Sql(a.positional[1], *writer);
    if (!s.ok()) return Fail(s);
    return 0;
  }
  auto run = (*db)->ResolveRun(a.run);
  if (!run.ok()) return Fail(run.status());
  if (name == "tree") {
    if (a.format == forensics::OutputFormat::kText) {
      TreeText text(std::cout);
      s = (*db)->Tree(*run, {.threads = a.threads}, text);
    } else {
      s = (*db)->Tree(*run, {.threads = a.threads}, *writer);
    }
  } else if (name == "timeline") {
    s = (*db)->Timeline(*run, timeline, *writer);
  } else if (name == "who") {
    if (absl::Status bad = policy::ValidateGlob(a.positional[1]); !bad.ok()) {
      fmt::print(stderr, "warden query who: {}\n", std::string(bad.message()));
      return 2;
    }
    s = (*db)->Who(*run, a.positional[1], *writer);
  } else if (name == "net") {
    if (net) {
      CidrFilter filter(*writer, *net);
      s = (*db)->Net(*run, {.port = a.port}, filter);
    } else {
      s = (*db)->Net(*run, {.port = a.port}, *writer);
    }
  } else if (name == "denied") {
    s = (*db)->Denied(*run, a.all, *writer);
  } else if (name == "stats") {
    s = (*db)->Stats(*run, *writer);
  }
  if (!s.ok()) return Fail(s);
  return 0;
}

}  // namespace warden::cli
