#include "core/sealer.h"

#include <sodium.h>
#include <sys/stat.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "core/error.h"

namespace core {
namespace {

void ensureSodium() {
  if (sodium_init() < 0) throw Error(ErrorCode::kInternal, "libsodium could not be initialised");
}

Sealer::Key roundKey(const Sealer::Key& master, Id round_id) {
  Sealer::Key key{};
  static constexpr char kContext[crypto_kdf_CONTEXTBYTES + 1] = "dpsbid01";
  crypto_kdf_derive_from_key(key.data(), key.size(), static_cast<std::uint64_t>(round_id), kContext,
                             master.data());
  return key;
}

std::string associatedData(Id round_id, Id supplier_id) {
  return "round:" + std::to_string(round_id) + "/supplier:" + std::to_string(supplier_id);
}

const char* kKeyHelp =
    "; the master key is 64 hexadecimal characters, in the file named by sealing.key_file or in the "
    "environment variable DPS_MASTER_KEY (`dps init` creates the file)";

}  // namespace

Sealer::Sealer(const Key& master_key) : master_(master_key) { ensureSodium(); }

Sealer Sealer::fromHex(const std::string& hex) {
  ensureSodium();
  Key key{};
  std::size_t len = 0;
  std::string trimmed = hex;
  while (!trimmed.empty() && (trimmed.back() == '\n' || trimmed.back() == '\r' || trimmed.back() == ' '))
    trimmed.pop_back();
  if (trimmed.size() != kKeyBytes * 2 ||
      sodium_hex2bin(key.data(), key.size(), trimmed.data(), trimmed.size(), nullptr, &len, nullptr) != 0 ||
      len != kKeyBytes)
    throw Error(ErrorCode::kInvalidArgument, std::string("the master key is malformed") + kKeyHelp);
  return Sealer(key);
}

Sealer Sealer::fromKeyFile(const std::string& path) {
  std::ifstream in(path);
  if (!in)
    throw Error(ErrorCode::kInvalidArgument, "cannot read the master key file '" + path + "'" + kKeyHelp);
  std::stringstream text;
  text << in.rdbuf();
  return fromHex(text.str());
}

void Sealer::createKeyFile(const std::string& path) {
  ensureSodium();
  if (std::ifstream(path))
    throw Error(ErrorCode::kConflict, "the master key file '" + path +
                                          "' exists already; keep it (sealed bids need it) or move it away");
  Key key{};
  randombytes_buf(key.data(), key.size());
  std::array<char, kKeyBytes * 2 + 1> hex{};
  sodium_bin2hex(hex.data(), hex.size(), key.data(), key.size());
  const mode_t old_mask = ::umask(077);
  std::ofstream out(path);
  ::umask(old_mask);
  out << hex.data() << '\n';
  out.close();
  sodium_memzero(key.data(), key.size());
  if (!out) throw Error(ErrorCode::kUnavailable, "cannot write the master key file '" + path + "'");
}

std::string Sealer::seal(Id round_id, Id supplier_id, const std::string& plain) const {
  Key key = roundKey(master_, round_id);
  const std::string ad = associatedData(round_id, supplier_id);
  std::string out(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + plain.size() +
                      crypto_aead_xchacha20poly1305_ietf_ABYTES,
                  '\0');
  auto* nonce = reinterpret_cast<unsigned char*>(out.data());
  randombytes_buf(nonce, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
  unsigned long long written = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      nonce + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, &written,
      reinterpret_cast<const unsigned char*>(plain.data()), plain.size(),
      reinterpret_cast<const unsigned char*>(ad.data()), ad.size(), nullptr, nonce, key.data());
  sodium_memzero(key.data(), key.size());
  out.resize(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + written);
  return out;
}

std::string Sealer::open(Id round_id, Id supplier_id, const std::string& sealed) const {
  constexpr std::size_t kNonce = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
  if (sealed.size() < kNonce + crypto_aead_xchacha20poly1305_ietf_ABYTES)
    throw Error(ErrorCode::kInternal, "sealed bid of round " + std::to_string(round_id) + " is truncated");
  Key key = roundKey(master_, round_id);
  const std::string ad = associatedData(round_id, supplier_id);
  std::string plain(sealed.size() - kNonce - crypto_aead_xchacha20poly1305_ietf_ABYTES, '\0');
  unsigned long long written = 0;
  const auto* nonce = reinterpret_cast<const unsigned char*>(sealed.data());
  const int rc = crypto_aead_xchacha20poly1305_ietf_decrypt(
      reinterpret_cast<unsigned char*>(plain.data()), &written, nullptr, nonce + kNonce, sealed.size() - kNonce,
      reinterpret_cast<const unsigned char*>(ad.data()), ad.size(), nonce, key.data());
  sodium_memzero(key.data(), key.size());
  if (rc != 0)
    throw Error(ErrorCode::kInternal, "sealed bid of supplier " + std::to_string(supplier_id) + " in round " +
                                          std::to_string(round_id) +
                                          " cannot be opened: it was altered or the master key is not the one "
                                          "it was sealed with");
  plain.resize(written);
  return plain;
}

namespace {

// Field values are free of ';', '=', '\n' except `vehicle`, which is escaped.
std::string escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '%' || c == ';' || c == '=' || c == '\n' || c == ',' || c == ':') {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", static_cast<unsigned char>(c));
      out += buf;
    } else {
      out += c;
    }
  }
  return out;
}

std::string unescape(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

}  // namespace

std::string encodeBidLines(const std::vector<BidLine>& lines) {
  std::string out = "dps-bid/1\n";
  for (const BidLine& l : lines) {
    out += "lot=" + std::to_string(l.lot_id) + ";price=" + l.unit_price.toString() +
           ";quantity=" + l.quantity.toString() + ";dispatch=" + std::to_string(l.dispatch_point_id) +
           ";organic=" + (l.organic ? "1" : "0") + ";quality=" + (l.quality_scheme ? "1" : "0") +
           ";hours=" + std::to_string(l.hours_from_harvest) + ";intermediaries=" +
           std::to_string(l.intermediaries) + ";vehicle=" + escape(l.vehicle) + ";points=";
    for (std::size_t i = 0; i < l.point_offers.size(); ++i) {
      if (i) out += ',';
      out += std::to_string(l.point_offers[i].delivery_point_id) + ":" + l.point_offers[i].quantity.toString();
    }
    out += '\n';
  }
  return out;
}

std::vector<BidLine> decodeBidLines(const std::string& text) {
  std::istringstream in(text);
  std::string line;
  if (!std::getline(in, line) || line != "dps-bid/1")
    throw Error(ErrorCode::kInternal, "bid content is not in the dps-bid/1 format");
  std::vector<BidLine> lines;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    BidLine l;
    std::istringstream fields(line);
    std::string field;
    while (std::getline(fields, field, ';')) {
      const auto eq = field.find('=');
      if (eq == std::string::npos) throw Error(ErrorCode::kInternal, "bid content field without '=': " + field);
      const std::string key = field.substr(0, eq);
      const std::string value = field.substr(eq + 1);
      if (key == "lot") l.lot_id = std::stoll(value);
      else if (key == "price") l.unit_price = Decimal::parse(value, "price");
      else if (key == "quantity") l.quantity = Decimal::parse(value, "quantity");
      else if (key == "dispatch") l.dispatch_point_id = std::stoll(value);
      else if (key == "organic") l.organic = value == "1";
      else if (key == "quality") l.quality_scheme = value == "1";
      else if (key == "hours") l.hours_from_harvest = std::stoi(value);
      else if (key == "intermediaries") l.intermediaries = std::stoi(value);
      else if (key == "vehicle") l.vehicle = unescape(value);
      else if (key == "points") {
        std::istringstream offers(value);
        std::string offer;
        while (std::getline(offers, offer, ',')) {
          const auto colon = offer.find(':');
          if (colon == std::string::npos) throw Error(ErrorCode::kInternal, "bad point offer: " + offer);
          l.point_offers.push_back({std::stoll(offer.substr(0, colon)),
                                    Decimal::parse(offer.substr(colon + 1), "point quantity")});
        }
      } else {
        throw Error(ErrorCode::kInternal, "unknown bid content field: " + key);
      }
    }
    lines.push_back(std::move(l));
  }
  return lines;
}

}  // namespace core
