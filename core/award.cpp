#include <algorithm>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/scoring.h"

namespace core {

std::vector<AwardLine> awardLot(const LotInput& lot, const LotEvaluation& evaluation,
                                const std::vector<BidOnLot>& bids, AwardMode mode, const std::vector<Id>& excluded) {
  if (mode == AwardMode::kOptimalByDeliveryPoint)
    throw Error(ErrorCode::kInvalidArgument,
                "award mode optimal_by_delivery_point allocates quantities per delivery point and is solved by the "
                "optimiser from evaluatePerPoint; awardLot handles best_bid and partial_fill only",
                "award_mode");

  Decimal demand;
  for (const PointInput& p : lot.points) {
    if (p.quantity.isNegative())
      throw Error(ErrorCode::kInvalidArgument,
                  "lot " + std::to_string(lot.lot_id) + ": demand " + p.quantity.toString() + " at delivery point " +
                      std::to_string(p.delivery_point_id) + " is negative; correct the demand",
                  "points");
    demand += p.quantity;
  }

  std::vector<const LotResult*> ranked;
  for (const LotResult& r : evaluation.results)
    if (r.admissible && r.rank > 0) ranked.push_back(&r);
  std::stable_sort(ranked.begin(), ranked.end(), [](const LotResult* x, const LotResult* y) { return x->rank < y->rank; });

  std::vector<AwardLine> lines;
  Decimal remaining = demand;
  for (const LotResult* result : ranked) {
    if (remaining.raw() <= 0) break;
    if (std::find(excluded.begin(), excluded.end(), result->bid_id) != excluded.end()) continue;
    const auto bid = std::find_if(bids.begin(), bids.end(), [&](const BidOnLot& b) { return b.bid_id == result->bid_id; });
    if (bid == bids.end())
      throw Error(ErrorCode::kInvalidArgument,
                  "lot " + std::to_string(lot.lot_id) + ": the evaluation ranks bid " + std::to_string(result->bid_id) +
                      ", which is not among the bids given; pass the bids that were evaluated",
                  "bids");
    const Decimal offered = bid->line.quantity;
    if (offered.raw() <= 0) continue;

    AwardLine line;
    line.round_id = lot.round_id;
    line.lot_id = lot.lot_id;
    line.bid_id = bid->bid_id;
    line.supplier_id = bid->supplier_id;
    line.unit_price = bid->line.unit_price;
    line.score = result->total;
    if (mode == AwardMode::kBestBid) {
      // Without partial quantities an admissible bid offers the whole demand and is awarded exactly that.
      line.quantity = lot.allow_partial ? std::min(offered, demand) : demand;
      lines.push_back(std::move(line));
      break;
    }
    line.quantity = std::min(offered, remaining);
    remaining -= line.quantity;
    lines.push_back(std::move(line));
  }
  return lines;
}

}  // namespace core
