#pragma once
// eForms notices (UBL 2.3, eForms SDK 1.15) for the DPS: the contract notice, subtype 16, that sets
// the DPS up (procedure restricted, dps-usage dps-list on each category lot, award criteria with
// weights, the request deadline, CPV, place of performance), and the contract award notice,
// subtype 29, for one round or grouping every round awarded in a calendar quarter (Art. 50(3)).
// Lots are the DPS's categories in both, so the procedure identifier (BT-04) and the lot
// identifiers stay those of the DPS; each round's awarded lines become settled contracts.
// Each notice is validated against the SDK's schemas before it is returned (core::Error kInternal
// listing every problem otherwise). Thread-safety: reentrant.

#include <string>

#include "core/clock.h"
#include "core/model.h"
#include "core/store.h"

namespace reports {

// What a notice needs about the buyer and the review body that the store does not hold. Every
// field without a default must be given (core::Error kInvalidArgument lists the missing ones).
struct NoticeParties {
  std::string buyer_city;         // "Kranj"
  std::string buyer_postal_code;  // "4000"
  std::string buyer_nuts;         // NUTS 3 of the buyer and of the place of performance ("SI042")
  std::string buyer_company_id;   // national registration number
  std::string buyer_phone;        // BT-503
  std::string buyer_email;
  std::string buyer_legal_type = "la";     // eForms buyer-legal-type: local authority
  std::string buyer_activity = "gen-pub";  // eForms authority-activity: general public services
  std::string review_body_name;            // "Državna revizijska komisija"
  std::string review_body_city;
  std::string review_body_company_id;
  std::string documents_url;   // where the procurement documents are (BT-15)
  std::string submission_url;  // where requests to participate are submitted (BT-18); empty: documents_url
  std::string language;       // notice language, ISO 639-3 upper case; empty: from the buyer's country
};

// The SDK's folder (holding schemas/maindoc); a notice is checked against its schemas.
struct NoticeOptions {
  std::string eforms_sdk_dir;
  core::TimePoint issued_at{};
  bool pretty = true;
};

std::string contractNotice(core::Store& store, core::Id dps_id, const NoticeParties& parties,
                           const NoticeOptions& options);
// One awarded round. Throws kConflict before the award.
std::string roundAwardNotice(core::Store& store, core::Id round_id, const NoticeParties& parties,
                             const NoticeOptions& options);
// Every round of the DPS whose award was decided in the calendar quarter (UTC) `quarter` (1..4) of
// `year`; throws kNotFound when there is none.
std::string quarterAwardNotice(core::Store& store, core::Id dps_id, int year, int quarter,
                               const NoticeParties& parties, const NoticeOptions& options);

// ISO 3166-1 alpha-3 for an alpha-2 code of the EU/EEA, Switzerland or the UK; throws kInvalidArgument.
std::string countryAlpha3(const std::string& alpha2);

}  // namespace reports
