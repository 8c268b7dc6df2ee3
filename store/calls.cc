#include "store/calls.h"

#include <cstring>
#include <utility>

#include "fmt/format.h"

namespace warden::store {
namespace {

// calls.arg: the args token is the text of the path's own string row (its
// last component, or the whole path when unsplit), or the whole path.
constexpr int64_t kArgIsPathText = 0;
constexpr int64_t kArgIsPath = 1;

// The verdict columns are NOT NULL: an event built without one was allowed.
std::string_view ActionOrAllow(const std::string& action) {
  return action.empty() ? std::string_view("allow") : std::string_view(action);
}

// Where a quoted string that starts at args[open] ends (its closing quote),
// or npos. The decoder escapes quotes and backslashes inside strings.
size_t ClosingQuote(std::string_view args, size_t open) {
  for (size_t i = open + 1; i < args.size(); ++i) {
    if (args[i] == '\\') ++i;
    else if (args[i] == '"') return i;
  }
  return std::string_view::npos;
}

const std::string& CallName(const SyscallEvent& e) { return e.name; }
const std::string& CallName(const FileEvent& e) { return e.syscall; }
const std::string& CallName(const NetEvent& e) { return e.syscall; }

// Whether two parts describe the same call: everything a calls row holds
// once for all its parts is equal, so one row loses nothing.
template <typename A, typename B>
bool SameCall(const A& a, const B& b) {
  return a.pid == b.pid && a.ts_ns == b.ts_ns && CallName(a) == CallName(b) && a.exe == b.exe &&
         a.result == b.result && a.err == b.err &&
         ActionOrAllow(a.action) == ActionOrAllow(b.action) && a.rule == b.rule;
}

}  // namespace

absl::Status CheckRunId(int64_t run) {
  if (run > 0 && run < kMaxRuns) return absl::OkStatus();
  return absl::FailedPreconditionError(fmt::format(
      "run id {} is beyond what the database can number (1 to {}); record into a new --db file",
      run, kMaxRuns - 1));
}

std::string StringSql(std::string_view run, std::string_view col) {
  return fmt::format("(SELECT text FROM strings WHERE id = (({}) << {}) | {})", run, kRunShift, col);
}

std::string PathSql(std::string_view run, std::string_view col) {
  return fmt::format(
      "(SELECT CASE WHEN p.dir IS NULL THEN p.text ELSE (SELECT d.text FROM strings d WHERE d.id = "
      "(({0}) << {1}) | p.dir) || '/' || p.text END FROM strings p WHERE p.id = (({0}) << {1}) | {2})",
      run, kRunShift, col);
}

ArgsTemplate SplitArgs(std::string_view args) {
  ArgsTemplate out{std::string(args), std::nullopt};
  if (args.find('\x01') != std::string_view::npos) return out;
  size_t open = args.find('"');
  if (open == std::string_view::npos) return out;
  size_t close = ClosingQuote(args, open);
  if (close == std::string_view::npos) return out;
  if (args.find('"', close + 1) != std::string_view::npos) return out;  // two strings
  out.token = std::string(args.substr(open + 1, close - open - 1));
  out.tmpl = fmt::format("{}\x01{}", args.substr(0, open + 1), args.substr(close));
  return out;
}

// ---------------------------------------------------------------------------
// StringTable.

void StringTable::BeginRun(int64_t run, int64_t next) {
  run_ = run;
  next_ = next;
  ids_.clear();
}

std::optional<int64_t> StringTable::Insert(std::string key, std::string_view text,
                                           std::optional<int64_t> dir) {
  if (auto it = ids_.find(key); it != ids_.end()) return it->second;
  sqlite3_stmt* s = insert_.get();
  Binder b(s);
  b.Int(RunBase(run_) | next_).Text(text);
  if (dir) b.Int(*dir); else b.Null();
  if (!StepDone(s)) return std::nullopt;
  if (ids_.size() >= kMaxRemembered) ids_.clear();
  ids_.emplace(std::move(key), next_);
  return next_++;
}

std::optional<int64_t> StringTable::Intern(std::string_view text) {
  std::string key;
  key.reserve(text.size() + 1);
  key.push_back('\0');
  key.append(text);
  return Insert(std::move(key), text, std::nullopt);
}

std::string_view StringTable::StoredText(std::string_view path) {
  if (path.size() < 2 || path[0] != '/') return path;
  return path.substr(path.rfind('/') + 1);
}

std::optional<int64_t> StringTable::InternPath(std::string_view path) {
  if (path.size() < 2 || path[0] != '/') return Intern(path);
  size_t slash = path.rfind('/');
  auto dir = Intern(path.substr(0, slash));  // "" for a file in /
  if (!dir) return std::nullopt;
  std::string_view last = path.substr(slash + 1);
  std::string key(1 + sizeof(int64_t), '\1');
  std::memcpy(key.data() + 1, &*dir, sizeof(int64_t));
  key.append(last);
  return Insert(std::move(key), last, *dir);
}

// ---------------------------------------------------------------------------
// CallWriter.

absl::StatusOr<std::unique_ptr<CallWriter>> CallWriter::Prepare(sqlite3* db) {
  auto strings = PrepareSql(db, "INSERT INTO strings(id, text, dir) VALUES(?,?,?)");
  if (!strings.ok()) return strings.status();
  auto calls = PrepareSql(db,
      "INSERT INTO calls(id, ts, pid, exe, name, abi, nr, args, arg, result, errno, action, rule, "
      "path, op, flags, path2, named) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
  if (!calls.ok()) return calls.status();
  auto nets = PrepareSql(db,
      "INSERT INTO nets(id, op, family, sock_type, direction, address, port, fd) "
      "VALUES(?,?,?,?,?,?,?,?)");
  if (!nets.ok()) return nets.status();
  return std::unique_ptr<CallWriter>(
      new CallWriter(db, StringTable(std::move(*strings)), std::move(*calls), std::move(*nets)));
}

void CallWriter::BeginRun(int64_t run, int64_t start_ns) {
  run_ = run;
  start_ns_ = start_ns;
  seq_ = 1;
  held_.clear();
  strings_.BeginRun(run);
}

absl::Status CallWriter::ContinueRun(int64_t run) {
  constexpr int64_t kMask = (int64_t{1} << kRunShift) - 1;
  auto stmt = PrepareSql(db_, fmt::format(
      "SELECT (SELECT start_ns FROM runs WHERE id = ?1), "
      "(SELECT coalesce(max(id) & {0}, 0) FROM calls WHERE id BETWEEN ?2 AND ?2 + {0}), "
      "(SELECT coalesce(max(id) & {0}, 1) FROM strings WHERE id BETWEEN ?2 AND ?2 + {0})",
      kMask));
  if (!stmt.ok()) return stmt.status();
  Binder(stmt->get()).Int(run).Int(RunBase(run));
  if (sqlite3_step(stmt->get()) != SQLITE_ROW || ColumnIsNull(stmt->get(), 0))
    return absl::NotFoundError(fmt::format("no run {} to append to", run));
  BeginRun(run, sqlite3_column_int64(stmt->get(), 0));
  seq_ = sqlite3_column_int64(stmt->get(), 1) + 1;
  strings_.BeginRun(run, sqlite3_column_int64(stmt->get(), 2) + 1);
  return absl::OkStatus();
}

CallWriter::Held* CallWriter::Find(int pid) {
  for (Held& h : held_)
    if (h.pid == pid) return &h;
  return nullptr;
}

int CallWriter::Release(Held& h) {
  int lost = 0;
  if (h.file && h.net && SameCall(*h.file, *h.net)) {
    lost = WriteParts({.file = &*h.file, .net = &*h.net});
  } else {
    if (h.file) lost += WriteParts({.file = &*h.file});
    if (h.net) lost += WriteParts({.net = &*h.net});
  }
  h.file.reset();
  h.net.reset();
  return lost;
}

int CallWriter::Add(const FileEvent& e) {
  int lost = 0;
  Held* h = Find(e.pid);
  if (h == nullptr) h = &held_.emplace_back(Held{.pid = e.pid});
  // A file part comes first: anything held is an earlier call's.
  if (h->file || h->net) lost = Release(*h);
  h->file = e;
  return lost;
}

int CallWriter::Add(const NetEvent& e) {
  int lost = 0;
  Held* h = Find(e.pid);
  if (h == nullptr) h = &held_.emplace_back(Held{.pid = e.pid});
  if (h->net || (h->file && !SameCall(*h->file, e))) lost = Release(*h);
  h->net = e;
  return lost;
}

int CallWriter::Add(const SyscallEvent& e) {
  Held* h = Find(e.pid);
  if (h == nullptr) return WriteParts({.sys = &e});
  Parts p{.sys = &e};
  int lost = 0;
  if (h->file && SameCall(*h->file, e)) p.file = &*h->file;
  else if (h->file) lost += WriteParts({.file = &*h->file});
  if (h->net && SameCall(*h->net, e)) p.net = &*h->net;
  else if (h->net) lost += WriteParts({.net = &*h->net});
  lost += WriteParts(p);
  held_.erase(held_.begin() + (h - held_.data()));
  return lost;
}

int CallWriter::AddCall(const SyscallEvent* sys, const FileEvent* file, const NetEvent* net) {
  // Parts held from Add() are earlier calls of this pid: written first.
  int lost = 0;
  if (Held* h = Find(sys->pid); h != nullptr) {
    lost = Release(*h);
    held_.erase(held_.begin() + (h - held_.data()));
  }
  // A part whose row would say something else (socketcall's connect is
  // named connect, the call socketcall) is a row of its own, as in Add().
  Parts p{.sys = sys};
  if (file != nullptr && SameCall(*file, *sys)) p.file = file;
  else if (file != nullptr) lost += WriteParts({.file = file});
  if (net != nullptr && SameCall(*net, *sys)) p.net = net;
  else if (net != nullptr) lost += WriteParts({.net = net});
  return lost + WriteParts(p);
}

int CallWriter::Flush() {
  int lost = 0;
  for (Held& h : held_) lost += Release(h);
  held_.clear();
  return lost;
}

bool CallWriter::WriteNet(int64_t id, const NetEvent& n) {
  bool ok = true;
  auto text = [&](std::string_view v) -> std::optional<int64_t> {
    if (v.empty()) return std::nullopt;
    auto i = strings_.Intern(v);
    ok = ok && i.has_value();
    return i;
  };
  auto op = text(n.op), family = text(n.family), type = text(n.sock_type);
  auto direction = text(n.direction), address = text(n.address);
  if (!ok) return false;
  sqlite3_stmt* stmt = insert_net_.get();
  Binder(stmt)
      .Int(id)
      .OptInt(op)
      .OptInt(family)
      .OptInt(type)
      .OptInt(direction)
      .OptInt(address)
      .OptInt(n.port >= 0 ? std::optional<int64_t>(n.port) : std::nullopt)
      .OptInt(n.fd >= 0 ? std::optional<int64_t>(n.fd) : std::nullopt);
  return StepDone(stmt);
}

// One calls row for the parts of one call (and its nets row). The parts
// agree on what the row holds once (SameCall); it is read from any of them.
bool CallWriter::Write(Parts parts) {
  StringTable& st = strings_;
  const SyscallEvent* s = parts.sys;
  const FileEvent* f = parts.file;
  const NetEvent* net = parts.net;
  auto common = [&](auto field) -> decltype(auto) {
    return s ? field(*s) : f ? field(*f) : field(*net);
  };
  const int64_t ts = common([](const auto& e) { return e.ts_ns; });
  const int pid = common([](const auto& e) { return e.pid; });
  const std::string& exe = common([](const auto& e) -> const std::string& { return e.exe; });
  const std::string& name = common([](const auto& e) -> const std::string& { return CallName(e); });
  const std::optional<int64_t> result = common([](const auto& e) { return e.result; });
  const int err = common([](const auto& e) { return e.err; });
  const std::string& action = common([](const auto& e) -> const std::string& { return e.action; });
  const std::string& rule = common([](const auto& e) -> const std::string& { return e.rule; });

  // nullopt from an interning = SQLite failed: the row is not written.
  bool ok = true;
  auto text = [&](std::string_view v, bool null_if_empty) -> std::optional<int64_t> {
    if (null_if_empty && v.empty()) return std::nullopt;
    auto n = st.Intern(v);
    ok = ok && n.has_value();
    return n;
  };
  auto path = [&](std::string_view v) -> std::optional<int64_t> {
    if (v.empty()) return std::nullopt;
    auto n = st.InternPath(v);
    ok = ok && n.has_value();
    return n;
  };

  std::optional<int64_t> abi, nr, args, arg;
  if (s) {
    abi = text(s->abi, false);
    nr = s->nr;
    ArgsTemplate split = SplitArgs(s->args);
    args = text(split.tmpl, false);
    if (split.token) {
      if (f && *split.token == StringTable::StoredText(f->path)) arg = kArgIsPathText;
      else if (f && *split.token == f->path) arg = kArgIsPath;
      else arg = text(*split.token, false);
    }
  }
  std::optional<int64_t> file_path, op, flags, path2, named;
  if (f) {
    // A file part always has a path column, even "" (so that the
    // file_events view, which keys on it, shows the row).
    file_path = f->path.empty() ? text("", false) : path(f->path);
    op = text(f->op, false);
    flags = text(f->flags, true);
    path2 = path(f->path2);
    named = path(f->named);
  }
  auto exe_n = text(exe, false);  // "" (not known) stays "", as in version 3
  auto name_n = text(name, false);
  auto action_n = text(ActionOrAllow(action), false);
  auto rule_n = text(rule, true);
  if (!ok) return false;

  sqlite3_stmt* stmt = insert_.get();
  Binder(stmt)
      .Int(RunBase(run_) | seq_)
      .Int(ts - start_ns_)
      .Int(pid)
      .OptInt(exe_n)
      .OptInt(name_n)
      .OptInt(abi)
      .OptInt(nr)
      .OptInt(args)
      .OptInt(arg)
      .OptInt(result)
      .Int(err)
      .OptInt(action_n)
      .OptInt(rule_n)
      .OptInt(file_path)
      .OptInt(op)
      .OptInt(flags)
      .OptInt(path2)
      .OptInt(named);
  if (!StepDone(stmt)) return false;
  const int64_t id = RunBase(run_) | seq_++;
  return net == nullptr || WriteNet(id, *net);
}

}  // namespace warden::store
