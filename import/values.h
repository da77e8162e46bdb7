#pragma once
// Field values as officers' spreadsheets write them, parsed strictly: a value that is not exactly
// one of the accepted forms is refused rather than guessed. Pure functions; thread-safe.

#include <optional>
#include <string>
#include <string_view>

#include "core/calendar.h"
#include "core/decimal.h"

namespace importer {

// Without leading and trailing spaces and tabs (cells often carry them).
std::string_view trimmed(std::string_view text);

// A header name in canonical form: ASCII letters lower-cased, spaces and '-' as '_', trimmed;
// "Tax Number" and "tax-number" both give "tax_number".
std::string canonicalColumnName(std::string_view text);

// Decimal degrees: "46.2389", "46,2389" (decimal comma), "-14.5". No exponent, no thousands
// separators, at most 20 decimals (a program's shortest form of a double fits).
std::optional<double> parseDegrees(std::string_view text);

// An exact decimal: "12", "12.5", "12,5" (core::Decimal's forms, at most six decimals).
std::optional<core::Decimal> parseNumber(std::string_view text);

// yes/no in English or Slovenian, any case: yes, no, y, n, da, ne, true, false, 1, 0.
std::optional<bool> parseYesNo(std::string_view text);

// A calendar date written YYYY-MM-DD.
std::optional<core::Date> parseIsoDate(std::string_view text);

// One '@' with text on both sides, a dot in the domain, no spaces: enough to catch a name typed
// into the e-mail column without rejecting unusual but valid addresses.
bool looksLikeEmail(std::string_view text);

}  // namespace importer
