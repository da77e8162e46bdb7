// /healthz, /metrics and the static assets of the pages (no CDN: everything is served from
// http.static_dir, by name only, so no path can leave that folder).
#include <fstream>
#include <sstream>

#include "core/error.h"
#include "web/server/metrics.h"
#include "web/server/routes.h"
#include "web/services.h"

namespace web::server {
namespace {

void healthz(Context& ctx) {
  try {
    ctx.services.store().read([](core::Tx& tx) { tx.getSetting("clock.simulated_now"); });
  } catch (const core::Error& e) {
    ctx.metrics.storeError();
    ctx.response.json(503, std::string("{\"status\":\"unavailable\",\"store\":\"") + ctx.services.store().backend() +
                               "\"}");
    return;
  }
  ctx.response.json(200, std::string("{\"status\":\"ok\",\"store\":\"") + ctx.services.store().backend() +
                             "\",\"schema_version\":" + std::to_string(ctx.services.schemaVersion()) + "}");
}

void metrics(Context& ctx) {
  ctx.response.status = 200;
  ctx.response.content_type = "text/plain; version=0.0.4; charset=utf-8";
  ctx.response.body = ctx.metrics.render();
}

void staticFile(Context& ctx) {
  const std::string name = ctx.request.params.at("file");
  bool ok = !name.empty() && name.size() <= 64 && name.front() != '.';
  for (const char c : name)
    ok = ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
                c == '.');
  if (!ok || name.find("..") != std::string::npos)
    throw core::Error(core::ErrorCode::kInvalidArgument,
                      "static file names are plain names (letters, digits, '-', '_', '.'); paths are refused", "file");
  std::string type = "application/octet-stream";
  const auto ends = [&](const std::string& ext) {
    return name.size() > ext.size() && name.compare(name.size() - ext.size(), ext.size(), ext) == 0;
  };
  if (ends(".css")) type = "text/css; charset=utf-8";
  else if (ends(".js")) type = "text/javascript; charset=utf-8";
  else if (ends(".svg")) type = "image/svg+xml";
  else if (ends(".png")) type = "image/png";
  else if (ends(".ico")) type = "image/x-icon";
  else if (ends(".txt")) type = "text/plain; charset=utf-8";
  std::ifstream in(ctx.services.config().http_static_dir + "/" + name, std::ios::binary);
  if (!in) throw core::Error(core::ErrorCode::kNotFound, "no static file '" + name + "'");
  std::ostringstream data;
  data << in.rdbuf();
  ctx.response.status = 200;
  ctx.response.content_type = type;
  ctx.response.body = data.str();
  ctx.response.headers.emplace_back("Cache-Control", "public, max-age=3600");
}

}  // namespace

void addSystemRoutes(Router& r) {
  r.add("GET", "/healthz", kPublic, healthz, "liveness and store reachability");
  r.add("GET", "/metrics", kPublic, metrics, "Prometheus metrics");
  r.add("GET", "/static/{file}", kPublic, staticFile, "style sheet and images of the pages");
}

}  // namespace web::server
