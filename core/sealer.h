#pragma once
// core::Sealer: bid content encrypted at rest until opening (DESIGN.md rule 8; Art. 22(3), Annex IV).
//
// Each round has its own key, derived from the master key and the round id with libsodium's
// crypto_kdf (BLAKE2b); content is sealed with XChaCha20-Poly1305 (AEAD) bound to the round and the
// supplier, so a sealed blob cannot be moved to another round or supplier. A copy of the database
// shows no price; only a process holding the master key can open a bid, and the engine does so only
// after the deadline. Immutable after construction; thread-safe.

#include <array>
#include <string>

#include "core/model.h"

namespace core {

class Sealer {
 public:
  static constexpr std::size_t kKeyBytes = 32;
  using Key = std::array<unsigned char, kKeyBytes>;

  explicit Sealer(const Key& master_key);
  // Reads a master key file (64 hex characters); throws Error(kInvalidArgument) saying how to
  // create one (`dps init` writes it) when absent or malformed.
  static Sealer fromKeyFile(const std::string& path);
  // Writes a new random key file with mode 0600; throws Error(kConflict) if the file exists.
  static void createKeyFile(const std::string& path);
  // The key from 64 hex characters (e.g. the environment variable DPS_MASTER_KEY).
  static Sealer fromHex(const std::string& hex);

  std::string seal(Id round_id, Id supplier_id, const std::string& plain) const;
  // Throws Error(kInternal) when the blob was altered or belongs to another round or supplier.
  std::string open(Id round_id, Id supplier_id, const std::string& sealed) const;

 private:
  Key master_;
};

// Canonical text of a bid's lines: what is sealed, and what the receipt's SHA-256 digest covers.
std::string encodeBidLines(const std::vector<BidLine>& lines);
std::vector<BidLine> decodeBidLines(const std::string& text);

}  // namespace core
