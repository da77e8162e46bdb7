// Xerces-C DOM building, serialisation and cached-grammar validation for the reports library.
#include "reports/xml.h"

#include <algorithm>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <deque>
#include <filesystem>
#include <map>
#include <mutex>
#include <thread>

#include <xercesc/framework/MemBufFormatTarget.hpp>
#include <xercesc/framework/MemBufInputSource.hpp>
#include <xercesc/sax/InputSource.hpp>
#include <xercesc/util/BinInputStream.hpp>
#include <xercesc/framework/XMLGrammarPoolImpl.hpp>
#include <xercesc/parsers/XercesDOMParser.hpp>
#include <xercesc/sax/ErrorHandler.hpp>
#include <xercesc/sax/SAXParseException.hpp>
#include <xercesc/sax2/SAX2XMLReader.hpp>
#include <xercesc/sax2/XMLReaderFactory.hpp>
#include <xercesc/util/PlatformUtils.hpp>
#include <xercesc/util/SecurityManager.hpp>
#include <xercesc/util/XMLException.hpp>
#include <xercesc/util/XMLUni.hpp>

#include "core/error.h"

namespace reports::xml {

namespace x = xercesc;

namespace {

std::once_flag g_init;

const XMLCh* xc(const std::u16string& s) { return s.c_str(); }

bool allowedXmlChar(char32_t c) {
  if (c < 0x20) return c == 0x9 || c == 0xA || c == 0xD;
  if (c >= 0xD800 && c <= 0xDFFF) return false;
  return c != 0xFFFE && c != 0xFFFF;
}

[[noreturn]] void badUtf8(std::string_view text) {
  throw core::Error(core::ErrorCode::kInvalidArgument,
                    "text is not valid UTF-8 (near \"" + std::string(text.substr(0, 40)) +
                        "\"); correct the stored text's encoding and export again");
}

// Decodes the multi-byte UTF-8 sequence at s[i] and moves i past it; refuses malformed, truncated,
// overlong and out-of-range sequences.
char32_t decodeUtf8(std::string_view s, std::size_t& i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  int extra = 0;
  char32_t cp = 0;
  if ((b0 & 0xE0) == 0xC0) {
    extra = 1;
    cp = b0 & 0x1F;
  } else if ((b0 & 0xF0) == 0xE0) {
    extra = 2;
    cp = b0 & 0x0F;
  } else if ((b0 & 0xF8) == 0xF0) {
    extra = 3;
    cp = b0 & 0x07;
  } else {
    badUtf8(s.substr(i));
  }
  if (i + static_cast<std::size_t>(extra) >= s.size()) badUtf8(s.substr(i));
  for (int k = 1; k <= extra; ++k) {
    const auto b = static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]);
    if ((b & 0xC0) != 0x80) badUtf8(s.substr(i));
    cp = (cp << 6) | (b & 0x3F);
  }
  const bool overlong = (extra == 1 && cp < 0x80) || (extra == 2 && cp < 0x800) || (extra == 3 && cp < 0x10000);
  if (overlong || cp > 0x10FFFF) badUtf8(s.substr(i));
  i += static_cast<std::size_t>(extra) + 1;
  return cp;
}

// Collects every error and fatal error of one parse with its position.
struct Problem {
  std::uint64_t line = 0;
  std::uint64_t column = 0;
  std::string message;
};

class Collector final : public x::ErrorHandler {
 public:
  void warning(const x::SAXParseException&) override {}
  void error(const x::SAXParseException& e) override { add(e); }
  void fatalError(const x::SAXParseException& e) override { add(e); }
  void resetErrors() override {}
  void add(std::string message) { problems.push_back({0, 0, std::move(message)}); }
  std::vector<Problem> problems;

 private:
  void add(const x::SAXParseException& e) {
    problems.push_back({e.getLineNumber(), e.getColumnNumber(), fromXml(e.getMessage())});
  }
};

// "LINE:COLUMN: <element> attribute NAME: message": the element whose start tag ends before the
// position, and the attribute when the message quotes its value.
std::string describe(std::string_view bytes, const Problem& p) {
  if (p.line == 0) return p.message;
  std::string where = std::to_string(p.line) + ":" + std::to_string(p.column) + ": ";
  std::size_t pos = 0;
  for (std::uint64_t line = 1; line < p.line && pos != std::string_view::npos; ++line) {
    pos = bytes.find('\n', pos);
    if (pos != std::string_view::npos) ++pos;
  }
  if (pos == std::string_view::npos) return where + p.message;
  const std::size_t at = std::min(bytes.size(), pos + (p.column > 0 ? p.column - 1 : 0));
  const std::size_t open = bytes.rfind('<', at == 0 ? 0 : at - 1);
  if (open == std::string_view::npos) return where + p.message;
  std::string_view tag = bytes.substr(open, at - open);
  // A problem found at an end tag (a text facet, missing content) names that element too.
  const std::size_t element_at = tag.size() > 1 && tag[1] == '/' ? 2 : 1;
  const std::size_t name_end = tag.find_first_of(" \t\r\n/>", element_at);
  where += "<" + std::string(tag.substr(element_at, name_end == std::string_view::npos ? std::string_view::npos
                                                                                      : name_end - element_at)) + ">";
  const std::size_t q1 = p.message.find('\'');
  const std::size_t q2 = q1 == std::string::npos ? std::string::npos : p.message.find('\'', q1 + 1);
  if (q2 != std::string::npos) {
    const std::string needle = "=\"" + p.message.substr(q1 + 1, q2 - q1 - 1) + "\"";
    const std::size_t v = tag.find(needle);
    if (v != std::string_view::npos) {
      const std::size_t name_start = tag.find_last_of(" \t\r\n", v);
      if (name_start != std::string_view::npos)
        where += " attribute " + std::string(tag.substr(name_start + 1, v - name_start - 1));
    }
  }
  return where + ": " + p.message;
}

// Grammar-loading errors: the schema itself is broken.
class SchemaCollector final : public x::ErrorHandler {
 public:
  void warning(const x::SAXParseException&) override {}
  void error(const x::SAXParseException& e) override { add(e); }
  void fatalError(const x::SAXParseException& e) override { add(e); }
  void resetErrors() override {}
  std::vector<std::string> problems;

 private:
  void add(const x::SAXParseException& e) {
    problems.push_back(fromXml(e.getSystemId()) + ":" + std::to_string(e.getLineNumber()) + ": " +
                       fromXml(e.getMessage()));
  }
};

}  // namespace

void ensureInitialised() {
  std::call_once(g_init, [] { x::XMLPlatformUtils::Initialize(); });
}

std::u16string toXml(std::string_view s) {
  std::u16string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    if (b0 < 0x80) {
      out.push_back(allowedXmlChar(b0) ? static_cast<char16_t>(b0) : u'\uFFFD');
      ++i;
      continue;
    }
    char32_t cp = decodeUtf8(s, i);
    if (!allowedXmlChar(cp)) {
      out.push_back(u'\uFFFD');
    } else if (cp >= 0x10000) {
      cp -= 0x10000;
      out.push_back(static_cast<char16_t>(0xD800 + (cp >> 10)));
      out.push_back(static_cast<char16_t>(0xDC00 + (cp & 0x3FF)));
    } else {
      out.push_back(static_cast<char16_t>(cp));
    }
  }
  return out;
}

std::string fromXml(const XMLCh* t) {
  std::string out;
  if (t == nullptr) return out;
  for (std::size_t i = 0; t[i] != 0; ++i) {
    char32_t cp = t[i];
    if (cp >= 0xD800 && cp <= 0xDBFF && t[i + 1] >= 0xDC00 && t[i + 1] <= 0xDFFF) {
      cp = 0x10000 + ((cp - 0xD800) << 10) + (static_cast<char32_t>(t[i + 1]) - 0xDC00);
      ++i;
    }
    if (cp < 0x80) {
      out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }
  return out;
}

std::string textOf(const x::DOMElement* e) { return e == nullptr ? std::string() : fromXml(e->getTextContent()); }

std::string attrOf(const x::DOMElement* e, const char* name) {
  if (e == nullptr) return {};
  return fromXml(e->getAttribute(xc(toXml(name))));
}

bool hasAttr(const x::DOMElement* e, const char* name) {
  return e != nullptr && e->hasAttribute(xc(toXml(name)));
}

std::vector<const x::DOMElement*> children(const x::DOMElement* parent, const char* name) {
  std::vector<const x::DOMElement*> out;
  if (parent == nullptr) return out;
  const std::u16string wanted = toXml(name);
  for (const x::DOMElement* c = parent->getFirstElementChild(); c != nullptr; c = c->getNextElementSibling()) {
    const XMLCh* local = c->getLocalName();
    if (local != nullptr && wanted == local) out.push_back(c);
  }
  return out;
}

const x::DOMElement* child(const x::DOMElement* parent, const char* name) {
  if (parent == nullptr) return nullptr;
  const std::u16string wanted = toXml(name);
  for (const x::DOMElement* c = parent->getFirstElementChild(); c != nullptr; c = c->getNextElementSibling()) {
    const XMLCh* local = c->getLocalName();
    if (local != nullptr && wanted == local) return c;
  }
  return nullptr;
}

Document::Document(std::string_view namespace_uri, std::string_view root_name) : ns_(toXml(namespace_uri)) {
  ensureInitialised();
  x::DOMImplementation* impl = x::DOMImplementationRegistry::getDOMImplementation(u"Core");
  doc_ = impl->createDocument(xc(ns_), xc(toXml(root_name)), nullptr);
}

Document::~Document() {
  if (doc_ != nullptr) doc_->release();
}

x::DOMElement* Document::root() const { return doc_->getDocumentElement(); }

x::DOMElement* Document::add(x::DOMElement* parent, std::string_view name) {
  x::DOMElement* e = doc_->createElementNS(xc(ns_), xc(toXml(name)));
  parent->appendChild(e);
  return e;
}

x::DOMElement* Document::addNs(x::DOMElement* parent, std::string_view ns, std::string_view qualified_name) {
  x::DOMElement* e = doc_->createElementNS(xc(toXml(ns)), xc(toXml(qualified_name)));
  parent->appendChild(e);
  return e;
}

x::DOMElement* Document::addText(x::DOMElement* parent, std::string_view name, std::string_view text) {
  x::DOMElement* e = add(parent, name);
  e->appendChild(doc_->createTextNode(xc(toXml(text))));
  return e;
}

void Document::attr(x::DOMElement* e, std::string_view name, std::string_view value) {
  e->setAttribute(xc(toXml(name)), xc(toXml(value)));
}

void Document::declare(std::string_view prefix, std::string_view ns) {
  root()->setAttributeNS(u"http://www.w3.org/2000/xmlns/", xc(toXml("xmlns:" + std::string(prefix))), xc(toXml(ns)));
}

DomEmitter::DomEmitter(Document& doc, x::DOMElement* at) : doc_(doc) {
  open_.push_back(at != nullptr ? at : doc.root());
}

void DomEmitter::start(std::string_view name) { open_.push_back(doc_.add(open_.back(), name)); }

void DomEmitter::attr(std::string_view name, std::string_view value) { doc_.attr(open_.back(), name, value); }

void DomEmitter::text(std::string_view text) {
  open_.back()->appendChild(doc_.dom()->createTextNode(xc(toXml(text))));
}

void DomEmitter::end() {
  if (open_.size() < 2) throw core::Error(core::ErrorCode::kInternal, "end() without an open element; report this defect");
  open_.pop_back();
}

namespace {

constexpr std::string_view kDeclaration = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\" ?>";

// What the current element holds so far (Writer).
constexpr char kEmpty = 0;
constexpr char kChildren = 1;
constexpr char kText = 2;

[[noreturn]] void misuse(const char* what) {
  throw core::Error(core::ErrorCode::kInternal, std::string("XML writer: ") + what + "; report this defect");
}

}  // namespace

Writer::Writer(std::string_view namespace_uri, std::string_view root_name, bool pretty, Sink sink,
               std::size_t chunk_size)
    : pretty_(pretty), sink_(std::move(sink)), chunk_size_(std::max<std::size_t>(chunk_size, 1)) {
  out_.reserve(chunk_size_ + chunk_size_ / 4);
  out_ += kDeclaration;
  if (pretty_) out_ += '\n';
  out_ += '<';
  out_ += root_name;
  out_ += " xmlns=\"";
  escape(namespace_uri, true, out_);
  out_ += '"';
  name_at_.push_back(0);
  names_.assign(root_name);
  names_ += kEmpty;  // the state of the element follows its name
  tag_open_ = true;
}

void Writer::newLine(std::size_t depth) {
  if (!pretty_) return;
  out_ += '\n';
  out_.append(2 * depth, ' ');
}

void Writer::closeStartTag(bool empty) {
  // Attributes in name order, as the DOM keeps them.
  for (std::size_t i = 1; i < attrs_.size(); ++i) {
    const Attribute a = attrs_[i];
    const std::string_view an(attr_buf_.data() + a.name_at, a.name_len);
    std::size_t j = i;
    for (; j > 0; --j) {
      const Attribute& b = attrs_[j - 1];
      if (std::string_view(attr_buf_.data() + b.name_at, b.name_len) <= an) break;
      attrs_[j] = b;
    }
    attrs_[j] = a;
  }
  for (const Attribute& a : attrs_) {
    out_ += ' ';
    out_.append(attr_buf_, a.name_at, a.name_len);
    out_ += "=\"";
    out_.append(attr_buf_, a.value_at, a.value_len);
    out_ += '"';
  }
  attrs_.clear();
  attr_buf_.clear();
  out_ += empty ? "/>" : ">";
  tag_open_ = false;
}

void Writer::start(std::string_view name) {
  if (finished_) misuse("an element after the end of the document");
  char& state = names_.back();
  if (state == kText) misuse("an element inside an element that holds text");
  if (tag_open_) closeStartTag(false);
  state = kChildren;
  const std::size_t depth = name_at_.size();
  if (pretty_ && depth == 1) out_ += '\n';  // a blank line before each child of the root
  newLine(depth);
  out_ += '<';
  out_ += name;
  name_at_.push_back(names_.size());
  names_ += name;
  names_ += kEmpty;
  tag_open_ = true;
}

void Writer::attr(std::string_view name, std::string_view value) {
  if (!tag_open_) misuse("an attribute after the element's content");
  const std::size_t name_at = attr_buf_.size();
  attr_buf_ += name;
  const std::size_t value_at = attr_buf_.size();
  escape(value, true, attr_buf_);
  const Attribute a{name_at, name.size(), value_at, attr_buf_.size() - value_at};
  for (Attribute& b : attrs_)
    if (std::string_view(attr_buf_.data() + b.name_at, b.name_len) == name) {
      b = a;  // set again: the last value counts, as in the DOM
      return;
    }
  attrs_.push_back(a);
}

void Writer::text(std::string_view text) {
  char& state = names_.back();
  if (state != kEmpty) misuse("text after the element's content");
  if (tag_open_) closeStartTag(false);
  state = kText;
  escape(text, false, out_);
}

void Writer::end() {
  if (name_at_.size() < 2) misuse("end() without an open element");
  const std::size_t at = name_at_.back();
  const std::string_view name(names_.data() + at, names_.size() - at - 1);
  const char state = names_.back();
  if (tag_open_) {
    closeStartTag(true);
  } else {
    if (state == kChildren) newLine(name_at_.size() - 1);
    out_ += "</";
    out_ += name;
    out_ += '>';
  }
  names_.resize(at);
  name_at_.pop_back();
  flushIfFull();
}

void Writer::finish() {
  if (finished_) return;
  if (name_at_.size() != 1) misuse("finish() with elements still open");
  const std::string_view name(names_.data(), names_.size() - 1);
  const char state = names_.back();
  if (tag_open_) {
    closeStartTag(true);
  } else {
    if (state == kChildren && pretty_) out_ += "\n\n";
    out_ += "</";
    out_ += name;
    out_ += '>';
  }
  if (pretty_) out_ += '\n';
  finished_ = true;
  sink_(std::move(out_));
  out_.clear();
}

void Writer::flush() {
  if (tag_open_ || out_.empty()) return;
  std::string next;
  next.reserve(chunk_size_ + chunk_size_ / 4);
  std::swap(next, out_);
  sink_(std::move(next));
}

void Writer::flushIfFull() {
  if (out_.size() < chunk_size_) return;
  std::string next;
  next.reserve(chunk_size_ + chunk_size_ / 4);
  std::swap(next, out_);
  sink_(std::move(next));
}

// The escapes of Xerces-C's serialiser: in attributes & < " and tab, line feed, carriage return as
// character references; in text & < > and carriage return. Characters XML cannot carry become
// U+FFFD and malformed UTF-8 is refused, as toXml() does.
void Writer::escape(std::string_view s, bool in_attribute, std::string& out) {
  std::size_t i = 0;
  std::size_t run = 0;  // start of the bytes copied unchanged
  const auto flush = [&](std::size_t upto) {
    if (upto > run) out.append(s.data() + run, upto - run);
  };
  while (i < s.size()) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    if (b0 >= 0x80) {
      std::size_t next = i;
      const char32_t cp = decodeUtf8(s, next);
      if (!allowedXmlChar(cp)) {
        flush(i);
        out += "\xEF\xBF\xBD";
        run = next;
      }
      i = next;
      continue;
    }
    const char* replacement = nullptr;
    switch (b0) {
      case '&':
        replacement = "&amp;";
        break;
      case '<':
        replacement = "&lt;";
        break;
      case '>':
        if (!in_attribute) replacement = "&gt;";
        break;
      case '"':
        if (in_attribute) replacement = "&quot;";
        break;
      case '\r':
        replacement = "&#xD;";
        break;
      case '\n':
        if (in_attribute) replacement = "&#xA;";
        break;
      case '\t':
        if (in_attribute) replacement = "&#x9;";
        break;
      default:
        if (!allowedXmlChar(b0)) replacement = "\xEF\xBF\xBD";
        break;
    }
    if (replacement != nullptr) {
      flush(i);
      out += replacement;
      run = i + 1;
    }
    ++i;
  }
  flush(s.size());
}

std::string serialise(const Document& doc, bool pretty) { return serialise(doc.dom(), pretty); }

std::string serialise(const x::DOMDocument* doc, bool pretty) {
  ensureInitialised();
  x::DOMImplementation* impl = x::DOMImplementationRegistry::getDOMImplementation(u"LS");
  x::DOMLSSerializer* serializer = impl->createLSSerializer();
  x::DOMLSOutput* output = impl->createLSOutput();
  x::MemBufFormatTarget target(1 << 16);
  std::string out;
  try {
    x::DOMConfiguration* config = serializer->getDomConfig();
    config->setParameter(x::XMLUni::fgDOMWRTFormatPrettyPrint, pretty);
    config->setParameter(x::XMLUni::fgDOMXMLDeclaration, true);
    output->setByteStream(&target);
    output->setEncoding(u"UTF-8");
    if (!serializer->write(doc, output))
      throw core::Error(core::ErrorCode::kInternal, "the XML serialiser refused the document; report this defect");
    out.assign(reinterpret_cast<const char*>(target.getRawBuffer()), target.getLen());
  } catch (const x::DOMException& e) {
    output->release();
    serializer->release();
    throw core::Error(core::ErrorCode::kInternal, "serialising the document failed: " + fromXml(e.getMessage()));
  } catch (...) {
    output->release();
    serializer->release();
    throw;
  }
  output->release();
  serializer->release();
  return out;
}

void DomDeleter::operator()(x::DOMDocument* d) const {
  if (d != nullptr) d->release();
}

struct Schema::Impl {
  std::unique_ptr<x::XMLGrammarPool> pool;
  std::unique_ptr<x::SecurityManager> security;
};

Schema::Schema(std::string path) : path_(std::move(path)), impl_(std::make_unique<Impl>()) {}
Schema::~Schema() = default;

std::shared_ptr<const Schema> Schema::load(const std::string& xsd_path) {
  ensureInitialised();
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<const Schema>> cache;
  const std::lock_guard<std::mutex> lock(mutex);
  if (const auto it = cache.find(xsd_path); it != cache.end()) return it->second;
  if (!std::filesystem::is_regular_file(xsd_path))
    throw core::Error(core::ErrorCode::kUnavailable,
                      "schema file " + xsd_path +
                          " does not exist; pass the folder that holds it (for the project's own schema: the "
                          "reports/schema folder of the sources or of the installation)");
  std::shared_ptr<Schema> schema(new Schema(xsd_path));
  schema->impl_->pool = std::make_unique<x::XMLGrammarPoolImpl>(x::XMLPlatformUtils::fgMemoryManager);
  schema->impl_->security = std::make_unique<x::SecurityManager>();
  schema->impl_->security->setEntityExpansionLimit(1000);
  {
    x::XercesDOMParser loader(nullptr, x::XMLPlatformUtils::fgMemoryManager, schema->impl_->pool.get());
    SchemaCollector errors;
    loader.setErrorHandler(&errors);
    loader.setDoNamespaces(true);
    loader.setDoSchema(true);
    loader.setHandleMultipleImports(true);
    loader.setValidationSchemaFullChecking(false);
    try {
      const x::Grammar* grammar = loader.loadGrammar(xc(toXml(xsd_path)), x::Grammar::SchemaGrammarType, true);
      if (grammar == nullptr) errors.problems.push_back("no grammar could be read");
    } catch (const x::XMLException& e) {
      errors.problems.push_back(fromXml(e.getMessage()));
    }
    if (!errors.problems.empty()) {
      std::string message = "schema " + xsd_path + " could not be loaded:";
      for (const std::string& p : errors.problems) message += "\n" + p;
      throw core::Error(core::ErrorCode::kUnavailable, message + "\ncheck that the schema folder is complete");
    }
  }
  schema->impl_->pool->lockPool();
  cache.emplace(xsd_path, schema);
  return schema;
}

namespace {

// One validating SAX2 parse against the cached grammar; every problem goes to `errors`.
void validatingParse(x::XMLGrammarPool* pool, x::SecurityManager* security, x::InputSource& input,
                     Collector& errors) {
  std::unique_ptr<x::SAX2XMLReader> reader(
      x::XMLReaderFactory::createXMLReader(x::XMLPlatformUtils::fgMemoryManager, pool));
  reader->setFeature(x::XMLUni::fgSAX2CoreNameSpaces, true);
  reader->setFeature(x::XMLUni::fgSAX2CoreValidation, true);
  reader->setFeature(x::XMLUni::fgXercesDynamic, false);
  reader->setFeature(x::XMLUni::fgXercesSchema, true);
  reader->setFeature(x::XMLUni::fgXercesSchemaFullChecking, false);
  reader->setFeature(x::XMLUni::fgXercesUseCachedGrammarInParse, true);
  reader->setFeature(x::XMLUni::fgXercesLoadSchema, false);
  reader->setFeature(x::XMLUni::fgXercesLoadExternalDTD, false);
  reader->setFeature(x::XMLUni::fgXercesDisableDefaultEntityResolution, true);
  reader->setFeature(x::XMLUni::fgXercesIdentityConstraintChecking, true);
  reader->setProperty(x::XMLUni::fgXercesSecurityManager, security);
  reader->setErrorHandler(&errors);
  try {
    reader->parse(input);
  } catch (const x::XMLException& e) {
    errors.add(fromXml(e.getMessage()));
  } catch (const x::SAXParseException& e) {
    errors.add(fromXml(e.getMessage()));
  }
}

}  // namespace

std::vector<std::string> Schema::validate(std::string_view xml_bytes, const std::string& source_name) const {
  std::vector<std::string> problems;
  Collector errors;
  const std::u16string id = toXml(source_name);
  x::MemBufInputSource input(reinterpret_cast<const XMLByte*>(xml_bytes.data()), xml_bytes.size(), xc(id), false);
  input.setCopyBufToStream(false);  // the bytes outlive the parse: no copy of the whole document
  validatingParse(impl_->pool.get(), impl_->security.get(), input, errors);
  for (const Problem& p : errors.problems) problems.push_back(describe(xml_bytes, p));
  return problems;
}

DomPtr Schema::parse(std::string_view xml_bytes, const std::string& source_name,
                     std::vector<std::string>& problems) const {
  x::XercesDOMParser parser(nullptr, x::XMLPlatformUtils::fgMemoryManager, impl_->pool.get());
  parser.setDoNamespaces(true);
  parser.setDoSchema(true);
  parser.setValidationScheme(x::XercesDOMParser::Val_Always);
  parser.setValidationSchemaFullChecking(false);
  parser.useCachedGrammarInParse(true);
  parser.setLoadSchema(false);
  parser.setLoadExternalDTD(false);
  parser.setDisableDefaultEntityResolution(true);
  parser.setCreateEntityReferenceNodes(false);
  parser.setIncludeIgnorableWhitespace(false);
  parser.setSecurityManager(impl_->security.get());
  Collector errors;
  parser.setErrorHandler(&errors);
  const std::u16string id = toXml(source_name);
  x::MemBufInputSource input(reinterpret_cast<const XMLByte*>(xml_bytes.data()), xml_bytes.size(), xc(id), false);
  try {
    parser.parse(input);
  } catch (const x::XMLException& e) {
    errors.add(fromXml(e.getMessage()));
  } catch (const x::DOMException& e) {
    errors.add(fromXml(e.getMessage()));
  }
  for (const Problem& p : errors.problems) problems.push_back(describe(xml_bytes, p));
  if (!errors.problems.empty()) return nullptr;
  return DomPtr(parser.adoptDocument());
}

// ---------------------------------------------------------------- validation while writing

struct StreamValidator::State {
  std::mutex mutex;
  std::condition_variable ready;
  std::deque<std::shared_ptr<const std::string>> chunks;  // references stay valid as chunks are added
  bool ended = false;
  bool abandoned = false;
  std::u16string source;
  Collector errors;  // written by the parser thread only, read after it was joined
  std::thread thread;
};

namespace {

// The parser's input: the chunks handed over so far, waiting for more until the input ends.
class ChunkStream final : public x::BinInputStream {
 public:
  explicit ChunkStream(StreamValidator::State& state) : state_(state) {}
  XMLFilePos curPos() const override { return pos_; }
  XMLSize_t readBytes(XMLByte* const to_fill, const XMLSize_t max_to_read) override {
    const std::string* chunk = nullptr;
    {
      std::unique_lock<std::mutex> lock(state_.mutex);
      state_.ready.wait(lock, [&] { return state_.abandoned || index_ < state_.chunks.size() || state_.ended; });
      if (state_.abandoned || index_ == state_.chunks.size()) return 0;
      chunk = state_.chunks[index_].get();
    }
    const std::size_t n = std::min<std::size_t>(max_to_read, chunk->size() - offset_);
    std::memcpy(to_fill, chunk->data() + offset_, n);
    offset_ += n;
    pos_ += n;
    if (offset_ == chunk->size()) {
      ++index_;
      offset_ = 0;
    }
    return n;
  }
  const XMLCh* getContentType() const override { return nullptr; }

 private:
  StreamValidator::State& state_;
  std::size_t index_ = 0;
  std::size_t offset_ = 0;
  XMLFilePos pos_ = 0;
};

class ChunkSource final : public x::InputSource {
 public:
  ChunkSource(StreamValidator::State& state, const XMLCh* system_id) : x::InputSource(system_id), state_(state) {}
  // Xerces-C adopts the stream.
  x::BinInputStream* makeStream() const override { return new ChunkStream(state_); }

 private:
  StreamValidator::State& state_;
};

}  // namespace

StreamValidator::StreamValidator(std::shared_ptr<const Schema> schema, std::string source_name)
    : schema_(std::move(schema)), state_(std::make_unique<State>()) {
  state_->source = toXml(source_name);
  State* state = state_.get();
  x::XMLGrammarPool* pool = schema_->impl_->pool.get();
  x::SecurityManager* security = schema_->impl_->security.get();
  state_->thread = std::thread([state, pool, security] {
    ChunkSource input(*state, xc(state->source));
    try {
      validatingParse(pool, security, input, state->errors);
    } catch (const std::exception& e) {
      state->errors.add(std::string("the validating parser failed: ") + e.what());
    } catch (...) {
      state->errors.add("the validating parser failed with an unknown exception");
    }
  });
}

StreamValidator::~StreamValidator() {
  if (!state_->thread.joinable()) return;
  {
    const std::lock_guard<std::mutex> lock(state_->mutex);
    state_->abandoned = true;
  }
  state_->ready.notify_all();
  state_->thread.join();
}

void StreamValidator::feed(std::string&& chunk) {
  if (chunk.empty()) return;
  feed(std::make_shared<const std::string>(std::move(chunk)));
}

void StreamValidator::feed(std::shared_ptr<const std::string> chunk) {
  if (chunk == nullptr || chunk->empty()) return;
  {
    const std::lock_guard<std::mutex> lock(state_->mutex);
    if (state_->ended) throw core::Error(core::ErrorCode::kInternal, "bytes fed after finish(); report this defect");
    state_->chunks.push_back(std::move(chunk));
  }
  state_->ready.notify_one();
}

std::vector<std::string> StreamValidator::finish(std::string& bytes) {
  {
    const std::lock_guard<std::mutex> lock(state_->mutex);
    state_->ended = true;
  }
  state_->ready.notify_all();
  // The whole document is assembled while the parser is still reading it (the chunks no longer
  // change), so the copy costs no wall time.
  std::size_t total = 0;
  for (const auto& c : state_->chunks) total += c->size();
  bytes.clear();
  bytes.reserve(total);
  for (const auto& c : state_->chunks) bytes += *c;
  return finishAgainst(bytes);
}

std::vector<std::string> StreamValidator::finishAgainst(std::string_view document) {
  {
    const std::lock_guard<std::mutex> lock(state_->mutex);
    state_->ended = true;
  }
  state_->ready.notify_all();
  if (state_->thread.joinable()) state_->thread.join();
  state_->chunks.clear();
  std::vector<std::string> problems;
  for (const Problem& p : state_->errors.problems) problems.push_back(describe(document, p));
  return problems;
}

}  // namespace reports::xml
