#include "stub/stub.h"

#include <errno.h>
#include <stdio.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "fmt/format.h"
#include "image/digest.h"
#include "image/layout.h"
#include "image/tar_writer.h"
#include "image/unpack.h"
#include "nlohmann/json.hpp"
#include "stub/bundle.h"

namespace warden::stub {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

constexpr std::string_view kPolicyPath = "/etc/warden/policy.yaml";

absl::Status Bad(std::string_view what) { return absl::InvalidArgumentError(std::string(what)); }

std::vector<std::string> Strings(const Json& j) {
  std::vector<std::string> v;
  if (j.is_array())
    for (const Json& s : j)
      if (s.is_string()) v.push_back(s);
  return v;
}

// Every directory on the way to `name` ("a/b/c" -> "a", "a/b"), once.
void AddParents(image::TarWriter& tar, const std::string& name, std::set<std::string>& done, absl::Status& s) {
  std::vector<std::string> chain;
  for (fs::path p = fs::path(name).parent_path(); !p.empty(); p = p.parent_path())
    chain.insert(chain.begin(), p.string());
  for (const std::string& d : chain)
    if (s.ok() && done.insert(d).second) s = tar.AddDir(d, 0755);
}

// The new layer: the bundle, the policy, the database directory.
absl::Status WriteLayer(const std::string& path, const Bundle& bundle, const StubOptions& o) {
  auto tar = image::TarWriter::Create(path);
  if (!tar.ok()) return tar.status();
  std::set<std::string> dirs;
  absl::Status s;
  for (const BundleFile& f : bundle.files) {
    AddParents(*tar, f.name, dirs, s);
    if (s.ok()) s = tar->AddFile(f.name, f.from, f.mode);
  }
  if (s.ok() && !o.policy.empty()) {
    const std::string name(kPolicyPath.substr(1));
    AddParents(*tar, name, dirs, s);
    if (s.ok()) s = tar->AddFile(name, o.policy, 0644);
  }
  // World-writable with the sticky bit, like /tmp: a non-root USER can
  // write its database there when no volume is mounted.
  const std::string db_dir = o.db_dir.substr(1);
  AddParents(*tar, db_dir, dirs, s);
  if (s.ok()) s = tar->AddDir(db_dir, 01777);
  if (!s.ok()) return s;
  return tar->Close();
}

}  // namespace

absl::StatusOr<StubResult> MakeStub(const StubOptions& o) {
  if (o.db_dir.empty() || o.db_dir[0] != '/' || o.db_dir.size() < 2)
    return Bad(fmt::format("--db-dir {}: give an absolute directory", o.db_dir));
  std::error_code ec;
  std::string dir = o.image;
  if (!fs::is_directory(o.image, ec)) {
    if (!fs::exists(o.image, ec)) return Bad(fmt::format("image {}: no such file", o.image));
    dir = o.scratch + "/image";
    fs::create_directory(dir, ec);
    if (auto s = image::ExtractTar(o.image, dir); !s.ok())
      return Bad(fmt::format("image {} (give a `docker save` archive, an OCI image layout or a tar of one)",
                             std::string(s.message())));
  }
  auto layout = image::ReadLayout(dir);
  if (!layout.ok()) return layout.status();
  std::ifstream in(layout->config);
  std::stringstream text;
  text << in.rdbuf();
  Json config = Json::parse(text.str(), nullptr, false);
  if (config.is_discarded() || !config.is_object()) return Bad(fmt::format("image config {}: not JSON", layout->config));
  Json& c = config["config"];
  if (!c.is_object()) c = Json::object();
  if (c.contains("Entrypoint") && Strings(c["Entrypoint"]).size() >= 4 &&
      Strings(c["Entrypoint"])[3] == std::string(kBundleDir) + "/bin/warden")
    return Bad(fmt::format("image {} already starts under warden", o.image));
  StubResult r;
  r.cmd = Strings(c["Cmd"]);
  const std::vector<std::string> entry = Strings(c["Entrypoint"]);
  if (entry.empty() && r.cmd.empty()) return Bad(fmt::format("image {} has neither an entrypoint nor a command", o.image));
  if (!o.policy.empty() && !fs::is_regular_file(o.policy, ec)) return Bad(fmt::format("--policy {}: no such file", o.policy));

  auto bundle = MakeBundle(o.warden);
  if (!bundle.ok()) return bundle.status();
  const std::string layer = o.scratch + "/warden-layer.tar";
  if (auto s = WriteLayer(layer, *bundle, o); !s.ok()) return s;
  auto diff_id = image::Sha256OfFile(layer);
  if (!diff_id.ok()) return diff_id.status();
  r.diff_id = *diff_id;

  r.entrypoint = bundle->launch;
  r.entrypoint.insert(r.entrypoint.end(), {"run", "--db", o.db_dir + "/warden.db"});
  if (!o.policy.empty()) r.entrypoint.insert(r.entrypoint.end(), {"--policy", std::string(kPolicyPath)});
  r.entrypoint.insert(r.entrypoint.end(), o.run_options.begin(), o.run_options.end());
  r.entrypoint.push_back("--");
  r.entrypoint.insert(r.entrypoint.end(), entry.begin(), entry.end());
  c["Entrypoint"] = r.entrypoint;
  if (!c.contains("Volumes") || !c["Volumes"].is_object()) c["Volumes"] = Json::object();
  c["Volumes"][o.db_dir] = Json::object();
  if (!c.contains("Labels") || !c["Labels"].is_object()) c["Labels"] = Json::object();
  c["Labels"]["io.warden.stub"] = "1";
  if (!config.contains("rootfs") || !config["rootfs"].is_object()) return Bad(fmt::format("image config {}: no rootfs", layout->config));
  config["rootfs"]["diff_ids"].push_back(r.diff_id);
  config["history"].push_back(Json{{"created_by", "warden stub"}, {"comment", "warden's bundle and its database directory"}});

  r.tag = !o.tag.empty() ? o.tag : layout->tags.empty() ? "warden-stub:latest" : layout->tags[0] + "-stub";
  if (o.tag.empty() && !layout->tags.empty() && layout->tags[0].find(':') == std::string::npos)
    r.tag = layout->tags[0] + ":latest-stub";
  const std::string config_text = config.dump();
  const std::string config_name = image::Sha256OfText(config_text).substr(7) + ".json";
  const std::string layer_name = r.diff_id.substr(7) + "/layer.tar";

  Json manifest = Json::array({Json{{"Config", config_name}, {"RepoTags", {r.tag}}, {"Layers", Json::array()}}});
  std::vector<std::pair<std::string, std::string>> files;  // name in the archive -> file
  for (const std::string& l : layout->layers) {
    const std::string name = fs::relative(l, dir).string();
    manifest[0]["Layers"].push_back(name);
    files.emplace_back(name, l);
  }
  manifest[0]["Layers"].push_back(layer_name);
  files.emplace_back(layer_name, layer);
  r.layers = files.size();

  const std::string tmp = o.out + ".part";
  auto tar = image::TarWriter::Create(tmp);
  if (!tar.ok()) return tar.status();
  absl::Status s;
  std::set<std::string> dirs;
  for (const auto& [name, from] : files) {
    AddParents(*tar, name, dirs, s);
    if (s.ok()) s = tar->AddFile(name, from, 0644);
  }
  if (s.ok()) s = tar->AddText(config_name, config_text, 0644);
  if (s.ok()) s = tar->AddText("manifest.json", manifest.dump(), 0644);
  if (s.ok()) s = tar->Close();
  if (s.ok() && rename(tmp.c_str(), o.out.c_str()) != 0)
    s = absl::InternalError(fmt::format("{}: {}", o.out, strerror(errno)));
  if (!s.ok()) fs::remove(tmp, ec);
  if (!s.ok()) return s;
  return r;
}

}  // namespace warden::stub
