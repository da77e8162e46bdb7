#pragma once
// The versioned schema of the SQL stores: numbered migration steps, each a list of statements
// written once with type placeholders and rendered per dialect, plus the few statements that exist
// for one database only. SqlStore::migrate() applies the steps a database lacks, in order, and
// records each in the schema_version table. A step, once released, is never edited: a change to
// the schema is a new step. Thread-safety: immutable data.

#include <optional>
#include <string>
#include <vector>

#include "core/sql/connection.h"

namespace core::sql {

struct SchemaStatement {
  std::optional<Dialect> only;  // empty: for every dialect
  std::string text;             // with placeholders, see renderDdl()
  // For ALTER TABLE ... ADD COLUMN: "table.column", skipped when the column exists. MySQL commits
  // DDL at once, so a step cut short by a crash runs again; SQLite's migration is one transaction.
  std::string adds_column = {};
  // For CREATE INDEX (MySQL has no IF NOT EXISTS for it): "table.index", skipped when it exists.
  std::string adds_index = {};
};

struct MigrationStep {
  int version = 0;  // 1, 2, 3, ... without gaps
  std::string description;
  std::vector<SchemaStatement> statements;
};

// Every step, in version order.
const std::vector<MigrationStep>& migrationSteps();
// The version the newest step brings the schema to.
int latestSchemaVersion();

// Replaces the placeholders of a DDL statement by the dialect's text:
//   {pk}   auto-increment 64-bit primary key     {key}  short text that takes part in a key
//   {text} text up to 64 KiB                      {doc}  a document (ESPD response, certificate)
//   {blob} binary content                         {real} double precision
//   {opts} table options (InnoDB, utf8mb4 with binary collation so that keys compare as in SQLite)
std::string renderDdl(const std::string& text, Dialect dialect);

}  // namespace core::sql
