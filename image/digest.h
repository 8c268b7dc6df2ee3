// Content digests of image files: a layer's diff_id is the SHA-256 of its
// uncompressed tar, which `docker load` checks against the configuration.
#ifndef WARDEN_IMAGE_DIGEST_H_
#define WARDEN_IMAGE_DIGEST_H_

#include <string>

#include "absl/status/statusor.h"

namespace warden::image {

// "sha256:<64 hex digits>" of the file's bytes (OpenSSL's EVP SHA-256).
absl::StatusOr<std::string> Sha256OfFile(const std::string& path);
std::string Sha256OfText(const std::string& text);

}  // namespace warden::image

#endif  // WARDEN_IMAGE_DIGEST_H_
