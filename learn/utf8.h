// UTF-8 validity, byte by byte: paths and names are bytes, policy files and
// their comments are UTF-8 text.
#ifndef WARDEN_LEARN_UTF8_H_
#define WARDEN_LEARN_UTF8_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace warden::learn {

// The length of the valid UTF-8 sequence `s` starts with (1-4), or 0 when
// it does not start with one (a stray byte, an overlong form, a surrogate,
// a code point above U+10FFFF, a cut sequence). `s` must not be empty.
inline size_t Utf8Length(std::string_view s) {
  auto byte = [&](size_t i) { return i < s.size() ? static_cast<uint8_t>(s[i]) : uint8_t{0}; };
  auto cont = [&](size_t i) { return (byte(i) & 0xC0) == 0x80; };
  const uint8_t c = byte(0), c1 = byte(1);
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    bool ok = (c != 0xE0 || c1 >= 0xA0) && (c != 0xED || c1 < 0xA0);
    return ok && cont(1) && cont(2) ? 3 : 0;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    bool ok = (c != 0xF0 || c1 >= 0x90) && (c != 0xF4 || c1 < 0x90);
    return ok && cont(1) && cont(2) && cont(3) ? 4 : 0;
  }
  return 0;
}

}  // namespace warden::learn

#endif  // WARDEN_LEARN_UTF8_H_
