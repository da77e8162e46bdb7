#pragma once
// The project's own XML documents (namespace urn:dps-local-food:1.0, schema reports/schema/dps-1.0.xsd):
// the DPS as published, a round's invitation, the bid register, the evaluation report, the award
// decision and the audit log export with its hash chain. Each is read from core::Store in one
// transaction, written with Xerces-C and validated against the schema before it is returned: an
// invalid document is an error (core::Error kInternal listing every problem), never a file. The
// evaluation report, the large one, is written as a stream without a DOM and validated while it is
// written, on other threads (the same bytes and the same problems as the DOM route).
// Schema version 1.1 adds optional content only (the optimal award in the evaluation report); a
// document says which version it uses in schema-version.
// Thread-safety: the functions may be called from many threads at once (the schema is loaded once).

#include <string>
#include <vector>

#include "core/clock.h"
#include "core/model.h"
#include "core/store.h"

namespace reports {

inline constexpr const char* kNamespace = "urn:dps-local-food:1.0";
inline constexpr const char* kSchemaFile = "dps-1.0.xsd";

enum class DocumentKind { kDps, kRound, kBidRegister, kEvaluation, kAward, kAuditLog };

// "dps", "round", "bids", "evaluation", "award", "audit": the names of `dps export`.
const char* toString(DocumentKind kind);
// Throws core::Error(kInvalidArgument) naming the accepted names.
DocumentKind parseDocumentKind(const std::string& name);

// The schema folder compiled in (the source tree's reports/schema); overridden by the environment
// variable DPS_SCHEMA_DIR when set.
std::string defaultSchemaDir();

struct ExportOptions {
  std::string schema_dir;          // empty: defaultSchemaDir()
  core::TimePoint generated_at{};  // written as generated-at (the caller's clock)
  bool pretty = true;              // indented for reading; false for the most compact output
};

// Exports one document. `id` is the DPS id (kDps), the round id (kRound, kBidRegister, kEvaluation,
// kAward) or ignored (kAuditLog: the whole log). Throws core::Error: kNotFound for a missing object,
// kConflict when the document does not exist yet (bid register before opening, evaluation before
// evaluating, award before the award), kInternal when the result fails validation.
std::string exportDocument(core::Store& store, DocumentKind kind, core::Id id, const ExportOptions& options);

// Every problem ("LINE:COLUMN: <element> attribute NAME: message") of `xml` against the project's schema in `schema_dir`
// (empty: defaultSchemaDir()); empty when valid.
std::vector<std::string> validateDocument(const std::string& xml, const std::string& schema_dir = {});

}  // namespace reports
