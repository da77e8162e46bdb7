#include "core/model.h"

#include <algorithm>

#include <array>
#include <utility>

#include "core/error.h"

namespace core {
namespace {

template <typename E, std::size_t N>
using Names = std::array<std::pair<E, const char*>, N>;

constexpr Names<DpsStatus, 5> kDpsStatus{{{DpsStatus::kDraft, "draft"},
                                          {DpsStatus::kPublished, "published"},
                                          {DpsStatus::kOperating, "operating"},
                                          {DpsStatus::kExpired, "expired"},
                                          {DpsStatus::kTerminated, "terminated"}}};
constexpr Names<CriterionKind, 6> kCriterionKind{{{CriterionKind::kPrice, "price"},
                                                  {CriterionKind::kDistance, "distance"},
                                                  {CriterionKind::kCo2, "co2"},
                                                  {CriterionKind::kFreshness, "freshness"},
                                                  {CriterionKind::kLabel, "label"},
                                                  {CriterionKind::kShortChain, "short_chain"}}};
constexpr Names<Formula, 4> kFormula{{{Formula::kRelativeToBest, "relative_to_best"},
                                      {Formula::kLinearBand, "linear_band"},
                                      {Formula::kBands, "bands"},
                                      {Formula::kYesNo, "yes_no"}}};
constexpr Names<AdmissionStatus, 3> kAdmissionStatus{{{AdmissionStatus::kPending, "pending"},
                                                      {AdmissionStatus::kAdmitted, "admitted"},
                                                      {AdmissionStatus::kRejected, "rejected"}}};
constexpr Names<RoundStatus, 6> kRoundStatus{{{RoundStatus::kDraft, "draft"},
                                              {RoundStatus::kOpen, "open"},
                                              {RoundStatus::kOpened, "opened"},
                                              {RoundStatus::kEvaluated, "evaluated"},
                                              {RoundStatus::kAwarded, "awarded"},
                                              {RoundStatus::kCancelled, "cancelled"}}};
constexpr Names<AwardMode, 3> kAwardMode{{{AwardMode::kBestBid, "best_bid"},
                                          {AwardMode::kPartialFill, "partial_fill"},
                                          {AwardMode::kOptimalByDeliveryPoint, "optimal_by_delivery_point"}}};
constexpr Names<BidStatus, 5> kBidStatus{{{BidStatus::kSubmitted, "submitted"},
                                          {BidStatus::kSuperseded, "superseded"},
                                          {BidStatus::kWithdrawn, "withdrawn"},
                                          {BidStatus::kInvalid, "invalid"},
                                          {BidStatus::kRejected, "rejected"}}};
constexpr Names<AccountRole, 4> kAccountRole{{{AccountRole::kAdministrator, "administrator"},
                                              {AccountRole::kOfficer, "officer"},
                                              {AccountRole::kSupplier, "supplier"},
                                              {AccountRole::kAuditor, "auditor"}}};
constexpr Names<OutboxStatus, 3> kOutboxStatus{{{OutboxStatus::kPending, "pending"},
                                                {OutboxStatus::kSent, "sent"},
                                                {OutboxStatus::kFailed, "failed"}}};

template <typename E, std::size_t N>
const char* nameOf(const Names<E, N>& names, E value) {
  for (const auto& [v, n] : names)
    if (v == value) return n;
  return "?";
}

template <typename E, std::size_t N>
E valueOf(const Names<E, N>& names, const std::string& text, const char* what) {
  std::string accepted;
  for (const auto& [v, n] : names) {
    if (text == n) return v;
    accepted += accepted.empty() ? n : std::string(", ") + n;
  }
  throw Error(ErrorCode::kInvalidArgument, std::string(what) + " '" + text + "' is not known; use one of: " + accepted,
              what, {"input.problem.unknown_value", {what, text.substr(0, 40), accepted}});
}

}  // namespace

const char* toString(DpsStatus v) { return nameOf(kDpsStatus, v); }
const char* toString(CriterionKind v) { return nameOf(kCriterionKind, v); }
const char* toString(Formula v) { return nameOf(kFormula, v); }
const char* toString(AdmissionStatus v) { return nameOf(kAdmissionStatus, v); }
const char* toString(RoundStatus v) { return nameOf(kRoundStatus, v); }
const char* toString(AwardMode v) { return nameOf(kAwardMode, v); }
const char* toString(BidStatus v) { return nameOf(kBidStatus, v); }
const char* toString(AccountRole v) { return nameOf(kAccountRole, v); }
const char* toString(OutboxStatus v) { return nameOf(kOutboxStatus, v); }

DpsStatus parseDpsStatus(const std::string& s) { return valueOf(kDpsStatus, s, "dps status"); }
CriterionKind parseCriterionKind(const std::string& s) { return valueOf(kCriterionKind, s, "criterion kind"); }
Formula parseFormula(const std::string& s) { return valueOf(kFormula, s, "formula"); }
AdmissionStatus parseAdmissionStatus(const std::string& s) {
  return valueOf(kAdmissionStatus, s, "admission status");
}
RoundStatus parseRoundStatus(const std::string& s) { return valueOf(kRoundStatus, s, "round status"); }
AwardMode parseAwardMode(const std::string& s) { return valueOf(kAwardMode, s, "award mode"); }
BidStatus parseBidStatus(const std::string& s) { return valueOf(kBidStatus, s, "bid status"); }
AccountRole parseAccountRole(const std::string& s) { return valueOf(kAccountRole, s, "account role"); }
OutboxStatus parseOutboxStatus(const std::string& s) { return valueOf(kOutboxStatus, s, "outbox status"); }

bool sameCertificates(const std::vector<Certificate>& a, const std::vector<Certificate>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const Certificate& x, const Certificate& y) {
    return x.name == y.name && x.number == y.number && x.valid_until == y.valid_until;
  });
}

bool isSizeClass(const std::string& text) {
  return text == "micro" || text == "small" || text == "medium" || text == "large";
}

}  // namespace core
