#include "supervisor/policy_reloader.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <optional>
#include <sstream>

#include "fmt/format.h"

namespace warden::supervisor {
namespace {

bool ReadAll(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  *out = ss.str();
  return true;
}

}  // namespace

absl::StatusOr<std::unique_ptr<PolicyReloader>> PolicyReloader::Start(
    const std::string& path, std::string initial_content, OnChange on_change) {
  std::unique_ptr<PolicyReloader> r(new PolicyReloader);
  r->path_ = path;
  size_t slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
  r->name_ = slash == std::string::npos ? path : path.substr(slash + 1);
  r->content_ = std::move(initial_content);
  r->on_change_ = std::move(on_change);
  r->inotify_fd_ = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
  r->stop_fd_ = eventfd(0, EFD_CLOEXEC);
  if (r->inotify_fd_ < 0 || r->stop_fd_ < 0 ||
      inotify_add_watch(r->inotify_fd_, dir.c_str(),
                        IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_MODIFY) < 0)
    return absl::FailedPreconditionError(
        fmt::format("--reload: cannot watch {} for changes: {}", dir, strerror(errno)));
  r->thread_ = std::thread([p = r.get()] { p->Loop(); });
  return r;
}

PolicyReloader::~PolicyReloader() {
  if (thread_.joinable()) {
    uint64_t one = 1;
    (void)!write(stop_fd_, &one, sizeof one);
    thread_.join();
  }
  if (inotify_fd_ >= 0) close(inotify_fd_);
  if (stop_fd_ >= 0) close(stop_fd_);
}

void PolicyReloader::Loop() {
  using Clock = std::chrono::steady_clock;
  constexpr auto kQuiet = std::chrono::milliseconds(100);
  alignas(inotify_event) char buf[8192];
  std::optional<Clock::time_point> due;  // set by an event on the policy file
  for (;;) {
    // A change is acted on once the policy file itself has been quiet for
    // 100 ms, so an editor's truncate-then-write is read once, whole. Other
    // files of the directory (a database next to it) do not delay it.
    int timeout = -1;
    if (due) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*due - Clock::now());
      timeout = static_cast<int>(std::max<int64_t>(0, left.count()));
    }
    pollfd fds[2] = {{inotify_fd_, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
    int rc = poll(fds, 2, timeout);
    if (rc < 0 && errno != EINTR) return;
    if (fds[1].revents & POLLIN) return;
    if (fds[0].revents & POLLIN) {
      ssize_t n = read(inotify_fd_, buf, sizeof buf);
      for (ssize_t off = 0; n > 0 && off < n;) {
        auto* ev = reinterpret_cast<inotify_event*>(buf + off);
        if (ev->len > 0 && name_ == ev->name) due = Clock::now() + kQuiet;
        off += static_cast<ssize_t>(sizeof(inotify_event) + ev->len);
      }
    }
    if (due && Clock::now() >= *due) {
      due.reset();
      std::string now;
      if (ReadAll(path_, &now) && now != content_) {
        content_ = now;
        on_change_(content_);
      }
    }
  }
}

}  // namespace warden::supervisor
