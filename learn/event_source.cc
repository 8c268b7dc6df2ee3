// OpenDatabases and ReadObservations (event_source.h).
#include "learn/event_source.h"

#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "fmt/format.h"
#include "learn/db_events.h"
#include "learn/event_observer.h"

namespace warden::learn {
namespace {

// The files of a selection, each a DbEvents; a run is read from the file
// its RunRef names.
class DatabasesSource : public EventSource {
 public:
  absl::Status Open(const std::vector<std::string>& paths) {
    for (const std::string& path : paths) {
      if (index_.contains(path)) continue;  // the same file twice: read once
      auto db = DbEvents::Open(path);
      if (!db.ok()) return db.status();
      index_.try_emplace(path, dbs_.size());
      dbs_.push_back(std::move(*db));
      paths_.push_back(path);
    }
    return absl::OkStatus();
  }

  absl::StatusOr<std::vector<RunRef>> SelectRuns(const Selection& selection) override {
    std::vector<RunRef> runs;
    for (const std::string& path : selection.dbs) {
      auto it = index_.find(path);
      if (it == index_.end())
        return absl::InvalidArgumentError(fmt::format("{} was not opened by OpenDatabases", path));
      auto picked = dbs_[it->second]->SelectRuns(selection);
      if (!picked.ok()) return picked.status();
      for (RunRef& r : *picked) runs.push_back(std::move(r));
    }
    return runs;
  }

  absl::Status ReadRun(const RunRef& run, const Selection& selection,
                       RecordedEventSink& sink) override {
    auto it = index_.find(run.db);
    if (it == index_.end())
      return absl::InvalidArgumentError(fmt::format("run {} of {}: not a file of this source", run.run, run.db));
    return dbs_[it->second]->ReadRun(run, selection, sink);
  }

 private:
  std::vector<std::unique_ptr<DbEvents>> dbs_;
  std::vector<std::string> paths_;
  absl::flat_hash_map<std::string, size_t> index_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<EventSource>> OpenDatabases(const Selection& selection) {
  if (selection.dbs.empty()) return absl::InvalidArgumentError("no database to read (--db PATH)");
  auto source = std::make_unique<DatabasesSource>();
  if (auto s = source->Open(selection.dbs); !s.ok()) return s;
  return source;
}

absl::Status ReadObservations(EventSource& source, const Selection& selection,
                              ObservationSink& sink) {
  // Every run is checked before the sink hears of any.
  auto runs = source.SelectRuns(selection);
  if (!runs.ok()) return runs.status();
  if (auto s = sink.Runs(*runs); !s.ok()) return s;
  EventObserver observer(sink, selection, runs->size());
  for (size_t i = 0; i < runs->size(); ++i) {
    observer.SetRun(static_cast<uint32_t>(i));
    if (auto s = source.ReadRun((*runs)[i], selection, observer); !s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace warden::learn
