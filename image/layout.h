// Container images as files, read without a daemon: a `docker save`
// archive or an OCI image layout (a directory, or a tar of one). Both name
// a configuration (entrypoint, command, environment) and the layers, in
// order, as tar files (compressed or not) under the image's directory.
//
// Why libarchive and not umoci or skopeo: the images are read in-process,
// their paths checked one by one (an image is untrusted input), and
// nothing else has to be installed at run time.
#ifndef WARDEN_IMAGE_LAYOUT_H_
#define WARDEN_IMAGE_LAYOUT_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace warden::image {

enum class Format { kDockerSave, kOciLayout };

struct Layout {
  Format format = Format::kOciLayout;
  std::string dir;                  // the image's directory
  std::string config;               // path of the configuration JSON
  std::vector<std::string> layers;  // paths of the layer tars, lowest first
  std::vector<std::string> tags;    // RepoTags, or the OCI ref.name
};

// The layout of the image in directory `dir` (manifest.json: docker save;
// else index.json: OCI). Errors: InvalidArgument naming the file and what
// is wrong with it (missing, not JSON, a blob outside the directory).
absl::StatusOr<Layout> ReadLayout(const std::string& dir);

}  // namespace warden::image

#endif  // WARDEN_IMAGE_LAYOUT_H_
