#include "verify/json_bytes.h"

#include <algorithm>

#include "fmt/format.h"

namespace warden::verify {

size_t Utf8Length(std::string_view s, size_t i) {
  auto c = static_cast<unsigned char>(s[i]);
  size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k)
    if ((static_cast<unsigned char>(s[i + k]) >> 6) != 0x2) return 0;
  if (n == 1) return 1;
  auto c1 = static_cast<unsigned char>(s[i + 1]);
  if (c < 0xC2) return 0;
  if (c == 0xE0 && c1 < 0xA0) return 0;
  if (c == 0xED && c1 >= 0xA0) return 0;
  if (c == 0xF0 && c1 < 0x90) return 0;
  if (c > 0xF4 || (c == 0xF4 && c1 >= 0x90)) return 0;
  return n;
}

namespace {

// The short escapes JSON has for some characters.
struct ShortEscape {
  char c;
  std::string_view text;
};
constexpr ShortEscape kShortEscapes[] = {
    {'"', "\\\""}, {'\\', "\\\\"}, {'\n', "\\n"}, {'\r', "\\r"}, {'\t', "\\t"}};

bool IsHex(char c) { return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f'); }

// The escapes of a JSON text, one at a time: what each is and how long.
enum class Escape { kNone, kByte, kHighSurrogate, kOther };

// json[i] is a backslash: which escape starts there. `after_high`: the
// escape just before was a high surrogate, so a \udcXX here is the second
// half of a real character, not a byte.
Escape EscapeAt(std::string_view json, size_t i, bool after_high) {
  if (i + 6 > json.size() || json[i + 1] != 'u') return Escape::kOther;
  for (size_t k = 2; k < 6; ++k)
    if (!IsHex(json[i + k])) return Escape::kOther;
  auto lower = [&](size_t k) { return static_cast<char>(json[i + k] | 0x20); };
  char y = lower(3), x = lower(4);
  if (lower(2) == 'd' && (y == '8' || y == '9' || y == 'a' || y == 'b')) return Escape::kHighSurrogate;
  if (!after_high && lower(2) == 'd' && lower(3) == 'c' && (x == '8' || x == '9' || (x >= 'a' && x <= 'f')))
    return Escape::kByte;
  return Escape::kOther;
}

// The length of the escape at json[i]: "\\uXXXX" 6, any other 2 (cut at
// the end of the text).
size_t EscapeLength(std::string_view json, size_t i) {
  bool unicode = i + 1 < json.size() && json[i + 1] == 'u';
  return std::min<size_t>(unicode ? 6 : 2, json.size() - i);
}

constexpr size_t kRewrittenLen = 12;  // \u0000\u00XX for \udcXX

}  // namespace

std::string JsonBytes(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out.push_back('"');
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    const ShortEscape* e = nullptr;
    for (const auto& k : kShortEscapes)
      if (k.c == s[i]) e = &k;
    size_t n = e || c < 0x20 ? 0 : Utf8Length(s, i);
    if (e) out += e->text;
    else if (c < 0x20) out += fmt::format("\\u{:04x}", c);
    else if (n == 0) out += fmt::format("\\udc{:02x}", c);
    else out.append(s.substr(i, n));
    i += n ? n : 1;
  }
  out.push_back('"');
  return out;
}

std::string RewriteByteEscapes(std::string_view json) {
  std::string out;
  out.reserve(json.size());
  bool after_high = false;
  for (size_t i = 0; i < json.size();) {
    if (json[i] != '\\') {
      out.push_back(json[i++]);
      after_high = false;
      continue;
    }
    Escape e = EscapeAt(json, i, after_high);
    size_t n = EscapeLength(json, i);
    if (e == Escape::kByte) {
      out += "\\u0000\\u00";
      out.append(json.substr(i + 4, 2));
    } else {  // any other escape, "\\" included, is copied whole
      out.append(json.substr(i, n));
    }
    after_high = e == Escape::kHighSurrogate;
    i += n;
  }
  return out;
}

size_t OriginalOffset(std::string_view json, size_t offset) {
  size_t r = 0;
  bool after_high = false;
  for (size_t i = 0; i < json.size();) {
    Escape e = json[i] == '\\' ? EscapeAt(json, i, after_high) : Escape::kNone;
    size_t from = e == Escape::kNone ? 1 : EscapeLength(json, i);
    size_t to = e == Escape::kByte ? kRewrittenLen : from;
    if (offset < r + to) return i;
    r += to;
    i += from;
    after_high = e == Escape::kHighSurrogate;
  }
  return json.size();
}

std::string RestoreBytes(std::string_view s) {
  if (s.find('\0') == std::string_view::npos) return std::string(s);
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    auto next = i + 2 < s.size() ? static_cast<unsigned char>(s[i + 1]) : 0;
    if (s[i] == '\0' && (next == 0xC2 || next == 0xC3)) {
      auto low = static_cast<unsigned char>(s[i + 2]);
      out.push_back(static_cast<char>(next == 0xC2 ? low : low + 0x40));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

}  // namespace warden::verify
