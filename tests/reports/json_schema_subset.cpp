// JSON Schema subset validator over POCO JSON values.
#include "tests/reports/json_schema_subset.h"

#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>

namespace dps_test {

using Poco::Dynamic::Var;
using Poco::JSON::Array;
using Poco::JSON::Object;

namespace {

const std::set<std::string>& validationKeywords() {
  static const std::set<std::string> k{"$ref",    "type",     "properties", "patternProperties", "required",
                                       "items",   "minItems", "uniqueItems", "enum",             "pattern",
                                       "minLength", "format"};
  return k;
}

const std::set<std::string>& annotations() {
  static const std::set<std::string> k{"title",          "description",    "codelist", "openCodelist",
                                       "deprecated",     "deprecatedVersion", "versionId", "wholeListMerge",
                                       "omitWhenMerged", "default",        "id",       "$schema",
                                       "definitions"};
  return k;
}

bool isObject(const Var& v) { return !v.isEmpty() && v.type() == typeid(Object::Ptr); }
bool isArray(const Var& v) { return !v.isEmpty() && v.type() == typeid(Array::Ptr); }

std::string stringify(const Var& v) {
  std::ostringstream s;
  Poco::JSON::Stringifier::stringify(v, s);
  return s.str();
}

bool hasType(const Var& v, const std::string& type) {
  if (type == "null") return v.isEmpty();
  if (v.isEmpty()) return false;
  if (type == "object") return isObject(v);
  if (type == "array") return isArray(v);
  if (type == "string") return v.isString();
  if (type == "boolean") return v.isBoolean();
  if (type == "integer") return v.isInteger() && !v.isBoolean();
  if (type == "number") return v.isNumeric() && !v.isBoolean();
  throw std::invalid_argument("unsupported JSON Schema type " + type);
}

std::size_t codePoints(const std::string& s) {
  std::size_t n = 0;
  for (const char c : s)
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  return n;
}

std::string escapePointer(const std::string& key) {
  std::string out;
  for (const char c : key) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}

}  // namespace

Var parseJson(const std::string& text) {
  Poco::JSON::Parser parser;
  return parser.parse(text);
}

JsonSchemaSubset::JsonSchemaSubset(const std::vector<std::string>& schema_files) {
  for (const std::string& file : schema_files) {
    std::ifstream in(file);
    if (!in) throw std::invalid_argument("cannot read schema " + file);
    std::stringstream s;
    s << in.rdbuf();
    const Object::Ptr schema = parseJson(s.str()).extract<Object::Ptr>();
    documents_.emplace_back(schema->optValue<std::string>("id", file), schema);
  }
}

std::pair<Object::Ptr, Object::Ptr> JsonSchemaSubset::resolve(const std::string& ref, const Object::Ptr& doc) const {
  const std::size_t hash = ref.find('#');
  const std::string base = ref.substr(0, hash);
  Object::Ptr target = doc;
  if (!base.empty()) {
    target = nullptr;
    for (const auto& [id, schema] : documents_)
      if (id == base) target = schema;
    if (target.isNull()) throw std::invalid_argument("$ref to a schema that is not loaded: " + ref);
  }
  Object::Ptr node = target;
  if (hash != std::string::npos) {
    std::string fragment = ref.substr(hash + 1);
    std::size_t start = fragment.empty() || fragment[0] != '/' ? 0 : 1;
    while (start < fragment.size()) {
      const std::size_t slash = fragment.find('/', start);
      const std::string part = fragment.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
      node = node->getObject(part);
      if (node.isNull()) throw std::invalid_argument("$ref does not resolve: " + ref);
      if (slash == std::string::npos) break;
      start = slash + 1;
    }
  }
  return {node, target};
}

std::vector<std::string> JsonSchemaSubset::validate(const Var& instance) const {
  std::vector<std::string> problems;
  check(documents_.front().second, documents_.front().second, instance, "", problems);
  return problems;
}

void JsonSchemaSubset::check(const Object::Ptr& schema, const Object::Ptr& doc, const Var& value,
                             const std::string& pointer, std::vector<std::string>& problems) const {
  const std::string at = pointer.empty() ? "/" : pointer;
  for (const std::string& key : schema->getNames())
    if (!validationKeywords().count(key) && !annotations().count(key))
      throw std::invalid_argument("schema keyword '" + key + "' at " + at + " is outside the supported subset");

  if (schema->has("$ref")) {
    const auto [target, target_doc] = resolve(schema->getValue<std::string>("$ref"), doc);
    check(target, target_doc, value, pointer, problems);
    return;  // draft 4: keywords beside $ref are ignored
  }
  if (schema->has("type")) {
    const Var type = schema->get("type");
    std::vector<std::string> types;
    if (isArray(type)) {
      const Array::Ptr list = type.extract<Array::Ptr>();
      for (std::size_t i = 0; i < list->size(); ++i) types.push_back(list->getElement<std::string>(static_cast<unsigned>(i)));
    } else {
      types.push_back(type.toString());
    }
    bool ok = false;
    for (const std::string& t : types) ok = ok || hasType(value, t);
    if (!ok) {
      std::string list;
      for (const std::string& t : types) list += (list.empty() ? "" : " or ") + t;
      problems.push_back(at + ": " + stringify(value) + " is not of type " + list);
      return;
    }
  }
  if (schema->has("enum")) {
    const Array::Ptr options = schema->getArray("enum");
    bool found = false;
    const std::string text = stringify(value);
    for (std::size_t i = 0; i < options->size() && !found; ++i) found = stringify(options->get(static_cast<unsigned>(i))) == text;
    if (!found) problems.push_back(at + ": " + text + " is not one of the schema's enumerated values");
  }
  if (isObject(value)) {
    const Object::Ptr object = value.extract<Object::Ptr>();
    if (const Array::Ptr required = schema->getArray("required"); !required.isNull())
      for (std::size_t i = 0; i < required->size(); ++i) {
        const std::string name = required->getElement<std::string>(static_cast<unsigned>(i));
        if (!object->has(name)) problems.push_back(at + ": required property '" + name + "' is missing");
      }
    const Object::Ptr properties = schema->getObject("properties");
    const Object::Ptr patterns = schema->getObject("patternProperties");
    for (const std::string& name : object->getNames()) {
      const std::string child = pointer + "/" + escapePointer(name);
      if (!properties.isNull() && properties->has(name))
        check(properties->getObject(name), doc, object->get(name), child, problems);
      if (!patterns.isNull())
        for (const std::string& pattern : patterns->getNames())
          if (std::regex_search(name, std::regex(pattern, std::regex::ECMAScript)))
            check(patterns->getObject(pattern), doc, object->get(name), child, problems);
    }
  }
  if (isArray(value)) {
    const Array::Ptr array = value.extract<Array::Ptr>();
    if (schema->has("minItems") && array->size() < schema->getValue<std::size_t>("minItems"))
      problems.push_back(at + ": has " + std::to_string(array->size()) + " items, fewer than " +
                         schema->get("minItems").toString());
    if (schema->optValue<bool>("uniqueItems", false)) {
      std::set<std::string> seen;
      for (std::size_t i = 0; i < array->size(); ++i)
        if (!seen.insert(stringify(array->get(static_cast<unsigned>(i)))).second)
          problems.push_back(at + ": item " + std::to_string(i) + " repeats an earlier item (uniqueItems)");
    }
    if (schema->has("items")) {
      if (isArray(schema->get("items"))) throw std::invalid_argument("tuple 'items' at " + at + " is outside the subset");
      const Object::Ptr items = schema->getObject("items");
      for (std::size_t i = 0; i < array->size(); ++i)
        check(items, doc, array->get(static_cast<unsigned>(i)), pointer + "/" + std::to_string(i), problems);
    }
  }
  if (!value.isEmpty() && value.isString()) {
    const std::string text = value.toString();
    if (schema->has("minLength") && codePoints(text) < schema->getValue<std::size_t>("minLength"))
      problems.push_back(at + ": '" + text + "' is shorter than " + schema->get("minLength").toString());
    if (schema->has("pattern") && !std::regex_search(text, std::regex(schema->getValue<std::string>("pattern"))))
      problems.push_back(at + ": '" + text + "' does not match " + schema->getValue<std::string>("pattern"));
    if (schema->has("format")) {
      const std::string format = schema->getValue<std::string>("format");
      static const std::regex kDateTime(
          R"(^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$)");
      static const std::regex kUri(R"(^[A-Za-z][A-Za-z0-9+.-]*:[^\s]+$)");
      if (format == "date-time") {
        if (!std::regex_match(text, kDateTime)) problems.push_back(at + ": '" + text + "' is not an RFC 3339 date-time");
      } else if (format == "uri") {
        if (!std::regex_match(text, kUri)) problems.push_back(at + ": '" + text + "' is not a URI");
      } else {
        throw std::invalid_argument("format '" + format + "' at " + at + " is outside the supported subset");
      }
    }
  }
}

}  // namespace dps_test
