// warden as a self-contained bundle for a container image: the binary,
// the dynamic loader and every shared library it needs (the DT_NEEDED
// closure read from the ELF files, found as ld.so finds them on this
// machine), to be run as
//   /opt/warden/lib/ld-linux-x86-64.so.2 --library-path /opt/warden/lib
//       /opt/warden/bin/warden ...
// so that it uses none of the image's libraries: it runs in a
// distroless or musl-based image as well as in a Debian one.
#ifndef WARDEN_STUB_BUNDLE_H_
#define WARDEN_STUB_BUNDLE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace warden::stub {

inline constexpr std::string_view kBundleDir = "/opt/warden";

struct BundleFile {
  std::string name;  // in the image, e.g. "opt/warden/lib/libc.so.6"
  std::string from;  // this machine's file
  int mode;
};

struct Bundle {
  std::vector<BundleFile> files;
  std::vector<std::string> launch;  // argv prefix that starts warden
};

// The bundle of the warden binary at `warden` (an ELF file of this
// machine). Errors: a library the loader would not find.
absl::StatusOr<Bundle> MakeBundle(const std::string& warden);

}  // namespace warden::stub

#endif  // WARDEN_STUB_BUNDLE_H_
