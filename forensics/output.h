// Output formats of the reading commands: result rows (Cell, RowSink) and
// the one writer per format -- text tables for people, JSON, and the one
// CSV writer (RFC 4180) that the export's CSV uses too -- plus the text
// helpers every reader shows values with.
#ifndef WARDEN_FORENSICS_OUTPUT_H_
#define WARDEN_FORENSICS_OUTPUT_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"

namespace warden::forensics {

// One cell of a result row. kJson holds JSON text the store wrote (argv
// arrays): written as is in JSON output, as text elsewhere.
struct Cell {
  enum Type : uint8_t { kNull, kInt, kReal, kText, kJson };
  Type type = kNull;
  int64_t i = 0;
  double d = 0;
  std::string s;

  static Cell Null() { return {}; }
  static Cell Int(int64_t v) { return {kInt, v, 0, {}}; }
  static Cell Real(double v) { return {kReal, 0, v, {}}; }
  static Cell Text(std::string v) { return {kText, 0, 0, std::move(v)}; }
  static Cell Json(std::string v) { return {kJson, 0, 0, std::move(v)}; }
  static Cell OptInt(std::optional<int64_t> v) { return v ? Int(*v) : Null(); }
  // "" becomes NULL.
  static Cell TextOrNull(std::string v) { return v.empty() ? Null() : Text(std::move(v)); }
  bool is_null() const { return type == kNull; }
  // The cell as plain text: "" for NULL; numbers in decimal.
  std::string ToText() const;
};
using Cells = std::vector<Cell>;

// Receives a result: the column names once, then the rows, then End().
class RowSink {
 public:
  virtual ~RowSink() = default;
  virtual absl::Status Begin(const std::vector<std::string>& columns) = 0;
  virtual absl::Status Row(const Cells& row) = 0;
  virtual absl::Status End() = 0;
};

enum class OutputFormat { kText, kJson, kCsv };
// "text", "json", "csv"; nullopt for anything else.
std::optional<OutputFormat> ParseOutputFormat(std::string_view name);

struct TextOptions {
  std::vector<std::string> hide;  // columns left out of the text table
  // Rows buffered to size the columns; later rows are written as they come
  // (a longer value then shifts its line, nothing is cut).
  size_t buffer_rows = 2000;
  // Lines no wider than this (0: no limit; the commands pass a terminal's
  // width): the widest text columns are narrowed, and a value wider than
  // its column is shortened in the middle with "..." (a path keeps its
  // head and its file name).
  size_t max_width = 0;
};

// The width of the terminal standard output is, or 0 when it is not one
// ($COLUMNS when the terminal does not say).
size_t TerminalWidth();

// text: aligned columns under an upper-case header (numbers right-aligned,
// NULL as "-", JSON arrays of strings as shell words); "(no rows)" when
// empty. json: one array of objects, one object per row, keys the column
// names. csv: RFC 4180 (CRLF line ends, fields with a comma, quote, CR or
// LF quoted, quotes doubled), a header row first; NULL is an empty field.
std::unique_ptr<RowSink> MakeRowWriter(OutputFormat format, std::ostream& out,
                                       TextOptions text = {});

// RFC 4180 field: quoted when it holds a comma, a quote, CR or LF.
std::string CsvField(std::string_view v);
// A JSON array of strings as shell words ("sh -c 'cat x; ls'"); the text
// itself when it is not such an array.
std::string ArgvWords(std::string_view json_array);
// `s` with control characters escaped (\n, \t, \r, \xNN), safe to print on
// a terminal: what the text format does to every value.
std::string PrintableText(std::string_view s);

}  // namespace warden::forensics

#endif  // WARDEN_FORENSICS_OUTPUT_H_
