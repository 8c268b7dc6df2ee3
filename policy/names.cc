// Names of the policy enums as policy files write them, as tables.
#include <span>

#include "policy/policy.h"

namespace warden::policy {
namespace {

template <typename E>
struct Named {
  E value;
  std::string_view name;
};

constexpr Named<Action> kActions[] = {
    {Action::kAllow, "allow"}, {Action::kDeny, "deny"},
    {Action::kMonitor, "monitor"}, {Action::kKill, "kill"},
};
constexpr Named<Mode> kModes[] = {
    {Mode::kActive, "active"}, {Mode::kPermissive, "permissive"}, {Mode::kInactive, "inactive"},
};
constexpr Named<LogMode> kLogModes[] = {
    {LogMode::kNone, "None"},
    {LogMode::kPolicyMonitor, "PolicyMonitor"},
    {LogMode::kPolicyDeny, "PolicyDeny"},
    {LogMode::kPolicyMonitorDeny, "PolicyMonitorDeny"},
    {LogMode::kPolicyAllow, "PolicyAllow"},
    {LogMode::kPolicyAll, "PolicyAll"},
    {LogMode::kBehavior, "Behavior"},
    {LogMode::kAll, "All"},
};
constexpr Named<RuleType> kRuleTypes[] = {
    {RuleType::kNetworkOutbound, "network-outbound"},
    {RuleType::kNetworkInbound, "network-inbound"},
    {RuleType::kFileRead, "file-read"},
    {RuleType::kFileWrite, "file-write"},
    {RuleType::kExec, "exec"},
    {RuleType::kSyscall, "syscall"},
};
constexpr Named<Protocol> kProtocols[] = {
    {Protocol::kAny, "any"}, {Protocol::kTcp, "tcp"}, {Protocol::kUdp, "udp"},
};

template <typename E>
std::string_view NameOf(std::span<const Named<E>> table, E value) {
  for (const auto& row : table)
    if (row.value == value) return row.name;
  return "?";
}

template <typename E>
std::optional<E> ValueOf(std::span<const Named<E>> table, std::string_view name) {
  for (const auto& row : table)
    if (row.name == name) return row.value;
  return std::nullopt;
}

template <typename E>
std::vector<std::string_view> NamesOf(std::span<const Named<E>> table) {
  std::vector<std::string_view> out;
  for (const auto& row : table) out.push_back(row.name);
  return out;
}

// Which policy hits each log mode records, by action (allow, deny, monitor,
// kill), and whether it records behaviour. Kill is a harder deny: the
// deny-recording modes record it.
struct LogModeRow {
  LogMode mode;
  bool behavior;
  bool hits[4];
};
constexpr LogModeRow kLogModeRows[] = {
    {LogMode::kNone, false, {false, false, false, false}},
    {LogMode::kPolicyMonitor, false, {false, false, true, false}},
    {LogMode::kPolicyDeny, false, {false, true, false, true}},
    {LogMode::kPolicyMonitorDeny, false, {false, true, true, true}},
    {LogMode::kPolicyAllow, false, {true, false, false, false}},
    {LogMode::kPolicyAll, false, {true, true, true, true}},
    {LogMode::kBehavior, true, {false, false, false, false}},
    {LogMode::kAll, true, {true, true, true, true}},
};

const LogModeRow& RowOf(LogMode m) { return kLogModeRows[static_cast<int>(m)]; }

}  // namespace

std::string_view ActionName(Action a) { return NameOf<Action>(kActions, a); }
std::string_view ModeName(Mode m) { return NameOf<Mode>(kModes, m); }
std::string_view LogModeName(LogMode m) { return NameOf<LogMode>(kLogModes, m); }
std::string_view RuleTypeName(RuleType t) { return NameOf<RuleType>(kRuleTypes, t); }
std::string_view ProtocolName(Protocol p) { return NameOf<Protocol>(kProtocols, p); }
std::optional<Action> ParseAction(std::string_view s) { return ValueOf<Action>(kActions, s); }
std::optional<Mode> ParseMode(std::string_view s) { return ValueOf<Mode>(kModes, s); }
std::optional<LogMode> ParseLogMode(std::string_view s) { return ValueOf<LogMode>(kLogModes, s); }
std::optional<RuleType> ParseRuleType(std::string_view s) {
  return ValueOf<RuleType>(kRuleTypes, s);
}
std::optional<Protocol> ParseProtocol(std::string_view s) {
  return ValueOf<Protocol>(kProtocols, s);
}
std::vector<std::string_view> ActionNames() { return NamesOf<Action>(kActions); }
std::vector<std::string_view> ModeNames() { return NamesOf<Mode>(kModes); }
std::vector<std::string_view> LogModeNames() { return NamesOf<LogMode>(kLogModes); }
std::vector<std::string_view> RuleTypeNames() { return NamesOf<RuleType>(kRuleTypes); }

bool RecordsBehavior(LogMode m) { return RowOf(m).behavior; }
bool RecordsHit(LogMode m, Action a) { return RowOf(m).hits[static_cast<int>(a)]; }

}  // namespace warden::policy
