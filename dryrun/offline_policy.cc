#include "dryrun/offline_policy.h"

#include <charconv>
#include <string>

#include "policy/compile.h"
#include "supervisor/effects.h"
#include "syscalls/syscall_table.h"

namespace warden::dryrun {
namespace {

// No rule name can hold a control character.
constexpr std::string_view kMarker = "\x01unjudged:";

bool PathArgument(const supervisor::EffectRow* e, int index) {
  if (e == nullptr || e->null_path != supervisor::NullPath::kMarker) return false;
  return index == e->path || (e->effect == supervisor::Effect::kTwoPaths && index == e->path2);
}

// open and openat record their flags decoded from the register, every bit
// named or kept as hex: the value comes back exactly (describe.h).
bool OpenFlagsArgument(const supervisor::EffectRow* e, int index) {
  return e != nullptr && e->effect == supervisor::Effect::kOpen && e->flags >= 0 &&
         index == e->flags;
}

bool Recoverable(const supervisor::EffectRow* e, const policy::ArgMatcher& m) {
  return m.op == policy::MatchOp::kGlob ? PathArgument(e, m.index)
                                        : OpenFlagsArgument(e, m.index);
}

}  // namespace

bool MatchersRecoverable(const policy::Rule& r) {
  for (const auto& name : r.syscalls)
    for (auto abi : {syscalls::Abi::kX86_64, syscalls::Abi::kI386}) {
      const syscalls::SyscallDef* def = syscalls::ByName(abi, name);
      if (def == nullptr) continue;
      const supervisor::EffectRow* e = supervisor::EffectOf(abi, def->nr);
      for (const policy::ArgMatcher& m : r.args)
        if (!Recoverable(e, m)) return false;
    }
  return true;
}

std::shared_ptr<const policy::Policy> OfflinePolicy(const policy::Policy& p) {
  auto out = std::make_shared<policy::Policy>(p);
  if (out->mode == policy::Mode::kPermissive) out->mode = policy::Mode::kActive;
  policy::AddImplicitRules(*out);
  for (size_t i = 0; i < out->rules.size(); ++i) {
    policy::Rule& r = out->rules[i];
    if (r.type != policy::RuleType::kSyscall || r.args.empty() || MatchersRecoverable(r)) continue;
    r.args.clear();
    r.name = std::string(kMarker) + std::to_string(i);
  }
  return out;
}

std::optional<size_t> UnjudgedRule(std::string_view verdict_rule) {
  if (!verdict_rule.starts_with(kMarker)) return std::nullopt;
  std::string_view digits = verdict_rule.substr(kMarker.size());
  size_t i = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), i);
  if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  return i;
}

}  // namespace warden::dryrun
