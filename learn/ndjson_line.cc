#include "learn/ndjson_line.h"

#include <charconv>

#include "fmt/format.h"
#include "store/json.h"
#include "nlohmann/json.hpp"

namespace warden::learn {
namespace {

using Json = nlohmann::json;

// The fields read, by their export names.
enum Field : int {
  kRun, kTs, kPid, kExe, kKind, kOp, kSyscall, kPath, kPath2, kFlags, kPpid, kTgid,
  kIsThread, kFamily, kSockType, kAddr, kPort, kFd, kErrno, kAction, kMode, kResult,
  kDirection, kNumFields
};
constexpr std::string_view kFieldNames[kNumFields] = {
    "run",  "ts",     "pid",    "exe",       "kind",   "op",   "syscall",
    "path", "path2",  "flags",  "ppid",      "tgid",   "is_thread", "family",
    "sock_type", "addr", "port", "fd",      "errno",  "action", "mode", "result",
    "direction"};
// Text fields that may hold any bytes (the others are names warden chose).
constexpr Field kByteFields[] = {kExe, kPath, kPath2, kAddr};

int FieldOf(std::string_view key) {
  for (int i = 0; i < kNumFields; ++i)
    if (kFieldNames[i] == key) return i;
  return -1;
}

bool ReadInt(std::string_view s, int64_t* v) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *v);
  return ec == std::errc() && p != s.data();
}

}  // namespace

struct NdjsonLine::Fields {
  bool has[kNumFields] = {};
  int64_t num[kNumFields] = {};
  std::string text[kNumFields];
  std::string escaped;  // the line with \udcXX rewritten (store/json.h)

  // nlohmann SAX events. Only the top-level object's scalars are kept.
  int depth = 0;
  int current = -1;  // the field of the value that comes next
  bool top_not_object = false;
  std::string error;

  bool Value() { return depth == 1 && current >= 0; }
  bool null() { return true; }
  bool boolean(bool v) {
    if (Value()) has[current] = true, num[current] = v;
    return true;
  }
  bool number_integer(int64_t v) {
    if (Value()) has[current] = true, num[current] = v;
    return true;
  }
  bool number_unsigned(uint64_t v) { return number_integer(static_cast<int64_t>(v)); }
  bool number_float(double v, const std::string&) {
    return number_integer(static_cast<int64_t>(v));
  }
  bool string(std::string& v) {
    if (Value()) has[current] = true, text[current].assign(v);
    return true;
  }
  bool binary(Json::binary_t&) { return true; }
  bool start_object(size_t) {
    ++depth;
    return true;
  }
  bool key(std::string& k) {
    current = depth == 1 ? FieldOf(k) : -1;
    return true;
  }
  bool end_object() {
    --depth;
    return true;
  }
  bool start_array(size_t) {
    if (depth == 0) top_not_object = true;
    ++depth;
    return true;
  }
  bool end_array() {
    --depth;
    return true;
  }
  bool parse_error(size_t pos, const std::string&, const nlohmann::detail::exception& e) {
    error = fmt::format("column {}: {}", pos, e.what());
    return false;
  }
};

NdjsonLine::NdjsonLine() : f_(new Fields) {}
NdjsonLine::~NdjsonLine() { delete f_; }

absl::Status NdjsonLine::Parse(std::string_view line, std::string_view file,
                               int64_t line_number) {
  Fields& f = *f_;
  for (int i = 0; i < kNumFields; ++i) f.has[i] = false;
  f.depth = 0;
  f.current = -1;
  f.top_not_object = false;
  const bool bytes = store::RewriteByteEscapes(line, f.escaped);
  std::string_view json = bytes ? std::string_view(f.escaped) : line;
  bool ok = false;
  try {
    ok = Json::sax_parse(json.begin(), json.end(), &f);
  } catch (const std::exception& e) {  // nlohmann throws on what SAX cannot report
    f.error = e.what();
  }
  if (!ok && !f.top_not_object)
    return absl::FailedPreconditionError(fmt::format(
        "{}:{}: line {} is not JSON ({}); is it an NDJSON export (`warden export --format "
        "ndjson`)?",
        file, line_number, line_number, f.error));
  if (f.top_not_object || !f.has[kRun] || !f.has[kKind])
    return absl::FailedPreconditionError(fmt::format(
        "{}:{}: not a line of `warden export --format ndjson` (a JSON object with \"run\" and "
        "\"kind\")",
        file, line_number));
  if (bytes)
    for (Field b : kByteFields)
      if (f.has[b]) store::RestoreBytes(f.text[b]);
  return absl::OkStatus();
}

int64_t NdjsonLine::run() const { return f_->num[kRun]; }
int64_t NdjsonLine::ts() const { return f_->num[kTs]; }
std::string_view NdjsonLine::kind() const { return f_->text[kKind]; }
std::string_view NdjsonLine::mode() const { return f_->has[kMode] ? f_->text[kMode] : ""; }

bool NdjsonLine::ToEvent(RecordedEvent* e) const {
  const Fields& f = *f_;
  auto text = [&](Field k) { return f.has[k] ? std::string_view(f.text[k]) : std::string_view(); };
  auto num = [&](Field k, int64_t dflt) { return f.has[k] ? f.num[k] : dflt; };
  const std::string_view kind = text(kKind);
  *e = RecordedEvent{};
  if (kind == "process" && text(kOp) == "start") e->kind = EventKind::kProcess;
  else if (kind == "exec") e->kind = EventKind::kExec;
  else if (kind == "file") e->kind = EventKind::kFile;
  else if (kind == "net") e->kind = EventKind::kNet;
  else return false;
  e->ts_ns = num(kTs, 0);
  e->pid = static_cast<int>(num(kPid, 0));
  e->exe = text(kExe);
  e->ppid = static_cast<int>(num(kPpid, 0));
  e->tgid = static_cast<int>(num(kTgid, e->pid));
  e->is_thread = num(kIsThread, 0) != 0;
  e->syscall = text(kSyscall);
  e->op = text(kOp);
  e->flags = text(kFlags);
  e->path = text(kPath);
  e->path2 = text(kPath2);
  e->family = text(kFamily);
  e->sock_type = text(kSockType);
  e->address = text(kAddr);
  e->port = static_cast<int>(num(kPort, -1));
  e->fd = static_cast<int>(num(kFd, -1));
  e->direction = text(kDirection);
  e->err = static_cast<int>(num(kErrno, 0));
  if (f.has[kResult]) e->result = f.num[kResult];
  e->action = f.has[kAction] ? text(kAction) : std::string_view("allow");
  return true;
}

std::optional<LinePeek> PeekLine(std::string_view line) {
  constexpr std::string_view kRunKey = "{\"run\":", kTsKey = ",\"ts\":", kKindKey = "\"kind\":\"";
  if (!line.starts_with(kRunKey)) return std::nullopt;
  LinePeek p;
  size_t i = kRunKey.size();
  size_t comma = line.find(',', i);
  if (comma == std::string_view::npos || !ReadInt(line.substr(i, comma - i), &p.run))
    return std::nullopt;
  if (line.substr(comma, kTsKey.size()) != kTsKey) return std::nullopt;
  i = comma + kTsKey.size();
  size_t end = line.find_first_of(",}", i);
  if (end == std::string_view::npos || !ReadInt(line.substr(i, end - i), &p.ts))
    return std::nullopt;
  // Inside a JSON string every quote is escaped: this text cannot occur in
  // a value, only as the key.
  size_t k = line.find(kKindKey, end);
  if (k == std::string_view::npos) return std::nullopt;
  k += kKindKey.size();
  size_t q = line.find('"', k);
  if (q == std::string_view::npos) return std::nullopt;
  p.kind = line.substr(k, q - k);
  return p;
}

std::string_view PeekWord(std::string_view line, std::string_view key) {
  std::string pattern = fmt::format("\"{}\":\"", key);
  size_t k = line.find(pattern);
  if (k == std::string_view::npos) return {};
  k += pattern.size();
  size_t q = line.find('"', k);
  return q == std::string_view::npos ? std::string_view() : line.substr(k, q - k);
}

bool NeededKind(std::string_view kind) {
  return kind == "process" || kind == "exec" || kind == "file" || kind == "net";
}

}  // namespace warden::learn
