#include "cli/commands.h"
#include "fmt/format.h"
namespace warden::cli {
int RunCommand(const std::vector<std::string>&) {
  fmt::print(stderr, "warden run: not built yet\n");
  return 2;
}
int ExportCommand(const std::vector<std::string>&) {
  fmt::print(stderr, "warden export: not built yet\n");
  return 2;
}
}  // namespace warden::cli
