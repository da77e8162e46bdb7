#pragma once
// Xerces-C plumbing of the reports library: building a DOM from UTF-8 strings, serialising it,
// writing the same bytes as a stream without a DOM (Writer), and validating XML against a schema
// whose grammar is loaded once per process, either whole or while it is being written
// (StreamValidator). Internal to reports/ (its tests and benchmarks include it too); no public
// header of the library exposes Xerces types.
//
// Thread-safety: Xerces-C is initialised once per process (ensureInitialised, call_once). A Document,
// an Emitter and a StreamValidator belong to one thread (the validator runs its parser on a thread
// of its own). A Schema is immutable once loaded and may validate from many threads at once.

#include <functional>
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

// Receives a document in document order: the root is open from the start; for each element, start(),
// its attributes, then either its text or its child elements, then end(). Lets one builder produce a
// DOM (DomEmitter) or stream the serialised bytes directly (Writer).
class Emitter {
 public:
  virtual ~Emitter() = default;
  // Opens a child of the current element in the document's namespace.
  virtual void start(std::string_view name) = 0;
  // An attribute of the current element; only before its first child or text.
  virtual void attr(std::string_view name, std::string_view value) = 0;
  // The text content of the current element (at most once, and no child elements besides).
  virtual void text(std::string_view text) = 0;
  // Closes the current element (never the root).
  virtual void end() = 0;
  // An element holding only text.
  void element(std::string_view name, std::string_view content) {
    start(name);
    text(content);
    end();
  }
};

// Builds the elements into a Document.
class DomEmitter final : public Emitter {
 public:
  // Starts at the root, or inside `at` (an element of `doc`).
  explicit DomEmitter(Document& doc, xercesc::DOMElement* at = nullptr);
  void start(std::string_view name) override;
  void attr(std::string_view name, std::string_view value) override;
  void text(std::string_view text) override;
  void end() override;

 private:
  Document& doc_;
  std::vector<xercesc::DOMElement*> open_;
};

// Serialises as it goes, byte for byte as serialise() writes the DOM the same calls would build
// (XML declaration, attributes in name order, the same escapes and the same pretty-printing), in
// chunks of about `chunk_size` bytes handed to `sink`. Text is checked and cleaned as toXml() does.
class Writer final : public Emitter {
 public:
  using Sink = std::function<void(std::string&& chunk)>;
  Writer(std::string_view namespace_uri, std::string_view root_name, bool pretty, Sink sink,
         std::size_t chunk_size = std::size_t{1} << 18);
  void start(std::string_view name) override;
  void attr(std::string_view name, std::string_view value) override;
  void text(std::string_view text) override;
  void end() override;
  // Hands over what is written so far (complete start tags only), so that the next bytes begin a new chunk.
  void flush();
  // Closes the root and hands over the last chunk; nothing may be written afterwards.
  void finish();

 private:
  struct Attribute {
    std::size_t name_at, name_len, value_at, value_len;
  };
  void closeStartTag(bool empty);
  void newLine(std::size_t depth);
  void flushIfFull();
  void escape(std::string_view text, bool in_attribute, std::string& out);

  bool pretty_;
  Sink sink_;
  std::size_t chunk_size_;
  std::string out_;
  std::string ns_;
  std::string names_;                 // the open elements' names, back to back
  std::vector<std::size_t> name_at_;  // where each open element's name starts in names_
  bool tag_open_ = false;             // the current element's start tag is not closed yet
  bool has_children_ = false;         // the current element has child elements
  std::string attr_buf_;
  std::vector<Attribute> attrs_;
  bool finished_ = false;
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
  friend class StreamValidator;
  struct Impl;
  explicit Schema(std::string path);
  std::string path_;
  std::unique_ptr<Impl> impl_;
};

// Validates a document while it is being written: a validating SAX2 parser on a thread of its own
// reads the chunks as feed() hands them over, so validation takes no wall time beyond the writing
// when there is a core to spare. finish() returns the whole document and every problem, as
// Schema::validate() reports them. Destroying it unfinished stops the parser and discards the bytes.
class StreamValidator {
 public:
  StreamValidator(std::shared_ptr<const Schema> schema, std::string source_name);
  ~StreamValidator();
  StreamValidator(const StreamValidator&) = delete;
  StreamValidator& operator=(const StreamValidator&) = delete;

  void feed(std::string&& chunk);
  // A chunk shared with other validators (one document validated in parts, see finishAgainst).
  void feed(std::shared_ptr<const std::string> chunk);
  // Ends the input, waits for the parser, moves the document into `bytes` and returns the problems.
  std::vector<std::string> finish(std::string& bytes);
  // Ends the input and waits for the parser; the problems are described against `document`, the
  // bytes that leave the program, in which everything the parser read stands at the same line and
  // column (a part of a document padded with the line breaks and spaces of the parts left out).
  std::vector<std::string> finishAgainst(std::string_view document);

  struct State;

 private:
  std::shared_ptr<const Schema> schema_;
  std::unique_ptr<State> state_;
};

}  // namespace reports::xml
