#include "import/values.h"

#include <charconv>

namespace importer {
namespace {

bool isDigit(char c) { return c >= '0' && c <= '9'; }

// Enough for any double a program writes in shortest form (Python's 14.399000000000001, or
// 0.00012345678901234567), which spreadsheets and GIS exports pass on unchanged.
constexpr std::size_t kMaxDegreePlaces = 20;

std::string lowerAscii(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

}  // namespace

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

std::string canonicalColumnName(std::string_view text) {
  std::string out = lowerAscii(trimmed(text));
  for (char& c : out)
    if (c == ' ' || c == '-') c = '_';
  return out;
}

std::optional<double> parseDegrees(std::string_view text) {
  std::string plain;
  std::size_t i = 0;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) {
    if (text[i] == '-') plain += '-';
    ++i;
  }
  std::size_t int_digits = 0;
  while (i < text.size() && isDigit(text[i])) {
    plain += text[i++];
    ++int_digits;
  }
  if (int_digits == 0 || int_digits > 3) return std::nullopt;
  if (i < text.size() && (text[i] == '.' || text[i] == ',')) {
    plain += '.';
    ++i;
    std::size_t places = 0;
    while (i < text.size() && isDigit(text[i])) {
      plain += text[i++];
      ++places;
    }
    if (places == 0 || places > kMaxDegreePlaces) return std::nullopt;
  }
  if (i != text.size()) return std::nullopt;
  double value = 0;
  const auto [end, ec] = std::from_chars(plain.data(), plain.data() + plain.size(), value);
  if (ec != std::errc() || end != plain.data() + plain.size()) return std::nullopt;
  return value;
}

std::optional<core::Decimal> parseNumber(std::string_view text) { return core::Decimal::tryParse(text); }

std::optional<bool> parseYesNo(std::string_view text) {
  const std::string v = lowerAscii(text);
  if (v == "yes" || v == "y" || v == "da" || v == "true" || v == "1") return true;
  if (v == "no" || v == "n" || v == "ne" || v == "false" || v == "0") return false;
  return std::nullopt;
}

std::optional<core::Date> parseIsoDate(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  for (const std::size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u})
    if (!isDigit(text[i])) return std::nullopt;
  const auto number = [&](std::size_t from, std::size_t len) {
    int v = 0;
    for (std::size_t i = from; i < from + len; ++i) v = v * 10 + (text[i] - '0');
    return v;
  };
  const core::Date date{std::chrono::year(number(0, 4)), std::chrono::month(static_cast<unsigned>(number(5, 2))),
                        std::chrono::day(static_cast<unsigned>(number(8, 2)))};
  if (!date.ok()) return std::nullopt;
  return date;
}

bool looksLikeEmail(std::string_view text) {
  const std::size_t at = text.find('@');
  if (at == std::string_view::npos || at == 0 || text.find('@', at + 1) != std::string_view::npos) return false;
  for (const char c : text)
    if (c == ' ' || c == '\t' || c == '\n' || c == ',' || c == ';') return false;
  const std::string_view domain = text.substr(at + 1);
  const std::size_t dot = domain.find('.');
  return dot != std::string_view::npos && dot > 0 && dot + 1 < domain.size();
}

}  // namespace importer
