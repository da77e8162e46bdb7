#include "core/audit.h"

#include "core/digest.h"

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

AuditVerification verifyAudit(Store& store) {
  AuditVerification result;
  constexpr std::size_t kPage = 5000;
  std::int64_t next_seq = 1;
  std::string prev_hash(64, '0');
  for (;;) {
    std::vector<AuditEntry> page;
    store.transact([&](Tx& tx) { page = tx.listAudit(next_seq, kPage); });
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
  return result;
}

}  // namespace core
