// Reading the events of one run in time order, formatted as the export
// writes them: shared by `warden export` (one pass) and `warden events
// --follow` (again and again, only the rows committed since). Internal to
// store/.
#ifndef WARDEN_FORENSICS_EVENT_READER_H_
#define WARDEN_FORENSICS_EVENT_READER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "forensics/output.h"

struct sqlite3;

namespace warden::forensics {

enum class EventStyle {
  kNdjson,     // one JSON object per line
  kJsonArray,  // the same objects, separated by ",\n" (the caller writes [ and ])
  kCsv,        // one RFC 4180 row per event, columns of CsvHeader()
  kText,       // one line per event for people: TIME [pid P] KIND details
  kRows,       // timeline rows to a RowSink (ReadRows): the one timeline
};

struct EventSelection {
  std::optional<int64_t> from_ns, to_ns;  // inclusive bounds on ts
  uint32_t kinds = ~0u;                    // KindBit() of each kind wanted
  std::optional<int> pid;                  // one thread's events only
};

// The bit of a kind name in EventSelection::kinds; 0 for an unknown name.
uint32_t KindBit(std::string_view kind);

// The CSV header row (with its line end).
std::string CsvHeader();

class EventReader {
 public:
  // The events of `run`. `incremental`: each Read() returns only the rows
  // committed since the previous one (rows are new by id; a process's exit,
  // written into its existing row, is new once).
  static absl::StatusOr<std::unique_ptr<EventReader>> Create(sqlite3* db, int version, int64_t run,
                                                             const EventSelection& selection,
                                                             EventStyle style, bool incremental);
  ~EventReader();

  // Appends the events (all, or the new ones) to `buf` in time order; calls
  // `flush` whenever `buf` grows large. `*written` counts the events written
  // by every reader of one output (the JSON array separates them).
  absl::Status Read(std::string& buf, const std::function<absl::Status(std::string&)>& flush,
                    uint64_t* written);

  // Style kRows, not incremental: every event once, as rows of the columns
  // time, ts_ns, kind, pid, exe, action, event (the text export's details).
  // Calls only sink.Row(): the caller begins and ends the result.
  absl::Status ReadRows(RowSink& sink);

 private:
  struct Impl;
  explicit EventReader(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace warden::forensics

#endif  // WARDEN_FORENSICS_EVENT_READER_H_
