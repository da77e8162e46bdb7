#pragma once
// JSON renderings of the domain records for the API. Exact numbers are strings ("12.50"; scores
// both rounded for display and as exact rationals); times are UTC ISO 8601 strings.
// Pure functions; thread-safe.

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <string>

#include "core/audit.h"
#include "core/engine.h"
#include "core/model.h"
#include "core/notices.h"

namespace web::server {

using JsonPtr = Poco::JSON::Object::Ptr;
using JsonArrayPtr = Poco::JSON::Array::Ptr;

JsonPtr newObject();
JsonArrayPtr newArray();
std::string stringify(const JsonPtr& object);

JsonPtr toJson(const core::Account& a);
JsonPtr toJson(const core::Authority& a);
JsonPtr toJson(const core::Dps& d);
JsonPtr toJson(const core::Category& c);
JsonPtr toJson(const core::Criterion& c);
JsonPtr toJson(const core::Supplier& s);
JsonPtr toJson(const core::DeliveryPoint& p);
JsonPtr toJson(const core::Product& p);
JsonPtr toJson(const core::AdmissionRequest& r);
JsonPtr toJson(const core::AdmissionDue& d);
JsonPtr toJson(const core::Round& r);
JsonPtr toJson(const core::Lot& l);
JsonPtr toJson(const core::Invitation& i);
JsonPtr toJson(const core::Bid& b);  // the envelope only: never the sealed content
JsonPtr toJson(const core::BidLine& l);
JsonPtr toJson(const core::BidReceipt& r);
JsonPtr toJson(const core::ScoreRecord& s);
JsonPtr toJson(const core::LotResult& r);
JsonPtr toJson(const core::AbnormalLowCase& c);
JsonPtr toJson(const core::AwardLine& a);
JsonPtr toJson(const core::AwardDecision& d);
JsonPtr toJson(const core::NoticePublication& p);
JsonPtr toJson(const core::AwardNoticeStatus& s);
JsonPtr toJson(const core::AuditEntry& e);
JsonPtr toJson(const core::OutboxMessage& m);

}  // namespace web::server
