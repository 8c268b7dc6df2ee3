// Turns recorded events (recorded_event.h) into observations
// (observation.h) for a sink: the one place that decides what counts, for
// the database and the NDJSON reader alike. Events are fed in time order,
// a run at a time; the window of the selection applies to observations,
// not to the state (a bind before the window still names the port of an
// accept inside it).
#ifndef WARDEN_LEARN_EVENT_OBSERVER_H_
#define WARDEN_LEARN_EVENT_OBSERVER_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "learn/listen_ports.h"
#include "learn/observation.h"
#include "learn/recorded_event.h"

namespace warden::learn {

class EventObserver : public RecordedEventSink {
 public:
  // `runs`: how many runs the sink was given.
  EventObserver(ObservationSink& sink, const Selection& selection, size_t runs)
      : sink_(sink), from_(selection.from_ns), to_(selection.to_ns), ports_(runs) {}

  // The events that follow are of run `run` (an index into the sink's
  // runs); runs may take turns, each keeps its own state.
  void SetRun(uint32_t run) override { run_ = run; }
  absl::Status Add(const RecordedEvent& e) override;

  bool InWindow(int64_t ts) const { return (!from_ || ts >= *from_) && (!to_ || ts <= *to_); }

 private:
  absl::Status AddFile(const RecordedEvent& e);
  absl::Status AddNet(const RecordedEvent& e);
  absl::Status Emit(const RecordedEvent& e, Kind kind, std::string_view path);

  ObservationSink& sink_;
  std::optional<int64_t> from_, to_;
  uint32_t run_ = 0;
  std::vector<ListenPorts> ports_;  // by run
  ListenPorts& ports() { return ports_[run_]; }
};

}  // namespace warden::learn

#endif  // WARDEN_LEARN_EVENT_OBSERVER_H_
