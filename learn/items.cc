// ItemCollector (items.h): observations are counted as they arrive, in hash
// maps keyed by interned strings (the reader's string_views die with each
// Add), so a million observations of a few thousand distinct calls cost a
// few thousand entries. Generalisation runs once, in Finish, on the
// distinct paths of each program and kind.
#include <arpa/inet.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstdio>
#include <deque>
#include <map>
#include <tuple>

#include "absl/container/flat_hash_map.h"
#include "fmt/format.h"
#include "learn/generalize.h"
#include "learn/items.h"

namespace warden::learn {
namespace {

bool IsNetwork(Kind k) { return k == Kind::kConnect || k == Kind::kListen || k == Kind::kAccept; }

struct Key {
  uint32_t program = 0;
  uint32_t target = 0;  // the path, or the address
  int32_t port = 0;
  Kind kind = Kind::kFileRead;
  uint8_t family = 0;
  policy::Protocol protocol = policy::Protocol::kAny;
  bool operator==(const Key&) const = default;
  template <typename H>
  friend H AbslHashValue(H h, const Key& k) {
    return H::combine(std::move(h), k.program, k.target, k.port, k.kind, k.family, k.protocol);
  }
};

struct Evidence {
  int64_t count = 0;
  int64_t first_ns = 0, last_ns = 0;
  std::vector<uint32_t> runs;  // sorted, unique

  void Add(int64_t ts, uint32_t run) {
    if (count++ == 0 || ts < first_ns) first_ns = ts;
    if (count == 1 || ts > last_ns) last_ns = ts;
    if (!runs.empty() && runs.back() == run) return;
    auto it = std::lower_bound(runs.begin(), runs.end(), run);
    if (it == runs.end() || *it != run) runs.insert(it, run);
  }
  void Merge(const Evidence& o) {
    if (count == 0 || o.first_ns < first_ns) first_ns = o.first_ns;
    if (count == 0 || o.last_ns > last_ns) last_ns = o.last_ns;
    count += o.count;
    std::vector<uint32_t> both;
    std::set_union(runs.begin(), runs.end(), o.runs.begin(), o.runs.end(), std::back_inserter(both));
    runs = std::move(both);
  }
};

// The kernel's ephemeral port range, as ip_local_port_range(7) says it.
std::pair<int, int> EphemeralPorts(const Generalization& g) {
  if (g.ephemeral_lo > 0 && g.ephemeral_hi >= g.ephemeral_lo) return {g.ephemeral_lo, g.ephemeral_hi};
  std::pair<int, int> range{32768, 60999};
  if (FILE* f = std::fopen("/proc/sys/net/ipv4/ip_local_port_range", "re")) {
    int lo = 0, hi = 0;
    if (std::fscanf(f, "%d %d", &lo, &hi) == 2 && lo > 0 && lo <= hi && hi <= 65535) range = {lo, hi};
    std::fclose(f);
  }
  return range;
}

// 127.0.0.0/8, ::1 and ::ffff:127.0.0.0/104.
bool Loopback(const std::string& address) {
  uint8_t b[16];
  if (inet_pton(AF_INET, address.c_str(), b) == 1) return b[0] == 127;
  if (inet_pton(AF_INET6, address.c_str(), b) != 1) return false;
  static constexpr uint8_t kOne[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  static constexpr uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  return std::equal(b, b + 16, kOne) || (std::equal(b, b + 12, kMapped) && b[12] == 127);
}

// "ADDR:PORT", "[ADDR]:PORT"; a port that varies as its ranges
// ("32768-60999", "0,32768-60999"); "*" when unknown.
std::string Peer(int family, const std::string& address, std::optional<int> port,
                 const std::vector<std::pair<int, int>>& ranges) {
  std::string p = port ? std::to_string(*port) : "*";
  if (!port && !ranges.empty()) {
    p.clear();
    for (const auto& [lo, hi] : ranges)
      p += (p.empty() ? "" : ",") + (lo == hi ? std::to_string(lo) : fmt::format("{}-{}", lo, hi));
  }
  return family == AF_INET6 ? fmt::format("[{}]:{}", address, p) : fmt::format("{}:{}", address, p);
}

}  // namespace

struct ItemCollector::Impl {
  Generalization gen;
  std::vector<RunRef> runs;
  std::vector<bool> enforced;  // per run: recorded under an active policy
  std::deque<std::string> strings;
  absl::flat_hash_map<std::string_view, uint32_t> ids;
  absl::flat_hash_map<Key, Evidence> seen;
  std::string last_program;  // consecutive observations mostly share it
  uint32_t last_program_id = 0;
  bool has_last = false;

  uint32_t Intern(std::string_view s) {
    auto it = ids.find(s);
    if (it != ids.end()) return it->second;
    const std::string& owned = strings.emplace_back(s);
    uint32_t id = static_cast<uint32_t>(strings.size() - 1);
    ids.emplace(owned, id);
    return id;
  }
  uint32_t Program(std::string_view s) {
    if (!has_last || s != last_program) {
      last_program.assign(s);
      last_program_id = Intern(s);
      has_last = true;
    }
    return last_program_id;
  }

  void FileItems(std::vector<Item>& out) const;
  void NetworkItems(std::vector<Item>& out) const;
};

ItemCollector::ItemCollector(Generalization g) : impl_(new Impl) { impl_->gen = std::move(g); }
ItemCollector::~ItemCollector() { delete impl_; }

absl::Status ItemCollector::Runs(const std::vector<RunRef>& runs) {
  impl_->runs = runs;
  impl_->enforced.clear();
  for (const RunRef& r : runs) impl_->enforced.push_back(r.policy_mode == "active");
  return absl::OkStatus();
}

absl::Status ItemCollector::Add(const Observation& o) {
  if (o.run >= impl_->runs.size())
    return absl::InternalError(fmt::format("an observation of run #{} of {}", o.run, impl_->runs.size()));
  // A call an active policy denied (or killed for) did not happen.
  if (impl_->enforced[o.run] && (o.action == policy::Action::kDeny || o.action == policy::Action::kKill))
    return absl::OkStatus();
  Key k;
  k.kind = o.kind;
  k.program = impl_->Program(o.program);
  if (IsNetwork(o.kind)) {
    k.target = impl_->Intern(o.address);
    k.port = o.port;
    k.family = static_cast<uint8_t>(o.family);
    k.protocol = o.protocol;
  } else {
    k.target = impl_->Intern(o.path);
  }
  impl_->seen[k].Add(o.ts_ns, o.run);
  return absl::OkStatus();
}

// File and exec items: the distinct paths of each program and kind,
// generalised together (collapsing needs them all), then merged by glob.
void ItemCollector::Impl::FileItems(std::vector<Item>& out) const {
  std::map<std::pair<uint32_t, Kind>, std::vector<const std::pair<const Key, Evidence>*>> groups;
  for (const auto& entry : seen)
    if (!IsNetwork(entry.first.kind)) groups[{entry.first.program, entry.first.kind}].push_back(&entry);
  for (const auto& [group, entries] : groups) {
    std::vector<std::string_view> paths;
    for (const auto* e : entries) paths.push_back(strings[e->first.target]);
    std::vector<std::string> globs = GeneralizePaths(paths, gen, group.second != Kind::kExec);
    std::map<std::string, Evidence> merged;
    for (size_t i = 0; i < entries.size(); ++i) merged[globs[i]].Merge(entries[i]->second);
    for (auto& [glob, ev] : merged) {
      Item item;
      item.kind = group.second;
      item.program = strings[group.first];
      item.target = glob;
      item.count = ev.count;
      item.first_ns = ev.first_ns;
      item.last_ns = ev.last_ns;
      item.runs = std::move(ev.runs);
      out.push_back(std::move(item));
    }
  }
}

// Network items: ports that vary from run to run become the kernel's
// ephemeral range (target "ADDR:*") -- a bind to port 0 (with port 0
// itself), and a loopback peer's or local port in the ephemeral range.
void ItemCollector::Impl::NetworkItems(std::vector<Item>& out) const {
  const auto [lo, hi] = EphemeralPorts(gen);
  using ItemKey = std::tuple<uint32_t, Kind, int, uint32_t, std::optional<int>,
                             std::vector<std::pair<int, int>>, policy::Protocol>;
  std::map<ItemKey, Evidence> merged;
  for (const auto& [k, ev] : seen) {
    if (!IsNetwork(k.kind)) continue;
    std::optional<int> port = k.port;
    // Ports as rules need them (Item::ports), kept as (lo, hi) pairs.
    std::vector<std::pair<int, int>> ports;
    if (k.kind == Kind::kListen && k.port == 0) {
      port.reset();
      ports = {{0, 0}, {lo, hi}};  // the bind, then accepts on the chosen port
    } else if (k.port < 0) {
      port.reset();
    } else if (k.kind != Kind::kListen && k.port >= lo && k.port <= hi && Loopback(strings[k.target])) {
      port.reset();
      ports = {{lo, hi}};
    } else {
      ports = {{k.port, k.port}};
    }
    merged[{k.program, k.kind, k.family, k.target, port, ports, k.protocol}].Merge(ev);
  }
  for (auto& [key, ev] : merged) {
    const auto& [program, kind, family, address, port, ports, protocol] = key;
    Item item;
    item.kind = kind;
    item.program = strings[program];
    item.family = family;
    item.address = strings[address];
    item.port = port;
    for (const auto& [plo, phi] : ports) item.ports.push_back({plo, phi});
    item.protocol = protocol;
    item.target = Peer(family, item.address, port, ports);
    item.count = ev.count;
    item.first_ns = ev.first_ns;
    item.last_ns = ev.last_ns;
    item.runs = std::move(ev.runs);
    out.push_back(std::move(item));
  }
}

ItemSet ItemCollector::Finish() {
  ItemSet set;
  set.runs = impl_->runs;
  for (const RunRef& r : set.runs) set.lost_events += r.lost_events;
  impl_->FileItems(set.items);
  impl_->NetworkItems(set.items);
  std::sort(set.items.begin(), set.items.end(), [](const Item& a, const Item& b) {
    return std::tie(a.program, a.kind, a.target, a.protocol, a.family) <
           std::tie(b.program, b.kind, b.target, b.protocol, b.family);
  });
  return set;
}

}  // namespace warden::learn
