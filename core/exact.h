#pragma once
// core::Exact: an exact rational number for scores. Scores are computed exactly and ranked on the
// exact value; rounding (half up, three places) is for display only (DESIGN.md, Scoring).
// A value whose lowest-terms numerator and denominator fit in 64 bits is held inline and computed
// with 128-bit integer arithmetic; any result that does not fit moves to GMP (exact.cpp), so no
// operation ever rounds or overflows. Value type; distinct objects may be used from distinct threads.

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/decimal.h"

namespace core {

class Exact {
 public:
  Exact() = default;
  Exact(std::int64_t value) : small_{value, 1} {}  // NOLINT(google-explicit-constructor): integers are exact
  explicit Exact(Decimal value);
  // numerator / denominator; throws kInvalidArgument when denominator is zero.
  static Exact fraction(std::int64_t numerator, std::int64_t denominator);
  // Parses "n" or "n/d" as written by toString(); throws kInvalidArgument on bad text.
  static Exact parse(std::string_view text);

  Exact(const Exact& other) {
    if (other.big_)
      copyBig(other);
    else
      small_ = other.small_;
  }
  Exact(Exact&& other) noexcept : small_(other.small_), big_(other.big_) {
    if (big_) stealBig(other);
  }
  Exact& operator=(const Exact& other) {
    if (!big_ && !other.big_) {
      small_ = other.small_;
      return *this;
    }
    return assignSlow(other);
  }
  Exact& operator=(Exact&& other) noexcept {
    if (!big_ && !other.big_) {
      small_ = other.small_;
      return *this;
    }
    return moveAssignSlow(other);
  }
  ~Exact() {
    if (big_) clearBig();
  }

  Exact operator+(const Exact& other) const;
  Exact operator-(const Exact& other) const;
  Exact operator*(const Exact& other) const;
  // Throws kInvalidArgument on division by zero.
  Exact operator/(const Exact& other) const;
  Exact& operator+=(const Exact& other) { return *this = *this + other; }

  std::strong_ordering operator<=>(const Exact& other) const;
  bool operator==(const Exact& other) const;

  bool isZero() const { return !big_ && small_.num == 0; }
  // Canonical lowest-terms text: "7", "-3/4", "200/3".
  std::string toString() const;
  // The same text appended to `out`.
  void appendTo(std::string& out) const;
  // Rounded half up (away from zero) to `places` decimals: Exact::fraction(200, 3).toDecimalString(3) == "66.667".
  std::string toDecimalString(int places = 3) const;
  // Rounded half up to six places.
  Decimal toDecimal() const;
  // Lossy, for statistics only; never for ranking.
  double toDouble() const;
  // True when the value is held in GMP form (its numerator or denominator needs more than 64 bits).
  bool isLarge() const { return big_; }

 private:
  struct Small {
    std::int64_t num;
    std::int64_t den;  // > 0, coprime with num
  };
  void copyBig(const Exact& other);
  Exact& assignSlow(const Exact& other);
  Exact& moveAssignSlow(Exact& other) noexcept;
  void stealBig(Exact& other) noexcept;
  void clearBig() noexcept;
  friend struct ExactAccess;

  // Either the inline lowest-terms pair or, when big_ is set, a GMP mpq_t (two mpz structs) kept
  // opaque so that gmp.h stays out of this header. A large value never fits the inline form, so
  // every value has exactly one representation.
  union {
    Small small_{0, 1};
    alignas(8) unsigned char storage_[32];
  };
  bool big_ = false;
};

}  // namespace core
