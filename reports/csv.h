#pragma once
// CSV output of the reports (RFC 4180: comma separated, CRLF line ends, quoted when needed) with
// spreadsheet formula injection neutralised: a cell that begins with =, +, -, @, tab or carriage
// return is prefixed with an apostrophe, so a spreadsheet shows it as text and never runs it.
// Thread-safety: a CsvWriter belongs to one thread; csvCell is pure.

#include <string>
#include <string_view>
#include <vector>

namespace reports {

// One cell as written: neutralised, then quoted if it holds a comma, quote, line break or edge space.
std::string csvCell(std::string_view value);

class CsvWriter {
 public:
  void row(const std::vector<std::string>& cells);
  const std::string& text() const { return text_; }

 private:
  std::string text_;
};

}  // namespace reports
