#include "image/unpack.h"

#include <archive.h>
#include <archive_entry.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <set>

#include "fmt/format.h"

namespace warden::image {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kWhiteout = ".wh.";
constexpr std::string_view kOpaque = ".wh..wh..opq";

struct ReadCloser {
  void operator()(archive* a) const { archive_read_free(a); }
};
struct WriteCloser {
  void operator()(archive* a) const { archive_write_free(a); }
};

absl::Status Fail(const std::string& file, std::string_view entry, std::string_view what) {
  return absl::InvalidArgumentError(
      entry.empty() ? fmt::format("{}: {}", file, what) : fmt::format("{}: entry '{}': {}", file, entry, what));
}

// "./usr/bin/x" -> "usr/bin/x"; "" for the root itself; nullopt for a
// name that leaves the root.
std::optional<std::string> Clean(std::string_view name) {
  const fs::path p = fs::path(std::string(name)).relative_path().lexically_normal();
  std::string s = p.string();
  while (!s.empty() && s.back() == '/') s.pop_back();
  if (s == ".") return "";
  for (const auto& part : p)
    if (part == "..") return std::nullopt;
  return s;
}

// Copies the entry's data from `in` to `out` (after its header).
bool CopyData(archive* in, archive* out) {
  const void* buf;
  size_t size;
  la_int64_t offset;
  for (;;) {
    int r = archive_read_data_block(in, &buf, &size, &offset);
    if (r == ARCHIVE_EOF) return true;
    if (r != ARCHIVE_OK) return false;
    if (archive_write_data_block(out, buf, size, offset) != ARCHIVE_OK) return false;
  }
}

absl::Status Extract(const std::string& file, const std::string& root, bool whiteouts) {
  std::unique_ptr<archive, ReadCloser> in(archive_read_new());
  archive_read_support_filter_all(in.get());
  archive_read_support_format_tar(in.get());
  archive_read_support_format_gnutar(in.get());
  if (archive_read_open_filename(in.get(), file.c_str(), 1 << 16) != ARCHIVE_OK)
    return Fail(file, "", archive_error_string(in.get()));
  std::unique_ptr<archive, WriteCloser> out(archive_write_disk_new());
  int flags = ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_XATTR | ARCHIVE_EXTRACT_UNLINK |
              ARCHIVE_EXTRACT_SECURE_SYMLINKS | ARCHIVE_EXTRACT_SECURE_NODOTDOT;
  if (geteuid() == 0) flags |= ARCHIVE_EXTRACT_OWNER;
  archive_write_disk_set_options(out.get(), flags);
  std::set<std::string> written;  // by this layer: an opaque marker keeps them
  archive_entry* e;
  for (int r; (r = archive_read_next_header(in.get(), &e)) != ARCHIVE_EOF;) {
    if (r < ARCHIVE_WARN) return Fail(file, "", archive_error_string(in.get()));
    const std::string raw = archive_entry_pathname(e) ? archive_entry_pathname(e) : "";
    auto name = Clean(raw);
    if (!name) return Fail(file, raw, "leaves the root (..)");
    const fs::path path(*name);
    const std::string base = path.filename().string();
    if (whiteouts && base.starts_with(kWhiteout)) {
      const std::string dir = root + "/" + path.parent_path().string();
      std::error_code ec;
      if (base == kOpaque) {
        for (const auto& child : fs::directory_iterator(dir, ec))
          if (!written.contains(child.path().string())) fs::remove_all(child.path(), ec);
      } else {
        fs::remove_all(dir + "/" + base.substr(kWhiteout.size()), ec);
      }
      continue;
    }
    const std::string target = name->empty() ? root : root + "/" + *name;
    written.insert(target);
    archive_entry_set_pathname(e, target.c_str());
    if (const char* link = archive_entry_hardlink(e)) {
      auto to = Clean(link);
      if (!to) return Fail(file, raw, "hard link leaves the root (..)");
      archive_entry_set_hardlink(e, (root + "/" + *to).c_str());
    }
    if (archive_write_header(out.get(), e) < ARCHIVE_WARN)
      return Fail(file, raw, archive_error_string(out.get()));
    if (archive_entry_size(e) > 0 && !CopyData(in.get(), out.get()))
      return Fail(file, raw, "cannot copy its data (truncated or unwritable)");
    if (archive_write_finish_entry(out.get()) < ARCHIVE_WARN)
      return Fail(file, raw, archive_error_string(out.get()));
  }
  if (archive_write_close(out.get()) != ARCHIVE_OK) return Fail(file, "", archive_error_string(out.get()));
  return absl::OkStatus();
}

}  // namespace

absl::Status ExtractTar(const std::string& archive, const std::string& dir) {
  return Extract(archive, dir, /*whiteouts=*/false);
}

absl::Status ApplyLayer(const std::string& layer, const std::string& root) {
  return Extract(layer, root, /*whiteouts=*/true);
}

absl::StatusOr<std::string> UnpackImage(const std::string& path, const std::string& scratch) {
  std::error_code ec;
  std::string dir = path;
  if (!fs::is_directory(path, ec)) {
    if (!fs::exists(path, ec)) return absl::InvalidArgumentError(fmt::format("image {}: no such file", path));
    dir = scratch + "/image";
    fs::create_directory(dir, ec);
    if (absl::Status s = ExtractTar(path, dir); !s.ok())
      return absl::InvalidArgumentError(fmt::format(
          "image {} (give a `docker save` archive, an OCI image layout or a tar of one)",
          std::string(s.message())));
  }
  auto layout = ReadLayout(dir);
  if (!layout.ok()) return layout.status();
  const std::string root = scratch + "/rootfs";
  fs::create_directory(root, ec);
  if (ec) return absl::InternalError(fmt::format("cannot make {}: {}", root, ec.message()));
  for (const std::string& layer : layout->layers)
    if (absl::Status s = ApplyLayer(layer, root); !s.ok()) return s;
  return root;
}

}  // namespace warden::image
