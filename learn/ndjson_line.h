// One line of a `warden export --format ndjson` file (store/export.h): the
// fields of a RecordedEvent (recorded_event.h), as one. Parsed with nlohmann-json's
// SAX interface into reused buffers (no document, no allocation per line
// once warm); bytes written as \udcXX come back as bytes (store/json.h).
#ifndef WARDEN_LEARN_NDJSON_LINE_H_
#define WARDEN_LEARN_NDJSON_LINE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "learn/recorded_event.h"

namespace warden::learn {

// The run, time and kind of an export line, read without parsing it:
// nullopt when the line does not start as the export writes its lines
// ({"run":N,"ts":N,...,"kind":"..."}); parse it then.
struct LinePeek {
  int64_t run = 0, ts = 0;
  std::string_view kind;
};
std::optional<LinePeek> PeekLine(std::string_view line);
// The text of string field `key` (a plain word such as a policy mode) of an
// export line, found without parsing; "" when absent.
std::string_view PeekWord(std::string_view line, std::string_view key);

// Whether a line of `kind` can give an observation or the state behind one.
bool NeededKind(std::string_view kind);

class NdjsonLine {
 public:
  NdjsonLine();
  ~NdjsonLine();

  // FailedPrecondition naming FILE:LINE when `line` is not one JSON object
  // with a run and a kind.
  absl::Status Parse(std::string_view line, std::string_view file, int64_t line_number);

  int64_t run() const;
  int64_t ts() const;
  std::string_view kind() const;
  std::string_view mode() const;  // a policy line's mode
  // The parsed line as an event; false for a kind that is not one
  // (a process exit, syscall, policy, ...). Valid until the next Parse.
  bool ToEvent(RecordedEvent* e) const;

 private:
  struct Fields;
  Fields* f_;
};

}  // namespace warden::learn

#endif  // WARDEN_LEARN_NDJSON_LINE_H_
