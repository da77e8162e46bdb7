#pragma once
// Xerces-C plumbing of the reports library: building a DOM from UTF-8 strings, serialising it, and
// validating XML against a schema whose grammar is loaded once per process. Internal to reports/
// (its tests and benchmarks include it too); no public header of the library exposes Xerces types.
//
// Thread-safety: Xerces-C is initialised once per process (ensureInitialised, call_once). A Document
// belongs to one thread. A Schema is immutable once loaded and may validate from many threads at once.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <xercesc/dom/DOM.hpp>

namespace reports::xml {

// Initialises Xerces-C once for the process (never terminated: documents may live until exit).
void ensureInitialised();

// UTF-8 to UTF-16 and back. Characters XML 1.0 cannot carry (controls other than tab, line feed
// and carriage return) become U+FFFD; malformed UTF-8 throws core::Error(kInvalidArgument).
std::u16string toXml(std::string_view utf8);
std::string fromXml(const XMLCh* text);

// Text content and attribute of an element as UTF-8 ("" when absent).
std::string textOf(const xercesc::DOMElement* e);
std::string attrOf(const xercesc::DOMElement* e, const char* name);
bool hasAttr(const xercesc::DOMElement* e, const char* name);
// Child elements of `parent` with local name `name` (any namespace), in document order.
std::vector<const xercesc::DOMElement*> children(const xercesc::DOMElement* parent, const char* name);
const xercesc::DOMElement* child(const xercesc::DOMElement* parent, const char* name);

// A DOM document under construction whose elements all live in one namespace.
class Document {
 public:
  Document(std::string_view namespace_uri, std::string_view root_name);
  ~Document();
  Document(const Document&) = delete;
  Document& operator=(const Document&) = delete;

  xercesc::DOMDocument* dom() const { return doc_; }
  xercesc::DOMElement* root() const;
  // Appends an element in the document's namespace (a prefix may be given: "cbc:ID").
  xercesc::DOMElement* add(xercesc::DOMElement* parent, std::string_view name);
  // Appends an element in another namespace ("efbc:...").
  xercesc::DOMElement* addNs(xercesc::DOMElement* parent, std::string_view ns, std::string_view qualified_name);
  // Appends an element with text content.
  xercesc::DOMElement* addText(xercesc::DOMElement* parent, std::string_view name, std::string_view text);
  void attr(xercesc::DOMElement* e, std::string_view name, std::string_view value);
  // Declares a namespace prefix on the root element.
  void declare(std::string_view prefix, std::string_view ns);

 private:
  xercesc::DOMDocument* doc_ = nullptr;
  std::u16string ns_;
};

// Serialises as UTF-8 with an XML declaration; pretty-printed when asked.
std::string serialise(const Document& doc, bool pretty);
std::string serialise(const xercesc::DOMDocument* doc, bool pretty);

struct DomDeleter {
  void operator()(xercesc::DOMDocument* d) const;
};
using DomPtr = std::unique_ptr<xercesc::DOMDocument, DomDeleter>;

// A loaded XML schema (with everything it imports), cached per path for the process.
class Schema {
 public:
  // Loads the grammar of the XSD at `xsd_path` the first time it is asked for; throws
  // core::Error(kUnavailable) when the file is missing or not a valid schema.
  static std::shared_ptr<const Schema> load(const std::string& xsd_path);

  ~Schema();
  Schema(const Schema&) = delete;
  Schema& operator=(const Schema&) = delete;

  const std::string& path() const { return path_; }
  // Every problem as "LINE:COLUMN: <element> attribute NAME: message" (the attribute when the message
  // quotes its value); empty when the document is valid against the schema
  // (including its identity constraints). No schema location in the document is followed.
  std::vector<std::string> validate(std::string_view xml_bytes, const std::string& source_name) const;
  // Parses with validation into a DOM; on any problem returns null and fills `problems`.
  DomPtr parse(std::string_view xml_bytes, const std::string& source_name, std::vector<std::string>& problems) const;

 private:
  struct Impl;
  explicit Schema(std::string path);
  std::string path_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace reports::xml
