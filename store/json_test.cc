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

TEST(JsonQuoteTest, EscapesInvalidUtf8BytesOneByOne) {
  EXPECT_EQ(JsonQuote("a\xff"), R"("a\u00ff")");
  EXPECT_EQ(JsonQuote("\xe2\x82"), R"("\u00e2\u0082")");              // truncated
  EXPECT_EQ(JsonQuote("\x80"), R"("\u0080")");                        // lone continuation
  EXPECT_EQ(JsonQuote("\xc0\xaf"), R"("\u00c0\u00af")");              // overlong '/'
  EXPECT_EQ(JsonQuote("\xe0\x80\xaf"), R"("\u00e0\u0080\u00af")");    // overlong 3-byte
  EXPECT_EQ(JsonQuote("\xed\xa0\x80"), R"("\u00ed\u00a0\u0080")");    // UTF-16 surrogate
  EXPECT_EQ(JsonQuote("\xf4\x90\x80\x80"), R"("\u00f4\u0090\u0080\u0080")");  // > U+10FFFF
  EXPECT_EQ(JsonQuote("\xe9t\xe9"), R"("\u00e9t\u00e9")");            // Latin-1 text
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
  EXPECT_EQ(v->items[1].text, "\xc3\xbf");  // \u00ff decodes to U+00FF
}

TEST(JsonParserTest, RejectsInvalidJson) {
  for (std::string bad : {"", "{", R"({"a":})", "\"\x01\"", "\"\xff\"", R"("\x")", "[1,]", "01",
                          "{} x", R"("\ud800")"})
    EXPECT_FALSE(JsonParser::Parse(bad)) << bad;
}

}  // namespace
}  // namespace warden::store
