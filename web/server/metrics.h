#pragma once
// Service metrics in the Prometheus text format: requests by route and status, a latency
// histogram, bids stored, store errors. Counters only grow while the process runs; several
// instances are summed by the scraper. Thread-safe (one mutex; updates are a few additions).

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>

namespace web::server {

class Metrics {
 public:
  // `route` is the route pattern ("/api/v1/rounds/{id}"), or "unmatched".
  void observe(const std::string& method, const std::string& route, int status, double seconds);
  void bidStored();
  void storeError();
  std::string render() const;

 private:
  static constexpr std::array<double, 11> kBuckets = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                      0.1,   0.25,   0.5,   1.0,  2.5};
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, std::string>, std::map<int, std::uint64_t>> requests_;  // (method, route) -> status -> n
  std::array<std::uint64_t, kBuckets.size()> bucket_counts_{};
  std::uint64_t count_ = 0;
  double sum_ = 0;
  std::uint64_t bids_stored_ = 0;
  std::uint64_t store_errors_ = 0;
};

}  // namespace web::server
