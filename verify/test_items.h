// Items for the verify tests, built as learn's ItemCollector would.
#ifndef WARDEN_VERIFY_TEST_ITEMS_H_
#define WARDEN_VERIFY_TEST_ITEMS_H_

#include <string>

#include "learn/items.h"

namespace warden::verify::testing {

inline learn::Item MakeItem(learn::Kind kind, std::string program, std::string target, int64_t count = 1,
                            int64_t first_ns = 1'795'000'000'000'000'000) {
  learn::Item i;
  i.kind = kind;
  i.program = std::move(program);
  i.target = std::move(target);
  i.count = count;
  i.first_ns = first_ns;
  i.last_ns = first_ns + 1'000'000;
  i.runs = {0};
  return i;
}

inline learn::RunRef MakeRun(std::string db, int64_t run, uint64_t lost = 0) {
  learn::RunRef r;
  r.db = std::move(db);
  r.run = run;
  r.start_ns = 1'795'000'000'000'000'000;
  r.end_ns = r.start_ns + 5'000'000'000;
  r.lost_events = lost;
  return r;
}

}  // namespace warden::verify::testing

#endif  // WARDEN_VERIFY_TEST_ITEMS_H_
