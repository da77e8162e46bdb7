// verify-evaluation: an exported evaluation recomputes exactly; a changed price, a changed weight and
// a swapped rank are each reported; the command's exit codes. An optimal award's allocation and
// certificate travel with the evaluation document (schema 1.1).
#include <boost/test/unit_test.hpp>

#include <fstream>
#include <map>
#include <sstream>

#include "core/error.h"
#include "core/optimiser/award_optimiser.h"
#include "reports/documents.h"
#include "reports/report_command.h"
#include "reports/verify_evaluation.h"
#include "reports/xml.h"
#include "tests/reports/round_scene.h"
#include "tests/support/paths.h"

namespace {

// Replaces the one occurrence of `from` (fails the test when it is absent or not unique).
std::string replaceOnce(std::string text, const std::string& from, const std::string& to) {
  const std::size_t at = text.find(from);
  BOOST_REQUIRE_MESSAGE(at != std::string::npos, "not found: " + from);
  BOOST_REQUIRE_MESSAGE(text.find(from, at + 1) == std::string::npos, "not unique: " + from);
  return text.replace(at, from.size(), to);
}

// Sets attribute `attr` to `value` in the one start tag <element ...> that carries `which`
// (e.g. kind="price"); the serialiser writes attributes in alphabetical order, so tags are searched.
std::string editTag(std::string text, const std::string& element, const std::string& which, const std::string& attr,
                    const std::string& value) {
  std::size_t found = std::string::npos;
  std::size_t found_end = 0;
  for (std::size_t at = text.find("<" + element + " "); at != std::string::npos;
       at = text.find("<" + element + " ", at + 1)) {
    const std::size_t end = text.find('>', at);
    if (text.substr(at, end - at).find(" " + which) == std::string::npos) continue;
    BOOST_REQUIRE_MESSAGE(found == std::string::npos, "more than one <" + element + "> with " + which);
    found = at;
    found_end = end;
  }
  BOOST_REQUIRE_MESSAGE(found != std::string::npos, "no <" + element + "> with " + which);
  const std::size_t a = text.find(" " + attr + "=\"", found);
  BOOST_REQUIRE(a != std::string::npos && a < found_end);
  const std::size_t v = a + attr.size() + 3;
  const std::size_t q = text.find('"', v);
  return text.replace(v, q - v, value);
}

std::string setRank(const std::string& text, core::Id bid, int rank) {
  return editTag(text, "result", "bid-id=\"" + std::to_string(bid) + "\"", "rank", std::to_string(rank));
}

std::string setWeight(const std::string& text, const std::string& kind, int weight) {
  return editTag(text, "criterion", "kind=\"" + kind + "\"", "weight", std::to_string(weight));
}

bool mentions(const reports::EvaluationCheck& check, const std::string& a, const std::string& b = {}) {
  for (const std::string& d : check.differences)
    if (d.find(a) != std::string::npos && d.find(b) != std::string::npos) return true;
  return false;
}

std::string allDifferences(const reports::EvaluationCheck& check) {
  std::string s;
  for (const std::string& d : check.differences) s += d + "\n";
  return s;
}

struct Exported : dps_test::RoundScene {
  Exported() {
    reports::ExportOptions o;
    o.generated_at = at("2026-03-20T10:00:00Z");
    xml = reports::exportDocument(*store, reports::DocumentKind::kEvaluation, round_id, o);
  }
  int rankOf(core::Id bid) {
    for (const core::LotResult& r : results(round_id))
      if (r.bid_id == bid && r.delivery_point_id == 0) return r.rank;
    return -1;
  }
  std::string xml;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(verify_evaluation)

BOOST_FIXTURE_TEST_CASE(exported_evaluation_recomputes_exactly, Exported) {
  const reports::EvaluationCheck check = reports::verifyEvaluation(xml);
  BOOST_TEST(check.agrees(), allDifferences(check));
  BOOST_TEST(check.lots == 1);
  BOOST_TEST(check.results == 3);
  BOOST_TEST(check.scores == 12);
  BOOST_TEST(check.round_reference == round(round_id).reference);
}

BOOST_FIXTURE_TEST_CASE(changed_price_is_reported, Exported) {
  // B's 2.40 becomes 2.30: B's price points, its total and the price inputs no longer match.
  const std::string changed = replaceOnce(xml, "unit-price=\"2.4\"", "unit-price=\"2.3\"");
  const reports::EvaluationCheck check = reports::verifyEvaluation(changed);
  BOOST_TEST(!check.agrees());
  const std::string bid = "bid " + std::to_string(bid_b);
  BOOST_TEST(mentions(check, bid + ", price", "points is 55/2 in the document, recomputed 660/23"),
             allDifferences(check));
  BOOST_TEST(mentions(check, bid + ": total"));
  BOOST_TEST(mentions(check, bid + ", price: inputs", "value=2.3"));
  // Nothing is said about A's price, which does not depend on B's.
  BOOST_TEST(!mentions(check, "bid " + std::to_string(bid_a) + ", price"));
}

BOOST_FIXTURE_TEST_CASE(changed_weights_are_reported, Exported) {
  // Price 60 -> 70 and CO2 20 -> 10: still within the published ranges and summing to 100.
  const std::string changed = setWeight(setWeight(xml, "price", 70), "co2", 10);
  const reports::EvaluationCheck check = reports::verifyEvaluation(changed);
  BOOST_TEST(!check.agrees());
  BOOST_TEST(mentions(check, "bid " + std::to_string(bid_c) + ", price: weight is '60' in the document, recomputed '70'"),
             allDifferences(check));
  BOOST_TEST(mentions(check, "bid " + std::to_string(bid_c) + ", price: points is 60 in the document, recomputed 70"));

  // One weight alone: the weights no longer sum to 100 and the lot cannot be evaluated at all.
  const std::string single = setWeight(xml, "price", 61);
  const reports::EvaluationCheck broken = reports::verifyEvaluation(single);
  BOOST_TEST(mentions(broken, "cannot be evaluated", "weights sum to 101"), allDifferences(broken));
}

BOOST_FIXTURE_TEST_CASE(swapped_rank_is_reported, Exported) {
  core::Id first = 0;
  core::Id second = 0;
  for (const core::Id b : {bid_a, bid_b, bid_c}) {
    if (rankOf(b) == 1) first = b;
    if (rankOf(b) == 2) second = b;
  }
  BOOST_REQUIRE(first != 0 && second != 0);
  const std::string swapped = setRank(setRank(xml, first, 2), second, 1);
  const reports::EvaluationCheck check = reports::verifyEvaluation(swapped);
  BOOST_TEST(check.differences.size() == 2u, allDifferences(check));
  BOOST_TEST(mentions(check, "bid " + std::to_string(first) + ": rank is '2' in the document, recomputed '1'"));
  BOOST_TEST(mentions(check, "bid " + std::to_string(second) + ": rank is '1' in the document, recomputed '2'"));
}

BOOST_FIXTURE_TEST_CASE(removed_result_and_dropped_score_are_reported, Exported) {
  // A's freshness score taken out of the document.
  const std::size_t result = xml.find("bid-id=\"" + std::to_string(bid_a) + "\" rank=");
  BOOST_REQUIRE(result != std::string::npos);
  const std::size_t score = xml.find("<score formula=\"linear_band\" kind=\"freshness\"", result);
  BOOST_REQUIRE(score != std::string::npos);
  const std::size_t score_end = xml.find("</score>", score) + std::string("</score>").size();
  std::string changed = xml;
  changed.erase(score, score_end - score);
  const reports::EvaluationCheck check = reports::verifyEvaluation(changed);
  BOOST_TEST(mentions(check, "bid " + std::to_string(bid_a), "3 criterion scores, recomputed 4"), allDifferences(check));
  BOOST_TEST(mentions(check, "bid " + std::to_string(bid_a) + ", freshness: the document has no score"));
}

BOOST_FIXTURE_TEST_CASE(a_file_that_is_not_a_valid_evaluation_is_refused, Exported) {
  BOOST_CHECK_EXCEPTION(reports::verifyEvaluation(replaceOnce(xml, "unit-price=\"2.4\"", "unit-price=\"two\"")),
                        core::Error, [](const core::Error& e) {
                          return e.code() == core::ErrorCode::kInvalidArgument &&
                                 std::string(e.what()).find("unit-price") != std::string::npos;
                        });
  reports::ExportOptions o;
  o.generated_at = at("2026-03-20T10:00:00Z");
  const std::string round_doc = reports::exportDocument(*store, reports::DocumentKind::kRound, round_id, o);
  BOOST_CHECK_EXCEPTION(reports::verifyEvaluation(round_doc), core::Error, [](const core::Error& e) {
    return std::string(e.what()).find("not an evaluation") != std::string::npos;
  });
}

BOOST_FIXTURE_TEST_CASE(command_exit_codes_tell_agreement_from_difference, Exported) {
  const std::string folder = dps_test::tempDir("reports-verify");
  const std::string good = folder + "/good.xml";
  const std::string bad = folder + "/bad.xml";
  std::ofstream(good) << xml;
  std::ofstream(bad) << replaceOnce(xml, "unit-price=\"2.4\"", "unit-price=\"2.3\"");
  std::ostringstream out;
  std::ostringstream err;
  BOOST_TEST(reports::runReportCommand({"verify-evaluation", good}, *store, clock, out, err) == 0);
  BOOST_TEST(out.str().find("agrees") != std::string::npos);
  std::ostringstream out_bad;
  BOOST_TEST(reports::runReportCommand({"verify-evaluation", bad}, *store, clock, out_bad, err) == 1);
  BOOST_TEST(out_bad.str().find("DIFFERENCE") != std::string::npos);
  std::ostringstream missing;
  BOOST_TEST(reports::runReportCommand({"verify-evaluation", folder + "/absent.xml"}, *store, clock, out, missing) == 1);
  BOOST_TEST(missing.str().find("cannot read") != std::string::npos);
}

// Award mode optimal_by_delivery_point: the document carries one evaluation per delivery point,
// and those recompute too; the award names the point of every winner and keeps the certificate.
BOOST_FIXTURE_TEST_CASE(per_point_evaluation_recomputes_and_award_names_points, dps_test::EngineFixture) {
  const std::unique_ptr<core::AwardOptimiser> optimiser = core::makeAwardOptimiser();
  engine = std::make_unique<core::Engine>(*store, clock, calendars, sealer, optimiser.get());
  const dps_test::DpsHandle d = publishedDps();
  const core::Id north = deliveryPoint("N", 46.30, 14.35);
  const core::Id south = deliveryPoint("S", 46.18, 14.35);
  const dps_test::SupplierHandle up = admittedSupplier("Kmetija Sever", d.categories[0], 0.06, 0.0);
  const dps_test::SupplierHandle down = admittedSupplier("Kmetija Jug", d.categories[0], -0.06, 0.0);
  startRounds();
  core::Lot l = lot(1, north, "50");
  l.demands.push_back({south, core::Decimal::fromInt(50), "weekly"});
  const core::Id r = createRound(d, d.categories[0], {l}, core::AwardMode::kOptimalByDeliveryPoint, true);
  dispatch(r);
  const core::Id lot_id = lots(r).front().id;
  bid(up, r, {bidLine(lot_id, "2.00", "60", up)});
  bid(down, r, {bidLine(lot_id, "2.00", "60", down)});
  openAndEvaluate(r);
  engine->awardRound(officer, r);
  reports::ExportOptions o;
  o.generated_at = at("2026-03-20T10:00:00Z");
  const std::string xml = reports::exportDocument(*store, reports::DocumentKind::kEvaluation, r, o);
  BOOST_TEST(xml.find("<point-evaluation delivery-point-id=\"" + std::to_string(north) + "\"") != std::string::npos);
  BOOST_TEST(xml.find("<point-evaluation delivery-point-id=\"" + std::to_string(south) + "\"") != std::string::npos);
  const reports::EvaluationCheck check = reports::verifyEvaluation(xml);
  BOOST_TEST(check.agrees(), allDifferences(check));
  BOOST_TEST(check.results == 6);  // two bids on the lot and on each of its two points
  // Dropping one point's evaluation is a difference: the award mode needs it.
  const std::size_t start = xml.find("<point-evaluation delivery-point-id=\"" + std::to_string(south) + "\"");
  const std::size_t end = xml.find("</point-evaluation>", start) + std::string("</point-evaluation>").size();
  std::string cut = xml;
  cut.erase(start, end - start);
  BOOST_TEST(mentions(reports::verifyEvaluation(cut), "delivery point " + std::to_string(south),
                      "no per-point evaluation"));

  const std::string award = reports::exportDocument(*store, reports::DocumentKind::kAward, r, o);
  BOOST_TEST(award.find("delivery-point-id=\"" + std::to_string(north) + "\"") != std::string::npos);
  BOOST_TEST(award.find("delivery-point-id=\"" + std::to_string(south) + "\"") != std::string::npos);
  BOOST_TEST(award.find("<certificate>") != std::string::npos);
}

// Issue 6: once a round in award mode optimal_by_delivery_point is awarded, its evaluation document
// carries, per lot, the quantity and score of every (supplier, point) the optimiser chose and the
// lot's certificate of optimality; the award document agrees with it.
BOOST_FIXTURE_TEST_CASE(optimal_award_allocation_and_certificate_travel_with_the_evaluation, dps_test::EngineFixture) {
  const std::unique_ptr<core::AwardOptimiser> optimiser = core::makeAwardOptimiser();
  engine = std::make_unique<core::Engine>(*store, clock, calendars, sealer, optimiser.get());
  const dps_test::DpsHandle d = publishedDps();
  const core::Id north = deliveryPoint("N", 46.30, 14.35);
  const core::Id south = deliveryPoint("S", 46.18, 14.35);
  const dps_test::SupplierHandle up = admittedSupplier("Kmetija Sever", d.categories[0], 0.06, 0.0);
  const dps_test::SupplierHandle down = admittedSupplier("Kmetija Jug", d.categories[0], -0.06, 0.0);
  startRounds();
  core::Lot l = lot(1, north, "50");
  l.demands.push_back({south, core::Decimal::fromInt(50), "weekly"});
  const core::Id r = createRound(d, d.categories[0], {l}, core::AwardMode::kOptimalByDeliveryPoint, true);
  dispatch(r);
  const core::Id lot_id = lots(r).front().id;
  bid(up, r, {bidLine(lot_id, "2.00", "60", up)});
  bid(down, r, {bidLine(lot_id, "2.00", "60", down)});
  openAndEvaluate(r);
  reports::ExportOptions o;
  o.generated_at = at("2026-03-20T10:00:00Z");
  // Before the award there is nothing to carry, and the document stays a 1.0 document.
  const std::string before = reports::exportDocument(*store, reports::DocumentKind::kEvaluation, r, o);
  BOOST_TEST(before.find("<allocation>") == std::string::npos);
  BOOST_TEST(before.find("schema-version=\"1.0\"") != std::string::npos);

  const core::AwardDecision decision = engine->awardRound(officer, r);
  const std::string xml = reports::exportDocument(*store, reports::DocumentKind::kEvaluation, r, o);
  BOOST_TEST(reports::validateDocument(xml).empty());
  BOOST_TEST(reports::verifyEvaluation(xml).agrees(), allDifferences(reports::verifyEvaluation(xml)));
  const auto schema = reports::xml::Schema::load(reports::defaultSchemaDir() + "/" + reports::kSchemaFile);
  std::vector<std::string> problems;
  const reports::xml::DomPtr dom = schema->parse(xml, "evaluation.xml", problems);
  BOOST_REQUIRE(dom != nullptr);
  using reports::xml::attrOf;
  BOOST_TEST(attrOf(dom->getDocumentElement(), "schema-version") == "1.1");
  const auto* lot_e = reports::xml::child(dom->getDocumentElement(), "lot");
  const auto* allocation = reports::xml::child(lot_e, "allocation");
  BOOST_REQUIRE(allocation != nullptr);

  // Every award line, as (bid, point) -> quantity and exact score, and nothing else.
  std::map<std::pair<std::string, std::string>, std::pair<std::string, std::string>> stored;
  store->transact([&](core::Tx& tx) {
    for (const core::AwardLine& a : tx.listAwardLines(r))
      stored[{std::to_string(a.bid_id), std::to_string(a.delivery_point_id.value_or(0))}] = {a.quantity.toString(),
                                                                                             a.score.toString()};
  });
  std::map<std::pair<std::string, std::string>, std::pair<std::string, std::string>> exported;
  std::map<std::string, core::Decimal> per_point;
  for (const auto* a : reports::xml::children(allocation, "allocated")) {
    exported[{attrOf(a, "bid-id"), attrOf(a, "delivery-point-id")}] = {attrOf(a, "quantity"), attrOf(a, "score")};
    per_point[attrOf(a, "delivery-point-id")] += core::Decimal::parse(attrOf(a, "quantity"));
    BOOST_TEST(!attrOf(a, "supplier-name").empty());
  }
  BOOST_TEST(!exported.empty());
  BOOST_TEST((exported == stored));
  // Capacity 60 + 60 covers both points' 50: all demand is met, so nothing is open.
  BOOST_TEST(per_point[std::to_string(north)].toString() == "50");
  BOOST_TEST(per_point[std::to_string(south)].toString() == "50");
  BOOST_TEST(reports::xml::children(allocation, "open").empty());

  // The lot's certificate: the optimiser's, with a dual price for each bid and each point.
  const std::string certificate = reports::xml::textOf(reports::xml::child(allocation, "certificate"));
  BOOST_TEST(certificate.find("proven_optimal") != std::string::npos, certificate);
  BOOST_TEST(certificate.find("potential point " + std::to_string(north)) != std::string::npos, certificate);
  BOOST_TEST(certificate.find("potential point " + std::to_string(south)) != std::string::npos, certificate);
  BOOST_TEST(decision.certificate.find(certificate) != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
