#pragma once
// Imports through the service: the web face of `dps import` for every kind it has (delivery points,
// suppliers, products, road distances, a draft round's demand, ESPD responses).
//
//   GET  /officer/imports          the upload forms (multipart/form-data, one per kind)
//   POST /officer/imports/{kind}   preview the uploaded file, or apply it
//   POST /api/v1/imports/{kind}    the same for programs: the file is the request body, the answer JSON
//
// A preview writes nothing and shows what the file would change (new, updated, unchanged, rejected)
// and every problem (file, line, column, field, value, what to do), as the command does. Applying
// commits the whole file in one transaction, or nothing when it has any problem; the audit log
// records it. The service keeps no upload between requests (several instances may serve one
// database), so the page's Apply form asks for the file again together with the SHA-256 of the
// file previewed, and a file that differs from it is only previewed, never applied.
//
// Officers and administrators only; an officer imports for the authority they act for (demand into
// that authority's rounds, delivery points and road distances of that authority, ESPD responses
// into its categories). Suppliers and products are the shared catalogue. Bodies are bounded by
// http.max_body_bytes like every request.
//
// Thread-safety: handlers are reentrant; each request uses its own transactions.

#include "web/server/http_types.h"
#include "web/server/router.h"

namespace web::server {

// Adds the three routes above to the route table.
void addImportRoutes(Router& router);

// Reads a multipart/form-data body (Request::body, boundary from the Content-Type header) into
// Request::form (text fields, which must be valid UTF-8) and Request::files (parts with a file
// name). Throws core::Error(kInvalidArgument) saying what is wrong with a malformed body.
void parseMultipartForm(Request& request);

}  // namespace web::server
