#include "core/decimal.h"

#include <limits>

#include "core/error.h"

namespace core {
namespace {
__extension__ typedef __int128 Int128;
}  // namespace

std::optional<Decimal> Decimal::tryParse(std::string_view text) {
  std::size_t i = 0;
  bool negative = false;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) {
    negative = text[i] == '-';
    ++i;
  }
  std::int64_t units = 0;
  int int_digits = 0;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
    if (units > (std::numeric_limits<std::int64_t>::max() / kOne - 9) / 10) return std::nullopt;
    units = units * 10 + (text[i] - '0');
    ++int_digits;
    ++i;
  }
  std::int64_t fraction = 0;
  int places = 0;
  if (i < text.size() && (text[i] == '.' || text[i] == ',')) {
    ++i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      if (places == kPlaces) return std::nullopt;
      fraction = fraction * 10 + (text[i] - '0');
      ++places;
      ++i;
    }
    if (places == 0) return std::nullopt;
  }
  if (i != text.size() || int_digits == 0) return std::nullopt;
  for (int p = places; p < kPlaces; ++p) fraction *= 10;
  const std::int64_t raw = units * kOne + fraction;
  return Decimal(negative ? -raw : raw);
}

Decimal Decimal::parse(std::string_view text, const std::string& field) {
  if (auto d = tryParse(text)) return *d;
  throw Error(ErrorCode::kInvalidArgument,
              field + ": '" + std::string(text) +
                  "' is not a decimal number; write digits with at most six decimals, e.g. 12.50 or 12,50",
              field, {"input.problem.decimal", {field, std::string(text.substr(0, 40))}});
}

std::string Decimal::toString(int min_places) const {
  const bool negative = raw_ < 0;
  // Work in unsigned to handle the most negative value.
  const unsigned long long magnitude =
      negative ? 0ULL - static_cast<unsigned long long>(raw_) : static_cast<unsigned long long>(raw_);
  const auto one = static_cast<unsigned long long>(kOne);
  std::string out = (negative ? "-" : "") + std::to_string(magnitude / one);
  std::string frac = std::to_string(magnitude % one);
  frac = std::string(kPlaces - frac.size(), '0') + frac;
  std::size_t keep = frac.size();
  while (keep > static_cast<std::size_t>(min_places) && frac[keep - 1] == '0') --keep;
  if (keep > 0) out += "." + frac.substr(0, keep);
  return out;
}

Decimal Decimal::operator+(Decimal other) const {
  std::int64_t r = 0;
  if (__builtin_add_overflow(raw_, other.raw_, &r))
    throw Error(ErrorCode::kInvalidArgument, "decimal overflow in addition; the amounts are too large");
  return Decimal(r);
}

Decimal Decimal::operator-(Decimal other) const {
  std::int64_t r = 0;
  if (__builtin_sub_overflow(raw_, other.raw_, &r))
    throw Error(ErrorCode::kInvalidArgument, "decimal overflow in subtraction; the amounts are too large");
  return Decimal(r);
}

Decimal Decimal::operator*(Decimal other) const {
  const Int128 product = static_cast<Int128>(raw_) * other.raw_;
  const Int128 half = kOne / 2;
  const Int128 rounded = product >= 0 ? (product + half) / kOne : (product - half) / kOne;
  if (rounded > std::numeric_limits<std::int64_t>::max() || rounded < std::numeric_limits<std::int64_t>::min())
    throw Error(ErrorCode::kInvalidArgument, "decimal overflow in multiplication; the amounts are too large");
  return Decimal(static_cast<std::int64_t>(rounded));
}

}  // namespace core
