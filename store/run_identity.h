// Who a run is, across machines (warden-db(5), RUN IDENTITY): a random UUID
// that names the run wherever its events are shipped (`warden ship`), and
// labels -- key=value pairs saying where it ran (host, Kubernetes pod,
// namespace, container, image) and what it is (`warden run --label
// app=shop`). Fleet reads select runs by labels (`--select app=shop`).
// Pure logic: the caller hands in the environment.
#ifndef WARDEN_STORE_RUN_IDENTITY_H_
#define WARDEN_STORE_RUN_IDENTITY_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace warden::store {

// Labels by key; one value per key, keys sorted (so their JSON is stable).
using Labels = std::map<std::string, std::string>;

// A random (version 4) UUID, lower-case hex with dashes.
std::string NewRunUuid();

// A UUID for a run recorded before runs had one (schema 6 and older),
// the same every time for the same run: made from what identifies it.
std::string DerivedRunUuid(std::string_view host, int64_t start_ns, std::string_view argv_json,
                           int64_t run_id);

// The environment variables a label is read from, first found wins
// (the Kubernetes downward API sets what the pod spec names; warden(1)
// documents these).
struct LabelSource {
  const char* label;
  std::vector<const char*> variables;
};
const std::vector<LabelSource>& LabelSources();

// The labels of a run: host, then those of LabelSources() present in
// `env` (NAME=VALUE strings), then WARDEN_LABELS=k=v,k=v, then `given`
// (--label k=v, in order); a later one replaces an earlier one's value.
absl::StatusOr<Labels> RunLabels(std::string_view host, const std::vector<std::string>& env,
                                 const std::vector<std::string>& given);

// "k=v" -> (k, v). A key is 1 to 63 characters of [A-Za-z0-9._/-]; the
// value any text but a comma or a control character (--select splits on
// commas). InvalidArgument saying which.
absl::StatusOr<std::pair<std::string, std::string>> ParseLabel(std::string_view text);

// "k=v,k2=v2" -> labels (InvalidArgument for a bad item, naming it).
absl::StatusOr<Labels> ParseLabelList(std::string_view text);

// {"k":"v",...}, keys sorted.
std::string LabelsJson(const Labels& labels);

}  // namespace warden::store

#endif  // WARDEN_STORE_RUN_IDENTITY_H_
