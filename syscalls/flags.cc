#include "syscalls/flags.h"

#include <algorithm>
#include <bit>
#include <numeric>
#include <vector>

#include "fmt/format.h"

namespace warden::syscalls {

std::string FormatFlags(uint64_t value, std::span<const FlagName> table,
                        std::string_view zero) {
  if (value == 0) return std::string(zero);
  // Visit rows widest first so that composites claim their bits, but print
  // in table order, which is the order a reader expects.
  std::vector<size_t> order(table.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return std::popcount(table[a].value) > std::popcount(table[b].value);
  });
  std::vector<bool> hit(table.size());
  uint64_t left = value;
  for (size_t i : order) {
    uint64_t v = table[i].value;
    if (v != 0 && (left & v) == v) {
      hit[i] = true;
      left &= ~v;
    }
  }
  std::string out;
  for (size_t i = 0; i < table.size(); ++i) {
    if (!hit[i]) continue;
    if (!out.empty()) out += '|';
    out += table[i].name;
  }
  if (left != 0) {
    if (!out.empty()) out += '|';
    out += fmt::format("{:#x}", left);
  }
  return out;
}

std::optional<std::string_view> FindName(uint64_t value, std::span<const FlagName> table) {
  for (const FlagName& f : table)
    if (f.value == value) return f.name;
  return std::nullopt;
}

std::string FormatEnum(uint64_t value, std::span<const FlagName> table, Unknown unknown) {
  if (auto name = FindName(value, table)) return std::string(*name);
  return unknown == Unknown::kHex ? fmt::format("{:#x}", value) : fmt::format("{}", value);
}

std::string JoinFlags(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (std::string_view p : parts) {
    if (p.empty()) continue;
    if (!out.empty()) out += '|';
    out += p;
  }
  return out;
}

}  // namespace warden::syscalls
