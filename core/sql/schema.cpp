#include "core/sql/schema.h"

#include <utility>

namespace core::sql {

namespace {

// Timestamps are BIGINT seconds since the epoch (UTC), Decimals BIGINT raw millionths, Exact
// values their canonical text, enums the text of core::toString(), booleans INT 0/1. Every column
// is NOT NULL except the optional timestamps and ids of the model.
std::vector<MigrationStep> makeSteps() {
  std::vector<MigrationStep> steps;

  steps.push_back(MigrationStep{
      1,
      "authorities, DPS, categories, criteria, suppliers, delivery points, products, admission",
      {
          {std::nullopt,
           "CREATE TABLE IF NOT EXISTS authority ("
           " id {pk},"
           " name {text} NOT NULL,"
           " country {key} NOT NULL,"
           " time_zone {key} NOT NULL"
           "){opts}"},
          {std::nullopt,
           "CREATE TABLE IF NOT EXISTS dps ("
           " id {pk},"
           " authority_id BIGINT NOT NULL,"
           " reference {key} NOT NULL,"
           " title {text} NOT NULL,"
           " cpv {key} NOT NULL,"
           " status {key} NOT NULL,"
           " published_at BIGINT NULL,"
           " request_deadline BIGINT NOT NULL,"
           " valid_until BIGINT NOT NULL,"
           " criteria_version INT NOT NULL,"
           " first_invitation_at BIGINT NULL,"
           " initial_assessment_extended_until BIGINT NULL,"
           " CONSTRAINT fk_dps_authority FOREIGN KEY (authority_id) REFERENCES authority (id)"
           "){opts}"},
          {std::nullopt,
           "CREATE TABLE IF NOT EXISTS vehicle_factor ("
           " dps_id BIGINT NOT NULL,"
           " pos INT NOT NULL,"
           " vehicle {key} NOT NULL,"
           " kg_co2e_per_tkm BIGINT NOT NULL,"
           " PRIMARY KEY (dps_id, pos),"
           " CONSTRAINT uq_vehicle_factor_vehicle UNIQUE (dps_id, vehicle),"
           " CONSTRAINT fk_vehicle_factor_dps FOREIGN KEY (dps_id) REFERENCES dps (id)"
           "){opts}"},
          {std::nullopt,
           "CREATE TABLE IF NOT EXISTS category ("
           " id {pk},"
           " dps_id BIGINT NOT NULL,"
           " code {key} NOT NULL,"
           " name {text} NOT NULL,"
           " cpv {key} NOT NULL,"
           " area {text} NOT NULL,"
           " CONSTRAINT uq_category_code UNIQUE (dps_id, code),"
           " CONSTRAINT fk_category_dps FOREIGN KEY (dps_id) REFERENCES dps (id)"
           "){opts}"},
          {std::nullopt,
           "CREATE TABLE IF NOT EXISTS criterion ("
           " dps_id BIGINT NOT NULL,"
           " version INT NOT NULL,"
           " pos INT NOT NULL,"
           " kind {key} NOT NULL,"
           " formula {key} NOT NULL,"
           " weight INT NOT NULL,"
           " min_weight INT NOT NULL,"
           " max_weight INT NOT NULL,"
           " band_a BIGINT NOT NULL,"
           " band_b BIGINT NOT NULL,"
           " fact {key} NOT NULL,"
           " description {text} NOT NULL,"
           " PRIMARY KEY (dps_id, version, pos),"
           " CONSTRAINT fk_criterion_dps FOREIGN KEY (dps_id) REFERENCES dps (id)"
           "){opts}"},
          {std::nullopt,
           "CREATE TABLE IF NOT EXISTS criterion_band ("
           " dps_id BIGINT NOT NULL,"
           " version INT NOT NULL,"
           " pos INT NOT NULL,"
           " band_pos INT NOT NULL,"
           " threshold BIGINT NOT NULL,"
           " points {text} NOT NULL,"
           " PRIMARY KEY (dps_id, version, pos, band_pos),"
           " CONSTRAINT fk_criterion_band_criterion FOREIGN KEY (dps_id, version, pos)"
           "   REFERENCES criterion (dps_id, version, pos)"
           "){opts}"},
          {std::nullopt,
           "CREATE TABLE IF NOT EXISTS supplier ("
           " id {pk},"
           " name {text} NOT NULL,"
           " tax_number {key} NOT NULL,"
           " address {text} NOT NULL,"
           " country {key} NOT NULL,"
           " email {text} NOT NULL,"
           " is_sme INT NOT NULL,"
           " CONSTRAINT uq_supplier_tax_number UNIQUE (tax_number)"
           "){opts}"},
          {std::nullopt,
           "CREATE TABLE IF NOT EXISTS certificate ("
           " supplier_id BIGINT NOT NULL,"
           " pos INT NOT NULL,"
           " name {text} NOT NULL,"
           " number {text} NOT NULL,"
           " valid_until BIGINT NULL,"
           " PRIMARY KEY (supplier_id, pos),"
           " CONSTRAINT fk_certificate_supplier FOREIGN KEY (supplier_id) REFERENCES supplier (id)"
           "){opts}"},
          // pos is NULL once the supplier no longer lists the point: bids keep referring to it.
          {std::nullopt,
           "CREATE TABLE IF NOT EXISTS dispatch_point ("
           " id {pk},"
           " supplier_id BIGINT NOT NULL,"
           " pos INT NULL,"
           " name {text} NOT NULL,"
           " address {text} NOT NULL,"
           " lat {real} NOT NULL,"
           " lon {real} NOT NULL,"
           " CONSTRAINT fk_dispatch_point_supplier FOREIGN KEY (supplier_id) REFERENCES supplier (id)"
           "){opts}"},
          {std::nullopt,
           "CREATE TABLE IF NOT EXISTS delivery_point ("
           " id {pk},"
           " authority_id BIGINT NOT NULL,"
           " code {key} NOT NULL,"
           " name {text} NOT NULL,"
           " address {text} NOT NULL,"
           " lat {real} NOT NULL,"
           " lon {real} NOT NULL,"
           " CONSTRAINT uq_delivery_point_code UNIQUE (authority_id, code),"
           " CONSTRAINT fk_delivery_point_authority FOREIGN KEY (authority_id) REFERENCES authority (id)"
           "){opts}"},
          {std::nullopt,
           "CREATE TABLE IF NOT EXISTS product ("
           " id {pk},"
           " code {key} NOT NULL,"
           " cpv {key} NOT NULL,"
           " name_sl {text} NOT NULL,"
           " name_en {text} NOT NULL,"
           " unit {key} NOT NULL,"
           " unit_mass_kg BIGINT NOT NULL,"
           " CONSTRAINT uq_product_code UNIQUE (code)"
           "){opts}"},
          {std::nullopt,
           "CREATE TABLE IF NOT EXISTS admission_request ("
           " id {pk},"
           " supplier_id BIGINT NOT NULL,"
           " category_id BIGINT NOT NULL,"
           " received_at BIGINT NOT NULL,"
           " self_declaration {doc} NOT NULL,"
           " status {key} NOT NULL,"
           " decided_at BIGINT NULL,"
           " decided_by {text} NOT NULL,"
           " reason {text} NOT NULL,"
           " extension_justification {text} NOT NULL,"
           " CONSTRAINT fk_admission_request_supplier FOREIGN KEY (supplier_id) REFERENCES supplier (id),"
           " CONSTRAINT fk_admission_request_category FOREIGN KEY (category_id) REFERENCES category (id)"
           "){opts}"},
          {std::nullopt,
           "CREATE TABLE IF NOT EXISTS renewal_request ("
           " id {pk},"
           " supplier_id BIGINT NOT NULL,"
           " requested_at BIGINT NOT NULL,"
           " due_at BIGINT NOT NULL,"
           " fulfilled_at BIGINT NULL,"
           " self_declaration {doc} NOT NULL,"
           " CONSTRAINT fk_renewal_request_supplier FOREIGN KEY (supplier_id) REFERENCES supplier (id)"
           "){opts}"},
          {std::nullopt,
           "CREATE TABLE IF NOT EXISTS road_distance ("
           " dispatch_point_id BIGINT NOT NULL,"
           " delivery_point_id BIGINT NOT NULL,"
           " km BIGINT NOT NULL,"
           " PRIMARY KEY (dispatch_point_id, delivery_point_id),"
           " CONSTRAINT fk_road_distance_dispatch FOREIGN KEY (dispatch_point_id) REFERENCES dispatch_point (id),"
           " CONSTRAINT fk_road_distance_delivery FOREIGN KEY (delivery_point_id) REFERENCES delivery_point (id)"
           "){opts}"},
          // InnoDB indexes every foreign key by itself; SQLite needs them spelt out.
          {Dialect::kSqlite, "CREATE INDEX IF NOT EXISTS ix_dps_authority ON dps (authority_id)"},
          {Dialect::kSqlite, "CREATE INDEX IF NOT EXISTS ix_dispatch_point_supplier ON dispatch_point (supplier_id)"},
          {Dialect::kSqlite,
           "CREATE INDEX IF NOT EXISTS ix_admission_request_supplier ON admission_request (supplier_id)"},
          {Dialect::kSqlite,
           "CREATE INDEX IF NOT EXISTS ix_admission_request_category ON admission_request (category_id)"},
          {Dialect::kSqlite,
           "CREATE INDEX IF NOT EXISTS ix_renewal_request_supplier ON renewal_request (supplier_id)"},
      }});

  steps.push_back(MigrationStep{
      2,
      "rounds, lots, invitations, bids, evaluation and award",
      {
          {std::nullopt,
           "CREATE TABLE IF NOT EXISTS purchase_round ("
           " id {pk},"
           " dps_id BIGINT NOT NULL,"
           " category_id BIGINT NOT NULL,"
           " reference {key} NOT NULL,"
           " title {text} NOT NULL,"
           " status {key} NOT NULL,"
           " award_mode {key} NOT NULL,"
           " allow_partial INT NOT NULL,"
           " dispatched_at BIGINT NULL,"
           " deadline BIGINT NOT NULL,"
           " opened_at BIGINT NULL,"
           " criteria_version INT NOT NULL,"
           " CONSTRAINT fk_purchase_round_dps FOREIGN KEY (dps_id) REFERENCES dps (id),"
           " CONSTRAINT fk_purchase_round_category FOREIGN KEY (category_id) REFERENCES category (id)"
           "){opts}"},
          {std::nullopt,
           "CREATE TABLE IF NOT EXISTS weight_refinement ("
           " round_id BIGINT NOT NULL,"
           " pos INT NOT NULL,"
           " kind {key} NOT NULL,"
           " weight INT NOT NULL,"
           " PRIMARY KEY (round_id, pos),"
           " CONSTRAINT fk_weight_refinement_round FOREIGN KEY (round_id) REFERENCES purchase_round (id)"
           "){opts}"},
          {std::nullopt,
           "CREATE TABLE IF NOT EXISTS lot ("
           " id {pk},"
           " round_id BIGINT NOT NULL,"
           " number INT NOT NULL,"
           " cpv {key} NOT NULL,"
           " description {text} NOT NULL,"
           " unit {key} NOT NULL,"
           " unit_mass_kg BIGINT NOT NULL,"
           " quality_spec {text} NOT NULL,"
           " min_delivery BIGINT NOT NULL,"
           " CONSTRAINT uq_lot_number UNIQUE (round_id, number),"
           " CONSTRAINT fk_lot_round FOREIGN KEY (round_id) REFERENCES purchase_round (id)"
           "){opts}"},
          {std::nullopt,
           "CREATE TABLE IF NOT EXISTS demand ("
           " lot_id BIGINT NOT NULL,"
           " pos INT NOT NULL,"
           " delivery_point_id BIGINT NOT NULL,"
           " quantity BIGINT NOT NULL,"
           " schedule {text} NOT NULL,"
           " PRIMARY KEY (lot_id, pos),"
           " CONSTRAINT fk_demand_lot FOREIGN KEY (lot_id) REFERENCES lot (id),"
           " CONSTRAINT fk_demand_delivery_point FOREIGN KEY (delivery_point_id) REFERENCES delivery_point (id)"
           "){opts}"},
          {std::nullopt,
           "CREATE TABLE IF NOT EXISTS invitation ("
           " round_id BIGINT NOT NULL,"
           " supplier_id BIGINT NOT NULL,"
           " invited_at BIGINT NOT NULL,"
           " CONSTRAINT uq_invitation_round_supplier PRIMARY KEY (round_id, supplier_id),"
           " CONSTRAINT fk_invitation_round FOREIGN KEY (round_id) REFERENCES purchase_round (id),"
           " CONSTRAINT fk_invitation_supplier FOREIGN KEY (supplier_id) REFERENCES supplier (id)"
           "){opts}"},
          {std::nullopt,
           "CREATE TABLE IF NOT EXISTS bid ("
           " id {pk},"
           " round_id BIGINT NOT NULL,"
           " supplier_id BIGINT NOT NULL,"
           " version INT NOT NULL,"
           " status {key} NOT NULL,"
           " submitted_at BIGINT NOT NULL,"
           " digest {key} NOT NULL,"
           " sealed {blob} NOT NULL,"
           " status_reason {text} NOT NULL,"
           " CONSTRAINT fk_bid_round FOREIGN KEY (round_id) REFERENCES purchase_round (id),"
           " CONSTRAINT fk_bid_supplier FOREIGN KEY (supplier_id) REFERENCES supplier (id)"
           "){opts}"},
          {std::nullopt,
           "CREATE TABLE IF NOT EXISTS bid_line ("
           " bid_id BIGINT NOT NULL,"
           " lot_id BIGINT NOT NULL,"
           " pos INT NOT NULL,"
           " unit_price BIGINT NOT NULL,"
           " quantity BIGINT NOT NULL,"
           " dispatch_point_id BIGINT NOT NULL,"
           " organic INT NOT NULL,"
           " quality_scheme INT NOT NULL,"
           " hours_from_harvest INT NOT NULL,"
           " intermediaries INT NOT NULL,"
           " vehicle {key} NOT NULL,"
           " CONSTRAINT uq_bid_line_bid_lot PRIMARY KEY (bid_id, lot_id),"
           " CONSTRAINT fk_bid_line_bid FOREIGN KEY (bid_id) REFERENCES bid (id),"
           " CONSTRAINT fk_bid_line_lot FOREIGN KEY (lot_id) REFERENCES lot (id),"
           " CONSTRAINT fk_bid_line_dispatch_point FOREIGN KEY (dispatch_point_id) REFERENCES dispatch_point (id)"
           "){opts}"},
          {std::nullopt,
           "CREATE TABLE IF NOT EXISTS point_offer ("
           " bid_id BIGINT NOT NULL,"
           " lot_id BIGINT NOT NULL,"
           " pos INT NOT NULL,"
           " delivery_point_id BIGINT NOT NULL,"
           " quantity BIGINT NOT NULL,"
           " PRIMARY KEY (bid_id, lot_id, pos),"
           " CONSTRAINT fk_point_offer_bid_line FOREIGN KEY (bid_id, lot_id) REFERENCES bid_line (bid_id, lot_id),"
           " CONSTRAINT fk_point_offer_delivery_point FOREIGN KEY (delivery_point_id) REFERENCES delivery_point (id)"
           "){opts}"},
          // delivery_point_id 0 means "the lot as a whole", so it carries no foreign key.
          {std::nullopt,
           "CREATE TABLE IF NOT EXISTS score ("
           " id {pk},"
           " round_id BIGINT NOT NULL,"
           " lot_id BIGINT NOT NULL,"
           " bid_id BIGINT NOT NULL,"
           " delivery_point_id BIGINT NOT NULL,"
           " kind {key} NOT NULL,"
           " formula {key} NOT NULL,"
           " weight INT NOT NULL,"
           " inputs {text} NOT NULL,"
           " value_exact {text} NOT NULL,"
           " points {text} NOT NULL,"
           " CONSTRAINT fk_score_round FOREIGN KEY (round_id) REFERENCES purchase_round (id),"
           " CONSTRAINT fk_score_lot FOREIGN KEY (lot_id) REFERENCES lot (id),"
           " CONSTRAINT fk_score_bid FOREIGN KEY (bid_id) REFERENCES bid (id)"
           "){opts}"},
          {std::nullopt,
           "CREATE TABLE IF NOT EXISTS lot_result ("
           " id {pk},"
           " round_id BIGINT NOT NULL,"
           " lot_id BIGINT NOT NULL,"
           " bid_id BIGINT NOT NULL,"
           " delivery_point_id BIGINT NOT NULL,"
           " supplier_id BIGINT NOT NULL,"
           " total {text} NOT NULL,"
           " rank_no INT NOT NULL,"
           " admissible INT NOT NULL,"
           " abnormally_low INT NOT NULL,"
           " note {text} NOT NULL,"
           " CONSTRAINT uq_lot_result UNIQUE (round_id, lot_id, bid_id, delivery_point_id),"
           " CONSTRAINT fk_lot_result_round FOREIGN KEY (round_id) REFERENCES purchase_round (id),"
           " CONSTRAINT fk_lot_result_lot FOREIGN KEY (lot_id) REFERENCES lot (id),"
           " CONSTRAINT fk_lot_result_bid FOREIGN KEY (bid_id) REFERENCES bid (id),"
           " CONSTRAINT fk_lot_result_supplier FOREIGN KEY (supplier_id) REFERENCES supplier (id)"
           "){opts}"},
          {std::nullopt,
           "CREATE TABLE IF NOT EXISTS abnormal_low_case ("
           " round_id BIGINT NOT NULL,"
           " lot_id BIGINT NOT NULL,"
           " bid_id BIGINT NOT NULL,"
           " explanation_requested_at BIGINT NULL,"
           " explanation {text} NOT NULL,"
           " decided_at BIGINT NULL,"
           " rejected INT NOT NULL,"
           " PRIMARY KEY (round_id, lot_id, bid_id),"
           " CONSTRAINT fk_abnormal_low_case_round FOREIGN KEY (round_id) REFERENCES purchase_round (id),"
           " CONSTRAINT fk_abnormal_low_case_lot FOREIGN KEY (lot_id) REFERENCES lot (id),"
           " CONSTRAINT fk_abnormal_low_case_bid FOREIGN KEY (bid_id) REFERENCES bid (id)"
           "){opts}"},
          {std::nullopt,
           "CREATE TABLE IF NOT EXISTS award_line ("
           " id {pk},"
           " round_id BIGINT NOT NULL,"
           " lot_id BIGINT NOT NULL,"
           " bid_id BIGINT NOT NULL,"
           " supplier_id BIGINT NOT NULL,"
           " delivery_point_id BIGINT NULL,"
           " quantity BIGINT NOT NULL,"
           " unit_price BIGINT NOT NULL,"
           " score {text} NOT NULL,"
           " CONSTRAINT fk_award_line_round FOREIGN KEY (round_id) REFERENCES purchase_round (id),"
           " CONSTRAINT fk_award_line_lot FOREIGN KEY (lot_id) REFERENCES lot (id),"
           " CONSTRAINT fk_award_line_bid FOREIGN KEY (bid_id) REFERENCES bid (id),"
           " CONSTRAINT fk_award_line_supplier FOREIGN KEY (supplier_id) REFERENCES supplier (id),"
           " CONSTRAINT fk_award_line_delivery_point FOREIGN KEY (delivery_point_id) REFERENCES delivery_point (id)"
           "){opts}"},
          {std::nullopt,
           "CREATE TABLE IF NOT EXISTS award_decision ("
           " round_id BIGINT NOT NULL PRIMARY KEY,"
           " decided_at BIGINT NOT NULL,"
           " standstill_end BIGINT NULL,"
           " decided_by {text} NOT NULL,"
           " certificate {doc} NOT NULL,"
           " CONSTRAINT fk_award_decision_round FOREIGN KEY (round_id) REFERENCES purchase_round (id)"
           "){opts}"},
          {Dialect::kSqlite, "CREATE INDEX IF NOT EXISTS ix_purchase_round_dps ON purchase_round (dps_id)"},
          {Dialect::kSqlite, "CREATE INDEX IF NOT EXISTS ix_bid_round ON bid (round_id)"},
          {Dialect::kSqlite, "CREATE INDEX IF NOT EXISTS ix_score_round ON score (round_id)"},
          {Dialect::kSqlite, "CREATE INDEX IF NOT EXISTS ix_award_line_round ON award_line (round_id)"},
      }});

  steps.push_back(MigrationStep{
      3,
      "hash-chained audit log",
      {
          {std::nullopt,
           "CREATE TABLE IF NOT EXISTS audit_entry ("
           " seq BIGINT NOT NULL PRIMARY KEY,"
           " at BIGINT NOT NULL,"
           " actor {text} NOT NULL,"
           " action {key} NOT NULL,"
           " object {key} NOT NULL,"
           " digest {key} NOT NULL,"
           " prev_hash {key} NOT NULL,"
           " hash {key} NOT NULL"
           "){opts}"},
          // One row holding the last sequence number: lastAuditEntry() locks it (FOR UPDATE on
          // MySQL), so appends from every process and thread queue on it and seq has no gaps.
          {std::nullopt,
           "CREATE TABLE IF NOT EXISTS audit_head ("
           " id INT NOT NULL PRIMARY KEY,"
           " last_seq BIGINT NOT NULL,"
           " CONSTRAINT ck_audit_head_single_row CHECK (id = 1)"
           "){opts}"},
          {Dialect::kSqlite, "INSERT OR IGNORE INTO audit_head (id, last_seq) VALUES (1, 0)"},
          {Dialect::kMysql, "INSERT IGNORE INTO audit_head (id, last_seq) VALUES (1, 0)"},
      }});

  // authority_id and supplier_id of an account are 0 when the role has none, so they carry no
  // foreign key. MySQL has no CREATE INDEX IF NOT EXISTS (MariaDB has), so its indexes are declared
  // inside CREATE TABLE, which is itself safe to run again.
  steps.push_back(MigrationStep{
      4,
      "accounts, sessions, API tokens, login attempts, settings and the e-mail outbox",
      {
          {std::nullopt,
           "CREATE TABLE IF NOT EXISTS account ("
           " id {pk},"
           " username {key} NOT NULL,"
           " display_name {text} NOT NULL,"
           " email {text} NOT NULL,"
           " password_hash {text} NOT NULL,"
           " role {key} NOT NULL,"
           " authority_id BIGINT NOT NULL,"
           " supplier_id BIGINT NOT NULL,"
           " active INT NOT NULL,"
           " language {key} NOT NULL,"
           " created_at BIGINT NOT NULL,"
           " CONSTRAINT uq_account_username UNIQUE (username)"
           "){opts}"},
          {Dialect::kSqlite,
           "CREATE TABLE IF NOT EXISTS web_session ("
           " token_hash {key} NOT NULL PRIMARY KEY,"
           " account_id BIGINT NOT NULL,"
           " csrf_token {key} NOT NULL,"
           " created_at BIGINT NOT NULL,"
           " expires_at BIGINT NOT NULL,"
           " CONSTRAINT fk_web_session_account FOREIGN KEY (account_id) REFERENCES account (id)"
           "){opts}"},
          {Dialect::kMysql,
           "CREATE TABLE IF NOT EXISTS web_session ("
           " token_hash {key} NOT NULL PRIMARY KEY,"
           " account_id BIGINT NOT NULL,"
           " csrf_token {key} NOT NULL,"
           " created_at BIGINT NOT NULL,"
           " expires_at BIGINT NOT NULL,"
           " INDEX ix_web_session_expires (expires_at),"
           " CONSTRAINT fk_web_session_account FOREIGN KEY (account_id) REFERENCES account (id)"
           "){opts}"},
          {std::nullopt,
           "CREATE TABLE IF NOT EXISTS api_token ("
           " id {pk},"
           " token_hash {key} NOT NULL,"
           " account_id BIGINT NOT NULL,"
           " label {text} NOT NULL,"
           " created_at BIGINT NOT NULL,"
           " revoked INT NOT NULL,"
           " CONSTRAINT uq_api_token_hash UNIQUE (token_hash),"
           " CONSTRAINT fk_api_token_account FOREIGN KEY (account_id) REFERENCES account (id)"
           "){opts}"},
          {Dialect::kSqlite,
           "CREATE TABLE IF NOT EXISTS login_attempt ("
           " id {pk},"
           " username {key} NOT NULL,"
           " address {key} NOT NULL,"
           " at BIGINT NOT NULL,"
           " success INT NOT NULL"
           "){opts}"},
          {Dialect::kMysql,
           "CREATE TABLE IF NOT EXISTS login_attempt ("
           " id {pk},"
           " username {key} NOT NULL,"
           " address {key} NOT NULL,"
           " at BIGINT NOT NULL,"
           " success INT NOT NULL,"
           " INDEX ix_login_attempt_username (username, at),"
           " INDEX ix_login_attempt_address (address, at)"
           "){opts}"},
          {std::nullopt,
           "CREATE TABLE IF NOT EXISTS app_setting ("
           " setting_key {key} NOT NULL PRIMARY KEY,"
           " setting_value {text} NOT NULL"
           "){opts}"},
          {Dialect::kSqlite,
           "CREATE TABLE IF NOT EXISTS outbox_message ("
           " id {pk},"
           " recipient {text} NOT NULL,"
           " subject {text} NOT NULL,"
           " body {doc} NOT NULL,"
           " object {key} NOT NULL,"
           " status {key} NOT NULL,"
           " attempts INT NOT NULL,"
           " created_at BIGINT NOT NULL,"
           " next_attempt_at BIGINT NOT NULL,"
           " last_error {text} NOT NULL"
           "){opts}"},
          {Dialect::kMysql,
           "CREATE TABLE IF NOT EXISTS outbox_message ("
           " id {pk},"
           " recipient {text} NOT NULL,"
           " subject {text} NOT NULL,"
           " body {doc} NOT NULL,"
           " object {key} NOT NULL,"
           " status {key} NOT NULL,"
           " attempts INT NOT NULL,"
           " created_at BIGINT NOT NULL,"
           " next_attempt_at BIGINT NOT NULL,"
           " last_error {text} NOT NULL,"
           " INDEX ix_outbox_message_due (status, next_attempt_at)"
           "){opts}"},
          {Dialect::kSqlite, "CREATE INDEX IF NOT EXISTS ix_web_session_account ON web_session (account_id)"},
          {Dialect::kSqlite, "CREATE INDEX IF NOT EXISTS ix_web_session_expires ON web_session (expires_at)"},
          {Dialect::kSqlite, "CREATE INDEX IF NOT EXISTS ix_api_token_account ON api_token (account_id)"},
          {Dialect::kSqlite,
           "CREATE INDEX IF NOT EXISTS ix_login_attempt_username ON login_attempt (username, at)"},
          {Dialect::kSqlite, "CREATE INDEX IF NOT EXISTS ix_login_attempt_address ON login_attempt (address, at)"},
          {Dialect::kSqlite,
           "CREATE INDEX IF NOT EXISTS ix_outbox_message_due ON outbox_message (status, next_attempt_at)"},
      }});

  // round_id of a notice publication is 0 for the notice grouping a quarter, so it carries no
  // foreign key; the unique key allows one notice per round and one per (DPS, quarter). The
  // certificate archive keeps replaced certificates with the instant they stopped being in effect.
  steps.push_back(MigrationStep{
      5,
      "award notice publications (rule 13) and the certificate archive",
      {
          {std::nullopt,
           "CREATE TABLE IF NOT EXISTS certificate_archive ("
           " supplier_id BIGINT NOT NULL,"
           " in_effect_until BIGINT NOT NULL,"
           " pos INT NOT NULL,"
           " name {text} NOT NULL,"
           " number {text} NOT NULL,"
           " valid_until BIGINT NULL,"
           " PRIMARY KEY (supplier_id, in_effect_until, pos),"
           " CONSTRAINT fk_certificate_archive_supplier FOREIGN KEY (supplier_id) REFERENCES supplier (id)"
           "){opts}"},
          {std::nullopt,
           "CREATE TABLE IF NOT EXISTS notice_publication ("
           " id {pk},"
           " dps_id BIGINT NOT NULL,"
           " round_id BIGINT NOT NULL,"
           " quarter {key} NOT NULL,"
           " reference {text} NOT NULL,"
           " published_at BIGINT NOT NULL,"
           " recorded_at BIGINT NOT NULL,"
           " recorded_by {text} NOT NULL,"
           " CONSTRAINT uq_notice_publication UNIQUE (dps_id, round_id, quarter),"
           " CONSTRAINT fk_notice_publication_dps FOREIGN KEY (dps_id) REFERENCES dps (id)"
           "){opts}"},
      }});

  steps.push_back(MigrationStep{
      6,
      "the supplier's size class (eForms BT-165)",
      {
          {std::nullopt, "ALTER TABLE supplier ADD COLUMN size_class {key} NOT NULL DEFAULT ''", "supplier.size_class"},
      }});

  // A submission reads the supplier's newest version in the round (Tx::latestBid); without this
  // index that read scanned every bid of the round.
  steps.push_back(MigrationStep{
      7,
      "an index on bids by round, supplier and version",
      {
          {std::nullopt, "CREATE INDEX ix_bid_round_supplier_version ON bid (round_id, supplier_id, version)", "",
           "bid.ix_bid_round_supplier_version"},
      }});

  return steps;
}

void replaceAll(std::string& text, const std::string& from, const std::string& to) {
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
}

}  // namespace

const std::vector<MigrationStep>& migrationSteps() {
  static const std::vector<MigrationStep> steps = makeSteps();
  return steps;
}

int latestSchemaVersion() { return migrationSteps().back().version; }

std::string renderDdl(const std::string& text, Dialect dialect) {
  static const std::vector<std::pair<std::string, std::string>> kSqlite = {
      {"{pk}", "INTEGER PRIMARY KEY AUTOINCREMENT"},
      {"{key}", "TEXT"},
      {"{text}", "TEXT"},
      {"{doc}", "TEXT"},
      {"{blob}", "BLOB"},
      {"{real}", "REAL"},
      {"{opts}", ""},
  };
  // VARCHAR(255) in utf8mb4 stays within InnoDB's 3072-byte index key limit even in a 4-column key.
  static const std::vector<std::pair<std::string, std::string>> kMysql = {
      {"{pk}", "BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY"},
      {"{key}", "VARCHAR(255)"},
      {"{text}", "TEXT"},
      {"{doc}", "MEDIUMTEXT"},
      {"{blob}", "LONGBLOB"},
      {"{real}", "DOUBLE"},
      {"{opts}", " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin"},
  };
  std::string out = text;
  for (const auto& [from, to] : dialect == Dialect::kSqlite ? kSqlite : kMysql) replaceAll(out, from, to);
  return out;
}

}  // namespace core::sql
