// `warden harden`: from recorded runs to a minimal root filesystem that
// holds only what they used, and why (harden/plan.h).
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/option_table.h"
#include "fmt/format.h"
#include "harden/copy_tree.h"
#include "harden/observed.h"
#include "harden/plan.h"
#include "harden/report.h"

namespace warden::cli {
namespace {

constexpr std::string_view kHardenUsage =
    R"(usage: warden harden [--db PATH] [--run ID]... --from-root DIR -o OUT [--keep FILE]
                     [--keep-dir-of GLOB]... [--no-default NAME]... [--tz]
                     [--dry-run] [--force] [--format text|json]
Write OUT, a copy of the root filesystem DIR that keeps only what the
recorded runs used: the files they opened, executed, stat'ed or listed, the
symlinks on the way (whole chains), their parent directories, the dynamic
loader and the libraries every kept ELF file needs (read from the files),
the defaults a service needs, and what the keep file adds. DIR is only read.
  --db PATH          database written by `warden run` (default ./warden.db)
  --run ID           a run to keep what it used (repeatable; default: the last)
  --from-root DIR    the source root filesystem (an unpacked image, or /)
  -o OUT             the hardened tree: a new or empty directory
  --keep FILE        one glob per line (** crosses directories), !GLOB to
                     take out, # comments (warden(1), HARDEN)
  --keep-dir-of GLOB keep whole the directories GLOB names (module trees
                     loaded dynamically: /usr/lib/python3*/**/site-packages)
  --no-default NAME  do not add a default: users (/etc/passwd, /etc/group),
                     nss (nsswitch.conf and its modules), hosts (hosts,
                     resolv.conf), ca (the CA bundle), tmp (/tmp, 1777)
  --tz               add /etc/localtime, /etc/timezone and /usr/share/zoneinfo
  --dry-run          print the report, write nothing
  --force            write into OUT even if it is not empty
  --format F         the report as text (default) or json
Exit status: 0; 2 for bad input (no such root, run or database, a keep file
with errors, an output that exists and is not empty); 1 when writing fails.
)";

int Fail(std::string_view message, int code = 2) {
  fmt::print(stderr, "warden harden: {}\n", message);
  return code;
}

struct Args {
  std::string db = "warden.db", root, out, keep, format = "text";
  std::vector<int64_t> runs;
  std::vector<std::string> keep_dir_of;
  harden::DefaultSet defaults;
  bool dry_run = false, force = false, help = false;
};

std::vector<Option> Table(Args& a) {
  auto set = [](std::string& field) {
    return [&field](const std::string& v) -> std::optional<std::string> {
      field = v;
      return std::nullopt;
    };
  };
  auto flag = [](bool& field) {
    return [&field](const std::string&) -> std::optional<std::string> {
      field = true;
      return std::nullopt;
    };
  };
  return {
      {"--db", true, set(a.db)},
      {"--run", true,
       [&a](const std::string& v) -> std::optional<std::string> {
         auto id = ParsePositive(v);
         if (!id) return BadRunId(v);
         a.runs.push_back(*id);
         return std::nullopt;
       }},
      {"--from-root", true, set(a.root)},
      {"-o", true, set(a.out)},
      {"--output", true, set(a.out)},
      {"--keep", true, set(a.keep)},
      {"--keep-dir-of", true,
       [&a](const std::string& v) -> std::optional<std::string> {
         a.keep_dir_of.push_back(v);
         return std::nullopt;
       }},
      {"--no-default", true,
       [&a](const std::string& v) -> std::optional<std::string> {
         harden::DefaultSet& d = a.defaults;
         if (v == "users") d.users = false;
         else if (v == "nss") d.nss = false;
         else if (v == "hosts") d.hosts = false;
         else if (v == "ca") d.ca = false;
         else if (v == "tmp") d.tmp = false;
         else return fmt::format("--no-default {}: not one of users, nss, hosts, ca, tmp", v);
         return std::nullopt;
       }},
      {"--tz", false, flag(a.defaults.tz)},
      {"--dry-run", false, flag(a.dry_run)},
      {"--force", false, flag(a.force)},
      {"--format", true,
       [&a](const std::string& v) -> std::optional<std::string> {
         if (v != "text" && v != "json") return fmt::format("--format {}: use text or json", v);
         a.format = v;
         return std::nullopt;
       }},
      {"--help", false, flag(a.help)},
      {"-h", false, flag(a.help)},
  };
}

}  // namespace

int HardenCommand(const std::vector<std::string>& args) {
  Args a;
  if (auto err = ParseOptions(args, Table(a))) return Fail(fmt::format("{}\n{}", *err, kHardenUsage));
  if (a.help) {
    fmt::print("{}", kHardenUsage);
    return 0;
  }
  if (a.root.empty()) return Fail("--from-root DIR is needed: the root filesystem to harden");
  if (a.out.empty() && !a.dry_run) return Fail("-o OUT is needed (or --dry-run)");
  char real[PATH_MAX];
  if (realpath(a.root.c_str(), real) == nullptr)
    return Fail(fmt::format("source root {}: {}; give an unpacked root filesystem", a.root,
                            strerror(errno)));
  harden::PlanInput in;
  in.root = real;
  in.keep_dir_of = a.keep_dir_of;
  in.defaults = a.defaults;
  if (!a.keep.empty()) {
    auto keep = harden::KeepFile::Read(a.keep);
    if (!keep.ok()) return Fail(std::string(keep.status().message()));
    in.keep = std::move(*keep);
  }
  auto observed = harden::ReadObserved(a.db, a.runs, real);
  if (!observed.ok()) return Fail(std::string(observed.status().message()));
  in.observed = std::move(observed->paths);
  in.listed = std::move(observed->listed);
  auto plan = harden::MakePlan(in);
  if (!plan.ok()) return Fail(std::string(plan.status().message()));
  if (!a.dry_run) {
    auto copied = harden::CopyTree(in.root, *plan, a.out, a.force);
    if (!copied.ok())
      return Fail(std::string(copied.status().message()), absl::IsFailedPrecondition(copied.status()) ? 2 : 1);
  }
  const harden::Report report = harden::MakeReport(in.root, a.out, *plan, a.dry_run);
  std::cout << (a.format == "json" ? harden::ReportJson(report) : harden::ReportText(report));
  std::cout.flush();
  if (!std::cout) return Fail("cannot write the report", 1);
  return 0;
}

}  // namespace warden::cli
