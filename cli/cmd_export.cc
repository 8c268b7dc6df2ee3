// `warden export --db PATH [--run ID] [--format ndjson|json|csv] [--gzip]
//  [--from T] [--to T] [--kind K[,K...]] [-o FILE]`
#include <charconv>
#include <optional>
#include <string>
#include <vector>

#include "cli/default_db.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "fmt/format.h"
#include "forensics/export.h"
#include "forensics/timeparse.h"

namespace warden::cli {
namespace {

constexpr std::string_view kExportUsage =
    "usage: warden export [--db PATH] [--run ID] [--format ndjson|json|csv] [--gzip]\n"
    "                     [--from T] [--to T] [--kind K[,K...]] [-o FILE]\n"
    "  --db PATH      database written by `warden run` (default: see warden(1), FILES)\n"
    "  --run ID       only this run (default: every run in the file)\n"
    "  --format F     ndjson (one JSON object per event per line, the default),\n"
    "                 json (one array of the same objects) or csv (a header row,\n"
    "                 then one row per event)\n"
    "  --gzip         compress the output (gzip format, zlib)\n"
    "  --from T       only events at or after T; --to T: at or before T\n"
    "                 (RFC 3339, \"1h ago\", or nanoseconds since the epoch)\n"
    "  --kind K,...   only these kinds: process, exec, file, net, syscall, policy,\n"
    "                 policy_change\n"
    "  -o FILE        write to FILE (replaced only once complete) instead of stdout\n";

int Usage(std::string_view msg) {
  fmt::print(stderr, "warden export: {}\n{}", msg, kExportUsage);
  return 2;
}

}  // namespace

int ExportCommand(const std::vector<std::string>& args) {
  std::string db = DefaultDb(), out_path;
  forensics::ExportOptions options;
  bool gzip = false;
  const int64_t now = forensics::NowNs();
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "-h" || a == "--help") {
      fmt::print("{}", kExportUsage);
      return 0;
    }
    if (a == "--gzip") {
      gzip = true;
      continue;
    }
    if (a != "--db" && a != "--run" && a != "--format" && a != "--from" && a != "--to" &&
        a != "--kind" && a != "-o" && a != "--output")
      return Usage(fmt::format("unknown argument '{}'", a));
    if (i + 1 >= args.size()) return Usage(fmt::format("{} needs a value", a));
    const std::string& v = args[++i];
    if (a == "--db") {
      db = v;
    } else if (a == "--run") {
      options.run_id = ParsePositive(v);
      if (!options.run_id) {
        fmt::print(stderr, "warden export: {}\n", BadRunId(v));
        return 2;
      }
    } else if (a == "--format") {
      if (v == "ndjson") options.format = forensics::ExportFormat::kNdjson;
      else if (v == "json") options.format = forensics::ExportFormat::kJson;
      else if (v == "csv") options.format = forensics::ExportFormat::kCsv;
      else {
        fmt::print(stderr, "warden export: unknown format '{}'; supported: ndjson, json, csv\n", v);
        return 2;
      }
    } else if (a == "--from" || a == "--to") {
      auto t = forensics::ParseTimeNs(v, now);
      if (!t.ok()) {
        fmt::print(stderr, "warden export: {}: {}\n", a, std::string(t.status().message()));
        return 2;
      }
      (a == "--from" ? options.from_ns : options.to_ns) = *t;
    } else if (a == "--kind") {
      auto kinds = forensics::ParseKinds(v);
      if (!kinds.ok()) {
        fmt::print(stderr, "warden export: --kind: {}\n", std::string(kinds.status().message()));
        return 2;
      }
      options.kinds.insert(options.kinds.end(), kinds->begin(), kinds->end());
    } else {
      out_path = v;
    }
  }
  auto out = Output::Open(out_path, gzip);
  if (!out.ok()) {
    fmt::print(stderr, "warden export: {}\n", std::string(out.status().message()));
    return 2;
  }
  absl::Status s = forensics::Export(db, options, (*out)->stream());
  if (s.ok()) s = (*out)->Commit();
  if (!s.ok()) {
    fmt::print(stderr, "warden export: {}\n", std::string(s.message()));
    // 1: the output could not be written; 2: the input (database, run) is bad.
    return s.code() == absl::StatusCode::kAborted ? 1 : 2;
  }
  return 0;
}

}  // namespace warden::cli
