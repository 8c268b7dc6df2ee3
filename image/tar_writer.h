// Writing a tar file (POSIX pax format, libarchive): the layers and the
// archives warden makes. Entries are owned by root with a fixed time, so
// the same input gives the same bytes (and the same diff_id).
#ifndef WARDEN_IMAGE_TAR_WRITER_H_
#define WARDEN_IMAGE_TAR_WRITER_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

struct archive;

namespace warden::image {

class TarWriter {
 public:
  static absl::StatusOr<TarWriter> Create(const std::string& path);
  TarWriter(TarWriter&&) noexcept;
  ~TarWriter();

  absl::Status AddDir(const std::string& name, int mode);
  // The contents of the file at `from` (followed if a symlink), as `name`;
  // `mode` -1: the file's own permission bits.
  absl::Status AddFile(const std::string& name, const std::string& from, int mode = -1);
  absl::Status AddText(const std::string& name, const std::string& text, int mode);
  // Ends the archive; errors of the last writes show here.
  absl::Status Close();

 private:
  TarWriter(archive* a, std::string path) : a_(a), path_(std::move(path)) {}
  absl::Status Header(const std::string& name, unsigned type, int mode, int64_t size);
  absl::Status Error(const std::string& name) const;
  archive* a_ = nullptr;
  std::string path_;
};

}  // namespace warden::image

#endif  // WARDEN_IMAGE_TAR_WRITER_H_
