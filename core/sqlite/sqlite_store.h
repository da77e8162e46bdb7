#pragma once
// The SQLite implementation of core::Store: one database file, shared safely by the threads of one
// process and by several processes on one machine. Commits are durable when transact() returns
// (write-ahead log with synchronous=FULL). The threads of one process queue their transactions for
// one writer, which runs the queued ones together and commits them with one durable commit (group
// commit, core/sql/sql_store.h); across processes writers serialise on the database's write lock
// (every group starts with BEGIN IMMEDIATE and waits up to 5 s for it, then retries). Foreign keys
// are enforced. The log is copied back into the database file by a thread of the store's own, not
// by the committing writer (see Checkpointer in sqlite_store.cpp). Thread-safety: the returned
// store is thread-safe.

#include <memory>
#include <string>

#include "core/store.h"

namespace core {

// Opens the SQLite database file at `path`, creating the file when it does not exist. The folder
// must exist: the store never creates folders, and a missing one is reported as
// Error(kUnavailable) naming it. ":memory:" is refused (kInvalidArgument): every pooled connection
// would see a database of its own. Call migrate() before the first transaction on a new file.
std::unique_ptr<Store> openSqliteStore(const std::string& path);

}  // namespace core
