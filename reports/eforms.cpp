// eForms contract notice (subtype 16) and contract award notice (subtype 29) from the store.
#include "reports/eforms.h"

#include <algorithm>
#include <array>
#include <map>
#include <optional>
#include <utility>

#include "core/digest.h"
#include "core/error.h"
#include "reports/builders.h"
#include "reports/xml.h"

namespace reports {

using core::Error;
using core::ErrorCode;
using core::Id;
using xercesc::DOMElement;

namespace {

constexpr const char* kCn = "urn:oasis:names:specification:ubl:schema:xsd:ContractNotice-2";
constexpr const char* kCan = "urn:oasis:names:specification:ubl:schema:xsd:ContractAwardNotice-2";
constexpr const char* kCac = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2";
constexpr const char* kCbc = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2";
constexpr const char* kExt = "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2";
constexpr const char* kEfac = "http://data.europa.eu/p27/eforms-ubl-extension-aggregate-components/1";
constexpr const char* kEfext = "http://data.europa.eu/p27/eforms-ubl-extensions/1";
constexpr const char* kEfbc = "http://data.europa.eu/p27/eforms-ubl-extension-basic-components/1";

using Attrs = std::vector<std::pair<std::string, std::string>>;

// A UBL document with the eForms prefixes declared on its root.
class Ubl {
 public:
  Ubl(const char* ns, const char* root) : doc(ns, root) {
    doc.declare("cac", kCac);
    doc.declare("cbc", kCbc);
    doc.declare("ext", kExt);
    doc.declare("efac", kEfac);
    doc.declare("efext", kEfext);
    doc.declare("efbc", kEfbc);
  }
  DOMElement* cac(DOMElement* parent, const std::string& name) { return doc.addNs(parent, kCac, "cac:" + name); }
  DOMElement* efac(DOMElement* parent, const std::string& name) { return doc.addNs(parent, kEfac, "efac:" + name); }
  DOMElement* cbc(DOMElement* parent, const std::string& name, const std::string& text, const Attrs& attrs = {}) {
    return leaf(doc.addNs(parent, kCbc, "cbc:" + name), text, attrs);
  }
  DOMElement* efbc(DOMElement* parent, const std::string& name, const std::string& text, const Attrs& attrs = {}) {
    return leaf(doc.addNs(parent, kEfbc, "efbc:" + name), text, attrs);
  }
  // ext:UBLExtensions/ext:UBLExtension/ext:ExtensionContent/efext:EformsExtension
  DOMElement* extension(DOMElement* parent) {
    DOMElement* e = doc.addNs(parent, kExt, "ext:UBLExtensions");
    e = doc.addNs(e, kExt, "ext:UBLExtension");
    e = doc.addNs(e, kExt, "ext:ExtensionContent");
    return doc.addNs(e, kEfext, "efext:EformsExtension");
  }
  // <cac:NAME><cac:PartyIdentification><cbc:ID schemeName=scheme>id</cbc:ID>...
  DOMElement* partyRef(DOMElement* parent, const std::string& name, const std::string& id,
                       const std::string& scheme = "organization") {
    DOMElement* p = cac(parent, name);
    cbc(cac(p, "PartyIdentification"), "ID", id, {{"schemeName", scheme}});
    return p;
  }
  DOMElement* idRef(DOMElement* parent, const std::string& efac_name, const std::string& id, const std::string& scheme) {
    DOMElement* e = efac(parent, efac_name);
    cbc(e, "ID", id, {{"schemeName", scheme}});
    return e;
  }
  xml::Document doc;

 private:
  DOMElement* leaf(DOMElement* e, const std::string& text, const Attrs& attrs) {
    for (const auto& [k, v] : attrs) doc.attr(e, k, v);
    e->setTextContent(xml::toXml(text).c_str());
    return e;
  }
};

std::string numbered(const char* prefix, std::size_t n) {
  std::string digits = std::to_string(n);
  if (digits.size() < 4) digits.insert(0, 4 - digits.size(), '0');
  return std::string(prefix) + "-" + digits;
}

// A UUID (version 4 layout) derived from `seed`, so that a notice exported twice keeps its identifiers.
std::string uuidFrom(const std::string& seed) {
  std::string h = core::sha256Hex(seed).substr(0, 32);
  h[12] = '4';
  static constexpr std::array<char, 4> kVariant{'8', '9', 'a', 'b'};
  h[16] = kVariant[static_cast<std::size_t>(h[16] >= 'a' ? h[16] - 'a' + 10 : h[16] - '0') % 4];
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) + "-" + h.substr(20, 12);
}

std::string dateOf(core::TimePoint t) { return core::formatTime(t).substr(0, 10) + "Z"; }
std::string timeOf(core::TimePoint t) { return core::formatTime(t).substr(11, 8) + "Z"; }

std::string languageOf(const std::string& country) {
  static const std::map<std::string, std::string> kLanguages{
      {"SI", "SLV"}, {"AT", "DEU"}, {"DE", "DEU"}, {"HR", "HRV"}, {"IT", "ITA"}, {"HU", "HUN"}, {"FR", "FRA"},
      {"ES", "SPA"}, {"PL", "POL"}, {"CZ", "CES"}, {"SK", "SLK"}, {"NL", "NLD"}, {"PT", "POR"}, {"IE", "ENG"}};
  const auto it = kLanguages.find(country);
  return it == kLanguages.end() ? "ENG" : it->second;
}

struct Organization {
  std::string id;
  std::string name;
  std::string city;
  std::string postal_code;
  std::string nuts;
  std::string country;  // alpha-3
  std::string company_id;
  std::string size;  // BT-165 (winners): micro, small, medium, large
  std::string phone;
  std::string email;
};

void writeOrganizations(Ubl& u, DOMElement* extension, const std::vector<Organization>& orgs, const std::string& lang) {
  DOMElement* list = u.efac(extension, "Organizations");
  for (const Organization& o : orgs) {
    DOMElement* company = u.efac(u.efac(list, "Organization"), "Company");
    if (!o.size.empty()) u.efbc(company, "CompanySizeCode", o.size, {{"listName", "economic-operator-size"}});
    u.cbc(u.cac(company, "PartyIdentification"), "ID", o.id, {{"schemeName", "organization"}});
    u.cbc(u.cac(company, "PartyName"), "Name", o.name, {{"languageID", lang}});
    DOMElement* address = u.cac(company, "PostalAddress");
    u.cbc(address, "CityName", o.city);
    if (!o.postal_code.empty()) u.cbc(address, "PostalZone", o.postal_code);
    if (!o.nuts.empty()) u.cbc(address, "CountrySubentityCode", o.nuts, {{"listName", "nuts"}});
    u.cbc(u.cac(address, "Country"), "IdentificationCode", o.country, {{"listName", "country"}});
    u.cbc(u.cac(company, "PartyLegalEntity"), "CompanyID", o.company_id.empty() ? o.name : o.company_id);
    if (!o.phone.empty() || !o.email.empty()) {
      DOMElement* contact = u.cac(company, "Contact");
      if (!o.phone.empty()) u.cbc(contact, "Telephone", o.phone);  // BT-503
      if (!o.email.empty()) u.cbc(contact, "ElectronicMail", o.email);
    }
  }
}

// Everything a notice reads from the store, in one transaction.
struct NoticeData {
  core::Dps dps;
  core::Authority authority;
  std::vector<core::Category> categories;
  std::vector<core::Criterion> criteria;
  struct AwardedRound {
    core::Round round;
    core::AwardDecision decision;
    std::vector<core::Lot> lots;
    std::vector<core::AwardLine> lines;
    std::vector<core::LotResult> results;
    std::vector<core::Bid> bids;
  };
  std::vector<AwardedRound> rounds;
  std::map<Id, core::Supplier> suppliers;
};

NoticeData loadDps(core::Tx& tx, Id dps_id) {
  NoticeData d;
  const auto dps = tx.getDps(dps_id);
  if (!dps) throw Error(ErrorCode::kNotFound, "DPS " + std::to_string(dps_id) + " does not exist; check the DPS id");
  d.dps = *dps;
  const auto authority = tx.getAuthority(d.dps.authority_id);
  if (!authority)
    throw Error(ErrorCode::kInternal, "the authority of DPS " + d.dps.reference + " does not exist; the store is inconsistent");
  d.authority = *authority;
  d.categories = tx.listCategories(d.dps.id);
  std::sort(d.categories.begin(), d.categories.end(),
            [](const core::Category& a, const core::Category& b) { return a.id < b.id; });
  d.criteria = tx.listCriteria(d.dps.id, d.dps.criteria_version);
  return d;
}

void loadRound(core::Tx& tx, NoticeData& d, const core::Round& r, const core::AwardDecision& decision) {
  NoticeData::AwardedRound a;
  a.round = r;
  a.decision = decision;
  a.lots = tx.listLots(r.id);
  a.lines = tx.listAwardLines(r.id);
  a.results = tx.listLotResults(r.id);
  a.bids = tx.listBids(r.id);
  for (const core::Bid& b : a.bids)
    if (!d.suppliers.count(b.supplier_id))
      if (const auto s = tx.getSupplier(b.supplier_id)) d.suppliers[b.supplier_id] = *s;
  d.rounds.push_back(std::move(a));
}

void requireParties(const NoticeParties& p) {
  std::vector<std::string> missing;
  if (p.buyer_city.empty()) missing.push_back("buyer_city (BT-513)");
  if (p.buyer_nuts.empty()) missing.push_back("buyer_nuts (BT-507, place of performance BT-5071)");
  if (p.buyer_company_id.empty()) missing.push_back("buyer_company_id (BT-501)");
  if (p.buyer_phone.empty()) missing.push_back("buyer_phone (BT-503)");
  if (p.submission_url.empty() && p.documents_url.empty())
    missing.push_back("submission_url (BT-18, where requests to participate are submitted) or documents_url");
  if (p.review_body_name.empty()) missing.push_back("review_body_name (the review body, OPT-301)");
  if (p.review_body_city.empty()) missing.push_back("review_body_city");
  if (!missing.empty())
    detail::throwProblems(ErrorCode::kInvalidArgument, "the notice needs settings the store does not hold", missing,
                          "give them in the notice settings (the buyer's address and registration number and "
                          "the review body)");
}

std::string criterionDescription(const core::Criterion& c) {
  std::string formula;
  switch (c.formula) {
    case core::Formula::kRelativeToBest:
      formula = "weight x best / value (lower is better)";
      break;
    case core::Formula::kLinearBand:
      formula = "full points at or below " + c.a.toString() + ", none at or above " + c.b.toString() + ", linear between";
      break;
    case core::Formula::kBands:
      formula = "published bands:";
      for (const core::Band& b : c.bands)
        formula += " up to " + b.threshold.toString() + " -> " + b.points.toDecimalString(3);
      break;
    case core::Formula::kYesNo:
      formula = "full points when the declared fact holds" + (c.fact.empty() ? std::string() : " (" + c.fact + ")");
      break;
  }
  return (c.description.empty() ? std::string(core::toString(c.kind)) : c.description) + "; " + formula;
}

class NoticeWriter {
 public:
  NoticeWriter(const NoticeData& data, const NoticeParties& parties, const NoticeOptions& options)
      : d_(data), p_(parties), o_(options) {
    requireParties(p_);
    country_ = countryAlpha3(d_.authority.country);
    lang_ = p_.language.empty() ? languageOf(d_.authority.country) : p_.language;
  }

  std::string contractNotice() {
    Ubl u(kCn, "ContractNotice");
    DOMElement* root = u.doc.root();
    DOMElement* ext = u.extension(root);
    u.cbc(u.efac(ext, "NoticeSubType"), "SubTypeCode", "16", {{"listName", "notice-subtype"}});
    writeOrganizations(u, ext, baseOrganizations(), lang_);
    header(u, root, "cn:" + d_.dps.reference, "competition", "cn-standard");
    contractingParty(u, root);
    DOMElement* terms = u.cac(root, "TenderingTerms");
    u.cbc(u.cac(u.cac(terms, "TendererQualificationRequest"), "SpecificTendererRequirement"),
          "TendererRequirementTypeCode", "epo-procurement-document", {{"listName", "exclusion-grounds-source"}});
    DOMElement* process = u.cac(root, "TenderingProcess");
    u.cbc(process, "ProcedureCode", "restricted", {{"listName", "procurement-procedure-type"}});
    u.cbc(u.cac(process, "ProcessJustification"), "ProcessReasonCode", "false", {{"listName", "accelerated-procedure"}});
    project(u, root, d_.dps.title, d_.dps.title, d_.dps.cpv);
    for (std::size_t i = 0; i < d_.categories.size(); ++i) {
      const core::Category& c = d_.categories[i];
      DOMElement* lot = u.cac(root, "ProcurementProjectLot");
      u.cbc(lot, "ID", numbered("LOT", i + 1), {{"schemeName", "Lot"}});
      DOMElement* lt = u.cac(lot, "TenderingTerms");
      u.cbc(lt, "FundingProgramCode", "no-eu-funds", {{"listName", "eu-funded"}});
      DOMElement* docs = u.cac(lt, "CallForTendersDocumentReference");
      u.cbc(docs, "ID", d_.dps.reference);
      u.cbc(docs, "DocumentType", "non-restricted-document");
      if (!p_.documents_url.empty()) u.cbc(u.cac(u.cac(docs, "Attachment"), "ExternalReference"), "URI", p_.documents_url);
      u.cbc(u.cac(u.cac(lt, "TendererQualificationRequest"), "SpecificTendererRequirement"),
            "TendererRequirementTypeCode", "none", {{"listName", "reserved-procurement"}});
      u.cbc(u.cac(u.cac(lt, "TendererQualificationRequest"), "SpecificTendererRequirement"),
            "TendererRequirementTypeCode", "epo-procurement-document", {{"listName", "selection-criteria-source"}});
      u.cbc(u.cac(lt, "ContractExecutionRequirement"), "ExecutionRequirementCode", "no",
            {{"listName", "reserved-execution"}});
      u.cbc(u.cac(lt, "ContractExecutionRequirement"), "ExecutionRequirementCode", "allowed",
            {{"listName", "einvoicing"}});
      u.cbc(u.cac(lt, "ContractExecutionRequirement"), "ExecutionRequirementCode", "not-allowed",
            {{"listName", "ecatalog-submission"}});
      awardingTerms(u, lt);
      // BT-18: requests to participate are submitted electronically, here.
      u.cbc(u.cac(lt, "TenderRecipientParty"), "EndpointID",
            p_.submission_url.empty() ? p_.documents_url : p_.submission_url);
      appealTerms(u, lt);
      u.cbc(u.cac(lt, "Language"), "ID", lang_);
      DOMElement* post = u.cac(lt, "PostAwardProcess");
      u.cbc(post, "ElectronicOrderUsageIndicator", "false");
      u.cbc(post, "ElectronicPaymentUsageIndicator", "true");
      DOMElement* lp = u.cac(lot, "TenderingProcess");
      u.cbc(lp, "SubmissionMethodCode", "required", {{"listName", "esubmission"}});
      u.cbc(lp, "GovernmentAgreementConstraintIndicator", "true");
      DOMElement* period = u.cac(lp, "ParticipationRequestReceptionPeriod");
      u.cbc(period, "EndDate", dateOf(d_.dps.request_deadline));
      u.cbc(period, "EndTime", timeOf(d_.dps.request_deadline));
      // Rule 4 (Art. 34(2)): every qualified candidate is admitted; no shortlist, so at least one.
      DOMElement* shortlist = u.cac(lp, "EconomicOperatorShortList");
      u.cbc(shortlist, "LimitationDescription", "false");
      u.cbc(shortlist, "MinimumQuantity", "1");
      lotSystem(u, lp);
      DOMElement* pp = lotProject(u, lot, c);
      DOMElement* planned = u.cac(pp, "PlannedPeriod");
      u.cbc(planned, "StartDate", dateOf(d_.dps.published_at.value_or(o_.issued_at)));
      u.cbc(planned, "EndDate", dateOf(d_.dps.valid_until));
    }
    return finish(u, "UBL-ContractNotice-2.3.xsd", "contract notice");
  }

  // Lots are the categories of the rounds given; each awarded (round lot, bid) is a settled contract.
  std::string awardNotice(const std::string& seed) {
    Ubl u(kCan, "ContractAwardNotice");
    DOMElement* root = u.doc.root();
    DOMElement* ext = u.extension(root);
    DOMElement* result = u.efac(ext, "NoticeResult");

    struct Tender {
      std::string id;
      std::string party;
      std::string lot;
      std::string reference;
      int rank = 0;
      core::Decimal value;
    };
    struct Contract {
      std::string id;
      std::string tender;
      std::string reference;
      core::TimePoint issued{};
    };
    struct LotOutcome {
      std::vector<std::string> tenders;
      std::vector<std::string> contracts;
      int received = 0;
      int received_sme = 0;
    };
    std::vector<Tender> tenders;
    std::vector<Contract> contracts;
    std::map<std::size_t, LotOutcome> outcomes;  // category index
    std::map<Id, std::string> party_of;           // supplier -> TPA
    std::vector<std::string> unsized;             // winners whose size class is not recorded
    std::vector<Organization> orgs = baseOrganizations();
    std::map<Id, std::string> org_of;
    core::Decimal total;
    core::TimePoint award_date{};

    for (const NoticeData::AwardedRound& a : d_.rounds) {
      const std::size_t cat = categoryIndex(a.round.category_id);
      LotOutcome& outcome = outcomes[cat];
      award_date = std::max(award_date, a.decision.decided_at);
      for (const core::Bid& b : a.bids) {
        if (b.status == core::BidStatus::kSuperseded || b.status == core::BidStatus::kWithdrawn) continue;
        ++outcome.received;
        const auto s = d_.suppliers.find(b.supplier_id);
        if (s != d_.suppliers.end() && s->second.is_sme) ++outcome.received_sme;
      }
      std::map<std::pair<Id, Id>, core::Decimal> value;  // (round lot, bid)
      std::vector<std::pair<Id, Id>> order;
      std::map<Id, Id> supplier_of_bid;
      for (const core::AwardLine& l : a.lines) {
        const auto key = std::make_pair(l.lot_id, l.bid_id);
        if (!value.count(key)) order.push_back(key);
        value[key] += l.quantity * l.unit_price;
        supplier_of_bid[l.bid_id] = l.supplier_id;
      }
      for (const auto& key : order) {
        const Id supplier = supplier_of_bid[key.second];
        if (!party_of.count(supplier)) {
          party_of[supplier] = numbered("TPA", party_of.size() + 1);
          Organization org;
          org.id = numbered("ORG", orgs.size() + 1);
          const auto s = d_.suppliers.find(supplier);
          org.name = s != d_.suppliers.end() ? s->second.name : "supplier " + std::to_string(supplier);
          org.city = s != d_.suppliers.end() && !s->second.address.empty() ? s->second.address : p_.buyer_city;
          org.country = countryAlpha3(s != d_.suppliers.end() ? s->second.country : d_.authority.country);
          org.company_id = s != d_.suppliers.end() ? s->second.tax_number : "";
          org.email = s != d_.suppliers.end() ? s->second.email : "";
          if (s != d_.suppliers.end())
            org.size = !s->second.size_class.empty() ? s->second.size_class : s->second.is_sme ? "" : "large";
          if (org.size.empty()) unsized.push_back(org.name + " (tax number " + org.company_id + ")");
          org_of[supplier] = org.id;
          orgs.push_back(org);
        }
        int lot_number = 0;
        for (const core::Lot& l : a.lots)
          if (l.id == key.first) lot_number = l.number;
        int rank = 0;
        for (const core::LotResult& r : a.results)
          if (r.lot_id == key.first && r.bid_id == key.second && r.delivery_point_id == 0) rank = r.rank;
        Tender t;
        t.id = numbered("TEN", tenders.size() + 1);
        t.party = party_of[supplier];
        t.lot = numbered("LOT", cat + 1);
        t.reference = a.round.reference + "/lot " + std::to_string(lot_number) + "/bid " + std::to_string(key.second);
        t.rank = rank;
        t.value = value[key];
        total += t.value;
        tenders.push_back(t);
        Contract c;
        c.id = numbered("CON", contracts.size() + 1);
        c.tender = t.id;
        c.reference = a.round.reference + "/" + std::to_string(lot_number) + "/" + std::to_string(key.second);
        c.issued = a.decision.standstill_end.value_or(a.decision.decided_at);
        contracts.push_back(c);
        outcome.tenders.push_back(t.id);
        outcome.contracts.push_back(c.id);
      }
    }

    u.cbc(result, "TotalAmount", total.toString(), {{"currencyID", "EUR"}});
    std::size_t result_number = 0;
    for (const auto& [cat, outcome] : outcomes) {
      DOMElement* lr = u.efac(result, "LotResult");
      u.cbc(lr, "ID", numbered("RES", ++result_number), {{"schemeName", "result"}});
      u.cbc(lr, "TenderResultCode", outcome.contracts.empty() ? "clos-nw" : "selec-w",
            {{"listName", "winner-selection-status"}});
      u.efbc(lr, "DPSTerminationIndicator", d_.dps.status == core::DpsStatus::kTerminated ? "true" : "false");
      for (const std::string& t : outcome.tenders) u.idRef(lr, "LotTender", t, "tender");
      const std::array<std::pair<const char*, int>, 3> stats{{{"tenders", outcome.received},
                                                              {"t-sme", outcome.received_sme},
                                                              {"t-large", outcome.received - outcome.received_sme}}};
      for (const auto& [code, count] : stats) {
        DOMElement* s = u.efac(lr, "ReceivedSubmissionsStatistics");
        u.efbc(s, "StatisticsCode", code, {{"listName", "received-submission-type"}});
        u.efbc(s, "StatisticsNumeric", std::to_string(count));
      }
      for (const std::string& c : outcome.contracts) u.idRef(lr, "SettledContract", c, "contract");
      u.idRef(lr, "TenderLot", numbered("LOT", cat + 1), "Lot");
    }
    for (const Tender& t : tenders) {
      DOMElement* e = u.efac(result, "LotTender");
      u.cbc(e, "ID", t.id, {{"schemeName", "tender"}});
      if (t.rank > 0) {
        u.cbc(e, "RankCode", std::to_string(t.rank));
        u.efbc(e, "TenderRankedIndicator", "true");
      }
      u.cbc(u.cac(e, "LegalMonetaryTotal"), "PayableAmount", t.value.toString(), {{"currencyID", "EUR"}});
      // BT-773: a tender in this system is the supplier's own delivery of its produce; the bid form
      // has no subcontracting, so none is declared.
      u.efbc(u.efac(e, "SubcontractingTerm"), "TermCode", "no", {{"listName", "applicability"}});
      u.idRef(e, "TenderingParty", t.party, "tendering-party");
      u.idRef(e, "TenderLot", t.lot, "Lot");
      u.cbc(u.efac(e, "TenderReference"), "ID", t.reference);
    }
    for (const Contract& c : contracts) {
      DOMElement* e = u.efac(result, "SettledContract");
      u.cbc(e, "ID", c.id, {{"schemeName", "contract"}});
      u.cbc(e, "IssueDate", dateOf(c.issued));
      u.partyRef(e, "SignatoryParty", "ORG-0001");
      u.cbc(u.efac(e, "ContractReference"), "ID", c.reference);
      u.idRef(e, "LotTender", c.tender, "tender");
    }
    for (const auto& [supplier, party] : party_of) {
      DOMElement* e = u.efac(result, "TenderingParty");
      u.cbc(e, "ID", party, {{"schemeName", "tendering-party"}});
      u.idRef(e, "Tenderer", org_of[supplier], "organization");
    }
    if (!unsized.empty())
      detail::throwProblems(ErrorCode::kInvalidArgument,
                            "the award notice names each winner's size (BT-165), which is not recorded for", unsized,
                            "record the size class (micro, small, medium or large) in the supplier's record, then "
                            "write the notice again");
    u.cbc(u.efac(ext, "NoticeSubType"), "SubTypeCode", "29", {{"listName", "notice-subtype"}});
    writeOrganizations(u, ext, orgs, lang_);

    header(u, root, seed, "result", "can-standard");
    contractingParty(u, root);
    DOMElement* process = u.cac(root, "TenderingProcess");
    u.cbc(process, "ProcedureCode", "restricted", {{"listName", "procurement-procedure-type"}});
    project(u, root, d_.dps.title, d_.dps.title, d_.dps.cpv);
    for (const auto& [cat, outcome] : outcomes) {
      const core::Category& c = d_.categories[cat];
      DOMElement* lot = u.cac(root, "ProcurementProjectLot");
      u.cbc(lot, "ID", numbered("LOT", cat + 1), {{"schemeName", "Lot"}});
      DOMElement* lt = u.cac(lot, "TenderingTerms");
      u.cbc(lt, "FundingProgramCode", "no-eu-funds", {{"listName", "eu-funded"}});
      awardingTerms(u, lt);
      appealTerms(u, lt);
      DOMElement* lp = u.cac(lot, "TenderingProcess");
      u.cbc(lp, "GovernmentAgreementConstraintIndicator", "true");
      lotSystem(u, lp);
      lotProject(u, lot, c);
    }
    u.cbc(u.cac(root, "TenderResult"), "AwardDate", dateOf(award_date));
    return finish(u, "UBL-ContractAwardNotice-2.3.xsd", "contract award notice");
  }

 private:
  std::size_t categoryIndex(Id category_id) const {
    for (std::size_t i = 0; i < d_.categories.size(); ++i)
      if (d_.categories[i].id == category_id) return i;
    throw Error(ErrorCode::kInternal, "category " + std::to_string(category_id) + " is not a category of DPS " +
                                          d_.dps.reference + "; the store is inconsistent");
  }

  std::vector<Organization> baseOrganizations() const {
    Organization buyer;
    buyer.id = "ORG-0001";
    buyer.name = d_.authority.name;
    buyer.city = p_.buyer_city;
    buyer.postal_code = p_.buyer_postal_code;
    buyer.nuts = p_.buyer_nuts;
    buyer.country = country_;
    buyer.company_id = p_.buyer_company_id;
    buyer.phone = p_.buyer_phone;
    buyer.email = p_.buyer_email;
    Organization review;
    review.id = "ORG-0002";
    review.name = p_.review_body_name;
    review.city = p_.review_body_city;
    review.country = country_;
    review.company_id = p_.review_body_company_id;
    return {buyer, review};
  }

  void header(Ubl& u, DOMElement* root, const std::string& seed, const char* list, const char* type) {
    u.cbc(root, "UBLVersionID", "2.3");
    u.cbc(root, "CustomizationID", "eforms-sdk-1.15");
    u.cbc(root, "ID", uuidFrom(seed + "@" + core::formatTime(o_.issued_at)), {{"schemeName", "notice-id"}});
    // BT-04: the DPS's procedure identifier, the same in every notice of the DPS.
    u.cbc(root, "ContractFolderID", uuidFrom("procedure:" + d_.dps.reference));
    u.cbc(root, "IssueDate", dateOf(o_.issued_at));
    u.cbc(root, "IssueTime", timeOf(o_.issued_at));
    u.cbc(root, "VersionID", "01");
    u.cbc(root, "RegulatoryDomain", "32014L0024");
    u.cbc(root, "NoticeTypeCode", type, {{"listName", list}});
    u.cbc(root, "NoticeLanguageCode", lang_);
  }

  void contractingParty(Ubl& u, DOMElement* root) {
    DOMElement* cp = u.cac(root, "ContractingParty");
    u.cbc(u.cac(cp, "ContractingPartyType"), "PartyTypeCode", p_.buyer_legal_type, {{"listName", "buyer-legal-type"}});
    u.cbc(u.cac(cp, "ContractingActivity"), "ActivityTypeCode", p_.buyer_activity,
          {{"listName", "authority-activity"}});
    u.partyRef(cp, "Party", "ORG-0001");
  }

  void location(Ubl& u, DOMElement* parent) {
    DOMElement* address = u.cac(u.cac(parent, "RealizedLocation"), "Address");
    u.cbc(address, "CountrySubentityCode", p_.buyer_nuts, {{"listName", "nuts"}});
    u.cbc(u.cac(address, "Country"), "IdentificationCode", country_, {{"listName", "country"}});
  }

  void project(Ubl& u, DOMElement* root, const std::string& name, const std::string& description,
               const std::string& cpv) {
    DOMElement* pp = u.cac(root, "ProcurementProject");
    u.cbc(pp, "Name", name, {{"languageID", lang_}});
    u.cbc(pp, "Description", description, {{"languageID", lang_}});
    u.cbc(pp, "ProcurementTypeCode", "supplies", {{"listName", "contract-nature"}});
    u.cbc(u.cac(pp, "MainCommodityClassification"), "ItemClassificationCode", cpv.substr(0, 8), {{"listName", "cpv"}});
    location(u, pp);
  }

  DOMElement* lotProject(Ubl& u, DOMElement* lot, const core::Category& c) {
    DOMElement* pp = u.cac(lot, "ProcurementProject");
    u.cbc(pp, "ID", c.code, {{"schemeName", "InternalID"}});
    u.cbc(pp, "Name", c.name, {{"languageID", lang_}});
    u.cbc(pp, "Description",
          c.name + (c.area.empty() ? std::string() : " (delivery area " + c.area + ")") +
              "; a category of the dynamic purchasing system " + d_.dps.reference,
          {{"languageID", lang_}});
    u.cbc(pp, "ProcurementTypeCode", "supplies", {{"listName", "contract-nature"}});
    u.cbc(u.cac(pp, "MainCommodityClassification"), "ItemClassificationCode",
          (c.cpv.empty() ? d_.dps.cpv : c.cpv).substr(0, 8), {{"listName", "cpv"}});
    location(u, pp);
    return pp;
  }

  void awardingTerms(Ubl& u, DOMElement* terms) {
    DOMElement* criterion = u.cac(u.cac(terms, "AwardingTerms"), "AwardingCriterion");
    for (const core::Criterion& c : d_.criteria) {
      DOMElement* sub = u.cac(criterion, "SubordinateAwardingCriterion");
      DOMElement* param = u.efac(u.extension(sub), "AwardCriterionParameter");
      u.efbc(param, "ParameterCode", "per-exa", {{"listName", "number-weight"}});
      u.efbc(param, "ParameterNumeric", std::to_string(c.weight));
      u.cbc(sub, "AwardingCriterionTypeCode", c.kind == core::CriterionKind::kPrice ? "price" : "quality",
            {{"listName", "award-criterion-type"}});
      u.cbc(sub, "Name", core::toString(c.kind), {{"languageID", lang_}});
      u.cbc(sub, "Description", criterionDescription(c), {{"languageID", lang_}});
    }
  }

  // The review body receives requests for review and gives information about them (OPT-301).
  void appealTerms(Ubl& u, DOMElement* terms) {
    DOMElement* appeal = u.cac(terms, "AppealTerms");
    u.partyRef(appeal, "AppealInformationParty", "ORG-0002");
    u.partyRef(appeal, "AppealReceiverParty", "ORG-0002");
  }

  void lotSystem(Ubl& u, DOMElement* process) {
    u.cbc(u.cac(process, "AuctionTerms"), "AuctionConstraintIndicator", "false");
    u.cbc(u.cac(process, "ContractingSystem"), "ContractingSystemTypeCode", "none",
          {{"listName", "framework-agreement"}});
    u.cbc(u.cac(process, "ContractingSystem"), "ContractingSystemTypeCode", "dps-list", {{"listName", "dps-usage"}});
  }

  std::string finish(Ubl& u, const char* maindoc, const char* what) {
    const auto schema = xml::Schema::load(o_.eforms_sdk_dir + "/schemas/maindoc/" + maindoc);
    std::string bytes = xml::serialise(u.doc, o_.pretty);
    const std::vector<std::string> problems = schema->validate(bytes, what);
    if (!problems.empty())
      detail::throwProblems(ErrorCode::kInternal, std::string("the ") + what + " is not valid against " + schema->path(),
                            problems, "no notice was written; report this defect");
    return bytes;
  }

  const NoticeData& d_;
  const NoticeParties& p_;
  const NoticeOptions& o_;
  std::string country_;
  std::string lang_;
};

}  // namespace

std::string countryAlpha3(const std::string& alpha2) {
  static const std::map<std::string, std::string> kCodes{
      {"AT", "AUT"}, {"BE", "BEL"}, {"BG", "BGR"}, {"HR", "HRV"}, {"CY", "CYP"}, {"CZ", "CZE"}, {"DK", "DNK"},
      {"EE", "EST"}, {"FI", "FIN"}, {"FR", "FRA"}, {"DE", "DEU"}, {"GR", "GRC"}, {"HU", "HUN"}, {"IE", "IRL"},
      {"IT", "ITA"}, {"LV", "LVA"}, {"LT", "LTU"}, {"LU", "LUX"}, {"MT", "MLT"}, {"NL", "NLD"}, {"PL", "POL"},
      {"PT", "PRT"}, {"RO", "ROU"}, {"SK", "SVK"}, {"SI", "SVN"}, {"ES", "ESP"}, {"SE", "SWE"}, {"IS", "ISL"},
      {"LI", "LIE"}, {"NO", "NOR"}, {"CH", "CHE"}, {"GB", "GBR"}};
  const auto it = kCodes.find(alpha2);
  if (it == kCodes.end())
    throw Error(ErrorCode::kInvalidArgument, "country '" + alpha2 +
                                                 "' is not an EU/EEA country code known to the notices; use the "
                                                 "ISO 3166-1 alpha-2 code (\"SI\")");
  return it->second;
}

std::string contractNotice(core::Store& store, Id dps_id, const NoticeParties& parties, const NoticeOptions& options) {
  NoticeData data;
  store.read([&](core::Tx& tx) { data = loadDps(tx, dps_id); });
  if (data.categories.empty() || data.criteria.empty())
    throw Error(ErrorCode::kConflict, "DPS " + data.dps.reference +
                                          " has no categories or no award criteria yet; the contract notice "
                                          "publishes both, so add them first");
  return NoticeWriter(data, parties, options).contractNotice();
}

std::string roundAwardNotice(core::Store& store, Id round_id, const NoticeParties& parties,
                             const NoticeOptions& options) {
  NoticeData data;
  store.read([&](core::Tx& tx) {
    const auto r = tx.getRound(round_id);
    if (!r)
      throw Error(ErrorCode::kNotFound, "round " + std::to_string(round_id) + " does not exist; check the round id");
    const auto decision = tx.getAwardDecision(r->id);
    if (!decision)
      throw Error(ErrorCode::kConflict, "round " + r->reference + " is " + core::toString(r->status) +
                                            "; the contract award notice follows the award");
    data = loadDps(tx, r->dps_id);
    loadRound(tx, data, *r, *decision);
  });
  return NoticeWriter(data, parties, options).awardNotice("can:" + data.rounds.front().round.reference);
}

std::string quarterAwardNotice(core::Store& store, Id dps_id, int year, int quarter, const NoticeParties& parties,
                               const NoticeOptions& options) {
  if (quarter < 1 || quarter > 4)
    throw Error(ErrorCode::kInvalidArgument, "quarter " + std::to_string(quarter) + " is not 1, 2, 3 or 4");
  using namespace std::chrono;
  const auto first_month = static_cast<unsigned>((quarter - 1) * 3 + 1);
  const sys_days from{year_month_day{std::chrono::year{year}, month{first_month}, day{1}}};
  const sys_days to{year_month_day{std::chrono::year{year}, month{first_month}, day{1}} + months{3}};
  NoticeData data;
  store.read([&](core::Tx& tx) {
    data = loadDps(tx, dps_id);
    for (const core::Round& r : tx.listRounds(dps_id)) {
      const auto decision = tx.getAwardDecision(r.id);
      if (decision && decision->decided_at >= from && decision->decided_at < to) loadRound(tx, data, r, *decision);
    }
  });
  if (data.rounds.empty())
    throw Error(ErrorCode::kNotFound, "no round of DPS " + data.dps.reference + " was awarded in " +
                                          std::to_string(year) + " Q" + std::to_string(quarter) +
                                          "; there is nothing to notify for that quarter");
  return NoticeWriter(data, parties, options)
      .awardNotice("can:" + data.dps.reference + ":" + std::to_string(year) + "Q" + std::to_string(quarter));
}

}  // namespace reports
