// eForms notices: the contract notice (subtype 16) and the contract award notices (subtype 29, per
// round and per quarter) of a round run through the engine are valid against the SDK's schemas and
// honour every field fields.json marks mandatory or forbidden for their subtype: unconditionally,
// and under every condition the EFX subset of efx_subset.h reads (the few it cannot read are
// counted and must stay a small share).
#include <boost/test/unit_test.hpp>

#include <fstream>
#include <map>
#include <optional>
#include <set>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include "core/error.h"
#include "reports/eforms.h"
#include "reports/xml.h"
#include "tests/reports/efx_subset.h"
#include "tests/reports/round_scene.h"
#include "tests/reports/xpath_subset.h"
#include "tests/support/paths.h"

namespace {

using dps_test::XPathSubset;

reports::NoticeParties kranj() {
  reports::NoticeParties p;
  p.buyer_city = "Kranj";
  p.buyer_postal_code = "4000";
  p.buyer_nuts = "SI042";
  p.buyer_company_id = "5874025000";
  p.buyer_phone = "+386 4 2373 000";
  p.buyer_email = "narocila@kranj.si";
  p.review_body_name = "Državna revizijska komisija";
  p.review_body_city = "Ljubljana";
  p.review_body_company_id = "1358847000";
  p.documents_url = "https://dps.example.si/dps/1/documents";
  return p;
}

struct FieldRule {
  std::string id;
  std::string parent;
  std::string xpath;
};

struct ConditionalRule {
  FieldRule field;
  bool mandatory = true;  // else forbidden
  std::string condition;  // "{ND-...} ${...}"
};

struct SubtypeRules {
  std::vector<FieldRule> mandatory;
  std::vector<FieldRule> forbidden;
  std::vector<ConditionalRule> conditional;
};

struct Node {
  std::string parent;
  std::string xpath;
  bool repeatable = false;
};

struct Fields {
  std::map<std::string, Node> nodes;
  std::map<std::string, SubtypeRules> rules;  // by subtype
  dps_test::EfxModel model;
};

const Fields& fields(const std::string& sdk) {
  static std::map<std::string, Fields> cache;
  if (const auto it = cache.find(sdk); it != cache.end()) return it->second;
  std::ifstream in(sdk + "/fields/fields.json");
  BOOST_REQUIRE(in);
  Poco::JSON::Parser parser;
  const Poco::JSON::Object::Ptr root = parser.parse(in).extract<Poco::JSON::Object::Ptr>();
  Fields f;
  const Poco::JSON::Array::Ptr structure = root->getArray("xmlStructure");
  for (std::size_t i = 0; i < structure->size(); ++i) {
    const Poco::JSON::Object::Ptr n = structure->getObject(static_cast<unsigned>(i));
    Node node;
    node.parent = n->optValue<std::string>("parentId", "");
    node.xpath = n->getValue<std::string>("xpathAbsolute");
    node.repeatable = n->optValue<bool>("repeatable", false);
    f.nodes[n->getValue<std::string>("id")] = node;
    f.model.nodes[n->getValue<std::string>("id")] = {node.parent, node.xpath};
  }
  const Poco::JSON::Array::Ptr list = root->getArray("fields");
  for (std::size_t i = 0; i < list->size(); ++i) {
    const Poco::JSON::Object::Ptr field = list->getObject(static_cast<unsigned>(i));
    const FieldRule rule{field->getValue<std::string>("id"), field->optValue<std::string>("parentNodeId", "ND-Root"),
                         field->getValue<std::string>("xpathAbsolute")};
    f.model.fields[rule.id] = {rule.parent, rule.xpath};
    for (const char* kind : {"mandatory", "forbidden"}) {
      const Poco::JSON::Object::Ptr property = field->getObject(kind);
      if (property.isNull()) continue;
      const Poco::JSON::Array::Ptr constraints = property->getArray("constraints");
      if (constraints.isNull()) continue;
      for (std::size_t c = 0; c < constraints->size(); ++c) {
        const Poco::JSON::Object::Ptr constraint = constraints->getObject(static_cast<unsigned>(c));
        const Poco::JSON::Array::Ptr types = constraint->getArray("noticeTypes");
        if (types.isNull() || !constraint->optValue<bool>("value", false)) continue;
        for (std::size_t t = 0; t < types->size(); ++t) {
          const std::string subtype = types->getElement<std::string>(static_cast<unsigned>(t));
          SubtypeRules& r = f.rules[subtype];
          if (constraint->has("condition")) {
            r.conditional.push_back({rule, std::string(kind) == "mandatory", constraint->getValue<std::string>("condition")});
          } else {
            (std::string(kind) == "mandatory" ? r.mandatory : r.forbidden).push_back(rule);
          }
        }
      }
    }
  }
  return cache.emplace(sdk, std::move(f)).first->second;
}

// Every problem of `notice` against the unconditional mandatory and forbidden fields of `subtype`.
// A mandatory field must be present in every instance of each repeatable node above it, and in the
// notice as a whole; a forbidden field must match nothing.
// Conditional constraints: where the condition holds in an instance of its context node, the field
// must be present (mandatory) or absent (forbidden) in that instance.
struct ConditionalCount {
  std::size_t evaluated = 0;    // constraints whose condition the subset reads
  std::size_t unsupported = 0;  // constraints it cannot read
  std::size_t applied = 0;      // (constraint, instance) pairs where the condition held
};

std::vector<std::string> conditionalProblems(const Fields& f, const SubtypeRules& rules, const std::string& subtype,
                                             const xercesc::DOMDocument* notice, ConditionalCount& count) {
  std::vector<std::string> problems;
  for (const ConditionalRule& c : rules.conditional) {
    std::optional<dps_test::EfxCondition> condition;
    std::optional<XPathSubset> context_path;
    std::optional<XPathSubset> field_path;
    try {  // the condition, its context node's path and the field's path must all be readable
      condition.emplace(c.condition, f.model);
      context_path.emplace(f.nodes.at(condition->contextNode()).xpath);
      field_path.emplace(f.model.pathFrom(condition->contextNode(), c.field.id));
    } catch (const std::invalid_argument& e) {
      ++count.unsupported;
      BOOST_TEST_MESSAGE("outside the EFX subset, not checked: " << c.field.id << ": " << e.what());
      continue;
    }
    ++count.evaluated;
    for (const XPathSubset::Item& instance : context_path->select(notice)) {
      if (!condition->holds(instance.node)) continue;
      ++count.applied;
      const bool present = !field_path->select(instance.node).empty();
      if (c.mandatory && !present)
        problems.push_back(c.field.id + " is mandatory in subtype " + subtype + " when " + c.condition + ", but absent");
      if (!c.mandatory && present)
        problems.push_back(c.field.id + " is forbidden in subtype " + subtype + " when " + c.condition + ", but present");
    }
  }
  return problems;
}

std::vector<std::string> fieldProblems(const std::string& sdk, const std::string& subtype,
                                       const xercesc::DOMDocument* notice, std::size_t& checked,
                                       ConditionalCount* conditional = nullptr) {
  const Fields& f = fields(sdk);
  const auto rules = f.rules.find(subtype);
  BOOST_REQUIRE(rules != f.rules.end());
  std::vector<std::string> problems;
  if (conditional != nullptr) problems = conditionalProblems(f, rules->second, subtype, notice, *conditional);
  for (const FieldRule& rule : rules->second.forbidden) {
    ++checked;
    if (!XPathSubset(rule.xpath).select(notice).empty())
      problems.push_back(rule.id + " is forbidden in subtype " + subtype + " but present (" + rule.xpath + ")");
  }
  for (const FieldRule& rule : rules->second.mandatory) {
    ++checked;
    if (XPathSubset(rule.xpath).select(notice).empty()) {
      problems.push_back(rule.id + " is mandatory in subtype " + subtype + " but absent (" + rule.xpath + ")");
      continue;
    }
    for (std::string id = rule.parent; !id.empty() && id != "ND-Root"; id = f.nodes.at(id).parent) {
      const Node& node = f.nodes.at(id);
      if (!node.repeatable) continue;
      if (rule.xpath.compare(0, node.xpath.size(), node.xpath) != 0 || rule.xpath.size() <= node.xpath.size() + 1) {
        problems.push_back(rule.id + ": its path does not extend its node " + id + "'s path; cannot check per instance");
        continue;
      }
      const XPathSubset relative(rule.xpath.substr(node.xpath.size() + 1));
      std::size_t n = 0;
      for (const XPathSubset::Item& instance : XPathSubset(node.xpath).select(notice)) {
        ++n;
        if (relative.select(instance.node).empty())
          problems.push_back(rule.id + " is mandatory in subtype " + subtype + " but absent from instance " +
                             std::to_string(n) + " of " + id);
      }
    }
  }
  return problems;
}

std::vector<std::string> values(const xercesc::DOMDocument* doc, const std::string& xpath) {
  std::vector<std::string> out;
  for (const XPathSubset::Item& item : XPathSubset(xpath).select(doc))
    out.push_back(reports::xml::fromXml(item.node->getTextContent()));
  return out;
}

reports::xml::DomPtr parseNotice(const std::string& sdk, const std::string& maindoc, const std::string& xml) {
  const auto schema = reports::xml::Schema::load(sdk + "/schemas/maindoc/" + maindoc);
  std::vector<std::string> problems;
  reports::xml::DomPtr dom = schema->parse(xml, maindoc, problems);
  BOOST_REQUIRE_MESSAGE(dom != nullptr, (problems.empty() ? std::string() : problems.front()));
  return dom;
}

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (const std::string& x : v) s += x + "\n";
  return s;
}

struct Notices : dps_test::RoundScene {
  Notices() {
    const auto found = dps_test::standardsDir("eforms-sdk");
    if (!found) return;
    sdk = *found;
    options.eforms_sdk_dir = sdk;
    options.issued_at = at("2026-03-25T09:00:00Z");
  }
  std::string sdk;
  reports::NoticeOptions options;
};

const char* kLots = "/*/cac:ProcurementProjectLot[cbc:ID/@schemeName='Lot']";

}  // namespace

BOOST_AUTO_TEST_SUITE(eforms)

BOOST_FIXTURE_TEST_CASE(contract_notice_sets_up_the_dps_and_honours_subtype_16_fields, Notices) {
  if (sdk.empty()) {
    BOOST_TEST_MESSAGE("skipped: EFORMS_SDK_DIR does not exist");
    return;
  }
  const std::string xml = reports::contractNotice(*store, scene_dps.id, kranj(), options);
  const auto dom = parseNotice(sdk, "UBL-ContractNotice-2.3.xsd", xml);
  std::size_t checked = 0;
  ConditionalCount conditional;
  const std::vector<std::string> problems = fieldProblems(sdk, "16", dom.get(), checked, &conditional);
  BOOST_TEST(problems.empty(), joined(problems));
  BOOST_TEST(checked > 500u);
  BOOST_TEST(conditional.applied > 0u);
  // At least 90 % of the conditional constraints are read and checked; most of the rest test
  // membership in code lists (nuts-country, postcode-country) that the SDK folder does not hold.
  BOOST_TEST(conditional.unsupported * 10 <= conditional.evaluated + conditional.unsupported);
  BOOST_TEST_MESSAGE("subtype 16: " << checked << " unconditional mandatory/forbidden fields checked, "
                                    << conditional.evaluated << " conditional constraints evaluated ("
                                    << conditional.applied << " applied), " << conditional.unsupported
                                    << " outside the EFX subset");

  BOOST_TEST(values(dom.get(), "/*/ext:UBLExtensions/ext:UBLExtension/ext:ExtensionContent/efext:EformsExtension/"
                               "efac:NoticeSubType/cbc:SubTypeCode") == std::vector<std::string>{"16"});
  BOOST_TEST(values(dom.get(), "/*/cac:TenderingProcess/cbc:ProcedureCode") == std::vector<std::string>{"restricted"});
  const std::string lot = kLots;
  BOOST_TEST(values(dom.get(), lot + "/cac:TenderingProcess/cac:ContractingSystem/cbc:ContractingSystemTypeCode"
                                     "[@listName='dps-usage']") == std::vector<std::string>{"dps-list"});
  BOOST_TEST(values(dom.get(), lot + "/cac:TenderingTerms/cac:AwardingTerms/cac:AwardingCriterion/"
                                     "cac:SubordinateAwardingCriterion/ext:UBLExtensions/ext:UBLExtension/"
                                     "ext:ExtensionContent/efext:EformsExtension/efac:AwardCriterionParameter/"
                                     "efbc:ParameterNumeric") == (std::vector<std::string>{"60", "20", "10", "10"}));
  BOOST_TEST(values(dom.get(), lot + "/cac:TenderingTerms/cac:AwardingTerms/cac:AwardingCriterion/"
                                     "cac:SubordinateAwardingCriterion/cbc:AwardingCriterionTypeCode") ==
             (std::vector<std::string>{"price", "quality", "quality", "quality"}));
  const core::Dps d = dps(scene_dps.id);
  BOOST_TEST(values(dom.get(), lot + "/cac:TenderingProcess/cac:ParticipationRequestReceptionPeriod/cbc:EndDate") ==
             std::vector<std::string>{core::formatTime(d.request_deadline).substr(0, 10) + "Z"});
  BOOST_TEST(values(dom.get(), "/*/cac:ProcurementProject/cac:MainCommodityClassification/cbc:ItemClassificationCode") ==
             std::vector<std::string>{d.cpv});
  BOOST_TEST(values(dom.get(), "/*/cac:ProcurementProject/cac:RealizedLocation/cac:Address/cbc:CountrySubentityCode") ==
             std::vector<std::string>{"SI042"});
}

BOOST_FIXTURE_TEST_CASE(award_notices_honour_subtype_29_and_keep_the_procedure_identifier, Notices) {
  if (sdk.empty()) {
    BOOST_TEST_MESSAGE("skipped: EFORMS_SDK_DIR does not exist");
    return;
  }
  BOOST_CHECK_EXCEPTION(reports::roundAwardNotice(*store, round_id, kranj(), options), core::Error,
                        [](const core::Error& e) { return e.code() == core::ErrorCode::kConflict; });
  const core::AwardDecision decision = awardRound();
  const auto cn = parseNotice(sdk, "UBL-ContractNotice-2.3.xsd",
                              reports::contractNotice(*store, scene_dps.id, kranj(), options));
  const std::string folder = values(cn.get(), "/*/cbc:ContractFolderID").at(0);

  const std::string year = core::formatTime(decision.decided_at).substr(0, 4);
  const int month = std::stoi(core::formatTime(decision.decided_at).substr(5, 2));
  const std::vector<std::pair<std::string, std::string>> notices{
      {"round", reports::roundAwardNotice(*store, round_id, kranj(), options)},
      {"quarter", reports::quarterAwardNotice(*store, scene_dps.id, std::stoi(year), (month - 1) / 3 + 1, kranj(),
                                              options)}};
  for (const auto& [name, xml] : notices) {
    BOOST_TEST_CONTEXT(name) {
      const auto dom = parseNotice(sdk, "UBL-ContractAwardNotice-2.3.xsd", xml);
      std::size_t checked = 0;
      ConditionalCount conditional;
      const std::vector<std::string> problems = fieldProblems(sdk, "29", dom.get(), checked, &conditional);
      BOOST_TEST(problems.empty(), joined(problems));
      BOOST_TEST(checked > 200u);
      BOOST_TEST(conditional.applied > 0u);
      BOOST_TEST(conditional.unsupported * 10 <= conditional.evaluated + conditional.unsupported);
      BOOST_TEST_MESSAGE("subtype 29 (" << name << "): " << conditional.evaluated << " conditional constraints evaluated ("
                                        << conditional.applied << " applied), " << conditional.unsupported
                                        << " outside the EFX subset");
      BOOST_TEST(values(dom.get(), "/*/cbc:ContractFolderID") == std::vector<std::string>{folder});
      const std::string results =
          "/*/ext:UBLExtensions/ext:UBLExtension/ext:ExtensionContent/efext:EformsExtension/efac:NoticeResult";
      BOOST_TEST(values(dom.get(), results + "/efac:LotResult/efbc:DPSTerminationIndicator") ==
                 std::vector<std::string>{"false"});
      BOOST_TEST(values(dom.get(), results + "/efac:LotResult/cbc:TenderResultCode") ==
                 std::vector<std::string>{"selec-w"});
      // Received submissions add up: 3 tenders, all from small enterprises.
      const std::string stats = results + "/efac:LotResult/efac:ReceivedSubmissionsStatistics";
      BOOST_TEST(values(dom.get(), stats + "[efbc:StatisticsCode='tenders']/efbc:StatisticsNumeric") ==
                 std::vector<std::string>{"3"});
      BOOST_TEST(values(dom.get(), stats + "[efbc:StatisticsCode='t-sme']/efbc:StatisticsNumeric") ==
                 std::vector<std::string>{"3"});
      BOOST_TEST(values(dom.get(), stats + "[efbc:StatisticsCode='t-large']/efbc:StatisticsNumeric") ==
                 std::vector<std::string>{"0"});
      // C won the whole 100 kg at 1.10: the settled contract's tender pays 110, the notice totals 110.
      BOOST_TEST(values(dom.get(), results + "/cbc:TotalAmount") == std::vector<std::string>{"110"});
      BOOST_TEST(values(dom.get(), results + "/efac:LotTender/cac:LegalMonetaryTotal/cbc:PayableAmount") ==
                 std::vector<std::string>{"110"});
      BOOST_TEST(values(dom.get(), results + "/efac:SettledContract/cbc:ID").size() == 1u);
      BOOST_TEST(values(dom.get(), results + "/efac:LotResult/efac:SettledContract/cbc:ID") ==
                 values(dom.get(), results + "/efac:SettledContract/cbc:ID"));
      BOOST_TEST(values(dom.get(), std::string(kLots) + "/cbc:ID") == values(cn.get(), std::string(kLots) + "/cbc:ID"));
    }
  }
  BOOST_CHECK_EXCEPTION(reports::quarterAwardNotice(*store, scene_dps.id, 2025, 1, kranj(), options), core::Error,
                        [](const core::Error& e) { return e.code() == core::ErrorCode::kNotFound; });
  // A winner whose size class is not recorded: the notice is refused, naming it and BT-165.
  store->transact([&](core::Tx& tx) {
    for (const core::AwardLine& l : tx.listAwardLines(round_id)) {
      core::Supplier s = *tx.getSupplier(l.supplier_id);
      s.size_class.clear();
      tx.updateSupplier(s);
    }
  });
  BOOST_CHECK_EXCEPTION(reports::roundAwardNotice(*store, round_id, kranj(), options), core::Error,
                        [](const core::Error& e) {
                          const std::string m = e.what();
                          return e.code() == core::ErrorCode::kInvalidArgument &&
                                 m.find("BT-165") != std::string::npos && m.find("size class") != std::string::npos;
                        });
}

BOOST_FIXTURE_TEST_CASE(missing_buyer_settings_are_listed, Notices) {
  if (sdk.empty()) {
    BOOST_TEST_MESSAGE("skipped: EFORMS_SDK_DIR does not exist");
    return;
  }
  BOOST_CHECK_EXCEPTION(reports::contractNotice(*store, scene_dps.id, reports::NoticeParties{}, options), core::Error,
                        [](const core::Error& e) {
                          const std::string m = e.what();
                          return e.code() == core::ErrorCode::kInvalidArgument &&
                                 m.find("buyer_city") != std::string::npos &&
                                 m.find("review_body_name") != std::string::npos;
                        });
}

BOOST_FIXTURE_TEST_CASE(field_check_catches_a_missing_mandatory_and_a_forbidden_field, Notices) {
  if (sdk.empty()) {
    BOOST_TEST_MESSAGE("skipped: EFORMS_SDK_DIR does not exist");
    return;
  }
  const std::string xml = reports::contractNotice(*store, scene_dps.id, kranj(), options);
  // Without dps-usage on the lot (still XSD-valid): BT-766-Lot is reported missing for subtype 16.
  const std::string dps_usage =
      "<cac:ContractingSystem>\n        <cbc:ContractingSystemTypeCode listName=\"dps-usage\">dps-list"
      "</cbc:ContractingSystemTypeCode>\n      </cac:ContractingSystem>";
  const std::size_t at = xml.find(dps_usage);
  BOOST_REQUIRE(at != std::string::npos);
  std::string without = xml;
  without.erase(at, dps_usage.size());
  const auto broken = parseNotice(sdk, "UBL-ContractNotice-2.3.xsd", without);
  std::size_t checked = 0;
  const std::vector<std::string> missing = fieldProblems(sdk, "16", broken.get(), checked);
  BOOST_TEST(joined(missing).find("BT-766-Lot is mandatory") != std::string::npos, joined(missing));
  // The contract notice read as subtype 29: its request deadline and e-submission fields are forbidden there.
  const auto cn = parseNotice(sdk, "UBL-ContractNotice-2.3.xsd", xml);
  const std::string forbidden = joined(fieldProblems(sdk, "29", cn.get(), checked));
  BOOST_TEST(forbidden.find("BT-1311(d)-Lot is forbidden") != std::string::npos, forbidden);
  BOOST_TEST(forbidden.find("BT-17-Lot is forbidden") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(xpath_subset_refuses_what_it_cannot_read) {
  BOOST_CHECK_THROW(XPathSubset("/*/cac:A[position()=1]"), std::invalid_argument);
  BOOST_CHECK_THROW(XPathSubset("/*/unknown:A"), std::invalid_argument);
  BOOST_CHECK_NO_THROW(XPathSubset("/*/cac:A[not(cbc:B/text()='x') and cbc:C/@listName = 'y']/cbc:D"));
}

BOOST_AUTO_TEST_SUITE_END()
