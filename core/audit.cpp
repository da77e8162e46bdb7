#include "core/audit.h"

#include "core/digest.h"
#include "core/error.h"

namespace core {

std::string auditEntryHash(const AuditEntry& e) {
  std::string text;
  text.reserve(256);
  text += e.prev_hash;
  text += '\n';
  text += std::to_string(e.seq);
  text += '\n';
  text += formatTime(e.at);
  text += '\n';
  text += e.actor;
  text += '\n';
  text += e.action;
  text += '\n';
  text += e.object;
  text += '\n';
  text += e.digest;
  return sha256Hex(text);
}

AuditEntry appendAudit(Tx& tx, TimePoint at, const std::string& actor, const std::string& action,
                       const std::string& object, const std::string& change) {
  const std::optional<AuditEntry> last = tx.lastAuditEntry();
  AuditEntry e;
  e.seq = last ? last->seq + 1 : 1;
  e.at = at;
  e.actor = actor;
  e.action = action;
  e.object = object;
  e.digest = sha256Hex(change);
  e.prev_hash = last ? last->hash : std::string(64, '0');
  e.hash = auditEntryHash(e);
  tx.appendAudit(e);
  return e;
}

namespace {

// The log's head as the store records it: the last sequence number, or the store's own complaint
// when the entry the head names is missing (the end of the log was cut off).
struct Head {
  std::int64_t last_seq = 0;
  std::string missing;  // non-empty: the head names an entry that is not there
};

Head readHead(Store& store) {
  Head head;
  // A write transaction: lastAuditEntry() locks the head (on MySQL a locking read is refused in a
  // read-only transaction); the walk below reads.
  store.transact([&](Tx& tx) {
    try {
      const std::optional<AuditEntry> last = tx.lastAuditEntry();
      head.last_seq = last ? last->seq : 0;
    } catch (const Error& e) {
      if (e.code() != ErrorCode::kInternal) throw;
      head.missing = e.what();
    }
  });
  return head;
}

}  // namespace

AuditVerification verifyAudit(Store& store) {
  AuditVerification result;
  // The head is read before the walk: every entry it counts was committed before the walk began,
  // so the walk must reach it. Entries appended during the walk only make the log longer.
  const Head before = readHead(store);
  constexpr std::size_t kPage = 5000;
  std::int64_t next_seq = 1;
  std::string prev_hash(64, '0');
  for (;;) {
    std::vector<AuditEntry> page;
    store.read([&](Tx& tx) { page = tx.listAudit(next_seq, kPage); });
    // The store returns entries with seq >= next_seq; a gap shows as a first seq above next_seq.
    for (const AuditEntry& e : page) {
      if (e.seq != next_seq) {
        result.problems.push_back(
            {next_seq, e.seq > next_seq
                           ? "entries " + std::to_string(next_seq) + " to " + std::to_string(e.seq - 1) +
                                 " are missing: the log was cut"
                           : "entry " + std::to_string(e.seq) + " appears out of order"});
      }
      if (e.prev_hash != prev_hash) {
        result.problems.push_back({e.seq, "entry " + std::to_string(e.seq) +
                                              " does not follow the entry before it (its previous-hash "
                                              "differs): an entry was removed, inserted or reordered"});
      }
      if (auditEntryHash(e) != e.hash) {
        result.problems.push_back({e.seq, "entry " + std::to_string(e.seq) +
                                              " was altered: its hash does not match its content"});
      }
      prev_hash = e.hash;
      next_seq = e.seq + 1;
      ++result.entries;
    }
    if (page.size() < kPage) break;
  }
  const std::int64_t last_seq = next_seq - 1;
  // Tail truncation: the head still names the entries that were deleted from the end.
  if (!before.missing.empty()) {
    result.problems.push_back({next_seq, "the log ends at entry " + std::to_string(last_seq) +
                                             " but its head records a later last entry: entries at the end "
                                             "were removed (" + before.missing + ")"});
  } else if (before.last_seq > last_seq) {
    result.problems.push_back({next_seq, "the log ends at entry " + std::to_string(last_seq) + " but its head "
                                             "records entry " + std::to_string(before.last_seq) +
                                             " as the last: entries at the end were removed"});
  }
  // Entries written behind the head's back: the head read after the walk must count them all.
  const Head after = readHead(store);
  if (after.missing.empty() && after.last_seq < last_seq) {
    result.problems.push_back({after.last_seq + 1, "entries " + std::to_string(after.last_seq + 1) + " to " +
                                                       std::to_string(last_seq) +
                                                       " are not counted by the log's head: they were added "
                                                       "outside the audit log's append"});
  }
  return result;
}

}  // namespace core
