// Where the database is when no --db is given: never the program's working
// directory (a git checkout would show warden's files in `git status`).
//   $WARDEN_DB, when set;
//   /var/lib/warden/warden.db for root;
//   else $XDG_STATE_HOME/warden/warden.db ($HOME/.local/state/...).
#ifndef WARDEN_CLI_DEFAULT_DB_H_
#define WARDEN_CLI_DEFAULT_DB_H_

#include <string>

namespace warden::cli {

std::string DefaultDb();

// For `warden run`: creates the default database's directory when it is
// missing (mode 0755, its parents too). False with errno on failure.
bool MakeDbDir(const std::string& db);

}  // namespace warden::cli

#endif  // WARDEN_CLI_DEFAULT_DB_H_
