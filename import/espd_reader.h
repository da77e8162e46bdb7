#pragma once
// importer::readEspdResponse: a supplier's European Single Procurement Document (ESPD-EDM, UBL 2.3
// QualificationApplicationResponse, versions 2.1.1 to 4.1.0) read into the supplier's identity and
// its answers, from which an admission request's self-declaration is made.
//
// The document comes from outside, so the parser is hardened: a document type declaration (and
// with it every entity declaration: "billion laughs", external entities) is refused outright, no
// external resource is ever fetched (only the configured schema files are read), and the input
// size and element depth are limited. When a schema folder is configured the document is also
// validated against the ESPD-EDM XSD (Xerces-C), and every schema error is reported.
//
// Failures throw core::Error(kInvalidArgument) whose message names the document, the line and
// column, and what to do; kNotFound when the schema folder lacks the schema.
// Thread-safety: reentrant; each call uses its own parser.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/model.h"

namespace importer {

struct EspdOptions {
  // Names the document in messages ("espd-response.xml").
  std::string source_name = "ESPD response";
  // The ESPD-EDM folder (holding ubl-2.3/xsdrt/maindoc/...); empty: no schema validation.
  std::string schema_dir;
  // Documents larger than this are refused unread (the official examples are about 1.3 MB).
  std::size_t max_bytes = 16u << 20;
  // Elements nested deeper than this are refused (the official examples reach about 12).
  int max_depth = 64;
};

// The economic operator as the ESPD names it (cac:EconomicOperatorParty/cac:Party).
struct EspdParty {
  std::string name;
  std::string identifier;         // cac:PartyIdentification/cbc:ID, e.g. the VAT or tax number
  std::string identifier_scheme;  // its schemeAgencyID or schemeID, when given
  std::string street;
  std::string postal_zone;
  std::string city;
  std::string country;  // as written: ISO 3166-1 alpha-3 (ESPD 3 and 4) or alpha-2 (ESPD 2)
  std::string contact_name;
  std::string email;
  std::string telephone;
  std::string website;
  std::string size;  // cbc:IndustryClassificationCode: "sme", "micro", "small", "medium", "large", ...
  std::string role;  // cac:EconomicOperatorRole/cbc:RoleCode, e.g. "sole-contractor", "group-mem"
};

struct EspdCriterion {
  std::string id;
  std::string type_code;  // "crime-org", "corruption", ...
  std::string name;
};

// One answer (cac:TenderingCriterionResponse): which question it answers and the value given.
struct EspdAnswer {
  std::string property_id;     // cbc:ValidatedCriterionPropertyID
  std::string criterion_type;  // the answered criterion's type code; empty when the property is unknown
  std::string question;        // the property's description, when the document gives one
  std::string kind;            // "indicator", "date", "description", "amount", "quantity", "code", "period", ...
  std::string value;           // as written; an amount carries its currency ("1000 EUR"), a period "from..to"
};

struct EspdResponse {
  std::string version;  // "2.1.1", "3.3.0", "4.1.0"
  std::string document_id;
  std::string uuid;
  std::string contract_folder_id;  // the procedure the ESPD was made for
  std::string issue_date;
  EspdParty economic_operator;  // the first cac:EconomicOperatorParty
  int economic_operator_count = 0;
  std::vector<EspdCriterion> criteria;
  std::vector<EspdAnswer> answers;
};

// Reads and checks one ESPD response held in memory.
EspdResponse readEspdResponse(std::string_view xml, const EspdOptions& options);
// Reads the file at `path` (refused unread when larger than options.max_bytes).
EspdResponse readEspdResponseFile(const std::string& path, const EspdOptions& options);

// The supplier's identity for registration or for matching a stored supplier by tax number:
// name, tax_number (the party identifier), address, country (alpha-2), e-mail, SME. Throws
// core::Error(kInvalidArgument) listing what the document lacks (name, identifier).
core::Supplier supplierFromEspd(const EspdResponse& espd);

// The self-declaration of an admission request in readable, stable text: the document, the
// operator, then one line per answer "criterion | property | kind | value".
std::string selfDeclarationText(const EspdResponse& espd);

}  // namespace importer
