// libFuzzer target: importer::CsvReader (with detected and fixed delimiters, and a tiny buffer that
// makes every record cross buffer boundaries), the field value parsers, and the CPV list's JSON
// reader, on arbitrary bytes. Built and run by scripts/fuzz.sh with ASan and UBSan.

#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <string_view>

#include "core/error.h"
#include "import/cpv_list.h"
#include "import/csv_reader.h"
#include "import/values.h"

namespace {

void readAll(const std::string& text, std::optional<char> delimiter, std::size_t buffer) {
  std::istringstream in(text);
  importer::CsvReader reader(in, delimiter, buffer);
  importer::CsvRecord record;
  int records = 0;
  while (reader.next(record)) {
    if (record.fields.size() != record.positions.size()) __builtin_trap();
    if (record.fields.size() > importer::CsvReader::kMaxFields) __builtin_trap();
    std::size_t kept = 0;
    for (const std::string& f : record.fields) kept += f.size();
    if (kept > importer::CsvReader::kMaxRecordBytes) __builtin_trap();
    for (const importer::CsvProblem& p : record.problems)
      if (p.line < record.line || p.column < 1) __builtin_trap();
    for (const std::string& f : record.fields) {
      const std::string_view v = importer::trimmed(f);
      (void)importer::parseNumber(v);
      (void)importer::parseDegrees(v);
      (void)importer::parseYesNo(v);
      (void)importer::parseIsoDate(v);
      (void)importer::parseCpvCode(v);
      (void)importer::looksLikeEmail(v);
      (void)importer::canonicalColumnName(v);
    }
    if (++records > 100000) break;
  }
  if (reader.bytesRead() > text.size()) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  readAll(text, std::nullopt, 64 * 1024);
  readAll(text, ';', 16);
  try {
    (void)importer::CpvList::parse(text, "fuzz");
  } catch (const core::Error&) {
    // A malformed list is refused with a message: the expected outcome for most inputs.
  }
  return 0;
}
