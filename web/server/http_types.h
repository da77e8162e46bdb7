#pragma once
// Plain request and response values that handlers see: the server converts POCO's request into a
// Request (body already read under the size limit) and writes the Response back with the security
// headers. Keeping handlers off POCO's stream types lets the router and handlers be tested alone.
// Thread-safety: plain values, one per request.

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace web::server {

// A file part of a multipart/form-data page form.
struct Upload {
  std::string file_name;     // as the browser names it (no path)
  std::string content_type;
  std::string data;
};

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string path;    // decoded path without the query, e.g. "/api/v1/rounds/3"
  std::map<std::string, std::string> query;    // decoded query parameters (last one wins)
  std::map<std::string, std::string> headers;  // names in lower case
  std::map<std::string, std::string> cookies;
  std::map<std::string, std::string> params;   // path parameters from the route pattern ("id" -> "3")
  std::map<std::string, std::string> form;     // fields of an application/x-www-form-urlencoded body
  std::map<std::string, Upload> files;         // file parts of a multipart/form-data body, by field name
  std::string body;
  std::string remote_address;  // client IP without the port
  std::string request_id;
  bool secure = false;  // arrived over TLS

  std::string header(const std::string& lower_name) const {
    const auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
  std::string queryParam(const std::string& name) const {
    const auto it = query.find(name);
    return it == query.end() ? std::string() : it->second;
  }
};

struct Response {
  int status = 200;
  std::string content_type = "application/json; charset=utf-8";
  std::string body;
  // Replaces the service's Content-Security-Policy (e.g. for a self-contained report); empty: the default.
  std::string content_security_policy;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers (Set-Cookie, Location, ...)

  void json(int status_code, std::string text) {
    status = status_code;
    content_type = "application/json; charset=utf-8";
    body = std::move(text);
  }
  void html(int status_code, std::string text) {
    status = status_code;
    content_type = "text/html; charset=utf-8";
    body = std::move(text);
  }
  // 303 See Other to `location` (Post/Redirect/Get).
  void redirect(const std::string& location) {
    status = 303;
    content_type = "text/plain; charset=utf-8";
    body = "See " + location + "\n";
    headers.emplace_back("Location", location);
  }
};

}  // namespace web::server
