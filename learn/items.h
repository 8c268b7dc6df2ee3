// Observations grouped into items: one per (kind, program, target) after
// path generalisation (generalize.h), with the evidence behind it -- how
// many calls, in which runs, first and last seen. `learn` turns items into
// rules, `expect` into expected items, `verify` compares them with an
// expected profile: all three group the same way.
#ifndef WARDEN_LEARN_ITEMS_H_
#define WARDEN_LEARN_ITEMS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "learn/observation.h"
#include "policy/policy.h"

namespace warden::learn {

// How paths and ports are generalised (generalize.h documents each rule).
struct Generalization {
  bool exact = false;  // keep every path literal (--exact)
  int collapse = 0;    // 0: the default (generalize.h); else --collapse N
  // More directories whose entries may be random temp names, besides /tmp,
  // /var/tmp and /dev/shm (learn adds $TMPDIR).
  std::vector<std::string> temp_dirs;
  // The kernel's ephemeral port range; 0, 0: read it from
  // /proc/sys/net/ipv4/ip_local_port_range (32768-60999 when unreadable).
  int ephemeral_lo = 0, ephemeral_hi = 0;
};

struct Item {
  Kind kind = Kind::kFileRead;
  std::string program;  // the caller's executable
  // File kinds and exec: the path, or a glob standing for several; always
  // glob syntax (policy/glob.h): a literal path has its * ? [ \ escaped.
  // Network kinds: "ADDRESS:PORT" ("[ADDRESS]:PORT" for IPv6); for kAccept
  // the local port the peer was accepted on. A port that varies from run to
  // run is written as the ranges of `ports` ("32768-60999", and
  // "0,32768-60999" for a bind that let the kernel choose); "*": unknown.
  std::string target;
  // Network kinds, structured: family, address, port (nullopt: any).
  int family = 0;
  std::string address;
  std::optional<int> port;
  // The ports a policy rule needs for this item: one port; the kernel's
  // ephemeral range (a loopback peer or local port that changes from run
  // to run), with port 0 too for a bind that let the kernel choose; empty
  // when the port is unknown (any). Never "any" for a port that varies: a
  // rule then still refuses a fixed port the program never used.
  std::vector<policy::PortRange> ports;
  policy::Protocol protocol = policy::Protocol::kAny;
  // Evidence.
  int64_t count = 0;
  int64_t first_ns = 0, last_ns = 0;
  std::vector<uint32_t> runs;  // indexes into `runs`, sorted, unique
};

// All items of a set of runs, sorted by (program, kind, target): the order
// every output uses, so the same runs always give the same bytes.
struct ItemSet {
  std::vector<RunRef> runs;
  std::vector<Item> items;
  uint64_t lost_events = 0;  // summed over the runs
};

// An ObservationSink that groups what it receives. Denied calls of a run
// recorded in active mode (they did not happen) are left out.
class ItemCollector : public ObservationSink {
 public:
  explicit ItemCollector(Generalization g);
  ~ItemCollector() override;
  absl::Status Runs(const std::vector<RunRef>& runs) override;
  absl::Status Add(const Observation& o) override;
  // Generalises and groups: call once, after the reader is done.
  ItemSet Finish();

 private:
  struct Impl;
  Impl* impl_;
};

}  // namespace warden::learn

#endif  // WARDEN_LEARN_ITEMS_H_
