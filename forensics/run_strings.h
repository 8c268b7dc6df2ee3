// A run's strings (warden-db(5), STORAGE: schema 4 and later), read once
// (profile, learn, expect, verify)
// into one buffer, so that the run's calls rows can be read as numbers
// without a lookup per column per row (what the file_events and net_events
// views do). A path string is its directory's text, "/", its own text.
#ifndef WARDEN_FORENSICS_RUN_STRINGS_H_
#define WARDEN_FORENSICS_RUN_STRINGS_H_

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"

namespace warden::forensics {

class RunStrings {
 public:
  // `select`: SELECT id & mask, text, dir FROM strings WHERE <the run's
  // ids>, with the run bound as ?1 by Load.
  absl::Status Load(sqlite3* db, sqlite3_stmt* select, int64_t run);
  // The same with a statement of its own (one run read once).
  absl::Status Load(sqlite3* db, int64_t run);
  // "" for a number it does not have (0: a NULL column; strings start at 2).
  std::string_view Text(int64_t n) const;
  // The path string n, put together in `buf` when it has a directory.
  std::string_view Path(int64_t n, std::string& buf) const;
  // One more than the highest string number loaded (a live run adds more).
  size_t count() const { return rows_.size(); }

 private:
  struct Row {
    uint64_t offset = 0;
    uint32_t size = 0;
    int64_t dir = -1;
  };
  std::string text_;      // every text, one after the other
  std::vector<Row> rows_; // by n
};

}  // namespace warden::forensics

#endif  // WARDEN_FORENSICS_RUN_STRINGS_H_
