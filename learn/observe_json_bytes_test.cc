#include "learn/json_bytes.h"

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace warden::learn {
namespace {

// The string value of {"s": ...} in `json`, read as ReadNdjson reads it.
std::string Decode(std::string_view json) {
  std::string rewritten;
  bool bytes = EscapeBytes(json, rewritten);
  auto doc = nlohmann::json::parse(bytes ? std::string_view(rewritten) : json);
  std::string s = doc["s"].get<std::string>();
  if (bytes) RestoreBytes(s);
  return s;
}

TEST(JsonBytesTest, AByteEscapeComesBackAsTheByte) {
  EXPECT_EQ(Decode(R"({"s":"caf\udce9"})"), "caf\xe9");
  EXPECT_EQ(Decode(R"({"s":"\uDC80x\udcff"})"), "\x80x\xff");
  // The real character stays itself: two strings, two results.
  EXPECT_EQ(Decode(R"({"s":"caf\u00e9"})"), "caf\xc3\xa9");
  EXPECT_EQ(Decode("{\"s\":\"caf\xc3\xa9\"}"), "caf\xc3\xa9");
}

TEST(JsonBytesTest, AnEscapedBackslashIsNotTheStartOfAnEscape) {
  std::string out;
  EXPECT_FALSE(EscapeBytes(R"({"s":"a\\udce9"})", out));
  EXPECT_EQ(Decode(R"({"s":"a\\udce9"})"), "a\\udce9");
  EXPECT_EQ(Decode(R"({"s":"a\\\udce9"})"), "a\\\xe9");
}

TEST(JsonBytesTest, ASurrogatePairIsACharacter) {
  std::string out;
  EXPECT_FALSE(EscapeBytes(R"({"s":"\ud83d\udc80"})", out));
  EXPECT_EQ(Decode(R"({"s":"\ud83d\udc80"})"), "\xf0\x9f\x92\x80");
}

TEST(JsonBytesTest, OnlyBytes80ToFfAreByteEscapes) {
  std::string out;
  EXPECT_FALSE(EscapeBytes(R"({"s":"\udc41"})", out));
  EXPECT_FALSE(EscapeBytes(R"({"s":"plain"})", out));
}

TEST(JsonBytesTest, RestoreLeavesOtherTextAlone) {
  std::string s = "abc";
  RestoreBytes(s);
  EXPECT_EQ(s, "abc");
  s = std::string("a\0\xc2\x80", 4) + "b";
  RestoreBytes(s);
  EXPECT_EQ(s, "a\x80" "b");
}

}  // namespace
}  // namespace warden::learn
