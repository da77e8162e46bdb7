#pragma once
// Strict reading of JSON request bodies: valid UTF-8, a JSON object, only known fields, the right
// type for each, strings within their length limit. Every problem is collected with its field path
// ("lots[1].demands[0].quantity") and reported together as one core::Error(kInvalidArgument), so a
// bad request is rejected whole and names all that is wrong. Not thread-safe; one per request.

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/decimal.h"
#include "core/error.h"

namespace web::server {

// True when `text` is well-formed UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF).
bool isValidUtf8(const std::string& text);
// A problem text when `text` holds a control character that no stored text may hold (what XML 1.0
// forbids: U+0000 to U+001F but tab, line feed and carriage return), naming the first; empty
// otherwise.
std::string controlCharacterProblem(const std::string& text);
// The first such control character as "U+0001"; empty when there is none.
std::string controlCharacter(const std::string& text);

using InputProblem = core::Problem;

// Collected problems; throwIfAny() raises one kInvalidArgument naming every one of them. A problem
// may name its message in the catalogue (core::Localized), and so may the heading.
class InputProblems {
 public:
  void add(std::string field, std::string message, core::Localized localized = {}) {
    items_.push_back({std::move(field), std::move(message), std::move(localized)});
  }
  bool empty() const { return items_.empty(); }
  const std::vector<InputProblem>& items() const { return items_; }
  void throwIfAny(const std::string& what, core::Localized heading = {}) const;

 private:
  std::vector<InputProblem> items_;
};

// One JSON object of the request. Each getter marks its key as known; finish() reports the rest.
class JsonObject {
 public:
  JsonObject(Poco::JSON::Object::Ptr object, std::string path, InputProblems& problems);

  static constexpr std::size_t kShortText = 200;
  static constexpr std::size_t kLongText = 4000;

  // Missing required fields and wrong types are recorded; the returned value is then a default.
  std::string text(const std::string& key, std::size_t max_length = kShortText, bool required = true);
  std::optional<std::string> optText(const std::string& key, std::size_t max_length = kShortText);
  std::int64_t integer(const std::string& key, std::int64_t min, std::int64_t max, bool required = true,
                       std::int64_t fallback = 0);
  bool boolean(const std::string& key, bool required = true, bool fallback = false);
  // Exact decimals are given as JSON strings ("12.50") so that no binary float touches money.
  core::Decimal decimal(const std::string& key, bool required = true);
  core::TimePoint time(const std::string& key, bool required = true);
  double number(const std::string& key, double min, double max, bool required = true);
  // Elements of an array of objects (at most max_items).
  std::vector<JsonObject> objects(const std::string& key, std::size_t max_items, bool required = true);
  std::vector<std::int64_t> integers(const std::string& key, std::size_t max_items, bool required = true);
  bool has(const std::string& key) const;
  // Records every key that no getter asked for as an unknown field.
  void finish();
  const std::string& path() const { return path_; }
  InputProblems& problems() { return *problems_; }

 private:
  std::string fieldName(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }
  bool present(const std::string& key, bool required);

  Poco::JSON::Object::Ptr object_;
  std::string path_;
  InputProblems* problems_;
  std::set<std::string> known_;
};

// Parses a request body that must be one JSON object; throws kInvalidArgument for invalid UTF-8,
// malformed JSON or another top-level value. `problems` collects what the getters find.
class JsonBody {
 public:
  explicit JsonBody(const std::string& body);
  JsonObject& root() { return *root_; }
  // Calls root().finish() and throws one error listing every problem.
  void done(const std::string& what);

 private:
  InputProblems problems_;
  std::optional<JsonObject> root_;
};

}  // namespace web::server
