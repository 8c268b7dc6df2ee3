#include "learn/policy_yaml.h"

#include <sys/socket.h>

#include <algorithm>
#include <cctype>

#include "fmt/format.h"
#include "store/json.h"
#include "policy/cidr.h"
#include "syscalls/decode.h"

namespace warden::learn {
namespace {

using policy::Action;
using policy::ArgMatcher;
using policy::MatchOp;
using policy::Rule;
using policy::RuleType;

bool PlainChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '.' || c == '_' || c == '-' ||
         c == '@' || c == '+';
}

// Words some YAML readers take for booleans or null.
bool SpecialWord(std::string_view s) {
  static constexpr std::string_view kWords[] = {"y", "n", "yes", "no", "true", "false",
                                                "on", "off", "null"};
  std::string lower(s);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return std::find(std::begin(kWords), std::end(kWords), lower) != std::end(kWords);
}

// Escapes of YAML double-quoted scalars for what must not appear raw: C0
// controls, DEL, C1 controls and the Unicode line and paragraph separators
// (readers take those for line breaks).
std::string EscapeCodePoint(std::string_view seq) {
  uint8_t c = static_cast<uint8_t>(seq[0]);
  if (seq.size() == 1) {
    if (c == '"') return "\\\"";
    if (c == '\\') return "\\\\";
    if (c == '\t') return "\\t";
    if (c == '\n') return "\\n";
    if (c < 0x20 || c == 0x7f) return fmt::format("\\x{:02x}", c);
    return std::string(seq);
  }
  if (seq.size() == 2 && c == 0xC2 && static_cast<uint8_t>(seq[1]) < 0xA0)
    return fmt::format("\\u{:04x}", static_cast<uint8_t>(seq[1]));
  if (seq == "\u2028") return "\\L";
  if (seq == "\u2029") return "\\P";
  if (seq == "\ufeff") return "\\ufeff";
  return std::string(seq);
}

std::string Quoted(std::string_view text) {
  std::string out = "\"";
  for (size_t i = 0; i < text.size();) {
    size_t n = store::Utf8Length(text, i);
    if (n == 0) {  // not UTF-8: the byte as a code point, the closest a YAML text can say
      out += fmt::format("\\x{:02x}", static_cast<uint8_t>(text[i]));
      ++i;
      continue;
    }
    out += EscapeCodePoint(text.substr(i, n));
    i += n;
  }
  return out + "\"";
}

std::string List(const std::vector<std::string>& items) {
  std::vector<std::string> scalars;
  for (const auto& s : items) scalars.push_back(YamlScalar(s));
  return fmt::format("[{}]", fmt::join(scalars, ", "));
}

std::string Address(const policy::Cidr& net) {
  std::string s = policy::FormatCidr(net);
  int full = net.family == AF_INET6 ? 128 : 32;
  if (net.prefix == full) s.resize(s.rfind('/'));
  return s;
}

std::string Port(const policy::PortRange& p) {
  return p.lo == p.hi ? std::to_string(p.lo) : fmt::format("{}-{}", p.lo, p.hi);
}

// Small negative numbers (AT_FDCWD, -1) by their sign, the rest in hex.
std::string Number(uint64_t v) {
  int64_t s = static_cast<int64_t>(v);
  if (s < 0 && s >= -4096) return std::to_string(s);
  return fmt::format("{:#x}", v);
}

std::string Matcher(const ArgMatcher& m) {
  std::string op;
  switch (m.op) {
    case MatchOp::kEq: op = "eq: " + Number(m.value); break;
    case MatchOp::kNe: op = "ne: " + Number(m.value); break;
    case MatchOp::kMask:
      op = fmt::format("mask: {:#x}", m.mask);
      if (!m.mask_any) op += fmt::format(", value: {:#x}", m.value);
      break;
    case MatchOp::kIn: {
      std::vector<std::string> v;
      for (uint64_t x : m.values) v.push_back(Number(x));
      op = fmt::format("in: [{}]", fmt::join(v, ", "));
      break;
    }
    case MatchOp::kRange:
      // Signs make the parser compare the bounds as signed: only when the
      // bounds need it.
      op = m.lo <= m.hi ? fmt::format("range: [{:#x}, {:#x}]", m.lo, m.hi)
                        : fmt::format("range: [{}, {}]", static_cast<int64_t>(m.lo),
                                      static_cast<int64_t>(m.hi));
      break;
    case MatchOp::kGlob: op = "glob: " + YamlScalar(m.glob); break;
  }
  return fmt::format("{{index: {}, {}}}", m.index, op);
}

void Matchers(const Rule& r, std::string& out) {
  switch (r.type) {
    case RuleType::kFileRead:
    case RuleType::kFileWrite:
    case RuleType::kExec:
      out += "    paths:\n";
      for (const auto& p : r.paths) out += fmt::format("      - {}\n", YamlScalar(p));
      return;
    case RuleType::kNetworkOutbound:
    case RuleType::kNetworkInbound: {
      std::vector<std::string> addresses, ports;
      for (const auto& a : r.addresses) addresses.push_back(Address(a));
      for (const auto& p : r.ports) ports.push_back(Port(p));
      if (!addresses.empty()) out += fmt::format("    addresses: {}\n", List(addresses));
      if (!ports.empty()) out += fmt::format("    ports: {}\n", List(ports));
      if (r.protocol != policy::Protocol::kAny)
        out += fmt::format("    protocol: {}\n", policy::ProtocolName(r.protocol));
      return;
    }
    case RuleType::kSyscall:
      out += fmt::format("    syscalls: {}\n", List(r.syscalls));
      if (r.args.empty()) return;
      out += "    args:\n";
      for (const auto& m : r.args) out += fmt::format("      - {}\n", Matcher(m));
      return;
  }
}

void WriteRule(const CommentedRule& c, std::string& out) {
  if (c.blank_before) out += "\n";
  for (const auto& line : c.comments) out += fmt::format("  {}\n", line);
  const Rule& r = c.rule;
  out += fmt::format("  - name: {}\n", YamlScalar(r.name));
  out += fmt::format("    type: {}\n", policy::RuleTypeName(r.type));
  if (!r.enabled) out += "    enabled: false\n";
  if (r.program != "*") out += fmt::format("    program: {}\n", YamlScalar(r.program));
  Matchers(r, out);
  out += fmt::format("    action: {}\n", policy::ActionName(r.action));
  if (r.action == Action::kDeny && r.err != 1)
    out += fmt::format("    errno: {}\n", syscalls::ErrnoName(r.err));
}

void WriteTop(const policy::Policy& p, std::string& out) {
  out += fmt::format("version: {}\n", p.version);
  out += fmt::format("name: {}\n", YamlScalar(p.name));
  if (!p.description.empty()) out += fmt::format("description: {}\n", YamlScalar(p.description));
  out += fmt::format("mode: {}\n", policy::ModeName(p.mode));
  out += fmt::format("log_mode: {}\n", policy::LogModeName(p.log_mode));
  out += "defaults:\n";
  out += fmt::format("  network: {}\n", policy::ActionName(p.defaults.network));
  out += fmt::format("  file: {}\n", policy::ActionName(p.defaults.file));
  out += fmt::format("  exec: {}\n", policy::ActionName(p.defaults.exec));
  if (p.defaults.err != 1) out += fmt::format("  errno: {}\n", syscalls::ErrnoName(p.defaults.err));
  if (!p.ignored_syscalls.empty())
    out += fmt::format("ignored_syscalls: {}\n", List(p.ignored_syscalls));
}

std::string_view TrimLeft(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  return s;
}

std::string_view TrimRight(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::string YamlScalar(std::string_view text) {
  // Spaces are fine inside (no ':' or '#' can follow one), not at the ends.
  bool plain = !text.empty() && text.back() != ' ' &&
               std::all_of(text.begin(), text.end(), [](char c) { return PlainChar(c) || c == ' '; }) &&
               (std::isalnum(static_cast<unsigned char>(text[0])) || text[0] == '/' ||
                text[0] == '_') &&
               !SpecialWord(text);
  return plain ? std::string(text) : Quoted(text);
}

std::string CommentText(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size();) {
    size_t n = store::Utf8Length(text, i);
    std::string_view seq = text.substr(i, n ? n : 1);
    uint8_t c = static_cast<uint8_t>(text[i]);
    if (n == 0 || (n == 1 && (c < 0x20 || c == 0x7f)))
      out += fmt::format("\\x{:02x}", c);
    else if (n > 1 && EscapeCodePoint(seq) != seq)
      out += EscapeCodePoint(seq);
    else
      out += seq;
    i += seq.size();
  }
  return out;
}

std::string WritePolicyYaml(const PolicyDocument& doc) {
  std::string out;
  for (const auto& line : doc.header) out += line + "\n";
  WriteTop(doc.policy, out);
  if (doc.rules.empty()) return out + "rules: []\n";
  out += "rules:\n";
  for (const auto& r : doc.rules) WriteRule(r, out);
  return out;
}

std::vector<CommentedRule> RulesWithComments(const policy::Policy& policy, std::string_view text) {
  std::vector<std::string_view> lines;
  for (size_t i = 0; i <= text.size();) {
    size_t nl = text.find('\n', i);
    if (nl == std::string_view::npos) nl = text.size();
    lines.push_back(TrimRight(text.substr(i, nl - i)));
    i = nl + 1;
  }
  std::vector<CommentedRule> out;
  int previous = 0;
  for (const Rule& r : policy.rules) {
    CommentedRule c{r, {}, false};
    // Lines are 1-based: the rule starts on lines[line - 1]. Rules sharing
    // a line (a flow list) have no comments of their own.
    size_t above = r.where.line > previous ? std::min<size_t>(r.where.line - 1, lines.size()) : 0;
    previous = std::max(previous, r.where.line);
    size_t first = above;
    while (first > 0 && TrimLeft(lines[first - 1]).starts_with('#')) --first;
    for (size_t i = first; i < above; ++i) c.comments.emplace_back(TrimLeft(lines[i]));
    c.blank_before = first > 0 && TrimLeft(lines[first - 1]).empty();
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace warden::learn
