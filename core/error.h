#pragma once
// core::Error: the one exception type of the product. Every failure carries one code from a short
// list and a message that says what was wrong and what to do next. Thread-safe as a value type.
//
// The message (what()) is English: the API, the logs and the command line show it. An error may
// also name its message in the interface's message catalogue (web/server/messages.cpp), so that
// the pages say it in the reader's language: see Localized. An input rejected whole lists each of
// its problems the same way.

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace core {

enum class ErrorCode {
  kInvalidArgument,  // the caller's input is wrong; the message names the field
  kNotFound,         // the object named does not exist
  kConflict,         // the object's state does not allow the operation now (e.g. round already opened)
  kForbidden,        // the actor may not do this (e.g. read a sealed bid)
  kDeadline,         // a legal time limit forbids it (too early, too late)
  kUnavailable,      // the store or another dependency cannot be reached; retrying may help
  kInternal,         // a defect or corrupt data; report it
};

const char* errorCodeName(ErrorCode code);

// A message of the interface's catalogue and the values for its placeholders {1}, {2}, ...
// An empty key: the catalogue has no such message, and the English text is shown. A value is
// shown as given (a reference, a name, a time as formatTime writes it), except one written
// "@key" (e.g. "@status.round.opened", "@kind.price") where the catalogue has `key`: that is a
// word of the catalogue itself, shown in the reader's language.
struct Localized {
  std::string key;
  std::vector<std::string> args;
};

// One problem of an input that was rejected whole.
struct Problem {
  std::string field;    // the input field ("lines[2].quantity")
  std::string message;  // English
  Localized localized;
};

class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string& message, std::string field = {})
      : std::runtime_error(message), code_(code), field_(std::move(field)) {}
  Error(ErrorCode code, const std::string& message, std::string field, Localized localized)
      : std::runtime_error(message), code_(code), field_(std::move(field)), localized_(std::move(localized)) {}
  // An input rejected whole: `message` says so in English and lists the problems.
  Error(ErrorCode code, const std::string& message, std::string field, Localized localized,
        std::vector<Problem> problems)
      : std::runtime_error(message),
        code_(code),
        field_(std::move(field)),
        localized_(std::move(localized)),
        problems_(std::move(problems)) {}

  ErrorCode code() const { return code_; }
  // The input field the error is about, when there is one ("lots[2].quantity").
  const std::string& field() const { return field_; }
  // The message in the catalogue (for an input rejected whole: its heading), or an empty key.
  const Localized& localized() const { return localized_; }
  // Each problem of an input rejected whole; empty for any other error.
  const std::vector<Problem>& problems() const { return problems_; }

 private:
  ErrorCode code_;
  std::string field_;
  Localized localized_;
  std::vector<Problem> problems_;
};

}  // namespace core
