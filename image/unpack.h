// Unpacking an image's layers into one root filesystem directory, as a
// container runtime's overlay would show it: each layer in order, its
// whiteouts applied (".wh.NAME" deletes NAME of the layers below,
// ".wh..wh..opq" empties its directory of them). Entries keep their
// modes, owners (when root), times and extended attributes; hard links
// stay links. An image is untrusted input: a name with "..", or one that
// would be written through a symlink, is refused, never followed.
#ifndef WARDEN_IMAGE_UNPACK_H_
#define WARDEN_IMAGE_UNPACK_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "image/layout.h"

namespace warden::image {

// Extracts tar file `archive` (any compression libarchive reads) into
// the existing directory `dir`, without whiteout handling.
absl::Status ExtractTar(const std::string& archive, const std::string& dir);

// Applies layer tar `layer` onto the root filesystem directory `root`.
absl::Status ApplyLayer(const std::string& layer, const std::string& root);

// The image at `path` (a `docker save` archive, an OCI layout directory
// or a tar of one) unpacked into `scratch`/rootfs (the archive itself, if
// a file, into `scratch`/image); returns the rootfs path. `scratch` must
// exist. Errors name the file and the entry.
absl::StatusOr<std::string> UnpackImage(const std::string& path, const std::string& scratch);

}  // namespace warden::image

#endif  // WARDEN_IMAGE_UNPACK_H_
