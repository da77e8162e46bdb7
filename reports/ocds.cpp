// OCDS 1.1.5 release package of a round, written as JSON text with exact decimal numbers.
#include "reports/ocds.h"

#include <map>
#include <optional>
#include <set>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace reports {

using core::Error;
using core::ErrorCode;
using core::Id;

namespace {

constexpr const char* kLotsExtension =
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_lots_extension/master/extension.json";

// A streaming JSON writer: commas and quoting handled, numbers passed as exact decimal text.
class Json {
 public:
  Json& open(char c) {
    value();
    out_ += c;
    first_.push_back(true);
    return *this;
  }
  Json& close(char c) {
    first_.pop_back();
    out_ += c;
    return *this;
  }
  Json& object() { return open('{'); }
  Json& end() { return close('}'); }
  Json& array() { return open('['); }
  Json& endArray() { return close(']'); }
  Json& key(std::string_view k) {
    separator();
    quote(k);
    out_ += ':';
    after_key_ = true;
    return *this;
  }
  Json& str(std::string_view s) {
    value();
    quote(s);
    return *this;
  }
  Json& number(const std::string& text) {
    value();
    out_ += text;
    return *this;
  }
  Json& boolean(bool b) {
    value();
    out_ += b ? "true" : "false";
    return *this;
  }
  Json& field(std::string_view k, std::string_view v) { return key(k).str(v); }
  std::string take() { return std::move(out_); }

 private:
  void separator() {
    if (!first_.empty()) {
      if (!first_.back()) out_ += ',';
      first_.back() = false;
    }
  }
  void value() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    separator();
  }
  void quote(std::string_view s) {
    out_ += '"';
    for (const char ch : s) {
      const auto c = static_cast<unsigned char>(ch);
      switch (c) {
        case '"':
          out_ += "\\\"";
          break;
        case '\\':
          out_ += "\\\\";
          break;
        case '\n':
          out_ += "\\n";
          break;
        case '\r':
          out_ += "\\r";
          break;
        case '\t':
          out_ += "\\t";
          break;
        default:
          if (c < 0x20) {
            static constexpr char kHex[] = "0123456789abcdef";
            out_ += "\\u00";
            out_ += kHex[c >> 4];
            out_ += kHex[c & 15];
          } else {
            out_ += ch;
          }
      }
    }
    out_ += '"';
  }
  std::string out_;
  std::vector<bool> first_;
  bool after_key_ = false;
};

void money(Json& j, const char* key, core::Decimal amount) {
  j.key(key).object().key("amount").number(amount.toString()).field("currency", "EUR").end();
}

std::string lotId(const core::Lot& l) { return "lot-" + std::to_string(l.number); }

}  // namespace

std::string ocdsReleasePackage(core::Store& store, Id round_id, const OcdsOptions& options) {
  core::Round r;
  core::Dps dps;
  core::Authority authority;
  std::vector<core::Lot> lots;
  std::vector<core::Bid> bids;
  std::vector<core::AwardLine> lines;
  std::optional<core::AwardDecision> decision;
  std::map<Id, core::Supplier> suppliers;
  std::vector<core::Criterion> criteria;
  store.read([&](core::Tx& tx) {
    const auto round = tx.getRound(round_id);
    if (!round)
      throw Error(ErrorCode::kNotFound, "round " + std::to_string(round_id) + " does not exist; check the round id");
    r = *round;
    if (!r.dispatched_at)
      throw Error(ErrorCode::kConflict, "round " + r.reference +
                                            " has not been dispatched; its OCDS release starts with the invitation");
    dps = *tx.getDps(r.dps_id);
    if (const auto a = tx.getAuthority(dps.authority_id)) authority = *a;
    lots = tx.listLots(r.id);
    criteria = tx.listCriteria(r.dps_id, r.criteria_version);
    if (r.opened_at) bids = tx.listBids(r.id);
    lines = tx.listAwardLines(r.id);
    decision = tx.getAwardDecision(r.id);
    for (const core::Bid& b : bids)
      if (const auto s = tx.getSupplier(b.supplier_id)) suppliers[b.supplier_id] = *s;
  });

  std::set<Id> tenderers;
  for (const core::Bid& b : bids)
    if (b.status != core::BidStatus::kSuperseded && b.status != core::BidStatus::kWithdrawn)
      tenderers.insert(b.supplier_id);
  std::set<Id> winners;
  for (const core::AwardLine& l : lines) winners.insert(l.supplier_id);
  auto supplierName = [&](Id id) {
    const auto it = suppliers.find(id);
    return it == suppliers.end() ? "supplier " + std::to_string(id) : it->second.name;
  };
  const std::string published = core::formatTime(options.published_at);
  const bool awarded = decision.has_value();

  Json j;
  j.object();
  j.field("uri", options.base_uri + "/rounds/" + std::to_string(r.id) + ".json");
  j.field("version", "1.1");
  j.key("extensions").array().str(kOcdsTechniquesExtension).str(kLotsExtension).endArray();
  j.field("publishedDate", published);
  j.key("publisher").object().field("name", authority.name).end();
  j.key("releases").array().object();
  j.field("ocid", options.ocid_prefix + "-" + r.reference);
  j.field("id", r.reference + "/" + core::toString(r.status) + "/" + published);
  j.field("date", published);
  j.key("tag").array().str("tender");
  if (awarded) j.str("award");
  j.endArray();
  j.field("initiationType", "tender");
  j.field("language", "en");

  j.key("parties").array();
  j.object().field("id", "authority-" + std::to_string(authority.id)).field("name", authority.name);
  j.key("address").object().field("countryName", authority.country).end();
  j.key("roles").array().str("buyer").str("procuringEntity").endArray().end();
  for (const Id s : tenderers) {
    j.object().field("id", "supplier-" + std::to_string(s)).field("name", supplierName(s));
    if (const auto it = suppliers.find(s); it != suppliers.end())
      j.key("identifier").object().field("id", it->second.tax_number).field("legalName", it->second.name).end();
    j.key("roles").array().str("tenderer");
    if (winners.count(s)) j.str("supplier");
    j.endArray().end();
  }
  j.endArray();
  j.key("buyer").object().field("id", "authority-" + std::to_string(authority.id)).field("name", authority.name).end();

  j.key("tender").object();
  j.field("id", r.reference);
  j.field("title", r.title);
  j.field("status", r.status == core::RoundStatus::kCancelled ? "cancelled"
                    : awarded                                  ? "complete"
                                                               : "active");
  j.field("procurementMethod", "selective");
  j.field("procurementMethodDetails",
          "Call for competition under the dynamic purchasing system " + dps.reference +
              " (Art. 34 of Directive 2014/24/EU): every supplier admitted to the category was invited");
  j.field("mainProcurementCategory", "goods");
  j.field("awardCriteria", "ratedCriteria");
  std::string details;
  for (const core::Criterion& c : criteria)
    details += (details.empty() ? "" : "; ") + std::string(core::toString(c.kind)) + " " + std::to_string(c.weight) +
               " (" + core::toString(c.formula) + ")";
  j.field("awardCriteriaDetails", details);
  j.key("submissionMethod").array().str("electronicSubmission").endArray();
  j.key("tenderPeriod").object().field("startDate", core::formatTime(*r.dispatched_at));
  j.field("endDate", core::formatTime(r.deadline)).end();
  j.key("techniques").object().key("hasDynamicPurchasingSystem").boolean(true).end();
  j.key("items").array();
  for (const core::Lot& l : lots) {
    core::Decimal total;
    for (const core::Demand& d : l.demands) total += d.quantity;
    j.object().field("id", lotId(l) + "-item").field("description", l.description);
    j.key("classification").object().field("scheme", "CPV").field("id", l.cpv).end();
    j.key("quantity").number(total.toString());
    j.key("unit").object().field("name", l.unit).end();
    j.field("relatedLot", lotId(l)).end();
  }
  j.endArray();
  j.key("lots").array();
  for (const core::Lot& l : lots)
    j.object().field("id", lotId(l)).field("title", "Lot " + std::to_string(l.number)).field("description", l.description).end();
  j.endArray();
  if (r.opened_at) {
    j.key("numberOfTenderers").number(std::to_string(tenderers.size()));
    j.key("tenderers").array();
    for (const Id s : tenderers)
      j.object().field("id", "supplier-" + std::to_string(s)).field("name", supplierName(s)).end();
    j.endArray();
  }
  j.end();

  if (awarded) {
    j.key("awards").array();
    for (const core::Lot& l : lots) {
      std::vector<Id> order;
      std::map<Id, std::vector<const core::AwardLine*>> by_bid;
      for (const core::AwardLine& a : lines) {
        if (a.lot_id != l.id) continue;
        if (!by_bid.count(a.bid_id)) order.push_back(a.bid_id);
        by_bid[a.bid_id].push_back(&a);
      }
      for (const Id bid : order) {
        const std::vector<const core::AwardLine*>& parts = by_bid[bid];
        core::Decimal quantity;
        core::Decimal value;
        for (const core::AwardLine* a : parts) {
          quantity += a->quantity;
          value += a->quantity * a->unit_price;
        }
        const core::AwardLine& first = *parts.front();
        j.object().field("id", r.reference + "/" + lotId(l) + "/bid-" + std::to_string(bid));
        j.field("title", "Lot " + std::to_string(l.number) + ": " + l.description);
        j.field("status", "active");
        j.field("date", core::formatTime(decision->decided_at));
        money(j, "value", value);
        j.key("suppliers").array();
        j.object().field("id", "supplier-" + std::to_string(first.supplier_id)).field("name", supplierName(first.supplier_id)).end();
        j.endArray();
        j.key("items").array().object().field("id", lotId(l) + "-item").field("description", l.description);
        j.key("classification").object().field("scheme", "CPV").field("id", l.cpv).end();
        j.key("quantity").number(quantity.toString());
        j.key("unit").object().field("name", l.unit);
        money(j, "value", first.unit_price);
        j.end().end().endArray();
        j.key("relatedLots").array().str(lotId(l)).endArray();
        j.end();
      }
    }
    j.endArray();
  }
  j.key("relatedProcesses").array().object();
  j.field("id", "dps");
  j.key("relationship").array().str("framework").endArray();
  j.field("title", dps.title);
  j.field("scheme", "ocid");
  j.field("identifier", options.ocid_prefix + "-" + dps.reference);
  j.end().endArray();
  j.end().endArray();
  j.end();
  return j.take();
}

}  // namespace reports
