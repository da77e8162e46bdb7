#pragma once
// Documents and reports through the service: the download face of `dps export` and `dps report`.
//
//   GET /documents/rounds/{id}/{name}        a round's documents: invitation.xml, bids.xml (after
//                                            opening), evaluation.xml, award.xml, ocds.json,
//                                            evaluation.html, evaluation.csv, art84.html
//   GET /documents/rounds/{id}/letters/{supplier}   the award decision letter to one tenderer (Art. 55)
//   GET /documents/dps/{id}/{name}           dps.xml, dashboard.html, dashboard.csv, compliance.html,
//                                            compliance.csv
//   GET /documents/audit.xml                 the audit log with its hash chain
//   GET /documents/dps/{id}/notices/contract-notice.xml          eForms subtype 16
//   GET /documents/rounds/{id}/notices/award-notice.xml          eForms subtype 29, one round
//   GET /documents/dps/{id}/quarters/{quarter}/award-notice.xml  eForms subtype 29, a quarter (2026-Q1)
//   (the notices when the configuration names notices.settings and notices.eforms_sdk)
//
// Officers of the authority, administrators and auditors read them all; a supplier reads only its
// own award letter. XML documents are validated against the project's schema before they are sent
// (reports/documents.h); a document that does not exist yet (the bid register before opening, the
// evaluation before evaluating, ...) is a 409 that says so. The HTML reports are self-contained
// (inline CSS and SVG, no script): they are served with a policy that allows their inline style
// and nothing else. Thread-safety: handlers are reentrant.

#include <string>
#include <vector>

#include "web/config.h"
#include "web/server/router.h"

namespace web::server {

// Whether the configuration offers eForms notices on the pages.
bool noticesConfigured(const Config& config);

void addReportRoutes(Router& router);

// The names a round and a DPS offer, in the order the pages list them.
const std::vector<std::string>& roundDocumentNames();
const std::vector<std::string>& dpsDocumentNames();

}  // namespace web::server
