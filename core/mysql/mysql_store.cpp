#include "core/mysql/mysql_store.h"

#include <cppconn/connection.h>
#include <cppconn/datatype.h>
#include <cppconn/exception.h>
#include <cppconn/metadata.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <cppconn/statement.h>
#include <mysql_driver.h>

#include <cstdio>
#include <iterator>
#include <sstream>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/sql/sql_store.h"

namespace core {

namespace {

// How long a statement waits for a row lock before the transaction is retried by SqlStore.
constexpr int kLockWaitTimeoutS = 20;

// MySQL / MariaDB server error numbers (mysqld_error.h, errmsg.h) the store reacts to.
enum MysqlErrno : int {
  kDupKey = 1022,
  kDbAccessDenied = 1044,
  kAccessDenied = 1045,
  kNullColumn = 1048,
  kBadDb = 1049,
  kBadField = 1054,
  kDupEntry = 1062,
  kNoSuchTable = 1146,
  kLockWaitTimeout = 1205,
  kLockDeadlock = 1213,
  kNoReferencedRow = 1216,
  kRowIsReferenced = 1217,
  kWarnDataOutOfRange = 1264,
  kTruncatedWrongValue = 1292,
  kIncorrectValue = 1366,
  kDataTooLong = 1406,
  kRowIsReferenced2 = 1451,
  kNoReferencedRow2 = 1452,
  kDupEntryWithKeyName = 1586,
  kReadOnlyTransaction = 1792,
  kConnectionKilled = 1927,
  kCheckConstraint = 4025,
  kConnectionClosedIdle = 4031,
  kCrConnectionError = 2002,
  kCrConnHostError = 2003,
  kCrUnknownHost = 2005,
  kCrServerGone = 2006,
  kCrServerLost = 2013,
  kCrServerLostExtended = 2055,
};

// Whether the server (its version string, e.g. "10.11.19-MariaDB-0+deb12u1") is MariaDB 10.5 or
// later, which answers "INSERT ... RETURNING"; MySQL does not.
bool supportsReturning(const std::string& version) {
  if (version.find("MariaDB") == std::string::npos) return false;
  int major = 0;
  int minor = 0;
  if (std::sscanf(version.c_str(), "%d.%d", &major, &minor) != 2) return false;
  return major > 10 || (major == 10 && minor >= 5);
}

bool connectionLost(int code) {
  return code == kCrServerGone || code == kCrServerLost || code == kCrServerLostExtended ||
         code == kConnectionKilled || code == kConnectionClosedIdle;
}

// "INSERT INTO bid (...)" -> "bid": duplicate-key messages name the key, this names its table.
std::string tableOf(const std::string& text) {
  for (const std::string& lead : {std::string("INSERT INTO "), std::string("UPDATE "), std::string("DELETE FROM ")}) {
    if (text.rfind(lead, 0) == 0) {
      const std::size_t end = text.find_first_of(" (", lead.size());
      return text.substr(lead.size(), end == std::string::npos ? std::string::npos : end - lead.size());
    }
  }
  return {};
}

::sql::mysql::MySQL_Driver& driver() {
  // Created once: the connector's driver lookup is not safe to race from several threads.
  static ::sql::mysql::MySQL_Driver* const instance = ::sql::mysql::get_mysql_driver_instance();
  return *instance;
}

class MysqlConnection;

class MysqlStatement final : public sql::Statement {
 public:
  MysqlStatement(MysqlConnection& connection, std::unique_ptr<::sql::PreparedStatement> ps, std::string text)
      : connection_(connection), ps_(std::move(ps)), text_(std::move(text)) {}

  void clear();
  void bindNull(int index) override;
  void bindInt(int index, std::int64_t value) override;
  void bindDouble(int index, double value) override;
  void bindText(int index, const std::string& value) override;
  void bindBlob(int index, const std::string& value) override;
  std::int64_t execute() override;
  void query() override;
  bool next() override;
  bool isNull(int column) override;
  std::int64_t getInt(int column) override;
  double getDouble(int column) override;
  std::string getText(int column) override;
  std::string getBlob(int column) override;

 private:
  static unsigned int param(int index) { return static_cast<unsigned int>(index); }
  static std::uint32_t col(int column) { return static_cast<std::uint32_t>(column + 1); }
  template <class F>
  auto guard(F f) -> decltype(f());
  ::sql::ResultSet& rows();

  MysqlConnection& connection_;
  std::unique_ptr<::sql::PreparedStatement> ps_;
  std::unique_ptr<::sql::ResultSet> rs_;
  // The connector reads bound blobs from these streams when the statement runs.
  std::vector<std::unique_ptr<std::istringstream>> blobs_;
  std::string text_;
};

class MysqlConnection final : public sql::Connection {
 public:
  explicit MysqlConnection(const MysqlOptions& o) : where_(describeOptions(o)) {
    ::sql::ConnectOptionsMap props;
    props["hostName"] = ::sql::SQLString(o.unix_socket.empty() ? "tcp://" + o.host + ":" + std::to_string(o.port)
                                                               : "unix://" + o.unix_socket);
    props["userName"] = ::sql::SQLString(o.user);
    props["password"] = ::sql::SQLString(o.password);
    props["schema"] = ::sql::SQLString(o.database);
    props["OPT_CHARSET_NAME"] = ::sql::SQLString("utf8mb4");
    // Affected rows are the rows matched, as in SQLite: an UPDATE that changes nothing still
    // finds its row, so "0" means "no such row" on both backends.
    props["CLIENT_FOUND_ROWS"] = true;
    props["OPT_CONNECT_TIMEOUT"] = 10;
    try {
      conn_.reset(driver().connect(props));
      conn_->setAutoCommit(false);
      returning_ = supportsReturning(conn_->getMetaData()->getDatabaseProductVersion().asStdString());
      conn_->setTransactionIsolation(::sql::TRANSACTION_READ_COMMITTED);
      service_.reset(conn_->createStatement());
      service_->execute(
          "SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_ZERO_DATE,NO_ZERO_IN_DATE,ERROR_FOR_DIVISION_BY_ZERO,"
          "NO_ENGINE_SUBSTITUTION', SESSION innodb_lock_wait_timeout = " +
          std::to_string(kLockWaitTimeoutS));
    } catch (const ::sql::SQLException& e) {
      const int code = e.getErrorCode();
      std::string hint = "check that the server is running and reachable there";
      if (code == kAccessDenied || code == kDbAccessDenied) {
        hint = "check the user name and its password (DPS_MYSQL_PASSWORD for openStore) and its grants on the database";
      } else if (code == kBadDb) {
        hint = "create the database first (CREATE DATABASE " + o.database + " CHARACTER SET utf8mb4)";
      }
      throw Error(ErrorCode::kUnavailable, "cannot connect to " + where_ + ": " + e.what() + " (error " +
                                               std::to_string(code) + "): " + hint);
    }
  }

  ~MysqlConnection() override {
    statements_.clear();
    service_.reset();
    if (conn_) {
      try {
        conn_->close();
      } catch (const ::sql::SQLException& e) {
        // The server went away first; there is nothing left to close and no caller to tell.
        static_cast<void>(e);
      }
    }
  }
  MysqlConnection(const MysqlConnection&) = delete;
  MysqlConnection& operator=(const MysqlConnection&) = delete;

  sql::Dialect dialect() const override { return sql::Dialect::kMysql; }

  sql::Statement& prepare(const std::string& text) override {
    auto it = statements_.find(text);
    if (it != statements_.end()) {
      it->second->clear();
      return *it->second;
    }
    std::unique_ptr<::sql::PreparedStatement> ps;
    try {
      ps.reset(conn_->prepareStatement(text));
    } catch (const ::sql::SQLException& e) {
      fail(e, text);
    }
    auto owned = std::make_unique<MysqlStatement>(*this, std::move(ps), text);
    MysqlStatement& ref = *owned;
    statements_.emplace(text, std::move(owned));
    return ref;
  }

  void exec(const std::string& text) override {
    try {
      service_->execute(text);
    } catch (const ::sql::SQLException& e) {
      fail(e, text);
    }
  }

  // Autocommit is off: the transaction starts with its first statement, which saves a round trip.
  void begin() override {}
  void makeReadOnly() override { exec("SET SESSION TRANSACTION READ ONLY"); }
  void beginRead() override {}

  void commit() override {
    try {
      conn_->commit();
    } catch (const ::sql::SQLException& e) {
      if (connectionLost(e.getErrorCode())) {
        healthy_ = false;
        throw Error(ErrorCode::kUnavailable, "the connection to " + where_ + " was lost while committing (" +
                                                 e.what() +
                                                 "): the change may or may not be stored; check before repeating it");
      }
      fail(e, "COMMIT");
    }
  }

  void rollback() noexcept override {
    try {
      conn_->rollback();
    } catch (const ::sql::SQLException& e) {
      static_cast<void>(e);
      healthy_ = false;  // state unknown: the pool closes this connection, which ends the transaction
    }
  }

  bool insertReturnsId() const override { return returning_; }

  std::int64_t lastInsertId() override {
    sql::Statement& st = prepare("SELECT LAST_INSERT_ID()");
    st.query();
    std::int64_t id = 0;
    while (st.next()) id = st.getInt(0);
    return id;
  }

  bool healthy() const override { return healthy_; }
  std::string describe() const override { return where_; }

  // Turns a connector exception into core::Error (or RetryableError) with a message for the user.
  [[noreturn]] void fail(const ::sql::SQLException& e, const std::string& text) {
    const int code = e.getErrorCode();
    const std::string msg = e.what();
    const std::string table = tableOf(text);
    const std::string in_table = table.empty() ? std::string() : " in table " + table;
    switch (code) {
      case kLockDeadlock:
      case kLockWaitTimeout:
        throw sql::RetryableError(where_ + " reported a lock conflict (" + msg + ")");
      case kDupEntry:
      case kDupKey:
      case kDupEntryWithKeyName:
        throw Error(ErrorCode::kConflict, "a row with the same key already exists" + in_table + " (" + msg +
                                              "): use the existing row or choose another key");
      case kNoReferencedRow:
      case kNoReferencedRow2:
      case kRowIsReferenced:
      case kRowIsReferenced2:
        throw Error(ErrorCode::kNotFound, "a row this change refers to does not exist" + in_table + " (" + msg +
                                              "): check the ids it names");
      case kNullColumn:
      case kWarnDataOutOfRange:
      case kTruncatedWrongValue:
      case kIncorrectValue:
      case kDataTooLong:
      case kCheckConstraint:
        throw Error(ErrorCode::kInvalidArgument, "the database refused the values" + in_table + " (" + msg + ")");
      case kReadOnlyTransaction:
        throw Error(ErrorCode::kInternal, "a read-only transaction (Store::read) tried to write (" + msg +
                                              "): the caller must use Store::transact; running: " + text);
      case kNoSuchTable:
      case kBadField:
        throw Error(ErrorCode::kUnavailable,
                    where_ + " lacks part of the schema (" + msg + "): run the schema migration (Store::migrate)");
      case kAccessDenied:
      case kDbAccessDenied:
      case kCrConnectionError:
      case kCrConnHostError:
      case kCrUnknownHost:
        healthy_ = false;
        throw Error(ErrorCode::kUnavailable, "cannot use " + where_ + " (" + msg +
                                                 "): check that the server runs and the user may use the database");
      default:
        break;
    }
    if (connectionLost(code)) {
      healthy_ = false;
      throw sql::RetryableError("the connection to " + where_ + " was lost (" + msg + ")");
    }
    throw Error(ErrorCode::kInternal, where_ + " failed (" + msg + ", error " + std::to_string(code) + ", SQLSTATE " +
                                          e.getSQLState() + ") running: " + text);
  }

 private:
  static std::string describeOptions(const MysqlOptions& o) {
    const std::string at = o.unix_socket.empty() ? o.host + ":" + std::to_string(o.port) : "socket " + o.unix_socket;
    return "MySQL database '" + o.database + "' at " + at + " as user '" + o.user + "'";
  }

  std::string where_;
  std::unique_ptr<::sql::Connection> conn_;
  std::unique_ptr<::sql::Statement> service_;
  std::unordered_map<std::string, std::unique_ptr<MysqlStatement>> statements_;
  bool healthy_ = true;
  bool returning_ = false;
};

template <class F>
auto MysqlStatement::guard(F f) -> decltype(f()) {
  try {
    return f();
  } catch (const ::sql::SQLException& e) {
    connection_.fail(e, text_);
  }
}

::sql::ResultSet& MysqlStatement::rows() {
  if (!rs_) throw Error(ErrorCode::kInternal, "a result column was read before query() ran: " + text_);
  return *rs_;
}

void MysqlStatement::clear() {
  rs_.reset();
  guard([&] { ps_->clearParameters(); });
  blobs_.clear();
}

void MysqlStatement::bindNull(int index) { guard([&] { ps_->setNull(param(index), ::sql::DataType::SQLNULL); }); }
void MysqlStatement::bindInt(int index, std::int64_t value) { guard([&] { ps_->setInt64(param(index), value); }); }
void MysqlStatement::bindDouble(int index, double value) { guard([&] { ps_->setDouble(param(index), value); }); }
void MysqlStatement::bindText(int index, const std::string& value) {
  guard([&] { ps_->setString(param(index), ::sql::SQLString(value)); });
}
void MysqlStatement::bindBlob(int index, const std::string& value) {
  blobs_.push_back(std::make_unique<std::istringstream>(value));
  guard([&] { ps_->setBlob(param(index), blobs_.back().get()); });
}

std::int64_t MysqlStatement::execute() {
  rs_.reset();
  return guard([&] { return static_cast<std::int64_t>(ps_->executeUpdate()); });
}

void MysqlStatement::query() {
  rs_.reset();
  guard([&] { rs_.reset(ps_->executeQuery()); });
}

bool MysqlStatement::next() {
  return guard([&] { return rows().next(); });
}

bool MysqlStatement::isNull(int column) {
  return guard([&] { return rows().isNull(col(column)); });
}
std::int64_t MysqlStatement::getInt(int column) {
  return guard([&] { return static_cast<std::int64_t>(rows().getInt64(col(column))); });
}
double MysqlStatement::getDouble(int column) {
  return guard([&] { return static_cast<double>(rows().getDouble(col(column))); });
}
std::string MysqlStatement::getText(int column) {
  return guard([&] { return std::string(rows().getString(col(column)).asStdString()); });
}
std::string MysqlStatement::getBlob(int column) {
  return guard([&] {
    std::unique_ptr<std::istream> in(rows().getBlob(col(column)));
    if (!in) return std::string();
    return std::string(std::istreambuf_iterator<char>(*in), std::istreambuf_iterator<char>());
  });
}

}  // namespace

std::unique_ptr<Store> openMysqlStore(const MysqlOptions& options) {
  if (options.database.empty()) {
    throw Error(ErrorCode::kInvalidArgument, "the MySQL store needs a database name", "database");
  }
  if (options.user.empty()) {
    throw Error(ErrorCode::kInvalidArgument, "the MySQL store needs a user name", "user");
  }
  return std::make_unique<sql::SqlStore>("mysql", [options]() -> std::unique_ptr<sql::Connection> {
    return std::make_unique<MysqlConnection>(options);
  });
}

}  // namespace core
