#include "verify/json_bytes.h"

#include <string>

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace warden::verify {
namespace {

// What a reader does: rewrite, parse, restore.
std::string ReadBack(const std::string& quoted) {
  auto j = nlohmann::json::parse(RewriteByteEscapes(quoted));
  return RestoreBytes(j.get<std::string>());
}

TEST(JsonBytesTest, InvalidBytesAreSurrogateEscapes) {
  EXPECT_EQ(JsonBytes("caf\xe9"), R"("caf\udce9")");
  EXPECT_EQ(JsonBytes("café"), "\"café\"");
  EXPECT_EQ(JsonBytes("\xff\x80"), R"("\udcff\udc80")");
  EXPECT_EQ(JsonBytes("\xed\xa0\x80"), R"("\udced\udca0\udc80")");  // an encoded surrogate is not UTF-8
}

TEST(JsonBytesTest, ControlCharactersAndShortEscapes) {
  EXPECT_EQ(JsonBytes(std::string("a\x01\x1f\n\t\r\"\\b", 9)), R"("a\u0001\u001f\n\t\r\"\\b")");
}

TEST(JsonBytesTest, RoundTripKeepsEveryByte) {
  for (std::string s : {std::string("caf\xe9"), std::string("café"), std::string("\x80\xc3\xa9\xc3"),
                        std::string("/tmp/\xff\xfe/x"), std::string("a\\udce9"), std::string("\x01\x7f")}) {
    EXPECT_EQ(ReadBack(JsonBytes(s)), s) << JsonBytes(s);
  }
  EXPECT_NE(ReadBack(JsonBytes("caf\xe9")), ReadBack(JsonBytes("café")));
}

TEST(JsonBytesTest, RewriteOnlyRealEscapes) {
  EXPECT_EQ(RewriteByteEscapes(R"("\udce9")"), R"("\u0000\u00e9")");
  EXPECT_EQ(RewriteByteEscapes(R"("\uDCE9")"), R"("\u0000\u00E9")");
  // An escaped backslash followed by "udce9" is text, not an escape.
  EXPECT_EQ(RewriteByteEscapes(R"("\\udce9")"), R"("\\udce9")");
  EXPECT_EQ(RewriteByteEscapes(R"("\\\udce9")"), R"("\\\u0000\u00e9")");
  // Below 0x80 a \udcXX is no byte escape (it stays and the parser refuses it).
  EXPECT_EQ(RewriteByteEscapes(R"("\udc41")"), R"("\udc41")");
  EXPECT_EQ(RewriteByteEscapes(R"("\u00e9\n")"), R"("\u00e9\n")");
}

TEST(JsonBytesTest, LowSurrogateOfARealPairIsNoByte) {
  // U+1F480 written as a surrogate pair: its second half is \udc80.
  EXPECT_EQ(RewriteByteEscapes(R"("\ud83d\udc80")"), R"("\ud83d\udc80")");
  EXPECT_EQ(ReadBack(R"("\ud83d\udc80")"), "\xf0\x9f\x92\x80");
  // After a character that is not a high surrogate it is a byte again.
  EXPECT_EQ(RewriteByteEscapes(R"("\ud83d\udc80\udc80")"), R"("\ud83d\udc80\u0000\u0080")");
  EXPECT_EQ(RewriteByteEscapes(R"("\u0041\udc80")"), R"("\u0041\u0000\u0080")");
  EXPECT_EQ(ReadBack(R"("\ud83d\udc80\udcff")"), "\xf0\x9f\x92\x80\xff");
}

TEST(JsonBytesTest, RestoreLeavesOtherTextAlone) {
  EXPECT_EQ(RestoreBytes("café"), "café");  // U+00E9 without a NUL before it
  EXPECT_EQ(RestoreBytes(std::string("a\0\xc3\xa9", 4)), "a\xe9");
  EXPECT_EQ(RestoreBytes(std::string("a\0\xc2\x80", 4)), "a\x80");
  EXPECT_EQ(RestoreBytes(std::string("a\0", 2)), std::string("a\0", 2));
}

TEST(JsonBytesTest, OriginalOffsetUndoesTheRewrite) {
  std::string text = R"(["\udce9", x])";
  std::string rewritten = RewriteByteEscapes(text);
  size_t x = rewritten.find('x');
  EXPECT_EQ(OriginalOffset(text, x), text.find('x'));
  EXPECT_EQ(OriginalOffset(text, 0), 0u);
  EXPECT_EQ(OriginalOffset(text, rewritten.find("\\u00e9")), text.find("\\udce9"));  // inside: the escape
}

}  // namespace
}  // namespace warden::verify
