// Errno numbers to names and descriptions: every errno of <errno.h> on
// Linux x86 plus the kernel-internal ones (include/linux/errno.h) that a
// tracer sees when a syscall is interrupted or a driver leaks one.
#include <cstring>
#include <string>

#include "fmt/format.h"
#include "syscalls/decode.h"
#include "syscalls/flags.h"

namespace warden::syscalls {
namespace {

constexpr FlagName kErrnos[] = {
    {1, "EPERM"},          {2, "ENOENT"},          {3, "ESRCH"},
    {4, "EINTR"},          {5, "EIO"},             {6, "ENXIO"},
    {7, "E2BIG"},          {8, "ENOEXEC"},         {9, "EBADF"},
    {10, "ECHILD"},        {11, "EAGAIN"},         {12, "ENOMEM"},
    {13, "EACCES"},        {14, "EFAULT"},         {15, "ENOTBLK"},
    {16, "EBUSY"},         {17, "EEXIST"},         {18, "EXDEV"},
    {19, "ENODEV"},        {20, "ENOTDIR"},        {21, "EISDIR"},
    {22, "EINVAL"},        {23, "ENFILE"},         {24, "EMFILE"},
    {25, "ENOTTY"},        {26, "ETXTBSY"},        {27, "EFBIG"},
    {28, "ENOSPC"},        {29, "ESPIPE"},         {30, "EROFS"},
    {31, "EMLINK"},        {32, "EPIPE"},          {33, "EDOM"},
    {34, "ERANGE"},        {35, "EDEADLK"},        {36, "ENAMETOOLONG"},
    {37, "ENOLCK"},        {38, "ENOSYS"},         {39, "ENOTEMPTY"},
    {40, "ELOOP"},         // 41 is unused (EWOULDBLOCK == EAGAIN)
    {42, "ENOMSG"},        {43, "EIDRM"},          {44, "ECHRNG"},
    {45, "EL2NSYNC"},      {46, "EL3HLT"},         {47, "EL3RST"},
    {48, "ELNRNG"},        {49, "EUNATCH"},        {50, "ENOCSI"},
    {51, "EL2HLT"},        {52, "EBADE"},          {53, "EBADR"},
    {54, "EXFULL"},        {55, "ENOANO"},         {56, "EBADRQC"},
    {57, "EBADSLT"},       // 58 is unused (EDEADLOCK == EDEADLK)
    {59, "EBFONT"},        {60, "ENOSTR"},         {61, "ENODATA"},
    {62, "ETIME"},         {63, "ENOSR"},          {64, "ENONET"},
    {65, "ENOPKG"},        {66, "EREMOTE"},        {67, "ENOLINK"},
    {68, "EADV"},          {69, "ESRMNT"},         {70, "ECOMM"},
    {71, "EPROTO"},        {72, "EMULTIHOP"},      {73, "EDOTDOT"},
    {74, "EBADMSG"},       {75, "EOVERFLOW"},      {76, "ENOTUNIQ"},
    {77, "EBADFD"},        {78, "EREMCHG"},        {79, "ELIBACC"},
    {80, "ELIBBAD"},       {81, "ELIBSCN"},        {82, "ELIBMAX"},
    {83, "ELIBEXEC"},      {84, "EILSEQ"},         {85, "ERESTART"},
    {86, "ESTRPIPE"},      {87, "EUSERS"},         {88, "ENOTSOCK"},
    {89, "EDESTADDRREQ"},  {90, "EMSGSIZE"},       {91, "EPROTOTYPE"},
    {92, "ENOPROTOOPT"},   {93, "EPROTONOSUPPORT"}, {94, "ESOCKTNOSUPPORT"},
    {95, "EOPNOTSUPP"},    {96, "EPFNOSUPPORT"},   {97, "EAFNOSUPPORT"},
    {98, "EADDRINUSE"},    {99, "EADDRNOTAVAIL"},  {100, "ENETDOWN"},
    {101, "ENETUNREACH"},  {102, "ENETRESET"},     {103, "ECONNABORTED"},
    {104, "ECONNRESET"},   {105, "ENOBUFS"},       {106, "EISCONN"},
    {107, "ENOTCONN"},     {108, "ESHUTDOWN"},     {109, "ETOOMANYREFS"},
    {110, "ETIMEDOUT"},    {111, "ECONNREFUSED"},  {112, "EHOSTDOWN"},
    {113, "EHOSTUNREACH"}, {114, "EALREADY"},      {115, "EINPROGRESS"},
    {116, "ESTALE"},       {117, "EUCLEAN"},       {118, "ENOTNAM"},
    {119, "ENAVAIL"},      {120, "EISNAM"},        {121, "EREMOTEIO"},
    {122, "EDQUOT"},       {123, "ENOMEDIUM"},     {124, "EMEDIUMTYPE"},
    {125, "ECANCELED"},    {126, "ENOKEY"},        {127, "EKEYEXPIRED"},
    {128, "EKEYREVOKED"},  {129, "EKEYREJECTED"},  {130, "EOWNERDEAD"},
    {131, "ENOTRECOVERABLE"}, {132, "ERFKILL"},    {133, "EHWPOISON"},
    // Kernel-internal: never reach a correct program, but a tracer sees them.
    {512, "ERESTARTSYS"},  {513, "ERESTARTNOINTR"}, {514, "ERESTARTNOHAND"},
    {515, "ENOIOCTLCMD"},  {516, "ERESTART_RESTARTBLOCK"}, {517, "EPROBE_DEFER"},
    {518, "EOPENSTALE"},   {519, "ENOPARAM"},      {521, "EBADHANDLE"},
    {522, "ENOTSYNC"},     {523, "EBADCOOKIE"},    {524, "ENOTSUPP"},
    {525, "ETOOSMALL"},    {526, "ESERVERFAULT"},  {527, "EBADTYPE"},
    {528, "EJUKEBOX"},     {529, "EIOCBQUEUED"},   {530, "ERECALLCONFLICT"},
    {531, "ENOGRACE"},
};

// libc has no text for the internal ones; these are strace's.
constexpr FlagName kInternalDescriptions[] = {
    {512, "To be restarted if SA_RESTART is set"},
    {513, "To be restarted"},
    {514, "To be restarted if no handler"},
    {515, "Inappropriate ioctl for device"},
    {516, "Interrupted by signal"},
};

}  // namespace

std::string ErrnoName(int err) {
  if (err > 0) {
    if (auto name = FindName(static_cast<uint64_t>(err), kErrnos)) return std::string(*name);
  }
  return fmt::format("{}", err);
}

std::optional<int> ErrnoByName(std::string_view name) {
  for (const FlagName& f : kErrnos)
    if (f.name == name) return static_cast<int>(f.value);
  return std::nullopt;
}

std::string ErrnoDescription(int err) {
  if (err > 0) {
    if (auto d = FindName(static_cast<uint64_t>(err), kInternalDescriptions)) return std::string(*d);
  }
  // strerrordesc_np: thread-safe, locale-independent, NULL when unknown.
  if (const char* d = strerrordesc_np(err)) return d;
  return fmt::format("Unknown error {}", err);
}

}  // namespace warden::syscalls
