#include "store/run_identity.h"

#include <sys/random.h>

#include <cstdint>
#include <cstring>

#include "fmt/format.h"
#include "store/json.h"

namespace warden::store {
namespace {

// 16 bytes as 8-4-4-4-12 hex, with the version nibble and RFC 4122 variant.
std::string FormatUuid(uint8_t b[16], int version) {
  b[6] = static_cast<uint8_t>((b[6] & 0x0f) | (version << 4));
  b[8] = static_cast<uint8_t>((b[8] & 0x3f) | 0x80);
  std::string hex;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) hex += '-';
    hex += fmt::format("{:02x}", b[i]);
  }
  return hex;
}

uint64_t Fnv1a(std::string_view s, uint64_t h) {
  for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ull;
  return h;
}

bool KeyChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '/' || c == '-';
}

}  // namespace

std::string NewRunUuid() {
  uint8_t b[16];
  size_t got = 0;
  while (got < sizeof b) {
    ssize_t n = getrandom(b + got, sizeof b - got, 0);
    if (n > 0) got += static_cast<size_t>(n);
  }
  return FormatUuid(b, 4);
}

std::string DerivedRunUuid(std::string_view host, int64_t start_ns, std::string_view argv_json,
                           int64_t run_id) {
  const std::string key = fmt::format("{}\n{}\n{}\n{}", host, start_ns, run_id, argv_json);
  const uint64_t h[2] = {Fnv1a(key, 0xcbf29ce484222325ull), Fnv1a(key, 0x84222325cbf29ce4ull)};
  uint8_t b[16];
  std::memcpy(b, h, sizeof b);
  return FormatUuid(b, 8);  // version 8: made by warden's own rule
}

const std::vector<LabelSource>& LabelSources() {
  static const std::vector<LabelSource> sources = {
      {"pod", {"WARDEN_POD_NAME", "POD_NAME"}},
      {"namespace", {"WARDEN_POD_NAMESPACE", "POD_NAMESPACE"}},
      {"container", {"WARDEN_CONTAINER_NAME", "CONTAINER_NAME"}},
      {"image", {"WARDEN_CONTAINER_IMAGE", "CONTAINER_IMAGE"}},
      {"node", {"WARDEN_NODE_NAME", "NODE_NAME"}},
  };
  return sources;
}

absl::StatusOr<std::pair<std::string, std::string>> ParseLabel(std::string_view text) {
  const size_t eq = text.find('=');
  if (eq == std::string_view::npos)
    return absl::InvalidArgumentError(fmt::format("label '{}' has no '=': write KEY=VALUE", text));
  std::string_view key = text.substr(0, eq), value = text.substr(eq + 1);
  if (key.empty() || key.size() > 63)
    return absl::InvalidArgumentError(
        fmt::format("label '{}': the key must be 1 to 63 characters", text));
  for (char c : key)
    if (!KeyChar(c))
      return absl::InvalidArgumentError(fmt::format(
          "label '{}': a key is letters, digits and . _ / - only", text));
  for (unsigned char c : value)
    if (c == ',' || c < 0x20 || c == 0x7f)
      return absl::InvalidArgumentError(fmt::format(
          "label '{}': a value cannot hold a comma or a control character", text));
  return std::make_pair(std::string(key), std::string(value));
}

absl::StatusOr<Labels> ParseLabelList(std::string_view text) {
  Labels out;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t comma = text.find(',', pos);
    if (comma == std::string_view::npos) comma = text.size();
    auto kv = ParseLabel(text.substr(pos, comma - pos));
    if (!kv.ok()) return kv.status();
    out[kv->first] = kv->second;
    pos = comma + 1;
  }
  return out;
}

absl::StatusOr<Labels> RunLabels(std::string_view host, const std::vector<std::string>& env,
                                 const std::vector<std::string>& given) {
  auto lookup = [&env](std::string_view name) -> const std::string* {
    for (const std::string& e : env)
      if (e.size() > name.size() && e.compare(0, name.size(), name) == 0 && e[name.size()] == '=')
        return &e;
    return nullptr;
  };
  auto value_of = [](const std::string& e) { return e.substr(e.find('=') + 1); };
  Labels out;
  out["host"] = std::string(host);
  for (const LabelSource& s : LabelSources())
    for (const char* var : s.variables)
      if (const std::string* e = lookup(var); e != nullptr && !value_of(*e).empty()) {
        out[s.label] = value_of(*e);
        break;
      }
  if (const std::string* e = lookup("WARDEN_LABELS"); e != nullptr && !value_of(*e).empty()) {
    auto list = ParseLabelList(value_of(*e));
    if (!list.ok())
      return absl::InvalidArgumentError(
          fmt::format("WARDEN_LABELS: {}", std::string(list.status().message())));
    for (auto& [k, v] : *list) out[k] = v;
  }
  for (const std::string& g : given) {
    auto kv = ParseLabel(g);
    if (!kv.ok()) return kv.status();
    out[kv->first] = kv->second;
  }
  return out;
}

std::string LabelsJson(const Labels& labels) {
  std::string out = "{";
  for (const auto& [k, v] : labels) {
    if (out.size() > 1) out += ',';
    out += JsonQuote(k) + ":" + JsonQuote(v);
  }
  return out + "}";
}

}  // namespace warden::store
