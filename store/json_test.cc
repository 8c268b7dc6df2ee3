#include "store/json.h"

#include <random>
#include <string>

#include "gtest/gtest.h"
#include "store/test_util.h"

namespace warden::store {
namespace {

using testing::Json;
using testing::JsonParser;

TEST(JsonQuoteTest, PlainTextIsQuotedUnchanged) {
  EXPECT_EQ(JsonQuote(""), R"("")");
  EXPECT_EQ(JsonQuote("/usr/bin/ls -la"), R"("/usr/bin/ls -la")");
}

TEST(JsonQuoteTest, EscapesQuotesBackslashesAndControlCharacters) {
  EXPECT_EQ(JsonQuote("a\"b\\c"), R"("a\"b\\c")");
  EXPECT_EQ(JsonQuote("\n\r\t"), R"("\n\r\t")");
  EXPECT_EQ(JsonQuote(std::string("\0\x01\x1f", 3)), R"("\u0000\u0001\u001f")");
  EXPECT_EQ(JsonQuote("\b\f"), R"("\u0008\u000c")");
  EXPECT_EQ(JsonQuote("\x7f"), "\"\x7f\"");  // DEL is legal in JSON strings
}

TEST(JsonQuoteTest, KeepsValidUtf8) {
  for (std::string s : {"é", "€", "😀", "日本語", "\xef\xbf\xbf", "\xf4\x8f\xbf\xbf"})
    EXPECT_EQ(JsonQuote(s), "\"" + s + "\"") << s;
}

TEST(JsonQuoteTest, EscapesInvalidUtf8BytesOneByOneAsLoneSurrogates) {
  EXPECT_EQ(JsonQuote("a\xff"), R"("a\udcff")");
  EXPECT_EQ(JsonQuote("\xe2\x82"), R"("\udce2\udc82")");              // truncated
  EXPECT_EQ(JsonQuote("\x80"), R"("\udc80")");                        // lone continuation
  EXPECT_EQ(JsonQuote("\xc0\xaf"), R"("\udcc0\udcaf")");              // overlong '/'
  EXPECT_EQ(JsonQuote("\xe0\x80\xaf"), R"("\udce0\udc80\udcaf")");    // overlong 3-byte
  EXPECT_EQ(JsonQuote("\xed\xa0\x80"), R"("\udced\udca0\udc80")");    // UTF-16 surrogate
  EXPECT_EQ(JsonQuote("\xf4\x90\x80\x80"), R"("\udcf4\udc90\udc80\udc80")");  // > U+10FFFF
  EXPECT_EQ(JsonQuote("\xe9t\xe9"), R"("\udce9t\udce9")");            // Latin-1 text
}

// The bug this encoding fixes: a byte 0xe9 and a real "é" were both
// written as "\u00e9"/"é" and read back as the same string.
TEST(JsonQuoteTest, NonUtf8AndUtf8ExportDifferentlyAndRoundTrip) {
  const std::string latin1 = "caf\xe9", utf8 = "caf\xc3\xa9";
  EXPECT_NE(JsonQuote(latin1), JsonQuote(utf8));
  for (const std::string& s : {latin1, utf8}) {
    auto v = JsonParser::Parse(JsonQuote(s));
    ASSERT_TRUE(v);
    EXPECT_EQ(v->text, s);
    std::vector<std::string> words;
    ASSERT_TRUE(ParseJsonStringArray(JsonStringArray({s, "x"}), &words));
    EXPECT_EQ(words[0], s);
  }
}

TEST(JsonQuoteTest, EveryByteStringRoundTripsThroughTheArrayParser) {
  std::mt19937 rng(7);
  for (int n = 0; n < 20000; ++n) {
    std::string s(rng() % 24, '\0');
    for (char& c : s) c = static_cast<char>(rng() % 255 + 1);  // no NUL in C strings
    std::vector<std::string> back;
    ASSERT_TRUE(ParseJsonStringArray(JsonStringArray({s}), &back));
    ASSERT_EQ(back.size(), 1u);
    ASSERT_EQ(back[0], s);
  }
}

// RewriteByteEscapes / RestoreBytes: what a parser that refuses lone
// surrogates sees, and the bytes recovered from its strings.
TEST(JsonQuoteTest, ByteEscapeRewriteIsLosslessAndLeavesOtherEscapesAlone) {
  std::string out;
  ASSERT_TRUE(RewriteByteEscapes(R"("caf\udce9")", out));
  EXPECT_EQ(out, R"("caf\u0000\u00e9")");
  EXPECT_EQ(OriginalOffset(R"("caf\udce9")", out.find("00e9")), 4u);  // inside the escape
  EXPECT_FALSE(RewriteByteEscapes(R"("a\\udce9")", out));  // backslash, then text
  EXPECT_FALSE(RewriteByteEscapes(R"("\udc41")", out));     // not a byte escape
  EXPECT_FALSE(RewriteByteEscapes(R"("\ud83d\udc80")", out));  // a real surrogate pair
  std::string parsed = std::string("caf\0", 4) + "\xc3\xa9" + std::string("\0", 1) + "\xc2\x80";
  RestoreBytes(parsed);
  EXPECT_EQ(parsed, "caf\xe9\x80");
  std::string plain = "caf\xc3\xa9";
  RestoreBytes(plain);
  EXPECT_EQ(plain, "caf\xc3\xa9");
}

TEST(JsonQuoteTest, OutputOfArbitraryBytesAlwaysParses) {
  std::mt19937 rng(42);
  for (int n = 0; n < 20000; ++n) {
    std::string s(rng() % 24, '\0');
    for (char& c : s) c = static_cast<char>(rng());
    std::string quoted = JsonQuote(s);
    std::string error;
    auto v = JsonParser::Parse(quoted, &error);
    ASSERT_TRUE(v) << error << " in " << quoted;
    ASSERT_EQ(v->type, Json::kString);
  }
}

TEST(JsonQuoteTest, ValidUtf8RoundTripsThroughAParser) {
  std::string s = "path with \"quotes\", tabs\t, newline\n, é and 😀";
  auto v = JsonParser::Parse(JsonQuote(s));
  ASSERT_TRUE(v);
  EXPECT_EQ(v->text, s);
}

TEST(JsonStringArrayTest, QuotesEachItem) {
  EXPECT_EQ(JsonStringArray({}), "[]");
  EXPECT_EQ(JsonStringArray({"ls", "-l", "a\"b"}), R"(["ls","-l","a\"b"])");
  auto v = JsonParser::Parse(JsonStringArray({"x", "\xff", ""}));
  ASSERT_TRUE(v);
  ASSERT_EQ(v->items.size(), 3u);
  EXPECT_EQ(v->items[1].text, "\xff");  // \udcff: the byte
}

TEST(JsonParserTest, RejectsInvalidJson) {
  for (std::string bad : {"", "{", R"({"a":})", "\"\x01\"", "\"\xff\"", R"("\x")", "[1,]", "01",
                          "{} x", R"("\ud800")"})
    EXPECT_FALSE(JsonParser::Parse(bad)) << bad;
}

}  // namespace
}  // namespace warden::store
