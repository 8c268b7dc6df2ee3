#include "harden/plan.h"

#include <sys/stat.h>

#include <deque>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "fmt/format.h"
#include "harden/elf_deps.h"
#include "harden/lib_search.h"
#include "harden/root_walk.h"
#include "harden/tree_walk.h"
#include "policy/glob.h"

namespace warden::harden {
namespace {

namespace fs = std::filesystem;

std::string Parent(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  return slash == 0 || slash == std::string::npos ? "/" : path.substr(0, slash);
}

// The NSS sources /etc/nsswitch.conf names ("files", "systemd", "dns"),
// without [ACTION] clauses.
std::vector<std::string> NssSources(const std::string& host_path) {
  std::vector<std::string> out;
  std::ifstream in(host_path);
  std::string line;
  while (std::getline(in, line)) {
    if (size_t hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    const size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::istringstream words(line.substr(colon + 1));
    std::string w;
    while (words >> w)
      if (w[0] != '[' && std::find(out.begin(), out.end(), w) == out.end()) out.push_back(w);
  }
  return out;
}

class Planner {
 public:
  explicit Planner(const PlanInput& in) : in_(in), libs_(in.root) {}

  Plan Run() {
    for (const std::string& p : in_.observed)
      if (!in_.keep.Excludes(p)) Add(p, Why::kObserved, "");
    AddListed();
    AddDefaults();
    ScanRoot();
    Drain();
    AddParents();
    return std::move(plan_);
  }

 private:
  // Queues `path` and every symlink on the way; the ELF closure follows in Drain.
  void Add(const std::string& path, Why why, const std::string& from) {
    RootWalk w = WalkInRoot(in_.root, path);
    // /proc/self/status and the like: made by the kernel, never an image's.
    if (w.target && OnPseudoFs(in_.root + *w.target)) return;
    for (const std::string& link : w.links) Insert(link, Why::kLinkOnTheWay, path);
    if (w.target && Insert(*w.target, why, from)) queue_.push_back(*w.target);
  }

  bool Insert(const std::string& path, Why why, const std::string& from) {
    return plan_.kept.emplace(path, Kept{why, from}).second;
  }

  void Drain() {
    while (!queue_.empty()) {
      const std::string path = std::move(queue_.front());
      queue_.pop_front();
      struct stat st;
      const std::string host = in_.root + path;
      if (lstat(host.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
      auto deps = ReadElfDeps(host);
      if (!deps.ok() || !deps->has_value()) continue;
      const ElfDeps& d = **deps;
      if (elf_class_.machine == 0) elf_class_ = d;
      if (!d.interpreter.empty()) Add(d.interpreter, Why::kElfDependency, path);
      for (const std::string& lib : d.needed) {
        if (auto found = libs_.Find(lib, d, path)) Add(*found, Why::kElfDependency, path);
        else plan_.missing.push_back(fmt::format("{} needs {}, which is not in the root", path, lib));
      }
    }
  }

  void AddDefaults() {
    const DefaultSet& d = in_.defaults;
    auto add = [&](const char* p) { Add(p, Why::kDefault, ""); };
    if (d.users) add("/etc/passwd"), add("/etc/group");
    if (d.hosts) add("/etc/hosts"), add("/etc/resolv.conf"), add("/etc/host.conf");
    if (d.ca) add("/etc/ssl/certs/ca-certificates.crt");
    if (d.tmp) add("/tmp");
    if (d.tz) add("/etc/localtime"), add("/etc/timezone");
    if (d.nss) {
      add("/etc/nsswitch.conf");
      Drain();  // the ELF class of what was kept picks the modules' class
      if (auto conf = InRoot(in_.root, "/etc/nsswitch.conf")) {
        ElfDeps cls = elf_class_;
        if (cls.machine == 0) cls.machine = 62;  // EM_X86_64
        for (const std::string& src : NssSources(*conf))
          if (auto found = libs_.Find(fmt::format("libnss_{}.so.2", src), cls, "/"))
            Add(*found, Why::kDefault, "/etc/nsswitch.conf");
      }
    }
  }

  // Keep-file lines and --keep-dir-of directories are matched against
  // every name of the source root (not following symlinks).
  void ScanRoot() {
    if (in_.keep.lines().empty() && in_.keep_dir_of.empty() && !in_.defaults.tz) return;
    std::error_code ec;
    const size_t prefix = in_.root == "/" ? 0 : in_.root.size();
    std::vector<std::string> kept_dirs;
    for (auto it = fs::recursive_directory_iterator(in_.root, fs::directory_options::skip_permission_denied, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      const std::string path = it->path().string().substr(prefix);
      bool under = false;
      for (const std::string& d : kept_dirs) under = under || path.starts_with(d + "/");
      if (under) {
        Add(path, Why::kKeepDirOf, "");
        continue;
      }
      if (it->is_directory(ec) && !it->is_symlink(ec)) {
        for (const std::string& g : in_.keep_dir_of)
          if (policy::GlobMatch(g, path)) {
            kept_dirs.push_back(path);
            Add(path, Why::kKeepDirOf, "");
          }
        if (in_.defaults.tz && path == "/usr/share/zoneinfo") {
          kept_dirs.push_back(path);
          Add(path, Why::kDefault, "");
        }
      }
      if (in_.keep.Keeps(path)) Add(path, Why::kKeepFile, "");
    }
  }

  // A listed directory showed every name in it: each stays (a directory
  // entry stays as a directory, not with its contents).
  void AddListed() {
    for (const std::string& dir : in_.listed) {
      RootWalk w = WalkInRoot(in_.root, dir);
      if (!w.target) continue;
      std::error_code ec;
      for (const auto& e : fs::directory_iterator(in_.root + *w.target, ec)) {
        const std::string path =
            (*w.target == "/" ? "" : *w.target) + "/" + e.path().filename().string();
        if (in_.keep.Excludes(path)) continue;
        if (e.is_directory(ec) && !e.is_symlink(ec)) Insert(path, Why::kListed, dir);
        else Add(path, Why::kListed, dir);
      }
    }
  }

  void AddParents() {
    std::vector<std::string> parents;
    for (const auto& [path, why] : plan_.kept)
      for (std::string p = Parent(path); p != "/" && !plan_.kept.contains(p); p = Parent(p))
        parents.push_back(p);
    for (const std::string& p : parents) Insert(p, Why::kParent, "");
  }

  const PlanInput& in_;
  LibrarySearch libs_;
  Plan plan_;
  std::deque<std::string> queue_;
  ElfDeps elf_class_;
};

}  // namespace

std::string_view WhyName(Why w) {
  switch (w) {
    case Why::kObserved: return "observed";
    case Why::kLinkOnTheWay: return "symlink";
    case Why::kElfDependency: return "elf-dependency";
    case Why::kDefault: return "default";
    case Why::kKeepFile: return "keep-file";
    case Why::kKeepDirOf: return "keep-dir-of";
    case Why::kParent: return "parent";
    case Why::kListed: return "listed";
  }
  return "?";
}

absl::StatusOr<Plan> MakePlan(const PlanInput& in) {
  struct stat st;
  if (stat(in.root.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    return absl::NotFoundError(fmt::format(
        "source root {} is not a directory; give --from-root an unpacked root filesystem", in.root));
  return Planner(in).Run();
}

}  // namespace warden::harden
