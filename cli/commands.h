// The warden subcommands. main.cc dispatches argv[1] to one of these; each
// returns the process exit code.
#ifndef WARDEN_CLI_COMMANDS_H_
#define WARDEN_CLI_COMMANDS_H_

#include <string>
#include <vector>

namespace warden::cli {

int SyscallsCommand(const std::vector<std::string>& args);
int RunCommand(const std::vector<std::string>& args);
int ExportCommand(const std::vector<std::string>& args);
int RunsCommand(const std::vector<std::string>& args);
int PolicyCommand(const std::vector<std::string>& args);
int ProfileCommand(const std::vector<std::string>& args);
int QueryCommand(const std::vector<std::string>& args);
int ReplayCommand(const std::vector<std::string>& args);
int EventsCommand(const std::vector<std::string>& args);
int PruneCommand(const std::vector<std::string>& args);
int ExpectCommand(const std::vector<std::string>& args);
int VerifyCommand(const std::vector<std::string>& args);
int LearnCommand(const std::vector<std::string>& args);
int HardenCommand(const std::vector<std::string>& args);
int StubCommand(const std::vector<std::string>& args);
int ShipCommand(const std::vector<std::string>& args);
int ReportCommand(const std::vector<std::string>& args);

}  // namespace warden::cli

#endif  // WARDEN_CLI_COMMANDS_H_
