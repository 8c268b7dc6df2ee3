// `warden harden`: from recorded runs to a minimal root filesystem that
// holds only what they used, and why (harden/plan.h).
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "cli/default_db.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "cli/option_table.h"
#include "fmt/format.h"
#include "harden/check.h"
#include "harden/copy_tree.h"
#include "harden/observed.h"
#include "harden/plan.h"
#include "harden/report.h"
#include "image/unpack.h"

namespace warden::cli {
namespace {

constexpr std::string_view kHardenUsage =
    R"(usage: warden harden [--db PATH] [--run ID]... (--from-root DIR | --from-image PATH)
                     [--run-root DIR] -o OUT [--keep FILE] [--keep-dir-of GLOB]...
                     [--no-default NAME]... [--tz] [--dry-run] [--force] [--format text|json]
       warden harden --check OUT [--db PATH] [--run ID]... [--from-root DIR | --from-image PATH]
                     [--run-root DIR] [--check-db PATH] [--format text|json] -- CMD [ARG]...
Write OUT, a copy of the root filesystem DIR that keeps only what the
recorded runs used: the files they opened, executed, stat'ed or listed, the
symlinks on the way (whole chains), their parent directories, the dynamic
loader and the libraries every kept ELF file needs (read from the files),
the defaults a service needs, and what the keep file adds. DIR is only read.
  --db PATH          database written by `warden run` (default: see warden(1), FILES)
  --run ID           a run to keep what it used (repeatable; default: the last)
  --from-root DIR    the source root filesystem (an unpacked image, or /)
  --from-image PATH  the source as an image: a `docker save` archive, an OCI
                     image layout or a tar of one (unpacked to $TMPDIR)
  --run-root DIR     the root the recorded runs ran in, as warden saw it
                     (default: DIR; for an image, the runs' own root)
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
With --check, run CMD again inside the hardened tree OUT (chroot; in a new
user namespace when not root) under `warden run`, and compare it with the
recorded run: the exit status, and every file the check looked for in OUT
and did not find although the original run found it or DIR has it.
  --check OUT        the hardened tree to check
  --check-db PATH    keep the check run's database there (default: a
                     temporary file, removed afterwards)
Exit status: 0; 2 for bad input (no such root, run or database, a keep file
with errors, an output that exists and is not empty); 1 when writing fails,
or with --check when the check run differs from the original.
)";

int Fail(std::string_view message, int code = 2) {
  fmt::print(stderr, "warden harden: {}\n", message);
  return code;
}

struct Args {
  std::string db = DefaultDb(), root, image, run_root, out, keep, format = "text", check, check_db;
  std::vector<std::string> command;  // after "--", for --check
  std::vector<int64_t> runs;
  std::vector<std::string> keep_dir_of;
  harden::DefaultSet defaults;
  bool dry_run = false, force = false, help = false;
};

std::vector<Option> Table(Args& a) {
  return {
      SetOption("--db", a.db),
      {"--run", true,
       [&a](const std::string& v) -> std::optional<std::string> {
         auto id = ParsePositive(v);
         if (!id) return BadRunId(v);
         a.runs.push_back(*id);
         return std::nullopt;
       }},
      SetOption("--from-root", a.root),
      SetOption("--from-image", a.image),
      SetOption("--run-root", a.run_root),
      SetOption("-o", a.out),
      SetOption("--output", a.out),
      SetOption("--keep", a.keep),
      AppendOption("--keep-dir-of", a.keep_dir_of),
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
      FlagOption("--tz", a.defaults.tz),
      SetOption("--check", a.check),
      SetOption("--check-db", a.check_db),
      FlagOption("--dry-run", a.dry_run),
      FlagOption("--force", a.force),
      {"--format", true,
       [&a](const std::string& v) -> std::optional<std::string> {
         if (v != "text" && v != "json") return fmt::format("--format {}: use text or json", v);
         a.format = v;
         return std::nullopt;
       }},
      FlagOption("--help", a.help),
      FlagOption("-h", a.help),
  };
}


// The program that puts CMD in the tree: chroot(8), inside a new user
// namespace (unshare(1), mapped to root there) when warden is not root.
std::vector<std::string> EnterTree(const std::string& tree) {
  std::vector<std::string> argv;
  if (geteuid() != 0) argv = {"/usr/bin/unshare", "--user", "--map-root-user"};
  argv.insert(argv.end(), {"/usr/sbin/chroot", tree});
  return argv;
}

// A temporary directory under $TMPDIR (else /tmp), removed with the object.
class TempDir {
 public:
  explicit TempDir(std::string_view what) {
    const char* tmp = getenv("TMPDIR");
    std::string tmpl = fmt::format("{}/warden-{}.XXXXXX", tmp != nullptr && *tmp ? tmp : "/tmp", what);
    char real[PATH_MAX];
    if (mkdtemp(tmpl.data()) != nullptr && realpath(tmpl.c_str(), real) != nullptr) dir_ = real;
  }
  ~TempDir() {
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  bool ok() const { return !dir_.empty(); }
  const std::string& path() const { return dir_; }

 private:
  std::string dir_;
};

// The source root filesystem: --from-root DIR, or --from-image unpacked
// into `scratch`; "" when neither is given. And the root the recorded runs
// ran in, as warden saw it (--run-root, else DIR; an image's runs ran in
// a container, in its own root).
struct Source {
  std::string root, run_root;
};

absl::StatusOr<Source> FindSource(const Args& a, const TempDir& scratch) {
  if (!a.root.empty() && !a.image.empty()) return absl::InvalidArgumentError("give --from-root or --from-image, not both");
  Source src;
  char real[PATH_MAX];
  if (!a.root.empty()) {
    if (realpath(a.root.c_str(), real) == nullptr)
      return absl::InvalidArgumentError(fmt::format("source root {}: {}; give an unpacked root filesystem",
                                                    a.root, strerror(errno)));
    src.root = src.run_root = real;
  } else if (!a.image.empty()) {
    if (!scratch.ok()) return absl::InternalError(fmt::format("cannot make a temporary directory: {}", strerror(errno)));
    auto root = image::UnpackImage(a.image, scratch.path());
    if (!root.ok()) return root.status();
    src.root = *root;
    src.run_root = "/";
  }
  if (!a.run_root.empty()) {
    if (realpath(a.run_root.c_str(), real) == nullptr)
      return absl::InvalidArgumentError(fmt::format("--run-root {}: {}", a.run_root, strerror(errno)));
    src.run_root = real;
  }
  return src;
}

int Check(const Args& a) {
  if (a.command.empty()) return Fail("--check OUT needs the command to run in it: --check OUT -- CMD [ARG]...");
  char out[PATH_MAX];
  if (realpath(a.check.c_str(), out) == nullptr || !std::filesystem::is_directory(out))
    return Fail(fmt::format("--check {}: not a directory; give the tree `warden harden -o` wrote", a.check));
  harden::CheckInput in;
  in.original_db = a.db;
  in.runs = a.runs;
  in.out = out;
  TempDir scratch("image");
  auto src = FindSource(a, scratch);
  if (!src.ok()) return Fail(std::string(src.status().message()));
  in.source_root = src->root;
  in.run_root = src->run_root;
  // The original run first: bad input is found before anything runs.
  if (auto st = harden::ReadObserved(a.db, a.runs, in.run_root); !st.ok())
    return Fail(std::string(st.status().message()));
  const std::vector<std::string> enter = EnterTree(out);
  for (const std::string& tool : {enter.front(), std::string("/usr/sbin/chroot")})
    if (access(tool.c_str(), X_OK) != 0)
      return Fail(fmt::format("--check needs {} to enter the tree: {}", tool, strerror(errno)), 1);
  TempDir temp("check");
  in.check_db = a.check_db.empty() ? temp.path() + "/check.db" : a.check_db;
  if (a.check_db.empty() && !temp.ok()) return Fail(fmt::format("cannot make a temporary directory: {}", strerror(errno)), 1);
  std::vector<std::string> run = {"--db", in.check_db, "--"};
  run.insert(run.end(), enter.begin(), enter.end());
  run.insert(run.end(), a.command.begin(), a.command.end());
  RunCommand(run);
  auto report = harden::CompareCheck(in);
  if (!report.ok()) return Fail(std::string(report.status().message()), 1);
  std::cout << (a.format == "json" ? harden::CheckJson(*report) : harden::CheckText(*report));
  std::cout.flush();
  if (!std::cout) return Fail("cannot write the report", 1);
  return report->Same() ? 0 : 1;
}

}  // namespace

int HardenCommand(const std::vector<std::string>& all) {
  Args a;
  std::vector<std::string> args = all;
  if (auto dash = std::find(args.begin(), args.end(), "--"); dash != args.end()) {
    a.command.assign(dash + 1, args.end());
    args.erase(dash, args.end());
  }
  if (auto err = ParseOptions(args, Table(a))) return Fail(fmt::format("{} (warden harden --help)", *err));
  if (a.help) {
    fmt::print("{}", kHardenUsage);
    return 0;
  }
  if (!a.check.empty()) return Check(a);
  if (!a.command.empty()) return Fail("a command after -- is only for --check OUT");
  if (a.root.empty() && a.image.empty())
    return Fail("--from-root DIR or --from-image PATH is needed: the root filesystem to harden");
  if (a.out.empty() && !a.dry_run) return Fail("-o OUT is needed (or --dry-run)");
  TempDir scratch("image");
  auto src = FindSource(a, scratch);
  if (!src.ok()) return Fail(std::string(src.status().message()));
  harden::PlanInput in;
  in.root = src->root;
  in.keep_dir_of = a.keep_dir_of;
  in.defaults = a.defaults;
  if (!a.keep.empty()) {
    auto keep = harden::KeepFile::Read(a.keep);
    if (!keep.ok()) return Fail(std::string(keep.status().message()));
    in.keep = std::move(*keep);
  }
  auto observed = harden::ReadObserved(a.db, a.runs, src->run_root);
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
  harden::Report report = harden::MakeReport(in.root, a.out, *plan, a.dry_run);
  if (!a.image.empty()) report.root = a.image;
  std::cout << (a.format == "json" ? harden::ReportJson(report) : harden::ReportText(report));
  std::cout.flush();
  if (!std::cout) return Fail("cannot write the report", 1);
  return 0;
}

}  // namespace warden::cli
