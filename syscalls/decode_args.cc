// Whole-call decoding: one decoder per ArgType, chosen through a table.
#include <algorithm>
#include <array>
#include <iterator>
#include <optional>
#include <string>

#include "fmt/format.h"
#include "syscalls/decode.h"

namespace warden::syscalls {
namespace {

// Display caps. Paths can be PATH_MAX long and are worth seeing whole; argv
// is shown in full up to a size that still fits a log line.
constexpr size_t kStringCap = 4096;
constexpr size_t kArgvMaxCount = 64;
constexpr size_t kArgvMaxBytes = 4096;
// Envp is only counted (strace's default): values may hold secrets.
constexpr size_t kEnvpMaxCount = 0;
// Without a length argument a sockaddr is read as its largest form.
constexpr uint64_t kSockaddrMaxLen = 128;

constexpr uint64_t kOpenCreat = 0100, kOpenTmpfile = 020000000;  // O_CREAT, __O_TMPFILE

// What a formatter sees of one argument: its value, the call's other
// values, and what CaptureArgs copied out of the tracee for it.
struct ArgContext {
  uint64_t value;                       // this argument, normalised for the ABI
  const std::array<uint64_t, 6>& args;  // all arguments, normalised
  const SyscallDef& def;
  int index;
  Abi abi;
  const ArgData& data;
};

// What a capturer sees: the same, with tracee memory instead of data.
struct CaptureContext {
  uint64_t value;
  const std::array<uint64_t, 6>& args;
  const SyscallDef& def;
  int index;
  MemoryReader& mem;
  Abi abi;
  size_t buffer_cap;
};

using Decoder = std::string (*)(const ArgContext&);
using Capturer = ArgData (*)(const CaptureContext&);

int PointerSize(Abi abi) { return abi == Abi::kI386 ? 4 : 8; }

std::string Pointer(uint64_t v) { return v == 0 ? "NULL" : fmt::format("{:#x}", v); }

std::string Unreadable(uint64_t addr) { return fmt::format("<unreadable {:#x}>", addr); }

// The value of the argument that holds this one's length, if the row says
// which one does.
template <class Context>
std::optional<uint64_t> LengthArg(const Context& c) {
  int8_t n = c.def.args[c.index].len_arg;
  if (n < 0 || n > 5) return std::nullopt;
  return c.args[n];
}

// uid_t/gid_t are 32-bit; (uid_t)-1 means "unchanged" and reads best as -1.
std::string Id(uint64_t v) {
  uint32_t id = static_cast<uint32_t>(v);
  return id == UINT32_MAX ? "-1" : fmt::format("{}", id);
}

// ---- capturers: only reads, no text ----

ArgData CaptureCString(const CaptureContext& c) { return ReadCString(c.mem, c.value, kStringCap); }

ArgData CaptureBuffer(const CaptureContext& c) {
  auto len = LengthArg(c);
  if (c.value == 0 || !len) return std::monostate{};
  BytesValue b;
  b.length = *len;
  size_t want = static_cast<size_t>(std::min<uint64_t>(*len, c.buffer_cap));
  b.bytes.resize(want);
  size_t got = want ? c.mem.Read(c.value, b.bytes.data(), want) : 0;
  b.unreadable = want > 0 && got == 0;
  b.bytes.resize(got);
  return b;
}

ArgData CaptureSockaddr(const CaptureContext& c) {
  return ReadSockAddr(c.mem, c.value, LengthArg(c).value_or(kSockaddrMaxLen));
}

ArgData CaptureArgv(const CaptureContext& c) {
  if (c.value == 0) return std::monostate{};
  return ReadStringArray(c.mem, c.value, kArgvMaxCount, kArgvMaxBytes, PointerSize(c.abi));
}

ArgData CaptureEnvp(const CaptureContext& c) {
  if (c.value == 0) return std::monostate{};
  return ReadStringArray(c.mem, c.value, kEnvpMaxCount, 0, PointerSize(c.abi));
}

// A timespec whose two fields are of type Field.
template <class Field>
TimespecValue TimespecOf(const CaptureContext& c) {
  Field ts[2];
  if (c.mem.Read(c.value, ts, sizeof ts) != sizeof ts) return TimespecValue{0, 0, true};
  return TimespecValue{ts[0], ts[1], false};
}

ArgData CaptureTimespec(const CaptureContext& c) {
  if (c.value == 0) return std::monostate{};
  // An i386 tracee's struct timespec has 32-bit fields (the *_time64 calls
  // take the 64-bit form and need a type of their own).
  return c.abi == Abi::kI386 ? TimespecOf<int32_t>(c) : TimespecOf<int64_t>(c);
}

// ---- formatters: text from values and captured data, no reads ----

template <class T>
const T* DataOf(const ArgContext& c) { return std::get_if<T>(&c.data); }

std::string CString(const ArgContext& c) {
  const StringValue* s = DataOf<StringValue>(c);
  return s ? QuoteString(*s, c.value) : Unreadable(c.value);
}

std::string BufferIn(const ArgContext& c) {
  const BytesValue* b = DataOf<BytesValue>(c);
  if (b == nullptr) return Pointer(c.value);
  if (b->unreadable) return Unreadable(c.value);
  return fmt::format("\"{}\"{}", EscapeBytes(b->bytes), b->bytes.size() < b->length ? "..." : "");
}

std::string Sockaddr(const ArgContext& c) {
  const SockAddr* a = DataOf<SockAddr>(c);
  return a ? a->text : Unreadable(c.value);
}

std::string StringList(const StringArray& a) {
  std::string out = "[";
  for (size_t i = 0; i < a.items.size(); ++i) {
    if (i) out += ", ";
    out += fmt::format("\"{}\"", EscapeBytes(a.items[i]));
  }
  if (a.truncated) out += a.items.empty() ? "..." : ", ...";
  if (a.unreadable) out += a.items.empty() ? "<unreadable>" : ", <unreadable>";
  return out + "]";
}

std::string Argv(const ArgContext& c) {
  if (c.value == 0) return "NULL";
  const StringArray* a = DataOf<StringArray>(c);
  if (a == nullptr || (a->unreadable && a->items.empty())) return Unreadable(c.value);
  return StringList(*a);
}

std::string Envp(const ArgContext& c) {
  if (c.value == 0) return "NULL";
  const StringArray* a = DataOf<StringArray>(c);
  if (a == nullptr || (a->unreadable && a->total_count == 0)) return Unreadable(c.value);
  return fmt::format("{:#x} /* {} var{}{} */", c.value, a->total_count,
                     a->total_count == 1 ? "" : "s", a->unreadable ? ", then unreadable" : "");
}

std::string Timespec(const ArgContext& c) {
  if (c.value == 0) return "NULL";
  const TimespecValue* t = DataOf<TimespecValue>(c);
  if (t == nullptr || t->unreadable) return Unreadable(c.value);
  return fmt::format("{{tv_sec={}, tv_nsec={}}}", t->sec, t->nsec);
}

std::string SocketProtocol(const ArgContext& c) {
  // The protocol means something only within its family: use the call's
  // domain argument when it has one.
  for (int i = 0; i < c.def.nargs; ++i)
    if (c.def.args[i].type == ArgType::kSocketDomain) return DecodeSocketProtocol(c.args[i], c.value);
  return fmt::format("{}", c.value);
}

#define T(x) ArgType::k##x
struct DecoderEntry {
  ArgType type;
  Decoder decode;
  Capturer capture = nullptr;  // null: the register says it all
};
constexpr DecoderEntry kDecoders[] = {
    {T(None), [](const ArgContext&) { return std::string(); }},
    {T(Int), [](const ArgContext& c) { return fmt::format("{}", static_cast<int64_t>(c.value)); }},
    {T(Unsigned), [](const ArgContext& c) { return fmt::format("{}", c.value); }},
    {T(Hex), [](const ArgContext& c) { return fmt::format("{:#x}", c.value); }},
    {T(Pointer), [](const ArgContext& c) { return Pointer(c.value); }},
    {T(Fd), [](const ArgContext& c) { return fmt::format("{}", static_cast<int32_t>(c.value)); }},
    {T(DirFd), [](const ArgContext& c) { return DecodeDirFd(c.value); }},
    {T(Path), CString, CaptureCString},
    {T(String), CString, CaptureCString},
    {T(BufferIn), BufferIn, CaptureBuffer},
    {T(BufferOut), [](const ArgContext& c) { return Pointer(c.value); }},  // not filled yet
    {T(Size), [](const ArgContext& c) { return fmt::format("{}", c.value); }},
    {T(Offset), [](const ArgContext& c) { return fmt::format("{}", static_cast<int64_t>(c.value)); }},
    {T(OpenFlags), [](const ArgContext& c) { return DecodeOpenFlags(c.value); }},
    {T(AtFlags), [](const ArgContext& c) { return DecodeAtFlags(c.value); }},
    {T(Mode), [](const ArgContext& c) { return DecodeMode(c.value); }},
    {T(AccessMode), [](const ArgContext& c) { return DecodeAccessMode(c.value); }},
    {T(FcntlCmd), [](const ArgContext& c) { return DecodeFcntlCmd(c.value); }},
    {T(CloneFlags), [](const ArgContext& c) { return DecodeCloneFlags(c.value); }},
    {T(MmapProt), [](const ArgContext& c) { return DecodeMmapProt(c.value); }},
    {T(MmapFlags), [](const ArgContext& c) { return DecodeMmapFlags(c.value); }},
    {T(SocketDomain), [](const ArgContext& c) { return DecodeSocketDomain(c.value); }},
    {T(SocketType), [](const ArgContext& c) { return DecodeSocketType(c.value); }},
    {T(SocketProtocol), SocketProtocol},
    {T(Sockaddr), Sockaddr, CaptureSockaddr},
    {T(SockaddrOut), [](const ArgContext& c) { return Pointer(c.value); }},  // not filled yet
    {T(Pid), [](const ArgContext& c) { return fmt::format("{}", static_cast<int32_t>(c.value)); }},
    {T(Signal), [](const ArgContext& c) { return SignalName(static_cast<int32_t>(c.value)); }},
    {T(Argv), Argv, CaptureArgv},
    {T(Envp), Envp, CaptureEnvp},
    {T(Uid), [](const ArgContext& c) { return Id(c.value); }},
    {T(Gid), [](const ArgContext& c) { return Id(c.value); }},
    {T(Whence), [](const ArgContext& c) { return DecodeWhence(c.value); }},
    {T(RenameFlags), [](const ArgContext& c) { return DecodeRenameFlags(c.value); }},
    {T(IoctlCmd), [](const ArgContext& c) { return DecodeIoctlCmd(c.value); }},
    {T(PrctlOption), [](const ArgContext& c) { return DecodePrctlOption(c.value); }},
    {T(PtraceRequest), [](const ArgContext& c) { return DecodePtraceRequest(c.value); }},
    {T(FutexOp), [](const ArgContext& c) { return DecodeFutexOp(c.value); }},
    {T(MsgFlags), [](const ArgContext& c) { return DecodeMsgFlags(c.value); }},
    {T(Timespec), Timespec, CaptureTimespec},
    {T(ClockId), [](const ArgContext& c) { return DecodeClockId(c.value); }},
    {T(WaitOptions), [](const ArgContext& c) { return DecodeWaitOptions(c.value); }},
    {T(AccessAtFlags), [](const ArgContext& c) { return DecodeAccessAtFlags(c.value); }},
};

// Types whose C type is a signed int (or long, which is 32-bit on i386).
constexpr ArgType kSignedTypes[] = {T(Int), T(Fd), T(DirFd), T(Pid), T(Offset)};
#undef T

constexpr bool IndexedByType() {
  for (size_t i = 0; i < std::size(kDecoders); ++i)
    if (static_cast<size_t>(kDecoders[i].type) != i) return false;
  return std::size(kDecoders) == static_cast<size_t>(ArgType::kAccessAtFlags) + 1;
}
static_assert(IndexedByType(), "kDecoders must have one row per ArgType, in enum order");

bool IsSigned(ArgType t) {
  return std::find(std::begin(kSignedTypes), std::end(kSignedTypes), t) != std::end(kSignedTypes);
}

// An i386 tracee's registers are 32 bits wide; the upper halves of the
// 64-bit values the tracer sees are not part of the argument.
uint64_t Normalize(uint64_t v, ArgType t, Abi abi) {
  if (abi != Abi::kI386) return v;
  uint32_t low = static_cast<uint32_t>(v);
  return IsSigned(t) ? static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(low))) : low;
}

// open's mode is only read with O_CREAT or O_TMPFILE; otherwise it is
// whatever the register held, and strace leaves it out.
bool HiddenMode(const SyscallDef& def, const std::array<uint64_t, 6>& args, int i) {
  if (def.args[i].type != ArgType::kMode || i == 0 || def.args[i - 1].type != ArgType::kOpenFlags)
    return false;
  return (args[i - 1] & (kOpenCreat | kOpenTmpfile)) == 0;
}

}  // namespace

const ArgData& CapturedArgs::DataOf(int index) const {
  static const ArgData kNone;
  for (const auto& [i, d] : data)
    if (i == index) return d;
  return kNone;
}

CapturedArgs CaptureArgs(const SyscallDef& def, const uint64_t args[6], MemoryReader& mem,
                         Abi abi, size_t buffer_cap) {
  CapturedArgs out;
  out.abi = abi;
  for (int i = 0; i < 6; ++i) out.values[i] = Normalize(args[i], def.args[i].type, abi);
  for (int i = 0; i < def.nargs && i < 6; ++i) {
    Capturer capture = kDecoders[static_cast<size_t>(def.args[i].type)].capture;
    if (capture == nullptr) continue;
    out.data.emplace_back(
        i, capture(CaptureContext{out.values[i], out.values, def, i, mem, abi, buffer_cap}));
  }
  return out;
}

std::vector<DecodedArg> DecodeArgs(const SyscallDef& def, const CapturedArgs& captured) {
  std::vector<DecodedArg> out;
  out.reserve(def.nargs);
  for (int i = 0; i < def.nargs && i < 6; ++i) {
    ArgType t = def.args[i].type;
    ArgContext c{captured.values[i], captured.values, def, i, captured.abi, captured.DataOf(i)};
    DecodedArg a{t, captured.values[i], kDecoders[static_cast<size_t>(t)].decode(c)};
    a.hidden = HiddenMode(def, captured.values, i);
    out.push_back(std::move(a));
  }
  return out;
}

std::vector<DecodedArg> DecodeArgs(const SyscallDef& def, const uint64_t args[6],
                                   MemoryReader& mem, Abi abi, size_t buffer_cap) {
  return DecodeArgs(def, CaptureArgs(def, args, mem, abi, buffer_cap));
}

std::string FormatArgs(const SyscallDef& def, const CapturedArgs& captured) {
  std::string out;
  bool first = true;
  for (int i = 0; i < def.nargs && i < 6; ++i) {
    if (HiddenMode(def, captured.values, i)) continue;
    ArgType t = def.args[i].type;
    ArgContext c{captured.values[i], captured.values, def, i, captured.abi, captured.DataOf(i)};
    if (!first) out += ", ";
    first = false;
    out += kDecoders[static_cast<size_t>(t)].decode(c);
  }
  return out;
}

std::string FormatCall(const SyscallDef& def, const std::vector<DecodedArg>& args) {
  std::string out = fmt::format("{}(", def.name);
  bool first = true;
  for (const DecodedArg& a : args) {
    if (a.hidden) continue;
    if (!first) out += ", ";
    out += a.text;
    first = false;
  }
  return out + ")";
}

std::string FormatResult(int64_t ret) {
  // The kernel returns -errno for errors, and errnos never exceed 4095;
  // anything below is a value (mmap addresses can look negative).
  if (ret >= -4095 && ret <= -1) {
    int err = static_cast<int>(-ret);
    return fmt::format("-1 {} ({})", ErrnoName(err), ErrnoDescription(err));
  }
  return fmt::format("{}", ret);
}

}  // namespace warden::syscalls
