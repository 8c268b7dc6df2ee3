// `warden run [--db PATH] [--watch CLASSES] [--record-env] [--] CMD [ARGS...]`
#include <limits.h>
#include <sched.h>
#include <stdlib.h>
#include <unistd.h>

#include <errno.h>
#include <string.h>

#include <charconv>
#include <fstream>
#include <set>
#include <sstream>
#include <optional>
#include <string>
#include <vector>

#include "cli/default_db.h"
#include "cli/option_table.h"
#include "cli/commands.h"
#include "cli/version.h"
#include "fleet/background.h"
#include "fleet/pg.h"
#include "fmt/format.h"
#include "forensics/timeparse.h"
#include "log/log.h"
#include "policy/compile.h"
#include "policy/parser.h"
#include "policy/rule_paths.h"
#include "seccomp/filter.h"
#include "store/run_identity.h"
#include "store/schema.h"
#include "store/store.h"
#include "supervisor/affinity.h"
#include "supervisor/entrypoint.h"
#include "supervisor/launcher.h"
#include "supervisor/policy_reloader.h"
#include "supervisor/progress.h"
#include "supervisor/call_recorder.h"
#include "supervisor/tracer.h"
#include "supervisor/watch.h"
#include "syscalls/syscall_table.h"

namespace warden::cli {
namespace {

constexpr std::string_view kRunUsage =
    "usage: warden run [--db PATH] [--watch CLASSES] [--record-env] [--] CMD [ARGS...]\n"
    "  --db PATH         SQLite database to append the run to (default: see warden(1), FILES)\n"
    "  --watch CLASSES   syscall classes to stop on, comma-separated\n"
    "                    (default file,exec,network,process; see `warden syscalls`)\n"
    "  --record-env      also record each exec's environment\n"
    "  --ship URL        ship the run to PostgreSQL while it records (warden ship;\n"
    "                    from a thread of warden: the program never waits on it)\n"
    "  --ship-wait D     after the run, wait up to D (default 30s) for the rest\n"
    "  --label K=V       label the run (repeatable; with host, pod, namespace,\n"
    "                    container, image from the environment: warden(1), LABELS)\n"
    "  --pin[=CPU]       run warden and the traced program on one CPU (fastest\n"
    "                    stops; the program sees a single CPU)\n"
    "  --no-colocate     do not move a busy traced task to warden's CPU (by\n"
    "                    default it is, unless tasks run in parallel and leave\n"
    "                    the tracer time to spare; warden(1), CPU COLOCATION)\n"
    "  --spin-us N       poll N microseconds for the next stop before sleeping\n"
    "                    (default 50; 0 turns polling off)\n"
    "  --no-results      skip the exit stops that only record results: file\n"
    "                    events then have no result (about half the stops)\n"
    "  --orphans=kill|wait  when CMD ends, kill what it left running and exit\n"
    "                    (like tini; the default as PID 1, a container's\n"
    "                    entrypoint), or wait for it (the default otherwise)\n"
    "  --kill-orphans    the same as --orphans=kill\n"
    "  --policy FILE     enforce the YAML policy FILE (warden-policy(5))\n"
    "  --reload          re-read FILE when it changes, while CMD runs\n"
    "  --progress        a live status line on stderr (the default when stderr is\n"
    "                    a terminal; never drawn on anything else)\n"
    "  --no-progress     no status line\n";

// warden run's own errors (bad options, a bad policy or database, a
// failure to start) exit with 125, as docker run, env and chroot do, so
// that they cannot be mistaken for the program's own status.
constexpr int kOwnError = 125;


struct RunOptions {
  std::string db = DefaultDb();
  bool db_given = false;  // --db, or else the default (cli/default_db.h)
  uint32_t watch = supervisor::kDefaultWatch;
  bool record_env = false;
  std::optional<int> pin_cpu;  // -1: the first allowed CPU
  int spin_us = 50;
  std::optional<bool> kill_orphans;  // unset: kill as PID 1, else wait
  bool want_results = true;
  bool colocate = true;
  std::string policy_file;
  bool reload = false;
  std::optional<bool> progress;  // --progress / --no-progress; unset: on a terminal
  std::vector<std::string> labels;  // --label K=V, in order
  std::string ship_url;             // --ship URL
  int64_t ship_wait_ms = 30000;     // --ship-wait
  store::Labels run_labels;         // with host and the environment's (run_identity.h)
  std::vector<std::string> argv;
};

std::string Host() {
  char buf[256] = {};
  gethostname(buf, sizeof buf - 1);
  return buf;
}

bool ParseInt(const std::string& s, int& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

// Returns -1 when parsing succeeded, else the exit code. Options end at
// the command (or at "--"): what follows is the command's.
int Parse(const std::vector<std::string>& args, RunOptions& o) {
  bool progress = false, no_progress = false, kill_orphans = false, no_colocate = false,
       no_results = false;
  std::vector<Option> table = {
      {"--db", true,
       [&o](const std::string& v) -> std::optional<std::string> {
         o.db = v;
         o.db_given = true;
         return std::nullopt;
       }},
      {"--watch", true,
       [&o](const std::string& v) -> std::optional<std::string> {
         auto mask = syscalls::ParseClasses(v);
         if (!mask.ok()) return fmt::format("--watch: {}", std::string(mask.status().message()));
         o.watch = *mask;
         return std::nullopt;
       }},
      SetOption("--policy", o.policy_file), FlagOption("--reload", o.reload), FlagOption("--progress", progress),
      FlagOption("--no-progress", no_progress), FlagOption("--no-colocate", no_colocate),
      FlagOption("--no-results", no_results), FlagOption("--kill-orphans", kill_orphans),
      FlagOption("--record-env", o.record_env),
      {"--label", true,
       [&o](const std::string& v) -> std::optional<std::string> {
         if (auto kv = store::ParseLabel(v); !kv.ok()) return std::string(kv.status().message());
         o.labels.push_back(v);
         return std::nullopt;
       }},
      SetOption("--ship", o.ship_url),
      {"--ship-wait", true,
       [&o](const std::string& v) -> std::optional<std::string> {
         const int64_t now = forensics::NowNs();
         auto t = forensics::ParseDurationAgo(v, now);
         if (!t.ok()) return fmt::format("--ship-wait {}", std::string(t.status().message()));
         o.ship_wait_ms = (now - *t) / 1000000;
         return std::nullopt;
       }},
      {"--orphans", true,
       [&o](const std::string& v) -> std::optional<std::string> {
         if (v != "kill" && v != "wait") return "--orphans takes kill or wait, as --orphans=kill";
         o.kill_orphans = v == "kill";
         return std::nullopt;
       }},
      {"--pin", false,
       [&o](const std::string& v) -> std::optional<std::string> {
         int cpu = -1;
         if (!v.empty() && !ParseInt(v, cpu)) return fmt::format("--pin=CPU wants a CPU number, got '{}'", v);
         o.pin_cpu = cpu;
         return std::nullopt;
       },
       /*optional_value=*/true},
      {"--spin-us", true,
       [&o](const std::string& v) -> std::optional<std::string> {
         if (!ParseInt(v, o.spin_us) || o.spin_us < 0)
           return fmt::format("--spin-us wants microseconds (0 or more), got '{}'", v);
         return std::nullopt;
       }},
  };
  if (auto rc = ParseCommandLine("run", args, std::move(table), kRunUsage, &o.argv, /*stop_at_positional=*/true,
                                  kOwnError))
    return *rc;
  if (progress || no_progress) o.progress = progress && !no_progress;
  if (kill_orphans) o.kill_orphans = true;
  if (no_colocate) o.colocate = false;
  if (no_results) o.want_results = false;
  if (o.reload && o.policy_file.empty()) {
    fmt::print(stderr, "warden run: --reload needs --policy FILE\n");
    return kOwnError;
  }
  if (o.argv.empty()) {
    fmt::print(stderr, "warden run: no command given\n{}", kRunUsage);
    return kOwnError;
  }
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) env.emplace_back(*e);
  auto labels = store::RunLabels(Host(), env, o.labels);
  if (!labels.ok()) {
    fmt::print(stderr, "warden run: {}\n", std::string(labels.status().message()));
    return kOwnError;
  }
  o.run_labels = std::move(*labels);
  return -1;
}

std::string Cwd() {
  char buf[PATH_MAX];
  return getcwd(buf, sizeof buf) ? buf : "/";
}

// The policy as warden enforces it: parsed, validated, implicit rules added.
absl::StatusOr<std::shared_ptr<const policy::Policy>> LoadPolicy(const std::string& path,
                                                                 const std::string& text) {
  auto p = policy::ParsePolicyText(text, path);
  if (!p.ok()) return p.status();
  policy::AddImplicitRules(*p);
  policy::AddResolvedPaths(*p, policy::SystemRealPath);
  return std::make_shared<const policy::Policy>(std::move(*p));
}

bool ReadFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  *out = ss.str();
  return true;
}

// What the filter must trace: the watched classes when behaviour is
// recorded (always with --reload, so that a new version can judge them),
// and what the policy needs.
uint32_t WatchClasses(const RunOptions& o, const policy::Policy* p) {
  if (p == nullptr || o.reload) return o.watch;
  return policy::RecordsBehavior(p->log_mode) ? o.watch : 0;
}

// Numbers the filter traces (unconditionally or not).
std::set<int> TracedNumbers(const seccomp::FilterSpec& spec) {
  std::set<int> out;
  for (const auto& r : spec.trace) out.insert(r.nr);
  return out;
}

// --reload: each new version of the file replaces the policy if it is
// valid and the running filter traces every call it must judge.
void OnPolicyChange(const RunOptions& o, const std::set<int>& traced,
                    supervisor::Tracer* tracer, store::Store* store, const std::string& text) {
  auto p = LoadPolicy(o.policy_file, text);
  std::string refusal;
  if (p.ok()) {
    auto compiled = policy::Compile(**p, /*bpf_verdicts=*/false);
    for (int nr : TracedNumbers(supervisor::PlanWatch(0, &compiled)))
      if (!traced.contains(nr)) {
        const auto* d = syscalls::ByNumber(syscalls::Abi::kX86_64, nr);
        refusal = fmt::format(
            "{}: the new version needs {} judged, which the running filter does not trace; "
            "restart warden to apply it", o.policy_file, d ? d->name : "?");
        break;
      }
  } else {
    refusal = std::string(p.status().message());
  }
  store::PolicyChange change{supervisor::NowNs(), o.policy_file, "", refusal.empty(), refusal};
  if (refusal.empty()) {
    change.name = (*p)->name;
    tracer->gate().Replace(*p);
    log::Log(log::Level::kInfo, "run", "policy reloaded from {}: '{}'", o.policy_file, (*p)->name);
  } else {
    log::Log(log::Level::kWarn, "run", "policy reload refused, the previous version stays:\n{}",
               refusal);
  }
  store->Submit(std::move(change));
}

// --policy FILE: read and validated before anything starts. Returns -1, or
// the exit code.
int ReadPolicyOption(const RunOptions& o, std::shared_ptr<const policy::Policy>* pol,
                     std::string* text) {
  if (o.policy_file.empty()) return -1;
  if (!ReadFile(o.policy_file, text)) {
    log::Log(log::Level::kError, "run", "cannot read policy {}: {}", o.policy_file, strerror(errno));
    return kOwnError;
  }
  auto loaded = LoadPolicy(o.policy_file, *text);
  if (!loaded.ok()) {
    log::Log(log::Level::kError, "run", "invalid policy, not starting:\n{}",
               std::string(loaded.status().message()));
    return kOwnError;
  }
  *pol = *loaded;
  return -1;
}

}  // namespace

// What --ship did: a line, and how to finish when something is left.
void ReportShipping(const fleet::BackgroundShipper::Outcome& out, const RunOptions& o, int64_t run) {
  const auto& r = out.report;
  if (out.status.ok() && !out.timed_out) {
    log::Log(log::Level::kInfo, "run", "shipped run {} to {}: {} events, {} process rows", run,
             fleet::RedactUrl(o.ship_url), r.events, r.processes);
    return;
  }
  log::Log(log::Level::kWarn, "run",
           "run {} not wholly shipped to {} ({}{}): {} events sent so far; ship the rest with "
           "`warden ship --db {} --to URL --run {}` (nothing is sent twice)",
           run, fleet::RedactUrl(o.ship_url), out.timed_out ? "--ship-wait ran out" : "",
           out.status.ok() ? "" : fmt::format("{}{}", out.timed_out ? ": " : "", std::string(out.status.message())),
           r.events, o.db, run);
}

int RunCommand(const std::vector<std::string>& args) {
  RunOptions o;
  if (int rc = Parse(args, o); rc >= 0) return rc;

  if (!o.db_given && !MakeDbDir(o.db)) {
    log::Log(log::Level::kError, "run", "cannot make the directory of {}: {}; give --db PATH or set WARDEN_DB",
               o.db, strerror(errno));
    return kOwnError;
  }
  std::shared_ptr<const policy::Policy> pol;
  std::string policy_text;
  if (int rc = ReadPolicyOption(o, &pol, &policy_text); rc >= 0) return rc;
  // BPF verdicts cannot be taken back: with --reload every verdict stays
  // in the supervisor, where a new version can change it.
  policy::CompiledPolicy compiled;
  if (pol) compiled = policy::Compile(*pol, pol->mode == policy::Mode::kActive && !o.reload);
  const bool colocate = o.colocate && !o.pin_cpu;
  const seccomp::FilterSpec spec = supervisor::PlanWatch(WatchClasses(o, pol.get()),
                                                         pol ? &compiled : nullptr, colocate);
  auto filter = seccomp::Filter::Build(spec);
  if (!filter.ok()) {
    log::Log(log::Level::kError, "run", "{}", std::string(filter.status().message()));
    return kOwnError;
  }
  if (auto old = store::Store::OlderSchemaVersion(o.db))
    log::Log(log::Level::kInfo, "run",
               "upgrading '{}' from database schema version {} to {} (once; "
               "a big file takes a while)",
               o.db, *old, store::kSchemaVersion);
  auto store = store::Store::Open(o.db);
  if (!store.ok()) {
    log::Log(log::Level::kError, "run", "{}", std::string(store.status().message()));
    // Not a warden database, corrupt, locked, too new: the user's input.
    const auto code = store.status().code();
    const bool bad_input = code == absl::StatusCode::kInvalidArgument ||
                           code == absl::StatusCode::kFailedPrecondition;
    (void)bad_input;
    return kOwnError;
  }
  const std::string cwd = Cwd();
  auto run_id = (*store)->BeginRun(store::RunInfo{
      o.argv, cwd, Host(), WARDEN_VERSION, supervisor::NowNs(), pol ? pol->name : "",
      pol ? std::string(policy::ModeName(pol->mode)) : "", "", o.run_labels});
  if (!run_id.ok()) {
    log::Log(log::Level::kError, "run", "{}", std::string(run_id.status().message()));
    return kOwnError;
  }
  // Before the pin: the shipper's thread keeps every CPU, at a lower priority.
  std::unique_ptr<fleet::BackgroundShipper> shipper;
  if (!o.ship_url.empty())
    shipper = std::make_unique<fleet::BackgroundShipper>(o.db, o.ship_url, *run_id);
  if (o.pin_cpu) {
    // After BeginRun: the writer thread keeps every CPU; children of this
    // thread inherit the single one.
    if (absl::Status s = supervisor::PinCallingThread(*o.pin_cpu); !s.ok()) {
      log::Log(log::Level::kError, "run", "{}", std::string(s.message()));
      (void)(*store)->FinishRun(store::RunEnd{supervisor::NowNs(), 125, 0, 0});
      return kOwnError;
    }
  }
  // The status line counts the events on their way to the store.
  const bool progress = supervisor::ProgressWanted(o.progress, STDERR_FILENO);
  supervisor::CountingStore counting(store->get());
  supervisor::Tracer tracer(
      progress ? &counting : store->get(), supervisor::RecorderOptions{o.record_env},
      supervisor::TracerOptions{o.spin_us, o.kill_orphans.value_or(getpid() == 1), o.want_results, pol,
                                colocate});
  if (pol)
    (*store)->Submit(store::PolicyChange{supervisor::NowNs(), o.policy_file, pol->name, true, ""});
  // Before the program starts: asked-for reloading that cannot work is an
  // error, not a surprise later.
  std::unique_ptr<supervisor::PolicyReloader> reloader;
  if (o.reload) {
    const std::set<int> traced = TracedNumbers(spec);
    auto r = supervisor::PolicyReloader::Start(
        o.policy_file, policy_text, [&o, traced, &tracer, s = store->get()](const std::string& text) {
          OnPolicyChange(o, traced, &tracer, s, text);
        });
    if (!r.ok()) {
      log::Log(log::Level::kError, "run", "{}", std::string(r.status().message()));
      (void)(*store)->FinishRun(store::RunEnd{supervisor::NowNs(), 125, 0, 0});
      return kOwnError;
    }
    reloader = std::move(*r);
  }
  supervisor::BecomeSubreaper();
  supervisor::InstallSignalForwarding();
  auto pid = supervisor::Launch(o.argv, *filter);
  if (!pid.ok()) {
    log::Log(log::Level::kError, "run", "{}", std::string(pid.status().message()));
    (void)(*store)->FinishRun(store::RunEnd{supervisor::NowNs(), 125, 0, 0});
    return kOwnError;
  }
  supervisor::SetForwardTarget(*pid);
  std::unique_ptr<supervisor::ProgressLine> status_line;
  if (progress)
    status_line = std::make_unique<supervisor::ProgressLine>(
        STDERR_FILENO, [&tracer, &counting] {
          const auto& c = tracer.counters();
          return supervisor::ProgressSnapshot{c.processes.load(std::memory_order_relaxed),
                                              c.stops.load(std::memory_order_relaxed),
                                              counting.submitted(),
                                              c.denials.load(std::memory_order_relaxed)};
        });
  log::Log(log::Level::kDebug, "run", "run {} in {}: pid {} started, {} trace rules in the filter, policy {}", *run_id,
           o.db, *pid, spec.trace.size(), pol ? pol->name : "none");
  supervisor::ExitStatus st = tracer.Run(*pid, cwd, o.argv);
  log::Log(log::Level::kDebug, "run", "run {} ended: status {}{}, {} stops", *run_id, st.exit_code,
           st.signal ? fmt::format(" (signal {})", st.signal) : "", tracer.stops());
  status_line.reset();  // erased before anything else is printed
  reloader.reset();

  store::RunEnd end{supervisor::NowNs(), st.exit_code, st.signal, 0, tracer.stops()};
  absl::Status finished = (*store)->FinishRun(end);
  uint64_t lost = (*store)->lost_events();
  if (!finished.ok())
    log::Log(log::Level::kError, "run", "{}", std::string(finished.message()));
  if (lost > 0)
    log::Log(log::Level::kWarn, "run", "{} events could not be stored in {}", lost, o.db);
  if (uint64_t rings = tracer.io_uring_rings(); rings > 0)
    log::Log(log::Level::kWarn, "run",
               "the program set up io_uring ({} ring{}): files opened and connections "
               "made through a ring are not seen, so not recorded or judged (warden(1), BUGS AND "
               "LIMITS)",
               rings, rings == 1 ? "" : "s");
  if (shipper) ReportShipping(shipper->Finish(std::chrono::milliseconds(o.ship_wait_ms)), o, *run_id);
  if (!o.db_given)  // the default place: say where it is
    log::Log(log::Level::kInfo, "run", "recorded run {} in {}", *run_id, o.db);
  return st.exit_code;
}

}  // namespace warden::cli
