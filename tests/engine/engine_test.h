#pragma once
// Helpers shared by the engine tests (tests/engine): the precondition that skips a suite when the
// selected store backend cannot run (the MariaDB run without DPS_TEST_MYSQL_URI; never under
// CI=true, where the fixture then fails), and checks that a refusal carries the expected error
// code and names the rule or article it enforces.

#include <boost/test/unit_test.hpp>

#include <functional>
#include <string>
#include <vector>

#include "core/error.h"
#include "tests/support/engine_fixture.h"

namespace dps_test {

inline boost::test_tools::assertion_result backendReady(boost::unit_test::test_unit_id) {
  const std::string why = backendUnavailableReason();
  if (why.empty() || underCi()) return true;
  boost::test_tools::assertion_result skipped(false);
  skipped.message() << why;
  return skipped;
}

inline bool mentions(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Runs `op`, which must throw core::Error with `code` and a message containing every one of
// `cited` (the rule, the article, what to do). Returns the message for further checks.
inline std::string expectRefused(const std::function<void()>& op, core::ErrorCode code,
                                 const std::vector<std::string>& cited) {
  try {
    op();
  } catch (const core::Error& e) {
    BOOST_TEST(std::string(core::errorCodeName(e.code())) == std::string(core::errorCodeName(code)),
               "error code of: " << e.what());
    for (const std::string& c : cited) BOOST_TEST(mentions(e.what(), c), "'" << c << "' is not named in: " << e.what());
    return e.what();
  }
  BOOST_ERROR("the operation was not refused; expected " << core::errorCodeName(code));
  return {};
}

}  // namespace dps_test
