// JSON renderings of domain records (see json_output.h).
#include "web/server/json_output.h"

#include <sstream>

namespace web::server {
namespace {

Poco::Int64 i64(core::Id v) { return static_cast<Poco::Int64>(v); }
void setOptTime(JsonPtr o, const std::string& key, const std::optional<core::TimePoint>& t) {
  if (t)
    o->set(key, core::formatTime(*t));
  else
    o->set(key, Poco::Dynamic::Var());
}
JsonPtr geo(const core::GeoPoint& g) {
  JsonPtr o = newObject();
  o->set("lat", g.lat);
  o->set("lon", g.lon);
  return o;
}

}  // namespace

JsonPtr newObject() { return new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER); }
JsonArrayPtr newArray() { return new Poco::JSON::Array(); }

std::string stringify(const JsonPtr& object) {
  std::ostringstream out;
  object->stringify(out);
  return out.str();
}

JsonPtr toJson(const core::Account& a) {
  JsonPtr o = newObject();
  o->set("id", i64(a.id));
  o->set("username", a.username);
  o->set("display_name", a.display_name);
  o->set("email", a.email);
  o->set("role", std::string(core::toString(a.role)));
  o->set("authority_id", i64(a.authority_id));
  o->set("supplier_id", i64(a.supplier_id));
  o->set("active", a.active);
  o->set("language", a.language);
  return o;
}

JsonPtr toJson(const core::Authority& a) {
  JsonPtr o = newObject();
  o->set("id", i64(a.id));
  o->set("name", a.name);
  o->set("country", a.country);
  o->set("time_zone", a.time_zone);
  return o;
}

JsonPtr toJson(const core::Dps& d) {
  JsonPtr o = newObject();
  o->set("id", i64(d.id));
  o->set("authority_id", i64(d.authority_id));
  o->set("reference", d.reference);
  o->set("title", d.title);
  o->set("cpv", d.cpv);
  o->set("status", std::string(core::toString(d.status)));
  setOptTime(o, "published_at", d.published_at);
  o->set("request_deadline", core::formatTime(d.request_deadline));
  o->set("valid_until", core::formatTime(d.valid_until));
  o->set("criteria_version", d.criteria_version);
  setOptTime(o, "first_invitation_at", d.first_invitation_at);
  setOptTime(o, "initial_assessment_extended_until", d.initial_assessment_extended_until);
  JsonArrayPtr vf = newArray();
  for (const core::VehicleFactor& v : d.vehicle_factors) {
    JsonPtr f = newObject();
    f->set("vehicle", v.vehicle);
    f->set("kg_co2e_per_tkm", v.kg_co2e_per_tkm.toString());
    vf->add(f);
  }
  o->set("vehicle_factors", vf);
  return o;
}

JsonPtr toJson(const core::Category& c) {
  JsonPtr o = newObject();
  o->set("id", i64(c.id));
  o->set("dps_id", i64(c.dps_id));
  o->set("code", c.code);
  o->set("name", c.name);
  o->set("cpv", c.cpv);
  o->set("area", c.area);
  return o;
}

JsonPtr toJson(const core::Criterion& c) {
  JsonPtr o = newObject();
  o->set("kind", std::string(core::toString(c.kind)));
  o->set("formula", std::string(core::toString(c.formula)));
  o->set("weight", c.weight);
  o->set("min_weight", c.min_weight);
  o->set("max_weight", c.max_weight);
  o->set("a", c.a.toString());
  o->set("b", c.b.toString());
  JsonArrayPtr bands = newArray();
  for (const core::Band& b : c.bands) {
    JsonPtr band = newObject();
    band->set("threshold", b.threshold.toString());
    band->set("points", b.points.toString());
    bands->add(band);
  }
  o->set("bands", bands);
  o->set("fact", c.fact);
  o->set("description", c.description);
  return o;
}

JsonPtr toJson(const core::Supplier& s) {
  JsonPtr o = newObject();
  o->set("id", i64(s.id));
  o->set("name", s.name);
  o->set("tax_number", s.tax_number);
  o->set("address", s.address);
  o->set("country", s.country);
  o->set("email", s.email);
  o->set("is_sme", s.is_sme);
  if (!s.size_class.empty()) o->set("size_class", s.size_class);
  JsonArrayPtr certs = newArray();
  for (const core::Certificate& c : s.certificates) {
    JsonPtr j = newObject();
    j->set("name", c.name);
    j->set("number", c.number);
    setOptTime(j, "valid_until", c.valid_until);
    certs->add(j);
  }
  o->set("certificates", certs);
  JsonArrayPtr points = newArray();
  for (const core::DispatchPoint& p : s.dispatch_points) {
    JsonPtr j = newObject();
    j->set("id", i64(p.id));
    j->set("name", p.name);
    j->set("address", p.address);
    j->set("location", geo(p.location));
    points->add(j);
  }
  o->set("dispatch_points", points);
  return o;
}

JsonPtr toJson(const core::DeliveryPoint& p) {
  JsonPtr o = newObject();
  o->set("id", i64(p.id));
  o->set("authority_id", i64(p.authority_id));
  o->set("code", p.code);
  o->set("name", p.name);
  o->set("address", p.address);
  o->set("location", geo(p.location));
  return o;
}

JsonPtr toJson(const core::Product& p) {
  JsonPtr o = newObject();
  o->set("id", i64(p.id));
  o->set("code", p.code);
  o->set("cpv", p.cpv);
  o->set("name_sl", p.name_sl);
  o->set("name_en", p.name_en);
  o->set("unit", p.unit);
  o->set("unit_mass_kg", p.unit_mass_kg.toString());
  return o;
}

JsonPtr toJson(const core::AdmissionRequest& r) {
  JsonPtr o = newObject();
  o->set("id", i64(r.id));
  o->set("supplier_id", i64(r.supplier_id));
  o->set("category_id", i64(r.category_id));
  o->set("received_at", core::formatTime(r.received_at));
  o->set("status", std::string(core::toString(r.status)));
  setOptTime(o, "decided_at", r.decided_at);
  o->set("decided_by", r.decided_by);
  o->set("reason", r.reason);
  o->set("extension_justification", r.extension_justification);
  o->set("self_declaration", r.self_declaration);
  return o;
}

JsonPtr toJson(const core::AdmissionDue& d) {
  JsonPtr o = toJson(d.request);
  o->set("due_at", core::formatTime(d.due_at));
  o->set("working_days_left", d.working_days_left);
  o->set("overdue", d.overdue);
  return o;
}

JsonPtr toJson(const core::Round& r) {
  JsonPtr o = newObject();
  o->set("id", i64(r.id));
  o->set("dps_id", i64(r.dps_id));
  o->set("category_id", i64(r.category_id));
  o->set("reference", r.reference);
  o->set("title", r.title);
  o->set("status", std::string(core::toString(r.status)));
  o->set("award_mode", std::string(core::toString(r.award_mode)));
  o->set("allow_partial", r.allow_partial);
  setOptTime(o, "dispatched_at", r.dispatched_at);
  o->set("deadline", r.dispatched_at ? core::formatTime(r.deadline) : std::string());
  setOptTime(o, "opened_at", r.opened_at);
  o->set("criteria_version", r.criteria_version);
  JsonArrayPtr refinements = newArray();
  for (const core::WeightRefinement& w : r.refinements) {
    JsonPtr j = newObject();
    j->set("kind", std::string(core::toString(w.kind)));
    j->set("weight", w.weight);
    refinements->add(j);
  }
  o->set("refinements", refinements);
  return o;
}

JsonPtr toJson(const core::Lot& l) {
  JsonPtr o = newObject();
  o->set("id", i64(l.id));
  o->set("round_id", i64(l.round_id));
  o->set("number", l.number);
  o->set("cpv", l.cpv);
  o->set("description", l.description);
  o->set("unit", l.unit);
  o->set("unit_mass_kg", l.unit_mass_kg.toString());
  o->set("quality_spec", l.quality_spec);
  o->set("min_delivery", l.min_delivery.toString());
  JsonArrayPtr demands = newArray();
  for (const core::Demand& d : l.demands) {
    JsonPtr j = newObject();
    j->set("delivery_point_id", i64(d.delivery_point_id));
    j->set("quantity", d.quantity.toString());
    j->set("schedule", d.schedule);
    demands->add(j);
  }
  o->set("demands", demands);
  return o;
}

JsonPtr toJson(const core::Invitation& i) {
  JsonPtr o = newObject();
  o->set("round_id", i64(i.round_id));
  o->set("supplier_id", i64(i.supplier_id));
  o->set("invited_at", core::formatTime(i.invited_at));
  return o;
}

JsonPtr toJson(const core::Bid& b) {
  JsonPtr o = newObject();
  o->set("id", i64(b.id));
  o->set("round_id", i64(b.round_id));
  o->set("supplier_id", i64(b.supplier_id));
  o->set("version", b.version);
  o->set("status", std::string(core::toString(b.status)));
  o->set("submitted_at", core::formatTime(b.submitted_at));
  o->set("digest", b.digest);
  o->set("status_reason", b.status_reason);
  return o;
}

JsonPtr toJson(const core::BidLine& l) {
  JsonPtr o = newObject();
  o->set("lot_id", i64(l.lot_id));
  o->set("unit_price", l.unit_price.toString());
  o->set("quantity", l.quantity.toString());
  o->set("dispatch_point_id", i64(l.dispatch_point_id));
  o->set("organic", l.organic);
  o->set("quality_scheme", l.quality_scheme);
  o->set("hours_from_harvest", l.hours_from_harvest);
  o->set("intermediaries", l.intermediaries);
  o->set("vehicle", l.vehicle);
  JsonArrayPtr offers = newArray();
  for (const core::PointOffer& p : l.point_offers) {
    JsonPtr j = newObject();
    j->set("delivery_point_id", i64(p.delivery_point_id));
    j->set("quantity", p.quantity.toString());
    offers->add(j);
  }
  o->set("point_offers", offers);
  return o;
}

JsonPtr toJson(const core::BidReceipt& r) {
  JsonPtr o = newObject();
  o->set("bid_id", i64(r.bid_id));
  o->set("version", r.version);
  o->set("submitted_at", core::formatTime(r.submitted_at));
  o->set("digest", r.digest);
  o->set("digest_algorithm", std::string("SHA-256"));
  JsonArrayPtr warnings = newArray();
  for (const std::string& w : r.warnings) warnings->add(w);
  o->set("warnings", warnings);
  return o;
}

JsonPtr toJson(const core::ScoreRecord& s) {
  JsonPtr o = newObject();
  o->set("lot_id", i64(s.lot_id));
  o->set("bid_id", i64(s.bid_id));
  o->set("delivery_point_id", i64(s.delivery_point_id));
  o->set("kind", std::string(core::toString(s.kind)));
  o->set("formula", std::string(core::toString(s.formula)));
  o->set("weight", s.weight);
  o->set("inputs", s.inputs);
  o->set("value", s.value.toString());
  o->set("points", s.points.toDecimalString(3));
  o->set("points_exact", s.points.toString());
  return o;
}

JsonPtr toJson(const core::LotResult& r) {
  JsonPtr o = newObject();
  o->set("lot_id", i64(r.lot_id));
  o->set("bid_id", i64(r.bid_id));
  o->set("delivery_point_id", i64(r.delivery_point_id));
  o->set("supplier_id", i64(r.supplier_id));
  o->set("total", r.total.toDecimalString(3));
  o->set("total_exact", r.total.toString());
  o->set("rank", r.rank);
  o->set("admissible", r.admissible);
  o->set("abnormally_low", r.abnormally_low);
  o->set("note", r.note);
  return o;
}

JsonPtr toJson(const core::AbnormalLowCase& c) {
  JsonPtr o = newObject();
  o->set("lot_id", i64(c.lot_id));
  o->set("bid_id", i64(c.bid_id));
  setOptTime(o, "explanation_requested_at", c.explanation_requested_at);
  o->set("explanation", c.explanation);
  setOptTime(o, "decided_at", c.decided_at);
  o->set("rejected", c.rejected);
  return o;
}

JsonPtr toJson(const core::AwardLine& a) {
  JsonPtr o = newObject();
  o->set("lot_id", i64(a.lot_id));
  o->set("bid_id", i64(a.bid_id));
  o->set("supplier_id", i64(a.supplier_id));
  if (a.delivery_point_id)
    o->set("delivery_point_id", i64(*a.delivery_point_id));
  else
    o->set("delivery_point_id", Poco::Dynamic::Var());
  o->set("quantity", a.quantity.toString());
  o->set("unit_price", a.unit_price.toString());
  o->set("score", a.score.toDecimalString(3));
  return o;
}

JsonPtr toJson(const core::AwardDecision& d) {
  JsonPtr o = newObject();
  o->set("round_id", i64(d.round_id));
  o->set("decided_at", core::formatTime(d.decided_at));
  setOptTime(o, "standstill_end", d.standstill_end);
  o->set("decided_by", d.decided_by);
  o->set("certificate", d.certificate);
  return o;
}

JsonPtr toJson(const core::NoticePublication& p) {
  JsonPtr o = newObject();
  o->set("id", i64(p.id));
  o->set("dps_id", i64(p.dps_id));
  if (p.round_id != 0) o->set("round_id", i64(p.round_id));
  if (!p.quarter.empty()) o->set("quarter", p.quarter);
  o->set("reference", p.reference);
  o->set("published_at", core::formatTime(p.published_at));
  o->set("recorded_at", core::formatTime(p.recorded_at));
  o->set("recorded_by", p.recorded_by);
  return o;
}

JsonPtr toJson(const core::AwardNoticeStatus& s) {
  JsonPtr o = newObject();
  o->set("round_id", i64(s.round_id));
  o->set("round_reference", s.round_reference);
  o->set("decided_at", core::formatTime(s.decided_at));
  o->set("due_alone", core::formatTime(s.due_alone));
  o->set("quarter", s.quarter);
  o->set("due_quarterly", core::formatTime(s.due_quarterly));
  o->set("state", std::string(core::toString(s.state)));
  if (s.publication) o->set("publication", toJson(*s.publication));
  return o;
}

JsonPtr toJson(const core::AuditEntry& e) {
  JsonPtr o = newObject();
  o->set("seq", static_cast<Poco::Int64>(e.seq));
  o->set("at", core::formatTime(e.at));
  o->set("actor", e.actor);
  o->set("action", e.action);
  o->set("object", e.object);
  o->set("digest", e.digest);
  o->set("prev_hash", e.prev_hash);
  o->set("hash", e.hash);
  return o;
}

JsonPtr toJson(const core::OutboxMessage& m) {
  JsonPtr o = newObject();
  o->set("id", i64(m.id));
  o->set("recipient", m.recipient);
  o->set("subject", m.subject);
  o->set("object", m.object);
  o->set("status", std::string(core::toString(m.status)));
  o->set("attempts", m.attempts);
  o->set("created_at", core::formatTime(m.created_at));
  o->set("next_attempt_at", core::formatTime(m.next_attempt_at));
  o->set("last_error", m.last_error);
  return o;
}

}  // namespace web::server
