#include "image/tar_writer.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

#include "fmt/format.h"

namespace warden::image {
namespace {

// 2000-01-01T00:00:00Z: a fixed time, for the same bytes every time.
constexpr time_t kTime = 946684800;

struct EntryFree {
  void operator()(archive_entry* e) const { archive_entry_free(e); }
};

}  // namespace

absl::StatusOr<TarWriter> TarWriter::Create(const std::string& path) {
  archive* a = archive_write_new();
  archive_write_set_format_pax_restricted(a);
  if (archive_write_open_filename(a, path.c_str()) != ARCHIVE_OK) {
    std::string err = archive_error_string(a) ? archive_error_string(a) : strerror(errno);
    archive_write_free(a);
    return absl::InternalError(fmt::format("{}: {}", path, err));
  }
  return TarWriter(a, path);
}

TarWriter::TarWriter(TarWriter&& o) noexcept : a_(o.a_), path_(std::move(o.path_)) { o.a_ = nullptr; }

TarWriter::~TarWriter() {
  if (a_ != nullptr) archive_write_free(a_);
}

absl::Status TarWriter::Error(const std::string& name) const {
  const char* e = a_ ? archive_error_string(a_) : nullptr;
  return absl::InternalError(fmt::format("{}: {}: {}", path_, name, e ? e : "write failed"));
}

absl::Status TarWriter::Header(const std::string& name, unsigned type, int mode, int64_t size) {
  std::unique_ptr<archive_entry, EntryFree> e(archive_entry_new());
  archive_entry_set_pathname(e.get(), name.c_str());
  archive_entry_set_filetype(e.get(), type);
  archive_entry_set_perm(e.get(), static_cast<mode_t>(mode));
  archive_entry_set_size(e.get(), size);
  archive_entry_set_uid(e.get(), 0);
  archive_entry_set_gid(e.get(), 0);
  archive_entry_set_mtime(e.get(), kTime, 0);
  if (archive_write_header(a_, e.get()) != ARCHIVE_OK) return Error(name);
  return absl::OkStatus();
}

absl::Status TarWriter::AddDir(const std::string& name, int mode) {
  return Header(name, AE_IFDIR, mode, 0);
}

absl::Status TarWriter::AddText(const std::string& name, const std::string& text, int mode) {
  if (auto s = Header(name, AE_IFREG, mode, static_cast<int64_t>(text.size())); !s.ok()) return s;
  if (!text.empty() && archive_write_data(a_, text.data(), text.size()) != static_cast<la_ssize_t>(text.size()))
    return Error(name);
  return absl::OkStatus();
}

absl::Status TarWriter::AddFile(const std::string& name, const std::string& from, int mode) {
  int fd = open(from.c_str(), O_RDONLY | O_CLOEXEC);
  struct stat st;
  if (fd < 0 || fstat(fd, &st) != 0) {
    const int err = errno;
    if (fd >= 0) close(fd);
    return absl::NotFoundError(fmt::format("{}: {}", from, strerror(err)));
  }
  absl::Status s = Header(name, AE_IFREG, mode < 0 ? static_cast<int>(st.st_mode & 07777) : mode, st.st_size);
  char buf[1 << 16];
  for (ssize_t n; s.ok() && (n = read(fd, buf, sizeof buf)) > 0;)
    if (archive_write_data(a_, buf, static_cast<size_t>(n)) != n) s = Error(name);
  close(fd);
  return s;
}

absl::Status TarWriter::Close() {
  if (a_ == nullptr) return absl::OkStatus();
  const bool ok = archive_write_close(a_) == ARCHIVE_OK;
  absl::Status s = ok ? absl::OkStatus() : Error("(end)");
  archive_write_free(a_);
  a_ = nullptr;
  return s;
}

}  // namespace warden::image
