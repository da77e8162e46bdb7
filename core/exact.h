#pragma once
// core::Exact: an exact rational number (arbitrary precision, backed by GMP in exact.cpp) for scores.
// Scores are computed exactly and ranked on the exact value; rounding (half up, three places) is
// for display only (DESIGN.md, Scoring). Value type; distinct objects may be used from distinct threads.

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/decimal.h"

namespace core {

class Exact {
 public:
  Exact();
  Exact(std::int64_t value);  // NOLINT(google-explicit-constructor): integers are exact
  explicit Exact(Decimal value);
  // numerator / denominator; throws kInvalidArgument when denominator is zero.
  static Exact fraction(std::int64_t numerator, std::int64_t denominator);
  // Parses "n" or "n/d" as written by toString(); throws kInvalidArgument on bad text.
  static Exact parse(std::string_view text);

  Exact(const Exact& other);
  Exact(Exact&& other) noexcept;
  Exact& operator=(const Exact& other);
  Exact& operator=(Exact&& other) noexcept;
  ~Exact();

  Exact operator+(const Exact& other) const;
  Exact operator-(const Exact& other) const;
  Exact operator*(const Exact& other) const;
  // Throws kInvalidArgument on division by zero.
  Exact operator/(const Exact& other) const;
  Exact& operator+=(const Exact& other) { return *this = *this + other; }

  std::strong_ordering operator<=>(const Exact& other) const;
  bool operator==(const Exact& other) const;

  bool isZero() const;
  // Canonical lowest-terms text: "7", "-3/4", "200/3".
  std::string toString() const;
  // Rounded half up (away from zero) to `places` decimals: Exact::fraction(200, 3).toDecimalString(3) == "66.667".
  std::string toDecimalString(int places = 3) const;
  // Rounded half up to six places.
  Decimal toDecimal() const;
  // Lossy, for statistics only; never for ranking.
  double toDouble() const;

 private:
  // Storage for a GMP mpq_t (two mpz structs), kept opaque so that gmp.h stays out of this header.
  alignas(8) unsigned char storage_[32];
};

}  // namespace core
