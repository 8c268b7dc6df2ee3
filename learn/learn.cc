#include "learn/learn.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "fmt/format.h"
#include "learn/event_source.h"
#include "learn/policy_writer.h"

namespace warden::learn {
namespace {

// A policy is a few kilobytes; the parser refuses more than this anyway.
constexpr size_t kMaxPolicySize = 16 << 20;

absl::StatusOr<std::string> ReadMergeFile(const std::string& path) {
  auto fail = [&](int err) {
    return absl::Status(absl::ErrnoToStatusCode(err),
                        fmt::format("--merge {}: cannot read it: {}", path, std::strerror(err)));
  };
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail(errno);
  std::string text;
  char buf[65536];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) != 0) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 || text.size() > kMaxPolicySize) {
      int err = n < 0 ? errno : EFBIG;
      close(fd);
      return fail(err);
    }
    text.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  return text;
}

}  // namespace

namespace {

// Before the databases: a bad merge file should not cost a long read.
absl::StatusOr<WriterOptions> MakeWriterOptions(const LearnOptions& options) {
  WriterOptions writer;
  writer.mode = options.mode;
  writer.gen = options.gen;
  if (options.merge) {
    auto text = ReadMergeFile(*options.merge);
    if (!text.ok()) return text.status();
    writer.merge_name = *options.merge;
    writer.merge_text = std::move(*text);
    if (auto check = WritePolicy(ItemSet{}, writer); !check.ok()) return check.status();
  }
  return writer;
}

}  // namespace

absl::StatusOr<std::string> Learn(const LearnOptions& options) {
  auto writer = MakeWriterOptions(options);
  if (!writer.ok()) return writer.status();
  auto source = OpenDatabases(options.selection);
  if (!source.ok()) return source.status();
  ItemCollector collector(options.gen);
  if (absl::Status s = ReadObservations(**source, options.selection, collector); !s.ok()) return s;
  return WritePolicy(collector.Finish(), *writer);
}

absl::StatusOr<std::string> Learn(const LearnOptions& options, EventSource& source) {
  auto writer = MakeWriterOptions(options);
  if (!writer.ok()) return writer.status();
  ItemCollector collector(options.gen);
  if (absl::Status s = ReadObservations(source, options.selection, collector); !s.ok()) return s;
  return WritePolicy(collector.Finish(), *writer);
}

}  // namespace warden::learn
