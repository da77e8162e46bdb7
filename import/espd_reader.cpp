#include "import/espd_reader.h"

#include <xercesc/framework/LocalFileInputSource.hpp>
#include <xercesc/framework/MemBufInputSource.hpp>
#include <xercesc/framework/XMLGrammarPool.hpp>
#include <xercesc/parsers/SAX2XMLReaderImpl.hpp>
#include <xercesc/sax/SAXParseException.hpp>
#include <xercesc/sax2/Attributes.hpp>
#include <xercesc/sax2/DefaultHandler.hpp>
#include <xercesc/sax/Locator.hpp>
#include <xercesc/sax2/SAX2XMLReader.hpp>
#include <xercesc/util/OutOfMemoryException.hpp>
#include <xercesc/util/PlatformUtils.hpp>
#include <xercesc/util/SecurityManager.hpp>
#include <xercesc/util/XMLEntityResolver.hpp>
#include <xercesc/util/XMLException.hpp>
#include <xercesc/util/XMLResourceIdentifier.hpp>
#include <xercesc/util/XMLUni.hpp>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>

#include "core/error.h"

namespace importer {
namespace {

namespace xc = xercesc;
using core::ErrorCode;

constexpr const char* kResponseNamespace = "urn:oasis:names:specification:ubl:schema:xsd:QualificationApplicationResponse-2";
constexpr const char* kSchemaPath = "ubl-2.3/xsdrt/maindoc/UBL-QualificationApplicationResponse-2.3.xsd";
// Schema errors listed in one message at most; the count of the rest is given.
constexpr std::size_t kMaxListedErrors = 20;

void initialiseXerces() {
  static std::once_flag once;
  // Never terminated: other threads may be parsing when the process ends.
  std::call_once(once, [] { xc::XMLPlatformUtils::Initialize(); });
}

// UTF-16 (Xerces' XMLCh) to UTF-8; unpaired surrogates become U+FFFD.
void appendUtf8(std::string& out, const XMLCh* text, std::size_t length) {
  for (std::size_t i = 0; i < length; ++i) {
    std::uint32_t c = text[i];
    if (c >= 0xD800 && c <= 0xDBFF && i + 1 < length && text[i + 1] >= 0xDC00 && text[i + 1] <= 0xDFFF) {
      c = 0x10000 + ((c - 0xD800) << 10) + (static_cast<std::uint32_t>(text[i + 1]) - 0xDC00);
      ++i;
    } else if (c >= 0xD800 && c <= 0xDFFF) {
      c = 0xFFFD;
    }
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else if (c < 0x800) {
      out += static_cast<char>(0xC0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
      out += static_cast<char>(0xE0 | (c >> 12));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (c >> 18));
      out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    }
  }
}

std::string utf8(const XMLCh* text) {
  std::string out;
  if (text) appendUtf8(out, text, xc::XMLString::stringLen(text));
  return out;
}

// UTF-8 (ASCII here: paths and namespace names) to a Xerces string owned by the caller.
std::u16string utf16(const std::string& text) {
  std::u16string out;
  for (const unsigned char c : text) out += static_cast<char16_t>(c);
  return out;
}
const XMLCh* x(const std::u16string& s) { return s.c_str(); }

// Thrown from the handler to stop the parse; becomes core::Error with the position.
struct Refusal {
  std::string message;
  std::string where;  // ":line:column" when known
};

std::string trim(const std::string& s) {
  const std::size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return {};
  const std::size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

// Resolves only the schema's own imports and includes, and only to files inside the schema folder;
// every other external resource (external entities, DTD subsets, schema hints elsewhere) is refused.
class SchemaOnlyResolver final : public xc::XMLEntityResolver {
 public:
  explicit SchemaOnlyResolver(std::filesystem::path root) : root_(std::move(root)) {}
  // While the schema itself is loaded, its own files are read whatever Xerces calls them.
  void loadingSchema(bool on) { loading_schema_ = on; }

  xc::InputSource* resolveEntity(xc::XMLResourceIdentifier* id) override {
    namespace fs = std::filesystem;
    const auto type = id->getResourceIdentifierType();
    const bool schema = type == xc::XMLResourceIdentifier::SchemaGrammar ||
                        type == xc::XMLResourceIdentifier::SchemaImport ||
                        type == xc::XMLResourceIdentifier::SchemaInclude ||
                        type == xc::XMLResourceIdentifier::SchemaRedefine;
    const std::string system_id = utf8(id->getSystemId());
    if (!schema && !loading_schema_)
      throw Refusal{"refers to an external resource ('" + system_id + "'), which is never fetched", ""};
    // The document's own schema hints (xsi:schemaLocation) are ignored: the configured schema is
    // already loaded, and nothing else is ever fetched.
    if (!loading_schema_ || root_.empty() || system_id.empty()) return nullptr;
    std::string base = utf8(id->getBaseURI());
    if (base.rfind("file://", 0) == 0) base = base.substr(7);
    fs::path target = fs::path(system_id);
    if (target.is_relative()) target = fs::path(base).parent_path() / target;
    std::error_code ec;
    const fs::path canonical = fs::weakly_canonical(target, ec);
    const auto [root_end, ignored] = std::mismatch(root_.begin(), root_.end(), canonical.begin(), canonical.end());
    if (ec || root_end != root_.end() || !fs::is_regular_file(canonical)) {
      throw Refusal{"the schema refers to '" + system_id + "', which is not a file of the schema folder " +
                        root_.string(),
                    ""};
    }
    return new xc::LocalFileInputSource(x(utf16(canonical.string())));
  }

 private:
  std::filesystem::path root_;
  bool loading_schema_ = false;
};

struct PropertyInfo {
  std::size_t criterion = 0;
  std::string question;
};

class EspdHandler final : public xc::DefaultHandler {
 public:
  EspdHandler(EspdResponse& out, const EspdOptions& options) : out_(out), options_(options) {}

  void setDocumentLocator(const xc::Locator* const locator) override { locator_ = locator; }

  // A document type declaration brings entity declarations; ESPD documents have none.
  void startDTD(const XMLCh* const, const XMLCh* const, const XMLCh* const) override {
    fail("has a document type declaration (<!DOCTYPE ...>), which ESPD documents never have; it is refused "
         "with its entities, so that nothing is expanded or fetched");
  }
  void startEntity(const XMLCh* const name) override {
    fail("uses the entity '" + utf8(name) + "', which ESPD documents never do");
  }

  void startElement(const XMLCh* const uri, const XMLCh* const localname, const XMLCh* const,
                    const xc::Attributes& attributes) override {
    if (static_cast<int>(path_.size()) >= options_.max_depth) {
      fail("nests elements deeper than " + std::to_string(options_.max_depth) +
           " levels; ESPD documents are far shallower");
    }
    path_.push_back(utf8(localname));
    text_.clear();
    if (path_.size() == 1) {
      if (path_[0] != "QualificationApplicationResponse" || utf8(uri) != kResponseNamespace) {
        fail("is not an ESPD response: its root element is '" + path_[0] + "' in namespace '" + utf8(uri) +
             "', expected QualificationApplicationResponse in " + kResponseNamespace +
             (path_[0] == "QualificationApplicationRequest"
                  ? " (this is the authority's ESPD request; send the operator's response)"
                  : ""));
      }
      return;
    }
    const std::string& name = path_.back();
    if (path_.size() == 2) {
      if (name == "EconomicOperatorParty") ++out_.economic_operator_count;
      if (name == "TenderingCriterion") out_.criteria.emplace_back();
      if (name == "TenderingCriterionResponse") answer_ = EspdAnswer{};
    }
    attr_scheme_ = attribute(attributes, "schemeAgencyID");
    if (attr_scheme_.empty()) attr_scheme_ = attribute(attributes, "schemeID");
    attr_currency_ = attribute(attributes, "currencyID");
    attr_unit_ = attribute(attributes, "unitCode");
    if (path_.size() == 2 && (name == "ProfileExecutionID" || name == "CustomizationID" || name == "ProfileID" ||
                              name == "UUID" || name == "VersionID")) {
      const std::string v = attribute(attributes, "schemeVersionID");
      if (!v.empty() && scheme_version_.empty()) scheme_version_ = v;
    }
  }

  void characters(const XMLCh* const chars, const XMLSize_t length) override {
    if (text_.size() < options_.max_bytes) appendUtf8(text_, chars, length);
  }

  void endElement(const XMLCh* const, const XMLCh* const, const XMLCh* const) override {
    const std::string value = trim(text_);
    text_.clear();
    const std::size_t depth = path_.size();
    const std::string& name = path_.back();
    if (depth == 2) {
      if (name == "ID") out_.document_id = value;
      else if (name == "UUID") out_.uuid = value;
      else if (name == "ContractFolderID") out_.contract_folder_id = value;
      else if (name == "IssueDate") out_.issue_date = value;
      else if (name == "ProfileExecutionID" && value.rfind("ESPD-EDMv", 0) == 0) profile_version_ = value.substr(9);
      else if (name == "TenderingCriterionResponse") finishAnswer();
    } else if (depth >= 3 && path_[1] == "EconomicOperatorParty" && out_.economic_operator_count == 1) {
      party(value);
    } else if (depth >= 3 && path_[1] == "TenderingCriterion" && !out_.criteria.empty()) {
      criterion(value);
    } else if (depth >= 3 && path_[1] == "TenderingCriterionResponse") {
      response(value);
    }
    path_.pop_back();
  }

  // Validation problems are collected and reported together; fatal ones stop the parse.
  void error(const xc::SAXParseException& e) override { record(e); }
  void fatalError(const xc::SAXParseException& e) override {
    record(e);
    throw Refusal{"is not well-formed XML: " + utf8(e.getMessage()),
                  ":" + std::to_string(e.getLineNumber()) + ":" + std::to_string(e.getColumnNumber())};
  }
  void warning(const xc::SAXParseException&) override {}

  std::string version() const { return !profile_version_.empty() ? profile_version_ : scheme_version_; }
  const std::vector<std::string>& errors() const { return errors_; }
  // Only while parsing: the locator dies with the parse.
  std::string where() const {
    if (!locator_) return {};
    return ":" + std::to_string(locator_->getLineNumber()) + ":" + std::to_string(locator_->getColumnNumber());
  }
  std::size_t errorCount() const { return error_count_; }

 private:
  [[noreturn]] void fail(const std::string& message) const { throw Refusal{message, where()}; }

  static std::string attribute(const xc::Attributes& attributes, const char* name) {
    const std::u16string n = utf16(name);
    return utf8(attributes.getValue(x(n)));
  }

  bool at(std::size_t depth, const char* name) const { return path_.size() > depth && path_[depth] == name; }

  void party(const std::string& value) {
    EspdParty& p = out_.economic_operator;
    const std::string& name = path_.back();
    const std::size_t depth = path_.size();
    if (at(2, "EconomicOperatorRole") && name == "RoleCode") p.role = value;
    if (!at(2, "Party")) return;
    if (depth == 4 && name == "WebsiteURI") p.website = value;
    if (depth == 4 && name == "IndustryClassificationCode") p.size = value;
    if (depth == 5 && at(3, "PartyIdentification") && name == "ID" && p.identifier.empty()) {
      p.identifier = value;
      p.identifier_scheme = attr_scheme_;
    }
    if (depth == 5 && at(3, "PartyName") && name == "Name" && p.name.empty()) p.name = value;
    if (at(3, "PostalAddress")) {
      if (depth == 5 && name == "StreetName") p.street = value;
      if (depth == 5 && name == "CityName") p.city = value;
      if (depth == 5 && name == "PostalZone") p.postal_zone = value;
      if (depth == 6 && at(4, "Country") && name == "IdentificationCode") p.country = value;
    }
    if (depth == 5 && at(3, "Contact")) {
      if (name == "Name") p.contact_name = value;
      if (name == "ElectronicMail") p.email = value;
      if (name == "Telephone") p.telephone = value;
    }
  }

  void criterion(const std::string& value) {
    EspdCriterion& c = out_.criteria.back();
    const std::string& name = path_.back();
    const std::size_t depth = path_.size();
    if (depth == 3) {
      if (name == "ID") c.id = value;
      if (name == "CriterionTypeCode") c.type_code = value;
      if (name == "Name") c.name = value;
      return;
    }
    // Properties sit at any depth under property groups: TenderingCriterionProperty/cbc:ID.
    if (depth >= 2 && path_[depth - 2] == "TenderingCriterionProperty") {
      if (name == "Description") pending_question_ = value;
      if (name == "ID") pending_property_ = value;
    }
    if (name == "TenderingCriterionProperty") {
      if (!pending_property_.empty() && properties_.size() < kMaxProperties)
        properties_[pending_property_] = {out_.criteria.size() - 1, pending_question_};
      pending_property_.clear();
      pending_question_.clear();
    }
  }

  void response(const std::string& value) {
    const std::string& name = path_.back();
    const std::size_t depth = path_.size();
    if (depth == 3 && name == "ValidatedCriterionPropertyID") answer_.property_id = value;
    if (depth == 4 && at(2, "ResponseValue") && name != "ID") {
      static const std::map<std::string, std::string> kinds = {
          {"ResponseIndicator", "indicator"}, {"ResponseDate", "date"},        {"ResponseTime", "time"},
          {"Description", "description"},     {"ResponseAmount", "amount"},    {"ResponseQuantity", "quantity"},
          {"ResponseNumeric", "number"},      {"ResponseCode", "code"},        {"ResponseID", "identifier"},
          {"ResponseURI", "uri"},             {"ResponseMeasure", "measure"},
      };
      const auto it = kinds.find(name);
      const std::string kind = it != kinds.end() ? it->second : name;
      std::string v = value;
      if (!attr_currency_.empty()) v += " " + attr_currency_;
      if (!attr_unit_.empty()) v += " " + attr_unit_;
      add(kind, v);
    }
    if (depth == 4 && at(2, "ApplicablePeriod")) {
      if (name == "StartDate") period_start_ = value;
      if (name == "EndDate") period_end_ = value;
    }
    if (depth == 3 && name == "ApplicablePeriod") {
      add("period", period_start_ + ".." + period_end_);
      period_start_.clear();
      period_end_.clear();
    }
    if (depth == 4 && at(2, "EvidenceSupplied") && name == "ID") add("evidence", value);
  }

  void add(const std::string& kind, const std::string& value) {
    if (!answer_.kind.empty()) {
      answer_.kind += "+" + kind;
      answer_.value += "; " + value;
    } else {
      answer_.kind = kind;
      answer_.value = value;
    }
  }

  void finishAnswer() {
    if (const auto it = properties_.find(answer_.property_id); it != properties_.end()) {
      answer_.criterion_type = out_.criteria[it->second.criterion].type_code;
      answer_.question = it->second.question;
    }
    out_.answers.push_back(std::move(answer_));
    answer_ = EspdAnswer{};
  }

  void record(const xc::SAXParseException& e) {
    ++error_count_;
    if (errors_.size() < kMaxListedErrors)
      errors_.push_back(options_.source_name + ":" + std::to_string(e.getLineNumber()) + ":" +
                        std::to_string(e.getColumnNumber()) + ": " + utf8(e.getMessage()));
  }

  static constexpr std::size_t kMaxProperties = 100000;

  EspdResponse& out_;
  const EspdOptions& options_;
  const xc::Locator* locator_ = nullptr;
  std::vector<std::string> path_;
  std::string text_;
  std::string attr_scheme_, attr_currency_, attr_unit_;
  std::string profile_version_, scheme_version_;
  std::map<std::string, PropertyInfo> properties_;
  std::string pending_property_, pending_question_;
  EspdAnswer answer_;
  std::string period_start_, period_end_;
  std::vector<std::string> errors_;
  std::size_t error_count_ = 0;
};

// "2.1.1" -> {2, 1, 1}; anything else -> empty.
std::vector<int> versionParts(const std::string& v) {
  std::vector<int> parts;
  std::istringstream in(v);
  std::string piece;
  while (std::getline(in, piece, '.')) {
    if (piece.empty() || piece.size() > 3 || piece.find_first_not_of("0123456789") != std::string::npos) return {};
    parts.push_back(std::stoi(piece));
  }
  return parts.size() == 3 ? parts : std::vector<int>{};
}

[[noreturn]] void refuse(const EspdOptions& options, const std::string& where, const std::string& what) {
  throw core::Error(ErrorCode::kInvalidArgument, options.source_name + where + ": the document " + what +
                                                     "; ask the supplier for the ESPD response exported by an ESPD "
                                                     "service (versions 2.1.1 to 4.1.0)");
}


}  // namespace

EspdResponse readEspdResponse(std::string_view xml, const EspdOptions& options) {
  if (xml.size() > options.max_bytes) {
    refuse(options, "", "is " + std::to_string(xml.size()) + " bytes long, more than the limit of " +
                            std::to_string(options.max_bytes));
  }
  initialiseXerces();
  namespace fs = std::filesystem;
  fs::path schema_root;
  fs::path schema_file;
  if (!options.schema_dir.empty()) {
    std::error_code ec;
    schema_root = fs::weakly_canonical(fs::path(options.schema_dir), ec);
    schema_file = schema_root / kSchemaPath;
    if (ec || !fs::is_regular_file(schema_file)) {
      throw core::Error(ErrorCode::kNotFound, "the ESPD schema " + (schema_root / kSchemaPath).string() +
                                                  " is missing: point the ESPD schema folder at an ESPD-EDM "
                                                  "release, or leave it empty to skip validation");
    }
  }

  EspdResponse out;
  EspdHandler handler(out, options);
  SchemaOnlyResolver resolver(schema_root);
  xc::SecurityManager security;
  // Belt and braces: document type declarations are refused anyway, so no entity is ever expanded.
  security.setEntityExpansionLimit(16);
  auto reader = std::make_unique<xc::SAX2XMLReaderImpl>();
  reader->setFeature(xc::XMLUni::fgSAX2CoreNameSpaces, true);
  reader->setFeature(xc::XMLUni::fgSAX2CoreNameSpacePrefixes, false);
  reader->setFeature(xc::XMLUni::fgXercesLoadExternalDTD, false);
  reader->setFeature(xc::XMLUni::fgXercesDisableDefaultEntityResolution, true);
  reader->setFeature(xc::XMLUni::fgXercesCacheGrammarFromParse, false);
  reader->setProperty(xc::XMLUni::fgXercesSecurityManager, &security);
  reader->setContentHandler(&handler);
  reader->setErrorHandler(&handler);
  reader->setLexicalHandler(&handler);
  reader->setXMLEntityResolver(&resolver);
  const bool validate = !schema_file.empty();
  reader->setFeature(xc::XMLUni::fgSAX2CoreValidation, validate);
  reader->setFeature(xc::XMLUni::fgXercesSchema, validate);
  reader->setFeature(xc::XMLUni::fgXercesDynamic, false);
  reader->setFeature(xc::XMLUni::fgXercesLoadSchema, false);
  try {
    if (validate) {
      reader->setFeature(xc::XMLUni::fgXercesUseCachedGrammarInParse, true);
      reader->setFeature(xc::XMLUni::fgXercesSchemaFullChecking, false);
      resolver.loadingSchema(true);
      const bool loaded = reader->loadGrammar(x(utf16(schema_file.string())), xc::Grammar::SchemaGrammarType, true);
      resolver.loadingSchema(false);
      if (!loaded) {
        throw core::Error(ErrorCode::kNotFound, "the ESPD schema " + schema_file.string() + " could not be loaded");
      }
      if (handler.errorCount() > 0) {
        throw core::Error(ErrorCode::kInternal, "the ESPD schema " + schema_file.string() +
                                                    " has errors: " + handler.errors().front());
      }
    }
    const std::u16string id = utf16(options.source_name);
    xc::MemBufInputSource source(reinterpret_cast<const XMLByte*>(xml.data()), xml.size(), x(id), false);
    reader->parse(source);
  } catch (const Refusal& r) {
    refuse(options, r.where, r.message);
  } catch (const xc::SAXParseException& e) {
    refuse(options, ":" + std::to_string(e.getLineNumber()) + ":" + std::to_string(e.getColumnNumber()),
           "is not well-formed XML: " + utf8(e.getMessage()));
  } catch (const xc::OutOfMemoryException&) {
    refuse(options, "", "needs more memory than the parser may use");
  } catch (const xc::XMLException& e) {
    refuse(options, "", "cannot be read: " + utf8(e.getMessage()));
  } catch (const xc::SAXException& e) {
    refuse(options, "", "cannot be read: " + utf8(e.getMessage()));
  }
  if (handler.errorCount() > 0) {
    std::string list;
    for (const std::string& e : handler.errors()) list += "\n  " + e;
    if (handler.errorCount() > handler.errors().size())
      list += "\n  ... and " + std::to_string(handler.errorCount() - handler.errors().size()) + " more";
    throw core::Error(ErrorCode::kInvalidArgument,
                      options.source_name + " does not conform to the ESPD-EDM schema (" +
                          std::to_string(handler.errorCount()) + " errors); ask the supplier for a valid export:" +
                          list);
  }
  out.version = handler.version();
  const std::vector<int> v = versionParts(out.version);
  if (v.empty()) refuse(options, "", "does not say its ESPD-EDM version (cbc:ProfileExecutionID or schemeVersionID)");
  if (v < std::vector<int>{2, 1, 1} || v > std::vector<int>{4, 1, 0})
    refuse(options, "", "is ESPD-EDM version " + out.version + ", which this system does not read");
  if (out.economic_operator_count == 0)
    refuse(options, "", "names no economic operator (cac:EconomicOperatorParty)");
  return out;
}

EspdResponse readEspdResponseFile(const std::string& path, const EspdOptions& options) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) throw core::Error(ErrorCode::kNotFound, "cannot read the ESPD response '" + path + "': " + ec.message());
  EspdOptions named = options;
  if (named.source_name == EspdOptions{}.source_name) named.source_name = path;
  if (size > options.max_bytes) {
    refuse(named, "", "is " + std::to_string(size) + " bytes long, more than the limit of " +
                          std::to_string(options.max_bytes));
  }
  std::ifstream in(path, std::ios::binary);
  std::string xml(static_cast<std::size_t>(size), '\0');
  if (!in.read(xml.data(), static_cast<std::streamsize>(xml.size())))
    throw core::Error(ErrorCode::kNotFound, "cannot read the ESPD response '" + path + "'");
  return readEspdResponse(xml, named);
}

namespace {

// ISO 3166-1 alpha-3 to alpha-2 for the countries whose suppliers may take part (EU, EEA,
// Switzerland, the United Kingdom and the EU's neighbours).
std::string alpha2(const std::string& code) {
  static const std::map<std::string, std::string> table = {
      {"AUT", "AT"}, {"BEL", "BE"}, {"BGR", "BG"}, {"HRV", "HR"}, {"CYP", "CY"}, {"CZE", "CZ"}, {"DNK", "DK"},
      {"EST", "EE"}, {"FIN", "FI"}, {"FRA", "FR"}, {"DEU", "DE"}, {"GRC", "GR"}, {"HUN", "HU"}, {"IRL", "IE"},
      {"ITA", "IT"}, {"LVA", "LV"}, {"LTU", "LT"}, {"LUX", "LU"}, {"MLT", "MT"}, {"NLD", "NL"}, {"POL", "PL"},
      {"PRT", "PT"}, {"ROU", "RO"}, {"SVK", "SK"}, {"SVN", "SI"}, {"ESP", "ES"}, {"SWE", "SE"}, {"ISL", "IS"},
      {"LIE", "LI"}, {"NOR", "NO"}, {"CHE", "CH"}, {"GBR", "GB"}, {"BIH", "BA"}, {"SRB", "RS"}, {"MNE", "ME"},
      {"MKD", "MK"}, {"ALB", "AL"}, {"UKR", "UA"}, {"MDA", "MD"}, {"TUR", "TR"},
  };
  if (code.size() == 2) return code;
  const auto it = table.find(code);
  return it != table.end() ? it->second : code;
}

}  // namespace

core::Supplier supplierFromEspd(const EspdResponse& espd) {
  const EspdParty& p = espd.economic_operator;
  std::vector<std::string> missing;
  if (p.name.empty()) missing.push_back("the operator's name (cac:PartyName/cbc:Name)");
  if (p.identifier.empty()) missing.push_back("the operator's identifier (cac:PartyIdentification/cbc:ID)");
  if (!missing.empty()) {
    std::string list;
    for (const std::string& m : missing) list += (list.empty() ? "" : "; ") + m;
    throw core::Error(ErrorCode::kInvalidArgument,
                      "the ESPD response lacks " + list + ": ask the supplier to complete its ESPD", "espd");
  }
  core::Supplier s;
  s.name = p.name;
  s.tax_number = p.identifier;
  std::string place = p.postal_zone;
  if (!p.city.empty()) place += (place.empty() ? "" : " ") + p.city;
  s.address = p.street;
  if (!place.empty()) s.address += (s.address.empty() ? "" : ", ") + place;
  if (!p.country.empty()) s.country = alpha2(p.country);
  s.email = p.email;
  // ESPD 2 writes "SME" or "true"; later versions the size class in lower case. Unstated: an SME,
  // as most food suppliers are (the officer can correct it).
  std::string size = p.size;
  for (char& c : size) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  s.is_sme = size.empty() || size == "sme" || size == "micro" || size == "small" || size == "medium" || size == "true";
  // The limits every other way in applies to the same fields (core::max_chars).
  std::string too_long;
  const auto limit = [&](const std::string& value, std::size_t most, const char* what) {
    const std::size_t chars = core::charCount(value);
    if (chars > most) {
      too_long += std::string(too_long.empty() ? "" : "; ") + what + " (" + std::to_string(chars) +
                  " characters; at most " + std::to_string(most) + ")";
    }
  };
  limit(s.name, core::max_chars::kName, "the operator's name");
  limit(s.tax_number, core::max_chars::kCode, "the operator's identifier");
  limit(s.address, core::max_chars::kAddress, "the operator's address");
  limit(s.email, core::max_chars::kEmail, "the operator's e-mail address");
  if (!too_long.empty()) {
    throw core::Error(
        ErrorCode::kInvalidArgument,
        "the ESPD response has values too long to store: " + too_long + ": ask the supplier to correct its ESPD",
        "espd");
  }
  return s;
}

std::string selfDeclarationText(const EspdResponse& espd) {
  const EspdParty& p = espd.economic_operator;
  std::ostringstream out;
  out << "ESPD-EDM " << espd.version << " response " << espd.document_id << " (UUID " << espd.uuid << ")\n"
      << "procedure " << espd.contract_folder_id << ", issued " << espd.issue_date << "\n"
      << "operator " << p.name << ", " << p.identifier << (p.identifier_scheme.empty() ? "" : " (" + p.identifier_scheme + ")")
      << ", " << p.country << ", size " << (p.size.empty() ? "-" : p.size) << ", role " << (p.role.empty() ? "-" : p.role)
      << "\n"
      << "criteria " << espd.criteria.size() << ", answers " << espd.answers.size() << "\n";
  for (const EspdAnswer& a : espd.answers) {
    out << (a.criterion_type.empty() ? "-" : a.criterion_type) << " | " << a.property_id << " | "
        << (a.kind.empty() ? "-" : a.kind) << " | " << a.value << "\n";
  }
  return out.str();
}

}  // namespace importer
