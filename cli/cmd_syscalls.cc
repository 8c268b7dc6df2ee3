// `warden syscalls [NAME|NUMBER] [--abi x86_64|i386] [--json]`: the syscall
// reference, straight from the tables in syscalls/.
#include <charconv>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/option_table.h"
#include "fmt/format.h"
#include "store/json.h"
#include "syscalls/syscall_table.h"

namespace warden::cli {
namespace {

using syscalls::Abi;
using syscalls::SyscallDef;

struct Options {
  Abi abi = Abi::kX86_64;
  bool json = false;
  std::string query;  // name or number; empty = whole table
};

std::string ArgList(const SyscallDef& d) {
  std::vector<std::string> parts;
  for (int i = 0; i < d.nargs; ++i) {
    const auto& a = d.args[i];
    std::string s(syscalls::ArgTypeName(a.type));
    if (a.len_arg >= 0) s += fmt::format("[len=arg{}]", a.len_arg);
    parts.push_back(std::move(s));
  }
  return fmt::format("{}", fmt::join(parts, ", "));
}

std::string SinceText(const SyscallDef& d) {
  if (d.since == 0) return "";
  return fmt::format("{}.{}", d.since >> 16, (d.since >> 8) & 0xff);
}

std::string Json(const SyscallDef& d, Abi abi) {
  std::vector<std::string> args, classes;
  for (int i = 0; i < d.nargs; ++i) {
    const auto& a = d.args[i];
    std::string o = fmt::format(R"({{"index":{},"type":{})", i,
                                store::JsonQuote(syscalls::ArgTypeName(a.type)));
    if (a.len_arg >= 0) o += fmt::format(R"(,"len_arg":{})", a.len_arg);
    args.push_back(o + "}");
  }
  for (const auto& c : syscalls::ClassNames())
    if (d.classes & c.bit) classes.push_back(store::JsonQuote(c.name));
  std::string since = d.since ? fmt::format(R"(,"since_kernel":{})", store::JsonQuote(SinceText(d))) : "";
  return fmt::format(R"({{"abi":{},"nr":{},"name":{},"nargs":{},"args":[{}],"classes":[{}]{}}})",
                     store::JsonQuote(syscalls::AbiName(abi)), d.nr, store::JsonQuote(d.name),
                     d.nargs, fmt::join(args, ","), fmt::join(classes, ","), since);
}

void PrintOne(const SyscallDef& d, Abi abi) {
  fmt::print("{}\n", d.name);
  fmt::print("  abi:       {}\n", syscalls::AbiName(abi));
  fmt::print("  number:    {}\n", d.nr);
  fmt::print("  classes:   {}\n", syscalls::ClassesToString(d.classes));
  if (d.since) fmt::print("  since:     Linux {}\n", SinceText(d));
  fmt::print("  arguments: {}\n", d.nargs);
  for (int i = 0; i < d.nargs; ++i) {
    const auto& a = d.args[i];
    fmt::print("    arg{}  {}", i, syscalls::ArgTypeName(a.type));
    if (a.len_arg >= 0) fmt::print(" (length in arg{})", a.len_arg);
    fmt::print("\n");
  }
}

void PrintTable(Abi abi) {
  fmt::print("{:>4}  {:<24} {:<50} {}\n", "NR", "NAME", "ARGUMENTS", "CLASSES");
  for (const auto& d : syscalls::Table(abi))
    fmt::print("{:>4}  {:<24} {:<50} {}\n", d.nr, d.name, ArgList(d),
               syscalls::ClassesToString(d.classes));
}

// Returns 0 on success, -1 after printing the help, or the exit code for a
// usage error.
int Parse(const std::vector<std::string>& args, Options& o) {
  bool help = false;
  std::vector<Option> table = {
      FlagOption("--json", o.json),
      {"--abi", true,
       [&o](const std::string& v) -> std::optional<std::string> {
         auto abi = syscalls::ParseAbi(v);
         if (!abi) return fmt::format("unknown ABI '{}'; use --abi x86_64 or --abi i386", v);
         o.abi = *abi;
         return std::nullopt;
       }},
  };
  for (Option& opt : HelpOptions(help)) table.push_back(std::move(opt));
  std::vector<std::string> positional;
  if (auto error = ParseOptions(args, table, &positional)) {
    fmt::print(stderr, "warden syscalls: {}\nusage: warden syscalls [NAME|NUMBER] [--abi x86_64|i386] [--json]\n",
               *error);
    return 2;
  }
  if (help) {
    fmt::print("usage: warden syscalls [NAME|NUMBER] [--abi x86_64|i386] [--json]\n"
               "Print the syscall table of the ABI (default x86_64), or one entry.\n");
    return -1;
  }
  if (positional.size() > 1) {
    fmt::print(stderr, "warden syscalls: only one NAME or NUMBER, got '{}' and '{}'\n", positional[0], positional[1]);
    return 2;
  }
  if (!positional.empty()) o.query = positional[0];
  return 0;
}

const SyscallDef* Lookup(const Options& o) {
  int nr = 0;
  auto [p, ec] = std::from_chars(o.query.data(), o.query.data() + o.query.size(), nr);
  if (ec == std::errc() && p == o.query.data() + o.query.size())
    return syscalls::ByNumber(o.abi, nr);
  return syscalls::ByName(o.abi, o.query);
}

}  // namespace

int SyscallsCommand(const std::vector<std::string>& args) {
  Options o;
  if (int rc = Parse(args, o); rc != 0) return rc < 0 ? 0 : rc;
  if (o.query.empty()) {
    if (o.json) {
      fmt::print("[\n");
      auto t = syscalls::Table(o.abi);
      for (size_t i = 0; i < t.size(); ++i)
        fmt::print("{}{}\n", Json(t[i], o.abi), i + 1 < t.size() ? "," : "");
      fmt::print("]\n");
    } else {
      PrintTable(o.abi);
    }
    return 0;
  }
  const SyscallDef* d = Lookup(o);
  if (d == nullptr) {
    auto near = syscalls::ClosestNames(o.abi, o.query);
    fmt::print(stderr, "warden syscalls: no {} syscall named or numbered '{}'", syscalls::AbiName(o.abi), o.query);
    if (!near.empty()) fmt::print(stderr, "; did you mean: {}?", fmt::join(near, ", "));
    fmt::print(stderr, "\n(list them all with `warden syscalls{}`)\n", o.abi == Abi::kI386 ? " --abi i386" : "");
    return 2;
  }
  if (o.json)
    fmt::print("{}\n", Json(*d, o.abi));
  else
    PrintOne(*d, o.abi);
  return 0;
}

}  // namespace warden::cli
