// warden: a thin command-line front over the libraries.
#include <errno.h>

#include <cstdio>
#include <cstring>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "cli/commands.h"
#include "cli/version.h"
#include "fmt/format.h"
#include "log/log.h"
#include "syscalls/closest.h"

namespace {

constexpr std::string_view kUsage = R"(usage: warden COMMAND [OPTIONS]

commands:
  run [--db PATH] [--watch CLASSES] [--policy FILE [--reload]] [--] CMD [ARGS...]
                      run CMD under the supervisor and record what it does
  export --db PATH [--run ID] [--format ndjson|json|csv] [--gzip] [--from T] [--to T]
         [--kind K,...] [-o FILE]
                      print recorded events (NDJSON: one JSON object per line)
  runs [--db PATH] [--json]
                      list the runs a database holds
  syscalls [NAME|NUMBER] [--abi x86_64|i386] [--json]
                      print the syscall table, or one entry
  profile [--db PATH] [--run ID] [--format text|json]
                      the runtime profile of a run: files, programs, ports, peers
  query [--db PATH] [--run ID] [--format text|json|csv] NAME [ARGS...]
                      forensic queries: tree, timeline, who, net, denied, stats, sql
  replay [--db PATH] [--run ID] [--pid P] [--syscall NAME] [--path GLOB] [--from T] [--to T]
                      print a run's recorded calls as strace-like lines
  events [--db PATH] [--run ID] [--follow] [--kind K,...] [--format ndjson|text]
                      print a run's events; --follow: as a running warden records them
  prune [--db PATH] --older-than DURATION [--vacuum] [--dry-run]
                      remove the runs older than DURATION (72h, 7d, ...)
  learn [--db PATH]... [--run ID]... [--from T] [--to T] [--merge FILE]
        [--mode permissive|active] [--collapse N] [--exact] [-o FILE]
                      write a policy that allows what recorded runs did
  harden [--db PATH] [--run ID]... (--from-root DIR | --from-image PATH) -o OUT [--keep FILE]
                      copy of a root filesystem that keeps only what recorded runs used
  harden --check OUT [--db PATH] [--from-root DIR] -- CMD [ARG]...
                      run CMD in the hardened tree and name what it lacks
  stub IMAGE -o OUT [--tag TAG] [--policy FILE] [--db-dir DIR]
                      an image archive that starts under warden (docker load -i OUT)
  ship [--db PATH] --to URL [--run ID]... [--follow]
                      copy runs into PostgreSQL for fleet reads (exactly once, resumable)
  ship --to URL --prune-older-than DURATION
                      drop the day partitions of events older than DURATION
  expect [--db PATH]... [--run ID]... [--from T] [--to T] [--service NAME] [--min-rate R]
         [--tag NAME=GLOB]... [--collapse N] [--exact] [-o FILE]
                      write an expected profile (warden-expect(5)) of recorded runs
  verify --expect FILE [--db PATH | --observations EXPORT] [--run ID] [--format text|json]
                      check runs against an expected profile: rate, missing, unexpected
  report [--db PATH] [--run ID] [--expect FILE] -o FILE.html
                      one self-contained HTML page of a run: timeline, charts, profile
  policy check FILE   validate a policy file (warden-policy(5))
  policy show FILE    print a policy file as warden reads it
  policy test FILE [--db PATH] [--run ID] [--format text|ndjson]
                      judge a recorded run with a policy, offline (a dry run)
  version             print warden's version

See warden(1), warden-policy(5), warden-db(5) and warden-expect(5).
)";

struct Command {
  std::string_view name;
  int (*fn)(const std::vector<std::string>&);
};

constexpr Command kCommands[] = {
    {"run", warden::cli::RunCommand},
    {"export", warden::cli::ExportCommand},
    {"runs", warden::cli::RunsCommand},
    {"syscalls", warden::cli::SyscallsCommand},
    {"policy", warden::cli::PolicyCommand},
    {"profile", warden::cli::ProfileCommand},
    {"query", warden::cli::QueryCommand},
    {"replay", warden::cli::ReplayCommand},
    {"events", warden::cli::EventsCommand},
    {"prune", warden::cli::PruneCommand},
    {"learn", warden::cli::LearnCommand},
    {"expect", warden::cli::ExpectCommand},
    {"verify", warden::cli::VerifyCommand},
    {"harden", warden::cli::HardenCommand},
    {"stub", warden::cli::StubCommand},
    {"ship", warden::cli::ShipCommand},
    {"report", warden::cli::ReportCommand},
};

// Output that could not be written is an error (`warden runs > /dev/full`
// must not exit 0): whatever the command said, unless it failed already.
int Finish(int rc) {
  std::cout.flush();
  const bool cout_bad = !std::cout;
  const bool stdout_bad = fflush(stdout) != 0 || ferror(stdout);
  if (cout_bad || stdout_bad) {
    const int err = errno;
    fmt::print(stderr, "warden: cannot write the output{}\n", err ? fmt::format(": {}", strerror(err)) : "");
    return rc != 0 ? rc : 1;
  }
  return rc;
}

// --log-level L and --log-file PATH (also --name=value), for every
// command, before a "--": taken out of `args`; WARDEN_LOG_LEVEL and
// WARDEN_LOG_FILE otherwise (log/log.h). 0, or the exit code of a bad one.
int ConfigureLog(std::string_view cmd, std::vector<std::string>& args) {
  std::optional<std::string> level, file;
  std::vector<std::string> kept;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") {
      kept.insert(kept.end(), args.begin() + static_cast<long>(i), args.end());
      break;
    }
    std::optional<std::string>* target = a.starts_with("--log-level") ? &level
                                         : a.starts_with("--log-file") ? &file
                                                                       : nullptr;
    const std::string name = a.substr(0, a.find('='));
    if (target == nullptr || (name != "--log-level" && name != "--log-file")) {
      kept.push_back(a);
      continue;
    }
    if (a.size() > name.size()) {
      *target = a.substr(name.size() + 1);
    } else if (i + 1 < args.size()) {
      *target = args[++i];
    } else {
      fmt::print(stderr, "warden {}: {} needs a value\n", cmd, name);
      return cmd == "run" ? 125 : 2;
    }
  }
  args = std::move(kept);
  if (absl::Status s = warden::log::Configure(level, file); !s.ok()) {
    fmt::print(stderr, "warden {}: {}\n", cmd, std::string(s.message()));
    return cmd == "run" ? 125 : 2;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // Log options may come before the command too: warden --log-level debug run ...
  std::vector<std::string> all(argv + 1, argv + argc), log_options;
  size_t at = 0;
  while (at < all.size() && (all[at].starts_with("--log-level") || all[at].starts_with("--log-file"))) {
    log_options.push_back(all[at]);
    if (all[at].find('=') == std::string::npos && at + 1 < all.size()) log_options.push_back(all[++at]);
    ++at;
  }
  if (at >= all.size()) {
    fmt::print(stderr, "{}", kUsage);
    return 2;
  }
  const std::string cmd_name = all[at];
  std::string_view cmd = cmd_name;
  if (cmd == "-h" || cmd == "--help" || cmd == "help") {
    fmt::print("{}", kUsage);
    return Finish(0);
  }
  if (cmd == "version" || cmd == "--version") {
    fmt::print("warden {}\n", WARDEN_VERSION);
    return Finish(0);
  }
  std::vector<std::string> rest = log_options;
  rest.insert(rest.end(), all.begin() + static_cast<long>(at) + 1, all.end());
  if (int rc = ConfigureLog(cmd, rest); rc != 0) return rc;
  for (const auto& c : kCommands) {
    if (c.name != cmd) continue;
    try {
      return Finish(c.fn(rest));
    } catch (const std::system_error& e) {  // fmt::print's write errors
      fmt::print(stderr, "warden {}: cannot write the output: {}\n", cmd, e.code().message());
      return 1;
    }
  }
  std::vector<std::string_view> names = {"version", "help"};
  for (const auto& c : kCommands) names.push_back(c.name);
  const auto close = warden::syscalls::Closest(cmd, names, 1);
  if (!close.empty())
    fmt::print(stderr, "warden: unknown command '{}'; did you mean '{}'? (warden --help lists them)\n", cmd,
               close[0]);
  else
    fmt::print(stderr, "warden: unknown command '{}'\n{}", cmd, kUsage);
  return 2;
}
