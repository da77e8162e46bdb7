#pragma once
// dps_test::RoundScene: one hand-built round run through the engine, shared by the reports tests.
// A published DPS (standard criteria), two kitchens with 60 and 40 kg of demand on one lot, and
// three admitted farms bidding on it: A 2.00 EUR/kg at 24 h from harvest, B 2.40 organic at 12 h,
// C 1.10 at 48 h from next to the kitchens (abnormally low). Opened and evaluated on construction.
// Thread-safety: none; one scene per test case.

#include "core/engine.h"
#include "tests/support/engine_fixture.h"

namespace dps_test {

class RoundScene : public EngineFixture {
 public:
  RoundScene() {
    scene_dps = publishedDps({"VEG"});
    const core::Id category = scene_dps.categories[0];
    point_1 = deliveryPoint("OS-1", 46.2389, 14.3556);
    point_2 = deliveryPoint("VRT-2", 46.2500, 14.3700);
    farm_a = admittedSupplier("Kmetija A", category, 0.05, 0.0);
    farm_b = admittedSupplier("Kmetija B", category, 0.10, 0.02);
    farm_c = admittedSupplier("Kmetija C", category, 0.0, 0.0);
    startRounds();
    core::Lot l = lot(1, point_1, "60");
    l.description = "Carrots, washed";
    l.demands.push_back({point_2, core::Decimal::fromInt(40), "weekly, Tue"});
    round_id = createRound(scene_dps, category, {l});
    dispatch(round_id);
    lot_id = lots(round_id).front().id;
    bid_a = bid(farm_a, round_id, {bidLine(lot_id, "2.00", "100", farm_a, "van", 24, false)}).bid_id;
    bid_b = bid(farm_b, round_id, {bidLine(lot_id, "2.40", "100", farm_b, "van", 12, true)}).bid_id;
    bid_c = bid(farm_c, round_id, {bidLine(lot_id, "1.10", "100", farm_c, "van", 48, false)}).bid_id;
    openAndEvaluate(round_id);
  }

  // Accepts C's explanation (Art. 69) and awards the round.
  core::AwardDecision awardRound() {
    engine->requestExplanation(officer, round_id, lot_id, bid_c);
    engine->decideAbnormalLow(officer, round_id, lot_id, bid_c, false, "surplus of the season, price confirmed");
    return engine->awardRound(officer, round_id);
  }

  DpsHandle scene_dps;
  core::Id point_1 = 0;
  core::Id point_2 = 0;
  SupplierHandle farm_a;
  SupplierHandle farm_b;
  SupplierHandle farm_c;
  core::Id round_id = 0;
  core::Id lot_id = 0;
  core::Id bid_a = 0;
  core::Id bid_b = 0;
  core::Id bid_c = 0;
};

}  // namespace dps_test
