#pragma once
// importer::planEspdAdmission / applyEspdAdmission: a supplier's ESPD response turned into an
// admission request to one category of a DPS, through core::Engine so that every legal rule and
// the audit entries apply (rule 2: open for the DPS's whole validity; rule 3: one pending request
// per category; rule 10: the self-declaration is all that is asked).
//
// The plan reads the store and says what apply would do, writing nothing: the supplier's identity
// as the ESPD gives it, whether a supplier with its tax number is stored (and how the stored record
// differs), the category and its DPS, every answer, and every problem that stops the request.
//
// The ESPD names no dispatch point, but a supplier is registered with at least one (bids and road
// distances start from it). So a supplier that is not stored yet is registered only when the
// officer gives its first dispatch point (EspdAdmissionOptions::dispatch, `--dispatch` on the
// command line); otherwise the plan asks for it, or for the supplier to be imported first with
// `dps import suppliers`. A stored supplier is never changed from an ESPD: differences are shown
// for the officer to correct through the suppliers import, and a dispatch point given for a stored
// supplier is refused rather than silently ignored.
//
// Apply registers a new supplier (audit "supplier.register") and then files the request (audit
// "admission.request"): two engine operations, two transactions. Every precondition of both is
// checked first, so a refusal normally writes nothing; only a change made by someone else between
// the check and the request (e.g. a request filed at the same moment) can leave a newly registered
// supplier without its request, and the result then says so.
//
// Thread-safety: reentrant; uses the engine as it allows.

#include <optional>
#include <string>
#include <vector>

#include "core/engine.h"
#include "core/model.h"
#include "import/espd_reader.h"

namespace importer {

struct EspdAdmissionOptions {
  // Names the ESPD response in the result ("espd-response.xml").
  std::string file_name = "ESPD response";
  core::Id category_id = 0;
  // The first dispatch point of a supplier that is not stored yet.
  std::optional<core::DispatchPoint> dispatch;
  // Who files the request (needs the system or administrator role, or the supplier itself).
  core::Actor actor{"import", core::Role::kSystem, 0, 0};
};

struct EspdAdmission {
  std::string file;
  EspdResponse espd;
  // The supplier as it would be registered (identity from the ESPD, dispatch point from the
  // options); name or tax_number empty when the ESPD lacks them (a problem says so).
  core::Supplier supplier;
  // The stored supplier with the ESPD's tax number, when there is one.
  std::optional<core::Supplier> stored;
  // How the stored record differs from the ESPD ("e-mail: stored 'a@x.si', ESPD 'b@x.si'").
  std::vector<std::string> differences;
  std::optional<core::Category> category;
  std::optional<core::Dps> dps;
  std::optional<core::DpsStatus> dps_status;  // as the law sees it now (expired past validity)
  // What stops the request: what was wrong and what to do. Empty: it can be (or was) filed.
  std::vector<std::string> problems;

  bool applied = false;              // the request was filed
  bool supplier_registered = false;  // apply registered the supplier (new)
  core::Id supplier_id = 0;          // the stored or newly registered supplier
  core::Id request_id = 0;           // the filed request

  bool ok() const { return problems.empty(); }
};

// "name;address;lat;lon" (lat and lon in decimal degrees, a decimal comma accepted) -> a dispatch
// point. Throws core::Error(kInvalidArgument) saying what is wrong.
core::DispatchPoint parseDispatchSpec(const std::string& text);

// Reads the store and reports what applyEspdAdmission would do; writes nothing. Throws
// core::Error only for what is not the document's fault (the store unavailable).
EspdAdmission planEspdAdmission(core::Engine& engine, const EspdResponse& espd, const EspdAdmissionOptions& options);

// Plans, and when nothing stops it registers a new supplier and files the admission request with
// the ESPD's self-declaration text (selfDeclarationText). Refusals become problems in the result;
// throws core::Error only for kUnavailable and kInternal failures.
EspdAdmission applyEspdAdmission(core::Engine& engine, const EspdResponse& espd, const EspdAdmissionOptions& options);

// The result as text for a terminal: the document, the supplier (found or to be registered), the
// category and DPS, every answer, then the problems or what was written.
std::string formatEspdAdmission(const EspdAdmission& admission);

}  // namespace importer
