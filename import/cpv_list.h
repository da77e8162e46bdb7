#pragma once
// importer::CpvList: the Common Procurement Vocabulary (CPV 2008, Regulation (EC) No 213/2008) as
// a lookup from 8-digit code to label and check digit, loaded from a JSON object such as
// {"03221000-6": "Vegetables", ...} (the list shipped under shared/standards/cpv-openprocurement).
//
// Codes are matched on their first 8 digits; the check digit after the dash is compared with the
// list's. The check digit is not computed: the published list's check digits follow no single
// formula (weights 3-7-1 reproduce about 94 % of them, but whole branches such as 033xxxxx fish and
// 722xxxxx software differ), so a computed check would reject valid codes. Without a list, only the
// format can be checked.
//
// Immutable after loading; thread-safe.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace importer {

// A CPV code as written in a file: 8 digits, optionally "-" and the check digit.
struct CpvCode {
  std::string digits;  // "03221000"
  std::optional<char> check;
};

// Parses "03221000" or "03221000-6" (surrounding spaces not allowed); nullopt for anything else.
std::optional<CpvCode> parseCpvCode(std::string_view text);

// Food is CPV divisions 03 (agricultural products) and 15 (food, beverages, tobacco).
bool isFoodCpv(std::string_view digits);

class CpvList {
 public:
  struct Entry {
    char check = '0';
    std::string label;
  };

  // Throws core::Error(kNotFound) when the file cannot be read and kInvalidArgument when it is not a
  // JSON object of "NNNNNNNN-C": "label" pairs; the message names the file and the offset.
  static CpvList load(const std::string& path);
  static CpvList parse(std::string_view json, const std::string& source_name);

  // The entry for 8 digits, or nullptr.
  const Entry* find(std::string_view digits) const;
  std::size_t size() const { return entries_.size(); }
  const std::string& source() const { return source_; }

 private:
  std::string source_;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace importer
