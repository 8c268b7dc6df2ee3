// Minimal JSON text helpers for the NDJSON export and --json outputs.
#ifndef WARDEN_STORE_JSON_H_
#define WARDEN_STORE_JSON_H_

#include <string>
#include <string_view>
#include <vector>

namespace warden::store {

// The one JSON encoding of recorded text (argv in the database, every JSON
// output). Paths and arguments are bytes, not always UTF-8: valid UTF-8 is
// written as it is; each byte that is not is written as the escape \udcXX
// (U+DC00 + the byte, 0x80-0xff: a lone low surrogate, the convention of
// Python's "surrogateescape", PEP 383). Valid UTF-8 never gives one, so the
// bytes come back exactly: in Python, s.encode("utf-8", "surrogateescape");
// jq and most tools show U+FFFD instead. `caf\xe9` and a real `café` stay
// two different strings.
//
// Returns `s` as a quoted JSON string in that encoding.
std::string JsonQuote(std::string_view s);

// Returns `items` as a JSON array of strings, each quoted with JsonQuote.
std::string JsonStringArray(const std::vector<std::string>& items);

// Parses a JSON array of strings (as JsonStringArray writes it) back to the
// original bytes; false when `t` is not such an array.
bool ParseJsonStringArray(std::string_view t, std::vector<std::string>* out);

// For parsers that refuse lone surrogates (nlohmann-json), in three steps:
//  1. RewriteByteEscapes rewrites each \udcXX escape of `json` that stands
//     for a byte to \u0000\u00XX, which they accept (a "\\" pair is an
//     escaped backslash, never the start of an escape; a \udcXX that
//     completes a high surrogate is half of a real character and stays).
//     False when there is none: `out` is untouched, parse `json` itself.
//  2. parse;
//  3. RestoreBytes turns each NUL + U+00XX of a parsed string back into the
//     byte XX. Lossless because recorded text (paths, argv) never holds NUL.
bool RewriteByteEscapes(std::string_view json, std::string& out);
void RestoreBytes(std::string& s);
// The same on a copy.
inline std::string WithBytesRestored(std::string s) {
  RestoreBytes(s);
  return s;
}
// The offset in `json` of `offset` in its rewritten text: where a parse
// error is, as the user sees the file.
size_t OriginalOffset(std::string_view json, size_t offset);

// The length of the valid UTF-8 sequence at s[i] (RFC 3629: no overlong
// form, no surrogate, nothing above U+10FFFF), or 0 when none starts there.
size_t Utf8Length(std::string_view s, size_t i);

}  // namespace warden::store

#endif  // WARDEN_STORE_JSON_H_
