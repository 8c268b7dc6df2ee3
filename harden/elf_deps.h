// What the dynamic loader will load for an ELF file, read from the file
// itself (never by running ldd, which runs the program's own loader): the
// interpreter (PT_INTERP), the libraries it names (DT_NEEDED) and where it
// asks them to be looked for (DT_RUNPATH, else DT_RPATH). Harden keeps the
// closure of these for every kept executable and library.
#ifndef WARDEN_HARDEN_ELF_DEPS_H_
#define WARDEN_HARDEN_ELF_DEPS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace warden::harden {

struct ElfDeps {
  bool is_64 = true;
  uint16_t machine = 0;              // e_machine: EM_X86_64, EM_386, ...
  std::string interpreter;           // "" for a static or shared-only file
  std::vector<std::string> needed;   // in file order
  std::vector<std::string> runpath;  // split on ':'; $ORIGIN left as written
};

// nullopt: not an ELF file (a script, data). An error: an ELF file whose
// headers point outside it (what, and where in the file).
absl::StatusOr<std::optional<ElfDeps>> ReadElfDeps(const std::string& path);

}  // namespace warden::harden

#endif  // WARDEN_HARDEN_ELF_DEPS_H_
