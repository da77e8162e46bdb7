// core::openStore(): the store named by a uri, for every backend (see store.h for the forms).

#include <cstdlib>
#include <string>

#include "core/error.h"
#include "core/mysql/mysql_store.h"
#include "core/sqlite/sqlite_store.h"
#include "core/store.h"

namespace core {

namespace {

constexpr const char* kUriForms =
    "use sqlite:PATH (e.g. sqlite:var/dps.sqlite), mysql://USER@HOST:PORT/DATABASE or "
    "mysql://USER@unix:SOCKET/DATABASE";

[[noreturn]] void malformed(const std::string& uri, const std::string& what) {
  throw Error(ErrorCode::kInvalidArgument, "store uri '" + uri + "': " + what + "; " + kUriForms);
}

MysqlOptions parseMysqlUri(const std::string& uri) {
  static const std::string kScheme = "mysql://";
  std::string rest = uri.substr(kScheme.size());
  MysqlOptions options;
  const std::size_t at = rest.find('@');
  if (at == std::string::npos || at == 0) malformed(uri, "the user name is missing");
  options.user = rest.substr(0, at);
  if (options.user.find(':') != std::string::npos)
    malformed(uri, "a password must not be written in the uri; set DPS_MYSQL_PASSWORD instead");
  rest = rest.substr(at + 1);
  const std::size_t slash = rest.rfind('/');
  if (slash == std::string::npos || slash + 1 >= rest.size()) malformed(uri, "the database name is missing");
  options.database = rest.substr(slash + 1);
  const std::string location = rest.substr(0, slash);
  if (location.rfind("unix:", 0) == 0) {
    options.unix_socket = location.substr(5);
    if (options.unix_socket.empty()) malformed(uri, "the socket path after 'unix:' is missing");
  } else {
    const std::size_t colon = location.rfind(':');
    if (colon == std::string::npos) {
      options.host = location;
    } else {
      options.host = location.substr(0, colon);
      const std::string port = location.substr(colon + 1);
      char* end = nullptr;
      const long value = std::strtol(port.c_str(), &end, 10);
      if (port.empty() || *end != '\0' || value < 1 || value > 65535)
        malformed(uri, "the port '" + port + "' is not a number from 1 to 65535");
      options.port = static_cast<int>(value);
    }
    if (options.host.empty()) malformed(uri, "the host name is missing");
  }
  if (const char* password = std::getenv("DPS_MYSQL_PASSWORD"); password != nullptr) options.password = password;
  return options;
}

}  // namespace

std::unique_ptr<Store> openStore(const std::string& uri) {
  if (uri.rfind("sqlite:", 0) == 0) {
    const std::string path = uri.substr(7);
    if (path.empty()) malformed(uri, "the file path is missing");
    return openSqliteStore(path);
  }
  if (uri.rfind("mysql://", 0) == 0) return openMysqlStore(parseMysqlUri(uri));
  malformed(uri, "unknown scheme");
}

}  // namespace core
