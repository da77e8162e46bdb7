// Xerces-C DOM building, serialisation and cached-grammar validation for the reports library.
#include "reports/xml.h"

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>

#include <xercesc/framework/MemBufFormatTarget.hpp>
#include <xercesc/framework/MemBufInputSource.hpp>
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
  const std::size_t name_end = tag.find_first_of(" \t\r\n/>", 1);
  where += std::string(tag.substr(0, name_end)) + ">";
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

std::vector<std::string> Schema::validate(std::string_view xml_bytes, const std::string& source_name) const {
  std::vector<std::string> problems;
  std::unique_ptr<x::SAX2XMLReader> reader(
      x::XMLReaderFactory::createXMLReader(x::XMLPlatformUtils::fgMemoryManager, impl_->pool.get()));
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
  reader->setProperty(x::XMLUni::fgXercesSecurityManager, impl_->security.get());
  Collector errors;
  reader->setErrorHandler(&errors);
  const std::u16string id = toXml(source_name);
  x::MemBufInputSource input(reinterpret_cast<const XMLByte*>(xml_bytes.data()), xml_bytes.size(), xc(id), false);
  try {
    reader->parse(input);
  } catch (const x::XMLException& e) {
    errors.add(fromXml(e.getMessage()));
  } catch (const x::SAXParseException& e) {
    errors.add(fromXml(e.getMessage()));
  }
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

}  // namespace reports::xml
