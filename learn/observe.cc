// ReadDatabases and ReadNdjson (observe.h): pick the runs, hand them to the
// sink, then stream their events through one EventObserver (for databases:
// event_source.h, OpenDatabases and ReadObservations).
#include "learn/observe.h"

#include <memory>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "fmt/format.h"
#include "learn/event_source.h"
#include "learn/event_observer.h"
#include "learn/line_reader.h"
#include "learn/ndjson_line.h"

namespace warden::learn {

absl::Status ReadDatabases(const Selection& selection, ObservationSink& sink) {
  auto source = OpenDatabases(selection);
  if (!source.ok()) return source.status();
  return ReadObservations(**source, selection, sink);
}

namespace {

// What the first pass learns of each run of an export (which has no runs
// table): its id, first and last time, policy mode, and whether it has
// exec, file or network events inside the window.
struct ExportRun {
  RunRef ref;
  bool in_window = false;
};

class ExportRuns {
 public:
  void Note(int64_t run, int64_t ts, std::string_view kind, std::string_view mode,
            bool in_window) {
    auto [it, fresh] = index_.try_emplace(run, runs_.size());
    if (fresh) runs_.push_back(ExportRun{RunRef{.run = run, .start_ns = ts, .end_ns = ts}});
    ExportRun& r = runs_[it->second];
    r.ref.start_ns = std::min(r.ref.start_ns, ts);
    r.ref.end_ns = std::max(*r.ref.end_ns, ts);
    if (kind == "policy" && r.ref.policy_mode.empty()) r.ref.policy_mode = std::string(mode);
    if (in_window && (kind == "exec" || kind == "file" || kind == "net")) r.in_window = true;
  }
  // observation.h's Selection, over the runs of the export at `path`.
  absl::StatusOr<std::vector<RunRef>> Select(const std::string& path, const Selection& s) const;

 private:
  std::vector<ExportRun> runs_;  // in the order they appear
  absl::flat_hash_map<int64_t, size_t> index_;
};

absl::StatusOr<std::vector<RunRef>> ExportRuns::Select(const std::string& path,
                                                       const Selection& s) const {
  std::vector<RunRef> out;
  for (int64_t id : s.runs) {
    auto it = index_.find(id);
    if (it == index_.end()) {
      if (runs_.empty())
        return absl::NotFoundError(fmt::format("no run {} in {}: it holds no events", id, path));
      std::vector<int64_t> ids;
      for (const auto& r : runs_) ids.push_back(r.ref.run);
      return absl::NotFoundError(
          fmt::format("no run {} in {}; available runs: {}", id, path, fmt::join(ids, ", ")));
    }
    out.push_back(runs_[it->second].ref);
  }
  if (s.runs.empty())
    for (const auto& r : runs_)
      if (r.in_window || !(s.from_ns || s.to_ns)) out.push_back(r.ref);
  for (RunRef& r : out) r.db = path;
  return out;
}

// First pass: the runs. Lines as the export writes them are only peeked at.
absl::Status IndexExport(LineReader& lines, const std::string& path, const EventObserver& window,
                         ExportRuns& runs) {
  NdjsonLine parsed;
  std::string_view line;
  for (;;) {
    auto more = lines.Next(&line);
    if (!more.ok()) return more.status();
    if (!*more) return absl::OkStatus();
    if (line.empty()) continue;
    if (auto p = PeekLine(line)) {
      runs.Note(p->run, p->ts, p->kind, p->kind == "policy" ? PeekWord(line, "mode") : "",
                window.InWindow(p->ts));
      continue;
    }
    if (auto s = parsed.Parse(line, path, lines.line_number()); !s.ok()) return s;
    runs.Note(parsed.run(), parsed.ts(), parsed.kind(), parsed.mode(),
              window.InWindow(parsed.ts()));
  }
}

// Second pass: the events of the selected runs.
absl::Status StreamExport(LineReader& lines, const std::string& path,
                          const absl::flat_hash_map<int64_t, uint32_t>& selected,
                          EventObserver& observer) {
  NdjsonLine parsed;
  RecordedEvent event;
  std::string_view line;
  for (;;) {
    auto more = lines.Next(&line);
    if (!more.ok()) return more.status();
    if (!*more) return absl::OkStatus();
    if (line.empty()) continue;
    if (auto p = PeekLine(line); p && (!NeededKind(p->kind) || !selected.contains(p->run)))
      continue;  // skipped without parsing
    if (auto s = parsed.Parse(line, path, lines.line_number()); !s.ok()) return s;
    auto run = selected.find(parsed.run());
    if (run == selected.end() || !parsed.ToEvent(&event)) continue;
    observer.SetRun(run->second);
    if (auto s = observer.Add(event); !s.ok()) return s;
  }
}

}  // namespace

absl::Status ReadNdjson(const std::string& path, const Selection& selection,
                        ObservationSink& sink) {
  auto lines = LineReader::Open(path);
  if (!lines.ok()) return lines.status();
  EventObserver window(sink, selection, 0);
  ExportRuns index;
  if (auto s = IndexExport(**lines, path, window, index); !s.ok()) return s;
  auto runs = index.Select(path, selection);
  if (!runs.ok()) return runs.status();
  absl::flat_hash_map<int64_t, uint32_t> selected;
  for (size_t i = 0; i < runs->size(); ++i)
    selected.try_emplace((*runs)[i].run, static_cast<uint32_t>(i));
  if (auto s = sink.Runs(*runs); !s.ok()) return s;
  if (auto s = (*lines)->Rewind(); !s.ok()) return s;
  EventObserver observer(sink, selection, runs->size());
  return StreamExport(**lines, path, selected, observer);
}

}  // namespace warden::learn
