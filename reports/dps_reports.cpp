// DPS dashboard and compliance report (HTML and CSV).
#include <algorithm>
#include <array>
#include <cstdio>
#include <map>
#include <optional>
#include <set>

#include "core/audit.h"
#include "core/error.h"
#include "core/notices.h"
#include "core/scoring.h"
#include "reports/csv.h"
#include "reports/html.h"
#include "reports/reports.h"

namespace reports {

using core::Error;
using core::ErrorCode;
using core::Id;

namespace {

std::string when(core::TimePoint t) { return core::formatTime(t); }

std::string percent(double share) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f %%", share * 100);
  return buf;
}

std::string fixed(double v, int places) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.*f", places, v);
  return buf;
}

struct RoundRecord {
  core::Round round;
  std::vector<core::Lot> lots;
  std::vector<core::Bid> bids;
  std::map<Id, std::vector<core::BidLine>> lines;
  std::vector<core::Invitation> invitations;
  std::vector<core::AwardLine> awards;
  std::optional<core::AwardDecision> decision;
  std::vector<core::LotResult> results;  // lot level
  std::vector<core::AbnormalLowCase> abnormal;
};

struct DpsData {
  core::Dps dps;
  core::Authority authority;
  std::vector<core::AdmissionRequest> admissions;
  std::vector<RoundRecord> rounds;
  std::map<Id, core::Supplier> suppliers;
  std::map<Id, core::DeliveryPoint> points;
  std::map<Id, core::DispatchPoint> dispatch;
  std::map<std::pair<Id, Id>, core::Decimal> road;

  std::string supplierName(Id id) const {
    const auto it = suppliers.find(id);
    return it == suppliers.end() ? "supplier " + std::to_string(id) : it->second.name;
  }
};

DpsData load(core::Store& store, Id dps_id) {
  DpsData d;
  store.read([&](core::Tx& tx) {
    const auto dps = tx.getDps(dps_id);
    if (!dps) throw Error(ErrorCode::kNotFound, "DPS " + std::to_string(dps_id) + " does not exist; check the DPS id");
    d.dps = *dps;
    if (const auto a = tx.getAuthority(d.dps.authority_id)) d.authority = *a;
    d.admissions = tx.listAdmissionRequests(d.dps.id);
    std::set<Id> supplier_ids;
    for (const core::AdmissionRequest& a : d.admissions) supplier_ids.insert(a.supplier_id);
    for (const core::Round& r : tx.listRounds(d.dps.id)) {
      RoundRecord rec;
      rec.round = r;
      rec.lots = tx.listLots(r.id);
      rec.invitations = tx.listInvitations(r.id);
      if (r.opened_at) {
        rec.bids = tx.listBids(r.id);
        for (const core::Bid& b : rec.bids) rec.lines[b.id] = tx.listBidLines(b.id);
      }
      rec.awards = tx.listAwardLines(r.id);
      rec.decision = tx.getAwardDecision(r.id);
      for (const core::LotResult& res : tx.listLotResults(r.id))
        if (res.delivery_point_id == 0) rec.results.push_back(res);
      rec.abnormal = tx.listAbnormalLowCases(r.id);
      for (const core::Bid& b : rec.bids) supplier_ids.insert(b.supplier_id);
      for (const core::Invitation& i : rec.invitations) supplier_ids.insert(i.supplier_id);
      for (const core::Lot& l : rec.lots)
        for (const core::Demand& dm : l.demands)
          if (!d.points.count(dm.delivery_point_id))
            if (const auto p = tx.getDeliveryPoint(dm.delivery_point_id)) d.points[p->id] = *p;
      for (const core::AwardLine& a : rec.awards) {
        for (const auto& [bid, lines] : rec.lines)
          for (const core::BidLine& l : lines) {
            if (bid != a.bid_id || l.lot_id != a.lot_id) continue;
            if (!d.dispatch.count(l.dispatch_point_id))
              if (const auto dp = tx.getDispatchPoint(l.dispatch_point_id)) d.dispatch[dp->id] = *dp;
            for (const core::Lot& lot : rec.lots)
              if (lot.id == a.lot_id)
                for (const core::Demand& dm : lot.demands)
                  if (const auto km = tx.getRoadDistance(l.dispatch_point_id, dm.delivery_point_id))
                    d.road[{l.dispatch_point_id, dm.delivery_point_id}] = *km;
          }
      }
      d.rounds.push_back(std::move(rec));
    }
    for (const Id id : supplier_ids)
      if (const auto s = tx.getSupplier(id)) d.suppliers[id] = *s;
  });
  return d;
}

// One awarded line with what the dashboard aggregates (statistics: doubles, never money decisions).
struct Delivery {
  double value = 0;  // EUR
  double kg = 0;
  double km = 0;
  double co2_kg = 0;
  bool organic = false;
  bool quality_scheme = false;
  bool sme = false;
  Id supplier = 0;
};

std::vector<Delivery> deliveries(const DpsData& d) {
  std::vector<Delivery> out;
  for (const RoundRecord& r : d.rounds) {
    for (const core::AwardLine& a : r.awards) {
      const core::Lot* lot = nullptr;
      for (const core::Lot& l : r.lots)
        if (l.id == a.lot_id) lot = &l;
      const core::BidLine* line = nullptr;
      if (const auto it = r.lines.find(a.bid_id); it != r.lines.end())
        for (const core::BidLine& l : it->second)
          if (l.lot_id == a.lot_id) line = &l;
      if (lot == nullptr || line == nullptr) continue;
      Delivery del;
      del.value = core::Exact(a.quantity * a.unit_price).toDouble();
      del.kg = core::Exact(a.quantity * lot->unit_mass_kg).toDouble();
      const auto from = d.dispatch.find(line->dispatch_point_id);
      auto distance = [&](Id point) -> double {
        if (const auto it = d.road.find({line->dispatch_point_id, point}); it != d.road.end())
          return core::Exact(it->second).toDouble();
        const auto p = d.points.find(point);
        if (from == d.dispatch.end() || p == d.points.end()) return 0;
        return core::Exact(core::haversineKm(from->second.location, p->second.location)).toDouble();
      };
      if (a.delivery_point_id) {
        del.km = distance(*a.delivery_point_id);
      } else {
        double weighted = 0;
        double total = 0;
        for (const core::Demand& dm : lot->demands) {
          const double q = core::Exact(dm.quantity).toDouble();
          weighted += q * distance(dm.delivery_point_id);
          total += q;
        }
        del.km = total > 0 ? weighted / total : 0;
      }
      double factor = 0;
      for (const core::VehicleFactor& f : d.dps.vehicle_factors)
        if (f.vehicle == line->vehicle) factor = core::Exact(f.kg_co2e_per_tkm).toDouble();
      del.co2_kg = del.km * factor * del.kg / 1000.0;
      del.organic = line->organic;
      del.quality_scheme = line->quality_scheme;
      del.supplier = a.supplier_id;
      const auto s = d.suppliers.find(a.supplier_id);
      del.sme = s != d.suppliers.end() && s->second.is_sme;
      out.push_back(del);
    }
  }
  return out;
}

struct Band {
  const char* label;
  double upper;  // km, exclusive
};
constexpr std::array<Band, 5> kBands{{{"under 10 km", 10}, {"10 to 25 km", 25}, {"25 to 50 km", 50},
                                      {"50 to 100 km", 100}, {"100 km and more", 1e300}}};

struct Dashboard {
  double value = 0;
  double kg = 0;
  double km_per_kg = 0;
  double co2_per_kg = 0;
  double organic_share = 0;
  double quality_share = 0;
  std::array<double, kBands.size()> band_value{};
  std::size_t admitted = 0;
  std::size_t invited = 0;
  std::size_t bidding = 0;
  std::size_t winning = 0;
  double sme_value_share = 0;
  double sme_winner_share = 0;
  std::size_t rounds_awarded = 0;
};

Dashboard compute(const DpsData& d) {
  Dashboard out;
  const std::vector<Delivery> list = deliveries(d);
  double km_kg = 0;
  double co2 = 0;
  double organic = 0;
  double quality = 0;
  double sme = 0;
  std::set<Id> winners;
  std::set<Id> sme_winners;
  for (const Delivery& del : list) {
    out.value += del.value;
    out.kg += del.kg;
    km_kg += del.km * del.kg;
    co2 += del.co2_kg;
    if (del.organic) organic += del.value;
    if (del.quality_scheme) quality += del.value;
    if (del.sme) {
      sme += del.value;
      sme_winners.insert(del.supplier);
    }
    winners.insert(del.supplier);
    for (std::size_t b = 0; b < kBands.size(); ++b)
      if (del.km < kBands[b].upper) {
        out.band_value[b] += del.value;
        break;
      }
  }
  if (out.kg > 0) {
    out.km_per_kg = km_kg / out.kg;
    out.co2_per_kg = co2 / out.kg;
  }
  if (out.value > 0) {
    out.organic_share = organic / out.value;
    out.quality_share = quality / out.value;
    out.sme_value_share = sme / out.value;
  }
  std::set<Id> admitted;
  for (const core::AdmissionRequest& a : d.admissions)
    if (a.status == core::AdmissionStatus::kAdmitted) admitted.insert(a.supplier_id);
  std::set<Id> invited;
  std::set<Id> bidding;
  for (const RoundRecord& r : d.rounds) {
    for (const core::Invitation& i : r.invitations) invited.insert(i.supplier_id);
    for (const core::Bid& b : r.bids)
      if (b.status != core::BidStatus::kWithdrawn) bidding.insert(b.supplier_id);
    if (r.decision) ++out.rounds_awarded;
  }
  out.admitted = admitted.size();
  out.invited = invited.size();
  out.bidding = bidding.size();
  out.winning = winners.size();
  out.sme_winner_share = winners.empty() ? 0 : static_cast<double>(sme_winners.size()) / static_cast<double>(winners.size());
  return out;
}

std::string money(double v) { return "EUR " + fixed(v, 2); }

}  // namespace

std::string dashboardHtml(core::Store& store, Id dps_id, const ReportOptions& options) {
  const DpsData d = load(store, dps_id);
  const Dashboard m = compute(d);
  std::string body = "<h1>Dashboard: " + html::esc(d.dps.reference) + " - " + html::esc(d.dps.title) + "</h1>\n";
  body += html::facts({{"Contracting authority", d.authority.name},
                       {"Rounds awarded", std::to_string(m.rounds_awarded) + " of " + std::to_string(d.rounds.size())},
                       {"Value awarded", money(m.value)},
                       {"Food awarded", fixed(m.kg, 1) + " kg"},
                       {"Average transport distance", fixed(m.km_per_kg, 2) + " km per kg of food"},
                       {"Transport emissions", fixed(m.co2_per_kg * 1000, 2) + " g CO2e per kg of food"},
                       {"Small and medium enterprises", percent(m.sme_value_share) + " of the value; " +
                                                            percent(m.sme_winner_share) + " of the winning suppliers"},
                       {"Generated", when(options.generated_at)}});
  std::vector<html::Bar> bands;
  for (std::size_t b = 0; b < kBands.size(); ++b)
    bands.push_back({kBands[b].label, m.band_value[b], percent(m.value > 0 ? m.band_value[b] / m.value : 0)});
  body += "<h2>Value by transport distance</h2>\n" + html::barChart("Share of the awarded value by distance band", bands);
  body += "<h2>Organic and quality schemes</h2>\n" +
          html::targetChart("Share of the awarded value against the targets",
                            {{"organic", m.organic_share}, {"quality scheme", m.quality_share}},
                            {kOrganicTarget, kQualitySchemeTarget});
  body += "<h2>Suppliers</h2>\n" +
          html::barChart("Suppliers admitted, invited, bidding and winning",
                         {{"admitted", static_cast<double>(m.admitted), std::to_string(m.admitted)},
                          {"invited", static_cast<double>(m.invited), std::to_string(m.invited)},
                          {"bidding", static_cast<double>(m.bidding), std::to_string(m.bidding)},
                          {"winning", static_cast<double>(m.winning), std::to_string(m.winning)}});
  return html::page("en", "Dashboard " + d.dps.reference, body);
}

std::string dashboardCsv(core::Store& store, Id dps_id) {
  const DpsData d = load(store, dps_id);
  const Dashboard m = compute(d);
  CsvWriter csv;
  csv.row({"measure", "value", "unit"});
  csv.row({"value awarded", fixed(m.value, 2), "EUR"});
  csv.row({"food awarded", fixed(m.kg, 3), "kg"});
  csv.row({"average distance", fixed(m.km_per_kg, 3), "km per kg"});
  csv.row({"transport emissions", fixed(m.co2_per_kg, 6), "kg CO2e per kg"});
  for (std::size_t b = 0; b < kBands.size(); ++b)
    csv.row({std::string("value ") + kBands[b].label, fixed(m.band_value[b], 2), "EUR"});
  csv.row({"organic share", fixed(m.organic_share * 100, 2), "% (target " + fixed(kOrganicTarget * 100, 0) + ")"});
  csv.row({"quality scheme share", fixed(m.quality_share * 100, 2),
           "% (target " + fixed(kQualitySchemeTarget * 100, 0) + ")"});
  csv.row({"suppliers admitted", std::to_string(m.admitted), "suppliers"});
  csv.row({"suppliers invited", std::to_string(m.invited), "suppliers"});
  csv.row({"suppliers bidding", std::to_string(m.bidding), "suppliers"});
  csv.row({"suppliers winning", std::to_string(m.winning), "suppliers"});
  csv.row({"SME share of value", fixed(m.sme_value_share * 100, 2), "%"});
  csv.row({"SME share of winners", fixed(m.sme_winner_share * 100, 2), "%"});
  return csv.text();
}

namespace {

// One finding of the compliance report.
struct Finding {
  std::string section;
  std::string item;
  std::string detail;
  std::string due;
  std::string status;  // "ok", "late", "overdue", "pending", "check", ...
};

std::vector<Finding> findings(core::Store& store, const DpsData& d, const core::Calendar& cal, core::TimePoint now) {
  std::vector<Finding> out;
  std::map<Id, core::AwardNoticeStatus> notices;
  store.read([&](core::Tx& tx) {
    for (core::AwardNoticeStatus& s : core::awardNoticeStatus(tx, cal, d.dps.id, now)) notices[s.round_id] = s;
  });
  for (const core::AdmissionRequest& a : d.admissions) {
    const int limit = a.extension_justification.empty() ? 10 : 15;
    const core::TimePoint due = cal.periodEndWorkingDays(a.received_at, limit);
    Finding f{"admission (Art. 34(5))", d.supplierName(a.supplier_id) + ", request " + std::to_string(a.id),
              "received " + when(a.received_at) + "; limit " + std::to_string(limit) + " working days" +
                  (a.extension_justification.empty() ? "" : " (justified: " + a.extension_justification + ")"),
              when(due), ""};
    if (a.decided_at) {
      f.detail += "; decided " + when(*a.decided_at) + " after " +
                  std::to_string(cal.workingDaysBetween(a.received_at, *a.decided_at)) + " working days (" +
                  core::toString(a.status) + ")";
      f.status = *a.decided_at <= due ? "ok" : "late";
    } else {
      f.status = now > due ? "overdue" : "pending";
    }
    out.push_back(f);
  }
  for (const RoundRecord& r : d.rounds) {
    if (r.round.dispatched_at) {
      const core::TimePoint earliest = cal.periodEndCalendarDays(*r.round.dispatched_at, 10);
      out.push_back({"tender period (Art. 34(2)(b))", r.round.reference,
                     "invitations " + when(*r.round.dispatched_at) + ", deadline " + when(r.round.deadline),
                     when(earliest), r.round.deadline >= earliest ? "ok" : "too short"});
    }
    if (const auto n = notices.find(r.round.id); n != notices.end()) {
      const core::AwardNoticeStatus& s = n->second;
      std::string detail = "awarded " + when(s.decided_at) + "; due within 30 days, or by " + when(s.due_quarterly) +
                           " in the notice grouping " + s.quarter;
      if (s.publication)
        detail += "; published " + when(s.publication->published_at) + " as " + s.publication->reference +
                  (s.publication->round_id == 0 ? " (notice grouping " + s.publication->quarter + ")" : "") +
                  ", recorded by " + s.publication->recorded_by;
      else
        detail += "; no publication recorded";
      static const std::map<core::NoticeState, std::string> kStatus = {
          {core::NoticeState::kDue, "due"},
          {core::NoticeState::kDueInQuarterly, "due in the quarterly notice"},
          {core::NoticeState::kOverdue, "overdue"},
          {core::NoticeState::kPublished, "ok"},
          {core::NoticeState::kPublishedLate, "late"}};
      out.push_back({"award notice (Art. 50(3))", r.round.reference, detail, when(s.due_alone), kStatus.at(s.state)});
    }
    std::set<Id> lots_with_results;
    for (const core::Lot& lot : r.lots) {
      int admissible = 0;
      int bids = 0;
      for (const core::LotResult& res : r.results)
        if (res.lot_id == lot.id) {
          ++bids;
          if (res.admissible) ++admissible;
        }
      if (r.round.status == core::RoundStatus::kEvaluated || r.round.status == core::RoundStatus::kAwarded) {
        if (admissible == 1)
          out.push_back({"single-bid lot", r.round.reference + " lot " + std::to_string(lot.number),
                         std::to_string(bids) + " bids, 1 admissible: competition was weak", "", "check"});
        if (admissible == 0)
          out.push_back({"lot without admissible bid", r.round.reference + " lot " + std::to_string(lot.number),
                         std::to_string(bids) + " bids received", "", "check"});
      }
    }
    for (const core::AbnormalLowCase& c : r.abnormal) {
      Id supplier = 0;
      for (const core::Bid& b : r.bids)
        if (b.id == c.bid_id) supplier = b.supplier_id;
      int lot_number = 0;
      for (const core::Lot& l : r.lots)
        if (l.id == c.lot_id) lot_number = l.number;
      std::string detail = c.explanation_requested_at ? "explanation requested " + when(*c.explanation_requested_at)
                                                      : "no explanation requested";
      if (c.decided_at)
        detail += "; " + std::string(c.rejected ? "rejected " : "accepted ") + when(*c.decided_at) +
                  (c.explanation.empty() ? "" : ": " + c.explanation);
      out.push_back({"abnormally low bid (Art. 69)",
                     r.round.reference + " lot " + std::to_string(lot_number) + ", " + d.supplierName(supplier), detail,
                     "", c.decided_at ? "decided" : (c.explanation_requested_at ? "awaiting decision" : "open")});
    }
  }
  const core::AuditVerification audit = core::verifyAudit(store);
  Finding chain{"audit chain", std::to_string(audit.entries) + " entries", "", "", audit.ok() ? "intact" : "broken"};
  for (const core::AuditProblem& p : audit.problems) chain.detail += (chain.detail.empty() ? "" : "; ") + p.what;
  if (audit.ok()) chain.detail = "every hash recomputes and every entry follows the one before it";
  out.push_back(chain);
  return out;
}

}  // namespace

std::string complianceHtml(core::Store& store, Id dps_id, const core::Calendar& calendar, const ReportOptions& options) {
  const DpsData d = load(store, dps_id);
  const std::vector<Finding> list = findings(store, d, calendar, options.generated_at);
  std::string body = "<h1>Compliance: " + html::esc(d.dps.reference) + "</h1>\n";
  std::map<std::string, int> problems;
  for (const Finding& f : list)
    if (f.status != "ok" && f.status != "intact" && f.status != "decided" && f.status != "pending" && f.status != "due" &&
        f.status != "due in the quarterly notice")
      ++problems[f.section];
  std::vector<std::pair<std::string, std::string>> summary{{"Contracting authority", d.authority.name},
                                                           {"As of", when(options.generated_at)},
                                                           {"Calendar", calendar.country() + " (" + calendar.timeZone() + ")"}};
  for (const auto& [section, n] : problems) summary.emplace_back(section, std::to_string(n) + " to look at");
  body += html::facts(summary);
  std::string section;
  std::vector<std::vector<std::string>> rows;
  auto flush = [&] {
    if (section.empty()) return;
    body += "<h2>" + html::esc(section) + "</h2>\n" + html::table({"Item", "Detail", "Limit", "Status"}, rows);
    rows.clear();
  };
  for (const Finding& f : list) {
    if (f.section != section) {
      flush();
      section = f.section;
    }
    rows.push_back({f.item, f.detail, f.due, f.status});
  }
  flush();
  return html::page("en", "Compliance " + d.dps.reference, body);
}

std::string complianceCsv(core::Store& store, Id dps_id, const core::Calendar& calendar, const ReportOptions& options) {
  const DpsData d = load(store, dps_id);
  CsvWriter csv;
  csv.row({"section", "item", "detail", "limit", "status"});
  for (const Finding& f : findings(store, d, calendar, options.generated_at))
    csv.row({f.section, f.item, f.detail, f.due, f.status});
  return csv.text();
}

}  // namespace reports
