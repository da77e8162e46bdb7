#pragma once
// core::Decimal: an exact fixed-point number with six decimal places, for money and quantities.
// Binary floating point never holds money (DESIGN.md, Scoring). Immutable value type; thread-safe.

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace core {

class Decimal {
 public:
  static constexpr int kPlaces = 6;
  static constexpr std::int64_t kOne = 1'000'000;

  constexpr Decimal() = default;
  static constexpr Decimal fromRaw(std::int64_t raw) { return Decimal(raw); }
  static constexpr Decimal fromInt(std::int64_t units) { return Decimal(units * kOne); }
  // Accepts "12", "12.5", "-0.25", and the decimal comma "12,50". At most six decimals; no exponent,
  // no thousands separators. Returns nullopt on anything else.
  static std::optional<Decimal> tryParse(std::string_view text);
  // Like tryParse, but throws Error(kInvalidArgument) naming `field` and the bad text.
  static Decimal parse(std::string_view text, const std::string& field = "value");

  constexpr std::int64_t raw() const { return raw_; }
  // Shortest exact text, at least `min_places` decimals: fromRaw(12500000).toString(2) == "12.50".
  std::string toString(int min_places = 0) const;

  constexpr bool isZero() const { return raw_ == 0; }
  constexpr bool isNegative() const { return raw_ < 0; }

  Decimal operator+(Decimal other) const;
  Decimal operator-(Decimal other) const;
  // Product rounded half away from zero to six places; throws kInvalidArgument on overflow.
  Decimal operator*(Decimal other) const;
  Decimal& operator+=(Decimal other) { return *this = *this + other; }
  Decimal& operator-=(Decimal other) { return *this = *this - other; }

  constexpr auto operator<=>(const Decimal&) const = default;

 private:
  constexpr explicit Decimal(std::int64_t raw) : raw_(raw) {}
  std::int64_t raw_ = 0;
};

}  // namespace core
