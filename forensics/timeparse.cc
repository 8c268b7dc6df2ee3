#include "forensics/timeparse.h"

#include <time.h>

#include <algorithm>
#include <cctype>
#include <limits>
#include <optional>

#include "fmt/format.h"

namespace warden::forensics {
namespace {

constexpr int64_t kNsPerSec = 1000000000;
constexpr int64_t kMaxSecs = std::numeric_limits<int64_t>::max() / kNsPerSec;
constexpr int64_t kMinSecs = std::numeric_limits<int64_t>::min() / kNsPerSec;

absl::Status BadTime(std::string_view text, std::string_view why = "") {
  return absl::InvalidArgumentError(fmt::format(
      "bad time '{}'{}{}; use RFC 3339 (2026-11-23T10:00:00Z, 2026-11-23T11:00:00.5+01:00), "
      "a relative time (now, 90s ago, 5m ago, 1h ago, 2d ago, or 1h alone) or nanoseconds since the epoch",
      text, why.empty() ? "" : ": ", why));
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
// days_from_civil): no time zone, no libc state.
int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

bool IsLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int64_t y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

// A cursor over the text with the small lexing steps the parsers need.
class Scanner {
 public:
  explicit Scanner(std::string_view s) : s_(s) {}
  bool Done() const { return i_ >= s_.size(); }
  char Peek() const { return Done() ? '\0' : s_[i_]; }
  bool Eat(char c) {
    if (Peek() != c) return false;
    ++i_;
    return true;
  }
  bool EatAnyOf(std::string_view cs, char* which = nullptr) {
    if (Done() || cs.find(s_[i_]) == std::string_view::npos) return false;
    if (which) *which = s_[i_];
    ++i_;
    return true;
  }
  // Exactly `n` digits.
  std::optional<int> Digits(int n) {
    int v = 0;
    for (int k = 0; k < n; ++k) {
      if (!isdigit(static_cast<unsigned char>(Peek()))) return std::nullopt;
      v = v * 10 + (s_[i_++] - '0');
    }
    return v;
  }
  // One or more digits; nullopt on none or overflow.
  std::optional<int64_t> Number() {
    if (!isdigit(static_cast<unsigned char>(Peek()))) return std::nullopt;
    int64_t v = 0;
    while (isdigit(static_cast<unsigned char>(Peek()))) {
      int d = s_[i_++] - '0';
      if (v > (std::numeric_limits<int64_t>::max() - d) / 10) return std::nullopt;
      v = v * 10 + d;
    }
    return v;
  }
  std::string_view Letters() {
    size_t start = i_;
    while (isalpha(static_cast<unsigned char>(Peek()))) ++i_;
    return s_.substr(start, i_ - start);
  }
  void Spaces() {
    while (Peek() == ' ' || Peek() == '\t') ++i_;
  }

 private:
  std::string_view s_;
  size_t i_ = 0;
};

std::string_view Trim(std::string_view s) {
  while (!s.empty() && isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// nullopt: not RFC 3339 at all (try the other forms); an error status: an
// RFC 3339 time that is wrong (e.g. month 13).
std::optional<absl::StatusOr<int64_t>> ParseRfc3339(std::string_view text) {
  Scanner sc(text);
  auto year = sc.Digits(4);
  if (!year || !sc.Eat('-')) return std::nullopt;
  auto month = sc.Digits(2);
  if (!month || !sc.Eat('-')) return BadTime(text, "expected YYYY-MM-DD");
  auto day = sc.Digits(2);
  if (!day) return BadTime(text, "expected YYYY-MM-DD");
  if (*month < 1 || *month > 12) return BadTime(text, "month out of range");
  if (*day < 1 || *day > DaysInMonth(*year, *month)) return BadTime(text, "day out of range");
  int64_t secs = DaysFromCivil(*year, *month, *day) * 86400;
  int64_t frac_ns = 0;
  if (!sc.Done()) {
    if (!sc.EatAnyOf("Tt ")) return BadTime(text, "expected 'T' between date and time");
    auto hh = sc.Digits(2);
    if (!hh || !sc.Eat(':')) return BadTime(text, "expected HH:MM:SS");
    auto mm = sc.Digits(2);
    if (!mm || !sc.Eat(':')) return BadTime(text, "expected HH:MM:SS");
    auto ss = sc.Digits(2);
    if (!ss) return BadTime(text, "expected HH:MM:SS");
    // 60: a leap second, which the epoch count folds into the next minute.
    if (*hh > 23 || *mm > 59 || *ss > 60) return BadTime(text, "time of day out of range");
    secs += *hh * 3600 + *mm * 60 + *ss;
    if (sc.Eat('.')) {
      int digits = 0;
      if (!isdigit(static_cast<unsigned char>(sc.Peek()))) return BadTime(text, "empty fraction");
      while (isdigit(static_cast<unsigned char>(sc.Peek()))) {
        int d = *sc.Digits(1);
        if (digits++ < 9) frac_ns = frac_ns * 10 + d;
      }
      for (; digits < 9; ++digits) frac_ns *= 10;
    }
    char sign = 0;
    if (sc.EatAnyOf("Zz")) {
      // UTC
    } else if (sc.EatAnyOf("+-", &sign)) {
      auto oh = sc.Digits(2);
      if (!oh || !sc.Eat(':')) return BadTime(text, "expected a +HH:MM offset");
      auto om = sc.Digits(2);
      if (!om) return BadTime(text, "expected a +HH:MM offset");
      if (*oh > 23 || *om > 59) return BadTime(text, "offset out of range");
      int64_t off = *oh * 3600 + *om * 60;
      secs += sign == '+' ? -off : off;  // local = UTC + offset
    } else {
      return BadTime(text, "missing time zone: end with Z or an offset such as +01:00");
    }
    if (!sc.Done()) return BadTime(text, "unexpected text after the time");
  }
  if (secs > kMaxSecs - 1 || secs < kMinSecs + 1) return BadTime(text, "out of range");
  return secs * kNsPerSec + frac_ns;
}

std::optional<int64_t> UnitNs(std::string_view unit) {
  struct Unit {
    std::string_view names[5];
    int64_t ns;
  };
  static constexpr Unit kUnits[] = {
      {{"ms", "msec", "msecs", "millisecond", "milliseconds"}, 1000000},
      {{"s", "sec", "secs", "second", "seconds"}, kNsPerSec},
      {{"m", "min", "mins", "minute", "minutes"}, 60 * kNsPerSec},
      {{"h", "hr", "hrs", "hour", "hours"}, 3600 * kNsPerSec},
      {{"d", "day", "days", "", ""}, 86400 * kNsPerSec},
      {{"w", "week", "weeks", "", ""}, 7 * 86400 * kNsPerSec},
  };
  for (const Unit& u : kUnits)
    for (std::string_view n : u.names)
      if (!n.empty() && n == unit) return u.ns;
  return std::nullopt;
}

// "90s ago", "1h30m ago", "2 days ago"; nullopt when it does not look relative.
std::optional<absl::StatusOr<int64_t>> ParseRelative(std::string_view text, int64_t now_ns) {
  std::string lower;
  for (char c : text) lower.push_back(static_cast<char>(tolower(static_cast<unsigned char>(c))));
  if (lower == "now") return now_ns;
  std::string_view s = lower;
  // "1h" alone means "1h ago": a duration back from now. It must start with
  // a digit and end with a letter, so that nothing else is taken for one.
  constexpr std::string_view kAgo = "ago";
  if (s.size() > kAgo.size() && s.substr(s.size() - kAgo.size()) == kAgo) {
    s = Trim(s.substr(0, s.size() - kAgo.size()));
    if (s.empty()) return BadTime(text, "expected an amount before 'ago'");
  } else if (s.empty() || !isdigit(static_cast<unsigned char>(s.front())) ||
             !isalpha(static_cast<unsigned char>(s.back()))) {
    return std::nullopt;
  }
  Scanner sc(s);
  int64_t total = 0;
  while (!sc.Done()) {
    auto n = sc.Number();
    if (!n) return BadTime(text, "expected a number such as 90s");
    sc.Spaces();
    std::string_view unit = sc.Letters();
    if (unit.empty()) return BadTime(text, "missing unit (ms, s, m, h, d, w)");
    auto ns = UnitNs(unit);
    if (!ns) return BadTime(text, fmt::format("unknown unit '{}' (ms, s, m, h, d, w)", unit));
    if (*n > std::numeric_limits<int64_t>::max() / *ns ||
        total > std::numeric_limits<int64_t>::max() - *n * *ns)
      return BadTime(text, "out of range");
    total += *n * *ns;
    sc.Spaces();
  }
  if (now_ns < std::numeric_limits<int64_t>::min() + total) return BadTime(text, "out of range");
  return now_ns - total;
}

}  // namespace

absl::StatusOr<int64_t> ParseTimeNs(std::string_view input, int64_t now_ns) {
  std::string_view text = Trim(input);
  if (text.empty()) return BadTime(input, "empty");
  bool all_digits = true;
  for (char c : text) all_digits = all_digits && isdigit(static_cast<unsigned char>(c));
  // Four digits and a '-' make a date; a run of digits alone is nanoseconds.
  if (all_digits) {
    Scanner sc(text);
    auto v = sc.Number();
    if (!v) return BadTime(input, "nanoseconds out of range");
    return *v;
  }
  if (auto t = ParseRfc3339(text)) return *t;
  if (auto t = ParseRelative(text, now_ns)) return *t;
  return BadTime(input);
}

int64_t NowNs() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * kNsPerSec + ts.tv_nsec;
}

std::string FormatRfc3339(int64_t ns, int digits) {
  int64_t secs = ns / kNsPerSec;
  int64_t rem = ns % kNsPerSec;
  if (rem < 0) {
    rem += kNsPerSec;
    --secs;
  }
  digits = std::clamp(digits, 0, 9);
  int64_t unit = 1;
  for (int i = digits; i < 9; ++i) unit *= 10;
  time_t t = static_cast<time_t>(secs);
  tm utc{};
  gmtime_r(&t, &utc);
  std::string out = fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", utc.tm_year + 1900,
                                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec);
  if (digits > 0) out += fmt::format(".{:0{}}", rem / unit, digits);
  return out + "Z";
}

}  // namespace warden::forensics

namespace warden::forensics {

absl::StatusOr<int64_t> ParseDurationAgo(std::string_view duration, int64_t now_ns) {
  // A duration is what "DURATION ago" reads as a relative time.
  absl::StatusOr<int64_t> t = absl::InvalidArgumentError("");
  if (!duration.empty() && isdigit(static_cast<unsigned char>(duration[0])) &&
      duration.find("ago") == std::string_view::npos)
    t = ParseTimeNs(std::string(duration) + " ago", now_ns);
  if (!t.ok())
    return absl::InvalidArgumentError(fmt::format(
        "wants a duration such as 72h, 30m, 7d, 2w or 1h30m, got '{}'", duration));
  return t;
}

}  // namespace warden::forensics
