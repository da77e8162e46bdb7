// Units of the web service without HTTP: strict JSON reading, the auditor's recomputation catching
// an altered score, password hashing, and outbox delivery by SMTP to a receiver started here on
// 127.0.0.1 (sent, retried with backoff, then marked failed).

#include <atomic>
#include <boost/test/unit_test.hpp>
#include <map>
#include <mutex>
#include <regex>
#include <set>
#include <thread>

#include "core/error.h"
#include "core/model.h"
#include "tests/engine/engine_test.h"
#include "tests/support/paths.h"
#include "tests/web/smtp_receiver.h"
#include "web/server/auth.h"
#include "web/server/html.h"
#include "web/server/json_input.h"
#include "web/server/messages.h"
#include "web/server/outbox.h"
#include "web/server/recompute.h"

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

core::Id queue(core::Store& store, core::TimePoint now, const std::string& subject) {
  core::OutboxMessage m;
  m.recipient = "zupan@kmetija.si";
  m.subject = subject;
  m.body = "Povabilo k oddaji ponudbe za naročilo KR-DNS-2026/R01.\nRok: 2026-03-02 10:00 UTC";
  m.object = "round:1";
  m.created_at = now;
  m.next_attempt_at = now;
  core::Id id = 0;
  store.transact([&](core::Tx& tx) { id = tx.insertOutboxMessage(m); });
  return id;
}

// The placeholders {1}, {2}, ... of a catalogue text.
std::set<int> placeholders(const std::string& text) {
  std::set<int> found;
  const std::regex mark("\\{([0-9]+)\\}");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), mark); it != std::sregex_iterator(); ++it)
    found.insert(std::stoi((*it)[1]));
  return found;
}

// How many values a braced list in source text gives: "{}" none, "{a, f(b, c)}" two.
int countValues(const std::string& source, std::size_t open) {
  int depth = 0;
  int values = 0;
  bool any = false;
  for (std::size_t i = open; i < source.size(); ++i) {
    const char c = source[i];
    if (c == '"') {
      for (++i; i < source.size() && source[i] != '"'; ++i)
        if (source[i] == '\\') ++i;
      any = true;
      continue;
    }
    if (c == '{' || c == '(' || c == '[') ++depth;
    if (c == '}' || c == ')' || c == ']') --depth;
    if (depth == 0) return any ? values + 1 : 0;
    if (depth == 1 && c == ',') ++values;
    if (depth >= 1 && i > open && c != ' ' && c != '\n') any = true;
  }
  return -1;
}

core::OutboxMessage message(core::Store& store, core::Id id) {
  core::OutboxMessage found;
  store.transact([&](core::Tx& tx) {
    for (const core::OutboxMessage& m : tx.listOutbox(100))
      if (m.id == id) found = m;
  });
  return found;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(web_units, *boost::unit_test::precondition(dps_test::backendReady))

BOOST_AUTO_TEST_CASE(utf8_validation_refuses_overlong_surrogates_and_truncation) {
  using web::server::isValidUtf8;
  BOOST_TEST(isValidUtf8("Kmetija Šenk, Žabnica, Čirče"));
  BOOST_TEST(isValidUtf8("\xF0\x9F\x8D\x8E"));           // U+1F34E
  BOOST_TEST(!isValidUtf8("\xC0\xAF"));                  // overlong '/'
  BOOST_TEST(!isValidUtf8("\xED\xA0\x80"));              // surrogate
  BOOST_TEST(!isValidUtf8("\xE2\x82"));                  // truncated
  BOOST_TEST(!isValidUtf8("\xF5\x80\x80\x80"));          // above U+10FFFF
  BOOST_TEST(core::charCount("čšž") == 3u);
}

BOOST_AUTO_TEST_CASE(errors_are_shown_in_the_pages_language_when_the_catalogue_has_them) {
  using web::server::errorHtml;
  // One message with its values filled in and escaped.
  const core::Error one(core::ErrorCode::kConflict, "English text", "", {"admission.refused.pending", {"<SAD>"}});
  BOOST_TEST(errorHtml("sl", one) ==
             "Vaša prijava za sodelovanje v kategoriji &lt;SAD&gt; že čaka na odločitev, ki bo sprejeta v 10 "
             "delovnih dneh (34(5). člen).");
  BOOST_TEST(errorHtml("en", one).rfind("Your request to join category &lt;SAD&gt; is already waiting", 0) == 0);
  // No key, or a key the catalogue lacks: the English text as the engine wrote it.
  BOOST_TEST(errorHtml("sl", core::Error(core::ErrorCode::kConflict, "plain <English>")) == "plain &lt;English&gt;");
  BOOST_TEST(errorHtml("sl", core::Error(core::ErrorCode::kConflict, "plain", "", {"no.such.key", {}})) == "plain");
  // An input rejected whole: the heading and a list of its problems.
  const std::vector<core::Problem> problems = {
      {"lines[0].unit_price", "must be positive", {"bid.problem.price", {"3"}}},
      {"lines[1].lot_id", "lot 3 appears twice", {"bid.problem.lot_twice", {"3"}}}};
  const core::Error bid(core::ErrorCode::kInvalidArgument, "the bid was rejected: ...", "lines[0].unit_price",
                        {"bid.rejected", {}}, problems);
  BOOST_TEST(errorHtml("sl", bid) ==
             "Ponudba ni bila sprejeta; nič ni bilo shranjeno:<ul><li>Sklop 3: cena na enoto mora biti večja od "
             "0.</li><li>Sklop 3 je naveden dvakrat.</li></ul>");
  // One problem without a catalogue message: the whole in English, never half in each language.
  std::vector<core::Problem> mixed = problems;
  mixed.push_back({"lines[2].vehicle", "is odd", {}});
  const core::Error half(core::ErrorCode::kInvalidArgument, "the bid was rejected: all three", "", {"bid.rejected", {}},
                         mixed);
  BOOST_TEST(errorHtml("sl", half) == "the bid was rejected: all three");
  // Placeholders: each filled wherever it appears; one without a value stays.
  BOOST_TEST(web::server::fillMessage("{1}-{2}-{1}-{3}", {"a", "b"}) == "a-b-a-{3}");
  // A value is put in as it is, even one that reads like a placeholder (a name a user typed).
  BOOST_TEST(web::server::fillMessage("{1} and {2}", {"{2}", "b"}) == "{2} and b");
  BOOST_TEST(web::server::fillMessage("{12}{1}", {"x"}) == "{12}x");
}

BOOST_AUTO_TEST_CASE(every_catalogue_message_has_the_same_placeholders_in_both_languages) {
  for (const web::server::MessageEntry& e : web::server::messageCatalogue())
    BOOST_TEST((placeholders(e.en) == placeholders(e.sl)), e.key << ": " << e.en << " / " << e.sl);
}

// Every message the engine and the pages name for the reader (core::Localized, written
// {"key", {values}} or "key", {values} in the source) is in the catalogue in both languages, with
// exactly the placeholders for the values given; a missing or misspelt key would show that error
// in English on a Slovenian page.
BOOST_AUTO_TEST_CASE(every_message_key_in_the_source_is_in_the_catalogue_with_its_placeholders) {
  std::map<std::string, const web::server::MessageEntry*> catalogue;
  for (const web::server::MessageEntry& e : web::server::messageCatalogue()) catalogue[e.key] = &e;
  const std::regex key_then_values("\"([a-z][a-z0-9_]*(\\.[a-z0-9_]+)+)\",\\s*\\{");
  std::set<std::string> keys;
  for (const char* file : {"core/engine.cpp", "core/scoring.cpp", "core/calendar.cpp", "core/clock.cpp",
                           "core/decimal.cpp", "core/model.cpp", "core/notices.cpp", "web/server/pages.cpp",
                           "web/server/auth.cpp", "web/server/access.cpp", "web/server/server.cpp"}) {
    const std::string source = dps_test::readFile(dps_test::sourceDir() + "/" + file);
    BOOST_TEST_REQUIRE(!source.empty(), file << " cannot be read");
    int found = 0;
    for (auto it = std::sregex_iterator(source.begin(), source.end(), key_then_values); it != std::sregex_iterator();
         ++it) {
      const std::string key = (*it)[1];
      ++found;
      keys.insert(key);
      const auto entry = catalogue.find(key);
      BOOST_TEST_REQUIRE((entry != catalogue.end()), file << ": the catalogue has no message " << key);
      const int values = countValues(source, static_cast<std::size_t>(it->position() + it->length() - 1));
      std::set<int> expected;
      for (int i = 1; i <= values; ++i) expected.insert(i);
      BOOST_TEST((placeholders(entry->second->en) == expected),
                 file << ": " << key << " is given " << values << " values: " << entry->second->en);
      BOOST_TEST((placeholders(entry->second->sl) == expected),
                 file << ": " << key << " is given " << values << " values: " << entry->second->sl);
    }
    BOOST_TEST(found > 0, file << ": no message keys found; has the way they are written changed?");
  }
  // The engine's refusals are all named, not only some: a key per area at least.
  for (const char* key : {"dps.refused.draft", "round.refused.ten_days", "award.refused.not_evaluated",
                          "round.refused.open_early", "notice.problem.before_award", "criteria.problem.sum"})
    BOOST_TEST(keys.count(key) == 1u, key);
  // The words a message takes from the catalogue ("@status.round.opened") exist for every value.
  for (const core::RoundStatus s :
       {core::RoundStatus::kDraft, core::RoundStatus::kOpen, core::RoundStatus::kOpened, core::RoundStatus::kEvaluated,
        core::RoundStatus::kAwarded, core::RoundStatus::kCancelled})
    BOOST_TEST(web::server::hasMessage(std::string("status.round.") + core::toString(s)));
  for (const core::AdmissionStatus s :
       {core::AdmissionStatus::kPending, core::AdmissionStatus::kAdmitted, core::AdmissionStatus::kRejected})
    BOOST_TEST(web::server::hasMessage(std::string("status.admission.") + core::toString(s)));
  for (const core::CriterionKind k :
       {core::CriterionKind::kPrice, core::CriterionKind::kDistance, core::CriterionKind::kCo2,
        core::CriterionKind::kFreshness, core::CriterionKind::kLabel, core::CriterionKind::kShortChain})
    BOOST_TEST(web::server::hasMessage(std::string("kind.") + core::toString(k)));
  for (const core::Formula f :
       {core::Formula::kRelativeToBest, core::Formula::kLinearBand, core::Formula::kBands, core::Formula::kYesNo})
    BOOST_TEST(web::server::hasMessage(std::string("formula.") + core::toString(f)));
  for (const core::AccountRole r : {core::AccountRole::kAdministrator, core::AccountRole::kOfficer,
                                    core::AccountRole::kSupplier, core::AccountRole::kAuditor})
    BOOST_TEST(web::server::hasMessage(std::string("role.") + core::toString(r)));
}

BOOST_AUTO_TEST_CASE(a_word_from_the_catalogue_in_a_message_is_said_in_the_readers_language) {
  const core::Error e(core::ErrorCode::kConflict, "round R1 is opened; ...", "",
                      {"round.refused.open_status", {"R1", "@status.round.opened"}});
  BOOST_TEST(web::server::errorHtml("sl", e) ==
             "Naročilo R1 je v stanju »ponudbe odprte«; odpreti je mogoče le naročilo, ki je odprto za ponudbe.");
  BOOST_TEST(web::server::errorHtml("en", e) ==
             "Round R1 is in the state &#39;bids opened&#39;; only a round open for bids can be opened.");
  // A value that only looks like one is shown as given.
  const core::Error plain(core::ErrorCode::kConflict, "...", "", {"notfound.product", {"@no.such.word"}});
  BOOST_TEST(web::server::errorHtml("sl", plain) == "Izdelek @no.such.word ne obstaja.");
}

BOOST_AUTO_TEST_CASE(json_bodies_report_every_problem_with_its_field_path) {
  web::server::JsonBody body(R"({"lines":[{"lot_id":"x","quantity":"1.5"},{"lot_id":2,"quantity":"abc","extra":1}],"note":true})");
  for (web::server::JsonObject& line : body.root().objects("lines", 10)) {
    line.integer("lot_id", 1, 100);
    line.decimal("quantity");
    line.finish();
  }
  try {
    body.done("the bid");
    BOOST_FAIL("problems were not reported");
  } catch (const core::Error& e) {
    const std::string m = e.what();
    BOOST_TEST(e.field() == "lines[0].lot_id");
    BOOST_TEST(contains(m, "lines[0].lot_id: must be an integer"));
    BOOST_TEST(contains(m, "lines[1].quantity: 'abc' is not a decimal"));
    BOOST_TEST(contains(m, "lines[1].extra: is not a known field"));
    BOOST_TEST(contains(m, "note: is not a known field"));
    BOOST_TEST(contains(m, "4 problems"));
  }
  BOOST_CHECK_THROW(web::server::JsonBody("{\"a\":"), core::Error);
  BOOST_CHECK_THROW(web::server::JsonBody("\"text\""), core::Error);
}

BOOST_AUTO_TEST_CASE(recomputation_finds_a_score_that_its_inputs_do_not_explain) {
  core::ScoreRecord price;
  price.lot_id = 1;
  price.bid_id = 7;
  price.kind = core::CriterionKind::kPrice;
  price.formula = core::Formula::kRelativeToBest;
  price.weight = 60;
  price.inputs = "value=2.4;best=2.1;weight=60";
  price.value = core::Exact(core::Decimal::parse("2.4"));
  price.points = core::Exact::fraction(105, 2);  // 60 x 2.1 / 2.4 = 52.5
  core::ScoreRecord fresh;
  fresh.lot_id = 1;
  fresh.bid_id = 7;
  fresh.kind = core::CriterionKind::kFreshness;
  fresh.formula = core::Formula::kLinearBand;
  fresh.weight = 10;
  fresh.inputs = "hours_from_harvest=24;value=24;a=12;b=72;weight=10";
  fresh.value = core::Exact(24);
  fresh.points = core::Exact(8);  // 10 x (72 - 24) / 60
  core::LotResult result;
  result.lot_id = 1;
  result.bid_id = 7;
  result.total = core::Exact::fraction(121, 2);
  const auto ok = web::server::recomputeRound({price, fresh}, {result});
  BOOST_TEST(ok.ok());
  price.points = core::Exact(55);  // altered
  const auto bad = web::server::recomputeRound({price, fresh}, {result});
  BOOST_TEST(!bad.ok());
  BOOST_TEST(!bad.scores[0].matches);
  BOOST_TEST(bad.scores[1].matches);
  BOOST_TEST(contains(bad.scores[0].explanation, "60 x 21/10 / 12/5"));
}

BOOST_AUTO_TEST_CASE(passwords_are_argon2id_hashes_that_verify) {
  const std::string hash = web::server::hashPassword("correct horse battery", web::server::PasswordCost::kMinimum);
  BOOST_TEST(hash.rfind("$argon2id$", 0) == 0u);
  BOOST_TEST(web::server::verifyPassword(hash, "correct horse battery"));
  BOOST_TEST(!web::server::verifyPassword(hash, "correct horse batterY"));
  BOOST_CHECK_THROW(web::server::checkPassword("short"), core::Error);
}

BOOST_AUTO_TEST_CASE(outbox_messages_are_delivered_by_smtp) {
  dps_test::EngineFixture f;
  dps_test::SmtpReceiver receiver;
  web::server::OutboxOptions options;
  options.host = "127.0.0.1";
  options.port = receiver.port();
  options.sender = "dps@kranj.si";
  web::server::OutboxWorker worker(*f.store, f.clock, options);
  const core::Id id = queue(*f.store, f.clock.now(), "Povabilo k oddaji ponudbe");
  const auto round = worker.deliverDue();
  BOOST_TEST(round.sent == 1);
  const auto received = receiver.messages();
  BOOST_TEST_REQUIRE(received.size() == 1u);
  BOOST_TEST(contains(received[0], "zupan@kmetija.si"));
  BOOST_TEST(contains(received[0], "KR-DNS-2026/R01"));
  // As a mail client shows it: the encoded subject and the quoted-printable UTF-8 body decoded.
  const auto mails = receiver.mails();
  BOOST_TEST_REQUIRE(mails.size() == 1u);
  BOOST_TEST(mails[0].envelope_to == "zupan@kmetija.si");
  BOOST_TEST(mails[0].subject == "Povabilo k oddaji ponudbe");
  BOOST_TEST(contains(mails[0].body, "naročilo KR-DNS-2026/R01"));
  BOOST_TEST(std::string(core::toString(message(*f.store, id).status)) == "sent");
  BOOST_TEST(message(*f.store, id).attempts == 1);
  BOOST_TEST(worker.deliverDue().sent == 0);  // nothing is sent twice
}

BOOST_AUTO_TEST_CASE(failed_deliveries_are_retried_with_backoff_then_marked_failed) {
  dps_test::EngineFixture f;
  dps_test::SmtpReceiver receiver(/*reject=*/true);
  web::server::OutboxOptions options;
  options.host = "127.0.0.1";
  options.port = receiver.port();
  options.max_attempts = 3;
  options.retry = std::chrono::seconds(60);
  web::server::OutboxWorker worker(*f.store, f.clock, options);
  const core::Id id = queue(*f.store, f.clock.now(), "Odločitev o oddaji naročila");
  BOOST_TEST(worker.deliverDue().retried == 1);
  core::OutboxMessage m = message(*f.store, id);
  BOOST_TEST(std::string(core::toString(m.status)) == "pending");
  BOOST_TEST(m.attempts == 1);
  BOOST_TEST(contains(m.last_error, "554"));
  BOOST_TEST((m.next_attempt_at == f.clock.now() + std::chrono::seconds(60)));
  BOOST_TEST(worker.deliverDue().retried == 0);  // not due yet
  f.clock.advance(std::chrono::seconds(60));
  BOOST_TEST(worker.deliverDue().retried == 1);
  m = message(*f.store, id);
  BOOST_TEST((m.next_attempt_at == f.clock.now() + std::chrono::seconds(120)));  // doubled
  f.clock.advance(std::chrono::seconds(120));
  BOOST_TEST(worker.deliverDue().failed == 1);
  m = message(*f.store, id);
  BOOST_TEST(std::string(core::toString(m.status)) == "failed");
  BOOST_TEST(m.attempts == 3);
}

BOOST_AUTO_TEST_SUITE_END()
