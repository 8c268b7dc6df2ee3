#include "stub/bundle.h"

#include <limits.h>
#include <stdlib.h>

#include <deque>
#include <filesystem>
#include <map>

#include "fmt/format.h"
#include "harden/elf_deps.h"
#include "harden/lib_search.h"

namespace warden::stub {

absl::StatusOr<Bundle> MakeBundle(const std::string& warden) {
  const std::string lib = std::string(kBundleDir.substr(1)) + "/lib/";
  harden::LibrarySearch search("/");
  std::map<std::string, std::string> libs;  // name in the bundle -> host file
  std::string loader;
  std::deque<std::string> queue = {warden};
  while (!queue.empty()) {
    const std::string object = queue.front();
    queue.pop_front();
    auto deps = harden::ReadElfDeps(object);
    if (!deps.ok()) return deps.status();
    if (!deps->has_value()) return absl::InvalidArgumentError(fmt::format("{}: not an ELF file", object));
    const harden::ElfDeps& d = **deps;
    if (!d.interpreter.empty() && loader.empty()) loader = d.interpreter;
    for (const std::string& name : d.needed) {
      if (libs.contains(name)) continue;
      auto found = search.Find(name, d, object);
      if (!found) return absl::NotFoundError(fmt::format("{} needs {}, which this machine's loader does not find", object, name));
      libs[name] = *found;
      queue.push_back(*found);
    }
  }
  if (loader.empty()) return absl::InvalidArgumentError(fmt::format("{}: no dynamic loader (a static binary needs no bundle)", warden));
  Bundle b;
  char real[PATH_MAX];
  auto add = [&](const std::string& name, const std::string& from, int mode) -> absl::Status {
    if (realpath(from.c_str(), real) == nullptr) return absl::NotFoundError(fmt::format("{}: not found", from));
    b.files.push_back({name, real, mode});
    return absl::OkStatus();
  };
  const std::string loader_name = std::filesystem::path(loader).filename();
  if (auto s = add(std::string(kBundleDir.substr(1)) + "/bin/warden", warden, 0755); !s.ok()) return s;
  if (auto s = add(lib + loader_name, loader, 0755); !s.ok()) return s;
  for (const auto& [name, from] : libs)
    if (name != loader_name)
      if (auto s = add(lib + name, from, 0644); !s.ok()) return s;
  b.launch = {fmt::format("{}/lib/{}", kBundleDir, loader_name), "--library-path",
              fmt::format("{}/lib", kBundleDir), fmt::format("{}/bin/warden", kBundleDir)};
  return b;
}

}  // namespace warden::stub
