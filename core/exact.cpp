#include "core/exact.h"

#include <gmp.h>

#include <new>
#include <string>

#include "core/error.h"

namespace core {
namespace {

static_assert(sizeof(mpq_t) <= 32, "Exact::storage_ is too small for mpq_t");
static_assert(alignof(__mpq_struct) <= 8, "Exact::storage_ is under-aligned for mpq_t");

mpq_ptr q(unsigned char* storage) { return reinterpret_cast<mpq_ptr>(storage); }
mpq_srcptr q(const unsigned char* storage) { return reinterpret_cast<mpq_srcptr>(storage); }

void setInt64(mpq_ptr target, std::int64_t value) {
  // mpz_set_si takes a long, which is 64-bit on the supported platforms.
  static_assert(sizeof(long) == sizeof(std::int64_t));
  mpq_set_si(target, static_cast<long>(value), 1);
}

}  // namespace

Exact::Exact() { mpq_init(q(storage_)); }

Exact::Exact(std::int64_t value) {
  mpq_init(q(storage_));
  setInt64(q(storage_), value);
}

Exact::Exact(Decimal value) {
  mpq_init(q(storage_));
  mpz_set_si(mpq_numref(q(storage_)), static_cast<long>(value.raw()));
  mpz_set_si(mpq_denref(q(storage_)), static_cast<long>(Decimal::kOne));
  mpq_canonicalize(q(storage_));
}

Exact Exact::fraction(std::int64_t numerator, std::int64_t denominator) {
  if (denominator == 0) throw Error(ErrorCode::kInvalidArgument, "fraction with denominator zero");
  Exact r;
  mpz_set_si(mpq_numref(q(r.storage_)), static_cast<long>(numerator));
  mpz_set_si(mpq_denref(q(r.storage_)), static_cast<long>(denominator));
  mpq_canonicalize(q(r.storage_));
  return r;
}

Exact Exact::parse(std::string_view text) {
  const std::string s(text);
  bool ok = !s.empty();
  for (std::size_t i = 0; i < s.size() && ok; ++i) {
    const char c = s[i];
    ok = (c >= '0' && c <= '9') || (c == '-' && (i == 0 || s[i - 1] == '/')) || c == '/';
  }
  Exact r;
  if (!ok || mpq_set_str(q(r.storage_), s.c_str(), 10) != 0 || mpz_sgn(mpq_denref(q(r.storage_))) == 0)
    throw Error(ErrorCode::kInvalidArgument,
                "'" + s + "' is not an exact number; write an integer or a fraction such as 200/3");
  mpq_canonicalize(q(r.storage_));
  return r;
}

Exact::Exact(const Exact& other) {
  mpq_init(q(storage_));
  mpq_set(q(storage_), q(other.storage_));
}

Exact::Exact(Exact&& other) noexcept {
  mpq_init(q(storage_));
  mpq_swap(q(storage_), q(other.storage_));
}

Exact& Exact::operator=(const Exact& other) {
  if (this != &other) mpq_set(q(storage_), q(other.storage_));
  return *this;
}

Exact& Exact::operator=(Exact&& other) noexcept {
  if (this != &other) mpq_swap(q(storage_), q(other.storage_));
  return *this;
}

Exact::~Exact() { mpq_clear(q(storage_)); }

Exact Exact::operator+(const Exact& other) const {
  Exact r;
  mpq_add(q(r.storage_), q(storage_), q(other.storage_));
  return r;
}

Exact Exact::operator-(const Exact& other) const {
  Exact r;
  mpq_sub(q(r.storage_), q(storage_), q(other.storage_));
  return r;
}

Exact Exact::operator*(const Exact& other) const {
  Exact r;
  mpq_mul(q(r.storage_), q(storage_), q(other.storage_));
  return r;
}

Exact Exact::operator/(const Exact& other) const {
  if (other.isZero()) throw Error(ErrorCode::kInvalidArgument, "division by zero in an exact computation");
  Exact r;
  mpq_div(q(r.storage_), q(storage_), q(other.storage_));
  return r;
}

std::strong_ordering Exact::operator<=>(const Exact& other) const {
  const int c = mpq_cmp(q(storage_), q(other.storage_));
  if (c < 0) return std::strong_ordering::less;
  if (c > 0) return std::strong_ordering::greater;
  return std::strong_ordering::equal;
}

bool Exact::operator==(const Exact& other) const { return mpq_equal(q(storage_), q(other.storage_)) != 0; }

bool Exact::isZero() const { return mpq_sgn(q(storage_)) == 0; }

std::string Exact::toString() const {
  std::string out(mpz_sizeinbase(mpq_numref(q(storage_)), 10) + mpz_sizeinbase(mpq_denref(q(storage_)), 10) + 3,
                  '\0');
  mpq_get_str(out.data(), 10, q(storage_));
  out.resize(std::char_traits<char>::length(out.c_str()));
  return out;
}

namespace {

// |value| * 10^places rounded half up, as an integer, with the sign returned separately.
void scaledRounded(mpq_srcptr value, int places, mpz_t out, bool& negative) {
  mpz_t scale, num, rem;
  mpz_inits(scale, num, rem, nullptr);
  mpz_ui_pow_ui(scale, 10, static_cast<unsigned long>(places));
  mpz_abs(num, mpq_numref(value));
  mpz_mul(num, num, scale);
  mpz_mul_ui(num, num, 2);
  mpz_add(num, num, mpq_denref(value));  // floor((2*n*s + d) / (2*d)) = round half up of n*s/d
  mpz_mul_ui(rem, mpq_denref(value), 2);
  mpz_fdiv_q(out, num, rem);
  negative = mpq_sgn(value) < 0 && mpz_sgn(out) != 0;
  mpz_clears(scale, num, rem, nullptr);
}

}  // namespace

std::string Exact::toDecimalString(int places) const {
  mpz_t scaled;
  mpz_init(scaled);
  bool negative = false;
  scaledRounded(q(storage_), places, scaled, negative);
  std::string digits(mpz_sizeinbase(scaled, 10) + 2, '\0');
  mpz_get_str(digits.data(), 10, scaled);
  digits.resize(std::char_traits<char>::length(digits.c_str()));
  mpz_clear(scaled);
  if (places > 0) {
    const auto p = static_cast<std::size_t>(places);
    if (digits.size() <= p) digits = std::string(p + 1 - digits.size(), '0') + digits;
    digits = digits.substr(0, digits.size() - p) + "." + digits.substr(digits.size() - p);
  }
  if (negative) return "-" + digits;
  return digits;
}

Decimal Exact::toDecimal() const {
  mpz_t scaled;
  mpz_init(scaled);
  bool negative = false;
  scaledRounded(q(storage_), Decimal::kPlaces, scaled, negative);
  const bool fits = mpz_fits_slong_p(scaled) != 0;
  const long raw = fits ? mpz_get_si(scaled) : 0;
  mpz_clear(scaled);
  if (!fits) throw Error(ErrorCode::kInvalidArgument, "exact value too large for a decimal: " + toString());
  return Decimal::fromRaw(negative ? -raw : raw);
}

double Exact::toDouble() const { return mpq_get_d(q(storage_)); }

}  // namespace core
