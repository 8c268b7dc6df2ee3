// The compact storage of file, network and syscall events (schema versions
// 4 and 5): one `calls` row per traced call (and a `nets` row for its
// network part), whose text columns are numbers into a per-run `strings`
// table (warden-db(5), STORAGE). The views file_events, net_events and
// syscall_events turn the rows back into text, so readers see the same
// columns as before.
//
// Why this shape (bench/README.md, "Database"): a call used to be stored
// two or three times (a file or network row and a syscall row repeating
// the path in its args), and every path, program and flag set was stored
// in full on every row. Now:
//   - a FileEvent, NetEvent and the SyscallEvent of the same call share
//     one row;
//   - each distinct string is stored once per run; a path is stored as its
//     directory's string plus its last component, so sibling files share
//     the directory's text;
//   - syscall args become a template: their one quoted string is replaced
//     by \x01 and kept apart (usually it is the path's last component or
//     the path itself, so it costs nothing);
//   - ids are run_id << 40 | sequence: a run's rows are one rowid range,
//     so no run_id column or index is needed;
//   - timestamps are offsets from the run's start (fewer bytes).
// Internal to store/.
#ifndef WARDEN_STORE_CALLS_H_
#define WARDEN_STORE_CALLS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "store/events.h"
#include "store/sqlite_util.h"

namespace warden::store {

// Bits of an id below the run id: 2^40 calls or strings per run.
inline constexpr int kRunShift = 40;
inline constexpr int64_t RunBase(int64_t run) { return run << kRunShift; }
// Run ids from this one on do not fit (run << 40 would overflow).
inline constexpr int64_t kMaxRuns = int64_t{1} << (63 - kRunShift);
// FailedPrecondition when `run` is too big for the id space.
absl::Status CheckRunId(int64_t run);

// SQL expressions for reading calls rows of run `run` (an SQL expression,
// such as "?1") without the views: the text of string column `col`, and
// the path it names (directory, '/', last component). NULL when col is.
std::string StringSql(std::string_view run, std::string_view col);
std::string PathSql(std::string_view run, std::string_view col);

// args text split for storage: `tmpl` has \x01 where `token` (the text
// between the quotes of its only quoted string) was. No split (token
// nullopt) when args has no quoted string, several, or a \x01 of its own.
struct ArgsTemplate {
  std::string tmpl;
  std::optional<std::string> token;
};
ArgsTemplate SplitArgs(std::string_view args);

// Interns text into `strings` for one run. Numbers start at 2 (0 and 1 are
// the special tokens of calls.arg). Not thread-safe.
class StringTable {
 public:
  // A bound on remembered strings (about 25 MB of writer memory): past it
  // the memory is dropped and strings seen again are stored again (still
  // correct, a bit bigger). The find workload remembers 30,000.
  static constexpr size_t kMaxRemembered = 1 << 18;

  explicit StringTable(StmtPtr insert) : insert_(std::move(insert)) {}
  void BeginRun(int64_t run, int64_t next = 2);
  // The number of `text`; std::nullopt when SQLite failed.
  std::optional<int64_t> Intern(std::string_view text);
  // An absolute path as (directory string, last component); other text
  // (relative, "/", "pipe:[3]") as Intern. *last is the stored component.
  std::optional<int64_t> InternPath(std::string_view path);
  // The text stored for `path`'s own row (its last component when split).
  static std::string_view StoredText(std::string_view path);
  // Forgets every number handed out: after a rollback the rows behind them
  // are gone, and texts seen again must be stored again.
  void Forget() { ids_.clear(); }

 private:
  std::optional<int64_t> Insert(std::string key, std::string_view text, std::optional<int64_t> dir);

  StmtPtr insert_;
  int64_t run_ = 0;
  int64_t next_ = 2;
  absl::flat_hash_map<std::string, int64_t> ids_;
};

// Writes FileEvents, NetEvents and SyscallEvents of one run as `calls`
// rows (plus a `nets` row for a network part). The recorder submits a
// call's FileEvent and NetEvent before its SyscallEvent; Add holds them
// until the syscall part comes and writes one row for all the parts that
// describe the same call, else a row each. Flush writes what is held
// (call it before committing).
class CallWriter {
 public:
  static absl::StatusOr<std::unique_ptr<CallWriter>> Prepare(sqlite3* db);

  // Starts writing a new run's rows.
  void BeginRun(int64_t run, int64_t start_ns);
  // Appends to a run that already has rows (another connection wrote them):
  // numbering goes on after its last call and string.
  absl::Status ContinueRun(int64_t run);
  // Each returns the number of events that could not be written: they
  // count as lost.
  int Add(const FileEvent& e);
  int Add(const NetEvent& e);
  int Add(const SyscallEvent& e);
  int Flush();
  // The parts of one call, known to be one (a CallRecord): written at once,
  // in one row where the row can hold them. `sys` is required.
  int AddCall(const SyscallEvent* sys, const FileEvent* file, const NetEvent* net);
  // After SQLite rolled a transaction back: the strings written in it are
  // gone (see StringTable::Forget).
  void Forget() { strings_.Forget(); }

 private:
  // The parts of one call: any may be missing, not all.
  struct Parts {
    const SyscallEvent* sys = nullptr;
    const FileEvent* file = nullptr;
    const NetEvent* net = nullptr;
    int count() const { return (sys != nullptr) + (file != nullptr) + (net != nullptr); }
  };
  struct Held {
    int pid = 0;
    std::optional<FileEvent> file;
    std::optional<NetEvent> net;
  };

  CallWriter(sqlite3* db, StringTable strings, StmtPtr insert, StmtPtr insert_net)
      : db_(db),
        strings_(std::move(strings)),
        insert_(std::move(insert)),
        insert_net_(std::move(insert_net)) {}
  Held* Find(int pid);
  // Writes what `h` holds without a syscall part, and forgets it.
  int Release(Held& h);
  int WriteParts(Parts p) { return Write(p) ? 0 : p.count(); }
  bool Write(Parts p);
  bool WriteNet(int64_t id, const NetEvent& n);

  sqlite3* db_;
  StringTable strings_;
  StmtPtr insert_;
  StmtPtr insert_net_;
  int64_t run_ = 0;
  int64_t start_ns_ = 0;
  int64_t seq_ = 1;
  std::vector<Held> held_;  // parts waiting for their syscall part, by pid
};

}  // namespace warden::store

#endif  // WARDEN_STORE_CALLS_H_
