// core::Exact against GMP computed directly: the inline 64/128-bit fast path must give the same
// canonical value, ordering, equality and rounding as mpq arithmetic, including values at and across
// the 64-bit boundaries where a result moves to GMP form and back.
#include <boost/test/unit_test.hpp>

#include <gmp.h>

#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "core/decimal.h"
#include "core/error.h"
#include "core/exact.h"

namespace {

using core::Exact;

constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();

// An owned mpq_t, the reference implementation.
class Ref {
 public:
  Ref() { mpq_init(v_); }
  Ref(std::int64_t num, std::int64_t den) : Ref() {
    mpz_set_si(mpq_numref(v_), static_cast<long>(num));
    mpz_set_si(mpq_denref(v_), static_cast<long>(den));
    mpq_canonicalize(v_);
  }
  Ref(const Ref& other) : Ref() { mpq_set(v_, other.v_); }
  Ref& operator=(const Ref& other) {
    mpq_set(v_, other.v_);
    return *this;
  }
  ~Ref() { mpq_clear(v_); }
  mpq_ptr get() { return v_; }
  mpq_srcptr get() const { return v_; }
  std::string text() const {
    std::string out(mpz_sizeinbase(mpq_numref(v_), 10) + mpz_sizeinbase(mpq_denref(v_), 10) + 3, '\0');
    mpq_get_str(out.data(), 10, v_);
    out.resize(std::char_traits<char>::length(out.c_str()));
    return out;
  }
  bool fitsInline() const {
    return mpz_fits_slong_p(mpq_numref(v_)) != 0 && mpz_fits_slong_p(mpq_denref(v_)) != 0;
  }
  std::size_t bits() const { return mpz_sizeinbase(mpq_numref(v_), 2) + mpz_sizeinbase(mpq_denref(v_), 2); }

 private:
  mpq_t v_;
};

enum class Op { kAdd, kSub, kMul, kDiv };

Ref apply(const Ref& a, const Ref& b, Op op) {
  Ref r;
  switch (op) {
    case Op::kAdd:
      mpq_add(r.get(), a.get(), b.get());
      break;
    case Op::kSub:
      mpq_sub(r.get(), a.get(), b.get());
      break;
    case Op::kMul:
      mpq_mul(r.get(), a.get(), b.get());
      break;
    case Op::kDiv:
      mpq_div(r.get(), a.get(), b.get());
      break;
  }
  return r;
}

Exact apply(const Exact& a, const Exact& b, Op op) {
  switch (op) {
    case Op::kAdd:
      return a + b;
    case Op::kSub:
      return a - b;
    case Op::kMul:
      return a * b;
    case Op::kDiv:
      return a / b;
  }
  return Exact();
}

// Reference rounding half away from zero to `places` decimals, as text.
std::string refDecimal(const Ref& v, int places) {
  mpz_t scale, num, den, q;
  mpz_inits(scale, num, den, q, nullptr);
  mpz_ui_pow_ui(scale, 10, static_cast<unsigned long>(places));
  mpz_abs(num, mpq_numref(v.get()));
  mpz_mul(num, num, scale);
  mpz_mul_ui(num, num, 2);
  mpz_add(num, num, mpq_denref(v.get()));
  mpz_mul_ui(den, mpq_denref(v.get()), 2);
  mpz_fdiv_q(q, num, den);
  std::string digits(mpz_sizeinbase(q, 10) + 2, '\0');
  mpz_get_str(digits.data(), 10, q);
  digits.resize(std::char_traits<char>::length(digits.c_str()));
  const bool negative = mpq_sgn(v.get()) < 0 && mpz_sgn(q) != 0;
  mpz_clears(scale, num, den, q, nullptr);
  if (places > 0) {
    const auto p = static_cast<std::size_t>(places);
    if (digits.size() <= p) digits = std::string(p + 1 - digits.size(), '0') + digits;
    digits = digits.substr(0, digits.size() - p) + "." + digits.substr(digits.size() - p);
  }
  return negative ? "-" + digits : digits;
}

// Integers that stress the boundaries: extremes, powers of two and ten around them, small values.
std::int64_t boundaryValue(std::mt19937_64& rng) {
  static const std::vector<std::int64_t> kSpecial = {
      0,          1,           -1,          2,           -2,          3,
      kMax,       kMax - 1,    kMin,        kMin + 1,    kMax / 2,    kMin / 2,
      1LL << 62,  -(1LL << 62), (1LL << 62) - 1, 1LL << 32, (1LL << 32) + 1, (1LL << 31) - 1,
      3037000499, 3037000500,  -3037000499, 1000000,     999999,      1000000000000000000,
      6,          10,          60,          7,           -10,         4611686018427387903};
  std::uniform_int_distribution<int> pick(0, 4);
  switch (pick(rng)) {
    case 0:
      return kSpecial[std::uniform_int_distribution<std::size_t>(0, kSpecial.size() - 1)(rng)];
    case 1:
      return std::uniform_int_distribution<std::int64_t>(-100, 100)(rng);
    case 2:
      return std::uniform_int_distribution<std::int64_t>(-1000000000000, 1000000000000)(rng);
    case 3:
      return static_cast<std::int64_t>(rng());
    default: {
      const int shift = std::uniform_int_distribution<int>(0, 62)(rng);
      const std::int64_t base = std::int64_t{1} << shift;
      return (rng() % 2 == 0 ? base : -base) + std::uniform_int_distribution<std::int64_t>(-2, 2)(rng);
    }
  }
}

std::int64_t nonZero(std::mt19937_64& rng) {
  for (;;)
    if (const std::int64_t v = boundaryValue(rng); v != 0) return v;
}

void checkSame(const Exact& e, const Ref& r, const std::string& what) {
  BOOST_TEST_CONTEXT(what) {
    BOOST_TEST(e.toString() == r.text());
    BOOST_TEST(e.isLarge() == !r.fitsInline());
    BOOST_TEST(e.isZero() == (mpq_sgn(r.get()) == 0));
    BOOST_TEST(e.toDecimalString(3) == refDecimal(r, 3));
    BOOST_TEST(e.toDouble() == mpq_get_d(r.get()));
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(exact)

BOOST_AUTO_TEST_CASE(fractions_are_lowest_terms_like_gmp_at_the_64_bit_boundaries) {
  const std::vector<std::pair<std::int64_t, std::int64_t>> cases = {
      {kMin, 1}, {kMin, -1}, {kMin, kMin}, {kMax, kMin}, {kMin, kMax}, {1, kMin}, {-1, kMin},
      {kMin, 2}, {kMin, -2}, {6, -4},      {0, -7},      {kMax, -1},   {kMax, kMax}, {200, 3}};
  for (const auto& [n, d] : cases) {
    const Exact e = Exact::fraction(n, d);
    checkSame(e, Ref(n, d), std::to_string(n) + "/" + std::to_string(d));
  }
  // 2^63 does not fit a signed 64-bit numerator: it is held by GMP.
  BOOST_TEST(Exact::fraction(kMin, -1).isLarge());
  BOOST_TEST(Exact::fraction(kMin, -1).toString() == "9223372036854775808");
  BOOST_TEST(!Exact::fraction(kMin, 1).isLarge());
}

BOOST_AUTO_TEST_CASE(arithmetic_and_ordering_match_gmp_on_random_boundary_operands) {
  std::mt19937_64 rng(7);
  const Op ops[] = {Op::kAdd, Op::kSub, Op::kMul, Op::kDiv};
  const char* names[] = {"+", "-", "*", "/"};
  int large_results = 0;
  for (int i = 0; i < 20000; ++i) {
    const std::int64_t n1 = boundaryValue(rng), d1 = nonZero(rng), n2 = boundaryValue(rng), d2 = nonZero(rng);
    const Exact x = Exact::fraction(n1, d1);
    const Exact y = Exact::fraction(n2, d2);
    const Ref rx(n1, d1);
    const Ref ry(n2, d2);
    std::string operands = std::to_string(n1);
    operands += '/';
    operands += std::to_string(d1);
    operands += " op ";
    operands += std::to_string(n2);
    operands += '/';
    operands += std::to_string(d2);
    const int cmp = mpq_cmp(rx.get(), ry.get());
    BOOST_TEST_CONTEXT(operands) {
      BOOST_TEST((x < y) == (cmp < 0));
      BOOST_TEST((x > y) == (cmp > 0));
      BOOST_TEST((x == y) == (cmp == 0));
    }
    for (int o = 0; o < 4; ++o) {
      if (ops[o] == Op::kDiv && n2 == 0) continue;
      const Exact e = apply(x, y, ops[o]);
      checkSame(e, apply(rx, ry, ops[o]), operands + " with " + names[o]);
      large_results += e.isLarge() ? 1 : 0;
    }
  }
  BOOST_TEST(large_results > 1000);  // the GMP side was exercised, not only the inline one
}

BOOST_AUTO_TEST_CASE(chains_move_to_gmp_and_back_without_losing_exactness) {
  std::mt19937_64 rng(11);
  Exact acc = 1;
  Ref ref(1, 1);
  int crossings = 0;
  bool was_large = false;
  for (int i = 0; i < 20000; ++i) {
    const std::int64_t n = boundaryValue(rng), d = nonZero(rng);
    const Op op = static_cast<Op>(std::uniform_int_distribution<int>(0, 3)(rng));
    if (op == Op::kDiv && n == 0) continue;
    const Exact operand = Exact::fraction(n, d);
    const Ref rop(n, d);
    Exact next = apply(acc, operand, op);
    Ref rnext = apply(ref, rop, op);
    checkSame(next, rnext, "step " + std::to_string(i));
    // Undo a multiplication now and then: a large value must come back to the inline form.
    if (op == Op::kMul && n != 0) {
      const Exact back = next / operand;
      BOOST_TEST((back == acc));
      BOOST_TEST(back.isLarge() == acc.isLarge());
    }
    if (next.isLarge() != was_large) ++crossings;
    was_large = next.isLarge();
    acc = std::move(next);
    ref = rnext;
    if (ref.bits() > 600) {
      acc = 1;
      ref = Ref(1, 1);
      was_large = false;
    }
  }
  BOOST_TEST(crossings > 100);
}

BOOST_AUTO_TEST_CASE(comparison_across_inline_and_gmp_forms) {
  const Exact max = kMax;
  const Exact beyond = max + 1;
  BOOST_TEST(beyond.isLarge());
  BOOST_TEST((beyond > max));
  BOOST_TEST((max < beyond));
  BOOST_TEST(!(beyond == max));
  BOOST_TEST(((beyond - 1) == max));
  BOOST_TEST(!(beyond - 1).isLarge());
  const Exact tiny = Exact(1) / (beyond * beyond);  // 1 / 2^126
  BOOST_TEST(tiny.isLarge());
  BOOST_TEST((tiny > Exact()));
  BOOST_TEST((tiny < Exact::fraction(1, kMax)));
  BOOST_TEST(tiny.toDecimalString(3) == "0.000");
  BOOST_TEST((-tiny.toDouble()) < 0.0);
  BOOST_TEST((Exact() - beyond).toString() == "-9223372036854775808");
  BOOST_TEST(!(Exact() - beyond).isLarge());  // -2^63 fits
}

BOOST_AUTO_TEST_CASE(copies_and_moves_keep_large_values) {
  const Exact big = Exact::parse("123456789012345678901234567890/11");
  BOOST_TEST(big.isLarge());
  Exact copy = big;
  BOOST_TEST((copy == big));
  Exact moved = std::move(copy);
  BOOST_TEST((moved == big));
  Exact assigned = 5;
  assigned = big;
  BOOST_TEST(assigned.toString() == "123456789012345678901234567890/11");
  assigned = Exact::fraction(3, 9);
  BOOST_TEST(assigned.toString() == "1/3");
  BOOST_TEST(!assigned.isLarge());
  Exact target = Exact::parse("-98765432109876543210987654321");
  target = std::move(moved);
  BOOST_TEST((target == big));
  BOOST_TEST(Exact::parse("18446744073709551616/18446744073709551616").toString() == "1");
  BOOST_TEST(!Exact::parse("18446744073709551616/18446744073709551616").isLarge());
}

BOOST_AUTO_TEST_CASE(decimal_conversion_rounds_half_up_on_both_forms) {
  BOOST_TEST(Exact::fraction(200, 3).toDecimalString(3) == "66.667");
  BOOST_TEST(Exact::fraction(-1, 2000).toDecimalString(3) == "-0.001");
  BOOST_TEST(Exact::fraction(-1, 3000).toDecimalString(3) == "0.000");
  BOOST_TEST(Exact::fraction(1, 3).toDecimalString(0) == "0");
  BOOST_TEST(Exact::fraction(5, 2).toDecimalString(0) == "3");
  BOOST_TEST(Exact(core::Decimal::parse("2.405")).toDecimal().raw() == 2405000);
  BOOST_TEST(Exact::fraction(1, 7).toDecimal().raw() == 142857);
  BOOST_TEST(Exact::fraction(kMax, 1000000).toDecimal().raw() == kMax);
  BOOST_CHECK_THROW(Exact(kMax).toDecimal(), core::Error);
  const Exact big = Exact::parse("123456789012345678901234567890/1000000000000000000000000");
  BOOST_TEST(big.toDecimal().raw() == 123456789012);
  BOOST_TEST(big.toDecimalString(3) == "123456.789");
  std::mt19937_64 rng(3);
  for (int i = 0; i < 5000; ++i) {
    const std::int64_t n = boundaryValue(rng), d = nonZero(rng);
    const int places = std::uniform_int_distribution<int>(0, 20)(rng);
    BOOST_TEST(Exact::fraction(n, d).toDecimalString(places) == refDecimal(Ref(n, d), places));
  }
}

BOOST_AUTO_TEST_SUITE_END()
