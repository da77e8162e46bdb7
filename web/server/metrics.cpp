// Prometheus text exposition of the service metrics (see metrics.h).
#include "web/server/metrics.h"

#include <cstdio>

namespace web::server {
namespace {

std::string escapeLabel(const std::string& v) {
  std::string out;
  for (const char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

std::string number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

}  // namespace

void Metrics::observe(const std::string& method, const std::string& route, int status, double seconds) {
  const std::lock_guard lock(mutex_);
  ++requests_[{method, route}][status];
  ++count_;
  sum_ += seconds;
  for (std::size_t i = 0; i < kBuckets.size(); ++i)
    if (seconds <= kBuckets[i]) ++bucket_counts_[i];
}

void Metrics::bidStored() {
  const std::lock_guard lock(mutex_);
  ++bids_stored_;
}

void Metrics::storeError() {
  const std::lock_guard lock(mutex_);
  ++store_errors_;
}

std::string Metrics::render() const {
  const std::lock_guard lock(mutex_);
  std::string out;
  out += "# HELP dps_http_requests_total HTTP requests by method, route and status.\n";
  out += "# TYPE dps_http_requests_total counter\n";
  for (const auto& [key, by_status] : requests_)
    for (const auto& [status, n] : by_status)
      out += "dps_http_requests_total{method=\"" + escapeLabel(key.first) + "\",route=\"" + escapeLabel(key.second) +
             "\",status=\"" + std::to_string(status) + "\"} " + std::to_string(n) + "\n";
  out += "# HELP dps_http_request_duration_seconds Time from request read to response written.\n";
  out += "# TYPE dps_http_request_duration_seconds histogram\n";
  for (std::size_t i = 0; i < kBuckets.size(); ++i)
    out += "dps_http_request_duration_seconds_bucket{le=\"" + number(kBuckets[i]) + "\"} " +
           std::to_string(bucket_counts_[i]) + "\n";
  out += "dps_http_request_duration_seconds_bucket{le=\"+Inf\"} " + std::to_string(count_) + "\n";
  out += "dps_http_request_duration_seconds_sum " + number(sum_) + "\n";
  out += "dps_http_request_duration_seconds_count " + std::to_string(count_) + "\n";
  out += "# HELP dps_bids_stored_total Bids accepted and durably stored by this process.\n";
  out += "# TYPE dps_bids_stored_total counter\n";
  out += "dps_bids_stored_total " + std::to_string(bids_stored_) + "\n";
  out += "# HELP dps_store_errors_total Requests that failed because the store was unavailable or failed.\n";
  out += "# TYPE dps_store_errors_total counter\n";
  out += "dps_store_errors_total " + std::to_string(store_errors_) + "\n";
  return out;
}

}  // namespace web::server
