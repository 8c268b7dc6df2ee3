// Minimal JSON text helpers for the NDJSON export and --json outputs.
#ifndef WARDEN_STORE_JSON_H_
#define WARDEN_STORE_JSON_H_

#include <string>
#include <string_view>
#include <vector>

namespace warden::store {

// Returns `s` as a quoted JSON string. Bytes that are not valid UTF-8 are
// written as \u00XX so that the output is always valid JSON.
std::string JsonQuote(std::string_view s);

// Returns `items` as a JSON array of strings, each quoted with JsonQuote.
std::string JsonStringArray(const std::vector<std::string>& items);

}  // namespace warden::store

#endif  // WARDEN_STORE_JSON_H_
