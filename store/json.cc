#include "store/json.h"

#include "fmt/format.h"

namespace warden::store {
namespace {

// Length of the valid UTF-8 sequence starting at s[i], or 0 if invalid.
// Strict (RFC 3629): overlong forms, UTF-16 surrogates and code points above
// U+10FFFF are invalid too, because strict JSON readers (Python, jq, Go)
// reject them and the export must always parse.
size_t Utf8Length(std::string_view s, size_t i) {
  auto c = static_cast<unsigned char>(s[i]);
  size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k)
    if ((static_cast<unsigned char>(s[i + k]) >> 6) != 0x2) return 0;
  if (n == 1) return 1;
  auto c1 = static_cast<unsigned char>(s[i + 1]);
  if (c < 0xC2) return 0;                                  // overlong 2-byte
  if (c == 0xE0 && c1 < 0xA0) return 0;                    // overlong 3-byte
  if (c == 0xED && c1 >= 0xA0) return 0;                   // surrogate
  if (c == 0xF0 && c1 < 0x90) return 0;                    // overlong 4-byte
  if (c > 0xF4 || (c == 0xF4 && c1 >= 0x90)) return 0;     // above U+10FFFF
  return n;
}

}  // namespace

std::string JsonQuote(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out.push_back('"');
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '"': out += "\\\""; ++i; continue;
      case '\\': out += "\\\\"; ++i; continue;
      case '\n': out += "\\n"; ++i; continue;
      case '\r': out += "\\r"; ++i; continue;
      case '\t': out += "\\t"; ++i; continue;
      default: break;
    }
    if (c < 0x20) {
      out += fmt::format("\\u{:04x}", c);
      ++i;
      continue;
    }
    size_t n = Utf8Length(s, i);
    if (n == 0) {  // invalid byte: keep it visible, keep the JSON valid
      out += fmt::format("\\u{:04x}", c);
      ++i;
      continue;
    }
    out.append(s.substr(i, n));
    i += n;
  }
  out.push_back('"');
  return out;
}

std::string JsonStringArray(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out.push_back(',');
    out += JsonQuote(items[i]);
  }
  out.push_back(']');
  return out;
}

}  // namespace warden::store
