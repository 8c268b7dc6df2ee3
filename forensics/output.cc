#include "forensics/output.h"

#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <map>

#include "fmt/format.h"
#include "store/json.h"

namespace warden::forensics {
namespace {

using store::JsonQuote;

std::string ShellWord(std::string_view w) {
  bool plain = !w.empty();
  for (char c : w)
    if (!(isalnum(static_cast<unsigned char>(c)) || strchr("_@%+=:,./-", c))) plain = false;
  if (plain) return std::string(w);
  std::string out = "'";
  for (char c : w) {
    if (c == '\'') out += "'\\''";
    else out += c;
  }
  return out + "'";
}

// Control characters would break a text line: shown escaped.
std::string Printable(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    const char c = s[i];
    auto u = static_cast<unsigned char>(c);
    size_t n = u < 0x20 || u == 0x7f ? 0 : store::Utf8Length(s, i);
    if (c == '\n') out += "\\n";
    else if (c == '\t') out += "\\t";
    else if (c == '\r') out += "\\r";
    else if (n == 0) out += fmt::format("\\x{:02x}", u);  // control, or not UTF-8
    else out.append(s.substr(i, n));
    i += n ? n : 1;
  }
  return out;
}

// Display width of UTF-8 text: code points (good enough for paths and
// commands; wide characters are rare there).
size_t Width(std::string_view s) {
  size_t n = 0;
  for (char c : s)
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  return n;
}

// ---------------------------------------------------------------------------
// Writers.

class TextWriter : public RowSink {
 public:
  TextWriter(std::ostream& out, TextOptions options) : out_(out), options_(std::move(options)) {}

  absl::Status Begin(const std::vector<std::string>& columns) override {
    for (size_t i = 0; i < columns.size(); ++i) {
      if (std::find(options_.hide.begin(), options_.hide.end(), columns[i]) != options_.hide.end())
        continue;
      visible_.push_back(i);
      std::string h;
      for (char c : columns[i]) h += static_cast<char>(toupper(static_cast<unsigned char>(c)));
      header_.push_back(std::move(h));
    }
    numeric_.assign(visible_.size(), false);
    typed_.assign(visible_.size(), false);
    return absl::OkStatus();
  }

  absl::Status Row(const Cells& row) override {
    std::vector<std::string> texts;
    for (size_t k = 0; k < visible_.size(); ++k) {
      const Cell& c = row[visible_[k]];
      if (!typed_[k] && !c.is_null()) {
        typed_[k] = true;
        numeric_[k] = c.type == Cell::kInt || c.type == Cell::kReal;
      }
      texts.push_back(Display(c));
    }
    ++rows_;
    if (!flushed_) {
      buffer_.push_back(std::move(texts));
      if (buffer_.size() >= options_.buffer_rows) Flush();
    } else {
      Line(texts);
    }
    return Check();
  }

  absl::Status End() override {
    if (rows_ == 0) {
      out_ << "(no rows)\n";
    } else if (!flushed_) {
      Flush();
    }
    out_.flush();
    return Check();
  }

 private:
  static std::string Display(const Cell& c) {
    switch (c.type) {
      case Cell::kNull: return "-";
      case Cell::kJson: return Printable(ArgvWords(c.s));
      default: return Printable(c.ToText());
    }
  }

  void Flush() {
    widths_.assign(visible_.size(), 0);
    for (size_t k = 0; k < visible_.size(); ++k) widths_[k] = Width(header_[k]);
    for (const auto& r : buffer_)
      for (size_t k = 0; k < r.size(); ++k) widths_[k] = std::max(widths_[k], Width(r[k]));
    FitWidth();
    // A header over a right-aligned number column is right-aligned too.
    Line(header_);
    for (const auto& r : buffer_) Line(r);
    buffer_.clear();
    flushed_ = true;
  }

  // Narrows the widest text column, one character at a time, until the
  // line fits max_width (no column below kMinColumn; a table that cannot
  // fit so is left wider).
  void FitWidth() {
    static constexpr size_t kMinColumn = 24;  // an RFC 3339 time with ms: never cut
    if (options_.max_width == 0) return;
    auto total = [&] {
      size_t t = widths_.empty() ? 0 : 2 * (widths_.size() - 1);
      for (size_t w : widths_) t += w;
      return t;
    };
    while (total() > options_.max_width) {
      size_t widest = widths_.size();
      for (size_t k = 0; k < widths_.size(); ++k)
        if (!numeric_[k] && widths_[k] > kMinColumn && (widest == widths_.size() || widths_[k] > widths_[widest]))
          widest = k;
      if (widest == widths_.size()) return;  // nothing left to narrow
      --widths_[widest];
    }
    fitted_ = true;
  }

  // "/usr/lib/x86_64-linux-gnu/libfoo.so" in 20: "/usr/lib/x...ibfoo.so".
  static std::string Shorten(const std::string& text, size_t width) {
    if (text.size() <= width || width < 5) return text;
    for (unsigned char c : text)
      if (c >= 0x80) return text;  // not cut inside a multi-byte character
    const size_t tail = (width - 3) / 2, head = width - 3 - tail;
    return text.substr(0, head) + "..." + text.substr(text.size() - tail);
  }

  void Line(const std::vector<std::string>& given) {
    std::vector<std::string> texts = given;
    if (fitted_)
      for (size_t k = 0; k < texts.size(); ++k) texts[k] = Shorten(texts[k], widths_[k]);
    std::string line;
    for (size_t k = 0; k < texts.size(); ++k) {
      const bool last = k + 1 == texts.size();
      size_t pad = widths_[k] > Width(texts[k]) ? widths_[k] - Width(texts[k]) : 0;
      if (k) line += "  ";
      if (numeric_[k]) {
        line.append(pad, ' ');
        line += texts[k];
      } else {
        line += texts[k];
        if (!last) line.append(pad, ' ');
      }
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out_ << line << '\n';
  }

  absl::Status Check() {
    if (!out_) return absl::UnavailableError("writing the output failed");
    return absl::OkStatus();
  }

  std::ostream& out_;
  TextOptions options_;
  bool fitted_ = false;  // max_width narrowed a column: values are shortened
  std::vector<size_t> visible_;
  std::vector<std::string> header_;
  std::vector<bool> numeric_, typed_;
  std::vector<size_t> widths_;
  std::vector<std::vector<std::string>> buffer_;
  bool flushed_ = false;
  size_t rows_ = 0;
};

class JsonWriter : public RowSink {
 public:
  explicit JsonWriter(std::ostream& out) : out_(out) {}

  absl::Status Begin(const std::vector<std::string>& columns) override {
    // Keys must be unique in an object: a repeated column name gets _2, _3.
    std::map<std::string, int> seen;
    for (const auto& c : columns) {
      int n = ++seen[c];
      keys_.push_back(JsonQuote(n == 1 ? c : fmt::format("{}_{}", c, n)));
    }
    out_ << "[";
    return Check();
  }

  absl::Status Row(const Cells& row) override {
    std::string line = first_ ? "\n{" : ",\n{";
    first_ = false;
    for (size_t i = 0; i < row.size(); ++i) {
      if (i) line += ',';
      line += keys_[i];
      line += ':';
      line += Value(row[i]);
    }
    line += '}';
    out_ << line;
    return Check();
  }

  absl::Status End() override {
    out_ << (first_ ? "]\n" : "\n]\n");
    out_.flush();
    return Check();
  }

 private:
  static std::string Value(const Cell& c) {
    switch (c.type) {
      case Cell::kNull: return "null";
      case Cell::kInt: return std::to_string(c.i);
      case Cell::kReal: return std::isfinite(c.d) ? fmt::format("{}", c.d) : "null";
      case Cell::kText: return JsonQuote(c.s);
      case Cell::kJson: return c.s.empty() ? "null" : c.s;
    }
    return "null";
  }
  absl::Status Check() {
    if (!out_) return absl::UnavailableError("writing the output failed");
    return absl::OkStatus();
  }

  std::ostream& out_;
  std::vector<std::string> keys_;
  bool first_ = true;
};

class CsvWriter : public RowSink {
 public:
  explicit CsvWriter(std::ostream& out) : out_(out) {}

  absl::Status Begin(const std::vector<std::string>& columns) override {
    std::string line;
    for (size_t i = 0; i < columns.size(); ++i) line += (i ? "," : "") + CsvField(columns[i]);
    out_ << line << "\r\n";
    return Check();
  }
  absl::Status Row(const Cells& row) override {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) line += (i ? "," : "") + CsvField(row[i].ToText());
    out_ << line << "\r\n";
    return Check();
  }
  absl::Status End() override {
    out_.flush();
    return Check();
  }

 private:
  absl::Status Check() {
    if (!out_) return absl::UnavailableError("writing the output failed");
    return absl::OkStatus();
  }
  std::ostream& out_;
};

}  // namespace

std::string Cell::ToText() const {
  switch (type) {
    case kNull: return "";
    case kInt: return std::to_string(i);
    case kReal: return fmt::format("{}", d);
    case kText:
    case kJson: return s;
  }
  return "";
}

std::optional<OutputFormat> ParseOutputFormat(std::string_view name) {
  if (name == "text") return OutputFormat::kText;
  if (name == "json") return OutputFormat::kJson;
  if (name == "csv") return OutputFormat::kCsv;
  return std::nullopt;
}

size_t TerminalWidth() {
  if (!isatty(STDOUT_FILENO)) return 0;
  winsize ws{};
  if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  const char* columns = getenv("COLUMNS");
  const int n = columns != nullptr ? atoi(columns) : 0;
  return n > 0 ? static_cast<size_t>(n) : 80;
}

std::unique_ptr<RowSink> MakeRowWriter(OutputFormat format, std::ostream& out, TextOptions text) {
  switch (format) {
    case OutputFormat::kText: return std::make_unique<TextWriter>(out, std::move(text));
    case OutputFormat::kJson: return std::make_unique<JsonWriter>(out);
    case OutputFormat::kCsv: return std::make_unique<CsvWriter>(out);
  }
  return nullptr;
}

std::string CsvField(std::string_view v) {
  if (v.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(v);
  std::string out = "\"";
  for (char c : v) {
    if (c == '"') out += "\"\"";
    else out += c;
  }
  return out + "\"";
}

std::string ArgvWords(std::string_view json_array) {
  std::vector<std::string> words;
  if (!store::ParseJsonStringArray(json_array, &words)) return std::string(json_array);
  std::string out;
  for (const auto& w : words) {
    if (!out.empty()) out += ' ';
    out += ShellWord(w);
  }
  return out;
}

std::string PrintableText(std::string_view s) { return Printable(s); }


}  // namespace warden::forensics
