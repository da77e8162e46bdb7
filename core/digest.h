#pragma once
// SHA-256 (libsodium) as lowercase hex: the audit chain and bid receipts. Thread-safe.

#include <string>
#include <string_view>

namespace core {

std::string sha256Hex(std::string_view data);

}  // namespace core
