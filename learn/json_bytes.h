// Reading back JSON that carries bytes which are not valid UTF-8. warden's
// JSON output writes such a byte as the escape \udcXX (U+DC00 + the byte,
// XX in 80..ff: Python's "surrogateescape"), so paths and argv survive
// losslessly. Strict parsers (nlohmann-json) refuse a lone surrogate, so:
//   1. EscapeBytes rewrites each real \udcXX escape of a line to
//      \u0000\u00XX (a "\\" pair is an escaped backslash, never the start
//      of an escape; a \udcXX that completes a high surrogate \ud800-\udbff
//      is half of a real character and is left alone);
//   2. the line is parsed;
//   3. RestoreBytes turns each NUL followed by U+00XX in a decoded string
//      back into the byte XX (a NUL cannot occur in a path or an argument).
// The decoding half of verify/json_bytes.h, without an allocation per line
// (learn reads a million lines a second); learn cannot use verify's: verify
// depends on learn.
#ifndef WARDEN_LEARN_JSON_BYTES_H_
#define WARDEN_LEARN_JSON_BYTES_H_

#include <string>
#include <string_view>

namespace warden::learn {

// False when `json` has no \udcXX escape to rewrite (`out` is left as it
// was: parse `json` itself); else `out` holds the rewritten text.
bool EscapeBytes(std::string_view json, std::string& out);

// In place, on a string decoded from EscapeBytes' output.
void RestoreBytes(std::string& s);

}  // namespace warden::learn

#endif  // WARDEN_LEARN_JSON_BYTES_H_
