#include "image/layout.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "fmt/format.h"
#include "nlohmann/json.hpp"

namespace warden::image {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

absl::Status Bad(const std::string& file, std::string_view what) {
  return absl::InvalidArgumentError(fmt::format("image file {}: {}", file, what));
}

absl::StatusOr<Json> ReadJson(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Bad(path, "cannot be read; is this a `docker save` archive or an OCI image layout?");
  std::stringstream text;
  text << in.rdbuf();
  Json j = Json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Bad(path, "is not JSON");
  return j;
}

// A path named inside the image, which must stay inside its directory.
absl::StatusOr<std::string> Inside(const std::string& dir, const std::string& file, const std::string& name) {
  const fs::path p = fs::path(name).lexically_normal();
  if (name.empty() || p.is_absolute() || *p.begin() == "..")
    return Bad(file, fmt::format("names '{}', outside the image", name));
  return dir + "/" + p.string();
}

// "sha256:abc" -> DIR/blobs/sha256/abc
absl::StatusOr<std::string> Blob(const std::string& dir, const std::string& file, const Json& descriptor) {
  if (!descriptor.is_object() || !descriptor.contains("digest") || !descriptor["digest"].is_string())
    return Bad(file, "a descriptor has no digest");
  const std::string digest = descriptor["digest"];
  const size_t colon = digest.find(':');
  if (colon == std::string::npos || digest.find('/') != std::string::npos)
    return Bad(file, fmt::format("bad digest '{}'", digest));
  return Inside(dir, file, "blobs/" + digest.substr(0, colon) + "/" + digest.substr(colon + 1));
}

absl::StatusOr<Layout> DockerSave(const std::string& dir) {
  const std::string file = dir + "/manifest.json";
  auto j = ReadJson(file);
  if (!j.ok()) return j.status();
  if (!j->is_array() || j->empty() || !(*j)[0].is_object()) return Bad(file, "is not a list of images");
  if (j->size() > 1) return Bad(file, "holds several images; save one image per archive");
  const Json& m = (*j)[0];
  Layout l{Format::kDockerSave, dir, "", {}, {}};
  if (!m.contains("Config") || !m["Config"].is_string()) return Bad(file, "has no Config");
  auto config = Inside(dir, file, m["Config"]);
  if (!config.ok()) return config.status();
  l.config = *config;
  if (!m.contains("Layers") || !m["Layers"].is_array()) return Bad(file, "has no Layers");
  for (const Json& layer : m["Layers"]) {
    if (!layer.is_string()) return Bad(file, "a layer is not a path");
    auto p = Inside(dir, file, layer);
    if (!p.ok()) return p.status();
    l.layers.push_back(*p);
  }
  if (m.contains("RepoTags") && m["RepoTags"].is_array())
    for (const Json& t : m["RepoTags"])
      if (t.is_string()) l.tags.push_back(t);
  return l;
}

absl::StatusOr<Layout> OciLayout(const std::string& dir) {
  const std::string index = dir + "/index.json";
  auto j = ReadJson(index);
  if (!j.ok()) return j.status();
  if (!j->contains("manifests") || !(*j)["manifests"].is_array() || (*j)["manifests"].empty())
    return Bad(index, "lists no manifests");
  const Json& desc = (*j)["manifests"][0];
  if ((*j)["manifests"].size() > 1) return Bad(index, "lists several images; use a layout of one");
  auto manifest_path = Blob(dir, index, desc);
  if (!manifest_path.ok()) return manifest_path.status();
  auto m = ReadJson(*manifest_path);
  if (!m.ok()) return m.status();
  if (m->contains("manifests")) return Bad(*manifest_path, "is an index of several platforms; pick one");
  Layout l{Format::kOciLayout, dir, "", {}, {}};
  if (!m->contains("config")) return Bad(*manifest_path, "has no config");
  auto config = Blob(dir, *manifest_path, (*m)["config"]);
  if (!config.ok()) return config.status();
  l.config = *config;
  if (!m->contains("layers") || !(*m)["layers"].is_array()) return Bad(*manifest_path, "has no layers");
  for (const Json& layer : (*m)["layers"]) {
    auto p = Blob(dir, *manifest_path, layer);
    if (!p.ok()) return p.status();
    l.layers.push_back(*p);
  }
  if (desc.contains("annotations") && desc["annotations"].is_object() &&
      desc["annotations"].contains("org.opencontainers.image.ref.name") &&
      desc["annotations"]["org.opencontainers.image.ref.name"].is_string())
    l.tags.push_back(desc["annotations"]["org.opencontainers.image.ref.name"]);
  return l;
}

}  // namespace

absl::StatusOr<Layout> ReadLayout(const std::string& dir) {
  std::error_code ec;
  if (fs::exists(dir + "/manifest.json", ec)) return DockerSave(dir);
  if (fs::exists(dir + "/index.json", ec)) return OciLayout(dir);
  return absl::InvalidArgumentError(fmt::format(
      "{}: neither a `docker save` archive (manifest.json) nor an OCI image layout (index.json)", dir));
}

}  // namespace warden::image
