#pragma once
// Registration of the service's routes into the one route table (router.h), by area. Each function
// adds its routes in a readable list: method, path, audience, handler, summary.

#include <string>

#include "web/server/router.h"

namespace web::server {

// /healthz, /metrics, /static/{file}.
void addSystemRoutes(Router& router);
// The JSON API under /api/v1 (api.cpp).
void addApiRoutes(Router& router);
// The HTML pages (pages.cpp).
void addPageRoutes(Router& router);

// An HTML error page in the request's language (pages.cpp).
// The error page; `message_html` is escaped already (errorHtml, or esc() of a plain message).
std::string renderErrorPage(Context& ctx, int status, const std::string& code, const std::string& message_html);

// The HTTP status for an error code (the one mapping, like ClickHouse's exceptionCodeToHTTPStatus).
int httpStatusFor(int core_error_code);

}  // namespace web::server
