#pragma once
// Internal to reports/ (and its benchmark): the DOM of each own document built from one store
// transaction, and the step that serialises and validates it. exportDocument() is these two.
// Thread-safety: as xml::Document (one thread per document).

#include <memory>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/store.h"
#include "reports/documents.h"
#include "reports/xml.h"

namespace reports::detail {

// The full path of the project's schema in `schema_dir` (empty: defaultSchemaDir()).
std::string schemaPath(const std::string& schema_dir);

std::unique_ptr<xml::Document> buildDocument(core::Tx& tx, DocumentKind kind, core::Id id,
                                             core::TimePoint generated_at);

// Serialises the document and validates the bytes; throws core::Error(kInternal) listing every
// problem when the document is not valid.
std::string finish(const xml::Document& doc, DocumentKind kind, const ExportOptions& options);

// The evaluation report written as a stream (xml::Writer) and validated while it is written by two
// xml::StreamValidator threads, one per half of the lots: no DOM. Same bytes and the same problems
// (line, column, element) as finish(buildDocument(...)).
std::string exportEvaluation(core::Store& store, core::Id round_id, const ExportOptions& options);

// Throws core::Error(code) with a heading and the problems, at most 50 of them listed.
[[noreturn]] void throwProblems(core::ErrorCode code, const std::string& heading,
                                const std::vector<std::string>& problems, const std::string& advice);

// Number text used in every document: decimals, exact values, their display, instants, coordinates.
std::string decimalText(core::Decimal d);
std::string coordinateText(double v);
std::string boolText(bool b);

}  // namespace reports::detail
