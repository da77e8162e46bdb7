// The JSON API under /api/v1: every core operation, translated (parse, call core::Engine or read
// the store within the principal's scope, render). The route list at the bottom is the API's table
// of contents; docs/openapi.yaml describes the same routes and a test keeps the two equal.
#include <Poco/Net/HTTPCookie.h>

#include <algorithm>
#include <charconv>
#include <limits>

#include "core/audit.h"
#include "core/error.h"
#include "core/model.h"
#include "web/server/access.h"
#include "web/server/auth.h"
#include "web/server/json_input.h"
#include "web/server/json_output.h"
#include "web/server/metrics.h"
#include "web/server/recompute.h"
#include "web/server/routes.h"
#include "web/server/session_cookie.h"
#include "web/services.h"

namespace web::server {
namespace {

using core::Id;

void reply(Context& ctx, int status, const JsonPtr& o) { ctx.response.json(status, stringify(o)); }

template <typename T>
void replyList(Context& ctx, const std::vector<T>& items) {
  JsonPtr o = newObject();
  JsonArrayPtr a = newArray();
  for (const T& item : items) a->add(toJson(item));
  o->set("items", a);
  reply(ctx, 200, o);
}

// A whole-number query parameter, clamped to [min, max]; `fallback` when it is absent. Anything
// else is refused with `hint` (what to write).
std::int64_t numberQuery(Context& ctx, const std::string& name, std::int64_t fallback, std::int64_t min,
                         std::int64_t max, const std::string& hint) {
  const std::string text = ctx.request.queryParam(name);
  if (text.empty()) return fallback;
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size())
    throw core::Error(core::ErrorCode::kInvalidArgument, name + " must be " + hint, name);
  return std::clamp(value, min, max);
}

void replyOk(Context& ctx, const std::string& what) {
  JsonPtr o = newObject();
  o->set("status", std::string("ok"));
  o->set("done", what);
  reply(ctx, 200, o);
}

// A body that must be empty or "{}" (actions without parameters).
void noBody(Context& ctx) {
  if (ctx.request.body.empty()) return;
  JsonBody body(ctx.request.body);
  body.done("the request");
}

// --- session, accounts, tokens ---

void login(Context& ctx) {
  JsonBody body(ctx.request.body);
  const std::string username = body.root().text("username", 120);
  const std::string password = body.root().text("password", 200);
  body.done("the sign-in");
  if (ctx.principal && !ctx.principal->session_hash.empty()) ctx.auth.logout(ctx.principal->session_hash);
  const Authenticator::LoginResult r = ctx.auth.login(username, password, ctx.request.remote_address);
  ctx.response.headers.emplace_back("Set-Cookie", sessionCookie(r.session_token, ctx.request.secure,
                                                                ctx.auth.options().session_lifetime));
  JsonPtr o = newObject();
  o->set("account", toJson(r.principal.account));
  o->set("csrf_token", r.principal.csrf_token);
  reply(ctx, 200, o);
}

void logout(Context& ctx) {
  if (!ctx.who().session_hash.empty()) ctx.auth.logout(ctx.who().session_hash);
  ctx.response.headers.emplace_back("Set-Cookie", clearedSessionCookie(ctx.request.secure));
  replyOk(ctx, "signed out");
}

void me(Context& ctx) {
  JsonPtr o = newObject();
  o->set("account", toJson(ctx.who().account));
  o->set("csrf_token", ctx.who().csrf_token);
  reply(ctx, 200, o);
}

void createToken(Context& ctx) {
  JsonBody body(ctx.request.body);
  const std::string label = body.root().text("label", 100);
  body.done("the API token");
  const auto [id, token] = ctx.auth.createApiToken(ctx.who().account.id, label);
  JsonPtr o = newObject();
  o->set("id", static_cast<Poco::Int64>(id));
  o->set("token", token);
  o->set("note", std::string("shown once; send it as 'Authorization: Bearer <token>'"));
  reply(ctx, 201, o);
}

void revokeToken(Context& ctx) {
  JsonBody body(ctx.request.body);
  const std::string token = body.root().text("token", 64);
  body.done("the revocation");
  ctx.auth.revokeApiToken(ctx.who(), token);
  replyOk(ctx, "token revoked");
}

core::AccountRole roleField(JsonObject& o) {
  const std::string role = o.text("role", 20);
  if (role.empty()) return core::AccountRole::kSupplier;
  try {
    return core::parseAccountRole(role);
  } catch (const core::Error& e) {
    o.problems().add("role", e.what());
    return core::AccountRole::kSupplier;
  }
}

void createAccount(Context& ctx) {
  JsonBody body(ctx.request.body);
  JsonObject& in = body.root();
  core::Account a;
  a.username = in.text("username", 120);
  const std::string password = in.text("password", 200);
  a.display_name = in.optText("display_name", 200).value_or(a.username);
  a.email = in.optText("email", 200).value_or("");
  a.role = roleField(in);
  a.authority_id = in.integer("authority_id", 0, INT64_MAX, false);
  a.supplier_id = in.integer("supplier_id", 0, INT64_MAX, false);
  a.language = in.optText("language", 2).value_or("sl");
  if (a.language != "sl" && a.language != "en") in.problems().add("language", "must be sl or en");
  body.done("the account");
  a.id = ctx.auth.createAccount(a, password, [&](core::Tx& tx) {
    if (a.authority_id != 0 && !tx.getAuthority(a.authority_id))
      throw core::Error(core::ErrorCode::kNotFound, "no contracting authority with id " + std::to_string(a.authority_id),
                        "authority_id");
    if (a.supplier_id != 0 && !tx.getSupplier(a.supplier_id))
      throw core::Error(core::ErrorCode::kNotFound, "no supplier with id " + std::to_string(a.supplier_id), "supplier_id");
  });
  reply(ctx, 201, toJson(a));
}

void listAccounts(Context& ctx) {
  std::vector<core::Account> accounts;
  ctx.services.store().read([&](core::Tx& tx) { accounts = tx.listAccounts(); });
  replyList(ctx, accounts);
}

// Supplier fields shared by registration and update.
core::Supplier supplierFrom(JsonObject& in) {
  core::Supplier s;
  s.name = in.text("name", core::max_chars::kName);
  s.tax_number = in.text("tax_number", core::max_chars::kCode);
  s.address = in.optText("address", core::max_chars::kAddress).value_or("");
  s.country = in.optText("country", 2).value_or("SI");
  s.email = in.optText("email", core::max_chars::kEmail).value_or("");
  s.size_class = in.optText("size_class", 10).value_or("");
  // Without is_sme, the size class says it; with neither, an SME of undeclared class.
  s.is_sme = in.boolean("is_sme", false, s.size_class != "large");
  for (JsonObject& c : in.objects("certificates", 50, false)) {
    core::Certificate cert;
    cert.name = c.text("name", core::max_chars::kName);
    cert.number = c.optText("number", core::max_chars::kCertificateNumber).value_or("");
    if (c.has("valid_until")) cert.valid_until = c.time("valid_until");
    c.finish();
    s.certificates.push_back(cert);
  }
  for (JsonObject& d : in.objects("dispatch_points", 50)) {
    core::DispatchPoint p;
    p.id = d.integer("id", 0, INT64_MAX, false);
    p.name = d.text("name", core::max_chars::kName);
    p.address = d.optText("address", core::max_chars::kAddress).value_or("");
    p.location.lat = d.number("lat", -90, 90);
    p.location.lon = d.number("lon", -180, 180);
    d.finish();
    s.dispatch_points.push_back(p);
  }
  return s;
}

void registerFarmer(Context& ctx) {
  JsonBody body(ctx.request.body);
  JsonObject& in = body.root();
  const std::string username = in.text("username", 120);
  const std::string password = in.text("password", 200);
  const std::string language = in.optText("language", 2).value_or(ctx.lang);
  core::Supplier s = supplierFrom(in);
  body.done("the registration");
  checkPassword(password);
  ctx.services.store().read([&](core::Tx& tx) {
    if (tx.findAccountByUsername(username))
      throw core::Error(core::ErrorCode::kConflict, "the username '" + username + "' is taken; choose another", "username");
  });
  const core::Actor actor{username, core::Role::kSupplier, 0, 0};
  s.id = ctx.services.engine().registerSupplier(actor, s);
  core::Account a;
  a.username = username;
  a.display_name = s.name;
  a.email = s.email;
  a.role = core::AccountRole::kSupplier;
  a.supplier_id = s.id;
  a.language = language == "en" ? "en" : "sl";
  a.id = ctx.auth.createAccount(a, password);
  JsonPtr o = newObject();
  o->set("account", toJson(a));
  o->set("supplier", toJson(s));
  reply(ctx, 201, o);
}

// --- clock ---

void clockGet(Context& ctx) {
  JsonPtr o = newObject();
  o->set("now", core::formatTime(ctx.services.clock().now()));
  o->set("simulated", ctx.services.simulatedClock() != nullptr);
  reply(ctx, 200, o);
}

void clockAdvance(Context& ctx) {
  JsonBody body(ctx.request.body);
  const std::int64_t hours = body.root().integer("advance_hours", 0, 24 * 400, false);
  const bool has_set = body.root().has("set");
  const core::TimePoint target = body.root().time("set", false);
  body.done("the clock change");
  core::ManualClock* clock = ctx.services.simulatedClock();
  if (clock == nullptr)
    throw core::Error(core::ErrorCode::kConflict, "the clock is the system clock (clock = system); only a simulated "
                                                  "clock can be moved");
  if (has_set == (hours != 0))
    throw core::Error(core::ErrorCode::kInvalidArgument, "give either advance_hours or set", "advance_hours");
  const core::TimePoint now = clock->now();
  const core::TimePoint next = has_set ? target : now + std::chrono::hours(hours);
  if (next < now)
    throw core::Error(core::ErrorCode::kInvalidArgument, "the clock never runs backwards (now " + core::formatTime(now) + ")",
                      "set");
  ctx.services.store().transact([&](core::Tx& tx) {
    tx.putSetting("clock.simulated_now", core::formatTime(next));
    core::appendAudit(tx, now, ctx.who().account.username, "clock.advance", "clock",
                      core::formatTime(now) + " -> " + core::formatTime(next));
  });
  clock->set(next);
  clockGet(ctx);
}

// --- authorities, delivery points, products ---

void listAuthorities(Context& ctx) {
  std::vector<core::Authority> out;
  ctx.services.store().read([&](core::Tx& tx) {
    out.clear();  // a retried read runs this again
    for (const core::Authority& a : tx.listAuthorities())
      if (ctx.who().account.role != core::AccountRole::kOfficer || a.id == ctx.who().account.authority_id)
        out.push_back(a);
  });
  replyList(ctx, out);
}

void createAuthority(Context& ctx) {
  JsonBody body(ctx.request.body);
  core::Authority a;
  a.name = body.root().text("name", core::max_chars::kName);
  a.country = body.root().optText("country", 2).value_or("SI");
  a.time_zone = body.root().optText("time_zone", 60).value_or("Europe/Ljubljana");
  body.done("the contracting authority");
  a.id = ctx.services.engine().createAuthority(ctx.actor(), a);
  reply(ctx, 201, toJson(a));
}

void listDeliveryPoints(Context& ctx) {
  const Id authority = ctx.idParam("id");
  if (!canSeeAuthority(ctx.who(), authority) && ctx.who().account.role != core::AccountRole::kSupplier)
    throw core::Error(core::ErrorCode::kForbidden, "officers see only their own authority's delivery points");
  std::vector<core::DeliveryPoint> out;
  ctx.services.store().read([&](core::Tx& tx) { out = tx.listDeliveryPoints(authority); });
  replyList(ctx, out);
}

void createDeliveryPoint(Context& ctx) {
  JsonBody body(ctx.request.body);
  JsonObject& in = body.root();
  core::DeliveryPoint p;
  p.authority_id = ctx.idParam("id");
  p.code = in.text("code", core::max_chars::kCode);
  p.name = in.text("name", core::max_chars::kName);
  p.address = in.optText("address", core::max_chars::kAddress).value_or("");
  p.location.lat = in.number("lat", -90, 90);
  p.location.lon = in.number("lon", -180, 180);
  body.done("the delivery point");
  p.id = ctx.services.engine().addDeliveryPoint(ctx.actor(), p);
  reply(ctx, 201, toJson(p));
}

void listProducts(Context& ctx) {
  std::vector<core::Product> out;
  ctx.services.store().read([&](core::Tx& tx) { out = tx.listProducts(); });
  replyList(ctx, out);
}

// --- DPS, categories, criteria ---

void listDps(Context& ctx) {
  std::vector<core::Dps> out;
  ctx.services.store().read([&](core::Tx& tx) { out = visibleDpsList(ctx.who(), tx); });
  replyList(ctx, out);
}

void createDps(Context& ctx) {
  JsonBody body(ctx.request.body);
  JsonObject& in = body.root();
  core::Dps d;
  d.authority_id = in.integer("authority_id", 0, INT64_MAX, false);
  d.reference = in.text("reference", 100);
  d.title = in.text("title", 500);
  d.cpv = in.text("cpv", 10);
  d.request_deadline = in.time("request_deadline");
  d.valid_until = in.time("valid_until");
  for (JsonObject& v : in.objects("vehicle_factors", 20, false)) {
    d.vehicle_factors.push_back({v.text("vehicle", 40), v.decimal("kg_co2e_per_tkm")});
    v.finish();
  }
  body.done("the DPS");
  d.authority_id = authorityFor(ctx.who(), d.authority_id);
  d.id = ctx.services.engine().createDps(ctx.actor(), d);
  core::Dps stored;
  ctx.services.store().read([&](core::Tx& tx) { stored = *tx.getDps(d.id); });
  reply(ctx, 201, toJson(stored));
}

void getDps(Context& ctx) {
  JsonPtr o;
  ctx.services.store().read([&](core::Tx& tx) {
    const core::Dps d = visibleDps(ctx.who(), tx, ctx.idParam("id"));
    o = toJson(d);
    JsonArrayPtr cats = newArray();
    for (const core::Category& c : tx.listCategories(d.id)) cats->add(toJson(c));
    o->set("categories", cats);
    JsonArrayPtr crit = newArray();
    for (const core::Criterion& c : tx.listCriteria(d.id, d.criteria_version)) crit->add(toJson(c));
    o->set("criteria", crit);
  });
  reply(ctx, 200, o);
}

void publishDps(Context& ctx) {
  noBody(ctx);
  ctx.services.engine().publishDps(ctx.actor(), ctx.idParam("id"));
  getDps(ctx);
}

void terminateDps(Context& ctx) {
  JsonBody body(ctx.request.body);
  const std::string reason = body.root().text("reason", JsonObject::kLongText);
  body.done("the termination");
  ctx.services.engine().terminateDps(ctx.actor(), ctx.idParam("id"), reason);
  getDps(ctx);
}

void extendAssessment(Context& ctx) {
  JsonBody body(ctx.request.body);
  const core::TimePoint until = body.root().time("until");
  const std::string justification = body.root().text("justification", JsonObject::kLongText);
  body.done("the extension");
  ctx.services.engine().extendInitialAssessment(ctx.actor(), ctx.idParam("id"), until, justification);
  getDps(ctx);
}

void listCategories(Context& ctx) {
  std::vector<core::Category> out;
  ctx.services.store().read(
      [&](core::Tx& tx) { out = tx.listCategories(visibleDps(ctx.who(), tx, ctx.idParam("id")).id); });
  replyList(ctx, out);
}

void addCategory(Context& ctx) {
  JsonBody body(ctx.request.body);
  core::Category c;
  c.dps_id = ctx.idParam("id");
  c.code = body.root().text("code", 20);
  c.name = body.root().text("name", 200);
  c.cpv = body.root().text("cpv", 10);
  c.area = body.root().optText("area", 200).value_or("");
  body.done("the category");
  c.id = ctx.services.engine().addCategory(ctx.actor(), c);
  reply(ctx, 201, toJson(c));
}

void getCriteria(Context& ctx) {
  std::vector<core::Criterion> out;
  ctx.services.store().read([&](core::Tx& tx) {
    const core::Dps d = visibleDps(ctx.who(), tx, ctx.idParam("id"));
    out = tx.listCriteria(d.id, d.criteria_version);
  });
  replyList(ctx, out);
}

void setCriteria(Context& ctx) {
  JsonBody body(ctx.request.body);
  std::vector<core::Criterion> criteria;
  for (JsonObject& c : body.root().objects("criteria", 20)) {
    core::Criterion k;
    try {
      k.kind = core::parseCriterionKind(c.text("kind", 20));
    } catch (const core::Error& e) {
      c.problems().add(c.path() + ".kind", e.what());
    }
    try {
      k.formula = core::parseFormula(c.text("formula", 30));
    } catch (const core::Error& e) {
      c.problems().add(c.path() + ".formula", e.what());
    }
    k.weight = static_cast<int>(c.integer("weight", 0, 100));
    k.min_weight = static_cast<int>(c.integer("min_weight", 0, 100, false, k.weight));
    k.max_weight = static_cast<int>(c.integer("max_weight", 0, 100, false, k.weight));
    if (c.has("a")) k.a = c.decimal("a");
    if (c.has("b")) k.b = c.decimal("b");
    for (JsonObject& b : c.objects("bands", 20, false)) {
      core::Band band;
      band.threshold = b.decimal("threshold");
      const std::string points = b.text("points", 40);
      try {
        band.points = core::Exact::parse(points);
      } catch (const core::Error&) {
        b.problems().add(b.path() + ".points", "'" + points + "' is not a number such as 10 or 15/2");
      }
      b.finish();
      k.bands.push_back(band);
    }
    k.fact = c.optText("fact", 40).value_or("");
    k.description = c.optText("description", 500).value_or("");
    c.finish();
    criteria.push_back(k);
  }
  body.done("the criteria");
  ctx.services.engine().setCriteria(ctx.actor(), ctx.idParam("id"), criteria);
  getCriteria(ctx);
}

void listDpsAdmissions(Context& ctx) {
  const Id dps_id = ctx.idParam("id");
  std::vector<core::AdmissionRequest> all;
  ctx.services.store().read(
      [&](core::Tx& tx) { all = tx.listAdmissionRequests(visibleDps(ctx.who(), tx, dps_id).id); });
  const auto pending = ctx.services.engine().pendingAdmissions(dps_id);
  JsonPtr o = newObject();
  JsonArrayPtr p = newArray();
  for (const core::AdmissionDue& d : pending) p->add(toJson(d));
  o->set("pending", p);
  JsonArrayPtr a = newArray();
  for (const core::AdmissionRequest& r : all) a->add(toJson(r));
  o->set("items", a);
  reply(ctx, 200, o);
}

void listAwardNotices(Context& ctx, int status = 200) {
  const Id dps_id = ctx.idParam("id");
  ctx.services.store().read([&](core::Tx& tx) { visibleDps(ctx.who(), tx, dps_id); });
  JsonArrayPtr items = newArray();
  for (const core::AwardNoticeStatus& s : ctx.services.engine().awardNotices(dps_id)) items->add(toJson(s));
  JsonPtr o = newObject();
  o->set("items", items);
  reply(ctx, status, o);
}

void recordAwardNotice(Context& ctx) {
  JsonBody body(ctx.request.body);
  core::NoticePublication n;
  n.dps_id = ctx.idParam("id");
  n.round_id = body.root().integer("round_id", 1, INT64_MAX, false);
  n.quarter = body.root().optText("quarter", 20).value_or("");
  n.reference = body.root().text("reference", 100);
  n.published_at = body.root().time("published_at");
  body.done("the award notice publication");
  ctx.services.engine().recordNoticePublication(ctx.actor(), n);
  listAwardNotices(ctx, 201);
}

void listDpsRounds(Context& ctx) {
  std::vector<core::Round> out;
  ctx.services.store().read([&](core::Tx& tx) {
    out.clear();  // a retried read runs this again
    const core::Dps d = visibleDps(ctx.who(), tx, ctx.idParam("id"));
    for (const core::Round& r : tx.listRounds(d.id)) {
      if (ctx.who().account.role == core::AccountRole::kSupplier) {
        const auto inv = tx.listInvitations(r.id);
        if (std::none_of(inv.begin(), inv.end(),
                         [&](const core::Invitation& i) { return i.supplier_id == ctx.who().account.supplier_id; }))
          continue;
      }
      out.push_back(r);
    }
  });
  replyList(ctx, out);
}

// --- suppliers, admission, renewal ---

// Every supplier, or with `after` or `limit` one page of them by id; a full page names the id to
// ask the next one after ("next_after").
void listSuppliers(Context& ctx) {
  constexpr std::int64_t kMaxPage = 1000;
  std::vector<core::Supplier> out;
  if (ctx.request.queryParam("after").empty() && ctx.request.queryParam("limit").empty()) {
    ctx.services.store().read([&](core::Tx& tx) { out = tx.listSuppliers(); });
    replyList(ctx, out);
    return;
  }
  const Id after = numberQuery(ctx, "after", 0, 0, std::numeric_limits<std::int64_t>::max(),
                               "a supplier id (the next_after of the previous page), e.g. after=100");
  const auto limit = static_cast<std::size_t>(
      numberQuery(ctx, "limit", kMaxPage, 1, kMaxPage, "a whole number from 1 to 1000, e.g. limit=200"));
  ctx.services.store().read([&](core::Tx& tx) { out = tx.listSuppliers(after, limit); });
  JsonPtr o = newObject();
  JsonArrayPtr a = newArray();
  for (const core::Supplier& s : out) a->add(toJson(s));
  o->set("items", a);
  if (out.size() == limit) o->set("next_after", static_cast<Poco::Int64>(out.back().id));
  reply(ctx, 200, o);
}

void createSupplier(Context& ctx) {
  JsonBody body(ctx.request.body);
  core::Supplier s = supplierFrom(body.root());
  body.done("the supplier");
  s.id = ctx.services.engine().registerSupplier(ctx.actor(), s);
  reply(ctx, 201, toJson(s));
}

void getSupplier(Context& ctx) {
  JsonPtr o;
  ctx.services.store().read([&](core::Tx& tx) { o = toJson(visibleSupplier(ctx.who(), tx, ctx.idParam("id"))); });
  const auto s = ctx.services.engine().suspension(ctx.idParam("id"), ctx.services.clock().now());
  JsonPtr susp = newObject();
  susp->set("suspended", s.suspended);
  JsonArrayPtr reasons = newArray();
  for (const std::string& r : s.reasons) reasons->add(r);
  susp->set("reasons", reasons);
  o->set("suspension", susp);
  reply(ctx, 200, o);
}

void updateSupplier(Context& ctx) {
  JsonBody body(ctx.request.body);
  core::Supplier s = supplierFrom(body.root());
  body.done("the supplier");
  s.id = ctx.idParam("id");
  ctx.services.engine().updateSupplier(ctx.actor(), s);
  getSupplier(ctx);
}

void requestRenewal(Context& ctx) {
  noBody(ctx);
  const Id id = ctx.services.engine().requestRenewal(ctx.actor(), ctx.idParam("id"));
  JsonPtr o = newObject();
  o->set("renewal_request_id", static_cast<Poco::Int64>(id));
  reply(ctx, 201, o);
}

void submitRenewal(Context& ctx) {
  JsonBody body(ctx.request.body);
  const std::string espd = body.root().text("self_declaration", 200000);
  body.done("the renewed self-declaration");
  ctx.services.engine().submitRenewal(ctx.actor(), ctx.idParam("id"), espd);
  replyOk(ctx, "renewed self-declaration recorded");
}

void requestAdmission(Context& ctx) {
  JsonBody body(ctx.request.body);
  const Id category = body.root().integer("category_id", 1, INT64_MAX);
  const std::string espd = body.root().text("self_declaration", 200000);
  body.done("the request to participate");
  const Id supplier = ownSupplier(ctx.who());
  const Id id = ctx.services.engine().requestAdmission(ctx.actor(), supplier, category, espd);
  core::AdmissionRequest r;
  ctx.services.store().read([&](core::Tx& tx) { r = *tx.getAdmissionRequest(id); });
  reply(ctx, 201, toJson(r));
}

void listOwnAdmissions(Context& ctx) {
  std::vector<core::AdmissionRequest> out;
  ctx.services.store().read([&](core::Tx& tx) { out = tx.listSupplierAdmissions(ownSupplier(ctx.who())); });
  replyList(ctx, out);
}

void getAdmission(Context& ctx) {
  core::AdmissionRequest r;
  ctx.services.store().read([&](core::Tx& tx) { r = visibleAdmission(ctx.who(), tx, ctx.idParam("id")); });
  reply(ctx, 200, toJson(r));
}

void decideAdmission(Context& ctx) {
  JsonBody body(ctx.request.body);
  const bool admit = body.root().boolean("admit");
  const std::string reason = body.root().optText("reason", JsonObject::kLongText).value_or("");
  body.done("the decision");
  ctx.services.engine().decideAdmission(ctx.actor(), ctx.idParam("id"), admit, reason);
  getAdmission(ctx);
}

void extendAdmission(Context& ctx) {
  JsonBody body(ctx.request.body);
  const std::string justification = body.root().text("justification", JsonObject::kLongText);
  body.done("the extension");
  ctx.services.engine().extendAdmissionPeriod(ctx.actor(), ctx.idParam("id"), justification);
  getAdmission(ctx);
}

// --- rounds, lots, invitations ---

void getRound(Context& ctx) {
  JsonPtr o;
  ctx.services.store().read([&](core::Tx& tx) {
    const core::Round r = visibleRound(ctx.who(), tx, ctx.idParam("id"));
    o = toJson(r);
    JsonArrayPtr lots = newArray();
    for (const core::Lot& l : tx.listLots(r.id)) lots->add(toJson(l));
    o->set("lots", lots);
  });
  reply(ctx, 200, o);
}

void createRound(Context& ctx) {
  JsonBody body(ctx.request.body);
  JsonObject& in = body.root();
  core::Round r;
  r.dps_id = in.integer("dps_id", 1, INT64_MAX);
  r.category_id = in.integer("category_id", 1, INT64_MAX);
  r.title = in.text("title", 500);
  const std::string mode = in.optText("award_mode", 40).value_or("best_bid");
  try {
    r.award_mode = core::parseAwardMode(mode);
  } catch (const core::Error& e) {
    in.problems().add("award_mode", e.what());
  }
  r.allow_partial = in.boolean("allow_partial", false, false);
  for (JsonObject& w : in.objects("refinements", 10, false)) {
    core::WeightRefinement ref;
    try {
      ref.kind = core::parseCriterionKind(w.text("kind", 20));
    } catch (const core::Error& e) {
      w.problems().add(w.path() + ".kind", e.what());
    }
    ref.weight = static_cast<int>(w.integer("weight", 0, 100));
    w.finish();
    r.refinements.push_back(ref);
  }
  std::vector<core::Lot> lots;
  for (JsonObject& l : in.objects("lots", 500)) {
    core::Lot lot;
    lot.number = static_cast<int>(l.integer("number", 1, 100000));
    lot.cpv = l.text("cpv", 10);
    lot.description = l.text("description", 500);
    lot.unit = l.optText("unit", core::max_chars::kUnit).value_or("kg");
    if (l.has("unit_mass_kg")) lot.unit_mass_kg = l.decimal("unit_mass_kg");
    lot.quality_spec = l.optText("quality_spec", JsonObject::kLongText).value_or("");
    if (l.has("min_delivery")) lot.min_delivery = l.decimal("min_delivery");
    for (JsonObject& d : l.objects("demands", 500)) {
      core::Demand dem;
      dem.delivery_point_id = d.integer("delivery_point_id", 1, INT64_MAX);
      dem.quantity = d.decimal("quantity");
      dem.schedule = d.optText("schedule", core::max_chars::kSchedule).value_or("");
      d.finish();
      lot.demands.push_back(dem);
    }
    l.finish();
    lots.push_back(lot);
  }
  body.done("the round");
  const Id id = ctx.services.engine().createRound(ctx.actor(), r, lots);
  ctx.request.params["id"] = std::to_string(id);
  getRound(ctx);
  ctx.response.status = 201;
}

void dispatchRound(Context& ctx) {
  JsonBody body(ctx.request.body);
  const core::TimePoint deadline = body.root().time("deadline");
  body.done("the dispatch");
  const auto invitations = ctx.services.engine().dispatchRound(ctx.actor(), ctx.idParam("id"), deadline);
  replyList(ctx, invitations);
}

void listInvitations(Context& ctx) {
  std::vector<core::Invitation> out;
  ctx.services.store().read(
      [&](core::Tx& tx) { out = tx.listInvitations(visibleRound(ctx.who(), tx, ctx.idParam("id")).id); });
  replyList(ctx, out);
}

void ownInvitations(Context& ctx) {
  JsonPtr o = newObject();
  JsonArrayPtr items = newArray();
  ctx.services.store().read([&](core::Tx& tx) {
    const Id supplier = ownSupplier(ctx.who());
    for (const InvitedRound& ir : invitationsOf(tx, supplier)) {
      JsonPtr j = toJson(ir.round);
      j->set("invited_at", core::formatTime(ir.invitation.invited_at));
      const auto bid = currentBid(tx, ir.round.id, supplier);
      if (bid)
        j->set("current_bid", toJson(*bid));
      else
        j->set("current_bid", Poco::Dynamic::Var());
      items->add(j);
    }
  });
  o->set("items", items);
  reply(ctx, 200, o);
}

// --- bids ---

std::vector<core::BidLine> bidLinesFrom(JsonObject& in) {
  std::vector<core::BidLine> lines;
  for (JsonObject& l : in.objects("lines", 500)) {
    core::BidLine b;
    b.lot_id = l.integer("lot_id", 1, INT64_MAX);
    b.unit_price = l.decimal("unit_price");
    b.quantity = l.decimal("quantity");
    b.dispatch_point_id = l.integer("dispatch_point_id", 1, INT64_MAX);
    b.organic = l.boolean("organic", false, false);
    b.quality_scheme = l.boolean("quality_scheme", false, false);
    b.hours_from_harvest = static_cast<int>(l.integer("hours_from_harvest", 0, 24 * 365, false));
    b.intermediaries = static_cast<int>(l.integer("intermediaries", 0, 100, false));
    b.vehicle = l.optText("vehicle", 40).value_or("van");
    for (JsonObject& p : l.objects("point_offers", 500, false)) {
      b.point_offers.push_back({p.integer("delivery_point_id", 1, INT64_MAX), p.decimal("quantity")});
      p.finish();
    }
    l.finish();
    lines.push_back(b);
  }
  return lines;
}

void submitBid(Context& ctx) {
  JsonBody body(ctx.request.body);
  const std::vector<core::BidLine> lines = bidLinesFrom(body.root());
  body.done("the bid");
  const core::BidReceipt receipt = ctx.services.engine().submitBid(ctx.actor(), ctx.idParam("id"), lines);
  ctx.metrics.bidStored();
  reply(ctx, 201, toJson(receipt));
}

void withdrawBid(Context& ctx) {
  noBody(ctx);
  ctx.services.engine().withdrawBid(ctx.actor(), ctx.idParam("id"));
  replyOk(ctx, "bid withdrawn");
}

void listBids(Context& ctx) {
  std::vector<core::Bid> out;
  ctx.services.store().read([&](core::Tx& tx) {
    out.clear();  // a retried read runs this again
    const core::Round r = visibleRound(ctx.who(), tx, ctx.idParam("id"));
    for (const core::Bid& b : tx.listBids(r.id))
      if (ctx.who().account.role != core::AccountRole::kSupplier || b.supplier_id == ctx.who().account.supplier_id)
        out.push_back(b);
  });
  replyList(ctx, out);
}

void getBid(Context& ctx) {
  const Id bid_id = ctx.idParam("id");
  core::Bid bid;
  ctx.services.store().read([&](core::Tx& tx) {
    const auto b = tx.getBid(bid_id);
    if (!b) throw core::Error(core::ErrorCode::kNotFound, "no bid with id " + std::to_string(bid_id));
    if (ctx.who().account.role == core::AccountRole::kSupplier && b->supplier_id != ctx.who().account.supplier_id)
      throw core::Error(core::ErrorCode::kForbidden, "a supplier may read only its own bids");
    if (ctx.who().account.role == core::AccountRole::kOfficer) visibleRound(ctx.who(), tx, b->round_id);
    bid = *b;
  });
  // The engine refuses before opening, for everybody, and records the attempt in the audit log.
  const std::vector<core::BidLine> lines = ctx.services.engine().readBid(ctx.actor(), bid_id);
  JsonPtr o = toJson(bid);
  JsonArrayPtr a = newArray();
  for (const core::BidLine& l : lines) a->add(toJson(l));
  o->set("lines", a);
  reply(ctx, 200, o);
}

// --- opening, evaluation, award ---

void openRound(Context& ctx) {
  noBody(ctx);
  ctx.services.engine().openRound(ctx.actor(), ctx.idParam("id"));
  getRound(ctx);
}

void evaluateRound(Context& ctx) {
  noBody(ctx);
  ctx.services.engine().evaluateRound(ctx.actor(), ctx.idParam("id"));
  getRound(ctx);
}

bool opened(const core::Round& r) {
  return r.status == core::RoundStatus::kOpened || r.status == core::RoundStatus::kEvaluated ||
         r.status == core::RoundStatus::kAwarded;
}

void getEvaluation(Context& ctx) {
  JsonPtr o = newObject();
  ctx.services.store().read([&](core::Tx& tx) {
    const core::Round r = visibleRound(ctx.who(), tx, ctx.idParam("id"));
    if (!opened(r))
      throw core::Error(core::ErrorCode::kForbidden, "round " + r.reference + " is not opened yet; scores exist only "
                                                     "after opening (rule 8)");
    const bool supplier = ctx.who().account.role == core::AccountRole::kSupplier;
    std::vector<Id> own_bids;
    for (const core::Bid& b : tx.listBids(r.id))
      if (b.supplier_id == ctx.who().account.supplier_id) own_bids.push_back(b.id);
    const auto mine = [&](Id bid) { return std::find(own_bids.begin(), own_bids.end(), bid) != own_bids.end(); };
    o->set("round", toJson(r));
    JsonArrayPtr results = newArray();
    for (const core::LotResult& lr : tx.listLotResults(r.id))
      if (!supplier || mine(lr.bid_id)) results->add(toJson(lr));
    o->set("results", results);
    JsonArrayPtr scores = newArray();
    for (const core::ScoreRecord& s : tx.listScores(r.id))
      if (!supplier || mine(s.bid_id)) scores->add(toJson(s));
    o->set("scores", scores);
    JsonArrayPtr cases = newArray();
    if (!supplier)
      for (const core::AbnormalLowCase& c : tx.listAbnormalLowCases(r.id)) cases->add(toJson(c));
    o->set("abnormally_low", cases);
  });
  reply(ctx, 200, o);
}

void requestExplanation(Context& ctx) {
  JsonBody body(ctx.request.body);
  const Id lot = body.root().integer("lot_id", 1, INT64_MAX);
  const Id bid = body.root().integer("bid_id", 1, INT64_MAX);
  body.done("the explanation request");
  ctx.services.engine().requestExplanation(ctx.actor(), ctx.idParam("id"), lot, bid);
  replyOk(ctx, "explanation requested (Art. 69)");
}

void decideAbnormalLow(Context& ctx) {
  JsonBody body(ctx.request.body);
  const Id lot = body.root().integer("lot_id", 1, INT64_MAX);
  const Id bid = body.root().integer("bid_id", 1, INT64_MAX);
  const bool reject = body.root().boolean("reject");
  const std::string explanation = body.root().text("explanation", JsonObject::kLongText);
  body.done("the decision on the abnormally low bid");
  ctx.services.engine().decideAbnormalLow(ctx.actor(), ctx.idParam("id"), lot, bid, reject, explanation);
  replyOk(ctx, reject ? "bid rejected; round re-evaluated" : "explanation accepted");
}

void getAward(Context& ctx) {
  JsonPtr o = newObject();
  ctx.services.store().read([&](core::Tx& tx) {
    const core::Round r = visibleRound(ctx.who(), tx, ctx.idParam("id"));
    const auto decision = tx.getAwardDecision(r.id);
    if (!decision) throw core::Error(core::ErrorCode::kNotFound, "round " + r.reference + " is not awarded yet");
    o = toJson(*decision);
    JsonArrayPtr lines = newArray();
    for (const core::AwardLine& a : tx.listAwardLines(r.id)) lines->add(toJson(a));
    o->set("lines", lines);
  });
  reply(ctx, 200, o);
}

void awardRound(Context& ctx) {
  noBody(ctx);
  ctx.services.engine().awardRound(ctx.actor(), ctx.idParam("id"));
  getAward(ctx);
  ctx.response.status = 201;
}

void recomputation(Context& ctx) {
  std::vector<core::ScoreRecord> scores;
  std::vector<core::LotResult> results;
  ctx.services.store().read([&](core::Tx& tx) {
    const core::Round r = visibleRound(ctx.who(), tx, ctx.idParam("id"));
    scores = tx.listScores(r.id);
    results = tx.listLotResults(r.id);
  });
  const Recomputation rc = recomputeRound(scores, results);
  JsonPtr o = newObject();
  o->set("ok", rc.ok());
  JsonArrayPtr s = newArray();
  for (const ScoreCheck& c : rc.scores) {
    JsonPtr j = toJson(c.record);
    j->set("recomputed", c.recomputed.toString());
    j->set("matches", c.matches);
    j->set("explanation", c.explanation);
    s->add(j);
  }
  o->set("scores", s);
  JsonArrayPtr t = newArray();
  for (const TotalCheck& c : rc.totals) {
    JsonPtr j = toJson(c.result);
    j->set("recomputed", c.recomputed.toString());
    j->set("matches", c.matches);
    t->add(j);
  }
  o->set("totals", t);
  reply(ctx, 200, o);
}

// --- audit log, outbox ---

void listAudit(Context& ctx) {
  const std::int64_t from = numberQuery(ctx, "from", 1, 1, std::numeric_limits<std::int64_t>::max(),
                                        "a sequence number of the audit log, e.g. from=100");
  const auto limit = static_cast<std::size_t>(
      numberQuery(ctx, "limit", 100, 1, 1000, "a whole number from 1 to 1000, e.g. limit=200"));
  std::vector<core::AuditEntry> out;
  ctx.services.store().read([&](core::Tx& tx) { out = tx.listAudit(from, limit); });
  replyList(ctx, out);
}

void verifyAudit(Context& ctx) {
  const core::AuditVerification v = core::verifyAudit(ctx.services.store());
  JsonPtr o = newObject();
  o->set("ok", v.ok());
  o->set("entries", static_cast<Poco::Int64>(v.entries));
  JsonArrayPtr problems = newArray();
  for (const core::AuditProblem& p : v.problems) {
    JsonPtr j = newObject();
    j->set("seq", static_cast<Poco::Int64>(p.seq));
    j->set("what", p.what);
    problems->add(j);
  }
  o->set("problems", problems);
  reply(ctx, 200, o);
}

void listOutbox(Context& ctx) {
  std::vector<core::OutboxMessage> out;
  ctx.services.store().read([&](core::Tx& tx) { out = visibleOutbox(ctx.who(), tx, 200); });
  replyList(ctx, out);
}

}  // namespace

void addApiRoutes(Router& r) {
  const std::string v = "/api/v1";
  const unsigned staff = kAdministrators | kOfficers | kAuditors;
  const unsigned managers = kAdministrators | kOfficers;
  r.add("POST", v + "/session", kPublic, login, "sign in; returns the CSRF token and sets the session cookie");
  r.add("DELETE", v + "/session", kSignedIn, logout, "sign out");
  r.add("GET", v + "/me", kSignedIn, me, "the signed-in account");
  r.add("POST", v + "/tokens", kSignedIn, createToken, "create an API token");
  r.add("POST", v + "/tokens/revoke", kSignedIn, revokeToken, "revoke an API token");
  r.add("GET", v + "/accounts", kAdministrators, listAccounts, "accounts are managed by administrators");
  r.add("POST", v + "/accounts", kAdministrators, createAccount, "accounts are managed by administrators");
  r.add("POST", v + "/register", kPublic, registerFarmer, "a farmer registers the company and an account");
  r.add("GET", v + "/clock", kSignedIn, clockGet, "the procurement clock");
  r.add("POST", v + "/clock", kAdministrators, clockAdvance, "only an administrator moves the simulated clock");
  r.add("GET", v + "/authorities", kSignedIn, listAuthorities, "contracting authorities");
  r.add("POST", v + "/authorities", kAdministrators, createAuthority, "administrators register authorities");
  r.add("GET", v + "/authorities/{id}/delivery-points", kSignedIn, listDeliveryPoints, "delivery points");
  r.add("POST", v + "/authorities/{id}/delivery-points", managers, createDeliveryPoint, "officers add delivery points");
  r.add("GET", v + "/products", kSignedIn, listProducts, "the product catalogue");
  r.add("GET", v + "/dps", kSignedIn, listDps, "dynamic purchasing systems");
  r.add("POST", v + "/dps", managers, createDps, "officers set up a DPS");
  r.add("GET", v + "/dps/{id}", kSignedIn, getDps, "one DPS with categories and criteria");
  r.add("POST", v + "/dps/{id}/publish", managers, publishDps, "officers publish a DPS");
  r.add("POST", v + "/dps/{id}/terminate", managers, terminateDps, "officers terminate a DPS");
  r.add("POST", v + "/dps/{id}/assessment-extension", managers, extendAssessment,
        "officers extend the assessment of the initial wave");
  r.add("GET", v + "/dps/{id}/categories", kSignedIn, listCategories, "categories of a DPS");
  r.add("POST", v + "/dps/{id}/categories", managers, addCategory, "officers add categories");
  r.add("GET", v + "/dps/{id}/criteria", kSignedIn, getCriteria, "award criteria of a DPS");
  r.add("PUT", v + "/dps/{id}/criteria", managers, setCriteria, "officers set the criteria of a draft DPS");
  r.add("GET", v + "/dps/{id}/admissions", staff, listDpsAdmissions, "requests to participate with due dates");
  r.add("GET", v + "/dps/{id}/rounds", kSignedIn, listDpsRounds, "rounds of a DPS");
  r.add("GET", v + "/dps/{id}/award-notices", staff, [](Context& c) { listAwardNotices(c); },
        "award notices due, published and overdue (rule 13)");
  r.add("POST", v + "/dps/{id}/award-notices", managers, recordAwardNotice,
        "officers record the publication of an award notice (rule 13)");
  r.add("GET", v + "/suppliers", staff, listSuppliers, "economic operators");
  r.add("POST", v + "/suppliers", managers, createSupplier, "officers register a supplier");
  r.add("GET", v + "/suppliers/{id}", kSignedIn, getSupplier, "one supplier with its suspension status");
  r.add("PUT", v + "/suppliers/{id}", kAdministrators | kSuppliers, updateSupplier, "a supplier updates its record");
  r.add("POST", v + "/suppliers/{id}/renewal-requests", managers, requestRenewal,
        "officers request a renewed self-declaration");
  r.add("POST", v + "/suppliers/{id}/renewal", kSuppliers, submitRenewal, "a supplier renews its self-declaration");
  r.add("GET", v + "/admissions", kSuppliers, listOwnAdmissions, "the supplier's own requests to participate");
  r.add("POST", v + "/admissions", kSuppliers, requestAdmission, "a supplier requests to participate");
  r.add("GET", v + "/admissions/{id}", kSignedIn, getAdmission, "one request to participate");
  r.add("POST", v + "/admissions/{id}/decision", managers, decideAdmission, "officers decide on admission");
  r.add("POST", v + "/admissions/{id}/extension", managers, extendAdmission, "officers extend the decision period");
  r.add("POST", v + "/rounds", managers, createRound, "officers create a round with lots");
  r.add("GET", v + "/rounds/{id}", kSignedIn, getRound, "one round with its lots");
  r.add("POST", v + "/rounds/{id}/dispatch", managers, dispatchRound, "officers send the invitations");
  r.add("GET", v + "/rounds/{id}/invitations", staff, listInvitations, "the frozen list of invitees");
  r.add("GET", v + "/invitations", kSuppliers, ownInvitations, "the supplier's invitations");
  r.add("POST", v + "/rounds/{id}/bid", kSuppliers, submitBid, "a supplier submits or amends its bid");
  r.add("DELETE", v + "/rounds/{id}/bid", kSuppliers, withdrawBid, "a supplier withdraws its bid");
  r.add("GET", v + "/rounds/{id}/bids", kSignedIn, listBids, "bid envelopes (never sealed content)");
  r.add("GET", v + "/bids/{id}", kSignedIn, getBid, "bid content, after opening only");
  r.add("POST", v + "/rounds/{id}/open", managers, openRound, "officers open the bids after the deadline");
  r.add("POST", v + "/rounds/{id}/evaluate", managers, evaluateRound, "officers evaluate the bids");
  r.add("GET", v + "/rounds/{id}/evaluation", kSignedIn, getEvaluation, "scores and ranking (suppliers: their own)");
  r.add("POST", v + "/rounds/{id}/explanation-requests", managers, requestExplanation,
        "officers ask for an explanation of an abnormally low bid");
  r.add("POST", v + "/rounds/{id}/abnormal-low-decisions", managers, decideAbnormalLow,
        "officers accept or reject an abnormally low bid");
  r.add("POST", v + "/rounds/{id}/award", managers, awardRound, "officers award the round");
  r.add("GET", v + "/rounds/{id}/award", kSignedIn, getAward, "the award decision and lines");
  r.add("GET", v + "/rounds/{id}/recomputation", staff, recomputation, "every score recomputed from its inputs");
  r.add("GET", v + "/audit", kAdministrators | kAuditors, listAudit, "the audit log is for auditors");
  r.add("GET", v + "/audit/verification", kAdministrators | kAuditors, verifyAudit, "the audit chain verification");
  r.add("GET", v + "/outbox", managers, listOutbox, "notifications and their delivery");
}

}  // namespace web::server
