// `warden learn`: write a policy (warden-policy(5)) that allows what
// recorded runs did (learn/learn.h).
#include <cstdlib>
#include <string>
#include <vector>

#include "cli/default_db.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "cli/option_table.h"
#include "cli/source.h"
#include "cli/output.h"
#include "fmt/format.h"
#include "learn/learn.h"
#include "forensics/timeparse.h"

namespace warden::cli {
namespace {

constexpr std::string_view kLearnUsage =
    R"(usage: warden learn [--db PATH]... [--run ID]... [--from T] [--to T] [--merge FILE]
                    [--mode permissive|active] [--collapse N] [--exact] [-o FILE]
Write a policy (warden-policy(5)) that allows what recorded runs did and
denies the rest: rules per program for the files it read and wrote, the
programs it executed, the peers it connected to, the ports it listened on and
the peers it accepted, each with a comment saying which events justify it.
  --db PATH          database written by `warden run` (default: see warden(1), FILES);
                     repeat for replicas of one service; read, never changed
  --pg URL           instead of --db: the runs shipped to PostgreSQL (warden ship)
  --select K=V,...   with --pg: the runs whose labels include these
  --run ID           a run of each database (repeatable; default: the last
                     run, or with --from/--to every run with events inside)
  --from T, --to T   only events inside the window (RFC 3339, "2h ago", ...)
  --merge FILE       keep FILE's rules (first, in order), names, defaults and
                     mode, and add only what they do not cover yet
  --mode M           permissive (default: judge and record, enforce nothing)
                     or active (enforce)
  --collapse N       a directory with more than N entries read (or written)
                     by one program becomes dir/* or dir/** (default 10)
  --exact            keep every path literal
  -o FILE            write FILE (replaced only when complete; default stdout)
Learning again from the same runs with --merge of the previous output gives
the same bytes.
Exit status: 0; 2 for a usage error, a database or run that does not exist,
or a --merge file that cannot be read or has errors; 1 when the output
cannot be written.
)";

int Fail(std::string_view message, int code = 2) {
  fmt::print(stderr, "warden learn: {}\n", message);
  return code;
}

std::vector<Option> LearnOptions(learn::LearnOptions& o, std::string& out) {
  std::vector<Option> t;
  AddSelectionOptions(t, o.selection, forensics::NowNs());
  auto set_out = [&out](const std::string& v) -> std::optional<std::string> {
    out = v;
    return std::nullopt;
  };
  t.push_back({"-o", true, set_out});
  t.push_back({"--output", true, set_out});
  t.push_back({"--merge", true, [&o](const std::string& v) -> std::optional<std::string> {
                 o.merge = v;
                 return std::nullopt;
               }});
  t.push_back({"--mode", true, [&o](const std::string& v) -> std::optional<std::string> {
                 auto mode = policy::ParseMode(v);
                 if (!mode || *mode == policy::Mode::kInactive)
                   return fmt::format("--mode wants permissive or active, got '{}'", v);
                 o.mode = *mode;
                 return std::nullopt;
               }});
  t.push_back({"--exact", false, [&o](const std::string&) -> std::optional<std::string> {
                 o.gen.exact = true;
                 return std::nullopt;
               }});
  t.push_back({"--collapse", true, [&o](const std::string& v) -> std::optional<std::string> {
                 auto n = ParsePositive(v);
                 if (!n || *n > 1'000'000) return fmt::format("--collapse wants a number of entries (10), got '{}'", v);
                 o.gen.collapse = static_cast<int>(*n);
                 return std::nullopt;
               }});
  return t;
}

}  // namespace

int LearnCommand(const std::vector<std::string>& args) {
  for (const auto& a : args)
    if (a == "-h" || a == "--help") {
      fmt::print("{}", kLearnUsage);
      return 0;
    }
  learn::LearnOptions options;
  std::string out_path;
  if (auto error = ParseOptions(args, LearnOptions(options, out_path)))
    return Fail(fmt::format("{}\n(see `warden learn --help`)", *error));
  if (const char* tmp = std::getenv("TMPDIR"); tmp && *tmp == '/') options.gen.temp_dirs.push_back(tmp);
  auto source = OpenSource(options.selection);
  if (!source.ok()) return Fail(std::string(source.status().message()));
  auto text = learn::Learn(options, **source);
  if (!text.ok()) return Fail(std::string(text.status().message()));
  // Only now: a failed learn leaves an existing -o FILE as it was.
  auto out = Output::Open(out_path, false);
  if (!out.ok()) return Fail(std::string(out.status().message()), 1);
  (*out)->stream() << *text;
  if (auto s = (*out)->Commit(); !s.ok()) return Fail(std::string(s.message()), 1);
  return 0;
}

}  // namespace warden::cli
