#include "cli/default_db.h"

#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <system_error>

namespace warden::cli {
namespace {

std::string Env(const char* name) {
  const char* v = getenv(name);
  return v != nullptr ? v : "";
}

}  // namespace

std::string DefaultDb() {
  if (std::string db = Env("WARDEN_DB"); !db.empty()) return db;
  if (geteuid() == 0) return "/var/lib/warden/warden.db";
  std::string state = Env("XDG_STATE_HOME");
  if (state.empty() || state[0] != '/') {
    const std::string home = Env("HOME");
    state = (home.empty() ? std::string("/tmp") : home) + "/.local/state";
  }
  return state + "/warden/warden.db";
}

bool MakeDbDir(const std::string& db) {
  const std::filesystem::path dir = std::filesystem::path(db).parent_path();
  if (dir.empty()) return true;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) errno = ec.value();
  return !ec;
}

}  // namespace warden::cli
