// Round evaluation report (HTML, CSV), award decision letter (Art. 55) and the Art. 84 report.
#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "core/error.h"
#include "core/scoring.h"
#include "reports/csv.h"
#include "reports/html.h"
#include "reports/reports.h"

namespace reports {

using core::Error;
using core::ErrorCode;
using core::Id;

namespace {

struct RoundData {
  core::Round round;
  core::Dps dps;
  core::Authority authority;
  core::Category category;
  std::vector<core::Criterion> criteria;  // effective
  std::vector<core::Lot> lots;
  std::vector<core::Bid> bids;
  std::map<Id, std::vector<core::BidLine>> lines;  // by bid
  std::vector<core::LotResult> results;            // lot level (point 0)
  std::vector<core::ScoreRecord> scores;           // lot level
  std::vector<core::AwardLine> awards;
  std::optional<core::AwardDecision> decision;
  std::vector<core::AbnormalLowCase> abnormal;
  std::vector<core::Invitation> invitations;
  std::map<Id, core::Supplier> suppliers;

  const core::Lot* lot(Id id) const {
    for (const core::Lot& l : lots)
      if (l.id == id) return &l;
    return nullptr;
  }
  const core::BidLine* line(Id bid, Id lot_id) const {
    const auto it = lines.find(bid);
    if (it == lines.end()) return nullptr;
    for (const core::BidLine& l : it->second)
      if (l.lot_id == lot_id) return &l;
    return nullptr;
  }
  const core::Bid* bid(Id id) const {
    for (const core::Bid& b : bids)
      if (b.id == id) return &b;
    return nullptr;
  }
  std::string supplierName(Id id) const {
    const auto it = suppliers.find(id);
    return it == suppliers.end() ? "supplier " + std::to_string(id) : it->second.name;
  }
  std::vector<const core::LotResult*> resultsOf(Id lot_id) const {
    std::vector<const core::LotResult*> out;
    for (const core::LotResult& r : results)
      if (r.lot_id == lot_id) out.push_back(&r);
    std::sort(out.begin(), out.end(), [](const core::LotResult* a, const core::LotResult* b) {
      if ((a->rank > 0) != (b->rank > 0)) return a->rank > 0;
      return a->rank != b->rank ? a->rank < b->rank : a->bid_id < b->bid_id;
    });
    return out;
  }
  const core::ScoreRecord* score(Id lot_id, Id bid, core::CriterionKind kind) const {
    for (const core::ScoreRecord& s : scores)
      if (s.lot_id == lot_id && s.bid_id == bid && s.kind == kind) return &s;
    return nullptr;
  }
};

RoundData load(core::Store& store, Id round_id, bool need_evaluation) {
  RoundData d;
  store.read([&](core::Tx& tx) {
    const auto r = tx.getRound(round_id);
    if (!r)
      throw Error(ErrorCode::kNotFound, "round " + std::to_string(round_id) + " does not exist; check the round id");
    d.round = *r;
    if (need_evaluation && d.round.status != core::RoundStatus::kEvaluated && d.round.status != core::RoundStatus::kAwarded)
      throw Error(ErrorCode::kConflict, "round " + d.round.reference + " is " + core::toString(d.round.status) +
                                            "; this report exists once the round was evaluated");
    d.dps = *tx.getDps(d.round.dps_id);
    if (const auto a = tx.getAuthority(d.dps.authority_id)) d.authority = *a;
    if (const auto c = tx.getCategory(d.round.category_id)) d.category = *c;
    d.criteria = core::applyRefinements(tx.listCriteria(d.dps.id, d.round.criteria_version), d.round.refinements);
    d.lots = tx.listLots(d.round.id);
    d.invitations = tx.listInvitations(d.round.id);
    if (d.round.opened_at) {
      d.bids = tx.listBids(d.round.id);
      for (const core::Bid& b : d.bids) d.lines[b.id] = tx.listBidLines(b.id);
    }
    for (const core::LotResult& res : tx.listLotResults(d.round.id))
      if (res.delivery_point_id == 0) d.results.push_back(res);
    for (const core::ScoreRecord& s : tx.listScores(d.round.id))
      if (s.delivery_point_id == 0) d.scores.push_back(s);
    d.awards = tx.listAwardLines(d.round.id);
    d.decision = tx.getAwardDecision(d.round.id);
    d.abnormal = tx.listAbnormalLowCases(d.round.id);
    std::set<Id> ids;
    for (const core::Bid& b : d.bids) ids.insert(b.supplier_id);
    for (const core::Invitation& i : d.invitations) ids.insert(i.supplier_id);
    for (const Id id : ids)
      if (const auto s = tx.getSupplier(id)) d.suppliers[id] = *s;
  });
  return d;
}

std::string points(const core::Exact& e) { return e.toDecimalString(3); }
std::string money(core::Decimal d) { return d.toString(2); }
std::string when(core::TimePoint t) { return core::formatTime(t); }

std::string criterionText(const core::Criterion& c) {
  std::string text = std::string(core::toString(c.kind)) + " " + std::to_string(c.weight) + " points, " +
                     core::toString(c.formula);
  if (c.formula == core::Formula::kLinearBand) text += " (" + c.a.toString() + " .. " + c.b.toString() + ")";
  if (!c.fact.empty()) text += " (" + c.fact + ")";
  return text;
}

std::string roundFacts(const RoundData& d) {
  std::vector<std::pair<std::string, std::string>> f{
      {"Contracting authority", d.authority.name},
      {"Dynamic purchasing system", d.dps.reference + " - " + d.dps.title},
      {"Category", d.category.code + " - " + d.category.name},
      {"Round", d.round.reference + " - " + d.round.title},
      {"Status", core::toString(d.round.status)},
      {"Award mode", core::toString(d.round.award_mode)}};
  if (d.round.dispatched_at) {
    f.emplace_back("Invitations sent", when(*d.round.dispatched_at));
    f.emplace_back("Tender deadline", when(d.round.deadline));
  }
  if (d.round.opened_at) f.emplace_back("Opened", when(*d.round.opened_at));
  if (d.decision) {
    f.emplace_back("Award decided", when(d.decision->decided_at) + " by " + d.decision->decided_by);
    f.emplace_back("Standstill ends", d.decision->standstill_end ? when(*d.decision->standstill_end)
                                                                 : std::string("no standstill for this call-off"));
  }
  return html::facts(f);
}

}  // namespace

std::string roundEvaluationHtml(core::Store& store, Id round_id, const ReportOptions& options) {
  const RoundData d = load(store, round_id, true);
  std::string body = "<h1>Evaluation report: " + html::esc(d.round.reference) + "</h1>\n" + roundFacts(d);
  body += "<h2>Award criteria</h2>\n";
  std::vector<std::vector<std::string>> crit;
  for (const core::Criterion& c : d.criteria)
    crit.push_back({core::toString(c.kind), std::to_string(c.weight), criterionText(c), c.description});
  body += html::table({"Criterion", "Weight", "Rule", "Description"}, crit, {false, true, false, false});
  body += "<p>Ties on the total are broken by the higher price score, then the earlier submission.</p>\n";
  std::vector<std::string> kinds;
  for (const core::Criterion& c : d.criteria) kinds.push_back(core::toString(c.kind));
  for (const core::Lot& lot : d.lots) {
    body += "<h2>Lot " + std::to_string(lot.number) + ": " + html::esc(lot.description) + "</h2>\n";
    std::vector<std::string> header{"Rank", "Supplier", "Unit price", "Quantity"};
    header.insert(header.end(), kinds.begin(), kinds.end());
    header.insert(header.end(), {"Total", "Flags"});
    std::vector<bool> numeric{true, false, true, true};
    numeric.insert(numeric.end(), kinds.size() + 1, true);
    numeric.push_back(false);
    std::vector<std::vector<std::string>> rows;
    std::vector<html::StackedRow> chart;
    for (const core::LotResult* r : d.resultsOf(lot.id)) {
      const core::BidLine* line = d.line(r->bid_id, lot.id);
      std::vector<std::string> row{r->rank > 0 ? std::to_string(r->rank) : "-", d.supplierName(r->supplier_id),
                                   line ? money(line->unit_price) : "", line ? line->quantity.toString() : ""};
      html::StackedRow bar;
      bar.label = d.supplierName(r->supplier_id);
      for (const core::Criterion& c : d.criteria) {
        const core::ScoreRecord* s = d.score(lot.id, r->bid_id, c.kind);
        row.push_back(s ? points(s->points) : "");
        bar.segments.push_back(s ? s->points.toDouble() : 0);
      }
      row.push_back(r->admissible ? points(r->total) : "not admissible");
      // The engine's note already names the flag ("abnormally low: ...") or the reason for refusal.
      row.push_back(!r->note.empty() ? r->note : (r->abnormally_low ? "abnormally low" : ""));
      rows.push_back(row);
      bar.text = r->admissible ? points(r->total) : "not admissible";
      chart.push_back(bar);
    }
    body += html::table(header, rows, numeric);
    if (!chart.empty()) body += html::stackedChart("Points per criterion, lot " + std::to_string(lot.number), kinds, chart, 100);
  }
  body += "<p>Generated " + html::esc(when(options.generated_at)) +
          ". Every score is recomputable from the exported evaluation document (dps verify-evaluation).</p>\n";
  return html::page("en", "Evaluation report " + d.round.reference, body);
}

std::string roundEvaluationCsv(core::Store& store, Id round_id) {
  const RoundData d = load(store, round_id, true);
  CsvWriter csv;
  std::vector<std::string> header{"round", "lot", "lot description", "rank", "bid id", "supplier", "unit price",
                                  "quantity"};
  for (const core::Criterion& c : d.criteria) header.push_back(std::string(core::toString(c.kind)) + " points");
  header.insert(header.end(), {"total", "total exact", "admissible", "abnormally low", "note"});
  csv.row(header);
  for (const core::Lot& lot : d.lots) {
    for (const core::LotResult* r : d.resultsOf(lot.id)) {
      const core::BidLine* line = d.line(r->bid_id, lot.id);
      std::vector<std::string> row{d.round.reference,
                                   std::to_string(lot.number),
                                   lot.description,
                                   std::to_string(r->rank),
                                   std::to_string(r->bid_id),
                                   d.supplierName(r->supplier_id),
                                   line ? line->unit_price.toString() : "",
                                   line ? line->quantity.toString() : ""};
      for (const core::Criterion& c : d.criteria) {
        const core::ScoreRecord* s = d.score(lot.id, r->bid_id, c.kind);
        row.push_back(s ? points(s->points) : "");
      }
      row.insert(row.end(), {points(r->total), r->total.toString(), r->admissible ? "yes" : "no",
                             r->abnormally_low ? "yes" : "no", r->note});
      csv.row(row);
    }
  }
  return csv.text();
}

std::string awardLetterHtml(core::Store& store, Id round_id, Id supplier_id, const ReportOptions& options) {
  const RoundData d = load(store, round_id, true);
  if (!d.decision)
    throw Error(ErrorCode::kConflict, "round " + d.round.reference + " is not awarded yet; the letter follows the award");
  bool bid = false;
  for (const core::Bid& b : d.bids) bid |= b.supplier_id == supplier_id;
  if (!bid)
    throw Error(ErrorCode::kNotFound, d.supplierName(supplier_id) + " (supplier " + std::to_string(supplier_id) +
                                          ") did not bid in round " + d.round.reference + "; letters go to tenderers");
  const std::string name = d.supplierName(supplier_id);
  std::string body = "<h1>Award decision: " + html::esc(d.round.reference) + "</h1>\n";
  body += "<p>To: <strong>" + html::esc(name) + "</strong><br>From: " + html::esc(d.authority.name) + "<br>Date: " +
          html::esc(when(options.generated_at)) + "</p>\n";
  body += "<p>We inform you of the decision on the award of the round " + html::esc(d.round.reference) + " (" +
          html::esc(d.round.title) + ") under the dynamic purchasing system " + html::esc(d.dps.reference) +
          ", with the reasons and, where your tender was not successful, the characteristics and relative "
          "advantages of the tender selected (Article 55(2) of Directive 2014/24/EU).</p>\n";
  for (const core::Lot& lot : d.lots) {
    const core::LotResult* mine = nullptr;
    for (const core::LotResult& r : d.results)
      if (r.lot_id == lot.id && r.supplier_id == supplier_id) mine = &r;
    if (mine == nullptr) continue;
    body += "<h2>Lot " + std::to_string(lot.number) + ": " + html::esc(lot.description) + "</h2>\n";
    core::Decimal won_quantity;
    core::Decimal won_value;
    std::vector<const core::AwardLine*> winners;
    for (const core::AwardLine& a : d.awards) {
      if (a.lot_id != lot.id) continue;
      winners.push_back(&a);
      if (a.supplier_id == supplier_id) {
        won_quantity += a.quantity;
        won_value += a.quantity * a.unit_price;
      }
    }
    if (!mine->admissible) {
      body += "<p class=\"flag\">Your tender was not admissible: " + html::esc(mine->note) + "</p>\n";
    } else if (!won_quantity.isZero()) {
      body += "<p class=\"ok\">Your tender is selected for " + html::esc(won_quantity.toString()) + " " +
              html::esc(lot.unit) + " at a value of EUR " + html::esc(money(won_value)) + ". It ranked " +
              std::to_string(mine->rank) + " with " + html::esc(points(mine->total)) + " points.</p>\n";
    } else {
      body += "<p>Your tender ranked " + std::to_string(mine->rank) + " with " + html::esc(points(mine->total)) +
              " points and is not selected.</p>\n";
    }
    std::set<Id> shown;
    for (const core::AwardLine* w : winners) {
      if (w->supplier_id == supplier_id || !shown.insert(w->bid_id).second) continue;
      const core::LotResult* theirs = nullptr;
      for (const core::LotResult& r : d.results)
        if (r.lot_id == lot.id && r.bid_id == w->bid_id) theirs = &r;
      if (theirs == nullptr) continue;
      body += "<p>Selected tender: <strong>" + html::esc(d.supplierName(w->supplier_id)) + "</strong>, rank " +
              std::to_string(theirs->rank) + ", " + html::esc(points(theirs->total)) + " points.</p>\n";
      std::vector<std::vector<std::string>> rows;
      for (const core::Criterion& c : d.criteria) {
        const core::ScoreRecord* s_win = d.score(lot.id, w->bid_id, c.kind);
        const core::ScoreRecord* s_mine = d.score(lot.id, mine->bid_id, c.kind);
        if (s_win == nullptr) continue;
        std::string advantage;
        if (s_mine != nullptr) {
          const core::Exact diff = s_win->points - s_mine->points;
          advantage = diff > core::Exact() ? "selected tender +" + points(diff)
                      : diff < core::Exact() ? "your tender +" + points(s_mine->points - s_win->points)
                                             : "equal";
        }
        rows.push_back({core::toString(c.kind), s_win->value.toDecimalString(3),
                        s_mine ? s_mine->value.toDecimalString(3) : "", points(s_win->points),
                        s_mine ? points(s_mine->points) : "", advantage});
      }
      body += html::table({"Criterion", "Selected tender's value", "Your value", "Selected tender's points",
                           "Your points", "Relative advantage"},
                          rows, {false, true, true, true, true, false});
    }
  }
  body += "<p>" +
          html::esc(d.decision->standstill_end
                        ? "The contract will not be concluded before " + when(*d.decision->standstill_end) +
                              " (standstill period, Directive 2007/66/EC); a request for review may be lodged "
                              "until then."
                        : std::string("No standstill period applies to this call-off under the dynamic purchasing "
                                      "system (Directive 2007/66/EC, Art. 2b).")) +
          "</p>\n";
  return html::page("en", "Award decision " + d.round.reference + " - " + name, body);
}

std::string article84Html(core::Store& store, Id round_id, const ReportOptions& options) {
  const RoundData d = load(store, round_id, false);
  std::string body = "<h1>Individual report (Article 84): " + html::esc(d.round.reference) + "</h1>\n" + roundFacts(d);
  core::Decimal total;
  for (const core::AwardLine& a : d.awards) total += a.quantity * a.unit_price;
  body += "<h2>(a) Authority, subject-matter and value</h2>\n";
  body += html::facts({{"Contracting authority", d.authority.name + " (" + d.authority.country + ")"},
                       {"Subject-matter", d.round.title + "; CPV " + d.dps.cpv + "; " +
                                              std::to_string(d.lots.size()) + " lots"},
                       {"Value awarded", "EUR " + money(total)},
                       {"Procedure", "call for competition under the dynamic purchasing system " + d.dps.reference +
                                         " (restricted procedure, Art. 34)"}});
  body += "<h2>Invited suppliers (frozen at dispatch, Art. 34(6))</h2>\n";
  std::vector<std::vector<std::string>> inv;
  for (const core::Invitation& i : d.invitations) inv.push_back({d.supplierName(i.supplier_id), when(i.invited_at)});
  body += html::table({"Supplier", "Invited at"}, inv);
  body += "<h2>(c), (d) Tenders received, rejected tenders and the reasons</h2>\n";
  std::vector<std::vector<std::string>> tenders;
  for (const core::Bid& b : d.bids)
    tenders.push_back({std::to_string(b.id), d.supplierName(b.supplier_id), std::to_string(b.version),
                       core::toString(b.status), when(b.submitted_at), b.status_reason});
  body += html::table({"Bid", "Supplier", "Version", "Status", "Submitted", "Reason"}, tenders);
  std::vector<std::vector<std::string>> refused;
  for (const core::LotResult& r : d.results)
    if (!r.admissible) {
      const core::Lot* lot = d.lot(r.lot_id);
      refused.push_back({lot ? std::to_string(lot->number) : "", d.supplierName(r.supplier_id), r.note});
    }
  if (!refused.empty()) body += html::table({"Lot", "Supplier", "Why not admissible"}, refused);
  body += "<h2>Abnormally low tenders (Art. 69)</h2>\n";
  std::vector<std::vector<std::string>> low;
  for (const core::AbnormalLowCase& c : d.abnormal) {
    const core::Lot* lot = d.lot(c.lot_id);
    const core::Bid* b = d.bid(c.bid_id);
    low.push_back({lot ? std::to_string(lot->number) : "", b ? d.supplierName(b->supplier_id) : "",
                   c.explanation_requested_at ? when(*c.explanation_requested_at) : "not requested",
                   c.decided_at ? (c.rejected ? "rejected" : "accepted") : "undecided", c.explanation});
  }
  body += low.empty() ? std::string("<p>No tender was abnormally low.</p>\n")
                      : html::table({"Lot", "Supplier", "Explanation requested", "Decision", "Explanation"}, low);
  body += "<h2>(e) Successful tenderers and the reasons for their selection</h2>\n";
  std::vector<std::vector<std::string>> won;
  for (const core::AwardLine& a : d.awards) {
    const core::Lot* lot = d.lot(a.lot_id);
    int rank = 0;
    for (const core::LotResult& r : d.results)
      if (r.lot_id == a.lot_id && r.bid_id == a.bid_id) rank = r.rank;
    won.push_back({lot ? std::to_string(lot->number) : "", d.supplierName(a.supplier_id), a.quantity.toString(),
                   money(a.unit_price), money(a.quantity * a.unit_price), points(a.score),
                   "rank " + std::to_string(rank) + " under the published criteria (" + core::toString(d.round.award_mode) +
                       ")"});
  }
  body += won.empty() ? std::string("<p>No award yet.</p>\n")
                      : html::table({"Lot", "Supplier", "Quantity", "Unit price", "Value", "Points", "Reason"}, won,
                                    {false, false, true, true, true, true, false});
  std::vector<std::vector<std::string>> open_lots;
  for (const core::Lot& lot : d.lots) {
    core::Decimal demand;
    core::Decimal awarded;
    for (const core::Demand& dm : lot.demands) demand += dm.quantity;
    for (const core::AwardLine& a : d.awards)
      if (a.lot_id == lot.id) awarded += a.quantity;
    if (d.decision && awarded < demand)
      open_lots.push_back({std::to_string(lot.number), (demand - awarded).toString() + " " + lot.unit,
                           "no further admissible tender offered the quantity"});
  }
  if (!open_lots.empty()) {
    body += "<h2>(h) Demand not awarded</h2>\n";
    body += html::table({"Lot", "Not awarded", "Reason"}, open_lots);
  }
  body += "<h2>(i) Conflicts of interest; means of communication</h2>\n";
  body += "<p>No conflict of interest is recorded in the system. Invitations, tenders and the award were "
          "communicated only by electronic means; tenders stayed sealed until the deadline (Art. 22(3)).</p>\n";
  body += "<p>Generated " + html::esc(when(options.generated_at)) + ".</p>\n";
  return html::page("en", "Article 84 report " + d.round.reference, body);
}

}  // namespace reports
