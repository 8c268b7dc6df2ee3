#include "store/json.h"

#include <cctype>

#include "fmt/format.h"

namespace warden::store {
namespace {

int Hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The code unit of the \uXXXX escape at json[i] (a '\\'), or -1.
int EscapeUnit(std::string_view json, size_t i) {
  if (i + 6 > json.size() || json[i + 1] != 'u') return -1;
  int v = 0;
  for (size_t k = i + 2; k < i + 6; ++k) {
    int h = Hex(json[k]);
    if (h < 0) return -1;
    v = v * 16 + h;
  }
  return v;
}



}  // namespace

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
    if (n == 0) {  // not UTF-8: the byte as a lone low surrogate (PEP 383)
      out += fmt::format("\\udc{:02x}", c);
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

bool ParseJsonStringArray(std::string_view t, std::vector<std::string>* out) {
  size_t i = 0;
  auto ws = [&] {
    while (i < t.size() && (t[i] == ' ' || t[i] == '\n' || t[i] == '\t' || t[i] == '\r')) ++i;
  };
  auto hex4 = [&](uint32_t* v) {
    if (i + 4 > t.size()) return false;
    *v = 0;
    for (int k = 0; k < 4; ++k) {
      char h = t[i++];
      *v <<= 4;
      if (h >= '0' && h <= '9') *v |= h - '0';
      else if (h >= 'a' && h <= 'f') *v |= h - 'a' + 10;
      else if (h >= 'A' && h <= 'F') *v |= h - 'A' + 10;
      else return false;
    }
    return true;
  };
  auto utf8 = [](std::string& s, uint32_t cp) {
    if (cp < 0x80) {
      s += static_cast<char>(cp);
    } else if (cp < 0x800) {
      s += static_cast<char>(0xC0 | (cp >> 6));
      s += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      s += static_cast<char>(0xE0 | (cp >> 12));
      s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      s += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      s += static_cast<char>(0xF0 | (cp >> 18));
      s += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      s += static_cast<char>(0x80 | (cp & 0x3F));
    }
  };
  ws();
  if (i >= t.size() || t[i++] != '[') return false;
  ws();
  if (i < t.size() && t[i] == ']') {
    ++i;
    ws();
    return i == t.size();
  }
  for (;;) {
    ws();
    if (i >= t.size() || t[i++] != '"') return false;
    std::string s;
    for (;;) {
      if (i >= t.size()) return false;
      char c = t[i++];
      if (c == '"') break;
      if (c != '\\') {
        s += c;
        continue;
      }
      if (i >= t.size()) return false;
      char e = t[i++];
      switch (e) {
        case '"': s += '"'; break;
        case '\\': s += '\\'; break;
        case '/': s += '/'; break;
        case 'b': s += '\b'; break;
        case 'f': s += '\f'; break;
        case 'n': s += '\n'; break;
        case 'r': s += '\r'; break;
        case 't': s += '\t'; break;
        case 'u': {
          uint32_t cp = 0;
          if (!hex4(&cp)) return false;
          if (cp >= 0xD800 && cp <= 0xDBFF && i + 1 < t.size() && t[i] == '\\' && t[i + 1] == 'u') {
            i += 2;
            uint32_t lo = 0;
            if (!hex4(&lo) || lo < 0xDC00 || lo > 0xDFFF) return false;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          }
          // A byte that was not UTF-8: \udc80-\udcff (JsonQuote), or
          // \u0080-\u00ff as older wardens wrote it (valid text was
          // never escaped there).
          if (cp >= 0xDC80 && cp <= 0xDCFF) s += static_cast<char>(cp - 0xDC00);
          else if (cp >= 0x80 && cp <= 0xFF) s += static_cast<char>(cp);
          else utf8(s, cp);
          break;
        }
        default: return false;
      }
    }
    out->push_back(std::move(s));
    ws();
    if (i < t.size() && t[i] == ',') {
      ++i;
      continue;
    }
    if (i < t.size() && t[i] == ']') {
      ++i;
      ws();
      return i == t.size();
    }
    return false;
  }
}


bool RewriteByteEscapes(std::string_view json, std::string& out) {
  if (json.find("\\u") == std::string_view::npos) return false;  // most lines
  bool rewritten = false;
  bool after_high = false;  // the escape just before was a high surrogate
  size_t copied = 0;        // json[copied, i) is still to be copied
  for (size_t i = 0; i < json.size(); ++i) {
    if (json[i] != '\\') {
      after_high = false;
      continue;
    }
    const int unit = EscapeUnit(json, i);
    if (unit < 0) {  // \\, \", \n, ...: two characters, never an escape start
      ++i;
      after_high = false;
      continue;
    }
    if (unit >= 0xdc80 && unit <= 0xdcff && !after_high) {
      if (!rewritten) out.clear();
      rewritten = true;
      out.append(json.substr(copied, i - copied));
      out += "\\u0000\\u00";
      out.append(json.substr(i + 4, 2));
      copied = i + 6;
    }
    after_high = unit >= 0xd800 && unit <= 0xdbff;
    i += 5;
  }
  if (!rewritten) return false;
  out.append(json.substr(copied));
  return true;
}

void RestoreBytes(std::string& s) {
  size_t i = s.find('\0');
  if (i == std::string::npos) return;
  size_t w = i;
  while (i < s.size()) {
    // NUL, then U+0080..U+00FF in UTF-8: C2 80..BF or C3 80..BF.
    auto c1 = i + 1 < s.size() ? static_cast<unsigned char>(s[i + 1]) : 0;
    auto c2 = i + 2 < s.size() ? static_cast<unsigned char>(s[i + 2]) : 0;
    if (s[i] == '\0' && (c1 == 0xc2 || c1 == 0xc3) && (c2 & 0xc0) == 0x80) {
      s[w++] = static_cast<char>(((c1 & 0x03) << 6) | (c2 & 0x3f));
      i += 3;
    } else {
      s[w++] = s[i++];
    }
  }
  s.resize(w);
}


size_t OriginalOffset(std::string_view json, size_t offset) {
  size_t r = 0;  // offset in the rewritten text
  bool after_high = false;
  for (size_t i = 0; i < json.size();) {
    size_t from = 1, to = 1;
    const int unit = json[i] == '\\' ? EscapeUnit(json, i) : -1;
    if (json[i] == '\\') from = to = unit < 0 ? 2 : 6;
    if (unit >= 0xdc80 && unit <= 0xdcff && !after_high) to = 12;  // \u0000\u00XX
    if (offset < r + to) return i;
    r += to;
    i += from;
    after_high = unit >= 0xd800 && unit <= 0xdbff;
  }
  return json.size();
}

}  // namespace warden::store
