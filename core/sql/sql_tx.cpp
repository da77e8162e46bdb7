#include "core/sql/sql_tx.h"

#include <algorithm>
#include <chrono>
#include <functional>
#include <limits>
#include <map>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <utility>

namespace core::sql {

namespace {

std::int64_t seconds(TimePoint t) { return t.time_since_epoch().count(); }
TimePoint fromSeconds(std::int64_t s) { return TimePoint(std::chrono::seconds(s)); }

// Sealed bid content: bound as binary, never as text.
struct Blob {
  const std::string& bytes;
};

void bindOne(Statement& st, int i, std::int64_t v) { st.bindInt(i, v); }
void bindOne(Statement& st, int i, int v) { st.bindInt(i, v); }
void bindOne(Statement& st, int i, bool v) { st.bindInt(i, v ? 1 : 0); }
void bindOne(Statement& st, int i, double v) { st.bindDouble(i, v); }
void bindOne(Statement& st, int i, const std::string& v) { st.bindText(i, v); }
void bindOne(Statement& st, int i, const Blob& v) { st.bindBlob(i, v.bytes); }
void bindOne(Statement& st, int i, Decimal v) { st.bindInt(i, v.raw()); }
void bindOne(Statement& st, int i, const Exact& v) { st.bindText(i, v.toString()); }
void bindOne(Statement& st, int i, TimePoint v) { st.bindInt(i, seconds(v)); }
void bindOne(Statement& st, int i, const std::optional<TimePoint>& v) {
  if (v) st.bindInt(i, seconds(*v));
  else st.bindNull(i);
}
void bindOne(Statement& st, int i, const std::optional<Id>& v) {
  if (v) st.bindInt(i, *v);
  else st.bindNull(i);
}
template <class E>
  requires std::is_enum_v<E>
void bindOne(Statement& st, int i, E v) {
  st.bindText(i, toString(v));
}

// Prepares sql (cached per connection) and binds the arguments to ?1, ?2, ... in order.
template <class... Args>
Statement& bound(Connection& c, const std::string& sql, const Args&... args) {
  Statement& st = c.prepare(sql);
  int i = 0;
  (bindOne(st, ++i, args), ...);
  return st;
}

// Runs an INSERT into a table with an auto-increment `id` and returns the new id: in the INSERT's
// own round trip where the database answers "RETURNING id" (MariaDB), else from lastInsertId().
template <typename... Args>
Id insertedId(Connection& c, const std::string& sql, const Args&... args) {
  if (c.insertReturnsId()) {
    Statement& st = bound(c, sql + " RETURNING id", args...);
    st.query();
    Id id = 0;
    while (st.next()) id = st.getInt(0);
    return id;
  }
  bound(c, sql, args...).execute();
  return c.lastInsertId();
}

// Reads the columns of the current row left to right, in the order of the SELECT list.
class Reader {
 public:
  explicit Reader(Statement& st) : st_(st) {}
  std::int64_t i64() { return st_.getInt(col_++); }
  int i32() {
    const std::int64_t v = st_.getInt(col_++);
    if (v < std::numeric_limits<int>::min() || v > std::numeric_limits<int>::max()) {
      throw Error(ErrorCode::kInternal, "stored integer " + std::to_string(v) + " does not fit in an int");
    }
    return static_cast<int>(v);
  }
  bool flag() { return st_.getInt(col_++) != 0; }
  double real() { return st_.getDouble(col_++); }
  std::string str() { return st_.getText(col_++); }
  std::string blob() { return st_.getBlob(col_++); }
  Decimal dec() { return Decimal::fromRaw(st_.getInt(col_++)); }
  Exact exact() { return Exact::parse(st_.getText(col_++)); }
  TimePoint time() { return fromSeconds(st_.getInt(col_++)); }
  std::optional<TimePoint> optTime() {
    const int c = col_++;
    if (st_.isNull(c)) return std::nullopt;
    return fromSeconds(st_.getInt(c));
  }
  std::optional<Id> optId() {
    const int c = col_++;
    if (st_.isNull(c)) return std::nullopt;
    return st_.getInt(c);
  }
  bool nullNext() { return st_.isNull(col_); }
  void skip(int columns) { col_ += columns; }

 private:
  Statement& st_;
  int col_ = 0;
};

// Runs the query and maps every row with read(Reader&).
template <class T, class F>
std::vector<T> rows(Statement& st, F read) {
  std::vector<T> out;
  st.query();
  while (st.next()) {
    Reader r(st);
    out.push_back(read(r));
  }
  return out;
}

template <class T, class F>
std::optional<T> firstRow(Statement& st, F read) {
  std::optional<T> out;
  st.query();
  while (st.next()) {
    if (!out) {
      Reader r(st);
      out = read(r);
    }
  }
  return out;
}

[[noreturn]] void notFound(const std::string& what, Id id) {
  throw Error(ErrorCode::kNotFound, what + " " + std::to_string(id) + " does not exist: check the id, or insert it first");
}

int position(std::size_t i) { return static_cast<int>(i); }

// Insert, or update the non-key columns when a row with the same key exists.
std::string upsert(Dialect d, const std::string& table, const std::vector<std::string>& keys,
                   const std::vector<std::string>& values) {
  std::string cols, marks, set;
  for (const auto& k : keys) {
    cols += (cols.empty() ? "" : ", ") + k;
    marks += marks.empty() ? "?" : ", ?";
  }
  for (const auto& v : values) {
    cols += ", " + v;
    marks += ", ?";
    set += (set.empty() ? "" : ", ") + v + (d == Dialect::kSqlite ? " = excluded." + v : " = VALUES(" + v + ")");
  }
  std::string sql = "INSERT INTO " + table + " (" + cols + ") VALUES (" + marks + ")";
  if (d == Dialect::kSqlite) {
    std::string key;
    for (const auto& k : keys) key += (key.empty() ? "" : ", ") + k;
    return sql + " ON CONFLICT (" + key + ") DO UPDATE SET " + set;
  }
  return sql + " ON DUPLICATE KEY UPDATE " + set;
}

// Batched statements (imports): several hundred rows per statement instead of one, since on MariaDB
// every statement is a network round trip. Row counts are powers of two up to kBatchRows, so that
// a connection prepares only a handful of texts per table however many rows come, each once
// (MariaDB caps the prepared statements of the whole server: max_prepared_stmt_count).
constexpr std::size_t kBatchRows = 512;

// "?, ?, ?" for n marks.
std::string marks(std::size_t n) {
  std::string out;
  out.reserve(n * 3);
  for (std::size_t i = 0; i < n; ++i) out += i == 0 ? "?" : ", ?";
  return out;
}

template <class... Args>
void bindRow(Statement& st, int& index, const Args&... args) {
  (bindOne(st, ++index, args), ...);
}

// Inserts `items` with `head` ("INSERT INTO t (a, b) VALUES ") in multi-row statements; bind(st,
// index, item) binds the item's `columns` values after `index`. With `returning` ("id, code"; only
// where the connection's insertReturnsId()), `read` sees each inserted row's returned columns.
template <class T, class Bind>
void insertBatched(Connection& c, const std::string& head, std::size_t columns, const std::vector<T>& items, Bind bind,
                   const std::string& returning = {}, const std::function<void(Reader&)>& read = {}) {
  const std::string row = "(" + marks(columns) + ")";
  std::size_t done = 0;
  while (done < items.size()) {
    // The largest power of two that fits: the remainder goes in ever smaller statements.
    std::size_t n = 1;
    while (n * 2 <= std::min(items.size() - done, kBatchRows)) n *= 2;
    std::string sql = head;
    sql.reserve(head.size() + n * (row.size() + 2));
    for (std::size_t k = 0; k < n; ++k) sql += (k == 0 ? "" : ", ") + row;
    if (!returning.empty()) sql += " RETURNING " + returning;
    Statement& st = c.prepare(sql);
    int index = 0;
    for (std::size_t k = 0; k < n; ++k) bind(st, index, items[done + k]);
    if (returning.empty()) {
      st.execute();
    } else {
      st.query();
      while (st.next()) {
        Reader r(st);
        read(r);
      }
    }
    done += n;
  }
}

// The ids once each, in ascending order.
std::vector<Id> distinct(std::vector<Id> ids) {
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

// Rows read without an ORDER BY (which MariaDB would sort in a temporary table), each with the
// position it is stored at: appended to `out` in position order, and `rows` emptied.
template <class T>
void appendInPositionOrder(std::vector<std::pair<int, T>>& rows, std::vector<T>& out) {
  const auto by_pos = [](const auto& a, const auto& b) { return a.first < b.first; };
  if (!std::is_sorted(rows.begin(), rows.end(), by_pos)) std::sort(rows.begin(), rows.end(), by_pos);
  out.reserve(out.size() + rows.size());
  for (auto& [pos, x] : rows) out.push_back(std::move(x));
  rows = {};
}

// Runs `head (?, ?, ...) tail` for the keys, a batch at a time (each padded to a power of two by
// repeating its last key, which IN ignores), with `prefix` bound before the keys; read(Reader&)
// sees every row.
template <class Key, class Read, class... Prefix>
void selectIn(Connection& c, const std::string& head, const std::string& tail, const std::vector<Key>& keys,
              Read read, const Prefix&... prefix) {
  std::size_t done = 0;
  while (done < keys.size()) {
    const std::size_t left = keys.size() - done;
    std::size_t n = 1;
    while (n < std::min(left, kBatchRows)) n *= 2;
    const std::size_t take = std::min(left, n);
    Statement& st = c.prepare(head + "(" + marks(n) + ")" + tail);
    int index = 0;
    (bindOne(st, ++index, prefix), ...);
    for (std::size_t k = 0; k < n; ++k) bindOne(st, ++index, keys[done + std::min(k, take - 1)]);
    st.query();
    while (st.next()) {
      Reader r(st);
      read(r);
    }
    done += take;
  }
}

// The rows `head (?, ...)` finds for the ids (each once, a batch at a time), mapped with read().
template <class T>
std::vector<T> rowsByIds(Connection& c, const std::string& head, const std::vector<Id>& ids, T (*read)(Reader&)) {
  std::vector<T> out;
  selectIn(c, head, "", distinct(ids), [&](Reader& r) { out.push_back(read(r)); });
  return out;
}

const std::string kAuthorityCols = "id, name, country, time_zone";
Authority readAuthority(Reader& r) {
  Authority a;
  a.id = r.i64();
  a.name = r.str();
  a.country = r.str();
  a.time_zone = r.str();
  return a;
}

const std::string kDpsCols =
    "id, authority_id, reference, title, cpv, status, published_at, request_deadline, valid_until, "
    "criteria_version, first_invitation_at, initial_assessment_extended_until";
Dps readDps(Reader& r) {
  Dps d;
  d.id = r.i64();
  d.authority_id = r.i64();
  d.reference = r.str();
  d.title = r.str();
  d.cpv = r.str();
  d.status = parseDpsStatus(r.str());
  d.published_at = r.optTime();
  d.request_deadline = r.time();
  d.valid_until = r.time();
  d.criteria_version = r.i32();
  d.first_invitation_at = r.optTime();
  d.initial_assessment_extended_until = r.optTime();
  return d;
}

const std::string kCategoryCols = "id, dps_id, code, name, cpv, area";
Category readCategory(Reader& r) {
  Category c;
  c.id = r.i64();
  c.dps_id = r.i64();
  c.code = r.str();
  c.name = r.str();
  c.cpv = r.str();
  c.area = r.str();
  return c;
}

const std::string kSupplierCols = "id, name, tax_number, address, country, email, is_sme, size_class";
Supplier readSupplier(Reader& r) {
  Supplier s;
  s.id = r.i64();
  s.name = r.str();
  s.tax_number = r.str();
  s.address = r.str();
  s.country = r.str();
  s.email = r.str();
  s.is_sme = r.flag();
  s.size_class = r.str();
  return s;
}

const std::string kDispatchPointCols = "id, supplier_id, name, address, lat, lon";
DispatchPoint readDispatchPoint(Reader& r) {
  DispatchPoint p;
  p.id = r.i64();
  p.supplier_id = r.i64();
  p.name = r.str();
  p.address = r.str();
  p.location.lat = r.real();
  p.location.lon = r.real();
  return p;
}

const std::string kDeliveryPointCols = "id, authority_id, code, name, address, lat, lon";
DeliveryPoint readDeliveryPoint(Reader& r) {
  DeliveryPoint p;
  p.id = r.i64();
  p.authority_id = r.i64();
  p.code = r.str();
  p.name = r.str();
  p.address = r.str();
  p.location.lat = r.real();
  p.location.lon = r.real();
  return p;
}

const std::string kProductCols = "id, code, cpv, name_sl, name_en, unit, unit_mass_kg";
Product readProduct(Reader& r) {
  Product p;
  p.id = r.i64();
  p.code = r.str();
  p.cpv = r.str();
  p.name_sl = r.str();
  p.name_en = r.str();
  p.unit = r.str();
  p.unit_mass_kg = r.dec();
  return p;
}

const std::string kAdmissionCols =
    "r.id, r.supplier_id, r.category_id, r.received_at, r.self_declaration, r.status, r.decided_at, "
    "r.decided_by, r.reason, r.extension_justification";
AdmissionRequest readAdmission(Reader& r) {
  AdmissionRequest a;
  a.id = r.i64();
  a.supplier_id = r.i64();
  a.category_id = r.i64();
  a.received_at = r.time();
  a.self_declaration = r.str();
  a.status = parseAdmissionStatus(r.str());
  a.decided_at = r.optTime();
  a.decided_by = r.str();
  a.reason = r.str();
  a.extension_justification = r.str();
  return a;
}

const std::string kRenewalCols = "id, supplier_id, requested_at, due_at, fulfilled_at, self_declaration";
RenewalRequest readRenewal(Reader& r) {
  RenewalRequest x;
  x.id = r.i64();
  x.supplier_id = r.i64();
  x.requested_at = r.time();
  x.due_at = r.time();
  x.fulfilled_at = r.optTime();
  x.self_declaration = r.str();
  return x;
}

const std::string kRoundCols =
    "id, dps_id, category_id, reference, title, status, award_mode, allow_partial, dispatched_at, deadline, "
    "opened_at, criteria_version";
Round readRound(Reader& r) {
  Round x;
  x.id = r.i64();
  x.dps_id = r.i64();
  x.category_id = r.i64();
  x.reference = r.str();
  x.title = r.str();
  x.status = parseRoundStatus(r.str());
  x.award_mode = parseAwardMode(r.str());
  x.allow_partial = r.flag();
  x.dispatched_at = r.optTime();
  x.deadline = r.time();
  x.opened_at = r.optTime();
  x.criteria_version = r.i32();
  return x;
}

const std::string kLotCols = "id, round_id, number, cpv, description, unit, unit_mass_kg, quality_spec, min_delivery";
Lot readLot(Reader& r) {
  Lot l;
  l.id = r.i64();
  l.round_id = r.i64();
  l.number = r.i32();
  l.cpv = r.str();
  l.description = r.str();
  l.unit = r.str();
  l.unit_mass_kg = r.dec();
  l.quality_spec = r.str();
  l.min_delivery = r.dec();
  return l;
}

const std::string kBidCols = "id, round_id, supplier_id, version, status, submitted_at, digest, sealed, status_reason";
Bid readBid(Reader& r) {
  Bid b;
  b.id = r.i64();
  b.round_id = r.i64();
  b.supplier_id = r.i64();
  b.version = r.i32();
  b.status = parseBidStatus(r.str());
  b.submitted_at = r.time();
  b.digest = r.str();
  b.sealed = r.blob();
  b.status_reason = r.str();
  return b;
}

const std::string kAuditCols = "seq, at, actor, action, object, digest, prev_hash, hash";
AuditEntry readAudit(Reader& r) {
  AuditEntry e;
  e.seq = r.i64();
  e.at = r.time();
  e.actor = r.str();
  e.action = r.str();
  e.object = r.str();
  e.digest = r.str();
  e.prev_hash = r.str();
  e.hash = r.str();
  return e;
}

// LIMIT takes a signed 64-bit value on both databases.
std::int64_t limitValue(std::size_t limit) {
  return static_cast<std::int64_t>(
      std::min<std::size_t>(limit, static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max())));
}

// "t.a, t.b" for columns "a, b" and alias "t": for queries that join tables.
std::string qualified(const std::string& cols, const std::string& alias) {
  std::string out = alias + ".";
  for (const char c : cols) {
    out += c;
    if (c == ' ') out += alias + ".";
  }
  return out;
}

const std::string kAccountCols =
    "id, username, display_name, email, password_hash, role, authority_id, supplier_id, active, language, created_at";
Account readAccount(Reader& r) {
  Account a;
  a.id = r.i64();
  a.username = r.str();
  a.display_name = r.str();
  a.email = r.str();
  a.password_hash = r.str();
  a.role = parseAccountRole(r.str());
  a.authority_id = r.i64();
  a.supplier_id = r.i64();
  a.active = r.flag();
  a.language = r.str();
  a.created_at = r.time();
  return a;
}

const std::string kSessionCols = "token_hash, account_id, csrf_token, created_at, expires_at";
Session readSession(Reader& r) {
  Session s;
  s.token_hash = r.str();
  s.account_id = r.i64();
  s.csrf_token = r.str();
  s.created_at = r.time();
  s.expires_at = r.time();
  return s;
}

const std::string kApiTokenCols = "id, token_hash, account_id, label, created_at, revoked";
ApiToken readApiToken(Reader& r) {
  ApiToken t;
  t.id = r.i64();
  t.token_hash = r.str();
  t.account_id = r.i64();
  t.label = r.str();
  t.created_at = r.time();
  t.revoked = r.flag();
  return t;
}

const std::string kOutboxCols =
    "id, recipient, subject, body, object, status, attempts, created_at, next_attempt_at, last_error";
OutboxMessage readOutbox(Reader& r) {
  OutboxMessage m;
  m.id = r.i64();
  m.recipient = r.str();
  m.subject = r.str();
  m.body = r.str();
  m.object = r.str();
  m.status = parseOutboxStatus(r.str());
  m.attempts = r.i32();
  m.created_at = r.time();
  m.next_attempt_at = r.time();
  m.last_error = r.str();
  return m;
}

}  // namespace

// --- authorities ---------------------------------------------------------------------------------

Id SqlTx::insertAuthority(const Authority& a) {
  return insertedId(c_, "INSERT INTO authority (name, country, time_zone) VALUES (?, ?, ?)", a.name, a.country,
                    a.time_zone);
}

std::optional<Authority> SqlTx::getAuthority(Id id) {
  return firstRow<Authority>(bound(c_, "SELECT " + kAuthorityCols + " FROM authority WHERE id = ?", id),
                             readAuthority);
}

std::vector<Authority> SqlTx::listAuthorities() {
  return rows<Authority>(c_.prepare("SELECT " + kAuthorityCols + " FROM authority ORDER BY id"), readAuthority);
}

// --- DPS -------------------------------------------------------------------------------------------

void SqlTx::insertVehicleFactors(const Dps& d) {
  for (std::size_t i = 0; i < d.vehicle_factors.size(); ++i) {
    const VehicleFactor& f = d.vehicle_factors[i];
    bound(c_, "INSERT INTO vehicle_factor (dps_id, pos, vehicle, kg_co2e_per_tkm) VALUES (?, ?, ?, ?)", d.id,
          position(i), f.vehicle, f.kg_co2e_per_tkm)
        .execute();
  }
}

std::vector<VehicleFactor> SqlTx::listVehicleFactors(Id dps_id) {
  return rows<VehicleFactor>(
      bound(c_, "SELECT vehicle, kg_co2e_per_tkm FROM vehicle_factor WHERE dps_id = ? ORDER BY pos", dps_id),
      [](Reader& r) {
        VehicleFactor f;
        f.vehicle = r.str();
        f.kg_co2e_per_tkm = r.dec();
        return f;
      });
}

Id SqlTx::insertDps(const Dps& d) {
  Dps stored = d;
  stored.id = insertedId(
      c_,
      "INSERT INTO dps (authority_id, reference, title, cpv, status, published_at, request_deadline, valid_until, "
      "criteria_version, first_invitation_at, initial_assessment_extended_until) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      d.authority_id, d.reference, d.title, d.cpv, d.status, d.published_at, d.request_deadline, d.valid_until,
      d.criteria_version, d.first_invitation_at, d.initial_assessment_extended_until);
  insertVehicleFactors(stored);
  return stored.id;
}

void SqlTx::updateDps(const Dps& d) {
  const std::int64_t n =
      bound(c_,
            "UPDATE dps SET authority_id = ?, reference = ?, title = ?, cpv = ?, status = ?, published_at = ?, "
            "request_deadline = ?, valid_until = ?, criteria_version = ?, first_invitation_at = ?, "
            "initial_assessment_extended_until = ? WHERE id = ?",
            d.authority_id, d.reference, d.title, d.cpv, d.status, d.published_at, d.request_deadline,
            d.valid_until, d.criteria_version, d.first_invitation_at, d.initial_assessment_extended_until, d.id)
          .execute();
  if (n == 0) notFound("DPS", d.id);
  bound(c_, "DELETE FROM vehicle_factor WHERE dps_id = ?", d.id).execute();
  insertVehicleFactors(d);
}

std::optional<Dps> SqlTx::getDps(Id id) {
  auto d = firstRow<Dps>(bound(c_, "SELECT " + kDpsCols + " FROM dps WHERE id = ?", id), readDps);
  if (d) d->vehicle_factors = listVehicleFactors(d->id);
  return d;
}

std::vector<Dps> SqlTx::listDps() {
  auto all = rows<Dps>(c_.prepare("SELECT " + kDpsCols + " FROM dps ORDER BY id"), readDps);
  for (Dps& d : all) d.vehicle_factors = listVehicleFactors(d.id);
  return all;
}

// --- categories and criteria -----------------------------------------------------------------------

Id SqlTx::insertCategory(const Category& c) {
  return insertedId(c_, "INSERT INTO category (dps_id, code, name, cpv, area) VALUES (?, ?, ?, ?, ?)", c.dps_id, c.code,
                    c.name, c.cpv, c.area);
}

std::optional<Category> SqlTx::getCategory(Id id) {
  return firstRow<Category>(bound(c_, "SELECT " + kCategoryCols + " FROM category WHERE id = ?", id),
                            readCategory);
}

std::vector<Category> SqlTx::listCategories(Id dps_id) {
  return rows<Category>(bound(c_, "SELECT " + kCategoryCols + " FROM category WHERE dps_id = ? ORDER BY id", dps_id),
                        readCategory);
}

void SqlTx::insertCriteria(Id dps_id, int version, const std::vector<Criterion>& criteria) {
  auto& existing = bound(c_, "SELECT COUNT(*) FROM criterion WHERE dps_id = ? AND version = ?", dps_id, version);
  existing.query();
  std::int64_t count = 0;
  while (existing.next()) count = existing.getInt(0);
  if (count > 0) {
    throw Error(ErrorCode::kConflict,
                "criteria version " + std::to_string(version) + " of DPS " + std::to_string(dps_id) +
                    " is already written and may not change (Art. 34(6), Art. 67(5) of Directive 2014/24/EU): "
                    "write a new version instead");
  }
  for (std::size_t i = 0; i < criteria.size(); ++i) {
    const Criterion& k = criteria[i];
    bound(c_,
          "INSERT INTO criterion (dps_id, version, pos, kind, formula, weight, min_weight, max_weight, band_a, "
          "band_b, fact, description) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
          dps_id, version, position(i), k.kind, k.formula, k.weight, k.min_weight, k.max_weight, k.a, k.b, k.fact,
          k.description)
        .execute();
    for (std::size_t j = 0; j < k.bands.size(); ++j) {
      bound(c_,
            "INSERT INTO criterion_band (dps_id, version, pos, band_pos, threshold, points) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            dps_id, version, position(i), position(j), k.bands[j].threshold, k.bands[j].points)
          .execute();
    }
  }
}

std::vector<Criterion> SqlTx::listCriteria(Id dps_id, int version) {
  auto criteria = rows<Criterion>(
      bound(c_,
            "SELECT kind, formula, weight, min_weight, max_weight, band_a, band_b, fact, description "
            "FROM criterion WHERE dps_id = ? AND version = ? ORDER BY pos",
            dps_id, version),
      [](Reader& r) {
        Criterion k;
        k.kind = parseCriterionKind(r.str());
        k.formula = parseFormula(r.str());
        k.weight = r.i32();
        k.min_weight = r.i32();
        k.max_weight = r.i32();
        k.a = r.dec();
        k.b = r.dec();
        k.fact = r.str();
        k.description = r.str();
        return k;
      });
  if (criteria.empty()) return criteria;
  // Every criterion's bands in one statement, in key order (the primary key's: no sort).
  Statement& st = bound(c_,
                        "SELECT pos, threshold, points FROM criterion_band WHERE dps_id = ? AND version = ? "
                        "ORDER BY pos, band_pos",
                        dps_id, version);
  st.query();
  while (st.next()) {
    Reader r(st);
    const int pos = r.i32();
    Band b;
    b.threshold = r.dec();
    b.points = r.exact();
    // Criteria are stored at positions 0, 1, ... in their order (insertCriteria).
    if (pos < 0 || static_cast<std::size_t>(pos) >= criteria.size())
      throw Error(ErrorCode::kInternal, "a band of criterion " + std::to_string(pos) + " of DPS " +
                                            std::to_string(dps_id) + " version " + std::to_string(version) +
                                            " has no criterion in " + c_.describe() + ": report this defect");
    criteria[static_cast<std::size_t>(pos)].bands.push_back(b);
  }
  return criteria;
}

// --- suppliers ------------------------------------------------------------------------------------

void SqlTx::insertCertificates(Id supplier_id, const std::vector<Certificate>& certificates) {
  for (std::size_t i = 0; i < certificates.size(); ++i) {
    const Certificate& c = certificates[i];
    bound(c_, "INSERT INTO certificate (supplier_id, pos, name, number, valid_until) VALUES (?, ?, ?, ?, ?)",
          supplier_id, position(i), c.name, c.number, c.valid_until)
        .execute();
  }
}

void SqlTx::archiveCertificates(Id supplier_id, TimePoint until) {
  // Two updates within one second: the set archived first is the one that was in effect before.
  const auto already = firstRow<std::int64_t>(
      bound(c_, "SELECT COUNT(*) FROM certificate_archive WHERE supplier_id = ? AND in_effect_until = ?", supplier_id,
            until),
      [](Reader& r) { return r.i64(); });
  if (already.value_or(0) > 0) return;
  bound(c_,
        "INSERT INTO certificate_archive (supplier_id, pos, name, number, valid_until, in_effect_until) "
        "SELECT supplier_id, pos, name, number, valid_until, ? FROM certificate WHERE supplier_id = ?",
        until, supplier_id)
      .execute();
}

std::vector<ArchivedCertificate> SqlTx::listArchivedCertificates(Id supplier_id) {
  return rows<ArchivedCertificate>(
      bound(c_,
            "SELECT name, number, valid_until, in_effect_until FROM certificate_archive WHERE supplier_id = ? "
            "ORDER BY in_effect_until, pos",
            supplier_id),
      [](Reader& r) {
        ArchivedCertificate a;
        a.certificate.name = r.str();
        a.certificate.number = r.str();
        a.certificate.valid_until = r.optTime();
        a.in_effect_until = r.time();
        return a;
      });
}

std::vector<Certificate> SqlTx::listCertificates(Id supplier_id) {
  return rows<Certificate>(
      bound(c_, "SELECT name, number, valid_until FROM certificate WHERE supplier_id = ? ORDER BY pos", supplier_id),
      [](Reader& r) {
        Certificate c;
        c.name = r.str();
        c.number = r.str();
        c.valid_until = r.optTime();
        return c;
      });
}

std::vector<DispatchPoint> SqlTx::listDispatchPoints(Id supplier_id) {
  return rows<DispatchPoint>(bound(c_,
                                   "SELECT " + kDispatchPointCols +
                                       " FROM dispatch_point WHERE supplier_id = ? AND pos IS NOT NULL ORDER BY pos",
                                   supplier_id),
                             readDispatchPoint);
}

void SqlTx::loadSupplierChildren(Supplier& s) {
  s.certificates = listCertificates(s.id);
  s.dispatch_points = listDispatchPoints(s.id);
}

Id SqlTx::insertSupplier(const Supplier& s) {
  const Id id = insertedId(c_,
                           "INSERT INTO supplier (name, tax_number, address, country, email, is_sme, size_class) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?)",
                           s.name, s.tax_number, s.address, s.country, s.email, s.is_sme, s.size_class);
  insertCertificates(id, s.certificates);
  for (std::size_t i = 0; i < s.dispatch_points.size(); ++i) {
    const DispatchPoint& p = s.dispatch_points[i];
    bound(c_, "INSERT INTO dispatch_point (supplier_id, pos, name, address, lat, lon) VALUES (?, ?, ?, ?, ?, ?)", id,
          position(i), p.name, p.address, p.location.lat, p.location.lon)
        .execute();
  }
  return id;
}

void SqlTx::updateSupplier(const Supplier& s) {
  const std::int64_t n =
      bound(c_,
            "UPDATE supplier SET name = ?, tax_number = ?, address = ?, country = ?, email = ?, is_sme = ?, "
            "size_class = ? WHERE id = ?",
            s.name, s.tax_number, s.address, s.country, s.email, s.is_sme, s.size_class, s.id)
          .execute();
  if (n == 0) notFound("supplier", s.id);
  bound(c_, "DELETE FROM certificate WHERE supplier_id = ?", s.id).execute();
  insertCertificates(s.id, s.certificates);
  // Unlisted points stay (bids refer to them) but drop out of the supplier's list.
  bound(c_, "UPDATE dispatch_point SET pos = NULL WHERE supplier_id = ?", s.id).execute();
  for (std::size_t i = 0; i < s.dispatch_points.size(); ++i) {
    const DispatchPoint& p = s.dispatch_points[i];
    if (p.id != 0) {
      const std::int64_t kept =
          bound(c_,
                "UPDATE dispatch_point SET pos = ?, name = ?, address = ?, lat = ?, lon = ? "
                "WHERE id = ? AND supplier_id = ?",
                position(i), p.name, p.address, p.location.lat, p.location.lon, p.id, s.id)
              .execute();
      if (kept > 0) continue;
      if (auto other = getDispatchPoint(p.id)) {
        throw Error(ErrorCode::kInvalidArgument,
                    "dispatch point " + std::to_string(p.id) + " belongs to supplier " +
                        std::to_string(other->supplier_id) + ", not to supplier " + std::to_string(s.id) +
                        ": leave its id 0 to add a new point",
                    "dispatch_points[" + std::to_string(i) + "].id");
      }
    }
    bound(c_, "INSERT INTO dispatch_point (supplier_id, pos, name, address, lat, lon) VALUES (?, ?, ?, ?, ?, ?)",
          s.id, position(i), p.name, p.address, p.location.lat, p.location.lon)
        .execute();
  }
}

std::optional<Supplier> SqlTx::getSupplier(Id id) {
  auto s = firstRow<Supplier>(bound(c_, "SELECT " + kSupplierCols + " FROM supplier WHERE id = ?", id),
                              readSupplier);
  if (s) loadSupplierChildren(*s);
  return s;
}

std::optional<Supplier> SqlTx::findSupplierByTaxNumber(const std::string& tax_number) {
  auto s = firstRow<Supplier>(
      bound(c_, "SELECT " + kSupplierCols + " FROM supplier WHERE tax_number = ?", tax_number), readSupplier);
  if (s) loadSupplierChildren(*s);
  return s;
}

std::vector<Supplier> SqlTx::listSuppliers() {
  auto all = rows<Supplier>(c_.prepare("SELECT " + kSupplierCols + " FROM supplier ORDER BY id"), readSupplier);
  if (all.empty()) return all;
  // Every supplier's certificates and current dispatch points in one statement each (not two per
  // supplier), put in position order here.
  std::unordered_map<Id, std::size_t> at;
  for (std::size_t i = 0; i < all.size(); ++i) at.emplace(all[i].id, i);
  std::vector<std::vector<std::pair<int, Certificate>>> certificates(all.size());
  std::vector<std::vector<std::pair<int, DispatchPoint>>> points(all.size());
  Statement& c = c_.prepare("SELECT supplier_id, pos, name, number, valid_until FROM certificate");
  c.query();
  while (c.next()) {
    Reader r(c);
    const auto owner = at.find(r.i64());
    if (owner == at.end()) continue;  // a supplier added since the first statement (read committed): not listed
    const int pos = r.i32();
    Certificate x;
    x.name = r.str();
    x.number = r.str();
    x.valid_until = r.optTime();
    certificates[owner->second].emplace_back(pos, std::move(x));
  }
  Statement& d = c_.prepare("SELECT pos, " + kDispatchPointCols + " FROM dispatch_point WHERE pos IS NOT NULL");
  d.query();
  while (d.next()) {
    Reader r(d);
    const int pos = r.i32();
    DispatchPoint x = readDispatchPoint(r);
    const auto owner = at.find(x.supplier_id);
    if (owner == at.end()) continue;
    points[owner->second].emplace_back(pos, std::move(x));
  }
  for (std::size_t i = 0; i < all.size(); ++i) {
    appendInPositionOrder(certificates[i], all[i].certificates);
    appendInPositionOrder(points[i], all[i].dispatch_points);
  }
  return all;
}

std::vector<Id> SqlTx::insertSuppliers(const std::vector<Supplier>& suppliers) {
  // The new ids by natural key: one multi-row INSERT need not get consecutive auto-increment values
  // (interleaved lock mode, Galera's auto_increment_increment). MariaDB returns them with the
  // INSERT; elsewhere they are read back, a batch per query.
  std::unordered_map<std::string, Id> by_tax;
  const std::function<void(Reader&)> remember = [&](Reader& r) {
    const Id id = r.i64();
    by_tax[r.str()] = id;
  };
  const bool returning = c_.insertReturnsId();
  insertBatched(
      c_, "INSERT INTO supplier (name, tax_number, address, country, email, is_sme, size_class) VALUES ", 7, suppliers,
      [](Statement& st, int& i, const Supplier& s) {
        bindRow(st, i, s.name, s.tax_number, s.address, s.country, s.email, s.is_sme, s.size_class);
      },
      returning ? "id, tax_number" : "", remember);
  if (!returning) {
    std::vector<std::string> keys;
    keys.reserve(suppliers.size());
    for (const Supplier& s : suppliers) keys.push_back(s.tax_number);
    selectIn(c_, "SELECT id, tax_number FROM supplier WHERE tax_number IN ", "", keys, remember);
  }
  struct Child {
    Id supplier_id;
    int pos;
    std::size_t supplier;
    std::size_t item;
  };
  std::vector<Id> ids;
  ids.reserve(suppliers.size());
  std::vector<Child> certificates;
  std::vector<Child> points;
  for (std::size_t s = 0; s < suppliers.size(); ++s) {
    const auto it = by_tax.find(suppliers[s].tax_number);
    if (it == by_tax.end()) {
      throw Error(ErrorCode::kInternal, "supplier " + suppliers[s].tax_number + " was inserted but is not found in " +
                                            c_.describe() + ": report this defect");
    }
    ids.push_back(it->second);
    for (std::size_t i = 0; i < suppliers[s].certificates.size(); ++i)
      certificates.push_back({it->second, position(i), s, i});
    for (std::size_t i = 0; i < suppliers[s].dispatch_points.size(); ++i)
      points.push_back({it->second, position(i), s, i});
  }
  insertBatched(c_, "INSERT INTO certificate (supplier_id, pos, name, number, valid_until) VALUES ", 5, certificates,
                [&](Statement& st, int& i, const Child& x) {
                  const Certificate& c = suppliers[x.supplier].certificates[x.item];
                  bindRow(st, i, x.supplier_id, x.pos, c.name, c.number, c.valid_until);
                });
  insertBatched(c_, "INSERT INTO dispatch_point (supplier_id, pos, name, address, lat, lon) VALUES ", 6, points,
                [&](Statement& st, int& i, const Child& x) {
                  const DispatchPoint& p = suppliers[x.supplier].dispatch_points[x.item];
                  bindRow(st, i, x.supplier_id, x.pos, p.name, p.address, p.location.lat, p.location.lon);
                });
  return ids;
}

std::vector<Supplier> SqlTx::findSuppliersByTaxNumbers(const std::vector<std::string>& tax_numbers) {
  std::vector<std::string> keys = tax_numbers;
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  std::vector<Supplier> out;
  selectIn(c_, "SELECT " + kSupplierCols + " FROM supplier WHERE tax_number IN ", "", keys,
           [&](Reader& r) { out.push_back(readSupplier(r)); });
  loadSupplierChildren(out);
  return out;
}

std::vector<Supplier> SqlTx::listSuppliers(Id after, std::size_t limit) {
  std::vector<Supplier> out =
      rows<Supplier>(bound(c_, "SELECT " + kSupplierCols + " FROM supplier WHERE id > ? ORDER BY id LIMIT ?", after,
                           limitValue(limit)),
                     readSupplier);
  loadSupplierChildren(out);
  return out;
}

void SqlTx::loadSupplierChildren(std::vector<Supplier>& out) {
  if (out.empty()) return;
  std::unordered_map<Id, std::size_t> at;
  std::vector<Id> ids;
  for (std::size_t i = 0; i < out.size(); ++i) {
    at.emplace(out[i].id, i);
    ids.push_back(out[i].id);
  }
  // Each batch holds whole suppliers, so ordering by pos within it keeps every supplier's order.
  selectIn(c_, "SELECT supplier_id, name, number, valid_until FROM certificate WHERE supplier_id IN ",
           " ORDER BY supplier_id, pos", ids, [&](Reader& r) {
             Supplier& s = out[at.at(r.i64())];
             Certificate c;
             c.name = r.str();
             c.number = r.str();
             c.valid_until = r.optTime();
             s.certificates.push_back(std::move(c));
           });
  selectIn(c_, "SELECT " + kDispatchPointCols + " FROM dispatch_point WHERE supplier_id IN ",
           " AND pos IS NOT NULL ORDER BY supplier_id, pos", ids, [&](Reader& r) {
             DispatchPoint p = readDispatchPoint(r);
             out[at.at(p.supplier_id)].dispatch_points.push_back(std::move(p));
           });
}

std::optional<DispatchPoint> SqlTx::getDispatchPoint(Id id) {
  return firstRow<DispatchPoint>(
      bound(c_, "SELECT " + kDispatchPointCols + " FROM dispatch_point WHERE id = ?", id), readDispatchPoint);
}

std::vector<DispatchPoint> SqlTx::findDispatchPoints(const std::vector<Id>& ids) {
  return rowsByIds(c_, "SELECT " + kDispatchPointCols + " FROM dispatch_point WHERE id IN ", ids, readDispatchPoint);
}

// --- delivery points and products ---------------------------------------------------------------------

Id SqlTx::insertDeliveryPoint(const DeliveryPoint& p) {
  return insertedId(
      c_, "INSERT INTO delivery_point (authority_id, code, name, address, lat, lon) VALUES (?, ?, ?, ?, ?, ?)",
      p.authority_id, p.code, p.name, p.address, p.location.lat, p.location.lon);
}

void SqlTx::updateDeliveryPoint(const DeliveryPoint& p) {
  const std::int64_t n =
      bound(c_,
            "UPDATE delivery_point SET authority_id = ?, code = ?, name = ?, address = ?, lat = ?, lon = ? "
            "WHERE id = ?",
            p.authority_id, p.code, p.name, p.address, p.location.lat, p.location.lon, p.id)
          .execute();
  if (n == 0) notFound("delivery point", p.id);
}

std::optional<DeliveryPoint> SqlTx::getDeliveryPoint(Id id) {
  return firstRow<DeliveryPoint>(
      bound(c_, "SELECT " + kDeliveryPointCols + " FROM delivery_point WHERE id = ?", id), readDeliveryPoint);
}

std::vector<DeliveryPoint> SqlTx::findDeliveryPoints(const std::vector<Id>& ids) {
  return rowsByIds(c_, "SELECT " + kDeliveryPointCols + " FROM delivery_point WHERE id IN ", ids, readDeliveryPoint);
}

std::optional<DeliveryPoint> SqlTx::findDeliveryPoint(Id authority_id, const std::string& code) {
  return firstRow<DeliveryPoint>(
      bound(c_, "SELECT " + kDeliveryPointCols + " FROM delivery_point WHERE authority_id = ? AND code = ?",
            authority_id, code),
      readDeliveryPoint);
}

std::vector<DeliveryPoint> SqlTx::listDeliveryPoints(Id authority_id) {
  return rows<DeliveryPoint>(
      bound(c_, "SELECT " + kDeliveryPointCols + " FROM delivery_point WHERE authority_id = ? ORDER BY id",
            authority_id),
      readDeliveryPoint);
}

Id SqlTx::insertProduct(const Product& p) {
  return insertedId(c_,
                    "INSERT INTO product (code, cpv, name_sl, name_en, unit, unit_mass_kg) VALUES (?, ?, ?, ?, ?, ?)",
                    p.code, p.cpv, p.name_sl, p.name_en, p.unit, p.unit_mass_kg);
}

void SqlTx::updateProduct(const Product& p) {
  const std::int64_t n =
      bound(c_,
            "UPDATE product SET code = ?, cpv = ?, name_sl = ?, name_en = ?, unit = ?, unit_mass_kg = ? "
            "WHERE id = ?",
            p.code, p.cpv, p.name_sl, p.name_en, p.unit, p.unit_mass_kg, p.id)
          .execute();
  if (n == 0) notFound("product", p.id);
}

std::optional<Product> SqlTx::findProductByCode(const std::string& code) {
  return firstRow<Product>(bound(c_, "SELECT " + kProductCols + " FROM product WHERE code = ?", code), readProduct);
}

std::vector<Product> SqlTx::listProducts() {
  return rows<Product>(c_.prepare("SELECT " + kProductCols + " FROM product ORDER BY id"), readProduct);
}

// --- admission and renewal --------------------------------------------------------------------------

Id SqlTx::insertAdmissionRequest(const AdmissionRequest& r) {
  return insertedId(c_,
                    "INSERT INTO admission_request (supplier_id, category_id, received_at, self_declaration, status, "
                    "decided_at, decided_by, reason, extension_justification) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    r.supplier_id, r.category_id, r.received_at, r.self_declaration, r.status, r.decided_at,
                    r.decided_by, r.reason, r.extension_justification);
}

void SqlTx::updateAdmissionRequest(const AdmissionRequest& r) {
  const std::int64_t n =
      bound(c_,
            "UPDATE admission_request SET supplier_id = ?, category_id = ?, received_at = ?, self_declaration = ?, "
            "status = ?, decided_at = ?, decided_by = ?, reason = ?, extension_justification = ? WHERE id = ?",
            r.supplier_id, r.category_id, r.received_at, r.self_declaration, r.status, r.decided_at, r.decided_by,
            r.reason, r.extension_justification, r.id)
          .execute();
  if (n == 0) notFound("admission request", r.id);
}

std::optional<AdmissionRequest> SqlTx::getAdmissionRequest(Id id) {
  return firstRow<AdmissionRequest>(
      bound(c_, "SELECT " + kAdmissionCols + " FROM admission_request r WHERE r.id = ?", id), readAdmission);
}

std::vector<AdmissionRequest> SqlTx::listAdmissionRequests(Id dps_id) {
  return rows<AdmissionRequest>(
      bound(c_,
            "SELECT " + kAdmissionCols +
                " FROM admission_request r JOIN category c ON c.id = r.category_id WHERE c.dps_id = ?"
                " ORDER BY r.received_at, r.id",
            dps_id),
      readAdmission);
}

std::vector<AdmissionRequest> SqlTx::listSupplierAdmissions(Id supplier_id) {
  return rows<AdmissionRequest>(
      bound(c_,
            "SELECT " + kAdmissionCols +
                " FROM admission_request r WHERE r.supplier_id = ? ORDER BY r.received_at, r.id",
            supplier_id),
      readAdmission);
}

std::vector<Id> SqlTx::listAdmittedSuppliers(Id category_id) {
  std::vector<Id> ids =
      rows<Id>(bound(c_, "SELECT supplier_id FROM admission_request WHERE category_id = ? AND status = ?", category_id,
                     AdmissionStatus::kAdmitted),
               [](Reader& r) { return r.i64(); });
  return distinct(std::move(ids));
}

Id SqlTx::insertRenewalRequest(const RenewalRequest& r) {
  return insertedId(c_,
                    "INSERT INTO renewal_request (supplier_id, requested_at, due_at, fulfilled_at, self_declaration) "
                    "VALUES (?, ?, ?, ?, ?)",
                    r.supplier_id, r.requested_at, r.due_at, r.fulfilled_at, r.self_declaration);
}

void SqlTx::updateRenewalRequest(const RenewalRequest& r) {
  const std::int64_t n = bound(c_,
                               "UPDATE renewal_request SET supplier_id = ?, requested_at = ?, due_at = ?, "
                               "fulfilled_at = ?, self_declaration = ? WHERE id = ?",
                               r.supplier_id, r.requested_at, r.due_at, r.fulfilled_at, r.self_declaration, r.id)
                             .execute();
  if (n == 0) notFound("renewal request", r.id);
}

std::vector<RenewalRequest> SqlTx::listRenewalRequests(Id supplier_id) {
  return rows<RenewalRequest>(
      bound(c_,
            "SELECT " + kRenewalCols +
                " FROM renewal_request WHERE supplier_id = ? ORDER BY requested_at, id",
            supplier_id),
      readRenewal);
}

SuspensionRecords SqlTx::suspensionRecords(Id supplier_id) {
  // One statement of three parts told apart by the first column. Without an ORDER BY: MariaDB would
  // copy the union into a temporary table to sort it, several times the cost of the three reads.
  static const std::string sql =
      "SELECT 0, pos, name, number, valid_until, NULL, NULL, NULL, NULL FROM certificate WHERE supplier_id = ? "
      "UNION ALL SELECT 1, pos, name, number, valid_until, in_effect_until, NULL, NULL, NULL "
      "FROM certificate_archive WHERE supplier_id = ? "
      "UNION ALL SELECT 2, id, NULL, NULL, NULL, NULL, requested_at, due_at, fulfilled_at "
      "FROM renewal_request WHERE supplier_id = ?";
  // Put in the orders of the list* reads: certificates by position, the archive by the instant a
  // set ended, then position, renewal requests oldest first, then by id.
  std::vector<std::pair<int, Certificate>> certificates;
  std::vector<std::tuple<TimePoint, std::int64_t, ArchivedCertificate>> archived;
  std::vector<std::tuple<TimePoint, std::int64_t, SuspensionRecords::Renewal>> renewals;
  Statement& st = bound(c_, sql, supplier_id, supplier_id, supplier_id);
  st.query();
  while (st.next()) {
    Reader r(st);
    const std::int64_t part = r.i64();
    const std::int64_t k = r.i64();  // position, or the renewal request's id
    if (part == 2) {
      r.skip(4);
      SuspensionRecords::Renewal renewal;
      renewal.requested_at = r.time();
      renewal.due_at = r.time();
      renewal.fulfilled_at = r.optTime();
      renewals.emplace_back(renewal.requested_at, k, renewal);
      continue;
    }
    Certificate c;
    c.name = r.str();
    c.number = r.str();
    c.valid_until = r.optTime();
    if (part == 0) {
      certificates.emplace_back(static_cast<int>(k), std::move(c));
    } else {
      const TimePoint until = r.time();
      archived.emplace_back(until, k, ArchivedCertificate{std::move(c), until});
    }
  }
  const auto by_key = [](const auto& a, const auto& b) {
    return std::tie(std::get<0>(a), std::get<1>(a)) < std::tie(std::get<0>(b), std::get<1>(b));
  };
  std::sort(archived.begin(), archived.end(), by_key);
  std::sort(renewals.begin(), renewals.end(), by_key);
  SuspensionRecords out;
  appendInPositionOrder(certificates, out.certificates);
  for (auto& a : archived) out.archived.push_back(std::move(std::get<2>(a)));
  for (auto& x : renewals) out.renewals.push_back(std::get<2>(x));
  return out;
}

// --- road distances ----------------------------------------------------------------------------------

void SqlTx::putRoadDistance(Id dispatch_point_id, Id delivery_point_id, Decimal km) {
  bound(c_, upsert(c_.dialect(), "road_distance", {"dispatch_point_id", "delivery_point_id"}, {"km"}),
        dispatch_point_id, delivery_point_id, km)
      .execute();
}

std::optional<Decimal> SqlTx::getRoadDistance(Id dispatch_point_id, Id delivery_point_id) {
  return firstRow<Decimal>(
      bound(c_, "SELECT km FROM road_distance WHERE dispatch_point_id = ? AND delivery_point_id = ?",
            dispatch_point_id, delivery_point_id),
      [](Reader& r) { return r.dec(); });
}

std::vector<RoadDistance> SqlTx::listRoadDistances(const std::vector<Id>& dispatch_point_ids) {
  const std::vector<Id> keys = distinct(dispatch_point_ids);
  std::vector<RoadDistance> out;
  selectIn(c_, "SELECT dispatch_point_id, delivery_point_id, km FROM road_distance WHERE dispatch_point_id IN ", "",
           keys, [&](Reader& r) {
             RoadDistance d;
             d.dispatch_point_id = r.i64();
             d.delivery_point_id = r.i64();
             d.km = r.dec();
             out.push_back(d);
           });
  return out;
}

// --- rounds and lots -------------------------------------------------------------------------------

void SqlTx::insertRefinements(Id round_id, const std::vector<WeightRefinement>& refinements) {
  for (std::size_t i = 0; i < refinements.size(); ++i) {
    bound(c_, "INSERT INTO weight_refinement (round_id, pos, kind, weight) VALUES (?, ?, ?, ?)", round_id,
          position(i), refinements[i].kind, refinements[i].weight)
        .execute();
  }
}

Id SqlTx::insertRound(const Round& r) {
  const Id id = insertedId(
      c_,
      "INSERT INTO purchase_round (dps_id, category_id, reference, title, status, award_mode, allow_partial, "
      "dispatched_at, deadline, opened_at, criteria_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      r.dps_id, r.category_id, r.reference, r.title, r.status, r.award_mode, r.allow_partial, r.dispatched_at,
      r.deadline, r.opened_at, r.criteria_version);
  insertRefinements(id, r.refinements);
  return id;
}

void SqlTx::updateRound(const Round& r) {
  const std::int64_t n =
      bound(c_,
            "UPDATE purchase_round SET dps_id = ?, category_id = ?, reference = ?, title = ?, status = ?, "
            "award_mode = ?, allow_partial = ?, dispatched_at = ?, deadline = ?, opened_at = ?, "
            "criteria_version = ? WHERE id = ?",
            r.dps_id, r.category_id, r.reference, r.title, r.status, r.award_mode, r.allow_partial,
            r.dispatched_at, r.deadline, r.opened_at, r.criteria_version, r.id)
          .execute();
  if (n == 0) notFound("round", r.id);
  bound(c_, "DELETE FROM weight_refinement WHERE round_id = ?", r.id).execute();
  insertRefinements(r.id, r.refinements);
}

namespace {

// Rounds with their weight refinements, one statement: each row is a round's columns, then the
// position, kind and weight of one of its refinements (NULL when it has none). The order is made
// here: with an ORDER BY on the joined table MariaDB copies the rows to a temporary table and sorts
// them there, which costs more than the statement it saves.
const std::string kRoundsWithRefinements = "SELECT " + qualified(kRoundCols, "r") +
                                           ", w.pos, w.kind, w.weight FROM purchase_round r "
                                           "LEFT JOIN weight_refinement w ON w.round_id = r.id ";

// The rounds in id order, each with its refinements in position order.
std::vector<Round> roundsWithRefinements(Statement& st) {
  std::vector<Round> out;
  std::vector<std::vector<std::pair<int, WeightRefinement>>> refinements;
  std::unordered_map<Id, std::size_t> index;
  st.query();
  while (st.next()) {
    Reader r(st);
    Round round = readRound(r);
    const auto [at, added] = index.emplace(round.id, out.size());
    if (added) {
      out.push_back(std::move(round));
      refinements.emplace_back();
    }
    if (r.nullNext()) continue;
    const int pos = r.i32();
    WeightRefinement w;
    w.kind = parseCriterionKind(r.str());
    w.weight = r.i32();
    refinements[at->second].emplace_back(pos, w);
  }
  for (std::size_t i = 0; i < out.size(); ++i) appendInPositionOrder(refinements[i], out[i].refinements);
  if (!std::is_sorted(out.begin(), out.end(), [](const Round& a, const Round& b) { return a.id < b.id; }))
    std::sort(out.begin(), out.end(), [](const Round& a, const Round& b) { return a.id < b.id; });
  return out;
}

std::optional<Round> onlyRound(std::vector<Round> rounds) {
  if (rounds.empty()) return std::nullopt;
  return std::move(rounds.front());
}

}  // namespace

std::optional<Round> SqlTx::getRound(Id id) {
  static const std::string sql = kRoundsWithRefinements + "WHERE r.id = ?";
  return onlyRound(roundsWithRefinements(bound(c_, sql, id)));
}

std::optional<Round> SqlTx::lockRound(Id id, LockMode mode) {
  // SQLite: the transaction began with BEGIN IMMEDIATE and already excludes every other writer.
  // MariaDB: the refinements' rows are locked with the round's.
  static const std::string sql = kRoundsWithRefinements + "WHERE r.id = ?";
  static const std::string exclusive = sql + " FOR UPDATE";
  static const std::string shared = sql + " LOCK IN SHARE MODE";
  return onlyRound(roundsWithRefinements(bound(c_,
                                               !mysql()                       ? sql
                                               : mode == LockMode::kExclusive ? exclusive
                                                                              : shared,
                                               id)));
}

std::vector<Round> SqlTx::listRounds(Id dps_id) {
  static const std::string sql = kRoundsWithRefinements + "WHERE r.dps_id = ?";
  return roundsWithRefinements(bound(c_, sql, dps_id));
}

Id SqlTx::insertLot(const Lot& l) {
  const Id id =
      insertedId(c_,
                 "INSERT INTO lot (round_id, number, cpv, description, unit, unit_mass_kg, quality_spec, min_delivery) "
                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                 l.round_id, l.number, l.cpv, l.description, l.unit, l.unit_mass_kg, l.quality_spec, l.min_delivery);
  for (std::size_t i = 0; i < l.demands.size(); ++i) {
    const Demand& d = l.demands[i];
    bound(c_, "INSERT INTO demand (lot_id, pos, delivery_point_id, quantity, schedule) VALUES (?, ?, ?, ?, ?)", id,
          position(i), d.delivery_point_id, d.quantity, d.schedule)
        .execute();
  }
  return id;
}

std::vector<Id> SqlTx::insertLots(const std::vector<Lot>& lots) {
  // The new ids by natural key (round, number), as for suppliers.
  std::map<std::pair<Id, int>, Id> by_key;
  const bool returning = c_.insertReturnsId();
  insertBatched(
      c_,
      "INSERT INTO lot (round_id, number, cpv, description, unit, unit_mass_kg, quality_spec, min_delivery) VALUES ", 8,
      lots,
      [](Statement& st, int& i, const Lot& l) {
        bindRow(st, i, l.round_id, l.number, l.cpv, l.description, l.unit, l.unit_mass_kg, l.quality_spec,
                l.min_delivery);
      },
      returning ? "id, round_id, number" : "",
      [&](Reader& r) {
        const Id id = r.i64();
        const Id round = r.i64();
        by_key[{round, r.i32()}] = id;
      });
  if (!returning) {
    std::map<Id, std::vector<int>> numbers;
    for (const Lot& l : lots) numbers[l.round_id].push_back(l.number);
    for (const auto& [round_id, list] : numbers) {
      selectIn(
          c_, "SELECT id, number FROM lot WHERE round_id = ? AND number IN ", "", list,
          [&, round = round_id](Reader& r) {
            const Id id = r.i64();
            by_key[{round, r.i32()}] = id;
          },
          round_id);
    }
  }
  struct Row {
    Id lot_id;
    int pos;
    const Demand* demand;
  };
  std::vector<Id> ids;
  ids.reserve(lots.size());
  std::vector<Row> demands;
  for (const Lot& l : lots) {
    const auto it = by_key.find({l.round_id, l.number});
    if (it == by_key.end()) {
      throw Error(ErrorCode::kInternal, "lot " + std::to_string(l.number) + " of round " + std::to_string(l.round_id) +
                                            " was inserted but is not found in " + c_.describe() +
                                            ": report this defect");
    }
    ids.push_back(it->second);
    for (std::size_t i = 0; i < l.demands.size(); ++i) demands.push_back({it->second, position(i), &l.demands[i]});
  }
  insertBatched(c_, "INSERT INTO demand (lot_id, pos, delivery_point_id, quantity, schedule) VALUES ", 5, demands,
                [](Statement& st, int& i, const Row& x) {
                  bindRow(st, i, x.lot_id, x.pos, x.demand->delivery_point_id, x.demand->quantity, x.demand->schedule);
                });
  return ids;
}

namespace {

// Puts demand rows (lot_id, pos, delivery_point_id, quantity, schedule), read in any order, into
// their lots in position order: the queries need no ORDER BY, which for a national round's
// millions of rows would cost the server a temporary table.
class DemandCollector {
 public:
  explicit DemandCollector(std::vector<Lot>& lots) : lots_(lots), rows_(lots.size()) {
    for (std::size_t i = 0; i < lots.size(); ++i) index_.emplace(lots[i].id, i);
  }
  // A row (lot_id, pos, delivery_point_id, quantity, schedule) of one of the lots given.
  void row(Reader& r) {
    const Id lot_id = r.i64();
    demand(index_.at(lot_id), r);
  }
  // A row of a lot LEFT JOINed with its demand (findLots): the lot's columns (kLotCols), kept unless
  // it is there already, then one demand row's (pos, delivery_point_id, quantity, schedule), NULL
  // when the lot has none.
  void lotRow(Reader& r) {
    Lot lot = readLot(r);
    const auto [at, added] = index_.emplace(lot.id, lots_.size());
    if (added) {
      lots_.push_back(std::move(lot));
      rows_.emplace_back();
    }
    if (!r.nullNext()) demand(at->second, r);
  }
  void finish() {
    for (std::size_t i = 0; i < lots_.size(); ++i) appendInPositionOrder(rows_[i], lots_[i].demands);
  }

 private:
  void demand(std::size_t lot, Reader& r) {
    const int pos = r.i32();
    Demand d;
    d.delivery_point_id = r.i64();
    d.quantity = r.dec();
    d.schedule = r.str();
    rows_[lot].emplace_back(pos, std::move(d));
  }

  std::vector<Lot>& lots_;
  std::unordered_map<Id, std::size_t> index_;
  std::vector<std::vector<std::pair<int, Demand>>> rows_;
};

}  // namespace

std::vector<Lot> SqlTx::listLots(Id round_id) {
  auto lots = rows<Lot>(bound(c_, "SELECT " + kLotCols + " FROM lot WHERE round_id = ? ORDER BY number", round_id),
                        readLot);
  if (lots.empty()) return lots;
  // The whole round's demand in one statement, not one per lot.
  DemandCollector demand(lots);
  Statement& st = bound(c_,
                        "SELECT d.lot_id, d.pos, d.delivery_point_id, d.quantity, d.schedule FROM demand d JOIN lot l "
                        "ON l.id = d.lot_id WHERE l.round_id = ?",
                        round_id);
  st.query();
  while (st.next()) {
    Reader r(st);
    demand.row(r);
  }
  demand.finish();
  return lots;
}

std::vector<Lot> SqlTx::findLots(Id round_id, const std::vector<Id>& lot_ids) {
  const std::vector<Id> keys = distinct(lot_ids);
  std::vector<Lot> lots;
  if (keys.empty()) return lots;
  // The lots and their demand in one statement (per batch of ids): a bid names few lots, so the
  // lot's columns repeated on each of its demand rows cost less than a second round trip.
  static const std::string head = "SELECT " + qualified(kLotCols, "l") +
                                  ", d.pos, d.delivery_point_id, d.quantity, d.schedule FROM lot l "
                                  "LEFT JOIN demand d ON d.lot_id = l.id WHERE l.round_id = ? AND l.id IN ";
  DemandCollector demand(lots);
  selectIn(
      c_, head, "", keys, [&](Reader& r) { demand.lotRow(r); }, round_id);
  demand.finish();
  std::sort(lots.begin(), lots.end(), [](const Lot& a, const Lot& b) { return a.number < b.number; });
  return lots;
}

void SqlTx::insertInvitations(const std::vector<Invitation>& invitations) {
  insertBatched(
      c_, "INSERT INTO invitation (round_id, supplier_id, invited_at) VALUES ", 3, invitations,
      [](Statement& st, int& i, const Invitation& x) { bindRow(st, i, x.round_id, x.supplier_id, x.invited_at); });
}

std::vector<Invitation> SqlTx::listInvitations(Id round_id) {
  return rows<Invitation>(
      bound(c_,
            "SELECT round_id, supplier_id, invited_at FROM invitation WHERE round_id = ? "
            "ORDER BY invited_at, supplier_id",
            round_id),
      [](Reader& r) {
        Invitation i;
        i.round_id = r.i64();
        i.supplier_id = r.i64();
        i.invited_at = r.time();
        return i;
      });
}

std::optional<Invitation> SqlTx::lockInvitation(Id round_id, Id supplier_id) {
  // SQLite: the transaction began with BEGIN IMMEDIATE and already excludes every other writer.
  std::string sql = "SELECT round_id, supplier_id, invited_at FROM invitation WHERE round_id = ? AND supplier_id = ?";
  if (mysql()) sql += " FOR UPDATE";
  return firstRow<Invitation>(bound(c_, sql, round_id, supplier_id), [](Reader& r) {
    Invitation i;
    i.round_id = r.i64();
    i.supplier_id = r.i64();
    i.invited_at = r.time();
    return i;
  });
}

// --- bids --------------------------------------------------------------------------------------------

Id SqlTx::insertBid(const Bid& b) {
  return insertedId(
      c_,
      "INSERT INTO bid (round_id, supplier_id, version, status, submitted_at, digest, sealed, status_reason) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      b.round_id, b.supplier_id, b.version, b.status, b.submitted_at, b.digest, Blob{b.sealed}, b.status_reason);
}

void SqlTx::updateBidStatus(Id bid_id, BidStatus status, const std::string& reason) {
  const std::int64_t n =
      bound(c_, "UPDATE bid SET status = ?, status_reason = ? WHERE id = ?", status, reason, bid_id).execute();
  if (n == 0) notFound("bid", bid_id);
}

std::optional<Bid> SqlTx::getBid(Id id) {
  return firstRow<Bid>(bound(c_, "SELECT " + kBidCols + " FROM bid WHERE id = ?", id), readBid);
}

std::vector<Bid> SqlTx::listBids(Id round_id) {
  return rows<Bid>(bound(c_, "SELECT " + kBidCols + " FROM bid WHERE round_id = ? ORDER BY id", round_id), readBid);
}

std::optional<Bid> SqlTx::latestBid(Id round_id, Id supplier_id) {
  return firstRow<Bid>(bound(c_,
                             "SELECT " + kBidCols +
                                 " FROM bid WHERE round_id = ? AND supplier_id = ? ORDER BY version DESC, id DESC LIMIT 1",
                             round_id, supplier_id),
                       readBid);
}

void SqlTx::insertBidLines(Id bid_id, const std::vector<BidLine>& lines) {
  // Multi-row INSERTs: opening stores every line of every bid of the round in one transaction.
  struct Line {
    int pos;
    const BidLine* line;
  };
  struct Offer {
    Id lot_id;
    int pos;
    const PointOffer* offer;
  };
  std::vector<Line> rows_of_lines;
  std::vector<Offer> offers;
  rows_of_lines.reserve(lines.size());
  for (std::size_t i = 0; i < lines.size(); ++i) {
    rows_of_lines.push_back({position(i), &lines[i]});
    for (std::size_t j = 0; j < lines[i].point_offers.size(); ++j)
      offers.push_back({lines[i].lot_id, position(j), &lines[i].point_offers[j]});
  }
  insertBatched(c_,
                "INSERT INTO bid_line (bid_id, lot_id, pos, unit_price, quantity, dispatch_point_id, organic, "
                "quality_scheme, hours_from_harvest, intermediaries, vehicle) VALUES ",
                11, rows_of_lines, [&](Statement& st, int& i, const Line& x) {
                  const BidLine& l = *x.line;
                  bindRow(st, i, bid_id, l.lot_id, x.pos, l.unit_price, l.quantity, l.dispatch_point_id, l.organic,
                          l.quality_scheme, l.hours_from_harvest, l.intermediaries, l.vehicle);
                });
  insertBatched(c_, "INSERT INTO point_offer (bid_id, lot_id, pos, delivery_point_id, quantity) VALUES ", 5, offers,
                [&](Statement& st, int& i, const Offer& x) {
                  bindRow(st, i, bid_id, x.lot_id, x.pos, x.offer->delivery_point_id, x.offer->quantity);
                });
}

std::vector<BidLine> SqlTx::listBidLines(Id bid_id) {
  auto lines = rows<BidLine>(
      bound(c_,
            "SELECT lot_id, unit_price, quantity, dispatch_point_id, organic, quality_scheme, hours_from_harvest, "
            "intermediaries, vehicle FROM bid_line WHERE bid_id = ? ORDER BY pos",
            bid_id),
      [](Reader& r) {
        BidLine l;
        l.lot_id = r.i64();
        l.unit_price = r.dec();
        l.quantity = r.dec();
        l.dispatch_point_id = r.i64();
        l.organic = r.flag();
        l.quality_scheme = r.flag();
        l.hours_from_harvest = r.i32();
        l.intermediaries = r.i32();
        l.vehicle = r.str();
        return l;
      });
  if (lines.empty()) return lines;
  // Every line's offers per delivery point in one statement, put in order here (a bid names each
  // lot once).
  std::unordered_map<Id, std::vector<std::pair<int, PointOffer>>> offers;
  Statement& st =
      bound(c_, "SELECT lot_id, pos, delivery_point_id, quantity FROM point_offer WHERE bid_id = ?", bid_id);
  st.query();
  while (st.next()) {
    Reader r(st);
    const Id lot_id = r.i64();
    const int pos = r.i32();
    PointOffer o;
    o.delivery_point_id = r.i64();
    o.quantity = r.dec();
    offers[lot_id].emplace_back(pos, o);
  }
  for (BidLine& l : lines)
    if (const auto it = offers.find(l.lot_id); it != offers.end()) appendInPositionOrder(it->second, l.point_offers);
  return lines;
}

// --- evaluation and award -------------------------------------------------------------------------------

void SqlTx::insertScores(const std::vector<ScoreRecord>& scores) {
  insertBatched(c_,
                "INSERT INTO score (round_id, lot_id, bid_id, delivery_point_id, kind, formula, weight, inputs, "
                "value_exact, points) VALUES ",
                10, scores, [](Statement& st, int& i, const ScoreRecord& x) {
                  bindRow(st, i, x.round_id, x.lot_id, x.bid_id, x.delivery_point_id, x.kind, x.formula, x.weight,
                          x.inputs, x.value, x.points);
                });
}

std::vector<ScoreRecord> SqlTx::listScores(Id round_id) {
  return rows<ScoreRecord>(
      bound(c_,
            "SELECT round_id, lot_id, bid_id, delivery_point_id, kind, formula, weight, inputs, value_exact, points "
            "FROM score WHERE round_id = ? ORDER BY id",
            round_id),
      [](Reader& r) {
        ScoreRecord s;
        s.round_id = r.i64();
        s.lot_id = r.i64();
        s.bid_id = r.i64();
        s.delivery_point_id = r.i64();
        s.kind = parseCriterionKind(r.str());
        s.formula = parseFormula(r.str());
        s.weight = r.i32();
        s.inputs = r.str();
        s.value = r.exact();
        s.points = r.exact();
        return s;
      });
}

void SqlTx::insertLotResults(const std::vector<LotResult>& results) {
  insertBatched(c_,
                "INSERT INTO lot_result (round_id, lot_id, bid_id, delivery_point_id, supplier_id, total, rank_no, "
                "admissible, abnormally_low, note) VALUES ",
                10, results, [](Statement& st, int& i, const LotResult& x) {
                  bindRow(st, i, x.round_id, x.lot_id, x.bid_id, x.delivery_point_id, x.supplier_id, x.total, x.rank,
                          x.admissible, x.abnormally_low, x.note);
                });
}

void SqlTx::updateLotResult(const LotResult& x) {
  const std::int64_t n =
      bound(c_,
            "UPDATE lot_result SET supplier_id = ?, total = ?, rank_no = ?, admissible = ?, abnormally_low = ?, "
            "note = ? WHERE round_id = ? AND lot_id = ? AND bid_id = ? AND delivery_point_id = ?",
            x.supplier_id, x.total, x.rank, x.admissible, x.abnormally_low, x.note, x.round_id, x.lot_id, x.bid_id,
            x.delivery_point_id)
          .execute();
  if (n == 0) {
    throw Error(ErrorCode::kNotFound, "no result of bid " + std::to_string(x.bid_id) + " on lot " +
                                          std::to_string(x.lot_id) + " (delivery point " +
                                          std::to_string(x.delivery_point_id) + ") of round " +
                                          std::to_string(x.round_id) + ": insert the results first");
  }
}

std::vector<LotResult> SqlTx::listLotResults(Id round_id) {
  return rows<LotResult>(
      bound(c_,
            "SELECT round_id, lot_id, bid_id, delivery_point_id, supplier_id, total, rank_no, admissible, "
            "abnormally_low, note FROM lot_result WHERE round_id = ? ORDER BY id",
            round_id),
      [](Reader& r) {
        LotResult x;
        x.round_id = r.i64();
        x.lot_id = r.i64();
        x.bid_id = r.i64();
        x.delivery_point_id = r.i64();
        x.supplier_id = r.i64();
        x.total = r.exact();
        x.rank = r.i32();
        x.admissible = r.flag();
        x.abnormally_low = r.flag();
        x.note = r.str();
        return x;
      });
}

void SqlTx::deleteEvaluation(Id round_id) {
  bound(c_, "DELETE FROM score WHERE round_id = ?", round_id).execute();
  bound(c_, "DELETE FROM lot_result WHERE round_id = ?", round_id).execute();
}

void SqlTx::putAbnormalLowCase(const AbnormalLowCase& c) {
  bound(c_,
        upsert(c_.dialect(), "abnormal_low_case", {"round_id", "lot_id", "bid_id"},
               {"explanation_requested_at", "explanation", "decided_at", "rejected"}),
        c.round_id, c.lot_id, c.bid_id, c.explanation_requested_at, c.explanation, c.decided_at, c.rejected)
      .execute();
}

std::vector<AbnormalLowCase> SqlTx::listAbnormalLowCases(Id round_id) {
  return rows<AbnormalLowCase>(
      bound(c_,
            "SELECT round_id, lot_id, bid_id, explanation_requested_at, explanation, decided_at, rejected "
            "FROM abnormal_low_case WHERE round_id = ? ORDER BY lot_id, bid_id",
            round_id),
      [](Reader& r) {
        AbnormalLowCase c;
        c.round_id = r.i64();
        c.lot_id = r.i64();
        c.bid_id = r.i64();
        c.explanation_requested_at = r.optTime();
        c.explanation = r.str();
        c.decided_at = r.optTime();
        c.rejected = r.flag();
        return c;
      });
}

void SqlTx::insertAwardLines(const std::vector<AwardLine>& lines) {
  insertBatched(c_,
                "INSERT INTO award_line (round_id, lot_id, bid_id, supplier_id, delivery_point_id, quantity, "
                "unit_price, score) VALUES ",
                8, lines, [](Statement& st, int& i, const AwardLine& x) {
                  bindRow(st, i, x.round_id, x.lot_id, x.bid_id, x.supplier_id, x.delivery_point_id, x.quantity,
                          x.unit_price, x.score);
                });
}

std::vector<AwardLine> SqlTx::listAwardLines(Id round_id) {
  return rows<AwardLine>(
      bound(c_,
            "SELECT round_id, lot_id, bid_id, supplier_id, delivery_point_id, quantity, unit_price, score "
            "FROM award_line WHERE round_id = ? ORDER BY id",
            round_id),
      [](Reader& r) {
        AwardLine l;
        l.round_id = r.i64();
        l.lot_id = r.i64();
        l.bid_id = r.i64();
        l.supplier_id = r.i64();
        l.delivery_point_id = r.optId();
        l.quantity = r.dec();
        l.unit_price = r.dec();
        l.score = r.exact();
        return l;
      });
}

void SqlTx::insertAwardDecision(const AwardDecision& d) {
  bound(c_,
        "INSERT INTO award_decision (round_id, decided_at, standstill_end, decided_by, certificate) "
        "VALUES (?, ?, ?, ?, ?)",
        d.round_id, d.decided_at, d.standstill_end, d.decided_by, d.certificate)
      .execute();
}

std::optional<AwardDecision> SqlTx::getAwardDecision(Id round_id) {
  return firstRow<AwardDecision>(
      bound(c_,
            "SELECT round_id, decided_at, standstill_end, decided_by, certificate FROM award_decision "
            "WHERE round_id = ?",
            round_id),
      [](Reader& r) {
        AwardDecision d;
        d.round_id = r.i64();
        d.decided_at = r.time();
        d.standstill_end = r.optTime();
        d.decided_by = r.str();
        d.certificate = r.str();
        return d;
      });
}

Id SqlTx::insertNoticePublication(const NoticePublication& p) {
  try {
    return insertedId(
        c_,
        "INSERT INTO notice_publication (dps_id, round_id, quarter, reference, published_at, recorded_at, "
        "recorded_by) VALUES (?, ?, ?, ?, ?, ?, ?)",
        p.dps_id, p.round_id, p.quarter, p.reference, p.published_at, p.recorded_at, p.recorded_by);
  } catch (const Error& e) {
    if (e.code() != ErrorCode::kConflict) throw;
    throw Error(ErrorCode::kConflict,
                "the publication of this award notice is recorded already; a notice is recorded once (rule 13)");
  }
}

std::vector<NoticePublication> SqlTx::listNoticePublications(Id dps_id) {
  return rows<NoticePublication>(
      bound(c_,
            "SELECT id, dps_id, round_id, quarter, reference, published_at, recorded_at, recorded_by "
            "FROM notice_publication WHERE dps_id = ? ORDER BY id",
            dps_id),
      [](Reader& r) {
        NoticePublication p;
        p.id = r.i64();
        p.dps_id = r.i64();
        p.round_id = r.i64();
        p.quarter = r.str();
        p.reference = r.str();
        p.published_at = r.time();
        p.recorded_at = r.time();
        p.recorded_by = r.str();
        return p;
      });
}

// --- accounts, sessions and settings --------------------------------------------------------------

Id SqlTx::insertAccount(const Account& a) {
  // Checked first for a message naming the username; the unique key still decides when two
  // transactions insert the same name at once.
  if (findAccountByUsername(a.username)) {
    throw Error(ErrorCode::kConflict, "the username '" + a.username + "' is taken: choose another one", "username");
  }
  try {
    return insertedId(
        c_,
        "INSERT INTO account (username, display_name, email, password_hash, role, authority_id, supplier_id, "
        "active, language, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        a.username, a.display_name, a.email, a.password_hash, a.role, a.authority_id, a.supplier_id, a.active,
        a.language, a.created_at);
  } catch (const Error& e) {
    if (e.code() != ErrorCode::kConflict) throw;
    throw Error(ErrorCode::kConflict, "the username '" + a.username + "' is taken: choose another one", "username");
  }
}

void SqlTx::updateAccount(const Account& a) {
  std::int64_t n = 0;
  try {
    n = bound(c_,
              "UPDATE account SET username = ?, display_name = ?, email = ?, password_hash = ?, role = ?, "
              "authority_id = ?, supplier_id = ?, active = ?, language = ? WHERE id = ?",
              a.username, a.display_name, a.email, a.password_hash, a.role, a.authority_id, a.supplier_id, a.active,
              a.language, a.id)
            .execute();
  } catch (const Error& e) {
    if (e.code() != ErrorCode::kConflict) throw;
    throw Error(ErrorCode::kConflict, "the username '" + a.username + "' is taken: choose another one", "username");
  }
  if (n == 0) notFound("account", a.id);
}

std::optional<Account> SqlTx::getAccount(Id id) {
  return firstRow<Account>(bound(c_, "SELECT " + kAccountCols + " FROM account WHERE id = ?", id), readAccount);
}

std::optional<Account> SqlTx::findAccountByUsername(const std::string& username) {
  return firstRow<Account>(bound(c_, "SELECT " + kAccountCols + " FROM account WHERE username = ?", username),
                           readAccount);
}

std::vector<Account> SqlTx::listAccounts() {
  return rows<Account>(c_.prepare("SELECT " + kAccountCols + " FROM account ORDER BY id"), readAccount);
}

void SqlTx::insertSession(const Session& s) {
  bound(c_,
        "INSERT INTO web_session (token_hash, account_id, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
        s.token_hash, s.account_id, s.csrf_token, s.created_at, s.expires_at)
      .execute();
}

std::optional<Session> SqlTx::findSession(const std::string& token_hash) {
  return firstRow<Session>(bound(c_, "SELECT " + kSessionCols + " FROM web_session WHERE token_hash = ?", token_hash),
                           readSession);
}

std::optional<std::pair<Session, Account>> SqlTx::findSessionWithAccount(const std::string& token_hash) {
  static const std::string sql = "SELECT " + qualified(kSessionCols, "s") + ", " + qualified(kAccountCols, "a") +
                                 " FROM web_session s JOIN account a ON a.id = s.account_id WHERE s.token_hash = ?";
  return firstRow<std::pair<Session, Account>>(bound(c_, sql, token_hash), [](Reader& r) {
    Session s = readSession(r);
    return std::pair<Session, Account>(std::move(s), readAccount(r));
  });
}

void SqlTx::deleteSession(const std::string& token_hash) {
  bound(c_, "DELETE FROM web_session WHERE token_hash = ?", token_hash).execute();
}

void SqlTx::deleteAccountSessions(Id account_id) {
  bound(c_, "DELETE FROM web_session WHERE account_id = ?", account_id).execute();
}

void SqlTx::deleteExpiredSessions(TimePoint now) {
  bound(c_, "DELETE FROM web_session WHERE expires_at <= ?", now).execute();
}

Id SqlTx::insertApiToken(const ApiToken& t) {
  return insertedId(c_,
                    "INSERT INTO api_token (token_hash, account_id, label, created_at, revoked) VALUES (?, ?, ?, ?, ?)",
                    t.token_hash, t.account_id, t.label, t.created_at, t.revoked);
}

std::optional<ApiToken> SqlTx::findApiToken(const std::string& token_hash) {
  return firstRow<ApiToken>(bound(c_, "SELECT " + kApiTokenCols + " FROM api_token WHERE token_hash = ?", token_hash),
                            readApiToken);
}

std::optional<Account> SqlTx::findAccountByApiToken(const std::string& token_hash) {
  static const std::string sql = "SELECT " + qualified(kAccountCols, "a") +
                                 " FROM api_token t JOIN account a ON a.id = t.account_id"
                                 " WHERE t.token_hash = ? AND t.revoked = 0";
  return firstRow<Account>(bound(c_, sql, token_hash), readAccount);
}

void SqlTx::revokeApiToken(Id id) {
  const std::int64_t n = bound(c_, "UPDATE api_token SET revoked = 1 WHERE id = ?", id).execute();
  if (n == 0) notFound("API token", id);
}

void SqlTx::insertLoginAttempt(const LoginAttempt& a) {
  bound(c_, "INSERT INTO login_attempt (username, address, at, success) VALUES (?, ?, ?, ?)", a.username,
        a.address, a.at, a.success)
      .execute();
}

int SqlTx::countFailedLogins(const std::string& username, const std::string& address, TimePoint since) {
  // One query per shape, so that each uses its own index.
  Statement* st = nullptr;
  if (!username.empty() && !address.empty()) {
    st = &bound(c_,
                "SELECT COUNT(*) FROM login_attempt WHERE success = 0 AND at >= ? AND (username = ? OR address = ?)",
                since, username, address);
  } else if (!username.empty()) {
    st = &bound(c_, "SELECT COUNT(*) FROM login_attempt WHERE success = 0 AND at >= ? AND username = ?", since,
                username);
  } else if (!address.empty()) {
    st = &bound(c_, "SELECT COUNT(*) FROM login_attempt WHERE success = 0 AND at >= ? AND address = ?", since,
                address);
  } else {
    return 0;
  }
  st->query();
  std::int64_t count = 0;
  while (st->next()) count = st->getInt(0);
  return static_cast<int>(std::min<std::int64_t>(count, std::numeric_limits<int>::max()));
}

void SqlTx::putSetting(const std::string& key, const std::string& value) {
  bound(c_, upsert(c_.dialect(), "app_setting", {"setting_key"}, {"setting_value"}), key, value).execute();
}

std::optional<std::string> SqlTx::getSetting(const std::string& key) {
  return firstRow<std::string>(bound(c_, "SELECT setting_value FROM app_setting WHERE setting_key = ?", key),
                               [](Reader& r) { return r.str(); });
}

Id SqlTx::insertOutboxMessage(const OutboxMessage& m) {
  return insertedId(c_,
                    "INSERT INTO outbox_message (recipient, subject, body, object, status, attempts, created_at, "
                    "next_attempt_at, last_error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    m.recipient, m.subject, m.body, m.object, m.status, m.attempts, m.created_at, m.next_attempt_at,
                    m.last_error);
}

void SqlTx::updateOutboxMessage(const OutboxMessage& m) {
  const std::int64_t n =
      bound(c_,
            "UPDATE outbox_message SET recipient = ?, subject = ?, body = ?, object = ?, status = ?, attempts = ?, "
            "next_attempt_at = ?, last_error = ? WHERE id = ?",
            m.recipient, m.subject, m.body, m.object, m.status, m.attempts, m.next_attempt_at, m.last_error, m.id)
          .execute();
  if (n == 0) notFound("outbox message", m.id);
}

std::vector<OutboxMessage> SqlTx::listDueOutbox(TimePoint now, std::size_t limit) {
  return rows<OutboxMessage>(bound(c_,
                                   "SELECT " + kOutboxCols +
                                       " FROM outbox_message WHERE status = ? AND next_attempt_at <= ? "
                                       "ORDER BY id LIMIT ?",
                                   OutboxStatus::kPending, now, limitValue(limit)),
                             readOutbox);
}

std::vector<OutboxMessage> SqlTx::listOutbox(std::size_t limit) {
  return rows<OutboxMessage>(
      bound(c_, "SELECT " + kOutboxCols + " FROM outbox_message ORDER BY id DESC LIMIT ?", limitValue(limit)),
      readOutbox);
}

// --- audit log ----------------------------------------------------------------------------------------

std::optional<AuditEntry> SqlTx::lastAuditEntry() {
  // One locking read of the head and the entry it names: on MySQL both are current reads under the
  // row lock, so the entry cannot be a stale snapshot whatever the isolation level.
  std::string sql =
      "SELECT h.last_seq, e.seq, e.at, e.actor, e.action, e.object, e.digest, e.prev_hash, e.hash "
      "FROM audit_head h LEFT JOIN audit_entry e ON e.seq = h.last_seq WHERE h.id = 1";
  if (mysql()) sql += " FOR UPDATE";
  Statement& st = c_.prepare(sql);
  st.query();
  bool found = false;
  std::int64_t last_seq = 0;
  std::optional<AuditEntry> entry;
  while (st.next()) {
    found = true;
    Reader r(st);
    last_seq = r.i64();
    if (!r.nullNext()) entry = readAudit(r);
  }
  if (!found) {
    throw Error(ErrorCode::kUnavailable, "the audit log's head row is missing from " + c_.describe() +
                                             ": run the schema migration (Store::migrate)");
  }
  if (last_seq == 0) return std::nullopt;
  if (!entry) {
    throw Error(ErrorCode::kInternal, "the audit log says its last entry is " + std::to_string(last_seq) +
                                          " but that entry is missing in " + c_.describe() +
                                          ": the log was altered; run the audit verification and report it");
  }
  return entry;
}

void SqlTx::appendAudit(const AuditEntry& e) {
  if (e.seq < 1) {
    throw Error(ErrorCode::kInvalidArgument, "audit entry seq must be 1 or more, got " + std::to_string(e.seq),
                "seq");
  }
  // Moving the head first takes its lock (or waits for it), so a wrong seq is found before any write.
  const std::int64_t moved =
      bound(c_, "UPDATE audit_head SET last_seq = ? WHERE id = 1 AND last_seq = ?", e.seq, e.seq - 1).execute();
  if (moved == 0) {
    Statement& st = c_.prepare("SELECT last_seq FROM audit_head WHERE id = 1");
    st.query();
    std::int64_t last = -1;
    while (st.next()) last = st.getInt(0);
    if (last < 0) {
      throw Error(ErrorCode::kUnavailable, "the audit log's head row is missing from " + c_.describe() +
                                               ": run the schema migration (Store::migrate)");
    }
    throw Error(ErrorCode::kConflict, "audit entry " + std::to_string(e.seq) + " does not follow the last entry " +
                                          std::to_string(last) +
                                          ": read lastAuditEntry() in the same transaction and append last + 1");
  }
  bound(c_,
        "INSERT INTO audit_entry (seq, at, actor, action, object, digest, prev_hash, hash) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        e.seq, e.at, e.actor, e.action, e.object, e.digest, e.prev_hash, e.hash)
      .execute();
}

std::vector<AuditEntry> SqlTx::listAudit(std::int64_t from_seq, std::size_t limit) {
  const auto capped = static_cast<std::int64_t>(
      std::min<std::size_t>(limit, static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max())));
  return rows<AuditEntry>(
      bound(c_, "SELECT " + kAuditCols + " FROM audit_entry WHERE seq >= ? ORDER BY seq LIMIT ?", from_seq, capped),
      readAudit);
}

}  // namespace core::sql
