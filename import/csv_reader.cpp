#include "import/csv_reader.h"

#include <cstdio>
#include <cstring>

namespace importer {
namespace {

// Header lines longer than this are not scanned further for the delimiter: counting the first
// megabyte is enough to tell ',' from ';'.
constexpr std::size_t kMaxHeaderScan = 1 << 20;

std::string hexByte(unsigned char c) {
  char text[8];
  std::snprintf(text, sizeof text, "0x%02X", static_cast<unsigned>(c));
  return text;
}

CsvProblem controlProblem(CsvPosition at, unsigned char c) {
  char code[8];
  std::snprintf(code, sizeof code, "U+%04X", static_cast<unsigned>(c));
  if (c == 0) {
    return {at.line,
            at.column,
            "a NUL character (U+0000) in the value: the file is probably saved as UTF-16 (\"Unicode text\") or is "
            "not a text file; save it as \"CSV UTF-8\" in the spreadsheet program",
            {"import.csv.nul", {}}};
  }
  return {at.line,
          at.column,
          std::string("a control character (") + code +
              ") in the value: it is not text a spreadsheet shows; remove it (the file may not be a CSV text file)",
          {"import.csv.control", {code}}};
}

CsvProblem invalidUtf8Problem(CsvPosition at, unsigned char c) {
  return {at.line,
          at.column,
          "invalid UTF-8 (byte " + hexByte(c) +
              "): the file is not saved as UTF-8; save it as \"CSV UTF-8\" in the spreadsheet program (files in "
              "Windows-1250 or ISO 8859-2 show this at letters such as č, š, ž)",
          {"import.csv.invalid_utf8", {hexByte(c)}}};
}

}  // namespace

CsvReader::CsvReader(std::istream& in, std::optional<char> delimiter, std::size_t buffer_bytes)
    : in_(in), delimiter_(delimiter), buffer_(buffer_bytes < 16 ? 16 : buffer_bytes) {}

bool CsvReader::fill() {
  if (eof_) return false;
  if (pos_ > 0) {
    std::memmove(buffer_.data(), buffer_.data() + pos_, end_ - pos_);
    end_ -= pos_;
    pos_ = 0;
  }
  // Only the header scan keeps unread bytes while filling; it may need a longer buffer.
  if (end_ == buffer_.size()) buffer_.resize(buffer_.size() * 2);
  in_.read(buffer_.data() + end_, static_cast<std::streamsize>(buffer_.size() - end_));
  const auto got = static_cast<std::size_t>(in_.gcount());
  if (got == 0) {
    eof_ = true;
    return false;
  }
  end_ += got;
  bytes_read_ += got;
  return true;
}

void CsvReader::detectStart() {
  started_ = true;
  while (end_ - pos_ < 3 && fill()) {
  }
  if (end_ - pos_ >= 3 && static_cast<unsigned char>(buffer_[pos_]) == 0xEF &&
      static_cast<unsigned char>(buffer_[pos_ + 1]) == 0xBB && static_cast<unsigned char>(buffer_[pos_ + 2]) == 0xBF) {
    pos_ += 3;
    had_bom_ = true;
  }
  if (delimiter_) return;
  std::size_t commas = 0;
  std::size_t semicolons = 0;
  bool quoted = false;
  std::size_t offset = 0;  // from pos_, which fill() keeps at the first unread byte
  for (;;) {
    if (pos_ + offset == end_) {
      if (offset >= kMaxHeaderScan || !fill()) break;
    }
    const char c = buffer_[pos_ + offset];
    if (c == '"') {
      quoted = !quoted;
    } else if (!quoted) {
      if (c == '\n' || c == '\r') break;
      if (c == ',') ++commas;
      if (c == ';') ++semicolons;
    }
    ++offset;
  }
  delimiter_ = semicolons > commas ? ';' : ',';
}

bool CsvReader::next(CsvRecord& record) {
  if (!started_) detectStart();
  const char delimiter = *delimiter_;
  enum class State { kFieldStart, kUnquoted, kQuoted, kAfterQuote };
  State state = State::kFieldStart;
  record.problems.clear();
  record.line = 0;
  std::size_t count = 0;  // fields in use; the strings beyond keep their capacity for reuse
  bool in_record = false;
  CsvPosition field_start;
  bool after_quote_reported = false;
  bool control_reported = false;  // in this field
  std::size_t record_bytes = 0;   // kept in this record's fields
  bool too_long_reported = false;
  bool too_wide_reported = false;

  const auto beginField = [&](CsvPosition at) {
    if (count == kMaxFields) {
      // No further field is made (what follows runs on in the last one, bounded by kMaxRecordBytes):
      // a row this wide is no file of ours, and memory stays bounded.
      if (!too_wide_reported) {
        too_wide_reported = true;
        record.problems.push_back({at.line,
                                   at.column,
                                   "the row has more than " + std::to_string(kMaxFields) +
                                       " fields: check the delimiter, or that the file is the right one",
                                   {"import.csv.too_many_fields", {std::to_string(kMaxFields)}}});
      }
      return;
    }
    if (count < record.fields.size()) {
      record.fields[count].clear();
      record.positions[count] = at;
    } else {
      record.fields.emplace_back();
      record.positions.push_back(at);
    }
    ++count;
    field_start = at;
    field_utf8_reported_ = false;
    after_quote_reported = false;
    control_reported = false;
  };
  // Keeps `n` bytes of the current field unless the record has reached kMaxRecordBytes.
  const auto keep = [&](const char* bytes, std::size_t n, CsvPosition at) {
    if (record_bytes + n > kMaxRecordBytes) {
      if (!too_long_reported) {
        too_long_reported = true;
        const std::string mib = std::to_string(kMaxRecordBytes / (1024 * 1024));
        record.problems.push_back({at.line,
                                   at.column,
                                   "the row is longer than " + mib +
                                       " MiB from here on: check for a quote (\") that is not closed, or that the "
                                       "file is a CSV file",
                                   {"import.csv.row_too_long", {mib}}});
      }
      return;
    }
    record_bytes += n;
    record.fields[count - 1].append(bytes, n);
  };
  // Keeps one byte of a field's text; a control character is reported and kept as U+FFFD.
  const auto put = [&](unsigned char c, CsvPosition at) {
    if (c < 0x20 && c != '\t' && c != '\n') {
      if (!control_reported) {
        control_reported = true;
        record.problems.push_back(controlProblem(at, c));
      }
      keep("\xEF\xBF\xBD", 3, at);
      return;
    }
    const char b = static_cast<char>(c);
    keep(&b, 1, at);
  };
  const auto reportUtf8 = [&](CsvPosition at, unsigned char c) {
    if (field_utf8_reported_) return;
    field_utf8_reported_ = true;
    record.problems.push_back(invalidUtf8Problem(at, c));
  };
  const auto finishRecord = [&] {
    record.fields.resize(count);
    record.positions.resize(count);
    ++records_read_;
  };

  CsvPosition sequence_start;  // where the UTF-8 sequence being decoded began
  unsigned char sequence_lead = 0;

  for (;;) {
    if (pos_ == end_ && !fill()) {
      if (utf8_need_ > 0) {
        reportUtf8(sequence_start, sequence_lead);
        utf8_need_ = 0;
      }
      if (!in_record) {
        record.fields.clear();
        record.positions.clear();
        return false;
      }
      if (state == State::kQuoted) {
        record.problems.push_back(
            {field_start.line,
             field_start.column,
             "the quoted field that starts here is not closed: add the closing quote (\") or remove the opening one",
             {"import.csv.unclosed_quote", {}}});
      }
      finishRecord();
      return true;
    }
    // Inside a field, a run of plain ASCII (nothing that could end the field, the line or a quoted
    // part, and no UTF-8 sequence to check) is copied at once; every other byte takes the steps
    // below one at a time.
    if ((state == State::kUnquoted || state == State::kQuoted) && utf8_need_ == 0 && !skip_lf_) {
      std::size_t run = pos_;
      while (run < end_) {
        const auto b = static_cast<unsigned char>(buffer_[run]);
        if (b >= 0x80 || (b < 0x20 && b != '\t') || b == '"' || b == static_cast<unsigned char>(delimiter)) break;
        ++run;
      }
      if (run > pos_) {
        keep(buffer_.data() + pos_, run - pos_, {line_, column_});
        column_ += static_cast<int>(run - pos_);
        pos_ = run;
        continue;
      }
    }
    const auto c = static_cast<unsigned char>(buffer_[pos_++]);
    if (skip_lf_) {
      skip_lf_ = false;
      if (c == '\n') continue;  // second half of a CRLF already counted as a line end
    }

    // Position of this byte's character, then advance.
    const CsvPosition here{line_, column_};
    bool starts_char = true;
    if (utf8_need_ > 0) {
      if (c >= utf8_lo_ && c <= utf8_hi_) {
        --utf8_need_;
        utf8_lo_ = 0x80;
        utf8_hi_ = 0xBF;
        starts_char = false;
      } else {
        utf8_need_ = 0;
        reportUtf8(sequence_start, sequence_lead);
      }
    }
    if (starts_char) {
      if (c == '\n' || c == '\r') {
        ++line_;
        column_ = 1;
        if (c == '\r') skip_lf_ = true;
      } else {
        ++column_;
      }
      if (c >= 0x80) {
        sequence_start = here;
        sequence_lead = c;
        utf8_lo_ = 0x80;
        utf8_hi_ = 0xBF;
        if (c >= 0xC2 && c <= 0xDF) {
          utf8_need_ = 1;
        } else if (c >= 0xE0 && c <= 0xEF) {
          utf8_need_ = 2;
          if (c == 0xE0) utf8_lo_ = 0xA0;  // no overlong forms
          if (c == 0xED) utf8_hi_ = 0x9F;  // no surrogates
        } else if (c >= 0xF0 && c <= 0xF4) {
          utf8_need_ = 3;
          if (c == 0xF0) utf8_lo_ = 0x90;
          if (c == 0xF4) utf8_hi_ = 0x8F;  // nothing above U+10FFFF
        } else {
          reportUtf8(here, c);
        }
      }
    }

    const bool line_end = c == '\n' || c == '\r';
    if (!in_record) {
      if (line_end) continue;  // blank line
      in_record = true;
      record.line = here.line;
      beginField(here);
    }

    switch (state) {
      case State::kFieldStart:
        if (c == '"') {
          state = State::kQuoted;
        } else if (c == static_cast<unsigned char>(delimiter)) {
          beginField({line_, column_});
        } else if (line_end) {
          finishRecord();
          return true;
        } else {
          put(c, here);
          state = State::kUnquoted;
        }
        break;
      case State::kUnquoted:
        if (c == static_cast<unsigned char>(delimiter)) {
          beginField({line_, column_});
          state = State::kFieldStart;
        } else if (line_end) {
          finishRecord();
          return true;
        } else {
          // A quote inside an unquoted field is kept as text: spreadsheets never write one, and
          // people who type one mean it.
          put(c, here);
        }
        break;
      case State::kQuoted:
        if (c == '"') {
          state = State::kAfterQuote;
        } else {
          put(c == '\r' ? '\n' : c, here);
        }
        break;
      case State::kAfterQuote:
        if (c == '"') {
          put('"', here);
          state = State::kQuoted;
        } else if (c == static_cast<unsigned char>(delimiter)) {
          beginField({line_, column_});
          state = State::kFieldStart;
        } else if (line_end) {
          finishRecord();
          return true;
        } else {
          if (!after_quote_reported) {
            after_quote_reported = true;
            record.problems.push_back(
                {here.line,
                 here.column,
                 std::string("text after the closing quote of a quoted field: put the whole value in quotes and "
                             "double any quote inside it (\"\"), or check for a missing delimiter '") +
                     delimiter + "'",
                 {"import.csv.after_quote", {std::string(1, delimiter)}}});
          }
          put(c, here);
          state = State::kUnquoted;
        }
        break;
    }
  }
}

}  // namespace importer
