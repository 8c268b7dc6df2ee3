// Test sink for the observe unit tests: keeps every run and a line of text
// per observation (owned copies: the views are valid only during Add).
#ifndef WARDEN_LEARN_OBSERVE_TEST_SINK_H_
#define WARDEN_LEARN_OBSERVE_TEST_SINK_H_

#include <string>
#include <vector>

#include "fmt/format.h"
#include "learn/observation.h"

namespace warden::learn {

class TextSink : public ObservationSink {
 public:
  absl::Status Runs(const std::vector<RunRef>& runs) override {
    runs_ = runs;
    return absl::OkStatus();
  }
  absl::Status Add(const Observation& o) override {
    lines_.push_back(Text(o));
    ts_.push_back(o.ts_ns);
    return absl::OkStatus();
  }
  // "run KIND PROGRAM TARGET [err N] [ACTION]": TARGET is the path, or
  // "ADDRESS PORT PROTOCOL" for the network kinds.
  static std::string Text(const Observation& o) {
    std::string target = o.kind == Kind::kFileRead || o.kind == Kind::kFileWrite ||
                                 o.kind == Kind::kExec
                             ? std::string(o.path)
                             : fmt::format("{} {} {}{}", o.address, o.port,
                                           policy::ProtocolName(o.protocol),
                                           o.family == 10 ? " v6" : "");
    std::string out = fmt::format("{} {} {} {}", o.run, KindName(o.kind), o.program, target);
    if (o.err) out += fmt::format(" err {}", o.err);
    if (o.action != policy::Action::kAllow) out += fmt::format(" {}", policy::ActionName(o.action));
    return out;
  }
  const std::vector<RunRef>& runs() const { return runs_; }
  const std::vector<std::string>& lines() const { return lines_; }
  const std::vector<int64_t>& ts() const { return ts_; }

 private:
  std::vector<RunRef> runs_;
  std::vector<std::string> lines_;
  std::vector<int64_t> ts_;
};

}  // namespace warden::learn

#endif  // WARDEN_LEARN_OBSERVE_TEST_SINK_H_
