#pragma once
// core::makeAwardOptimiser: the award optimiser the engine uses in award mode
// optimal_by_delivery_point (core/engine.h). It turns a lot, its bids and the per-point evaluation
// into a transport problem (core/optimiser/transport.h), solves it, checks the certificate with the
// independent checker before anything is returned, and gives the engine award lines per
// (supplier, point), the certificate text and the demand left open.
// Thread-safety: the optimiser holds no state; allocate() may be called from several threads.

#include <memory>
#include <vector>

#include "core/engine.h"
#include "core/optimiser/transport.h"

namespace core {

// The transport problem of one lot: demand per point from the lot, capacity and point caps from each
// bid line, one arc per (bid, point) where the per-point evaluation ranks the bid admissible, scored
// with its total there; the tie rule's price points are the bid's price points at the first point
// (by id) that scores it. Throws Error(kInvalidArgument) when the evaluation does not fit the lot.
TransportProblem transportProblemFor(const Lot& lot, const std::vector<BidOnLot>& bids,
                                     const std::vector<LotEvaluation>& per_point);

std::unique_ptr<AwardOptimiser> makeAwardOptimiser(const TransportOptions& options = {});

}  // namespace core
