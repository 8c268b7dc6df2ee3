// Builds a Profile (profile.h) from runs and their recorded events, as any
// source (learn/event_source.h) hands them: the one definition of what the
// profile counts, for SQLite files and PostgreSQL alike.
#ifndef WARDEN_PROFILE_PROFILE_BUILDER_H_
#define WARDEN_PROFILE_PROFILE_BUILDER_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "learn/event_source.h"
#include "learn/observation.h"
#include "learn/recorded_event.h"
#include "profile/profile.h"

namespace warden::profile {

class ProfileBuilder : public learn::RecordedEventSink {
 public:
  // `runs`: what SelectRuns gave (at least one). Events outside the
  // selection's window (from_ns / to_ns) are left out.
  ProfileBuilder(std::vector<learn::RunRef> runs, const learn::Selection& selection);

  void SetRun(uint32_t) override {}  // the profile is of the runs' union
  absl::Status Add(const learn::RecordedEvent& e) override;

  // The profile of every event added.
  Profile Finish();

 private:
  // One key's count, first and last seen, and programs.
  struct Use {
    int64_t count = 0, first_ns = 0, last_ns = 0;
    int64_t outbound = 0, inbound = 0;  // hosts
    std::vector<std::string> programs;  // unsorted, distinct
    void Add(int64_t ts, std::string_view exe);
  };
  // port, address, family, sock_type: the order of the lists.
  using NetKey = std::tuple<std::optional<int64_t>, std::string, std::string, std::string>;

  void AddFile(const learn::RecordedEvent& e);
  void AddExec(const learn::RecordedEvent& e);
  void AddNet(const learn::RecordedEvent& e);
  bool InWindow(int64_t ts) const { return (!from_ || ts >= *from_) && (!to_ || ts <= *to_); }

  std::vector<learn::RunRef> runs_;
  std::optional<int64_t> from_, to_;
  absl::flat_hash_map<std::string, Use> files_[3];  // by FileClass
  absl::flat_hash_map<std::string, Use> execs_;
  std::map<NetKey, Use> listening_, accessed_;
  std::map<std::string, Use> hosts_;
};

// The profile of the runs `selection` picks in `source`. NotFound when it
// picks none (a window no run has events in); the source's errors.
absl::StatusOr<Profile> ReadProfile(learn::EventSource& source, const learn::Selection& selection);

}  // namespace warden::profile

#endif  // WARDEN_PROFILE_PROFILE_BUILDER_H_
