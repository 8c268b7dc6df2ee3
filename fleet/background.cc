#include "fleet/background.h"

#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <future>
#include <thread>

namespace warden::fleet {

// Shared with the thread: it may outlive the shipper object when the
// server hangs past the wait (the process exit ends it then).
struct BackgroundShipper::State {
  ShipOptions options;
  std::atomic<bool> stop{false};
  ShipReport report;
  absl::Status status;
  std::promise<void> done;
  std::future<void> finished = done.get_future();
  std::thread thread;
};

BackgroundShipper::BackgroundShipper(const std::string& db, const std::string& url, int64_t run)
    : state_(std::make_shared<State>()) {
  state_->options.db = db;
  state_->options.url = url;
  state_->options.runs = {run};
  state_->options.follow = true;
  state_->options.stop = &state_->stop;
  state_->thread = std::thread([s = state_] {
    // The traced program and the tracer come first.
    setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), 10);
    s->status = Ship(s->options, s->report);
    s->done.set_value();
  });
}

BackgroundShipper::~BackgroundShipper() {
  if (state_->thread.joinable()) {
    state_->stop = true;
    if (state_->finished.wait_for(std::chrono::seconds(5)) == std::future_status::ready)
      state_->thread.join();
    else
      state_->thread.detach();
  }
}

BackgroundShipper::Outcome BackgroundShipper::Finish(std::chrono::milliseconds wait) {
  Outcome out;
  if (state_->finished.wait_for(wait) != std::future_status::ready) {
    out.timed_out = true;
    state_->stop = true;
    if (state_->finished.wait_for(std::chrono::seconds(5)) != std::future_status::ready) {
      state_->thread.detach();
      out.status = absl::DeadlineExceededError("the shipper did not stop (the server hangs)");
      return out;
    }
  }
  state_->thread.join();
  out.status = state_->status;
  out.report = state_->report;
  return out;
}

}  // namespace warden::fleet
