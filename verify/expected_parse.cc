// ParseExpected (expected.h): the JSON checks, each error naming the file,
// the place (items[3], coverage) and what to write instead.
#include <span>

#include "absl/status/status.h"
#include "absl/strings/str_join.h"
#include "fmt/format.h"
#include "nlohmann/json.hpp"
#include "policy/glob.h"
#include "verify/expected.h"
#include "store/json.h"
#include "verify/match.h"

namespace warden::verify {
namespace {

using nlohmann::json;

constexpr std::string_view kTopKeys[] = {"schema_version", "service", "generated_from", "coverage", "items"};
constexpr std::string_view kFromKeys[] = {"databases", "runs", "warden_version", "generated"};
constexpr std::string_view kRunKeys[] = {"db", "run"};
constexpr std::string_view kCoverageKeys[] = {"min_observation_rate", "fail_on_unexpected"};
constexpr std::string_view kItemKeys[] = {"kind", "program", "path", "peer", "optional", "tag"};

// Where in which file: every message starts with it.
struct Place {
  std::string_view file;
  std::string where;  // "" for the top level
  Place In(std::string_view sub) const { return {file, where.empty() ? std::string(sub) : where + "." + std::string(sub)}; }
  absl::Status Bad(std::string_view what) const {
    return absl::InvalidArgumentError(
        where.empty() ? fmt::format("{}: {}", file, what) : fmt::format("{}: {}: {}", file, where, what));
  }
};

absl::Status CheckKeys(const json& obj, std::span<const std::string_view> keys, const Place& at) {
  if (!obj.is_object()) return at.Bad("not a JSON object");
  for (const auto& [key, value] : obj.items()) {
    bool known = false;
    for (auto k : keys) known = known || k == key;
    if (!known)
      return at.Bad(fmt::format("unknown key '{}' (keys here: {})", store::WithBytesRestored(key), fmt::join(keys, ", ")));
  }
  return absl::OkStatus();
}

absl::Status String(const json& obj, const char* key, const Place& at, std::string* out, bool required) {
  auto it = obj.find(key);
  if (it == obj.end())
    return required ? at.Bad(fmt::format("missing field '{}' (a string)", key)) : absl::OkStatus();
  if (!it->is_string()) return at.Bad(fmt::format("'{}' must be a string, not {}", key, it->type_name()));
  *out = store::WithBytesRestored(it->get_ref<const std::string&>());
  return absl::OkStatus();
}

absl::Status Bool(const json& obj, const char* key, const Place& at, bool* out) {
  auto it = obj.find(key);
  if (it == obj.end()) return absl::OkStatus();
  if (!it->is_boolean()) return at.Bad(fmt::format("'{}' must be true or false, not {}", key, it->dump()));
  *out = it->get<bool>();
  return absl::OkStatus();
}

absl::Status Array(const json& obj, const char* key, const Place& at, const json** out, bool required) {
  auto it = obj.find(key);
  if (it == obj.end()) return required ? at.Bad(fmt::format("missing field '{}' (an array)", key)) : absl::OkStatus();
  if (!it->is_array()) return at.Bad(fmt::format("'{}' must be an array, not {}", key, it->type_name()));
  *out = &*it;
  return absl::OkStatus();
}


// "FILE:LINE:COL: not JSON: ..." as the user's editor counts (1-based).
absl::StatusOr<json> ParseJson(std::string_view text, std::string_view file) {
  std::string rewritten;
  if (!store::RewriteByteEscapes(text, rewritten)) rewritten = std::string(text);
  try {
    return json::parse(rewritten);
  } catch (const json::parse_error& e) {
    size_t at = store::OriginalOffset(text, e.byte > 0 ? e.byte - 1 : 0);
    size_t line = 1, column = 1;
    for (size_t i = 0; i < at && i < text.size(); ++i) {
      line += text[i] == '\n';
      column = text[i] == '\n' ? 1 : column + 1;
    }
    std::string why = e.what();
    if (size_t p = why.find(": "); p != std::string::npos) why = why.substr(p + 2);
    return absl::InvalidArgumentError(fmt::format(
        "{}:{}:{}: not JSON: {} (an expected profile is the JSON document `warden expect` writes)", file, line,
        column, why));
  } catch (const std::exception& e) {
    return absl::InvalidArgumentError(fmt::format("{}: not JSON: {}", file, e.what()));
  }
}

absl::Status SchemaVersion(const json& doc, const Place& at) {
  auto it = doc.find("schema_version");
  if (it == doc.end())
    return at.Bad(fmt::format("missing field 'schema_version' (this warden reads version {}; write the file "
                              "with `warden expect`)", kSchemaVersion));
  if (!it->is_number_integer() || it->get<int64_t>() != kSchemaVersion)
    return at.Bad(fmt::format("schema_version {} is not supported: this warden reads version {} (regenerate "
                              "the file with `warden expect`)", it->dump(), kSchemaVersion));
  return absl::OkStatus();
}

absl::Status ReadGeneratedFrom(const json& doc, const Place& top, GeneratedFrom* g) {
  auto it = doc.find("generated_from");
  if (it == doc.end()) return absl::OkStatus();
  Place at = top.In("generated_from");
  if (auto s = CheckKeys(*it, kFromKeys, at); !s.ok()) return s;
  const json *dbs = nullptr, *runs = nullptr;
  if (auto s = Array(*it, "databases", at, &dbs, false); !s.ok()) return s;
  for (size_t i = 0; dbs && i < dbs->size(); ++i) {
    if (!(*dbs)[i].is_string()) return at.Bad(fmt::format("databases[{}] must be a string", i));
    g->databases.push_back(store::WithBytesRestored((*dbs)[i].get_ref<const std::string&>()));
  }
  if (auto s = Array(*it, "runs", at, &runs, false); !s.ok()) return s;
  for (size_t i = 0; runs && i < runs->size(); ++i) {
    const json& r = (*runs)[i];
    Place rat = at.In(fmt::format("runs[{}]", i));
    SourceRun run;
    if (auto s = CheckKeys(r, kRunKeys, rat); !s.ok()) return s;
    if (auto s = String(r, "db", rat, &run.db, true); !s.ok()) return s;
    if (!r.contains("run") || !r["run"].is_number_integer()) return rat.Bad("'run' must be a run id (a number)");
    run.run = r["run"].get<int64_t>();
    g->runs.push_back(std::move(run));
  }
  if (auto s = String(*it, "warden_version", at, &g->warden_version, false); !s.ok()) return s;
  return String(*it, "generated", at, &g->generated, false);
}

absl::Status ReadCoverage(const json& doc, const Place& top, Coverage* c) {
  auto it = doc.find("coverage");
  if (it == doc.end()) return absl::OkStatus();
  Place at = top.In("coverage");
  if (auto s = CheckKeys(*it, kCoverageKeys, at); !s.ok()) return s;
  if (auto r = it->find("min_observation_rate"); r != it->end()) {
    if (!r->is_number() || r->get<double>() < 0 || r->get<double>() > 1)
      return at.Bad(fmt::format("min_observation_rate must be a number from 0 to 1 (0.8: 80%), not {}", r->dump()));
    c->min_observation_rate = r->get<double>();
  }
  return Bool(*it, "fail_on_unexpected", at, &c->fail_on_unexpected);
}

absl::Status ReadTarget(const json& item, const Place& at, ExpectedItem* e) {
  bool net = IsNetworkKind(e->kind);
  const char* key = net ? "peer" : "path";
  const char* other = net ? "path" : "peer";
  if (item.contains(other))
    return at.Bad(fmt::format("a {} item has a '{}', not a '{}'", learn::KindName(e->kind), key, other));
  if (auto s = String(item, key, at, &e->target, true); !s.ok()) return s;
  if (net && !ParsePeer(e->target))
    return at.Bad(fmt::format("peer '{}' is not ADDRESS:PORT or [IPV6]:PORT (PORT a number or *)", e->target));
  if (!net && e->target.empty()) return at.Bad("'path' is empty");
  if (auto s = policy::ValidateGlob(net ? ParsePeer(e->target)->address : e->target); !s.ok())
    return at.Bad(fmt::format("{}: {}", key, std::string(s.message())));
  return absl::OkStatus();
}

absl::Status ReadItem(const json& item, const Place& at, ExpectedItem* e) {
  if (auto s = CheckKeys(item, kItemKeys, at); !s.ok()) return s;
  std::string kind;
  if (auto s = String(item, "kind", at, &kind, true); !s.ok()) return s;
  auto k = learn::ParseKind(kind);
  if (!k) return at.Bad(fmt::format("unknown kind '{}' (kinds: file-read, file-write, exec, connect, listen, accept)", kind));
  e->kind = *k;
  if (auto s = String(item, "program", at, &e->program, true); !s.ok()) return s;
  if (e->program.empty()) return at.Bad("'program' is empty (\"*\" stands for any program)");
  if (auto s = policy::ValidateGlob(e->program); !s.ok()) return at.Bad(fmt::format("program: {}", std::string(s.message())));
  if (auto s = ReadTarget(item, at, e); !s.ok()) return s;
  if (auto s = Bool(item, "optional", at, &e->optional); !s.ok()) return s;
  return String(item, "tag", at, &e->tag, false);
}

absl::StatusOr<ExpectedProfile> ReadDocument(const json& doc_json, std::string_view file) {
  const json* doc = &doc_json;
  Place top{file, ""};
  if (!doc->is_object()) return top.Bad("not an expected profile: the top level must be a JSON object");
  if (auto s = SchemaVersion(*doc, top); !s.ok()) return s;
  if (auto s = CheckKeys(*doc, kTopKeys, top); !s.ok()) return s;
  ExpectedProfile p;
  if (auto s = String(*doc, "service", top, &p.service, true); !s.ok()) return s;
  if (auto s = ReadGeneratedFrom(*doc, top, &p.generated_from); !s.ok()) return s;
  if (auto s = ReadCoverage(*doc, top, &p.coverage); !s.ok()) return s;
  const json* items = nullptr;
  if (auto s = Array(*doc, "items", top, &items, true); !s.ok()) return s;
  p.items.resize(items->size());
  for (size_t i = 0; i < items->size(); ++i)
    if (auto s = ReadItem((*items)[i], top.In(fmt::format("items[{}]", i)), &p.items[i]); !s.ok()) return s;
  return p;
}

}  // namespace

absl::StatusOr<ExpectedProfile> ParseExpected(std::string_view text, std::string_view file) {
  auto doc = ParseJson(text, file);
  if (!doc.ok()) return doc.status();
  try {  // every access is checked first; this only keeps nlohmann's exceptions inside
    return ReadDocument(*doc, file);
  } catch (const std::exception& e) {
    return absl::InvalidArgumentError(fmt::format("{}: not an expected profile: {}", file, e.what()));
  }
}

}  // namespace warden::verify
