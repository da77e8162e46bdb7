#pragma once
// The audit log (revizijska sled): every state change appends an entry in the same transaction,
// hash-chained with SHA-256 so that an altered, removed or reordered entry is found.
// Free functions over a Tx / Store; thread-safe as the Store is.

#include <cstdint>
#include <string>
#include <vector>

#include "core/store.h"

namespace core {

// The hash of an entry: SHA-256 hex over prev_hash, seq, at, actor, action, object and digest,
// each on its own line.
std::string auditEntryHash(const AuditEntry& e);

// Appends one entry describing a change; `change` is a canonical description of what changed
// (its SHA-256 becomes the entry's digest). Must be the last write of the transaction that made
// the change, so that the chain's lock is held briefly.
AuditEntry appendAudit(Tx& tx, TimePoint at, const std::string& actor, const std::string& action,
                       const std::string& object, const std::string& change);

struct AuditProblem {
  std::int64_t seq = 0;  // the entry where the chain breaks
  std::string what;      // "entry 17 was altered: its hash does not match its content"
};

struct AuditVerification {
  std::int64_t entries = 0;
  std::vector<AuditProblem> problems;  // empty: the chain is intact
  bool ok() const { return problems.empty(); }
};

// Reads the whole log in pages and checks the chain: sequence without gaps, each prev_hash equal
// to the previous entry's hash, each hash equal to the recomputed one; and checks the log against
// its head (the store's record of the last sequence number, moved in the same transaction as each
// append), so that entries cut off the end, which leave an intact but shorter chain, are found too.
// What it cannot find is a rewrite of the whole tail together with the head by someone with write
// access to the database: that needs the head hash anchored outside it (e.g. published).
AuditVerification verifyAudit(Store& store);

}  // namespace core
