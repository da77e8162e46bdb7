#pragma once
// Domain records of the dynamic purchasing system (DESIGN.md, Vocabulary). Plain values: the rules
// live in core::Engine, persistence behind core::Store. Thread-safety: plain structs, no sharing.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/decimal.h"
#include "core/exact.h"

namespace core {

using Id = std::int64_t;

// WGS84 coordinates in decimal degrees.
struct GeoPoint {
  double lat = 0;
  double lon = 0;
};

struct Authority {
  Id id = 0;
  std::string name;
  std::string country = "SI";  // ISO 3166-1 alpha-2; selects the holiday calendar and standstill rule
  std::string time_zone = "Europe/Ljubljana";
};

enum class DpsStatus { kDraft, kPublished, kOperating, kExpired, kTerminated };

enum class CriterionKind { kPrice, kDistance, kCo2, kFreshness, kLabel, kShortChain };

enum class Formula {
  kRelativeToBest,  // weight * best / value; lower value is better
  kLinearBand,      // full points at or below a, zero at or above b, linear between
  kBands,           // published table of (threshold, points): first threshold the value is at or below
  kYesNo,           // full points when the declared fact holds
};

struct Band {
  Decimal threshold;  // value at or below this threshold earns `points`
  Exact points;
};

// One award criterion as published with the DPS (rule 7). `weight` is what the DPS publishes;
// a round may refine it within [min_weight, max_weight] only.
struct Criterion {
  CriterionKind kind = CriterionKind::kPrice;
  Formula formula = Formula::kRelativeToBest;
  int weight = 0;
  int min_weight = 0;
  int max_weight = 0;
  Decimal a;                // linear band: full points at or below a
  Decimal b;                // linear band: zero at or above b
  std::vector<Band> bands;  // kBands, ascending thresholds
  // For kLabel: which declared fact earns the points: "organic", "quality_scheme" or "organic_or_quality".
  std::string fact;
  std::string description;
};

// kg CO2e per tonne-km for a vehicle type, published with the DPS.
struct VehicleFactor {
  std::string vehicle;  // "van", "truck", "car", "electric_van", ...
  Decimal kg_co2e_per_tkm;
};

struct Dps {
  Id id = 0;
  Id authority_id = 0;
  std::string reference;  // procedure identifier (eForms BT-04); every round keeps it
  std::string title;
  std::string cpv;        // main CPV code, 8 digits ("15000000")
  DpsStatus status = DpsStatus::kDraft;
  std::optional<TimePoint> published_at;
  TimePoint request_deadline{};  // end of the first period for requests to participate (rule 2)
  TimePoint valid_until{};
  int criteria_version = 0;      // 0 while draft; the version frozen at publication
  std::optional<TimePoint> first_invitation_at;
  // Extension of the assessment of the initial wave of requests (rule 3): no invitation before it ends.
  std::optional<TimePoint> initial_assessment_extended_until;
  std::vector<VehicleFactor> vehicle_factors;
};

struct Category {
  Id id = 0;
  Id dps_id = 0;
  std::string code;  // short, unique in the DPS ("VEG-N")
  std::string name;
  std::string cpv;
  std::string area;  // delivery area, empty when the category is not split by area
};

struct Certificate {
  std::string name;  // "organic (EU 2018/848)", "HACCP", ...
  std::string number;
  std::optional<TimePoint> valid_until;
};

// Same names, numbers and expiry dates in the same order.
bool sameCertificates(const std::vector<Certificate>& a, const std::vector<Certificate>& b);

// A certificate as a supplier had it before an update replaced it, with the instant it stopped
// being in effect: suspension at a past instant (rule 5, re-checked at the tender deadline) is
// judged on the certificates of that instant, not on a renewal made later.
struct ArchivedCertificate {
  Certificate certificate;
  TimePoint in_effect_until{};
};

// The most characters a text field of the master data may have, whatever brings it in (the JSON
// API, the pages, CSV imports, ESPD responses), so that each field has one limit everywhere.
namespace max_chars {
inline constexpr std::size_t kName = 200;  // authorities, suppliers, points, products, certificates
inline constexpr std::size_t kAddress = 300;
inline constexpr std::size_t kCode = 40;  // tax numbers, delivery point and product codes
inline constexpr std::size_t kEmail = 200;
inline constexpr std::size_t kCertificateNumber = 100;
inline constexpr std::size_t kSchedule = 200;  // a demand's delivery schedule
inline constexpr std::size_t kUnit = 20;
}  // namespace max_chars

// Characters (code points) of UTF-8 text: what the limits count.
inline std::size_t charCount(std::string_view text) {
  std::size_t n = 0;
  for (const char c : text) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

struct DispatchPoint {
  Id id = 0;
  Id supplier_id = 0;
  std::string name;
  std::string address;
  GeoPoint location;
};

struct Supplier {
  Id id = 0;
  std::string name;
  std::string tax_number;  // natural key
  std::string address;
  std::string country = "SI";
  std::string email;
  bool is_sme = true;
  // The eForms economic-operator size (BT-165 of a winner): "micro", "small", "medium" or "large";
  // empty when not declared. When given, is_sme says the same (only "large" is not an SME).
  std::string size_class;
  std::vector<Certificate> certificates;
  std::vector<DispatchPoint> dispatch_points;
};

// "micro", "small", "medium", "large".
bool isSizeClass(const std::string& text);

struct DeliveryPoint {
  Id id = 0;
  Id authority_id = 0;
  std::string code;  // natural key within the authority
  std::string name;
  std::string address;
  GeoPoint location;
};

// An item of the product catalogue (import/): what lots are made of.
struct Product {
  Id id = 0;
  std::string code;     // natural key ("APPLE-GALA")
  std::string cpv;      // 8 digits, divisions 03 or 15 for food ("03222321")
  std::string name_sl;
  std::string name_en;
  std::string unit = "kg";
  Decimal unit_mass_kg = Decimal::fromInt(1);
};

enum class AdmissionStatus { kPending, kAdmitted, kRejected };

struct AdmissionRequest {
  Id id = 0;
  Id supplier_id = 0;
  Id category_id = 0;
  TimePoint received_at{};
  std::string self_declaration;  // the ESPD response as received
  AdmissionStatus status = AdmissionStatus::kPending;
  std::optional<TimePoint> decided_at;
  std::string decided_by;
  std::string reason;
  // Non-empty when the decision period is 15 working days instead of 10 (rule 3).
  std::string extension_justification;
};

// The distance in km by road from a dispatch point to a delivery point, as imported.
struct RoadDistance {
  Id dispatch_point_id = 0;
  Id delivery_point_id = 0;
  Decimal km;
};

// A request for a renewed self-declaration (rule 9).
struct RenewalRequest {
  Id id = 0;
  Id supplier_id = 0;
  TimePoint requested_at{};
  TimePoint due_at{};
  std::optional<TimePoint> fulfilled_at;
  std::string self_declaration;  // the renewed ESPD, once given
};

// What decides whether a supplier is suspended at an instant (rule 5), read together: its current
// certificates (in their order), the sets earlier updates replaced (by the instant they ended, then
// order) and the renewed self-declarations requested of it (oldest first; their content is not read).
struct SuspensionRecords {
  struct Renewal {
    TimePoint requested_at{};
    TimePoint due_at{};
    std::optional<TimePoint> fulfilled_at;
  };
  std::vector<Certificate> certificates;
  std::vector<ArchivedCertificate> archived;
  std::vector<Renewal> renewals;
};

enum class RoundStatus { kDraft, kOpen, kOpened, kEvaluated, kAwarded, kCancelled };

enum class AwardMode { kBestBid, kPartialFill, kOptimalByDeliveryPoint };

// A round's refinement of one published criterion's weight (rule 7).
struct WeightRefinement {
  CriterionKind kind = CriterionKind::kPrice;
  int weight = 0;
};

struct Round {
  Id id = 0;
  Id dps_id = 0;
  Id category_id = 0;
  std::string reference;  // "KR-DNS-2026/R01"
  std::string title;
  RoundStatus status = RoundStatus::kDraft;
  AwardMode award_mode = AwardMode::kBestBid;
  bool allow_partial = false;
  std::optional<TimePoint> dispatched_at;
  TimePoint deadline{};
  std::optional<TimePoint> opened_at;
  int criteria_version = 0;
  std::vector<WeightRefinement> refinements;
};

struct Demand {
  Id delivery_point_id = 0;
  Decimal quantity;
  std::string schedule;  // "weekly, Mon", "2026-09-01..2027-06-30 twice a week"
};

struct Lot {
  Id id = 0;
  Id round_id = 0;
  int number = 0;
  std::string cpv;
  std::string description;
  std::string unit = "kg";
  Decimal unit_mass_kg = Decimal::fromInt(1);  // mass of one unit, for CO2
  std::string quality_spec;
  std::vector<Demand> demands;
  // Smallest quantity worth delivering to one point by one supplier (award mode optimal_by_delivery_point).
  Decimal min_delivery;
};

struct Invitation {
  Id round_id = 0;
  Id supplier_id = 0;
  TimePoint invited_at{};
};

// Quantity a bid line can deliver to one point (optional per-point capacities).
struct PointOffer {
  Id delivery_point_id = 0;
  Decimal quantity;
};

// One lot of a bid: the content that stays sealed until opening.
struct BidLine {
  Id lot_id = 0;
  Decimal unit_price;
  Decimal quantity;
  Id dispatch_point_id = 0;
  bool organic = false;
  bool quality_scheme = false;
  int hours_from_harvest = 0;
  int intermediaries = 0;
  std::string vehicle;
  std::vector<PointOffer> point_offers;
};

enum class BidStatus { kSubmitted, kSuperseded, kWithdrawn, kInvalid, kRejected };

// A bid's envelope. Its lines are stored sealed (an opaque blob) until the round is opened.
struct Bid {
  Id id = 0;
  Id round_id = 0;
  Id supplier_id = 0;
  int version = 1;
  BidStatus status = BidStatus::kSubmitted;
  TimePoint submitted_at{};
  std::string digest;       // SHA-256 hex of the sealed content as submitted (the receipt)
  std::string sealed;       // sealed content; opaque to the store
  std::string status_reason;
};

// One criterion's score of one bid on one lot, with everything an auditor needs to recompute it.
struct ScoreRecord {
  Id round_id = 0;
  Id lot_id = 0;
  Id bid_id = 0;
  Id delivery_point_id = 0;  // 0: the lot as a whole; else the score for that point alone
  CriterionKind kind = CriterionKind::kPrice;
  Formula formula = Formula::kRelativeToBest;
  int weight = 0;
  std::string inputs;  // "value=12.5;best=10;unit=EUR/kg"
  Exact value;         // the criterion's measured value (price, km, kg CO2e, hours, 0/1)
  Exact points;
};

// A bid's place on a lot after evaluation.
struct LotResult {
  Id round_id = 0;
  Id lot_id = 0;
  Id bid_id = 0;
  Id delivery_point_id = 0;  // 0: the lot as a whole; else the ranking for that point alone
  Id supplier_id = 0;
  Exact total;
  int rank = 0;  // 1 is best; 0 when not admissible
  bool admissible = true;
  bool abnormally_low = false;
  std::string note;  // why not admissible, or why flagged
};

// Art. 69: an abnormally low bid may be rejected only after an explanation was requested.
struct AbnormalLowCase {
  Id round_id = 0;
  Id lot_id = 0;
  Id bid_id = 0;
  std::optional<TimePoint> explanation_requested_at;
  std::string explanation;
  std::optional<TimePoint> decided_at;
  bool rejected = false;
};

struct AwardLine {
  Id round_id = 0;
  Id lot_id = 0;
  Id bid_id = 0;
  Id supplier_id = 0;
  std::optional<Id> delivery_point_id;  // set in optimal_by_delivery_point mode
  Decimal quantity;
  Decimal unit_price;
  Exact score;
};

struct AwardDecision {
  Id round_id = 0;
  TimePoint decided_at{};
  std::optional<TimePoint> standstill_end;  // none when the country's standstill is off
  std::string decided_by;
  std::string certificate;  // optimality certificate (award mode optimal_by_delivery_point)
};

// Rule 13 (Art. 50(3)): the publication of an award notice, for one round or for every round
// awarded in a calendar quarter (the grouped notice). Recorded by the officer once the Publications
// Office has published it.
struct NoticePublication {
  Id id = 0;
  Id dps_id = 0;
  Id round_id = 0;          // the round of a per-round notice; 0 for the quarterly notice
  std::string quarter;      // "2026-Q1" for the quarterly notice; empty for a per-round notice
  std::string reference;    // the notice's publication number, e.g. "00123456-2026" on TED
  TimePoint published_at{};
  TimePoint recorded_at{};
  std::string recorded_by;
};

struct AuditEntry {
  std::int64_t seq = 0;  // 1, 2, 3, ... without gaps
  TimePoint at{};
  std::string actor;
  std::string action;  // "dps.publish", "bid.submit", "bid.read_refused", ...
  std::string object;  // "round:12", "bid:40"
  std::string digest;  // SHA-256 hex of the change's description
  std::string prev_hash;
  std::string hash;    // SHA-256 hex of (prev_hash, seq, at, actor, action, object, digest)
};

// --- accounts (the web service) ---
enum class AccountRole { kAdministrator, kOfficer, kSupplier, kAuditor };

struct Account {
  Id id = 0;
  std::string username;       // unique, case-sensitive login name (an e-mail address for suppliers)
  std::string display_name;
  std::string email;
  std::string password_hash;  // libsodium crypto_pwhash_str (argon2id) string; never the password
  AccountRole role = AccountRole::kSupplier;
  Id authority_id = 0;        // officers: the authority they act for; else 0
  Id supplier_id = 0;         // suppliers: their economic operator; else 0
  bool active = true;
  std::string language = "sl";  // "sl" or "en"
  TimePoint created_at{};
};

struct Session {
  std::string token_hash;  // SHA-256 hex of the cookie value; the value itself is never stored
  Id account_id = 0;
  std::string csrf_token;
  TimePoint created_at{};
  TimePoint expires_at{};
};

struct ApiToken {
  Id id = 0;
  std::string token_hash;  // SHA-256 hex of the token
  Id account_id = 0;
  std::string label;
  TimePoint created_at{};
  bool revoked = false;
};

// A login attempt, kept for throttling per account and per address.
struct LoginAttempt {
  std::string username;
  std::string address;
  TimePoint at{};
  bool success = false;
};

enum class OutboxStatus { kPending, kSent, kFailed };

// A notification written in the same transaction as the change it reports, delivered later by SMTP.
struct OutboxMessage {
  Id id = 0;
  std::string recipient;  // e-mail address
  std::string subject;
  std::string body;
  std::string object;  // "round:12", "admission:3"
  OutboxStatus status = OutboxStatus::kPending;
  int attempts = 0;
  TimePoint created_at{};
  TimePoint next_attempt_at{};
  std::string last_error;
};

const char* toString(DpsStatus v);
const char* toString(CriterionKind v);
const char* toString(Formula v);
const char* toString(AdmissionStatus v);
const char* toString(RoundStatus v);
const char* toString(AwardMode v);
const char* toString(BidStatus v);
const char* toString(AccountRole v);
const char* toString(OutboxStatus v);
// Inverses; throw Error(kInvalidArgument) naming the accepted values.
DpsStatus parseDpsStatus(const std::string& s);
CriterionKind parseCriterionKind(const std::string& s);
Formula parseFormula(const std::string& s);
AdmissionStatus parseAdmissionStatus(const std::string& s);
RoundStatus parseRoundStatus(const std::string& s);
AwardMode parseAwardMode(const std::string& s);
BidStatus parseBidStatus(const std::string& s);
AccountRole parseAccountRole(const std::string& s);
OutboxStatus parseOutboxStatus(const std::string& s);

}  // namespace core
