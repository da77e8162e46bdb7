// importer::CsvReader and the value parsers: what spreadsheets write is read as the officer meant
// it, and what is broken is reported with its line and column.

#include <boost/test/unit_test.hpp>

#include <sstream>

#include "import/cpv_list.h"
#include "import/csv_reader.h"
#include "import/key_set.h"
#include "import/values.h"

namespace {

std::vector<importer::CsvRecord> readAll(const std::string& text, std::optional<char> delimiter = std::nullopt,
                                         std::size_t buffer = 64 * 1024) {
  std::istringstream in(text);
  importer::CsvReader reader(in, delimiter, buffer);
  std::vector<importer::CsvRecord> out;
  importer::CsvRecord r;
  while (reader.next(r)) out.push_back(r);
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(csv_reader)

BOOST_AUTO_TEST_CASE(quotes_doubled_quotes_and_line_breaks_in_quotes) {
  const auto rows = readAll("a,b,c\n\"x, y\",\"say \"\"hi\"\"\",\"two\r\nlines\"\nlast,,\n");
  BOOST_TEST_REQUIRE(rows.size() == 3u);
  BOOST_TEST(rows[1].fields[0] == "x, y");
  BOOST_TEST(rows[1].fields[1] == "say \"hi\"");
  BOOST_TEST(rows[1].fields[2] == "two\nlines");
  BOOST_TEST(rows[2].line == 4);
  BOOST_TEST(rows[2].fields.size() == 3u);
  BOOST_TEST(rows[2].fields[1].empty());
}

BOOST_AUTO_TEST_CASE(semicolon_is_detected_and_bom_skipped) {
  std::istringstream in("\xEF\xBB\xBFime;koli\xC4\x8Dina\r\nkorenje;12,5\r\n");
  importer::CsvReader reader(in);
  importer::CsvRecord r;
  BOOST_TEST_REQUIRE(reader.next(r));
  BOOST_TEST(reader.delimiter() == ';');
  BOOST_TEST(reader.hadByteOrderMark());
  BOOST_TEST(r.fields[0] == "ime");
  BOOST_TEST_REQUIRE(reader.next(r));
  BOOST_TEST(r.fields[1] == "12,5");
  BOOST_TEST(!reader.next(r));
}

BOOST_AUTO_TEST_CASE(columns_count_characters_not_bytes) {
  const auto rows = readAll("a,b\n\xC5\xA1\xC4\x8D,x\n");
  BOOST_TEST(rows[1].positions[1].column == 4);
}

BOOST_AUTO_TEST_CASE(invalid_utf8_and_unclosed_quote_are_reported_with_position) {
  const auto rows = readAll("a,b\nok,\xE8up\n\"open,b\n");
  BOOST_TEST_REQUIRE(rows.size() == 3u);
  BOOST_TEST_REQUIRE(rows[1].problems.size() == 1u);
  BOOST_TEST(rows[1].problems[0].line == 2);
  BOOST_TEST(rows[1].problems[0].column == 4);
  BOOST_TEST(rows[1].problems[0].message.find("UTF-8") != std::string::npos);
  BOOST_TEST(!rows[2].problems.empty());
}

// Where each field, line and problem is depends on characters, not on where the reader's buffer
// happens to end: every buffer size reads the same records, positions and problems.
BOOST_AUTO_TEST_CASE(tiny_buffer_gives_the_same_records) {
  const std::string text =
      "name;lat;lon\n\"Vrtec \"\"Janina\"\"\";46,2;14,3\r\nOŠ Orehek;46,25;14,37\n"
      "\"two\r\nlines, long enough to cross a buffer\";x\"y;\"z\"tail\nbad \xe8 byte;\xc5\xbe;end\r\n";
  const auto describe = [](const std::vector<importer::CsvRecord>& rows) {
    std::string out;
    for (const auto& r : rows) {
      out += "record at " + std::to_string(r.line) + ":";
      for (std::size_t i = 0; i < r.fields.size(); ++i)
        out += " [" + r.fields[i] + "]@" + std::to_string(r.positions[i].line) + ":" +
               std::to_string(r.positions[i].column);
      for (const auto& p : r.problems) out += " problem@" + std::to_string(p.line) + ":" + std::to_string(p.column);
      out += "\n";
    }
    return out;
  };
  const std::string big = describe(readAll(text));
  BOOST_TEST(big.find("[two\nlines, long enough to cross a buffer]@4:1 [x\"y]@5:39 [ztail]@5:43 problem@5:46\n") !=
                 std::string::npos,
             big);
  BOOST_TEST(big.find("[bad \xe8 byte]@6:1 [\xc5\xbe]@6:12 [end]@6:14 problem@6:5\n") != std::string::npos, big);
  for (std::size_t buffer = 16; buffer <= 48; ++buffer)
    BOOST_TEST(describe(readAll(text, std::nullopt, buffer)) == big);
}

BOOST_AUTO_TEST_CASE(control_characters_are_reported_once_per_field_and_kept_as_replacement) {
  const auto rows = readAll(std::string("a,b,c\nKor\x01"
                                        "en\x02"
                                        "je,\"x\ty\",ok\nP") +
                            '\0' + ",,\n");
  BOOST_TEST_REQUIRE(rows.size() == 3u);
  BOOST_TEST(rows[1].fields[0] ==
             "Kor\xEF\xBF\xBD"
             "en\xEF\xBF\xBD"
             "je");
  BOOST_TEST(rows[1].fields[1] == "x\ty");  // a tab is text
  BOOST_TEST_REQUIRE(rows[1].problems.size() == 1u);
  BOOST_TEST(rows[1].problems[0].column == 4);
  BOOST_TEST(rows[1].problems[0].message.find("U+0001") != std::string::npos);
  BOOST_TEST_REQUIRE(rows[2].problems.size() == 1u);
  BOOST_TEST(rows[2].problems[0].message.find("UTF-16") != std::string::npos);  // a NUL
}

// One endless line (an unclosed quote, a file that is no CSV) is read to its end without keeping
// more than kMaxRecordBytes of it; a row of too many fields keeps kMaxFields.
BOOST_AUTO_TEST_CASE(an_endless_row_is_reported_and_not_kept_whole) {
  const std::string huge(3 * importer::CsvReader::kMaxRecordBytes, 'x');
  const auto rows = readAll("a,b\n\"" + huge + ",b\nnext,row\n");
  BOOST_TEST_REQUIRE(rows.size() == 2u);  // the open quote swallows the rest of the file
  std::size_t kept = 0;
  for (const std::string& f : rows[1].fields) kept += f.size();
  BOOST_TEST(kept <= importer::CsvReader::kMaxRecordBytes);
  std::size_t too_long = 0;
  for (const auto& p : rows[1].problems) too_long += p.message.find("longer than 1 MiB") != std::string::npos;
  BOOST_TEST(too_long == 1u);

  const auto wide = readAll("a,b\n" + std::string(5000, ',') + "\nnext,row\n");
  BOOST_TEST_REQUIRE(wide.size() == 3u);
  BOOST_TEST(wide[1].fields.size() == importer::CsvReader::kMaxFields);
  BOOST_TEST_REQUIRE(wide[1].problems.size() == 1u);
  BOOST_TEST(wide[1].problems[0].message.find("more than 1000 fields") != std::string::npos);
  BOOST_TEST(wide[2].fields[0] == "next");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(values)

BOOST_AUTO_TEST_CASE(numbers_and_degrees_accept_the_decimal_comma_only_in_plain_form) {
  BOOST_TEST(importer::parseNumber("12,5")->toString() == "12.5");
  BOOST_TEST(importer::parseNumber("0.000001")->toString() == "0.000001");
  BOOST_TEST(!importer::parseNumber("1.000,5"));
  BOOST_TEST(!importer::parseNumber("1e3"));
  BOOST_TEST(!importer::parseNumber("12 kg"));
  BOOST_TEST(*importer::parseDegrees("46,2389") == 46.2389);
  BOOST_TEST(!importer::parseDegrees("46°14'"));
  // Coordinates written by programs in a double's shortest form are accepted as they are.
  BOOST_TEST(*importer::parseDegrees("14.399000000000001") == 14.399000000000001);
  BOOST_TEST(*importer::parseDegrees("-0.00012345678901234567") == -0.00012345678901234567);
  BOOST_TEST(!importer::parseDegrees("1.000000000000000000001"));
  BOOST_TEST(!importer::parseDegrees("46."));
  BOOST_TEST(!importer::parseDegrees("4.6e1"));
  BOOST_TEST(*importer::parseYesNo("DA"));
  BOOST_TEST(!*importer::parseYesNo("ne"));
  BOOST_TEST(!importer::parseYesNo("maybe"));
  BOOST_TEST(!importer::parseIsoDate("2027-02-30"));
  BOOST_TEST(importer::canonicalColumnName(" Tax-Number ") == "tax_number");
}

BOOST_AUTO_TEST_CASE(cpv_codes_and_food_divisions) {
  BOOST_TEST(importer::parseCpvCode("03221000-6")->digits == "03221000");
  BOOST_TEST(*importer::parseCpvCode("03221000-6")->check == '6');
  BOOST_TEST(!importer::parseCpvCode("0322100"));
  BOOST_TEST(!importer::parseCpvCode("03221000-"));
  BOOST_TEST(importer::isFoodCpv("15511000"));
  BOOST_TEST(!importer::isFoodCpv("30192000"));
  const auto list = importer::CpvList::parse("{\"03221000-6\": \"Vegetables\"}", "test");
  BOOST_TEST(list.find("03221000")->check == '6');
  BOOST_TEST(list.find("03221001") == nullptr);
}

BOOST_AUTO_TEST_CASE(key_set_names_the_first_line_of_a_duplicate) {
  importer::KeySet keys;
  bool any_duplicate = false;
  for (int i = 0; i < 50000; ++i) any_duplicate |= keys.insert("key-" + std::to_string(i), i + 2).has_value();
  BOOST_TEST(!any_duplicate);
  BOOST_TEST(keys.size() == 50000u);
  BOOST_TEST(*keys.insert("key-777", 99999) == 779);
}

BOOST_AUTO_TEST_SUITE_END()
