// The demo accounts: an administrator, the officer of the demo authority, an auditor and one
// account per supplier, all with the demo password (see server.h).
#include <algorithm>
#include <cctype>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "web/server/auth.h"
#include "web/server/server.h"

namespace web {
namespace {

// "Kmetija Šenk" -> "kmetija-senk": ASCII login names from supplier names.
std::string slug(const std::string& name) {
  static const std::pair<const char*, char> kFold[] = {{"č", 'c'}, {"Č", 'c'}, {"š", 's'}, {"Š", 's'}, {"ž", 'z'},
                                                       {"Ž", 'z'}, {"ć", 'c'}, {"Ć", 'c'}, {"đ", 'd'}, {"Đ", 'd'}};
  std::string out;
  for (std::size_t i = 0; i < name.size();) {
    bool folded = false;
    for (const auto& [from, to] : kFold) {
      const std::string f(from);
      if (name.compare(i, f.size(), f) == 0) {
        out += to;
        i += f.size();
        folded = true;
        break;
      }
    }
    if (folded) continue;
    const auto c = static_cast<unsigned char>(name[i++]);
    if (std::isalnum(c))
      out += static_cast<char>(std::tolower(c));
    else if (!out.empty() && out.back() != '-')
      out += '-';
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out.substr(0, 60);
}

}  // namespace

void createDemoAccounts(Services& services, std::ostream& out) {
  if (services.simulatedClock() == nullptr)
    throw core::Error(core::ErrorCode::kInvalidArgument,
                      "demo accounts share a published password and exist only with clock = simulated");
  const Config& c = services.config();
  const core::SystemClock wall;
  core::Id kranj = 0;
  std::vector<core::Supplier> suppliers;
  services.store().read([&](core::Tx& tx) {
    kranj = 0;
    for (const core::Authority& a : tx.listAuthorities())
      if (a.name == "Mestna občina Kranj") kranj = a.id;
    suppliers = tx.listSuppliers();
  });
  if (kranj == 0)
    throw core::Error(core::ErrorCode::kNotFound, "the demo authority 'Mestna občina Kranj' is missing; load the demo first");
  std::vector<core::Account> wanted;
  const auto make = [](std::string username, std::string display, core::AccountRole role, core::Id authority,
                       core::Id supplier, std::string email) {
    core::Account a;
    a.username = std::move(username);
    a.display_name = std::move(display);
    a.role = role;
    a.authority_id = authority;
    a.supplier_id = supplier;
    a.email = std::move(email);
    return a;
  };
  wanted.push_back(make("admin", "Administrator", core::AccountRole::kAdministrator, 0, 0, "admin@kranj.si"));
  wanted.push_back(make("mojca.novak", "Mojca Novak (Mestna občina Kranj)", core::AccountRole::kOfficer, kranj, 0,
                        "mojca.novak@kranj.si"));
  wanted.push_back(make("revizor", "Računsko sodišče / Court of Audit", core::AccountRole::kAuditor, 0, 0,
                        "revizor@rs-rs.si"));
  for (const core::Supplier& s : suppliers)
    wanted.push_back(make(slug(s.name).empty() ? "supplier-" + std::to_string(s.id) : slug(s.name), s.name,
                          core::AccountRole::kSupplier, 0, s.id, s.email));
  // Every new demo account stores the same hash of the published demo password: one argon2id hash
  // (a tenth of a second or more, on purpose), made only when an account is missing, instead of one
  // per supplier, so that a demo database into which thousands of suppliers were imported still
  // starts at once. All of them in one transaction, so that two services started together cannot
  // half-create them.
  std::optional<std::string> hash;
  int created = 0;
  std::string example = "-";
  services.store().transact([&](core::Tx& tx) {
    created = 0;  // a retried transaction runs this again
    example = "-";
    for (const core::Account& w : wanted) {
      core::Account a = w;
      bool exists = false;
      if (const auto existing = tx.findAccountByUsername(a.username)) {
        exists = existing->supplier_id == a.supplier_id && existing->role == a.role;
        if (!exists) {
          a.username += "-" + std::to_string(a.supplier_id);
          exists = tx.findAccountByUsername(a.username).has_value();
        }
      }
      if (a.role == core::AccountRole::kSupplier && example == "-") example = a.username;
      if (exists) continue;
      if (!hash) hash = server::hashPassword(kDemoPassword, server::parsePasswordCost(c.auth_password_cost));
      a.password_hash = *hash;
      a.created_at = wall.now();
      tx.insertAccount(a);
      ++created;
    }
  });
  out << "  demo accounts: " << created << " created (password " << kDemoPassword
      << "): admin, mojca.novak (officer, Mestna občina Kranj), revizor (auditor), and one per supplier, e.g. "
      << example << "\n";
}

}  // namespace web
