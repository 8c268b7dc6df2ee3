#include "learn/json_bytes.h"

namespace warden::learn {
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

bool EscapeBytes(std::string_view json, std::string& out) {
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

}  // namespace warden::learn
