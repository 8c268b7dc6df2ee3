// Signal numbers to names, x86 numbering (shared by i386 and x86_64).
#include <string>

#include "fmt/format.h"
#include "syscalls/decode.h"
#include "syscalls/flags.h"

namespace warden::syscalls {
namespace {

constexpr FlagName kSignals[] = {
    {1, "SIGHUP"},    {2, "SIGINT"},     {3, "SIGQUIT"},   {4, "SIGILL"},
    {5, "SIGTRAP"},   {6, "SIGABRT"},    {7, "SIGBUS"},    {8, "SIGFPE"},
    {9, "SIGKILL"},   {10, "SIGUSR1"},   {11, "SIGSEGV"},  {12, "SIGUSR2"},
    {13, "SIGPIPE"},  {14, "SIGALRM"},   {15, "SIGTERM"},  {16, "SIGSTKFLT"},
    {17, "SIGCHLD"},  {18, "SIGCONT"},   {19, "SIGSTOP"},  {20, "SIGTSTP"},
    {21, "SIGTTIN"},  {22, "SIGTTOU"},   {23, "SIGURG"},   {24, "SIGXCPU"},
    {25, "SIGXFSZ"},  {26, "SIGVTALRM"}, {27, "SIGPROF"},  {28, "SIGWINCH"},
    {29, "SIGIO"},    {30, "SIGPWR"},    {31, "SIGSYS"},
};

// The kernel's real-time range. glibc's SIGRTMIN is 34 because it keeps two
// for itself, which is why names count from the kernel's 32 (as strace does).
constexpr int kSigRtMin = 32;
constexpr int kSigRtMax = 64;

}  // namespace

std::string SignalName(int sig) {
  if (sig >= kSigRtMin && sig <= kSigRtMax) return fmt::format("SIGRT_{}", sig - kSigRtMin);
  if (sig > 0) {
    if (auto name = FindName(static_cast<uint64_t>(sig), kSignals)) return std::string(*name);
  }
  return fmt::format("{}", sig);
}

}  // namespace warden::syscalls
