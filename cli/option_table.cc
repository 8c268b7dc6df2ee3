#include "cli/option_table.h"

#include <charconv>

#include "cli/args.h"
#include "fmt/format.h"
#include "store/run_identity.h"
#include "forensics/export.h"
#include "forensics/timeparse.h"
#include "syscalls/closest.h"

namespace warden::cli {

std::optional<std::string> ParseOptions(const std::vector<std::string>& args, const std::vector<Option>& table,
                                        std::vector<std::string>* positional, bool stop_at_positional) {
  for (size_t i = 0; i < args.size(); ++i) {
    std::string name = args[i];
    if (positional != nullptr && name == "--") {
      positional->insert(positional->end(), args.begin() + static_cast<long>(i) + 1, args.end());
      break;
    }
    if (positional != nullptr && (name.size() < 2 || name[0] != '-')) {
      if (stop_at_positional) {
        positional->insert(positional->end(), args.begin() + static_cast<long>(i), args.end());
        break;
      }
      positional->push_back(name);
      continue;
    }
    std::optional<std::string> value;
    if (size_t eq = name.find('='); name.starts_with("--") && eq != std::string::npos) {
      value = name.substr(eq + 1);
      name.resize(eq);
    }
    const Option* option = nullptr;
    for (const auto& o : table)
      if (o.name == name) option = &o;
    if (!option) {
      std::vector<std::string_view> names;
      for (const auto& o : table) names.push_back(o.name);
      const auto close = name.starts_with("-") ? syscalls::Closest(name, names, 1) : std::vector<std::string_view>{};
      if (!close.empty()) return fmt::format("unknown option '{}'; did you mean '{}'?", args[i], close[0]);
      return fmt::format("unexpected argument '{}'", args[i]);
    }
    if (!option->takes_value && !option->optional_value && value) return fmt::format("{} takes no value", name);
    if (option->takes_value && !value) {
      if (i + 1 >= args.size()) return fmt::format("{} needs a value", name);
      value = args[++i];
    }
    if (auto error = option->apply(value.value_or(""))) return error;
  }
  return std::nullopt;
}

Option SetOption(std::string_view name, std::string& field) {
  return {name, true, [&field](const std::string& v) -> std::optional<std::string> {
            field = v;
            return std::nullopt;
          }};
}

Option FlagOption(std::string_view name, bool& field) {
  return {name, false, [&field](const std::string&) -> std::optional<std::string> {
            field = true;
            return std::nullopt;
          }};
}

Option AppendOption(std::string_view name, std::vector<std::string>& list) {
  return {name, true, [&list](const std::string& v) -> std::optional<std::string> {
            list.push_back(v);
            return std::nullopt;
          }};
}

Option RunIdOption(std::optional<int64_t>& run) {
  return {"--run", true, [&run](const std::string& v) -> std::optional<std::string> {
            run = ParsePositive(v);
            if (!run) return BadRunId(v);
            return std::nullopt;
          }};
}

Option TimeOption(std::string_view name, std::optional<int64_t>& ns, int64_t now_ns) {
  return {name, true, [name, &ns, now_ns](const std::string& v) -> std::optional<std::string> {
            auto t = forensics::ParseTimeNs(v, now_ns);
            if (!t.ok()) return fmt::format("{}: {}", name, std::string(t.status().message()));
            ns = *t;
            return std::nullopt;
          }};
}

Option KindsOption(std::vector<std::string>& kinds) {
  return {"--kind", true, [&kinds](const std::string& v) -> std::optional<std::string> {
            auto parsed = forensics::ParseKinds(v);
            if (!parsed.ok()) return fmt::format("--kind: {}", std::string(parsed.status().message()));
            kinds.insert(kinds.end(), parsed->begin(), parsed->end());
            return std::nullopt;
          }};
}

std::vector<Option> HelpOptions(bool& help) { return {FlagOption("--help", help), FlagOption("-h", help)}; }

std::optional<int> ParseCommandLine(std::string_view command, const std::vector<std::string>& args,
                                    std::vector<Option> table, std::string_view usage,
                                    std::vector<std::string>* positional, bool stop_at_positional,
                                    int error_code) {
  bool help = false;
  for (Option& o : HelpOptions(help)) table.push_back(std::move(o));
  if (auto error = ParseOptions(args, table, positional, stop_at_positional)) {
    fmt::print(stderr, "warden {}: {} (warden {} --help)\n", command, *error, command);
    return error_code;
  }
  if (help) {
    fmt::print("{}", usage);
    return 0;
  }
  return std::nullopt;
}

void AddSelectionOptions(std::vector<Option>& table, learn::Selection& selection, int64_t now_ns) {
  table.push_back({"--db", true, [&selection](const std::string& v) -> std::optional<std::string> {
                     selection.dbs.push_back(v);
                     return std::nullopt;
                   }});
  table.push_back({"--run", true, [&selection](const std::string& v) -> std::optional<std::string> {
                     auto id = ParsePositive(v);
                     if (!id) return BadRunId(v);
                     selection.runs.push_back(*id);
                     return std::nullopt;
                   }});
  table.push_back(SetOption("--pg", selection.pg_url));
  table.push_back({"--select", true, [&selection](const std::string& v) -> std::optional<std::string> {
                     auto labels = store::ParseLabelList(v);
                     if (!labels.ok()) return fmt::format("--select: {}", std::string(labels.status().message()));
                     for (auto& [k, val] : *labels) selection.labels[k] = val;
                     return std::nullopt;
                   }});
  for (std::string_view name : {"--from", "--to"}) {
    auto& field = name == "--from" ? selection.from_ns : selection.to_ns;
    table.push_back({name, true, [&field, name, now_ns](const std::string& v) -> std::optional<std::string> {
                       auto t = forensics::ParseTimeNs(v, now_ns);
                       if (!t.ok()) return fmt::format("{}: {}", name, std::string(t.status().message()));
                       field = *t;
                       return std::nullopt;
                     }});
  }
}

std::optional<double> ParseRate(std::string_view s) {
  bool percent = s.ends_with('%');
  if (percent) s.remove_suffix(1);
  double v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  if (percent) v /= 100;
  if (!(v >= 0 && v <= 1)) return std::nullopt;
  return v;
}

}  // namespace warden::cli
