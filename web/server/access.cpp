// Read scoping for the API and pages (see access.h).
#include "web/server/access.h"

#include <algorithm>
#include <string>
#include <utility>

#include "core/error.h"

namespace web::server {
namespace {

[[noreturn]] void forbid(const std::string& what, core::Localized localized) {
  throw core::Error(core::ErrorCode::kForbidden, what, {}, std::move(localized));
}

[[noreturn]] void notFound(const std::string& what, core::Localized localized) {
  throw core::Error(core::ErrorCode::kNotFound, what, {}, std::move(localized));
}

}  // namespace

bool isStaff(const Principal& p) {
  return p.account.role == core::AccountRole::kAdministrator || p.account.role == core::AccountRole::kAuditor;
}

bool canSeeAuthority(const Principal& p, core::Id authority_id) {
  if (isStaff(p)) return true;
  return p.account.role == core::AccountRole::kOfficer && p.account.authority_id == authority_id;
}

core::Dps visibleDps(const Principal& p, core::Tx& tx, core::Id dps_id) {
  const auto d = tx.getDps(dps_id);
  const bool supplier = p.account.role == core::AccountRole::kSupplier;
  // A supplier does not learn that a draft DPS exists.
  if (!d || (supplier && d->status == core::DpsStatus::kDraft))
    notFound("no DPS with id " + std::to_string(dps_id), {"notfound.dps", {std::to_string(dps_id)}});
  if (supplier) return *d;
  if (!canSeeAuthority(p, d->authority_id))
    forbid("DPS " + d->reference + " belongs to another contracting authority; officers see only their own",
           {"access.refused.dps_other", {d->reference}});
  return *d;
}

core::Round visibleRound(const Principal& p, core::Tx& tx, core::Id round_id) {
  const auto r = tx.getRound(round_id);
  if (!r) notFound("no round with id " + std::to_string(round_id), {"notfound.round", {std::to_string(round_id)}});
  if (p.account.role == core::AccountRole::kSupplier) {
    const auto invitations = tx.listInvitations(round_id);
    const bool invited = std::any_of(invitations.begin(), invitations.end(), [&](const core::Invitation& i) {
      return i.supplier_id == p.account.supplier_id;
    });
    if (!invited)
      forbid("round " + r->reference + " did not invite your company; only invitees see it",
             {"access.refused.not_invited", {r->reference}});
    return *r;
  }
  const auto d = tx.getDps(r->dps_id);
  if (!d || !canSeeAuthority(p, d->authority_id))
    forbid("round " + r->reference + " belongs to another contracting authority; officers see only their own",
           {"access.refused.round_other", {r->reference}});
  return *r;
}

core::Supplier visibleSupplier(const Principal& p, core::Tx& tx, core::Id supplier_id) {
  const auto s = tx.getSupplier(supplier_id);
  if (!s)
    notFound("no supplier with id " + std::to_string(supplier_id),
             {"notfound.supplier", {std::to_string(supplier_id)}});
  if (p.account.role == core::AccountRole::kSupplier && p.account.supplier_id != supplier_id)
    forbid("a supplier sees only its own record", {"access.refused.own_record", {}});
  return *s;
}

core::AdmissionRequest visibleAdmission(const Principal& p, core::Tx& tx, core::Id request_id) {
  const auto r = tx.getAdmissionRequest(request_id);
  if (!r)
    notFound("no request to participate with id " + std::to_string(request_id),
             {"notfound.admission", {std::to_string(request_id)}});
  if (p.account.role == core::AccountRole::kSupplier) {
    if (r->supplier_id != p.account.supplier_id)
      forbid("a supplier sees only its own requests to participate", {"access.refused.own_requests", {}});
    return *r;
  }
  const auto c = tx.getCategory(r->category_id);
  const auto d = c ? tx.getDps(c->dps_id) : std::nullopt;
  if (!d || !canSeeAuthority(p, d->authority_id))
    forbid("the request belongs to a DPS of another contracting authority", {"access.refused.request_other", {}});
  return *r;
}

core::Id authorityFor(const Principal& p, core::Id requested) {
  if (p.account.role == core::AccountRole::kOfficer) {
    if (requested != 0 && requested != p.account.authority_id)
      forbid(
          "an officer acts only for their own contracting authority (" + std::to_string(p.account.authority_id) + ")",
          {"access.refused.own_authority", {std::to_string(p.account.authority_id)}});
    return p.account.authority_id;
  }
  if (requested == 0)
    throw core::Error(core::ErrorCode::kInvalidArgument, "name the contracting authority (authority_id)",
                      "authority_id", {"input.problem.authority", {}});
  return requested;
}

core::Id ownSupplier(const Principal& p) {
  if (p.account.role != core::AccountRole::kSupplier || p.account.supplier_id == 0)
    forbid("only a supplier's account can do this for its company", {"access.refused.supplier_only", {}});
  return p.account.supplier_id;
}

bool objectVisible(const Principal& p, core::Tx& tx, const std::string& object) {
  if (isStaff(p)) return true;
  if (p.account.role != core::AccountRole::kOfficer) return false;
  const std::size_t colon = object.find(':');
  if (colon == std::string::npos) return false;
  const std::string kind = object.substr(0, colon);
  core::Id id = 0;
  try {
    id = std::stoll(object.substr(colon + 1));
  } catch (const std::exception&) {
    return false;
  }
  std::optional<core::Id> dps_id;
  if (kind == "dps") dps_id = id;
  if (kind == "round")
    if (const auto r = tx.getRound(id)) dps_id = r->dps_id;
  if (kind == "admission")
    if (const auto a = tx.getAdmissionRequest(id))
      if (const auto c = tx.getCategory(a->category_id)) dps_id = c->dps_id;
  // A message about a supplier (a renewal request) concerns every authority the supplier asked to join.
  if (kind == "supplier") {
    for (const core::AdmissionRequest& a : tx.listSupplierAdmissions(id))
      if (const auto c = tx.getCategory(a.category_id))
        if (const auto d = tx.getDps(c->dps_id); d && canSeeAuthority(p, d->authority_id)) return true;
    return false;
  }
  if (!dps_id) return false;
  const auto d = tx.getDps(*dps_id);
  return d && canSeeAuthority(p, d->authority_id);
}

std::vector<core::OutboxMessage> visibleOutbox(const Principal& p, core::Tx& tx, std::size_t limit) {
  std::vector<core::OutboxMessage> out;
  for (const core::OutboxMessage& m : tx.listOutbox(limit))
    if (objectVisible(p, tx, m.object)) out.push_back(m);
  return out;
}

std::vector<core::Dps> visibleDpsList(const Principal& p, core::Tx& tx) {
  std::vector<core::Dps> out;
  for (const core::Dps& d : tx.listDps()) {
    if (p.account.role == core::AccountRole::kSupplier ? d.status != core::DpsStatus::kDraft
                                                       : canSeeAuthority(p, d.authority_id))
      out.push_back(d);
  }
  return out;
}

std::vector<InvitedRound> invitationsOf(core::Tx& tx, core::Id supplier_id) {
  std::vector<InvitedRound> out;
  for (const core::Dps& d : tx.listDps())
    for (const core::Round& r : tx.listRounds(d.id))
      for (const core::Invitation& i : tx.listInvitations(r.id))
        if (i.supplier_id == supplier_id) out.push_back({r, i});
  std::sort(out.begin(), out.end(), [](const InvitedRound& a, const InvitedRound& b) { return a.round.id > b.round.id; });
  return out;
}

std::optional<core::Bid> currentBid(core::Tx& tx, core::Id round_id, core::Id supplier_id) {
  std::optional<core::Bid> found;
  for (const core::Bid& b : tx.listBids(round_id))
    if (b.supplier_id == supplier_id && b.status == core::BidStatus::kSubmitted &&
        (!found || b.version > found->version))
      found = b;
  return found;
}

}  // namespace web::server
