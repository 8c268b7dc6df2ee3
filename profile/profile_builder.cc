#include "profile/profile_builder.h"

#include <errno.h>

#include <algorithm>
#include <utility>

#include "fmt/format.h"

namespace warden::profile {
namespace {

using learn::RecordedEvent;

// A successful call: no errno, and a result that is not negative or was
// not recorded (--no-results, or the process died inside the call).
bool Ok(const RecordedEvent& e) { return e.err == 0 && (!e.result || *e.result >= 0); }

// A non-blocking connect returns EINPROGRESS and still reaches the peer.
bool NetOk(const RecordedEvent& e) {
  return Ok(e) || (e.op == "connect" && e.err == EINPROGRESS);
}

bool IsIp(std::string_view family) { return family == "AF_INET" || family == "AF_INET6"; }

// The entry of `key`, made when new: looked up without a string made.
absl::string_view Key(std::string_view s) { return absl::string_view(s.data(), s.size()); }
template <typename Map>
typename Map::mapped_type& At(Map& map, std::string_view key) {
  auto it = map.find(Key(key));
  if (it == map.end()) it = map.try_emplace(std::string(key)).first;
  return it->second;
}

std::vector<std::string> Sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

// The statuses of several runs, counted in a fixed order.
std::string CombinedStatus(const std::vector<learn::RunRef>& runs) {
  constexpr std::string_view kOrder[] = {"finished", "in progress", "interrupted (warden died)",
                                         "not started"};
  std::vector<std::string> parts;
  for (std::string_view status : kOrder) {
    size_t n = 0;
    for (const auto& r : runs) n += RunStatus(r) == status;
    if (n == runs.size()) return std::string(status);
    if (n > 0) parts.push_back(fmt::format("{} {}", n, status));
  }
  return fmt::format("{}", fmt::join(parts, ", "));
}

}  // namespace

void ProfileBuilder::Use::Add(int64_t ts, std::string_view exe) {
  first_ns = count == 0 ? ts : std::min(first_ns, ts);
  last_ns = count == 0 ? ts : std::max(last_ns, ts);
  ++count;
  if (exe.empty() || (!programs.empty() && programs.back() == exe)) return;
  if (std::find(programs.begin(), programs.end(), exe) == programs.end()) programs.emplace_back(exe);
}

ProfileBuilder::ProfileBuilder(std::vector<learn::RunRef> runs, const learn::Selection& selection)
    : runs_(std::move(runs)), from_(selection.from_ns), to_(selection.to_ns) {}

absl::Status ProfileBuilder::Add(const RecordedEvent& e) {
  if (!InWindow(e.ts_ns)) return absl::OkStatus();
  switch (e.kind) {
    case learn::EventKind::kProcess: break;
    case learn::EventKind::kExec: AddExec(e); break;
    case learn::EventKind::kFile: AddFile(e); break;
    case learn::EventKind::kNet: AddNet(e); break;
  }
  return absl::OkStatus();
}

void ProfileBuilder::AddFile(const RecordedEvent& e) {
  const FileClass c = FileClassOf(e.op);
  if (c == FileClass::kNone || !Ok(e)) return;
  At(files_[static_cast<int>(c)], e.path).Add(e.ts_ns, e.exe);
}

void ProfileBuilder::AddExec(const RecordedEvent& e) {
  if (Ok(e)) At(execs_, e.path).Add(e.ts_ns, "");
}

void ProfileBuilder::AddNet(const RecordedEvent& e) {
  if (e.address.empty() || !NetOk(e)) return;
  auto key = [&] {
    return NetKey{e.port < 0 ? std::nullopt : std::optional<int64_t>(e.port), std::string(e.address),
                  std::string(e.family), std::string(e.sock_type)};
  };
  if (e.op == "listen" || (e.op == "bind" && e.port != 0)) listening_[key()].Add(e.ts_ns, e.exe);
  const bool outbound = e.direction == "outbound";
  if (outbound) accessed_[key()].Add(e.ts_ns, e.exe);
  if (IsIp(e.family) && (outbound || e.direction == "inbound")) {
    Use& h = hosts_[std::string(e.address)];
    h.Add(e.ts_ns, e.exe);
    ++(outbound ? h.outbound : h.inbound);
  }
}

Profile ProfileBuilder::Finish() {
  Profile p;
  p.runs = std::move(runs_);
  if (p.runs.size() == 1) {
    const learn::RunRef& r = p.runs[0];
    p.run = r.run;
    p.argv_json = r.argv_json;
    p.exit_code = r.exit_code;
    p.exit_signal = r.exit_signal;
  }
  p.status = CombinedStatus(p.runs);
  bool all_ended = true;
  for (size_t i = 0; i < p.runs.size(); ++i) {
    const learn::RunRef& r = p.runs[i];
    p.start_ns = i == 0 ? r.start_ns : std::min(p.start_ns, r.start_ns);
    all_ended = all_ended && r.end_ns;
    if (r.end_ns) p.end_ns = std::max(p.end_ns.value_or(*r.end_ns), *r.end_ns);
    p.processes += r.processes;
    p.io_uring_rings += r.io_uring_rings;
  }
  if (!all_ended) p.end_ns.reset();

  std::vector<FileUse>* files[] = {&p.read, &p.written, &p.executed};
  for (int c = 0; c < 3; ++c) {
    for (auto& [path, u] : files_[c])
      files[c]->push_back(FileUse{path, u.count, u.first_ns, u.last_ns, Sorted(std::move(u.programs))});
    std::sort(files[c]->begin(), files[c]->end(),
              [](const FileUse& a, const FileUse& b) { return a.path < b.path; });
  }
  for (auto& [path, u] : execs_) p.programs.push_back(ProgramRun{path, u.count, u.first_ns, u.last_ns});
  std::sort(p.programs.begin(), p.programs.end(),
            [](const ProgramRun& a, const ProgramRun& b) { return a.path < b.path; });
  auto nets = [](std::map<NetKey, Use>& from, std::vector<NetUse>& to) {
    for (auto& [key, u] : from) {
      const auto& [port, address, family, sock_type] = key;
      to.push_back(NetUse{family, sock_type, address, port, u.count, u.first_ns, u.last_ns,
                          Sorted(std::move(u.programs))});
    }
  };
  nets(listening_, p.listening);
  nets(accessed_, p.accessed);
  for (auto& [address, u] : hosts_)
    p.hosts.push_back(HostUse{address, u.outbound, u.inbound, u.first_ns, u.last_ns,
                              Sorted(std::move(u.programs))});
  return p;
}

absl::StatusOr<Profile> ReadProfile(learn::EventSource& source, const learn::Selection& selection) {
  auto runs = source.SelectRuns(selection);
  if (!runs.ok()) return runs.status();
  if (runs->empty())
    return absl::NotFoundError("no run has events inside the time window (--from/--to); "
                               "widen it or pick runs with --run");
  ProfileBuilder builder(*runs, selection);
  for (size_t i = 0; i < runs->size(); ++i) {
    builder.SetRun(static_cast<uint32_t>(i));
    if (auto s = source.ReadRun((*runs)[i], selection, builder); !s.ok()) return s;
  }
  return builder.Finish();
}

}  // namespace warden::profile
