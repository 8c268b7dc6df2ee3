// Strings that are not valid UTF-8 in warden's JSON files. Paths and argv
// are bytes; a JSON string is Unicode. warden writes each byte that is not
// part of valid UTF-8 as the escape \udcXX (U+DC00 + the byte, Python's
// "surrogateescape"), so `caf\xe9` and `café` stay two different strings
// and every byte comes back. Control characters are written as \u00XX.
//
// nlohmann-json refuses lone surrogates, so a reader first rewrites each
// \udcXX escape (XX in 80..ff) to the pair \u0000\u00XX, parses, then turns
// every NUL + U+00XX pair of the parsed strings back into the byte XX (NUL
// never occurs in a path or an argument).
#ifndef WARDEN_VERIFY_JSON_BYTES_H_
#define WARDEN_VERIFY_JSON_BYTES_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace warden::verify {

// The length of the valid UTF-8 sequence at s[i] (RFC 3629: no overlong
// forms, no surrogates, nothing above U+10FFFF), or 0 when none starts there.
size_t Utf8Length(std::string_view s, size_t i);

// `bytes` as a quoted JSON string: invalid UTF-8 bytes as \udcXX, control
// characters as \u00XX (\n, \r, \t, \" and \\ in their short forms).
std::string JsonBytes(std::string_view bytes);

// JSON text with every \udcXX escape (XX in 80..ff, any case) rewritten to
// \u0000\u00XX; everything else is copied, an escaped backslash included.
std::string RewriteByteEscapes(std::string_view json);

// The offset in the original text of `offset` in RewriteByteEscapes(json)
// (to name the line and column of a parse error as the user sees them).
size_t OriginalOffset(std::string_view json, size_t offset);

// A parsed string with every NUL + U+00XX (XX in 80..ff) turned back into
// the byte XX.
std::string RestoreBytes(std::string_view parsed);

}  // namespace warden::verify

#endif  // WARDEN_VERIFY_JSON_BYTES_H_
