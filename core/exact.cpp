// core::Exact: exact rationals. Values whose lowest-terms numerator and denominator fit in 64 bits
// are computed inline with 128-bit intermediates (scores, prices and distances almost always do);
// anything larger is computed by GMP and moves back to the inline form as soon as it fits again.
#include "core/exact.h"

#include <gmp.h>

#include <charconv>
#include <cstring>
#include <limits>
#include <string>

#include "core/error.h"

namespace core {
namespace {
__extension__ typedef __int128 Int128;
__extension__ typedef unsigned __int128 UInt128;
}  // namespace

// Access to the private representation for the helpers below.
struct ExactAccess {
  static mpq_ptr q(Exact& e) { return reinterpret_cast<mpq_ptr>(e.storage_); }
  static mpq_srcptr q(const Exact& e) { return reinterpret_cast<mpq_srcptr>(e.storage_); }
  static bool big(const Exact& e) { return e.big_; }
  static Exact::Small& small(Exact& e) { return e.small_; }
  static const Exact::Small& small(const Exact& e) { return e.small_; }
  static void setSmall(Exact& e, std::int64_t num, std::int64_t den) {
    if (e.big_) {
      mpq_clear(q(e));
      e.big_ = false;
    }
    e.small_ = {num, den};
  }
  // Sets `e` to the canonical value in `value`, inline when it fits (then `value` is left as it was;
  // otherwise `e` takes its limbs by swapping).
  static void take(Exact& e, mpq_ptr value);
  static void setBigFrom(Exact& e, Int128 num, Int128 den);
};

namespace {

static_assert(sizeof(mpq_t) <= 32, "Exact::storage_ is too small for mpq_t");
static_assert(alignof(__mpq_struct) <= 8, "Exact::storage_ is under-aligned for mpq_t");
static_assert(sizeof(long) == sizeof(std::int64_t), "mpz_set_si takes a long, which must be 64-bit");
static_assert(sizeof(mp_limb_t) == sizeof(std::uint64_t), "GMP limbs must be 64-bit");

constexpr Int128 kInt64Min = std::numeric_limits<std::int64_t>::min();
constexpr Int128 kInt64Max = std::numeric_limits<std::int64_t>::max();

// Binary GCD with a short dependency chain per step; a first Euclid step when one operand is far
// larger than the other (a weight against a 60-bit numerator), which binary steps would shrink one
// bit at a time.
std::uint64_t gcd64(std::uint64_t a, std::uint64_t b) {
  if (a == 0) return b;
  if (b == 0) return a;
  if (a == 1 || b == 1) return 1;
  if (a < b) {
    const std::uint64_t t = a;
    a = b;
    b = t;
  }
  if ((a >> 8) > b) {
    a %= b;
    if (a == 0) return b;
  }
  // Both odd after the shifts; each step replaces the pair by (min, |difference| without its zeros).
  int az = __builtin_ctzll(a);
  const int bz = __builtin_ctzll(b);
  const int shift = az < bz ? az : bz;
  b >>= bz;
  while (a != 0) {
    a >>= az;
    const std::uint64_t diff = b - a;                    // modulo 2^64: same trailing zeros as |b - a|
    az = __builtin_ctzll(diff | (std::uint64_t{1} << 63));  // defined for diff == 0, then unused
    const std::uint64_t low = a < b ? a : b;
    a = a < b ? b - a : a - b;
    b = low;
  }
  return b << shift;
}

int ctz128(UInt128 v) {
  const auto low = static_cast<std::uint64_t>(v);
  if (low != 0) return __builtin_ctzll(low);
  return 64 + __builtin_ctzll(static_cast<std::uint64_t>(v >> 64));
}

UInt128 gcd128(UInt128 a, UInt128 b) {
  if (a == 0) return b;
  if (b == 0) return a;
  if ((a >> 64) == 0 && (b >> 64) == 0) return gcd64(static_cast<std::uint64_t>(a), static_cast<std::uint64_t>(b));
  const int shift = ctz128(a | b);
  a >>= ctz128(a);
  do {
    b >>= ctz128(b);
    if (a > b) {
      const UInt128 t = a;
      a = b;
      b = t;
    }
    b -= a;
    if ((a >> 64) == 0 && (b >> 64) == 0)
      return gcd64(static_cast<std::uint64_t>(a), static_cast<std::uint64_t>(b)) << shift;
  } while (b != 0);
  return a << shift;
}

UInt128 abs128(Int128 v) { return v < 0 ? UInt128(0) - static_cast<UInt128>(v) : static_cast<UInt128>(v); }
std::uint64_t abs64(std::int64_t v) {
  return v < 0 ? std::uint64_t(0) - static_cast<std::uint64_t>(v) : static_cast<std::uint64_t>(v);
}

// Sets an mpz from a 128-bit integer.
void setMpz(mpz_ptr target, Int128 value) {
  const UInt128 magnitude = abs128(value);
  const auto high = static_cast<std::uint64_t>(magnitude >> 64);
  if (high == 0) {
    mpz_set_ui(target, static_cast<unsigned long>(magnitude));
  } else {
    mpz_set_ui(target, static_cast<unsigned long>(high));
    mpz_mul_2exp(target, target, 64);
    mpz_add_ui(target, target, static_cast<unsigned long>(static_cast<std::uint64_t>(magnitude)));
  }
  if (value < 0) mpz_neg(target, target);
}

// Per-thread GMP temporaries, initialised once, so that the large path does not allocate per call.
struct Scratch {
  mpq_t a, b, r;
  mpz_t z;
  Scratch() {
    mpq_init(a);
    mpq_init(b);
    mpq_init(r);
    mpz_init(z);
  }
  ~Scratch() {
    mpq_clear(a);
    mpq_clear(b);
    mpq_clear(r);
    mpz_clear(z);
  }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
};

Scratch& scratch() {
  thread_local Scratch s;
  return s;
}

// The value as an mpq: a large value as it is, an inline one copied into `tmp`.
mpq_srcptr asMpq(const Exact& e, mpq_ptr tmp) {
  if (ExactAccess::big(e)) return ExactAccess::q(e);
  const auto& s = ExactAccess::small(e);
  mpz_set_si(mpq_numref(tmp), static_cast<long>(s.num));
  mpz_set_si(mpq_denref(tmp), static_cast<long>(s.den));
  return tmp;
}

// num/den already in lowest terms with den > 0.
void setReduced(Exact& e, Int128 num, Int128 den) {
  if (num >= kInt64Min && num <= kInt64Max && den <= kInt64Max)
    ExactAccess::setSmall(e, static_cast<std::int64_t>(num), static_cast<std::int64_t>(den));
  else
    ExactAccess::setBigFrom(e, num, den);
}

// Any num/den with den != 0; |num| and |den| below 2^127.
void setFrom128(Exact& e, Int128 num, Int128 den) {
  if (den < 0) {
    num = -num;
    den = -den;
  }
  const UInt128 magnitude = abs128(num);
  if ((magnitude >> 63) == 0 && den <= kInt64Max) {  // the common case, in 64-bit arithmetic
    const std::uint64_t g = gcd64(static_cast<std::uint64_t>(magnitude), static_cast<std::uint64_t>(den));
    const auto n = static_cast<std::int64_t>(num);
    const auto d = static_cast<std::int64_t>(den);
    ExactAccess::setSmall(e, g == 1 ? n : n / static_cast<std::int64_t>(g), g == 1 ? d : d / static_cast<std::int64_t>(g));
    return;
  }
  const UInt128 g = gcd128(magnitude, static_cast<UInt128>(den));
  if (g > 1) {
    num /= static_cast<Int128>(g);
    den /= static_cast<Int128>(g);
  }
  setReduced(e, num, den);
}

enum class Op { kAdd, kSub, kMul, kDiv };

void bigOp(Exact& result, const Exact& x, const Exact& y, Op op) {
  Scratch& s = scratch();
  const mpq_srcptr a = asMpq(x, s.a);
  const mpq_srcptr b = asMpq(y, s.b);
  switch (op) {
    case Op::kAdd:
      mpq_add(s.r, a, b);
      break;
    case Op::kSub:
      mpq_sub(s.r, a, b);
      break;
    case Op::kMul:
      mpq_mul(s.r, a, b);
      break;
    case Op::kDiv:
      mpq_div(s.r, a, b);
      break;
  }
  ExactAccess::take(result, s.r);
}

// value / divisor, where divisor (a gcd) divides value, in 64-bit arithmetic.
std::int64_t divide(std::int64_t value, std::uint64_t divisor) {
  if (divisor == 1) return value;
  if (divisor > static_cast<std::uint64_t>(kInt64Max)) return -1;  // 2^63 divides only -2^63
  return value / static_cast<std::int64_t>(divisor);
}

// x + sign * y for inline operands (Knuth, TAOCP 4.5.1), exact in 128 bits.
void addSmall(Exact& result, const Exact& x, const Exact& y, bool subtract) {
  const auto& p = ExactAccess::small(x);
  const auto& q = ExactAccess::small(y);
  const Int128 c = subtract ? -static_cast<Int128>(q.num) : static_cast<Int128>(q.num);
  if (p.den == 1 && q.den == 1) {
    setReduced(result, p.num + c, 1);
    return;
  }
  const std::uint64_t g = gcd64(static_cast<std::uint64_t>(p.den), static_cast<std::uint64_t>(q.den));
  if (g == 1) {
    setReduced(result, static_cast<Int128>(p.num) * q.den + c * p.den, static_cast<Int128>(p.den) * q.den);
    return;
  }
  const auto ig = static_cast<std::int64_t>(g);
  const Int128 t = static_cast<Int128>(p.num) * (q.den / ig) + c * (p.den / ig);
  if (t == 0) {
    ExactAccess::setSmall(result, 0, 1);
    return;
  }
  const auto ig2 = static_cast<std::int64_t>(gcd64(static_cast<std::uint64_t>(abs128(t) % g), g));
  setReduced(result, t / ig2, static_cast<Int128>(p.den / ig) * (q.den / ig2));
}

void mulSmall(Exact& result, const Exact& x, const Exact& y) {
  const auto& p = ExactAccess::small(x);
  const auto& q = ExactAccess::small(y);
  if (p.num == 0 || q.num == 0) {
    ExactAccess::setSmall(result, 0, 1);
    return;
  }
  const std::uint64_t g1 = gcd64(abs64(p.num), static_cast<std::uint64_t>(q.den));
  const std::uint64_t g2 = gcd64(abs64(q.num), static_cast<std::uint64_t>(p.den));
  setReduced(result, static_cast<Int128>(divide(p.num, g1)) * divide(q.num, g2),
             static_cast<Int128>(divide(p.den, g2)) * divide(q.den, g1));
}

void divSmall(Exact& result, const Exact& x, const Exact& y) {
  const auto& p = ExactAccess::small(x);
  const auto& q = ExactAccess::small(y);
  if (p.num == 0) {
    ExactAccess::setSmall(result, 0, 1);
    return;
  }
  const std::uint64_t g1 = gcd64(abs64(p.num), abs64(q.num));
  const std::uint64_t g2 = gcd64(static_cast<std::uint64_t>(p.den), static_cast<std::uint64_t>(q.den));
  Int128 num = static_cast<Int128>(divide(p.num, g1)) * divide(q.den, g2);
  Int128 den = static_cast<Int128>(divide(p.den, g2)) * divide(q.num, g1);
  if (den < 0) {
    num = -num;
    den = -den;
  }
  setReduced(result, num, den);
}

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

// The same rounding for an inline value when |num| * 10^places fits in 128 bits; false otherwise.
bool scaledRoundedSmall(const Exact& e, int places, UInt128& out, bool& negative) {
  if (places < 0 || places > 18) return false;
  const auto& s = ExactAccess::small(e);
  UInt128 scale = 1;
  for (int i = 0; i < places; ++i) scale *= 10;
  const UInt128 num = static_cast<UInt128>(abs64(s.num)) * scale;  // < 2^64 * 10^18 < 2^124
  const auto den = static_cast<UInt128>(s.den);
  out = (2 * num + den) / (2 * den);
  negative = s.num < 0 && out != 0;
  return true;
}

std::string digitsOf(UInt128 v) {
  char buf[48];
  char* end = buf + sizeof buf;
  char* p = end;
  do {
    *--p = static_cast<char>('0' + static_cast<int>(v % 10));
    v /= 10;
  } while (v != 0);
  return std::string(p, end);
}

}  // namespace

void ExactAccess::take(Exact& e, mpq_ptr value) {
  if (mpz_fits_slong_p(mpq_numref(value)) && mpz_fits_slong_p(mpq_denref(value))) {
    setSmall(e, mpz_get_si(mpq_numref(value)), mpz_get_si(mpq_denref(value)));
    return;
  }
  if (!e.big_) {
    mpq_init(q(e));
    e.big_ = true;
  }
  mpq_swap(q(e), value);
}

void ExactAccess::setBigFrom(Exact& e, Int128 num, Int128 den) {
  Scratch& s = scratch();
  setMpz(mpq_numref(s.r), num);
  setMpz(mpq_denref(s.r), den);
  take(e, s.r);
}

Exact::Exact(Decimal value) { setFrom128(*this, value.raw(), Decimal::kOne); }

Exact Exact::fraction(std::int64_t numerator, std::int64_t denominator) {
  if (denominator == 0) throw Error(ErrorCode::kInvalidArgument, "fraction with denominator zero");
  Exact r;
  setFrom128(r, numerator, denominator);
  return r;
}

Exact Exact::parse(std::string_view text) {
  const std::string s(text);
  bool ok = !s.empty();
  for (std::size_t i = 0; i < s.size() && ok; ++i) {
    const char c = s[i];
    ok = (c >= '0' && c <= '9') || (c == '-' && (i == 0 || s[i - 1] == '/')) || c == '/';
  }
  mpq_t value;
  mpq_init(value);
  if (!ok || mpq_set_str(value, s.c_str(), 10) != 0 || mpz_sgn(mpq_denref(value)) == 0) {
    mpq_clear(value);
    throw Error(ErrorCode::kInvalidArgument,
                "'" + s + "' is not an exact number; write an integer or a fraction such as 200/3");
  }
  mpq_canonicalize(value);
  Exact r;
  ExactAccess::take(r, value);
  mpq_clear(value);
  return r;
}

void Exact::copyBig(const Exact& other) {
  mpq_init(ExactAccess::q(*this));
  mpq_set(ExactAccess::q(*this), ExactAccess::q(other));
  big_ = true;
}

void Exact::stealBig(Exact& other) noexcept {
  std::memcpy(storage_, other.storage_, sizeof storage_);
  other.big_ = false;
  other.small_ = {0, 1};
}

void Exact::clearBig() noexcept { mpq_clear(ExactAccess::q(*this)); }

Exact& Exact::assignSlow(const Exact& other) {
  if (this == &other) return *this;
  if (!other.big_) {
    ExactAccess::setSmall(*this, other.small_.num, other.small_.den);
  } else if (big_) {
    mpq_set(ExactAccess::q(*this), ExactAccess::q(other));
  } else {
    copyBig(other);
  }
  return *this;
}

Exact& Exact::moveAssignSlow(Exact& other) noexcept {
  if (this == &other) return *this;
  if (big_) clearBig();
  big_ = other.big_;
  if (big_)
    stealBig(other);
  else
    small_ = other.small_;
  return *this;
}

Exact Exact::operator+(const Exact& other) const {
  Exact r;
  if (!big_ && !other.big_)
    addSmall(r, *this, other, false);
  else
    bigOp(r, *this, other, Op::kAdd);
  return r;
}

Exact Exact::operator-(const Exact& other) const {
  Exact r;
  if (!big_ && !other.big_)
    addSmall(r, *this, other, true);
  else
    bigOp(r, *this, other, Op::kSub);
  return r;
}

Exact Exact::operator*(const Exact& other) const {
  Exact r;
  if (!big_ && !other.big_)
    mulSmall(r, *this, other);
  else
    bigOp(r, *this, other, Op::kMul);
  return r;
}

Exact Exact::operator/(const Exact& other) const {
  if (other.isZero()) throw Error(ErrorCode::kInvalidArgument, "division by zero in an exact computation");
  Exact r;
  if (!big_ && !other.big_)
    divSmall(r, *this, other);
  else
    bigOp(r, *this, other, Op::kDiv);
  return r;
}

std::strong_ordering Exact::operator<=>(const Exact& other) const {
  int c = 0;
  if (!big_ && !other.big_) {
    if (small_.den == other.small_.den) return small_.num <=> other.small_.num;
    const Int128 left = static_cast<Int128>(small_.num) * other.small_.den;
    const Int128 right = static_cast<Int128>(other.small_.num) * small_.den;
    return left <=> right;
  }
  Scratch& s = scratch();
  c = mpq_cmp(asMpq(*this, s.a), asMpq(other, s.b));
  if (c < 0) return std::strong_ordering::less;
  if (c > 0) return std::strong_ordering::greater;
  return std::strong_ordering::equal;
}

bool Exact::operator==(const Exact& other) const {
  // Every value has one representation: an inline value never equals a large one.
  if (big_ != other.big_) return false;
  if (!big_) return small_.num == other.small_.num && small_.den == other.small_.den;
  return mpq_equal(ExactAccess::q(*this), ExactAccess::q(other)) != 0;
}

std::string Exact::toString() const {
  std::string out;
  appendTo(out);
  return out;
}

void Exact::appendTo(std::string& out) const {
  if (!big_) {
    char num[24];
    out.append(num, std::to_chars(num, num + sizeof num, small_.num).ptr);
    if (small_.den != 1) {
      char den[24];
      out += '/';
      out.append(den, std::to_chars(den, den + sizeof den, small_.den).ptr);
    }
    return;
  }
  const mpq_srcptr v = ExactAccess::q(*this);
  const std::size_t start = out.size();
  out.resize(start + mpz_sizeinbase(mpq_numref(v), 10) + mpz_sizeinbase(mpq_denref(v), 10) + 3);
  mpq_get_str(out.data() + start, 10, v);
  out.resize(start + std::char_traits<char>::length(out.c_str() + start));
}

std::string Exact::toDecimalString(int places) const {
  std::string digits;
  bool negative = false;
  UInt128 small_scaled = 0;
  if (!big_ && scaledRoundedSmall(*this, places, small_scaled, negative)) {
    digits = digitsOf(small_scaled);
  } else {
    Scratch& s = scratch();
    mpz_t scaled;
    mpz_init(scaled);
    scaledRounded(asMpq(*this, s.a), places, scaled, negative);
    digits.assign(mpz_sizeinbase(scaled, 10) + 2, '\0');
    mpz_get_str(digits.data(), 10, scaled);
    digits.resize(std::char_traits<char>::length(digits.c_str()));
    mpz_clear(scaled);
  }
  if (places > 0) {
    const auto p = static_cast<std::size_t>(places);
    if (digits.size() <= p) digits = std::string(p + 1 - digits.size(), '0') + digits;
    digits = digits.substr(0, digits.size() - p) + "." + digits.substr(digits.size() - p);
  }
  if (negative) return "-" + digits;
  return digits;
}

Decimal Exact::toDecimal() const {
  bool negative = false;
  UInt128 small_scaled = 0;
  if (!big_ && scaledRoundedSmall(*this, Decimal::kPlaces, small_scaled, negative)) {
    if (small_scaled <= static_cast<UInt128>(kInt64Max)) {
      const auto raw = static_cast<std::int64_t>(small_scaled);
      return Decimal::fromRaw(negative ? -raw : raw);
    }
    throw Error(ErrorCode::kInvalidArgument, "exact value too large for a decimal: " + toString());
  }
  Scratch& s = scratch();
  mpz_t scaled;
  mpz_init(scaled);
  scaledRounded(asMpq(*this, s.a), Decimal::kPlaces, scaled, negative);
  const bool fits = mpz_fits_slong_p(scaled) != 0;
  const long raw = fits ? mpz_get_si(scaled) : 0;
  mpz_clear(scaled);
  if (!fits) throw Error(ErrorCode::kInvalidArgument, "exact value too large for a decimal: " + toString());
  return Decimal::fromRaw(negative ? -raw : raw);
}

double Exact::toDouble() const {
  if (big_) return mpq_get_d(ExactAccess::q(*this));
  Scratch& s = scratch();
  return mpq_get_d(asMpq(*this, s.a));
}

}  // namespace core
