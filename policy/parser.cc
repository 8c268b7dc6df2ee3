// Reads policy files (warden-policy(5)). One pass over the YAML tree
// collects every problem with its position, so a policy gets fixed in one
// round instead of one error per `warden policy check`.
//
// yaml-cpp is only used to build the tree: every scalar is converted here,
// from Node::Scalar(), so a wrong type is a located message rather than a
// BadConversion. Nothing below recurses into values it does not expect,
// which matters because YAML aliases can make a node contain itself.
#include "policy/parser.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <map>
#include <span>
#include <sstream>
#include <vector>

#include "absl/status/status.h"
#include "fmt/format.h"
#include "policy/cidr.h"
#include "policy/glob.h"
#include "syscalls/decode.h"
#include "syscalls/syscall_table.h"
#include "yaml-cpp/eventhandler.h"
#include "yaml-cpp/yaml.h"

namespace warden::policy {
namespace {

using syscalls::Abi;
using syscalls::ArgType;
using syscalls::SyscallDef;

// A policy is a few kilobytes; the cap keeps `warden policy check
// /dev/zero` from eating memory.
constexpr size_t kMaxFileSize = 16 << 20;

constexpr std::string_view kTopKeys[] = {"version", "name",     "description",      "mode",
                                         "log_mode", "defaults", "ignored_syscalls", "rules"};
constexpr std::string_view kDefaultsKeys[] = {"network", "file", "exec", "errno"};
constexpr std::string_view kRuleKeys[] = {
    "name",    "type",      "enabled", "program",  "action",  "errno",    "paths",
    "addresses", "ports",   "port",    "protocol", "syscall", "syscalls", "args"};
constexpr std::string_view kArgKeys[] = {"index", "eq", "ne", "mask", "value", "in", "range", "glob"};

// Matcher keys come in families; a rule type takes one family's keys.
enum class Family : uint8_t { kNetwork, kPath, kSyscall };
struct FamilyText {
  std::string_view types;  // the rule types that take the family's keys
  std::string_view keys;   // what those rules match on
};
constexpr FamilyText kFamilies[] = {
    {"network-outbound/network-inbound", "'addresses', 'ports' and 'protocol'"},
    {"file-read/file-write/exec", "'paths'"},
    {"syscall", "'syscall' (or 'syscalls') and 'args'"},
};
struct MatcherKey {
  std::string_view key;
  Family family;
};
constexpr MatcherKey kMatcherKeys[] = {
    {"addresses", Family::kNetwork}, {"ports", Family::kNetwork},  {"port", Family::kNetwork},
    {"protocol", Family::kNetwork},  {"paths", Family::kPath},     {"syscall", Family::kSyscall},
    {"syscalls", Family::kSyscall},  {"args", Family::kSyscall},
};
// Indexed by RuleType.
constexpr Family kTypeFamily[] = {Family::kNetwork, Family::kNetwork, Family::kPath,
                                  Family::kPath,    Family::kPath,    Family::kSyscall};

Location Loc(const YAML::Mark& m) {
  if (m.is_null()) return {};
  return {m.line + 1, m.column + 1};
}

// User text inside a message: escaped and cut, so a binary or huge key
// cannot flood the terminal.
std::string Quote(std::string_view s) {
  constexpr size_t kMax = 64;
  if (s.size() <= kMax) return fmt::format("'{}'", syscalls::EscapeBytes(s));
  return fmt::format("'{}...'", syscalls::EscapeBytes(s.substr(0, kMax)));
}

std::string_view KindName(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Scalar: return "a string";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Map: return "a mapping";
    default: return "an empty value";
  }
}

// Optimal string alignment distance: a swapped pair ("prots") counts 1.
size_t Distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i)
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.size()][b.size()];
}

// The candidate a typo most likely meant, if any is close enough.
std::optional<std::string_view> Closest(std::string_view typed,
                                        std::span<const std::string_view> candidates) {
  if (typed.empty() || typed.size() > 64) return std::nullopt;
  std::optional<std::string_view> best;
  size_t best_dist = std::max<size_t>(1, typed.size() / 3);
  for (std::string_view c : candidates) {
    size_t dist = Distance(typed, c);
    if (dist <= best_dist && dist < typed.size() && (!best || dist < Distance(typed, *best))) {
      best = c;
      best_dist = dist;
    }
  }
  return best;
}

struct Number {
  uint64_t value = 0;
  bool negative = false;  // written with '-': compare as signed
};

// YAML's integer spellings: 42, -1, 0x2a, 0o52, 052. A negative number is
// its 64-bit two's complement, as the register holds it.
std::optional<Number> ParseNumber(std::string_view s) {
  Number n;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    n.negative = s[0] == '-';
    s.remove_prefix(1);
  }
  int base = 10;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    s.remove_prefix(2);
  } else if (s.size() > 2 && s[0] == '0' && (s[1] == 'o' || s[1] == 'O')) {
    base = 8;
    s.remove_prefix(2);
  } else if (s.size() > 1 && s[0] == '0') {
    base = 8;
    s.remove_prefix(1);
  }
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n.value, base);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  if (n.negative) {
    if (n.value > (uint64_t{1} << 63)) return std::nullopt;
    n.value = ~n.value + 1;
  }
  return n;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Kernel-internal errnos (ERESTARTSYS..) mean "restart the call" to the
// kernel's signal code; returning one from a denied call could loop.
bool InternalErrno(int e) { return e >= 512 && e <= 529; }

// Every errno name warden knows, for "did you mean" on a typo.
const std::vector<std::string_view>& ErrnoNames() {
  static const std::vector<std::string> owned = [] {
    std::vector<std::string> out;
    for (int e = 1; e < 4096; ++e)
      if (std::string n = syscalls::ErrnoName(e); n[0] == 'E' && !InternalErrno(e)) out.push_back(n);
    return out;
  }();
  static const std::vector<std::string_view> names(owned.begin(), owned.end());
  return names;
}

const SyscallDef* FindSyscall(std::string_view name) {
  if (const SyscallDef* d = syscalls::ByName(Abi::kX86_64, name)) return d;
  return syscalls::ByName(Abi::kI386, name);
}

bool StringArg(ArgType t) { return t == ArgType::kPath || t == ArgType::kString; }

// Finds where a second YAML document with content starts, without
// building anything. YAML::LoadAll is not used: on some inputs (a lone
// ",") yaml-cpp 0.7's parser yields empty documents forever without
// consuming a byte, and LoadAll collects them until memory runs out.
class SecondDocumentFinder : public YAML::EventHandler {
 public:
  std::optional<YAML::Mark> Find(const std::string& text) {
    std::istringstream in(text);
    YAML::Parser parser(in);
    int last_start = -1;
    for (int doc = 0; parser.HandleNextDocument(*this); ++doc) {
      if (start_.pos <= last_start) break;  // no progress: the loop above
      last_start = start_.pos;
      if (doc > 0 && content_) return content_;
    }
    return std::nullopt;
  }

  void OnDocumentStart(const YAML::Mark& m) override {
    start_ = m;
    content_.reset();
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark& m, YAML::anchor_t) override { Content(m); }
  void OnScalar(const YAML::Mark& m, const std::string&, YAML::anchor_t,
                const std::string&) override { Content(m); }
  void OnSequenceStart(const YAML::Mark& m, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override { Content(m); }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& m, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override { Content(m); }
  void OnMapEnd() override {}

 private:
  void Content(const YAML::Mark& m) {
    if (!content_) content_ = m;
  }
  YAML::Mark start_;
  std::optional<YAML::Mark> content_;  // the document's first node
};

// A key and its value in a YAML mapping; the key is kept for its position.
struct Field {
  std::string_view name;  // the known key it matched
  YAML::Node key, value;
  // An empty value has no position of its own (yaml-cpp marks it at the
  // next token), so messages about it point at its key.
  Location at() const { return Loc(value.IsNull() ? key.Mark() : value.Mark()); }
  Location key_at() const { return Loc(key.Mark()); }
};
// The known keys of one mapping.
struct Fields {
  std::vector<Field> list;
  std::vector<std::string_view> guessed;  // keys offered for typos ("did you mean")

  const Field* Find(std::string_view name) const {
    for (const Field& f : list)
      if (f.name == name) return &f;
    return nullptr;
  }
  // Absent, and not the key a typo was taken for: "missing 'paths'" on
  // top of "unknown key 'path' (did you mean 'paths'?)" would be noise.
  bool Missing(std::string_view name) const {
    return !Find(name) && std::find(guessed.begin(), guessed.end(), name) == guessed.end();
  }
};

// One string of a string-or-list value, with its position.
struct Item {
  std::string text;
  Location at;
};

class Parser {
 public:
  explicit Parser(std::string_view file) : file_(file) {}
  absl::StatusOr<Policy> Run(std::string_view text);

 private:
  void Error(Location at, std::string_view msg, bool in_rule = true);
  std::optional<Fields> Map(const YAML::Node& n, Location at, std::string_view what,
                            std::span<const std::string_view> keys);
  std::optional<std::string> String(const Field& f);
  std::optional<std::vector<Item>> Strings(const Field& f);
  std::optional<bool> Bool(const Field& f);
  std::optional<Number> Value(const YAML::Node& n, Location at);
  std::optional<Number> Constant(std::string_view part, Location at);
  std::optional<int> Errno(const Field& f);
  template <typename E>
  std::optional<E> Enum(const Field& f, std::string_view what,
                        std::optional<E> (*parse)(std::string_view),
                        const std::vector<std::string_view>& names);
  std::vector<std::string> Syscalls(const Field& f);

  void Root(const YAML::Node& root, Policy& p);
  void Top(const Field& f, Policy& p);
  void Version(const Field& f, Policy& p);
  void Defaults(const Field& f, Policy& p);
  void Rules(const Field& f, Policy& p);
  void ReadRule(const YAML::Node& n, size_t index, Policy& p);
  void RuleName(const Fields& f, Location at, size_t index, Rule& r);
  void RuleCommon(const Fields& f, Location at, Rule& r);
  void Program(const Field& f, Rule& r);
  void Matchers(const Fields& f, Location at, Rule& r);
  void Network(const Fields& f, Location at, Rule& r);
  void Ports(const Fields& f, Rule& r);
  void Paths(const Fields& f, Location at, Rule& r);
  void SyscallMatchers(const Fields& f, Location at, Rule& r);
  std::optional<ArgMatcher> Matcher(const YAML::Node& n, std::span<const std::string> names);
  bool MatcherIndex(const Field* index, const Fields& f, Location at, ArgMatcher& m);
  const Field* OneOp(const Fields& f, Location at);
  bool MatcherOp(const Field& op, const Fields& f, ArgMatcher& m);
  bool GlobOp(const Field& op, ArgMatcher& m);
  bool ListOp(const Field& op, ArgMatcher& m);
  bool MaskOp(const Field& op, const Field* value, ArgMatcher& m);
  void CheckArg(const ArgMatcher& m, const Field& index, const Field& op,
                std::span<const std::string> names);

  std::string file_;
  std::string context_;  // "rule 'x': " while a rule is read
  std::vector<std::string> errors_;
  std::map<std::string, Location> rule_names_;
};

void Parser::Error(Location at, std::string_view msg, bool in_rule) {
  std::string_view ctx = in_rule ? std::string_view(context_) : "";
  if (at.line == 0)
    errors_.push_back(fmt::format("{}: {}{}", file_, ctx, msg));
  else
    errors_.push_back(fmt::format("{}:{}:{}: {}{}", file_, at.line, at.column, ctx, msg));
}

// The known keys of a mapping; unknown and repeated keys are reported.
std::optional<Fields> Parser::Map(const YAML::Node& n, Location at, std::string_view what,
                                  std::span<const std::string_view> keys) {
  if (!n.IsMap()) {
    Error(at, fmt::format("{} must be a mapping, not {}", what, KindName(n)));
    return std::nullopt;
  }
  Fields fields;
  std::map<std::string, Location> seen;
  for (auto it = n.begin(); it != n.end(); ++it) {
    Location kat = Loc(it->first.Mark());
    if (!it->first.IsScalar()) {
      Error(kat, fmt::format("a key in {} must be a string, not {}", what, KindName(it->first)));
      continue;
    }
    const std::string& name = it->first.Scalar();
    if (auto [prev, fresh] = seen.emplace(name, kat); !fresh) {
      Error(kat, fmt::format("duplicate key {} (first at {}:{})", Quote(name), prev->second.line,
                             prev->second.column));
      continue;
    }
    auto known = std::find(keys.begin(), keys.end(), name);
    if (known != keys.end()) {
      fields.list.push_back({*known, it->first, it->second});
    } else if (auto guess = Closest(name, keys)) {
      fields.guessed.push_back(*guess);
      Error(kat, fmt::format("unknown key {} in {} (did you mean '{}'?)", Quote(name), what, *guess));
    } else {
      Error(kat, fmt::format("unknown key {} in {}: expected one of {}", Quote(name), what,
                             fmt::join(keys, ", ")));
    }
  }
  return fields;
}

std::optional<std::string> Parser::String(const Field& f) {
  if (f.value.IsScalar()) return f.value.Scalar();
  Error(f.at(), fmt::format("'{}' must be a string, not {}", f.name, KindName(f.value)));
  return std::nullopt;
}

// A string or a list of strings; empty (null) is an empty list.
std::optional<std::vector<Item>> Parser::Strings(const Field& f) {
  std::vector<Item> items;
  if (f.value.IsNull()) return items;
  if (f.value.IsScalar()) return std::vector<Item>{{f.value.Scalar(), f.at()}};
  if (!f.value.IsSequence()) {
    Error(f.at(), fmt::format("'{}' must be a string or a list of strings, not {}", f.name,
                              KindName(f.value)));
    return std::nullopt;
  }
  bool ok = true;
  for (const YAML::Node& item : f.value) {
    if (item.IsScalar()) {
      items.push_back({item.Scalar(), Loc(item.Mark())});
      continue;
    }
    Error(Loc(item.Mark()).line ? Loc(item.Mark()) : f.at(),
          fmt::format("each item of '{}' must be a string, not {}", f.name, KindName(item)));
    ok = false;
  }
  if (!ok) return std::nullopt;
  return items;
}

std::optional<bool> Parser::Bool(const Field& f) {
  bool b = false;
  if (f.value.IsScalar() && YAML::convert<bool>::decode(f.value, b)) return b;
  Error(f.at(), fmt::format("'{}' must be true or false, not {}", f.name,
                            f.value.IsScalar() ? Quote(f.value.Scalar()) : KindName(f.value)));
  return std::nullopt;
}

// A number, or constant names joined by '|' ("O_CREAT|O_TRUNC", "0x10").
std::optional<Number> Parser::Value(const YAML::Node& n, Location at) {
  if (!n.IsScalar()) {
    Error(at, fmt::format("expected a number or constant names like O_WRONLY|O_CREAT, not {}",
                          KindName(n)));
    return std::nullopt;
  }
  std::string_view text = n.Scalar();
  Number total;
  bool ok = true;
  for (size_t start = 0; start <= text.size();) {
    size_t bar = std::min(text.find('|', start), text.size());
    auto part = Constant(Trim(text.substr(start, bar - start)), at);
    if (part) total = {total.value | part->value, total.negative || part->negative};
    ok = ok && part.has_value();
    start = bar + 1;
  }
  if (!ok) return std::nullopt;
  return total;
}

std::optional<Number> Parser::Constant(std::string_view part, Location at) {
  if (part.empty()) {
    Error(at, "empty value: write a number or constant names like O_WRONLY|O_CREAT");
    return std::nullopt;
  }
  if (auto n = ParseNumber(part)) return n;
  if (auto c = syscalls::ConstantByName(part)) return Number{*c, false};
  if ((part[0] >= '0' && part[0] <= '9') || part[0] == '-' || part[0] == '+')
    Error(at, fmt::format("bad number {}: write decimal, 0x hex or 0o octal within 64 bits",
                          Quote(part)));
  else
    Error(at, fmt::format("unknown constant {}", Quote(part)));
  return std::nullopt;
}

std::optional<int> Parser::Errno(const Field& f) {
  auto s = String(f);
  if (!s) return std::nullopt;
  if (auto n = ParseNumber(*s)) {
    if (!n->negative && n->value >= 1 && n->value <= 4095 && !InternalErrno(static_cast<int>(n->value)))
      return static_cast<int>(n->value);
    Error(f.at(), fmt::format("errno {} is out of range: write a name like EPERM or a number "
                              "1-4095 (not the kernel-internal 512-529)", Quote(*s)));
    return std::nullopt;
  }
  auto e = syscalls::ErrnoByName(*s);
  if (e && !InternalErrno(*e)) return e;
  std::string msg = fmt::format("unknown errno {}", Quote(*s));
  if (e) msg = fmt::format("errno {} is kernel-internal and never returned to programs", Quote(*s));
  else if (auto guess = Closest(*s, ErrnoNames())) msg += fmt::format(" (did you mean {}?)", *guess);
  Error(f.at(), msg);
  return std::nullopt;
}

template <typename E>
std::optional<E> Parser::Enum(const Field& f, std::string_view what,
                              std::optional<E> (*parse)(std::string_view),
                              const std::vector<std::string_view>& names) {
  auto s = String(f);
  if (!s) return std::nullopt;
  if (auto v = parse(*s)) return v;
  Error(f.at(), fmt::format("unknown {} {}: expected one of {}", what, Quote(*s),
                            fmt::join(names, ", ")));
  return std::nullopt;
}

// Names of known syscalls (x86_64 or i386); unknown ones are reported.
std::vector<std::string> Parser::Syscalls(const Field& f) {
  std::vector<std::string> names;
  auto items = Strings(f);
  if (!items) return names;
  for (const Item& item : *items) {
    if (FindSyscall(item.text)) {
      names.push_back(item.text);
      continue;
    }
    auto guesses = syscalls::ClosestNames(Abi::kX86_64, item.text);
    std::string msg = fmt::format("unknown syscall {}", Quote(item.text));
    if (!guesses.empty()) msg += fmt::format(" (did you mean: {}?)", fmt::join(guesses, ", "));
    Error(item.at, msg);
  }
  return names;
}

absl::StatusOr<Policy> Parser::Run(std::string_view text) {
  Policy p;
  p.source = file_;
  try {
    std::string copy(text);
    // Finding a second document first also reports syntax errors in it.
    if (auto second = SecondDocumentFinder().Find(copy))
      Error(Loc(*second), "a policy file holds one YAML document; a second one starts here");
    else if (YAML::Node root = YAML::Load(copy); root.IsNull())
      Error({1, 1}, "empty policy: expected a mapping with version, name and rules");
    else
      Root(root, p);
  } catch (const YAML::Exception& e) {
    Error(Loc(e.mark), fmt::format("YAML syntax error: {}", e.msg), false);
  } catch (const std::exception& e) {
    Error({}, fmt::format("cannot read the policy: {}", e.what()), false);
  } catch (...) {
    Error({}, "cannot read the policy: unexpected error", false);
  }
  if (errors_.empty()) return p;
  return absl::InvalidArgumentError(fmt::format("{}", fmt::join(errors_, "\n")));
}

void Parser::Root(const YAML::Node& root, Policy& p) {
  Location at = Loc(root.Mark());
  auto fields = Map(root, at, "a policy file", kTopKeys);
  if (!fields) return;
  for (const Field& f : fields->list) Top(f, p);
  if (fields->Missing("version")) Error(at, "missing 'version': write 'version: 1'");
  if (fields->Missing("name")) Error(at, "missing 'name': every policy needs a name");
}

void Parser::Top(const Field& f, Policy& p) {
  if (f.name == "version") return Version(f, p);
  if (f.name == "defaults") return Defaults(f, p);
  if (f.name == "rules") return Rules(f, p);
  if (f.name == "ignored_syscalls") {
    p.ignored_syscalls = Syscalls(f);
  } else if (f.name == "name") {
    auto s = String(f);
    if (s && s->empty()) Error(f.at(), "'name' must not be empty");
    if (s) p.name = *s;
  } else if (f.name == "description") {
    if (f.value.IsNull()) return;  // "description:" with nothing after it
    if (auto s = String(f)) p.description = *s;
  } else if (f.name == "mode") {
    if (auto m = Enum<Mode>(f, "mode", ParseMode, ModeNames())) p.mode = *m;
  } else if (f.name == "log_mode") {
    if (auto m = Enum<LogMode>(f, "log_mode", ParseLogMode, LogModeNames())) p.log_mode = *m;
  }
}

void Parser::Version(const Field& f, Policy& p) {
  auto s = String(f);
  if (!s) return;
  auto n = ParseNumber(*s);
  if (n && !n->negative && n->value == 1) {
    p.version = 1;
    return;
  }
  Error(f.at(), fmt::format("unsupported version {}: this warden reads version 1", Quote(*s)));
}

void Parser::Defaults(const Field& f, Policy& p) {
  if (f.value.IsNull()) return;
  auto fields = Map(f.value, f.at(), "'defaults'", kDefaultsKeys);
  if (!fields) return;
  for (const Field& d : fields->list) {
    if (d.name == "errno") {
      if (auto e = Errno(d)) p.defaults.err = *e;
      continue;
    }
    Action& slot = d.name == "network" ? p.defaults.network
                   : d.name == "file"  ? p.defaults.file
                                       : p.defaults.exec;
    if (auto a = Enum<Action>(d, "action", ParseAction, ActionNames())) slot = *a;
  }
}

void Parser::Rules(const Field& f, Policy& p) {
  if (f.value.IsNull()) return;
  if (!f.value.IsSequence()) {
    Error(f.at(), fmt::format("'rules' must be a list of rules, not {}", KindName(f.value)));
    return;
  }
  size_t index = 0;
  for (const YAML::Node& n : f.value) ReadRule(n, index++, p);
}

// A rule named in messages before its name is known, so that errors
// about its keys say which rule.
std::string RuleLabel(const YAML::Node& n, size_t index) {
  if (n.IsMap())
    for (auto it = n.begin(); it != n.end(); ++it)
      if (it->first.IsScalar() && it->first.Scalar() == "name" && it->second.IsScalar() &&
          !it->second.Scalar().empty())
        return fmt::format("rule {}: ", Quote(it->second.Scalar()));
  return fmt::format("rule #{}: ", index + 1);
}

void Parser::ReadRule(const YAML::Node& n, size_t index, Policy& p) {
  Location at = Loc(n.Mark());
  context_ = RuleLabel(n, index);
  if (auto fields = Map(n, at, "a rule", kRuleKeys)) {
    Rule r;
    r.where = at;
    RuleName(*fields, at, index, r);
    RuleCommon(*fields, at, r);
    Matchers(*fields, at, r);
    p.rules.push_back(std::move(r));
  }
  context_.clear();
}

void Parser::RuleName(const Fields& f, Location at, size_t index, Rule& r) {
  const Field* name = f.Find("name");
  if (!name) {
    if (f.Missing("name")) Error(at, "missing 'name': every rule needs a unique name");
    r.name = fmt::format("#{}", index + 1);
    return;
  }
  auto s = String(*name);
  if (!s) return;
  if (s->empty()) Error(name->at(), "'name' must not be empty");
  r.name = *s;
  auto [prev, fresh] = rule_names_.emplace(*s, name->at());
  if (!fresh && !s->empty())
    Error(name->at(), fmt::format("duplicate rule name {} (first defined at {}:{})", Quote(*s),
                                  prev->second.line, prev->second.column), false);
}

void Parser::RuleCommon(const Fields& f, Location at, Rule& r) {
  if (const Field* e = f.Find("enabled"))
    if (auto b = Bool(*e)) r.enabled = *b;
  if (const Field* prog = f.Find("program")) Program(*prog, r);
  const Field* action = f.Find("action");
  std::optional<Action> a;
  if (!action && f.Missing("action"))
    Error(at, fmt::format("missing 'action': one of {}", fmt::join(ActionNames(), ", ")));
  else if (action && (a = Enum<Action>(*action, "action", ParseAction, ActionNames())))
    r.action = *a;
  const Field* err = f.Find("errno");
  if (!err) return;
  if (a && *a != Action::kDeny)
    Error(err->key_at(), fmt::format("'errno' only applies to action deny, not {}", ActionName(*a)));
  else if (auto e = Errno(*err))
    r.err = *e;
}

void Parser::Program(const Field& f, Rule& r) {
  auto s = String(f);
  if (!s) return;
  absl::Status glob = ValidateGlob(*s);
  if (s->empty())
    Error(f.at(), "'program' must not be empty (\"*\" is any program)");
  else if (!glob.ok())
    Error(f.at(), fmt::format("program {}: {}", Quote(*s), std::string(glob.message())));
  else
    r.program = *s;
}

void Parser::Matchers(const Fields& f, Location at, Rule& r) {
  const Field* type = f.Find("type");
  if (!type) {
    if (f.Missing("type"))
      Error(at, fmt::format("missing 'type': one of {}", fmt::join(RuleTypeNames(), ", ")));
    return;
  }
  auto t = Enum<RuleType>(*type, "rule type", ParseRuleType, RuleTypeNames());
  if (!t) return;
  r.type = *t;
  Family family = kTypeFamily[static_cast<int>(*t)];
  for (const Field& field : f.list)
    for (const MatcherKey& mk : kMatcherKeys)
      if (mk.key == field.name && mk.family != family)
        Error(field.key_at(), fmt::format("'{}' is for {} rules; {} rules match on {}", field.name,
                                          kFamilies[static_cast<int>(mk.family)].types,
                                          RuleTypeName(*t), kFamilies[static_cast<int>(family)].keys));
  if (family == Family::kNetwork) Network(f, at, r);
  if (family == Family::kPath) Paths(f, at, r);
  if (family == Family::kSyscall) SyscallMatchers(f, at, r);
}

void Parser::Network(const Fields& f, Location, Rule& r) {
  if (const Field* a = f.Find("addresses")) {
    bool any = false;
    for (const Item& item : Strings(*a).value_or(std::vector<Item>{})) {
      if (item.text == "any") {
        any = true;
      } else if (auto net = ParseCidr(item.text); net.ok()) {
        r.addresses.push_back(*net);
      } else {
        Error(item.at, std::string(net.status().message()));
      }
    }
    // "any" next to networks still means any address.
    if (any) r.addresses.clear();
  }
  Ports(f, r);
  if (const Field* p = f.Find("protocol")) {
    std::vector<std::string_view> names = {ProtocolName(Protocol::kTcp),
                                           ProtocolName(Protocol::kUdp),
                                           ProtocolName(Protocol::kAny)};
    if (auto proto = Enum<Protocol>(*p, "protocol", ParseProtocol, names)) r.protocol = *proto;
  }
}

void Parser::Ports(const Fields& f, Rule& r) {
  const Field* many = f.Find("ports");
  const Field* one = f.Find("port");
  if (many && one) {
    Error(one->key_at(), "write either 'port' or 'ports', not both");
    return;
  }
  const Field* field = many ? many : one;
  if (!field) return;
  auto items = Strings(*field);
  if (!items) return;
  if (one && items->size() > 1) Error(one->at(), "'port' takes one port; list several under 'ports'");
  for (const Item& item : *items) {
    if (item.text.empty()) continue;  // blank: any port
    auto range = ParsePortRange(item.text);
    if (!range.ok()) Error(item.at, std::string(range.status().message()));
    else if (one && range->lo != range->hi)
      Error(item.at, "'port' takes one port; write a range under 'ports'");
    else r.ports.push_back(*range);
  }
}

void Parser::Paths(const Fields& f, Location at, Rule& r) {
  const Field* paths = f.Find("paths");
  std::string_view type = RuleTypeName(r.type);
  if (!paths) {
    if (f.Missing("paths"))
      Error(at, fmt::format("missing 'paths': {} rules need at least one path glob", type));
    return;
  }
  auto items = Strings(*paths);
  if (!items) return;
  if (items->empty()) Error(paths->at(), fmt::format("'paths' is empty: {} rules need at least one path glob", type));
  for (const Item& item : *items) {
    absl::Status glob = ValidateGlob(item.text);
    if (item.text.empty() || (item.text[0] != '/' && item.text[0] != '*'))
      Error(item.at, fmt::format("path {} must be absolute or start with '*' (like \"**/secret\")", Quote(item.text)));
    else if (!glob.ok())
      Error(item.at, fmt::format("path {}: {}", Quote(item.text), std::string(glob.message())));
    else
      r.paths.push_back(item.text);
  }
}

void Parser::SyscallMatchers(const Fields& f, Location at, Rule& r) {
  const Field* one = f.Find("syscall");
  const Field* many = f.Find("syscalls");
  if (one && many) Error(many->key_at(), "write either 'syscall' or 'syscalls', not both");
  const Field* names = one ? one : many;
  if (!names) {
    if (f.Missing("syscall") && f.Missing("syscalls"))
      Error(at, "missing 'syscall' (or 'syscalls'): the calls a syscall rule applies to");
    return;
  }
  auto items = Strings(*names);
  if (items && items->empty())
    Error(names->at(), fmt::format("'{}' is empty: name at least one syscall", names->name));
  r.syscalls = Syscalls(*names);
  const Field* args = f.Find("args");
  if (!args || args->value.IsNull()) return;
  if (!args->value.IsSequence()) {
    Error(args->at(), fmt::format("'args' must be a list of matchers, not {}", KindName(args->value)));
    return;
  }
  for (const YAML::Node& n : args->value)
    if (auto m = Matcher(n, r.syscalls)) r.args.push_back(std::move(*m));
}

struct OpName {
  std::string_view name;
  MatchOp op;
};
constexpr OpName kOps[] = {{"eq", MatchOp::kEq},       {"ne", MatchOp::kNe},
                           {"mask", MatchOp::kMask},   {"in", MatchOp::kIn},
                           {"range", MatchOp::kRange}, {"glob", MatchOp::kGlob}};

std::optional<ArgMatcher> Parser::Matcher(const YAML::Node& n, std::span<const std::string> names) {
  Location at = Loc(n.Mark());
  auto f = Map(n, at, "an argument matcher", kArgKeys);
  if (!f) return std::nullopt;
  ArgMatcher m;
  m.where = at;
  const Field* index = f->Find("index");
  bool ok = MatcherIndex(index, *f, at, m);
  const Field* op = OneOp(*f, at);
  if (!op) return std::nullopt;
  if (const Field* v = f->Find("value"); v && op->name != "mask") {
    Error(v->key_at(), "'value' goes with 'mask': (arg & mask) == value");
    ok = false;
  }
  ok = MatcherOp(*op, *f, m) && ok;
  if (!ok) return std::nullopt;
  CheckArg(m, *index, *op, names);
  return m;
}

bool Parser::MatcherIndex(const Field* index, const Fields& f, Location at, ArgMatcher& m) {
  if (!index) {
    if (f.Missing("index")) Error(at, "argument matcher needs 'index': the argument's position, 0-5");
    return false;
  }
  std::optional<Number> i = Value(index->value, index->at());
  if (!i) return false;
  if (i->negative || i->value > 5) {
    Error(index->at(), "'index' must be 0-5");
    return false;
  }
  m.index = static_cast<int>(i->value);
  return true;
}

// The matcher's one operation; none or several are reported.
const Field* Parser::OneOp(const Fields& f, Location at) {
  std::vector<const Field*> ops;
  bool guessed = false;
  for (const OpName& o : kOps) {
    if (const Field* field = f.Find(o.name)) ops.push_back(field);
    guessed = guessed || !f.Missing(o.name);
  }
  if (ops.size() == 1) return ops[0];
  if (ops.empty() && !guessed)
    Error(at, "argument matcher needs one of eq, ne, mask, in, range, glob");
  if (ops.size() > 1) {
    std::vector<std::string_view> names;
    for (const Field* o : ops) names.push_back(o->name);
    Error(ops[1]->key_at(), fmt::format("argument matcher has more than one operation ({}): "
                                        "write one matcher per operation", fmt::join(names, ", ")));
  }
  return nullptr;
}

// Reads the one operation of a matcher into `m`.
bool Parser::MatcherOp(const Field& op, const Fields& f, ArgMatcher& m) {
  for (const OpName& o : kOps)
    if (o.name == op.name) m.op = o.op;
  if (m.op == MatchOp::kGlob) return GlobOp(op, m);
  if (m.op == MatchOp::kIn || m.op == MatchOp::kRange) return ListOp(op, m);
  if (m.op == MatchOp::kMask) return MaskOp(op, f.Find("value"), m);
  auto v = Value(op.value, op.at());
  if (v) m.value = v->value;
  return v.has_value();
}

bool Parser::GlobOp(const Field& op, ArgMatcher& m) {
  auto s = String(op);
  if (!s) return false;
  absl::Status glob = ValidateGlob(*s);
  if (!glob.ok()) Error(op.at(), fmt::format("glob {}: {}", Quote(*s), std::string(glob.message())));
  m.glob = *s;
  return glob.ok();
}

// `in: [values]` and `range: [lo, hi]`.
bool Parser::ListOp(const Field& op, ArgMatcher& m) {
  bool in = m.op == MatchOp::kIn;
  if (!op.value.IsSequence() || op.value.size() == 0 || (!in && op.value.size() != 2)) {
    Error(op.at(), in ? "'in' takes a non-empty list of values, like [1, 2]"
                      : "'range' takes a list of two values, like [0, 100]");
    return false;
  }
  std::vector<Number> values;
  for (const YAML::Node& v : op.value)
    if (auto n = Value(v, Loc(v.Mark()))) values.push_back(*n);
  if (values.size() != op.value.size()) return false;
  if (in) {
    for (const Number& n : values) m.values.push_back(n.value);
    return true;
  }
  m.lo = values[0].value;
  m.hi = values[1].value;
  // Written with a sign, the bounds compare as signed: [-5, 5] is fine.
  bool sign = values[0].negative || values[1].negative;
  bool reversed = sign ? static_cast<int64_t>(m.lo) > static_cast<int64_t>(m.hi) : m.lo > m.hi;
  if (reversed) Error(op.at(), "'range' is reversed: write [lo, hi] with lo <= hi");
  return !reversed;
}

// `mask: M, value: V` is (arg & M) == V; `mask: M` alone, any bit of M.
bool Parser::MaskOp(const Field& op, const Field* value, ArgMatcher& m) {
  auto mask = Value(op.value, op.at());
  if (!mask) return false;
  m.mask = mask->value;
  m.mask_any = value == nullptr;
  if (!value) return true;
  auto v = Value(value->value, value->at());
  if (!v) return false;
  m.value = v->value;
  if ((m.value & ~m.mask) == 0) return true;
  Error(value->at(), fmt::format("value {:#x} has bits outside mask {:#x}: the matcher could "
                                 "never hold", m.value, m.mask));
  return false;
}

// The matcher against each named syscall's table row: the index must
// exist, and strings are matched with glob, integers with the rest.
void Parser::CheckArg(const ArgMatcher& m, const Field& index, const Field& op,
                      std::span<const std::string> names) {
  for (const std::string& name : names) {
    const SyscallDef* d = FindSyscall(name);
    if (!d) continue;
    if (m.index >= d->nargs) {
      Error(index.at(), d->nargs == 0
                            ? fmt::format("{} takes no arguments", name)
                            : fmt::format("arg {} of {} is out of range: {} takes {} (index 0-{})",
                                          m.index, name, name, d->nargs, d->nargs - 1));
      continue;
    }
    ArgType t = d->args[m.index].type;
    std::string_view type = syscalls::ArgTypeName(t);
    if (StringArg(t) && m.op != MatchOp::kGlob)
      Error(op.key_at(), fmt::format("arg {} of {} is a {}: match it with glob", m.index, name,
                                     t == ArgType::kPath ? "path" : "string"));
    else if (!StringArg(t) && m.op == MatchOp::kGlob)
      Error(op.key_at(), fmt::format("arg {} of {} is {}, not a path or string: glob matches only "
                                     "path and string arguments", m.index, name, type));
  }
}

absl::StatusOr<std::string> ReadPolicyBytes(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  auto fail = [&](int err) {
    return absl::Status(absl::ErrnoToStatusCode(err),
                        fmt::format("cannot read {}: {}", path, std::strerror(err)));
  };
  if (fd < 0) return fail(errno);
  std::string text;
  char buf[65536];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      close(fd);
      return fail(err);
    }
    if (n == 0) break;
    text.append(buf, static_cast<size_t>(n));
    if (text.size() > kMaxFileSize) {
      close(fd);
      return absl::OutOfRangeError(fmt::format("cannot read {}: larger than {} MiB, which no "
                                               "policy is", path, kMaxFileSize >> 20));
    }
  }
  close(fd);
  return text;
}

}  // namespace

absl::StatusOr<Policy> ParsePolicyText(std::string_view text, std::string_view filename) {
  return Parser(filename).Run(text);
}

absl::StatusOr<Policy> ParsePolicyFile(const std::string& path) {
  absl::StatusOr<std::string> text = ReadPolicyBytes(path);
  if (!text.ok()) return text.status();
  return ParsePolicyText(*text, path);
}

}  // namespace warden::policy
