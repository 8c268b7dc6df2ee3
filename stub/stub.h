// `warden stub`: an image that starts under warden, made from an image
// file without a daemon (the "instrument an image" step of runtime-security
// products, the "stub image" of hardening tools).
//
// The stub is the original image, every layer unchanged, plus one layer
// with warden's bundle (stub/bundle.h), the policy when one is given, and
// the database directory; its configuration wraps the entrypoint:
//   ENTRYPOINT = warden's launch + run --db DIR/warden.db [--policy P] --
//                + the original ENTRYPOINT;  CMD unchanged
// so that `docker run IMAGE ARGS` runs exactly what it ran before, traced.
// DIR is declared a volume, so that the recording outlives the container.
// The output is a `docker save` archive (`docker load` reads it).
#ifndef WARDEN_STUB_STUB_H_
#define WARDEN_STUB_STUB_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace warden::stub {

struct StubOptions {
  std::string image;   // a docker save archive, an OCI layout, or a tar of one
  std::string out;     // the stub, a docker save archive
  std::string tag;     // "": the image's first tag + "-stub"
  std::string policy;  // "": none; else a policy file, copied into the image
  std::string db_dir = "/var/lib/warden";
  std::string warden;  // the warden binary to put in
  std::vector<std::string> run_options;  // more `warden run` options
  std::string scratch;  // an existing empty directory for the work
};

struct StubResult {
  std::string tag;
  std::vector<std::string> entrypoint, cmd;
  size_t layers = 0;  // with the new one
  std::string diff_id;  // of the new layer
};

// Errors: InvalidArgument for input that is not a usable image (what is
// wrong, which file), with nothing written at `out`.
absl::StatusOr<StubResult> MakeStub(const StubOptions& o);

}  // namespace warden::stub

#endif  // WARDEN_STUB_STUB_H_
