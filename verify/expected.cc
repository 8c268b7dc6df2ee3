#include "verify/expected.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/status/status.h"
#include "fmt/format.h"
#include "nlohmann/json.hpp"
#include "policy/glob.h"
#include "store/json.h"
#include "verify/match.h"

namespace warden::verify {
namespace {

using nlohmann::json;

std::string Quote(std::string_view s) { return store::JsonQuote(s); }

std::string TargetKey(learn::Kind k) { return IsNetworkKind(k) ? "peer" : "path"; }

std::string WriteItem(const ExpectedItem& e) {
  std::string out = fmt::format(R"({{"kind": {}, "program": {}, "{}": {})", Quote(learn::KindName(e.kind)),
                                Quote(e.program), TargetKey(e.kind), Quote(e.target));
  if (e.optional) out += R"(, "optional": true)";
  if (!e.tag.empty()) out += fmt::format(R"(, "tag": {})", Quote(e.tag));
  return out + "}";
}

std::string WriteGeneratedFrom(const GeneratedFrom& g) {
  std::vector<std::string> dbs, runs;
  for (const auto& d : g.databases) dbs.push_back(Quote(d));
  for (const auto& r : g.runs) runs.push_back(fmt::format(R"({{"db": {}, "run": {}}})", Quote(r.db), r.run));
  return fmt::format(
      "{{\n    \"databases\": [{}],\n    \"runs\": [{}],\n    \"warden_version\": {},\n"
      "    \"generated\": {}\n  }}",
      fmt::join(dbs, ", "), fmt::join(runs, ", "), Quote(g.warden_version), Quote(g.generated));
}

}  // namespace

bool IsNetworkKind(learn::Kind k) {
  return k == learn::Kind::kConnect || k == learn::Kind::kListen || k == learn::Kind::kAccept;
}

std::string WriteExpected(const ExpectedProfile& p) {
  std::vector<std::string> items;
  for (const auto& e : p.items) items.push_back("    " + WriteItem(e));
  return fmt::format(
      "{{\n  \"schema_version\": {},\n  \"service\": {},\n  \"generated_from\": {},\n"
      "  \"coverage\": {{\"min_observation_rate\": {}, \"fail_on_unexpected\": {}}},\n"
      "  \"items\": [{}{}{}]\n}}\n",
      kSchemaVersion, Quote(p.service), WriteGeneratedFrom(p.generated_from), p.coverage.min_observation_rate,
      p.coverage.fail_on_unexpected, items.empty() ? "" : "\n", fmt::join(items, ",\n"),
      items.empty() ? "" : "\n  ");
}

absl::StatusOr<ExpectedProfile> ReadExpected(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    int err = errno;
    std::string msg = fmt::format("{}: cannot read the expected profile: {}", path, std::strerror(err));
    return err == ENOENT ? absl::NotFoundError(msg) : absl::PermissionDeniedError(msg);
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return absl::DataLossError(fmt::format("{}: read error", path));
  return ParseExpected(text.str(), path);
}

}  // namespace warden::verify
