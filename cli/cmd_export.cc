// `warden export --db PATH [--run ID] [--format ndjson]`
#include <charconv>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "fmt/format.h"
#include "store/export.h"

namespace warden::cli {
namespace {

constexpr std::string_view kExportUsage =
    "usage: warden export [--db PATH] [--run ID] [--format ndjson]\n"
    "  --db PATH      database written by `warden run` (default ./warden.db)\n"
    "  --run ID       only this run (default: every run in the file)\n"
    "  --format F     output format; ndjson (one JSON object per event per line)\n";

}  // namespace

int ExportCommand(const std::vector<std::string>& args) {
  std::string db = "warden.db";
  std::optional<int64_t> run;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "-h" || a == "--help") {
      fmt::print("{}", kExportUsage);
      return 0;
    }
    if ((a == "--db" || a == "--run" || a == "--format") && i + 1 >= args.size()) {
      fmt::print(stderr, "warden export: {} needs a value\n{}", a, kExportUsage);
      return 2;
    }
    if (a == "--db") {
      db = args[++i];
    } else if (a == "--run") {
      const std::string& v = args[++i];
      int64_t id = 0;
      auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), id);
      if (ec != std::errc() || p != v.data() + v.size() || id <= 0) {
        fmt::print(stderr, "warden export: --run wants a run id (a positive number), got '{}'\n", v);
        return 2;
      }
      run = id;
    } else if (a == "--format") {
      if (args[++i] != "ndjson") {
        fmt::print(stderr, "warden export: unknown format '{}'; supported: ndjson\n", args[i]);
        return 2;
      }
    } else {
      fmt::print(stderr, "warden export: unknown argument '{}'\n{}", a, kExportUsage);
      return 2;
    }
  }
  absl::Status s = store::ExportNdjson(db, run, std::cout);
  std::cout.flush();
  if (!s.ok()) {
    fmt::print(stderr, "warden export: {}\n", std::string(s.message()));
    return s.code() == absl::StatusCode::kNotFound ? 1 : 2;
  }
  return 0;
}

}  // namespace warden::cli
