// `warden run --ship URL`: a thread of warden that ships the run while it
// records (ship.h, follow mode, at a lower CPU priority), so that the traced
// program never waits on the network: the SQLite file is the buffer. When
// the run has ended, Finish gives it a while to ship the rest; what is left
// is counted, and `warden ship` finishes it later.
#ifndef WARDEN_FLEET_BACKGROUND_H_
#define WARDEN_FLEET_BACKGROUND_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "fleet/ship.h"

namespace warden::fleet {

class BackgroundShipper {
 public:
  BackgroundShipper(const std::string& db, const std::string& url, int64_t run);
  ~BackgroundShipper();

  struct Outcome {
    absl::Status status;
    ShipReport report;
    bool timed_out = false;  // stopped before everything was shipped
  };
  // After the run's end is recorded: waits up to `wait` for the shipper to
  // send the rest, then stops it.
  Outcome Finish(std::chrono::milliseconds wait);

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace warden::fleet

#endif  // WARDEN_FLEET_BACKGROUND_H_
