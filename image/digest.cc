#include "image/digest.h"

#include <errno.h>
#include <openssl/evp.h>

#include <cstring>
#include <fstream>
#include <memory>

#include "fmt/format.h"

namespace warden::image {
namespace {

struct CtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

// Feeds `more` chunks to SHA-256 until it returns false; the digest in hex.
template <typename More>
std::string Digest(More more) {
  std::unique_ptr<EVP_MD_CTX, CtxFree> ctx(EVP_MD_CTX_new());
  EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr);
  more([&](const void* data, size_t n) { EVP_DigestUpdate(ctx.get(), data, n); });
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx.get(), md, &len);
  std::string hex = "sha256:";
  for (unsigned int i = 0; i < len; ++i) hex += fmt::format("{:02x}", md[i]);
  return hex;
}

}  // namespace

absl::StatusOr<std::string> Sha256OfFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(fmt::format("{}: {}", path, strerror(errno)));
  bool failed = false;
  std::string hex = Digest([&](auto update) {
    char buf[1 << 16];
    while (in.read(buf, sizeof buf) || in.gcount() > 0) update(buf, static_cast<size_t>(in.gcount()));
    failed = in.bad();
  });
  if (failed) return absl::InternalError(fmt::format("{}: read error", path));
  return hex;
}

std::string Sha256OfText(const std::string& text) {
  return Digest([&](auto update) { update(text.data(), text.size()); });
}

}  // namespace warden::image
