// The project's own XML documents: every kind exported through the engine's data is valid against
// reports/schema/dps-1.0.xsd; a hand-built round's evaluation checked element by element; invalid
// data is an error and never a file; the audit export shows the chain. The streamed writer gives
// the bytes of the serialised DOM, and validation while writing catches what validation after does.
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "reports/builders.h"
#include "core/error.h"
#include "reports/documents.h"
#include "reports/report_command.h"
#include "reports/xml.h"
#include "tests/reports/round_scene.h"
#include "tests/support/paths.h"

namespace {

using reports::DocumentKind;
using reports::xml::attrOf;
using reports::xml::child;
using reports::xml::children;
using reports::xml::textOf;
using xercesc::DOMElement;

reports::ExportOptions options() {
  reports::ExportOptions o;
  o.generated_at = dps_test::EngineFixture::at("2026-03-20T10:00:00Z");
  return o;
}

reports::xml::DomPtr parse(const std::string& xml) {
  const auto schema = reports::xml::Schema::load(reports::defaultSchemaDir() + "/" + reports::kSchemaFile);
  std::vector<std::string> problems;
  reports::xml::DomPtr dom = schema->parse(xml, "test", problems);
  BOOST_REQUIRE_MESSAGE(dom != nullptr, (problems.empty() ? std::string() : problems.front()));
  return dom;
}

std::string joinInputs(const DOMElement* score) {
  std::string text;
  for (const DOMElement* in : children(score, "input")) {
    if (!text.empty()) text += ';';
    text += attrOf(in, "key") + "=" + textOf(in);
  }
  return text;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(documents)

BOOST_FIXTURE_TEST_CASE(every_document_of_an_awarded_round_is_valid_against_the_schema, dps_test::RoundScene) {
  awardRound();
  for (const DocumentKind kind : {DocumentKind::kDps, DocumentKind::kRound, DocumentKind::kBidRegister,
                                  DocumentKind::kEvaluation, DocumentKind::kAward, DocumentKind::kAuditLog}) {
    const core::Id id = kind == DocumentKind::kDps ? scene_dps.id : round_id;
    const std::string xml = reports::exportDocument(*store, kind, id, options());
    BOOST_TEST_CONTEXT(reports::toString(kind)) {
      BOOST_TEST(xml.rfind("<?xml", 0) == 0);
      BOOST_TEST(reports::validateDocument(xml).empty());
      const auto dom = parse(xml);
      BOOST_TEST(reports::xml::fromXml(dom->getDocumentElement()->getNamespaceURI()) == reports::kNamespace);
      BOOST_TEST(attrOf(dom->getDocumentElement(), "generated-at") == "2026-03-20T10:00:00Z");
    }
  }
}

BOOST_FIXTURE_TEST_CASE(evaluation_document_matches_the_hand_computed_round, dps_test::RoundScene) {
  const std::string xml = reports::exportDocument(*store, DocumentKind::kEvaluation, round_id, options());
  const auto dom = parse(xml);
  const DOMElement* root = dom->getDocumentElement();
  BOOST_TEST(attrOf(root, "schema-version") == "1.0");
  BOOST_TEST(attrOf(root, "dps-reference") == dps(scene_dps.id).reference);
  const DOMElement* round = child(root, "round");
  BOOST_TEST(attrOf(round, "id") == std::to_string(round_id));
  BOOST_TEST(attrOf(round, "status") == "evaluated");
  BOOST_TEST(attrOf(round, "award-mode") == "best_bid");

  // Criteria as published: price 60 (50..70), co2 20 (10..30), freshness 10 band 12..72, label 10.
  const auto criteria = children(child(root, "criteria"), "criterion");
  BOOST_REQUIRE_EQUAL(criteria.size(), 4u);
  BOOST_TEST(attrOf(criteria[0], "kind") == "price");
  BOOST_TEST(attrOf(criteria[0], "weight") == "60");
  BOOST_TEST(attrOf(criteria[0], "published-weight") == "60");
  BOOST_TEST(attrOf(criteria[0], "min-weight") == "50");
  BOOST_TEST(attrOf(criteria[0], "max-weight") == "70");
  BOOST_TEST(attrOf(criteria[2], "kind") == "freshness");
  BOOST_TEST(attrOf(criteria[2], "formula") == "linear_band");
  BOOST_TEST(attrOf(criteria[2], "a") == "12");
  BOOST_TEST(attrOf(criteria[2], "b") == "72");
  BOOST_TEST(attrOf(criteria[3], "fact") == "organic_or_quality");
  BOOST_TEST(children(child(root, "vehicle-factors"), "vehicle-factor").size() == 3u);

  const auto lots = children(root, "lot");
  BOOST_REQUIRE_EQUAL(lots.size(), 1u);
  const DOMElement* lot = lots[0];
  BOOST_TEST(attrOf(lot, "id") == std::to_string(lot_id));
  BOOST_TEST(attrOf(lot, "number") == "1");
  const auto points = children(lot, "point");
  BOOST_REQUIRE_EQUAL(points.size(), 2u);
  BOOST_TEST(attrOf(points[0], "quantity") == "60");
  BOOST_TEST(attrOf(points[1], "quantity") == "40");

  // The bids as they entered: lines as opened, dispatch coordinates, admissible.
  const auto bids = children(lot, "bid");
  BOOST_REQUIRE_EQUAL(bids.size(), 3u);
  BOOST_TEST(attrOf(bids[0], "bid-id") == std::to_string(bid_a));
  BOOST_TEST(attrOf(child(bids[0], "line"), "unit-price") == "2");
  BOOST_TEST(attrOf(child(bids[1], "line"), "unit-price") == "2.4");
  BOOST_TEST(attrOf(child(bids[1], "line"), "organic") == "true");
  BOOST_TEST(attrOf(child(bids[2], "line"), "unit-price") == "1.1");
  BOOST_TEST(attrOf(bids[2], "supplier-name") == "Kmetija C");
  for (const DOMElement* b : bids) BOOST_TEST(attrOf(b, "entered-admissible") == "true");

  // Results best first, exactly as stored by the engine.
  const std::vector<core::LotResult> stored = results(round_id);
  const auto documented = children(lot, "result");
  BOOST_REQUIRE_EQUAL(documented.size(), 3u);
  for (const DOMElement* r : documented) {
    const core::Id bid = std::stoll(attrOf(r, "bid-id"));
    const auto s = dps_test::resultOf(stored, lot_id, bid);
    BOOST_REQUIRE(s.has_value());
    BOOST_TEST(attrOf(r, "rank") == std::to_string(s->rank));
    BOOST_TEST(attrOf(r, "total") == s->total.toString());
    BOOST_TEST(attrOf(r, "total-display") == s->total.toDecimalString(3));
    BOOST_TEST(attrOf(r, "abnormally-low") == (s->abnormally_low ? "true" : "false"));
  }
  BOOST_TEST(attrOf(documented[0], "rank") == "1");
  BOOST_TEST(attrOf(documented[1], "rank") == "2");
  BOOST_TEST(attrOf(documented[2], "rank") == "3");

  // Hand-computed points: price 60 x 1.10 / price; freshness 10 x (72 - h) / 60; label 10 for B only.
  auto scoreOf = [&](core::Id bid, const std::string& kind) -> const DOMElement* {
    for (const DOMElement* r : documented)
      if (attrOf(r, "bid-id") == std::to_string(bid))
        for (const DOMElement* s : children(r, "score"))
          if (attrOf(s, "kind") == kind) return s;
    return nullptr;
  };
  BOOST_REQUIRE(scoreOf(bid_a, "price") != nullptr);
  BOOST_TEST(attrOf(child(scoreOf(bid_a, "price"), "points"), "exact") == "33");
  BOOST_TEST(attrOf(child(scoreOf(bid_b, "price"), "points"), "exact") == "55/2");
  BOOST_TEST(attrOf(child(scoreOf(bid_b, "price"), "points"), "display") == "27.500");
  BOOST_TEST(attrOf(child(scoreOf(bid_c, "price"), "points"), "exact") == "60");
  BOOST_TEST(joinInputs(scoreOf(bid_a, "price")) == "value=2;best=1.1;weight=60");
  BOOST_TEST(textOf(child(scoreOf(bid_a, "price"), "value")) == "2");
  BOOST_TEST(attrOf(child(scoreOf(bid_a, "freshness"), "points"), "exact") == "8");
  BOOST_TEST(attrOf(child(scoreOf(bid_b, "freshness"), "points"), "exact") == "10");
  BOOST_TEST(attrOf(child(scoreOf(bid_c, "freshness"), "points"), "exact") == "4");
  BOOST_TEST(attrOf(child(scoreOf(bid_a, "label"), "points"), "exact") == "0");
  BOOST_TEST(attrOf(child(scoreOf(bid_b, "label"), "points"), "exact") == "10");
  // C dispatches nearest: full CO2 points; the CO2 inputs name both delivery points and the mass.
  BOOST_TEST(attrOf(child(scoreOf(bid_c, "co2"), "points"), "exact") == "20");
  const std::string co2 = joinInputs(scoreOf(bid_a, "co2"));
  BOOST_TEST(co2.find("qty." + std::to_string(point_1) + "=60") != std::string::npos);
  BOOST_TEST(co2.find("qty." + std::to_string(point_2) + "=40") != std::string::npos);
  BOOST_TEST(co2.find("vehicle=van;kg_co2e_per_tkm=0.55;unit_mass_kg=1;total_qty=100;mass_t=1/10") !=
             std::string::npos);

  // C is abnormally low (1.10 is at least 40 % below the mean 2.20 of the others) and says why.
  const DOMElement* c_result = nullptr;
  for (const DOMElement* r : documented)
    if (attrOf(r, "bid-id") == std::to_string(bid_c)) c_result = r;
  BOOST_REQUIRE(c_result != nullptr);
  BOOST_TEST(attrOf(c_result, "abnormally-low") == "true");
  BOOST_TEST(textOf(child(c_result, "note")).find("Art. 69") != std::string::npos);

  // Every score of the document equals the stored record, inputs and all.
  std::size_t compared = 0;
  for (const core::ScoreRecord& s : scores(round_id)) {
    const DOMElement* e = scoreOf(s.bid_id, core::toString(s.kind));
    BOOST_REQUIRE(e != nullptr);
    BOOST_TEST(joinInputs(e) == s.inputs);
    BOOST_TEST(textOf(child(e, "value")) == s.value.toString());
    BOOST_TEST(attrOf(child(e, "points"), "exact") == s.points.toString());
    BOOST_TEST(attrOf(e, "weight") == std::to_string(s.weight));
    ++compared;
  }
  BOOST_TEST(compared == 12u);
}

BOOST_FIXTURE_TEST_CASE(award_document_names_winner_value_and_standstill_end, dps_test::RoundScene) {
  const core::AwardDecision decision = awardRound();
  const auto dom = parse(reports::exportDocument(*store, DocumentKind::kAward, round_id, options()));
  const DOMElement* root = dom->getDocumentElement();
  BOOST_REQUIRE(decision.standstill_end.has_value());
  BOOST_TEST(attrOf(root, "standstill-end") == core::formatTime(*decision.standstill_end));
  BOOST_TEST(attrOf(root, "decided-at") == core::formatTime(decision.decided_at));
  const auto lots = children(root, "lot");
  BOOST_REQUIRE_EQUAL(lots.size(), 1u);
  BOOST_TEST(attrOf(lots[0], "demand") == "100");
  BOOST_TEST(attrOf(lots[0], "awarded") == "100");
  const auto winners = children(lots[0], "winner");
  BOOST_REQUIRE_EQUAL(winners.size(), 1u);
  core::LotResult best;
  for (const core::LotResult& r : results(round_id))
    if (r.rank == 1) best = r;
  BOOST_TEST(best.bid_id == bid_c);
  BOOST_TEST(attrOf(winners[0], "bid-id") == std::to_string(best.bid_id));
  BOOST_TEST(textOf(child(winners[0], "reason")).find("ranked 1 of 3") != std::string::npos);
  BOOST_TEST(attrOf(root, "total-value") == attrOf(winners[0], "value"));
}

BOOST_FIXTURE_TEST_CASE(bid_register_and_evaluation_do_not_exist_before_their_time, dps_test::EngineFixture) {
  const dps_test::DpsHandle d = publishedDps();
  const core::Id point = deliveryPoint("OS-1");
  admittedSupplier("Kmetija A", d.categories[0]);
  startRounds();
  const core::Id r = createRound(d, d.categories[0], {lot(1, point, "10")});
  dispatch(r);
  for (const DocumentKind kind : {DocumentKind::kBidRegister, DocumentKind::kEvaluation, DocumentKind::kAward}) {
    BOOST_CHECK_EXCEPTION(reports::exportDocument(*store, kind, r, options()), core::Error,
                          [](const core::Error& e) { return e.code() == core::ErrorCode::kConflict; });
  }
  // The invitation exists: the frozen invitee list is in it.
  const auto dom = parse(reports::exportDocument(*store, DocumentKind::kRound, r, options()));
  const DOMElement* invitees = child(dom->getDocumentElement(), "invitees");
  BOOST_REQUIRE(invitees != nullptr);
  BOOST_TEST(attrOf(invitees, "count") == "1");
  BOOST_TEST(textOf(child(child(invitees, "invitee"), "name")) == "Kmetija A");
  BOOST_CHECK_EXCEPTION(reports::exportDocument(*store, DocumentKind::kRound, r + 1000, options()), core::Error,
                        [](const core::Error& e) { return e.code() == core::ErrorCode::kNotFound; });
}

BOOST_FIXTURE_TEST_CASE(invalid_data_is_an_error_and_never_a_file, dps_test::EngineFixture) {
  // A DPS whose main CPV code is not eight digits (written past the engine, straight into the store).
  core::Id id = 0;
  store->transact([&](core::Tx& tx) {
    core::Dps d;
    d.authority_id = authority_id;
    d.reference = "BROKEN-1";
    d.title = "broken";
    d.cpv = "15";
    id = tx.insertDps(d);
  });
  BOOST_CHECK_EXCEPTION(reports::exportDocument(*store, DocumentKind::kDps, id, options()), core::Error,
                        [](const core::Error& e) {
                          return e.code() == core::ErrorCode::kInternal &&
                                 std::string(e.what()).find("not valid") != std::string::npos;
                        });
  const std::string file = dps_test::tempDir("reports-invalid") + "/dps.xml";
  std::ostringstream out;
  std::ostringstream err;
  const int rc = reports::runReportCommand({"export", "dps", std::to_string(id), "-o", file}, *store, clock, out, err);
  BOOST_TEST(rc == 1);
  BOOST_TEST(!std::filesystem::exists(file));
  BOOST_TEST(err.str().find("cpv") != std::string::npos, err.str());
}

BOOST_AUTO_TEST_CASE(schema_rejects_wrong_documents) {
  BOOST_TEST(!reports::validateDocument("<evaluation xmlns=\"urn:other\"/>").empty());
  BOOST_TEST(!reports::validateDocument("not xml").empty());
  BOOST_TEST(!reports::validateDocument(
                  "<audit-log xmlns=\"urn:dps-local-food:1.0\" schema-version=\"1.0\" "
                  "generated-at=\"2026-01-01T00:00:00Z\" entries=\"x\" chain-intact=\"true\"/>")
                  .empty());
  BOOST_TEST(reports::validateDocument("<audit-log xmlns=\"urn:dps-local-food:1.0\" schema-version=\"1.0\" "
                                       "generated-at=\"2026-01-01T00:00:00Z\" entries=\"0\" chain-intact=\"true\"/>")
                 .empty());
  BOOST_CHECK_EXCEPTION(reports::validateDocument("<x/>", "/nonexistent-schema-dir"), core::Error,
                        [](const core::Error& e) { return e.code() == core::ErrorCode::kUnavailable; });
}

BOOST_FIXTURE_TEST_CASE(audit_export_carries_the_hash_chain, dps_test::RoundScene) {
  const std::vector<core::AuditEntry> log = audit();
  const auto dom = parse(reports::exportDocument(*store, DocumentKind::kAuditLog, 0, options()));
  const DOMElement* root = dom->getDocumentElement();
  BOOST_TEST(attrOf(root, "entries") == std::to_string(log.size()));
  BOOST_TEST(attrOf(root, "chain-intact") == "true");
  const auto entries = children(root, "entry");
  BOOST_REQUIRE_EQUAL(entries.size(), log.size());
  BOOST_TEST(attrOf(entries[0], "prev-hash") == std::string(64, '0'));
  for (std::size_t i = 0; i < log.size(); ++i) {
    BOOST_TEST(attrOf(entries[i], "hash") == log[i].hash);
    BOOST_TEST(attrOf(entries[i], "action") == log[i].action);
    if (i > 0) BOOST_TEST(attrOf(entries[i], "prev-hash") == attrOf(entries[i - 1], "hash"));
  }
  BOOST_TEST(children(root, "problem").empty());
}

BOOST_FIXTURE_TEST_CASE(export_command_writes_a_valid_file, dps_test::RoundScene) {
  const std::string file = dps_test::tempDir("reports-export") + "/evaluation.xml";
  std::ostringstream out;
  std::ostringstream err;
  BOOST_TEST(reports::runReportCommand({"export", "evaluation", std::to_string(round_id), "-o", file}, *store, clock,
                                       out, err) == 0);
  std::ifstream f(file);
  std::stringstream content;
  content << f.rdbuf();
  BOOST_TEST(reports::validateDocument(content.str()).empty());
  BOOST_TEST(err.str().find("wrote " + file) != std::string::npos);

  std::ostringstream stdout_doc;
  BOOST_TEST(reports::runReportCommand({"export", "round", std::to_string(round_id)}, *store, clock, stdout_doc, err) ==
             0);
  BOOST_TEST(stdout_doc.str().find("<round ") != std::string::npos);

  std::ostringstream usage;
  BOOST_TEST(reports::runReportCommand({"export", "invoice", "1"}, *store, clock, out, usage) == 2);
  BOOST_TEST(usage.str().find("dps, round, bids, evaluation, award, audit") != std::string::npos);
  BOOST_TEST(reports::runReportCommand({"export", "round"}, *store, clock, out, usage) == 2);
  BOOST_TEST(reports::runReportCommand({"export", "round", "1", "--bogus"}, *store, clock, out, usage) == 2);

  std::ostringstream help;
  BOOST_TEST(reports::runReportCommand({"help"}, *store, clock, help, err) == 0);
  for (const char* option : {"-o, --output", "--schema-dir", "--compact", "verify-evaluation", "audit", "bids"})
    BOOST_TEST(help.str().find(option) != std::string::npos, option);
}

BOOST_AUTO_TEST_SUITE_END()

namespace {

// The streamed writer and the DOM get the same calls: the bytes must be those Xerces-C writes.
void emitSample(reports::xml::Emitter& out) {
  out.attr("b", "a&b<c>d\"e'f\tg\nh\ri]]>j");
  out.attr("a", "");
  out.start("t");
  out.attr("z", "1");
  out.attr("y", "first");
  out.attr("y", "second");  // set again: the last value counts
  out.text("a&b<c>d\"e'f\tg\nh\ri]]>j \xc3\xa9 \xf0\x9f\x8d\x8e bell\x07");
  out.end();
  out.element("empty", "");
  out.start("p");
  out.start("q");
  out.end();
  out.start("q2");
  out.element("q3", "x");
  out.end();
  out.end();
  out.start("last");
  out.end();
}

std::string streamed(bool pretty, std::size_t chunk_size, std::size_t* chunks = nullptr) {
  std::string bytes;
  std::size_t n = 0;
  reports::xml::Writer w("urn:x", "root", pretty, [&](std::string&& c) {
    bytes += c;
    ++n;
  }, chunk_size);
  emitSample(w);
  w.finish();
  if (chunks != nullptr) *chunks = n;
  return bytes;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(streamed_documents)

BOOST_AUTO_TEST_CASE(writer_gives_the_bytes_xerces_writes_for_the_same_dom) {
  for (const bool pretty : {true, false}) {
    reports::xml::Document doc("urn:x", "root");
    reports::xml::DomEmitter dom(doc);
    emitSample(dom);
    const std::string expected = reports::xml::serialise(doc, pretty);
    BOOST_TEST_CONTEXT("pretty " << pretty) {
      BOOST_TEST(streamed(pretty, 1 << 16) == expected);
      std::size_t chunks = 0;
      BOOST_TEST(streamed(pretty, 1, &chunks) == expected);  // the smallest chunks change nothing
      BOOST_TEST(chunks > 1);
    }
  }
  BOOST_TEST(streamed(true, 1 << 16).find("bell\xef\xbf\xbd") != std::string::npos);  // U+FFFD, as toXml()
  reports::xml::Writer bad("urn:x", "root", true, [](std::string&&) {});
  BOOST_CHECK_EXCEPTION(bad.attr("a", "\xc3("), core::Error,
                        [](const core::Error& e) { return e.code() == core::ErrorCode::kInvalidArgument; });
}

BOOST_FIXTURE_TEST_CASE(streamed_evaluation_equals_the_serialised_dom, dps_test::RoundScene) {
  for (const bool pretty : {true, false}) {
    reports::ExportOptions o = options();
    o.pretty = pretty;
    const std::string xml = reports::exportDocument(*store, DocumentKind::kEvaluation, round_id, o);
    std::unique_ptr<reports::xml::Document> doc;
    store->transact([&](core::Tx& tx) {
      doc = reports::detail::buildDocument(tx, DocumentKind::kEvaluation, round_id, o.generated_at);
    });
    BOOST_TEST_CONTEXT("pretty " << pretty) {
      BOOST_TEST(xml == reports::xml::serialise(*doc, pretty));
      BOOST_TEST(reports::validateDocument(xml).empty());
    }
  }
}

// A schema under which the tie rule's text is too long: the streamed evaluation is refused whole,
// with the place of the problem in the document, as validation after writing would report it.
BOOST_FIXTURE_TEST_CASE(invalid_streamed_evaluation_is_an_error_naming_the_place, dps_test::RoundScene) {
  const std::string strict = dps_test::tempDir("reports-strict-schema");
  {
    std::ifstream in(reports::defaultSchemaDir() + "/" + reports::kSchemaFile);
    std::stringstream text;
    text << in.rdbuf();
    std::string xsd = text.str();
    const std::string from = "<xs:element name=\"tie-rule\" type=\"xs:string\"/>";
    const std::size_t at = xsd.find(from);
    BOOST_REQUIRE(at != std::string::npos);
    xsd.replace(at, from.size(),
                "<xs:element name=\"tie-rule\"><xs:simpleType><xs:restriction base=\"xs:string\">"
                "<xs:maxLength value=\"5\"/></xs:restriction></xs:simpleType></xs:element>");
    std::ofstream(strict + "/" + reports::kSchemaFile) << xsd;
  }
  reports::ExportOptions o = options();
  o.schema_dir = strict;
  std::string message;
  try {
    reports::exportDocument(*store, DocumentKind::kEvaluation, round_id, o);
  } catch (const core::Error& e) {
    BOOST_TEST((e.code() == core::ErrorCode::kInternal));
    message = e.what();
  }
  BOOST_TEST(message.find("not valid") != std::string::npos, message);
  BOOST_TEST(message.find("<tie-rule>") != std::string::npos, message);
  // The same place as validating the finished bytes reports.
  const std::string xml = reports::exportDocument(*store, DocumentKind::kEvaluation, round_id, options());
  const std::vector<std::string> after = reports::validateDocument(xml, strict);
  BOOST_REQUIRE(!after.empty());
  BOOST_TEST(message.find(after.front()) != std::string::npos, message);
}

BOOST_AUTO_TEST_CASE(stream_validator_reports_broken_input_and_stops_when_abandoned) {
  const auto schema = reports::xml::Schema::load(reports::defaultSchemaDir() + "/" + reports::kSchemaFile);
  {
    reports::xml::StreamValidator v(schema, "broken.xml");
    v.feed("<audit-log xmlns=\"urn:dps-local-food:1.0\" schema-version=\"1.0\" ");
    v.feed("generated-at=\"2026-01-01T00:00:00Z\" entries=\"x\" chain-intact=\"true\"/>");
    std::string bytes;
    const std::vector<std::string> problems = v.finish(bytes);
    BOOST_TEST(!problems.empty());
    BOOST_TEST(bytes.find("entries=\"x\"") != std::string::npos);
  }
  {
    reports::xml::StreamValidator v(schema, "good.xml");
    v.feed("<audit-log xmlns=\"urn:dps-local-food:1.0\" schema-version=\"1.0\" ");
    v.feed("generated-at=\"2026-01-01T00:00:00Z\" entries=\"0\" chain-intact=\"true\"/>");
    std::string bytes;
    BOOST_TEST(v.finish(bytes).empty());
  }
  // Abandoned half-way (the builder threw): the destructor stops the parser instead of waiting.
  {
    reports::xml::StreamValidator v(schema, "half.xml");
    v.feed("<audit-log xmlns=\"urn:dps-local-food:1.0\"");
  }
}

// The lots are validated in two halves at once: problems in either half are found, each once, at
// the line and column where validating the finished document finds them.
BOOST_FIXTURE_TEST_CASE(problems_in_both_halves_of_the_lots_are_reported_at_their_place, dps_test::EngineFixture) {
  const dps_test::DpsHandle d = publishedDps({"VEG"});
  const core::Id point = deliveryPoint("OS-1", 46.2389, 14.3556);
  const dps_test::SupplierHandle farm = admittedSupplier("Kmetija \xc5\xa0ober", d.categories[0], 0.05, 0.0);
  startRounds();
  std::vector<core::Lot> planned;
  for (int n = 1; n <= 4; ++n) {
    core::Lot l = lot(n, point, "10");
    l.description = n == 1 || n == 4 ? "Carrots, washed, in crates of ten kilograms" : "Beans";
    planned.push_back(l);
  }
  const core::Id r = createRound(d, d.categories[0], planned);
  dispatch(r);
  std::vector<core::BidLine> lines;
  for (const core::Lot& l : lots(r)) lines.push_back(bidLine(l.id, "2.00", "10", farm));
  bid(farm, r, lines);
  openAndEvaluate(r);

  const std::string strict = dps_test::tempDir("reports-short-descriptions");
  {
    std::ifstream in(reports::defaultSchemaDir() + "/" + reports::kSchemaFile);
    std::stringstream text;
    text << in.rdbuf();
    std::string xsd = text.str();
    const std::string from = "<xs:element name=\"description\" type=\"xs:string\"/>";
    const std::size_t at = xsd.find(from, xsd.find("<xs:complexType name=\"EvaluatedLot\">"));
    BOOST_REQUIRE(at != std::string::npos);
    xsd.replace(at, from.size(),
                "<xs:element name=\"description\"><xs:simpleType><xs:restriction base=\"xs:string\">"
                "<xs:maxLength value=\"10\"/></xs:restriction></xs:simpleType></xs:element>");
    std::ofstream(strict + "/" + reports::kSchemaFile) << xsd;
  }
  for (const bool pretty : {true, false}) {
    reports::ExportOptions o = options();
    o.pretty = pretty;
    const std::string xml = reports::exportDocument(*store, DocumentKind::kEvaluation, r, o);
    const std::vector<std::string> after = reports::validateDocument(xml, strict);
    BOOST_REQUIRE_EQUAL(after.size(), 2u);  // lots 1 and 4: one in each half
    o.schema_dir = strict;
    std::string message;
    try {
      reports::exportDocument(*store, DocumentKind::kEvaluation, r, o);
    } catch (const core::Error& e) {
      message = e.what();
    }
    BOOST_TEST_CONTEXT("pretty " << pretty) {
      BOOST_TEST(message.find("(2 problems)") != std::string::npos, message);
      const std::size_t first = message.find(after[0]);
      const std::size_t second = message.find(after[1]);
      BOOST_TEST(first != std::string::npos, message + "\nexpected: " + after[0]);
      BOOST_TEST(second != std::string::npos, message + "\nexpected: " + after[1]);
      BOOST_TEST(first < second);
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()
