#pragma once
// core::Error: the one exception type of the product. Every failure carries one code from a short
// list and a message that says what was wrong and what to do next. Thread-safe as a value type.

#include <stdexcept>
#include <string>

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

class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string& message, std::string field = {})
      : std::runtime_error(message), code_(code), field_(std::move(field)) {}

  ErrorCode code() const { return code_; }
  // The input field the error is about, when there is one ("lots[2].quantity").
  const std::string& field() const { return field_; }

 private:
  ErrorCode code_;
  std::string field_;
};

}  // namespace core
