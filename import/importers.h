#pragma once
// importer: master data from officers' spreadsheets (CSV) into the store, all or nothing.
//
// preview() reads the whole file and says what apply() would do, writing nothing. apply() reads the
// file inside one Store transaction: when any row has a problem nothing is written and the report
// lists every problem (file, line, column, field, value, what to do); otherwise every record is
// inserted or updated and one audit entry describes the import. Records are matched on their
// natural key, so importing the same file again changes nothing and reports the rows 'unchanged'.
// Suppliers and demand are looked up and written a batch of several hundred records at a time
// (Tx::findSuppliersByTaxNumbers, insertSuppliers, insertLots): a few statements per batch rather
// than several per record, which is what a networked database's round trips would otherwise cost;
// each batch is written on a second thread while the next one is read (importer::BatchLane).
//
// The first line is the header. Column names are matched ignoring case, surrounding spaces, and
// ' ' or '-' for '_'; columns may come in any order; unknown columns are ignored and listed in the
// report. Values are trimmed of surrounding spaces. Numbers accept a decimal comma ("12,5"; with the
// ',' delimiter the value must then be quoted). Rows whose cells are all empty are skipped. A value
// may have as many characters as the JSON API allows for the same field (names 200, addresses 300,
// codes and tax numbers 40, a delivery schedule 200, ...); a longer one is a problem. A problem
// shows at most the first 100 characters of the value.
//
// Kinds and their columns (all columns must be in the header; "optional" means the cell may be
// empty):
//
//   delivery-points  authority, code, name, address, lat, lon
//       One row per school or kindergarten kitchen. `authority` is the exact name of a stored
//       contracting authority; the key is (authority, code). lat/lon are WGS84 decimal degrees.
//
//   suppliers        tax_number, name, address, email, sme, dispatch_point, dispatch_address,
//                    dispatch_lat, dispatch_lon, certificate, certificate_number,
//                    certificate_valid_until
//       Layout: the rows of one supplier form one block of consecutive rows sharing its
//       tax_number (the key). Each row may carry one dispatch point (dispatch_point with its
//       address, lat and lon: all four or none) and/or one certificate (certificate and
//       certificate_number, certificate_valid_until YYYY-MM-DD optional: none or the first two).
//       The supplier's own fields (name, address, email, sme: micro/small/medium/large or yes/no) are
//       given on at least one row
//       of the block, usually the first; other rows leave them empty or repeat them unchanged.
//       A dispatch point (by name) or certificate (by name and number) repeated in the block must
//       repeat the same data. A supplier needs at least one dispatch point: bids and road
//       distances start from one. The file states the supplier's whole list: on update, its
//       certificates and dispatch points are replaced by the file's (a dispatch point keeps its
//       id when its name is unchanged). A certificate valid until D is valid to the end of day D
//       in the options' calendar (23:59:59 UTC without one).
//
//   products         code, cpv, name_sl, name_en (optional), unit, unit_mass_kg
//       Key: code. cpv is 8 digits, optionally with "-" and the check digit; food must be in CPV
//       divisions 03 or 15. With a CPV list configured the code must be in it (and a check digit
//       given must match); without one only the format is checked.
//
//   road-distances   tax_number, dispatch_point, authority, delivery_point_code, km
//       Road kilometres from a supplier's dispatch point (by its name) to a delivery point (by
//       authority name and code); both must be stored. A distance shorter than the straight line
//       between the two points is refused.
//
//   demand           lot, product, delivery_point_code, quantity, schedule
//       A round's demand, into the draft round named by ImportOptions::round_id (a round that is
//       not draft is refused: invitations fix what is bought). Layout: the rows of one lot form
//       one block of consecutive rows sharing its number (a positive integer); every row of the
//       block names the same product (a code of the stored catalogue, which gives the lot's CPV,
//       description, unit and unit mass) and one delivery point of the round's authority (by
//       code) with the quantity in the product's unit (> 0) and the delivery schedule ("weekly,
//       Mon"). A lot not yet in the round is created with its demand; a stored lot with the same
//       product and the same demand is unchanged; a stored lot that differs is reported: a lot's
//       demand is fixed once stored, so put the changed demand into a new draft round.
//
// Thread-safety: the functions are reentrant; each call uses its own transaction.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <istream>
#include <optional>
#include <string>
#include <vector>

#include "core/calendar.h"
#include "core/clock.h"
#include "core/error.h"
#include "core/store.h"

namespace importer {

enum class Kind { kDeliveryPoints, kSuppliers, kProducts, kRoadDistances, kDemand };

// "delivery-points", "suppliers", "products", "road-distances", "demand".
const char* toString(Kind kind);
// The inverse of toString; throws core::Error(kInvalidArgument) naming the accepted kinds.
Kind parseKind(const std::string& text);
// Every kind, in the order above (for help texts).
std::vector<Kind> allKinds();
// The kind's columns in their documented order.
std::vector<std::string> expectedColumns(Kind kind);

struct ImportOptions {
  // Names the input in problems and in the audit entry ("suppliers.csv").
  std::string file_name = "input";
  // The CPV 2008 JSON list (code -> label); empty: CPV codes are checked for format only.
  std::string cpv_list_path;
  // Sets the end of a certificate's last valid day; borrowed, may be null.
  const core::Calendar* calendar = nullptr;
  // Who applies the import, and the clock for the audit entry's time (system clock when null).
  std::string actor = "import";
  const core::Clock* clock = nullptr;
  // Called with the number of data rows read so far, every `progress_every` rows and at the end.
  std::function<void(std::uint64_t rows)> progress;
  std::uint64_t progress_every = 10000;
  // ',' or ';'; nullopt: detected from the header line.
  std::optional<char> delimiter;
  // The draft round a demand file goes into (Kind::kDemand only; required there).
  std::optional<core::Id> round_id;
  // When set, rows may name only this contracting authority (delivery-points, road-distances): an
  // officer imports for the authority they act for; a row naming another one is a problem.
  std::optional<core::Id> authority_id;
};

struct Problem {
  std::string file;
  int line = 0;    // 0: the file as a whole
  int column = 0;  // 0: the line as a whole
  std::string field;
  std::string value;
  std::string message;  // what is wrong and what to do, in English
  // The same in the interface's message catalogue ("import.problem.*", "import.csv.*",
  // "import.empty.<kind>.<column>"); the pages show it in the reader's language.
  core::Localized localized = {};
};

struct ImportReport {
  Kind kind = Kind::kDeliveryPoints;
  std::string file;
  bool applied = false;  // true only when apply() committed
  char delimiter = ',';
  std::uint64_t rows = 0;  // data rows read (header and empty rows excluded)
  // Records (a supplier or a lot spans its block of rows; other kinds one record per row).
  std::uint64_t added = 0;
  std::uint64_t updated = 0;
  std::uint64_t unchanged = 0;
  std::uint64_t rejected = 0;  // rows with at least one problem
  std::vector<std::string> ignored_columns;
  std::vector<Problem> problems;

  bool ok() const { return problems.empty(); }
};

// Reads the file and reports what apply() would do; writes nothing. Throws core::Error only for
// what is not the file's fault: an unreadable CPV list (kNotFound, kInvalidArgument), a demand
// import without a round (kInvalidArgument), with a round that does not exist (kNotFound) or is
// not draft (kConflict), or the store.
ImportReport preview(core::Store& store, Kind kind, std::istream& in, const ImportOptions& options);

// Reads the file and, when it has no problem, writes it in one transaction with one audit entry
// (action "import.<kind>", object the file name, or "round:<id>" for demand) when anything
// changed. With any problem nothing is written. Throws as preview().
ImportReport apply(core::Store& store, Kind kind, std::istream& in, const ImportOptions& options);

// The report as text for a terminal: a summary line, then one line per problem as
// "file:line:column: field 'value': message".
std::string formatReport(const ImportReport& report);

}  // namespace importer
