// `warden stub`: a stub image, the original plus warden (stub/stub.h).
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/option_table.h"
#include "fmt/format.h"
#include "stub/bundle.h"
#include "stub/stub.h"

namespace warden::cli {
namespace {

constexpr std::string_view kStubUsage =
    R"(usage: warden stub IMAGE -o OUT [--tag TAG] [--policy FILE] [--db-dir DIR]
                   [--run-option OPT]... [--warden BIN]
       warden stub --bundle DIR [--warden BIN]
Write OUT, a `docker save` archive of IMAGE plus warden: its entrypoint
wrapped so that the container starts under `warden run`, recording into
DIR/warden.db (a volume). Load it with `docker load -i OUT`.
  IMAGE              a `docker save` archive, an OCI image layout, or a tar of one
  -o OUT             the stub image archive to write
  --tag TAG          its tag (default: the image's tag with "-stub" added)
  --policy FILE      enforce this policy in the container (copied to
                     /etc/warden/policy.yaml)
  --db-dir DIR       the database's directory in the container (default
                     /var/lib/warden; declared a volume)
  --run-option OPT   one more `warden run` option, such as --orphans=wait
                     (repeatable)
  --warden BIN       the warden binary to put in (default: this one)
With --bundle, write only warden's self-contained bundle into DIR
(DIR/opt/warden/...), for a Dockerfile to COPY (examples/container/).
Exit status: 0; 2 for bad input (not an image, no entrypoint or command, no
such policy), nothing written; 1 when writing fails.
)";

struct Args {
  std::string image, out, tag, policy, db_dir = "/var/lib/warden", warden, bundle;
  std::vector<std::string> run_options;
  bool help = false;
};

int Fail(std::string_view message, int code = 2) {
  fmt::print(stderr, "warden stub: {}\n", message);
  return code;
}

// --bundle DIR: the bundle's files under DIR, as the stub's layer has them.
int WriteBundle(const Args& a) {
  auto bundle = stub::MakeBundle(a.warden);
  if (!bundle.ok()) return Fail(std::string(bundle.status().message()), 1);
  namespace fs = std::filesystem;
  std::error_code ec;
  for (const stub::BundleFile& f : bundle->files) {
    const fs::path to = fs::path(a.bundle) / f.name;
    fs::create_directories(to.parent_path(), ec);
    if (!ec) fs::copy_file(f.from, to, fs::copy_options::overwrite_existing, ec);
    if (!ec) fs::permissions(to, static_cast<fs::perms>(f.mode), ec);
    if (ec) return Fail(fmt::format("{}: {}", to.string(), ec.message()), 1);
  }
  std::string launch;
  for (const std::string& w : bundle->launch) launch += (launch.empty() ? "\"" : ", \"") + w + "\"";
  fmt::print("wrote warden's bundle ({} files) under {}\nstart it as: [{}, \"run\", ...]\n",
             bundle->files.size(), a.bundle, launch);
  return 0;
}

}  // namespace

int StubCommand(const std::vector<std::string>& all) {
  Args a;
  std::vector<std::string> args;
  // IMAGE: the one argument that is neither an option nor an option's value.
  const std::set<std::string> with_value = {"-o",       "--output", "--tag",        "--policy",
                                            "--db-dir", "--warden", "--run-option", "--bundle"};
  for (const std::string& s : all) {
    if (!s.starts_with("-") && a.image.empty() && (args.empty() || !with_value.contains(args.back())))
      a.image = s;
    else
      args.push_back(s);
  }
  std::vector<Option> table = {
      SetOption("-o", a.out),         SetOption("--output", a.out),   SetOption("--tag", a.tag),
      SetOption("--policy", a.policy), SetOption("--db-dir", a.db_dir), SetOption("--warden", a.warden),
      SetOption("--bundle", a.bundle),
      AppendOption("--run-option", a.run_options), FlagOption("--help", a.help), FlagOption("-h", a.help),
  };
  if (auto err = ParseOptions(args, table)) return Fail(fmt::format("{} (warden stub --help)", *err));
  if (a.help) {
    fmt::print("{}", kStubUsage);
    return 0;
  }
  if (a.warden.empty()) {
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0) return Fail("cannot find this warden binary; give --warden BIN", 1);
    self[n] = '\0';
    a.warden = self;
  }
  if (!a.bundle.empty()) return WriteBundle(a);
  if (a.image.empty()) return Fail("IMAGE is needed (warden stub --help)");
  if (a.out.empty()) return Fail("-o OUT is needed: the stub image archive to write");
  const char* tmp = getenv("TMPDIR");
  std::string scratch = fmt::format("{}/warden-stub.XXXXXX", tmp != nullptr && *tmp ? tmp : "/tmp");
  if (mkdtemp(scratch.data()) == nullptr) return Fail(fmt::format("cannot make a temporary directory: {}", strerror(errno)), 1);
  stub::StubOptions o{a.image, a.out, a.tag, a.policy, a.db_dir, a.warden, a.run_options, scratch};
  auto r = stub::MakeStub(o);
  std::error_code ec;
  std::filesystem::remove_all(scratch, ec);
  if (!r.ok()) return Fail(std::string(r.status().message()), absl::IsInvalidArgument(r.status()) ? 2 : 1);
  std::string entry;
  for (const std::string& e : r->entrypoint) entry += (entry.empty() ? "" : " ") + e;
  fmt::print("wrote {}: {} ({} layers, the last one warden's, {})\nentrypoint: {}\n", a.out, r->tag, r->layers,
             r->diff_id, entry);
  fmt::print("load it with: docker load -i {}\n", a.out);
  return 0;
}

}  // namespace warden::cli
