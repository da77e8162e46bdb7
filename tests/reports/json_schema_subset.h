#pragma once
// A JSON Schema (draft 4) validator for the keywords the OCDS 1.1.5 schemas use: $ref (within a
// file and to another loaded file by its "id"), type (one or a list, with "null"), properties,
// patternProperties, required, items, minItems, uniqueItems, enum, pattern, minLength and the
// formats date-time and uri. Annotations (title, description, codelist, ...) are ignored; any
// other keyword makes loading or validation throw std::invalid_argument naming it, so that a
// document is never reported valid against rules the validator did not read. Thread-safety: immutable.

#include <string>
#include <vector>

#include <Poco/Dynamic/Var.h>
#include <Poco/JSON/Object.h>

namespace dps_test {

class JsonSchemaSubset {
 public:
  // The first file is the entry schema; the others are reachable through their "id".
  explicit JsonSchemaSubset(const std::vector<std::string>& schema_files);
  // Every problem as "JSON-POINTER: what"; empty when valid.
  std::vector<std::string> validate(const Poco::Dynamic::Var& instance) const;

 private:
  void check(const Poco::JSON::Object::Ptr& schema, const Poco::JSON::Object::Ptr& doc, const Poco::Dynamic::Var& value,
             const std::string& pointer, std::vector<std::string>& problems) const;
  std::pair<Poco::JSON::Object::Ptr, Poco::JSON::Object::Ptr> resolve(const std::string& ref,
                                                                      const Poco::JSON::Object::Ptr& doc) const;
  std::vector<std::pair<std::string, Poco::JSON::Object::Ptr>> documents_;  // id, schema
};

// Parses JSON text (throws Poco's exception on a syntax error).
Poco::Dynamic::Var parseJson(const std::string& text);

}  // namespace dps_test
