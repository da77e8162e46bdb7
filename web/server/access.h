#pragma once
// Who may see what, for the API and the pages alike. The engine refuses forbidden changes; reads go
// straight to the store, so the web layer scopes them here: an officer sees only the data of the
// authority they act for, a supplier only published systems, rounds it was invited to and its own
// bids, results and requests; administrators and auditors see everything (auditors read-only).
// Sealed bid content is never read here: only core::Engine::readBid opens it, after opening.
// Functions over a Tx inside the caller's transaction; thread-safe as the Store.

#include <vector>

#include "core/model.h"
#include "core/store.h"
#include "web/server/router.h"

namespace web::server {

bool isStaff(const Principal& p);  // administrator or auditor: sees every authority
bool canSeeAuthority(const Principal& p, core::Id authority_id);

// Throw kNotFound for a missing object and kForbidden for one the principal may not see.
core::Dps visibleDps(const Principal& p, core::Tx& tx, core::Id dps_id);
core::Round visibleRound(const Principal& p, core::Tx& tx, core::Id round_id);
core::Supplier visibleSupplier(const Principal& p, core::Tx& tx, core::Id supplier_id);
core::AdmissionRequest visibleAdmission(const Principal& p, core::Tx& tx, core::Id request_id);

// The principal's authority for creating things: officers their own; administrators must name one.
core::Id authorityFor(const Principal& p, core::Id requested);
// The supplier the principal acts for; kForbidden for other roles.
core::Id ownSupplier(const Principal& p);

// Whether an audit or outbox object reference ("round:12", "admission:3", "dps:1") belongs to what
// the principal may see: officers only their authority's objects; staff everything.
bool objectVisible(const Principal& p, core::Tx& tx, const std::string& object);
// The outbox messages the principal may see, newest first.
std::vector<core::OutboxMessage> visibleOutbox(const Principal& p, core::Tx& tx, std::size_t limit);

// Every DPS the principal may see.
std::vector<core::Dps> visibleDpsList(const Principal& p, core::Tx& tx);

struct InvitedRound {
  core::Round round;
  core::Invitation invitation;
};
// The rounds the supplier was invited to, newest first.
std::vector<InvitedRound> invitationsOf(core::Tx& tx, core::Id supplier_id);

// The bid that counts for the supplier in the round (submitted, newest version), if any.
std::optional<core::Bid> currentBid(core::Tx& tx, core::Id round_id, core::Id supplier_id);

}  // namespace web::server
