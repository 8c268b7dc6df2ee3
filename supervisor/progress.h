// `warden run --progress`: a one-line live status on a terminal (elapsed
// time, live processes, events per second, events, denials), redrawn in
// place at most four times a second by a thread of its own that only reads
// counters, and erased when the run ends. Never drawn on anything but a
// terminal, so logs keep no trace of it.
#ifndef WARDEN_SUPERVISOR_PROGRESS_H_
#define WARDEN_SUPERVISOR_PROGRESS_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "store/store.h"

namespace warden::supervisor {

// What the line shows, read from the tracer's and the store's counters.
struct ProgressSnapshot {
  uint64_t processes = 0;  // traced processes alive now
  uint64_t stops = 0;      // tracee stops so far
  uint64_t events = 0;     // events handed to the store so far
  uint64_t denials = 0;    // calls warden denied or killed so far
};

// The status text (no control characters), at most `width` columns (0: no
// limit). `per_second`: events per second over the last interval.
std::string FormatProgress(int64_t elapsed_ns, const ProgressSnapshot& now, double per_second,
                           int width);

class ProgressLine {
 public:
  // Draws on `fd` every `interval` (250 ms: at most 4 redraws a second),
  // starting after `delay` so that a quick command shows nothing.
  // `read` is called from the drawing thread.
  ProgressLine(int fd, std::function<ProgressSnapshot()> read,
               std::chrono::milliseconds delay = std::chrono::milliseconds(500),
               std::chrono::milliseconds interval = std::chrono::milliseconds(250));
  // Stops the thread and erases the line if one was drawn.
  ~ProgressLine();
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

 private:
  void Loop();
  void Draw(const std::string& text);

  const int fd_;
  const std::function<ProgressSnapshot()> read_;
  const std::chrono::milliseconds delay_, interval_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stop_ = false;  // guarded by mu_
  bool drawn_ = false;  // drawing thread only (and the destructor after join)
  std::thread thread_;
};

// Whether the status line is shown: only on a terminal. `requested`:
// --progress (true), --no-progress (false), neither (nullopt: the default,
// shown on a terminal).
bool ProgressWanted(std::optional<bool> requested, int fd);

// A Store that counts what passes through it (for the status line) and
// hands everything to `inner`.
class CountingStore final : public store::Store {
 public:
  explicit CountingStore(store::Store* inner) : inner_(inner) {}
  absl::StatusOr<int64_t> BeginRun(const store::RunInfo& info) override {
    return inner_->BeginRun(info);
  }
  void Submit(store::Event event) override {
    events_.fetch_add(1, std::memory_order_relaxed);
    inner_->Submit(std::move(event));
  }
  absl::Status FinishRun(const store::RunEnd& end) override { return inner_->FinishRun(end); }
  uint64_t lost_events() const override { return inner_->lost_events(); }
  int64_t run_id() const override { return inner_->run_id(); }
  uint64_t submitted() const { return events_.load(std::memory_order_relaxed); }

 private:
  store::Store* inner_;
  std::atomic<uint64_t> events_{0};
};

}  // namespace warden::supervisor

#endif  // WARDEN_SUPERVISOR_PROGRESS_H_
