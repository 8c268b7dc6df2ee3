#include "verify/json_bytes.h"

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

// True when json[i] starts "\udcXX" with XX in 80..ff.
bool IsByteEscape(std::string_view json, size_t i) {
  if (i + 6 > json.size() || json[i] != '\\' || json[i + 1] != 'u') return false;
  for (size_t k = 2; k < 6; ++k)
    if (!IsHex(json[i + k])) return false;
  char x = static_cast<char>(json[i + 4] | 0x20);
  return (json[i + 2] | 0x20) == 'd' && (json[i + 3] | 0x20) == 'c' && ((x >= '8' && x <= '9') || x >= 'a');
}

constexpr size_t kEscapeLen = 6;     // \udcXX
constexpr size_t kRewrittenLen = 12;  // \u0000\u00XX

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
  for (size_t i = 0; i < json.size();) {
    if (json[i] != '\\') {
      out.push_back(json[i++]);
    } else if (IsByteEscape(json, i)) {
      out += "\\u0000\\u00";
      out.append(json.substr(i + 4, 2));
      i += kEscapeLen;
    } else {  // any other escape, "\\" included, is copied whole
      out.append(json.substr(i, 2));
      i += 2;
    }
  }
  return out;
}

size_t OriginalOffset(std::string_view json, size_t offset) {
  size_t r = 0;
  for (size_t i = 0; i < json.size();) {
    size_t from = 1, to = 1;
    if (json[i] == '\\') {
      bool byte = IsByteEscape(json, i);
      from = byte ? kEscapeLen : 2;
      to = byte ? kRewrittenLen : 2;
    }
    if (offset < r + to) return i;
    r += to;
    i += from;
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
