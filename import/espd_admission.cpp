#include "import/espd_admission.h"

#include <charconv>
#include <sstream>

#include "core/error.h"
#include "import/values.h"

namespace importer {
namespace {

using core::ErrorCode;

std::string degreesText(double v) {
  char text[32];
  const auto [end, ec] = std::to_chars(text, text + sizeof text, v);
  return ec == std::errc() ? std::string(text, end) : std::string("?");
}

// One line of text: line breaks and tabs of a value become spaces.
std::string oneLine(std::string text) {
  for (char& c : text)
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  return text;
}

void compare(std::vector<std::string>& out, const char* field, const std::string& stored, const std::string& espd) {
  if (espd.empty() || stored == espd) return;
  out.push_back(std::string(field) + ": stored '" + stored + "', ESPD '" + espd + "'");
}

bool live(core::DpsStatus s) { return s == core::DpsStatus::kPublished || s == core::DpsStatus::kOperating; }

}  // namespace

core::DispatchPoint parseDispatchSpec(const std::string& text) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t semi = text.find(';', start);
    parts.emplace_back(trimmed(std::string_view(text).substr(start, semi == std::string::npos ? semi : semi - start)));
    if (semi == std::string::npos) break;
    start = semi + 1;
  }
  const std::string form =
      "write it as \"name;address;lat;lon\", e.g. \"Kmetija Novak;Zg. Bitnje 1, 4209 Zabnica;46.2389;14.3556\"";
  if (parts.size() != 4)
    throw core::Error(ErrorCode::kInvalidArgument,
                      "the dispatch point '" + text + "' has " + std::to_string(parts.size()) +
                          " parts separated by ';', not 4: " + form,
                      "dispatch");
  std::vector<std::string> wrong;
  if (parts[0].empty()) wrong.push_back("the name is empty");
  if (parts[1].empty()) wrong.push_back("the address is empty");
  const std::optional<double> lat = parseDegrees(parts[2]);
  const std::optional<double> lon = parseDegrees(parts[3]);
  if (!lat || *lat < -90 || *lat > 90)
    wrong.push_back("the latitude '" + parts[2] + "' is not decimal degrees from -90 to 90");
  if (!lon || *lon < -180 || *lon > 180)
    wrong.push_back("the longitude '" + parts[3] + "' is not decimal degrees from -180 to 180");
  if (!wrong.empty()) {
    std::string list;
    for (const std::string& w : wrong) list += (list.empty() ? "" : "; ") + w;
    throw core::Error(ErrorCode::kInvalidArgument, "the dispatch point '" + text + "' is wrong: " + list + "; " + form,
                      "dispatch");
  }
  core::DispatchPoint p;
  p.name = parts[0];
  p.address = parts[1];
  p.location = {*lat, *lon};
  return p;
}

EspdAdmission planEspdAdmission(core::Engine& engine, const EspdResponse& espd, const EspdAdmissionOptions& options) {
  EspdAdmission a;
  a.file = options.file_name;
  a.espd = espd;
  try {
    a.supplier = supplierFromEspd(espd);
  } catch (const core::Error& e) {
    if (e.code() != ErrorCode::kInvalidArgument) throw;
    a.problems.push_back(e.what());
    a.supplier.name = espd.economic_operator.name;
    a.supplier.tax_number = espd.economic_operator.identifier;
  }

  bool pending = false;
  bool admitted = false;
  engine.store().transact([&](core::Tx& tx) {
    a.stored.reset();
    a.category.reset();
    a.dps.reset();
    pending = admitted = false;
    if (!a.supplier.tax_number.empty()) a.stored = tx.findSupplierByTaxNumber(a.supplier.tax_number);
    if (options.category_id > 0) a.category = tx.getCategory(options.category_id);
    if (a.category) a.dps = tx.getDps(a.category->dps_id);
    if (a.stored && a.category) {
      for (const core::AdmissionRequest& r : tx.listSupplierAdmissions(a.stored->id)) {
        if (r.category_id != a.category->id) continue;
        pending = pending || r.status == core::AdmissionStatus::kPending;
        admitted = admitted || r.status == core::AdmissionStatus::kAdmitted;
      }
    }
  });

  if (!a.category) {
    a.problems.push_back("there is no category with id " + std::to_string(options.category_id) +
                         ": give the id of the category the supplier asks to join (--category ID)");
  } else if (!a.dps) {
    throw core::Error(ErrorCode::kInternal,
                      "category " + std::to_string(a.category->id) + " names a DPS that is not stored; report this");
  } else {
    a.dps_status = engine.dpsStatus(a.dps->id);
    if (*a.dps_status == core::DpsStatus::kDraft) {
      a.problems.push_back("DPS " + a.dps->reference +
                           " is still a draft: requests to participate open when the call for competition is "
                           "published (Art. 34(2)); publish it first");
    } else if (!live(*a.dps_status)) {
      a.problems.push_back("DPS " + a.dps->reference + " is " + core::toString(*a.dps_status) +
                           ": requests are received only during its period of validity (rule 2, Art. 34(2)); "
                           "nothing can be filed under it");
    }
  }

  if (a.stored) {
    a.supplier_id = a.stored->id;
    compare(a.differences, "name", a.stored->name, a.supplier.name);
    compare(a.differences, "address", a.stored->address, a.supplier.address);
    compare(a.differences, "country", a.stored->country,
            espd.economic_operator.country.empty() ? std::string() : a.supplier.country);
    compare(a.differences, "e-mail", a.stored->email, a.supplier.email);
    if (options.dispatch) {
      a.problems.push_back("supplier " + a.stored->tax_number + " is already stored (id " +
                           std::to_string(a.stored->id) +
                           "): --dispatch is only for registering a new supplier; leave it out, and change the "
                           "stored dispatch points with `dps import suppliers`");
    }
    if (a.category && pending) {
      a.problems.push_back("the supplier already has a request to join category " + a.category->code +
                           " waiting for a decision, due within 10 working days (rule 3, Art. 34(5)): decide that "
                           "one; a second is not filed");
    }
    if (a.category && admitted) {
      a.problems.push_back("the supplier is already admitted to category " + a.category->code +
                           " and stays admitted for the DPS's validity (Art. 34(2)): nothing to request");
    }
  } else if (!a.supplier.tax_number.empty()) {
    if (options.dispatch) {
      core::DispatchPoint p = *options.dispatch;
      p.id = 0;
      p.supplier_id = 0;
      a.supplier.dispatch_points = {p};
    } else {
      a.problems.push_back("no supplier with tax number " + a.supplier.tax_number +
                           " is stored, and an ESPD names no dispatch point, which a supplier needs for bids "
                           "and distances: give its first one with --dispatch \"name;address;lat;lon\", or "
                           "import the supplier first with `dps import suppliers`");
    }
  }
  return a;
}

EspdAdmission applyEspdAdmission(core::Engine& engine, const EspdResponse& espd, const EspdAdmissionOptions& options) {
  EspdAdmission a = planEspdAdmission(engine, espd, options);
  if (!a.ok()) return a;
  const auto refused = [](const core::Error& e) {
    return e.code() != ErrorCode::kUnavailable && e.code() != ErrorCode::kInternal;
  };
  if (!a.stored) {
    try {
      a.supplier_id = engine.registerSupplier(options.actor, a.supplier);
      a.supplier_registered = true;
    } catch (const core::Error& e) {
      if (!refused(e)) throw;
      a.problems.push_back(std::string("the supplier was not registered: ") + e.what());
      return a;
    }
  }
  try {
    a.request_id = engine.requestAdmission(options.actor, a.supplier_id, a.category->id, selfDeclarationText(espd));
    a.applied = true;
  } catch (const core::Error& e) {
    if (!refused(e)) throw;
    a.problems.push_back(std::string("the admission request was refused: ") + e.what() +
                         (a.supplier_registered ? " (the supplier was registered as id " +
                                                      std::to_string(a.supplier_id) +
                                                      "; run the command again without --dispatch once the cause "
                                                      "is fixed)"
                                                : std::string()));
  }
  return a;
}

std::string formatEspdAdmission(const EspdAdmission& a) {
  const EspdResponse& e = a.espd;
  const EspdParty& p = e.economic_operator;
  std::ostringstream out;
  out << a.file << " (espd): ESPD-EDM " << e.version << " response " << e.document_id;
  if (!e.uuid.empty()) out << " (UUID " << e.uuid << ")";
  if (!e.contract_folder_id.empty()) out << ", procedure " << e.contract_folder_id;
  if (!e.issue_date.empty()) out << ", issued " << e.issue_date;
  out << "\n";
  if (e.economic_operator_count > 1)
    out << "The document names " << e.economic_operator_count
        << " economic operators; the first one is the supplier below.\n";
  out << "Supplier:\n"
      << "  name: " << (p.name.empty() ? "-" : oneLine(p.name)) << "\n"
      << "  tax/company id: " << (p.identifier.empty() ? "-" : p.identifier)
      << (p.identifier_scheme.empty() ? "" : " (" + p.identifier_scheme + ")") << "\n"
      << "  address: " << (a.supplier.address.empty() ? "-" : oneLine(a.supplier.address))
      << (p.country.empty() ? "" : ", country " + a.supplier.country) << "\n"
      << "  e-mail: " << (p.email.empty() ? "-" : p.email) << "\n"
      << "  size: " << (p.size.empty() ? "not stated (taken as SME)" : p.size) << "\n";
  if (a.stored) {
    out << "  stored: supplier " << a.stored->id << " '" << a.stored->name << "', matched by tax number\n";
    for (const std::string& d : a.differences)
      out << "  differs from the stored record (not changed here; correct it with `dps import suppliers`): " << d
          << "\n";
  } else if (a.supplier_registered) {
    out << "  registered: supplier " << a.supplier_id << "\n";
  } else if (!a.supplier.dispatch_points.empty()) {
    const core::DispatchPoint& d = a.supplier.dispatch_points.front();
    out << "  not stored: would be registered with dispatch point '" << d.name << "', " << d.address << " ("
        << degreesText(d.location.lat) << ", " << degreesText(d.location.lon) << ")\n";
  } else {
    out << "  not stored\n";
  }
  if (a.category) {
    out << "Category: " << a.category->code << " '" << a.category->name << "' (id " << a.category->id << ")";
    if (!a.category->cpv.empty()) out << ", CPV " << a.category->cpv;
    out << "\n";
  }
  if (a.dps) {
    out << "DPS: " << a.dps->reference << " '" << a.dps->title << "' (id " << a.dps->id << ")";
    if (a.dps_status) out << ", " << core::toString(*a.dps_status);
    out << ", valid until " << core::formatTime(a.dps->valid_until) << "\n";
  }
  out << "Answers: " << e.answers.size() << " (to " << e.criteria.size() << " criteria)\n";
  for (const EspdAnswer& ans : e.answers) {
    out << "  " << (ans.criterion_type.empty() ? "-" : ans.criterion_type) << " | "
        << (ans.question.empty() ? ans.property_id : oneLine(ans.question)) << " | "
        << (ans.kind.empty() ? "-" : ans.kind) << " | " << (ans.value.empty() ? "-" : oneLine(ans.value)) << "\n";
  }
  if (!a.ok()) {
    out << (a.supplier_registered ? "The admission request was not filed: " : "Nothing was written: ")
        << a.problems.size() << (a.problems.size() == 1 ? " problem" : " problems") << " below.\n";
    for (const std::string& problem : a.problems) out << a.file << ": " << problem << "\n";
  } else if (a.applied) {
    out << "Applied: " << (a.supplier_registered ? "supplier " + std::to_string(a.supplier_id) + " registered; " : "")
        << "admission request " << a.request_id
        << " filed, pending; decide it within 10 working days (rule 3, Art. 34(5)).\n";
  } else {
    out << "Preview: nothing was written; add --apply to "
        << (a.stored ? "" : "register the supplier and ") << "file the admission request.\n";
  }
  return out.str();
}

}  // namespace importer
