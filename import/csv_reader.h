#pragma once
// importer::CsvReader: reads CSV (RFC 4180) from a stream one record at a time, so that memory
// stays flat however long the file is: only the current record and a fixed read buffer are held.
//
// What it accepts, because officers' files come from spreadsheets:
// - quoted fields with doubled quotes ("a ""b""") and line breaks inside quotes;
// - records ending in CRLF, LF or a lone CR; a CRLF inside a quoted field becomes LF;
// - UTF-8 with or without a byte order mark; invalid UTF-8 is reported as a problem of the record
//   with the line and column of the first bad byte of the field (the text is kept as read);
// - the delimiter ',' or ';', detected from the header line (the first record): whichever occurs
//   more often outside quotes, ',' on a tie; a caller may also fix it;
// - blank lines (no characters at all) are skipped.
// What it refuses, as problems of the record (the record is still read to its end):
// - control characters other than tab and line breaks (a NUL says the file is UTF-16 or binary);
//   each is kept as U+FFFD in the field's text;
// - a record of more than kMaxRecordBytes bytes or kMaxFields fields: what goes beyond is not
//   kept, so that one endless line (an unclosed quote, a file that is no CSV) cannot make memory
//   grow with the file.
// Lines and columns are 1-based; a column counts characters (UTF-8 code points), not bytes, so it
// matches what an editor shows.
//
// Thread-safety: one reader belongs to one thread; it borrows the stream.

#include <cstddef>
#include <cstdint>
#include <istream>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"

namespace importer {

struct CsvPosition {
  int line = 0;
  int column = 0;
};

struct CsvProblem {
  int line = 0;
  int column = 0;
  std::string message;             // what is wrong and how to fix it, in English
  core::Localized localized = {};  // the same in the interface's catalogue ("import.csv.*")
};

// One record. The reader reuses the vectors' storage from record to record.
struct CsvRecord {
  int line = 0;  // line where the record starts
  std::vector<std::string> fields;
  std::vector<CsvPosition> positions;  // where each field starts (its opening quote when quoted)
  std::vector<CsvProblem> problems;    // bad UTF-8, unclosed quote, text after a closing quote
};

class CsvReader {
 public:
  static constexpr std::size_t kMaxRecordBytes = 1 << 20;
  static constexpr std::size_t kMaxFields = 1000;

  // `delimiter`: when nullopt, detected from the header line.
  explicit CsvReader(std::istream& in, std::optional<char> delimiter = std::nullopt,
                     std::size_t buffer_bytes = 64 * 1024);

  // Reads the next record into `record`; false at the end of the input (record is then cleared).
  bool next(CsvRecord& record);

  // The delimiter in use; detection happens on the first next().
  char delimiter() const { return delimiter_.value_or(','); }
  bool hadByteOrderMark() const { return had_bom_; }
  std::uint64_t bytesRead() const { return bytes_read_; }
  // Records returned so far (the header included).
  std::uint64_t recordsRead() const { return records_read_; }

 private:
  bool fill();
  void detectStart();

  std::istream& in_;
  std::optional<char> delimiter_;
  std::vector<char> buffer_;
  std::size_t pos_ = 0;
  std::size_t end_ = 0;
  bool eof_ = false;
  bool started_ = false;
  bool had_bom_ = false;
  bool skip_lf_ = false;  // the previous byte was a CR that ended a line
  int line_ = 1;
  int column_ = 1;
  std::uint64_t bytes_read_ = 0;
  std::uint64_t records_read_ = 0;

  // UTF-8 decoding state of the current field.
  int utf8_need_ = 0;
  unsigned char utf8_lo_ = 0x80;
  unsigned char utf8_hi_ = 0xBF;
  bool field_utf8_reported_ = false;
};

}  // namespace importer
