// Strict JSON request reading (see json_input.h).
#include "web/server/json_input.h"

#include <Poco/Exception.h>
#include <Poco/JSON/JSONException.h>
#include <Poco/JSON/Parser.h>

#include <cmath>
#include <cstdio>

#include "core/error.h"
#include "core/model.h"

namespace web::server {

bool isValidUtf8(const std::string& text) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  std::size_t i = 0;
  while (i < n) {
    const unsigned char c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len = 0;
    std::uint32_t cp = 0;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
      cp = c & 0x1Fu;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      cp = c & 0x0Fu;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      cp = c & 0x07u;
    } else {
      return false;
    }
    if (i + len > n) return false;
    for (std::size_t k = 1; k < len; ++k) {
      if ((s[i + k] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (s[i + k] & 0x3Fu);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    i += len;
  }
  return true;
}

std::string controlCharacter(const std::string& text) {
  for (const unsigned char c : text) {
    if (c >= 0x20 || c == '\t' || c == '\n' || c == '\r') continue;
    char code[8];
    std::snprintf(code, sizeof code, "U+%04X", static_cast<unsigned>(c));
    return code;
  }
  return {};
}

std::string controlCharacterProblem(const std::string& text) {
  const std::string code = controlCharacter(text);
  return code.empty() ? std::string() : "contains a control character (" + code + "): remove it";
}

void InputProblems::throwIfAny(const std::string& what, core::Localized heading) const {
  if (items_.empty()) return;
  std::string message = what + " is not valid (" + std::to_string(items_.size()) + " problem" +
                        (items_.size() == 1 ? "" : "s") + "; nothing was stored):";
  for (const InputProblem& p : items_) message += " " + p.field + ": " + p.message + ";";
  message.pop_back();
  throw core::Error(core::ErrorCode::kInvalidArgument, message, items_.front().field, std::move(heading), items_);
}

JsonObject::JsonObject(Poco::JSON::Object::Ptr object, std::string path, InputProblems& problems)
    : object_(std::move(object)), path_(std::move(path)), problems_(&problems) {}

bool JsonObject::has(const std::string& key) const { return object_->has(key) && !object_->isNull(key); }

bool JsonObject::present(const std::string& key, bool required) {
  known_.insert(key);
  if (has(key)) return true;
  if (required) problems_->add(fieldName(key), "is required");
  return false;
}

std::string JsonObject::text(const std::string& key, std::size_t max_length, bool required) {
  if (!present(key, required)) return {};
  const Poco::Dynamic::Var v = object_->get(key);
  if (!v.isString()) {
    problems_->add(fieldName(key), "must be a string");
    return {};
  }
  std::string s = v.extract<std::string>();
  if (!isValidUtf8(s)) {
    problems_->add(fieldName(key), "is not valid UTF-8");
    return {};
  }
  if (const std::string control = controlCharacterProblem(s); !control.empty()) {
    problems_->add(fieldName(key), control);
    return {};
  }
  if (core::charCount(s) > max_length) {
    problems_->add(fieldName(key), "is too long (" + std::to_string(core::charCount(s)) + " characters; at most " +
                                       std::to_string(max_length) + ")");
    return {};
  }
  if (required && s.empty()) problems_->add(fieldName(key), "must not be empty");
  return s;
}

std::optional<std::string> JsonObject::optText(const std::string& key, std::size_t max_length) {
  if (!has(key)) {
    known_.insert(key);
    return std::nullopt;
  }
  return text(key, max_length, false);
}

std::int64_t JsonObject::integer(const std::string& key, std::int64_t min, std::int64_t max, bool required,
                                 std::int64_t fallback) {
  if (!present(key, required)) return fallback;
  const Poco::Dynamic::Var v = object_->get(key);
  if (!v.isInteger() || v.isBoolean()) {
    problems_->add(fieldName(key), "must be an integer");
    return fallback;
  }
  std::int64_t value = 0;
  try {
    value = v.convert<std::int64_t>();
  } catch (const Poco::Exception&) {
    problems_->add(fieldName(key), "is out of range");
    return fallback;
  }
  if (value < min || value > max) {
    problems_->add(fieldName(key), "must be between " + std::to_string(min) + " and " + std::to_string(max));
    return fallback;
  }
  return value;
}

bool JsonObject::boolean(const std::string& key, bool required, bool fallback) {
  if (!present(key, required)) return fallback;
  const Poco::Dynamic::Var v = object_->get(key);
  if (!v.isBoolean()) {
    problems_->add(fieldName(key), "must be true or false");
    return fallback;
  }
  return v.extract<bool>();
}

core::Decimal JsonObject::decimal(const std::string& key, bool required) {
  if (!present(key, required)) return {};
  const Poco::Dynamic::Var v = object_->get(key);
  if (!v.isString()) {
    problems_->add(fieldName(key), "must be a decimal written as a string, e.g. \"12.50\" (exact; no binary float)");
    return {};
  }
  const std::string s = v.extract<std::string>();
  const auto d = s.size() <= 40 ? core::Decimal::tryParse(s) : std::nullopt;
  if (!d) {
    problems_->add(fieldName(key), "'" + s.substr(0, 40) + "' is not a decimal with at most six places");
    return {};
  }
  return *d;
}

core::TimePoint JsonObject::time(const std::string& key, bool required) {
  if (!present(key, required)) return {};
  const Poco::Dynamic::Var v = object_->get(key);
  if (!v.isString()) {
    problems_->add(fieldName(key), "must be a time string such as \"2026-03-01T09:00:00Z\"");
    return {};
  }
  try {
    return core::parseTime(v.extract<std::string>(), fieldName(key));
  } catch (const core::Error& e) {
    problems_->add(fieldName(key), e.what());
    return {};
  }
}

double JsonObject::number(const std::string& key, double min, double max, bool required) {
  if (!present(key, required)) return 0;
  const Poco::Dynamic::Var v = object_->get(key);
  if (!v.isNumeric() || v.isBoolean() || v.isString()) {
    problems_->add(fieldName(key), "must be a number");
    return 0;
  }
  const double d = v.convert<double>();
  if (!std::isfinite(d) || d < min || d > max) {
    problems_->add(fieldName(key), "must be between " + std::to_string(min) + " and " + std::to_string(max));
    return 0;
  }
  return d;
}

std::vector<JsonObject> JsonObject::objects(const std::string& key, std::size_t max_items, bool required) {
  std::vector<JsonObject> out;
  if (!present(key, required)) return out;
  const Poco::JSON::Array::Ptr array = object_->getArray(key);
  if (array.isNull()) {
    problems_->add(fieldName(key), "must be an array of objects");
    return out;
  }
  if (array->size() > max_items) {
    problems_->add(fieldName(key), "has " + std::to_string(array->size()) + " items; at most " +
                                       std::to_string(max_items));
    return out;
  }
  for (std::size_t i = 0; i < array->size(); ++i) {
    const std::string item = fieldName(key) + "[" + std::to_string(i) + "]";
    const Poco::JSON::Object::Ptr o = array->getObject(static_cast<unsigned>(i));
    if (o.isNull()) {
      problems_->add(item, "must be an object");
      continue;
    }
    out.emplace_back(o, item, *problems_);
  }
  return out;
}

std::vector<std::int64_t> JsonObject::integers(const std::string& key, std::size_t max_items, bool required) {
  std::vector<std::int64_t> out;
  if (!present(key, required)) return out;
  const Poco::JSON::Array::Ptr array = object_->getArray(key);
  if (array.isNull() || array->size() > max_items) {
    problems_->add(fieldName(key), "must be an array of at most " + std::to_string(max_items) + " integers");
    return out;
  }
  for (std::size_t i = 0; i < array->size(); ++i) {
    const Poco::Dynamic::Var v = array->get(static_cast<unsigned>(i));
    if (!v.isInteger() || v.isBoolean()) {
      problems_->add(fieldName(key) + "[" + std::to_string(i) + "]", "must be an integer");
      continue;
    }
    out.push_back(v.convert<std::int64_t>());
  }
  return out;
}

void JsonObject::finish() {
  std::vector<std::string> names;
  object_->getNames(names);
  for (const std::string& name : names)
    if (known_.count(name) == 0) problems_->add(fieldName(name), "is not a known field");
}

JsonBody::JsonBody(const std::string& body) {
  if (!isValidUtf8(body))
    throw core::Error(core::ErrorCode::kInvalidArgument, "the request body is not valid UTF-8; send UTF-8 JSON", "body");
  if (body.empty())
    throw core::Error(core::ErrorCode::kInvalidArgument, "the request body is empty; send a JSON object", "body");
  Poco::Dynamic::Var parsed;
  try {
    Poco::JSON::Parser parser;
    parsed = parser.parse(body);
  } catch (const Poco::Exception& e) {
    throw core::Error(core::ErrorCode::kInvalidArgument, "the request body is not well-formed JSON: " + e.displayText(),
                      "body");
  }
  if (parsed.type() != typeid(Poco::JSON::Object::Ptr))
    throw core::Error(core::ErrorCode::kInvalidArgument, "the request body must be a JSON object ({...})", "body");
  root_.emplace(parsed.extract<Poco::JSON::Object::Ptr>(), std::string(), problems_);
}

void JsonBody::done(const std::string& what) {
  root_->finish();
  problems_.throwIfAny(what);
}

}  // namespace web::server
