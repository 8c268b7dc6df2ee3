// Generic value-to-name helpers for flag sets and enumerations, after
// strace's xlat tables: each decoder is a table of {value, name} rows plus
// one of the two formatters below, so adding a constant is adding a row.
#ifndef WARDEN_SYSCALLS_FLAGS_H_
#define WARDEN_SYSCALLS_FLAGS_H_

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace warden::syscalls {

struct FlagName {
  uint64_t value;
  std::string_view name;
};

// Names of the bits set in `value`, joined with '|', table order; bits no
// row names are appended as one hex number ("O_CREAT|0x40000000"). Rows with
// several bits (O_SYNC, O_TMPFILE) claim their bits before narrower rows, so
// a composite is printed as itself and not as its parts. Returns `zero` when
// `value` is 0.
std::string FormatFlags(uint64_t value, std::span<const FlagName> table,
                        std::string_view zero = "0");

// How FormatEnum prints a value no row names.
enum class Unknown { kDecimal, kHex };

// The name of the row equal to `value`, else the number.
std::string FormatEnum(uint64_t value, std::span<const FlagName> table,
                       Unknown unknown = Unknown::kDecimal);

// The name of the row equal to `value`, if any.
std::optional<std::string_view> FindName(uint64_t value, std::span<const FlagName> table);

// Joins the non-empty parts with '|'; "" when all are empty. Decoders that
// split a value into fields (access mode + flags, type + flags) use it.
std::string JoinFlags(std::initializer_list<std::string_view> parts);

}  // namespace warden::syscalls

#endif  // WARDEN_SYSCALLS_FLAGS_H_
