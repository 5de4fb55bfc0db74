/* Differential tests of the value formatters' fast paths against the
   implementation they replaced, kept here verbatim as the reference:
   doubles (Ryu against the exact 128-bit search, short-decimal and printf
   paths), integers, dates and timestamps (with and without the day cache).
   The random part runs CSV2PQ_DIFF_N doubles (default 3000000; 300000
   under the sanitizers) and a tenth as many of each other kind; a long
   run: CSV2PQ_DIFF_N=200000000 tests/unit/test_value. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "encode.h"
#include "err.h"
#include "pool.h"
#include "pqmeta.h"
#include "pqvalue.h"
#include "types.h"

/* ---- the reference: pqvalue.c's formatters before the fast paths ---- */


static size_t fmt_u64(uint64_t v, char *buf) {
    char tmp[24];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (size_t i = 0; i < n; i++)
        buf[i] = tmp[n - 1 - i];
    return n;
}

/* Zero-padded to at least w digits. */
static size_t fmt_pad(uint64_t v, int w, char *buf) {
    char tmp[24];
    size_t n = fmt_u64(v, tmp), k = 0;
    while ((int)(n + k) < w)
        buf[k++] = '0';
    memcpy(buf + k, tmp, n);
    return n + k;
}

#ifdef __SIZEOF_INT128__
typedef unsigned __int128 u128;

static u128 pow10_u128(int k) {
    u128 r = 1;
    while (k-- > 0)
        r *= 10;
    return r;
}

/* Shortest digits of a positive finite v = m * 2^t, exactly, in 128-bit
   integers.  With k decimal places v * 10^k = A / B (A, B integers), and a
   decimal c at that scale reads back to v when |c * B - A| is within half
   an ulp, 2^t * 10^k * B / 2 (a quarter below a power of two).  Lengths
   from dmin digits up are tried, the two neighbours of the value at each,
   the closer one winning; when v lies halfway between two that both read
   back, the even one wins.  Floats are printed as DuckDB prints them
   (tie_longer = 1): a candidate exactly half an ulp away does not count,
   and a length where v lies halfway between two candidates is passed
   over.  At dmax digits the rounded value always reads back.  Returns 0
   when v is outside the range this handles (the caller falls back to
   printf). */
static int exact_digits(uint64_t m, int t, int pow2, int dmin, int dmax, int tie_longer, double v, char *dig,
                        int *exp10) {
    if (!(v >= 1e-5) || t < -100 || t > 60)
        return 0;
    int e = (int)floor(log10(v));
    u128 a, b, d;
    int k;
    for (int tries = 0;; tries++) {
        k = dmax - 1 - e;
        if (tries > 2 || k > 24 || k < -24 || (t < 0 && k < 0))
            return 0;
        a = (u128)m << (t > 0 ? t : 0);
        if (k > 0)
            a *= pow10_u128(k);
        b = t < 0 ? (u128)1 << -t : k < 0 ? pow10_u128(-k) : 1;
        d = a / b;
        u128 rem = a - d * b;
        if (rem * 2 > b || (rem * 2 == b && (d & 1)))
            d++;
        if (d >= pow10_u128(dmax))
            e++;
        else if (d < pow10_u128(dmax - 1))
            e--;
        else
            break;
    }
    /* twice the half ulp, scaled: 2^t * 10^k * b */
    u128 ulp = t < 0 ? pow10_u128(k) : ((u128)1 << t) * (k > 0 ? pow10_u128(k) : 1);
    u128 best = d;
    int digits = dmax;
    for (int p = dmin; p < dmax; p++) {
        u128 div = pow10_u128(dmax - p);
        u128 f = a / (div * b);
        u128 pick = 0, pick_diff = 0;
        int found = 0;
        for (int up = 0; up < 2; up++) {
            u128 cb = (f + (u128)up) * div * b;
            int below = cb < a;
            u128 diff = below ? a - cb : cb - a;
            u128 twice = below && pow2 ? diff * 4 : diff * 2;
            if (twice < ulp || (twice == ulp && !(m & 1) && !tie_longer)) {
                if (found && diff == pick_diff && tie_longer) {
                    found = 2;
                } else if (found && diff == pick_diff) {
                    if (pick & 1)
                        pick = f + (u128)up;
                } else if (!found || diff < pick_diff) {
                    pick = f + (u128)up;
                    pick_diff = diff;
                    found = 1;
                }
            }
        }
        if (found == 1) {
            best = pick;
            digits = p;
            break;
        }
    }
    if (best >= pow10_u128(digits)) {    /* 99..9 rounded up to 10..0 */
        best /= 10;
        e++;
    }
    char tmp[48];
    int nd = 0;
    for (u128 x = best; x; x /= 10)
        tmp[nd++] = (char)('0' + (int)(x % 10));
    int w = 0;
    while (nd > 0)
        dig[w++] = tmp[--nd];
    while (w > 1 && dig[w - 1] == '0')
        w--;
    dig[w] = 0;
    *exp10 = e;
    return 1;
}

static int exact_shortest(double v, int is_float, char *dig, int *exp10) {
    if (is_float) {
        float f = (float)v;
        uint32_t b;
        memcpy(&b, &f, 4);
        int be = (int)(b >> 23 & 0xff);
        if (be == 0 || be == 0xff)
            return 0;
        uint32_t frac = b & 0x7fffff;
        return exact_digits(frac | 0x800000u, be - 150, frac == 0 && be > 1, 6, 9, 1, v, dig, exp10);
    }
    uint64_t b;
    memcpy(&b, &v, 8);
    int be = (int)(b >> 52 & 0x7ff);
    if (be == 0 || be == 0x7ff)
        return 0;
    uint64_t frac = b & 0xfffffffffffffull;
    return exact_digits(frac | 0x10000000000000ull, be - 1075, frac == 0 && be > 1, 15, 17, 0, v, dig, exp10);
}
#else
static int exact_shortest(double v, int is_float, char *dig, int *exp10) {
    (void)v, (void)is_float, (void)dig, (void)exp10;
    return 0;
}
#endif

/* The shortest digits that read back to v: digits without a point in
   dig (NUL-terminated), the decimal exponent of the first digit in *exp10.
   Outside the exact path's range (below 1e-5, very large) printf's
   correctly rounded digits are tried from DBL_DIG (FLT_DIG) digits up: a
   value that reads back from that many has them, trailing zeros dropped,
   as its shortest form; 17 (9) digits always read back. */
/* The common case first: a double that is m / 10^k exactly as strtod reads
   it, for the fewest decimals k, with m below 2^53.  Both m and 10^k are
   exact doubles, so the division rounds correctly (Clinger) and m with k
   decimals reads back to v; no shorter text does, or a smaller k would
   have matched.  Returns 0 when v is not such a number. */
static int short_decimal(double v, char *dig, int *exp10) {
    static const double p10[] = {
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22
    };
    if (!(v >= 1e-5 && v < 1e15))
        return 0;
    for (int k = 0; k <= 22; k++) {
        double x = v * p10[k];
        if (x >= 9007199254740992.0)
            return 0;
        double m = nearbyint(x);
        if (m / p10[k] != v)
            continue;
        char tmp[24];
        int nd = 0;
        for (uint64_t u = (uint64_t)m; u; u /= 10)
            tmp[nd++] = (char)('0' + (int)(u % 10));
        if (nd == 0)
            return 0;
        int w = 0;
        for (int i = nd - 1; i >= 0; i--)
            dig[w++] = tmp[i];
        *exp10 = nd - 1 - k;
        while (w > 1 && dig[w - 1] == '0')
            w--;
        dig[w] = 0;
        return 1;
    }
    return 0;
}

static void shortest_digits(double v, int is_float, char *dig, int *exp10) {
    char buf[48];
    if (!is_float && short_decimal(v, dig, exp10))
        return;
    if (exact_shortest(v, is_float, dig, exp10))
        return;
    int p = is_float ? 6 : 15, max = is_float ? 9 : 17;
    if (is_float ? v < FLT_MIN : v < DBL_MIN)
        p = 1;                           /* subnormal: fewer digits are exact */
    for (;; p++) {
        snprintf(buf, sizeof buf, "%.*e", p - 1, v);
        if (p == max || (is_float ? strtof(buf, NULL) == (float)v : strtod(buf, NULL) == v))
            break;
    }
    size_t k = 0;
    const char *s = buf;
    for (; *s && *s != 'e'; s++)
        if (*s >= '0' && *s <= '9')
            dig[k++] = *s;
    while (k > 1 && dig[k - 1] == '0')
        k--;
    dig[k] = 0;
    *exp10 = *s == 'e' ? atoi(s + 1) : 0;
}

static size_t ref_format_double(double v, int is_float, char *buf) {
    if (isnan(v)) {
        if (signbit(v)) {
            memcpy(buf, "-nan", 4);
            return 4;
        }
        memcpy(buf, "nan", 3);
        return 3;
    }
    size_t n = 0;
    if (signbit(v)) {
        buf[n++] = '-';
        v = -v;
    }
    if (isinf(v)) {
        memcpy(buf + n, "inf", 3);
        return n + 3;
    }
    if (v == 0) {
        memcpy(buf + n, "0.0", 3);
        return n + 3;
    }
    char dig[24];
    int e;
    shortest_digits(v, is_float, dig, &e);
    int nd = (int)strlen(dig);
    if (e >= -5 + 1 && e < 16) {
        if (e >= 0) {
            for (int i = 0; i <= e; i++)
                buf[n++] = i < nd ? dig[i] : '0';
            buf[n++] = '.';
            if (nd > e + 1)
                for (int i = e + 1; i < nd; i++)
                    buf[n++] = dig[i];
            else
                buf[n++] = '0';
        } else {
            buf[n++] = '0';
            buf[n++] = '.';
            for (int i = -1; i > e; i--)
                buf[n++] = '0';
            for (int i = 0; i < nd; i++)
                buf[n++] = dig[i];
        }
        return n;
    }
    buf[n++] = dig[0];
    if (nd > 1) {
        buf[n++] = '.';
        for (int i = 1; i < nd; i++)
            buf[n++] = dig[i];
    }
    buf[n++] = 'e';
    buf[n++] = e < 0 ? '-' : '+';
    n += fmt_pad((uint64_t)(e < 0 ? -e : e), 2, buf + n);
    return n;
}

static size_t fmt_date(int64_t days, char *buf) {
    int64_t y;
    unsigned m, d;
    ty_civil_from_days(days, &y, &m, &d);
    int bc = y <= 0;
    if (bc)
        y = 1 - y;
    size_t n = fmt_pad((uint64_t)y, 4, buf);
    buf[n++] = '-';
    n += fmt_pad(m, 2, buf + n);
    buf[n++] = '-';
    n += fmt_pad(d, 2, buf + n);
    if (bc) {
        memcpy(buf + n, " (BC)", 5);
        n += 5;
    }
    return n;
}

static size_t fmt_clock(int64_t secs, uint64_t frac, int digits, char *buf) {
    size_t n = fmt_pad((uint64_t)(secs / 3600), 2, buf);
    buf[n++] = ':';
    n += fmt_pad((uint64_t)(secs / 60 % 60), 2, buf + n);
    buf[n++] = ':';
    n += fmt_pad((uint64_t)(secs % 60), 2, buf + n);
    if (frac) {
        buf[n++] = '.';
        size_t k = fmt_pad(frac, digits, buf + n);
        while (k > 1 && buf[n + k - 1] == '0')
            k--;
        n += k;
    }
    return n;
}

static int64_t floor_div(int64_t a, int64_t b) {
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static size_t fmt_timestamp(int64_t secs, uint64_t frac, int digits, int utc, char *buf) {
    int64_t days = floor_div(secs, 86400);
    size_t n = fmt_date(days, buf);
    buf[n++] = ' ';
    n += fmt_clock(secs - days * 86400, frac, digits, buf + n);
    if (utc) {
        memcpy(buf + n, "+00", 3);
        n += 3;
    }
    return n;
}

static size_t fmt_epoch(int64_t v, int64_t per_sec, int digits, int utc, char *buf) {
    int64_t r = v % per_sec;
    int64_t s = v / per_sec;
    if (r < 0) {
        r += per_sec;
        s--;
    }
    return fmt_timestamp(s, (uint64_t)r, digits, utc, buf);
}

/* The timestamp text as pqv_format() wrote it before pqv_put(). */
static size_t ref_timestamp(int unit, int utc, int64_t v, char *buf) {
    if (unit == PQ_MICROS && (v == INT64_MAX || v == -INT64_MAX)) {
        memcpy(buf, v > 0 ? "infinity" : "-infinity", 9);
        return v > 0 ? 8 : 9;
    }
    if (unit == PQ_MILLIS)
        return fmt_epoch(v, 1000, 3, utc, buf);
    if (unit == PQ_MICROS)
        return fmt_epoch(v, 1000000, 6, utc, buf);
    if (utc)
        return fmt_epoch(v / 1000, 1000000, 6, 1, buf);
    return fmt_epoch(v, 1000000000, 9, 0, buf);
}

/* ---- random inputs ---- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void) {                      /* xorshift64* */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dull;
}

static double from_bits(uint64_t b) {
    double v;
    memcpy(&v, &b, 8);
    return v;
}

static long count(long dflt) {
    const char *s = getenv("CSV2PQ_DIFF_N");
    long n = s && *s ? atol(s) : getenv("CSV2PQ_SANITIZE") ? dflt / 10 : dflt;
    return n > 0 ? n : 1;
}

static long double_failures;

static void same_double(double v) {
    char want[64], got[PQV_PUT_MAX + 8], got2[64];
    size_t nw = ref_format_double(v, 0, want);
    size_t ng = pqv_put_double(v, got);
    size_t n2 = pqv_format_double(v, 0, got2);
    if (nw != ng || memcmp(want, got, nw) || nw != n2 || memcmp(want, got2, nw)) {
        if (double_failures++ < 20) {
            uint64_t b;
            memcpy(&b, &v, 8);
            print_error("double %016llx: want %.*s, got %.*s / %.*s\n", (unsigned long long)b, (int)nw, want,
                        (int)ng, got, (int)n2, got2);
        }
    }
}

/* A double from one of several families: any bit pattern, short decimals
   (prices, coordinates), full-precision fractions, one random exponent
   with sparse or full fraction bits, subnormals, and integers. */
static double random_double(long i) {
    static const double p10[] = { 1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10 };
    uint64_t r = rnd();
    double sign = r & 1 ? -1 : 1;
    switch (i % 7) {
    case 0:
        return from_bits(rnd());
    case 1:
        return sign * (double)(rnd() % 100000000) / p10[rnd() % 11];
    case 2:
        return sign * (double)(rnd() >> 11) / 9007199254740992.0 * p10[rnd() % 11];
    case 3: {
        uint64_t frac = rnd() & 0xfffffffffffffull;
        frac >>= rnd() % 53;                     /* few bits set, or none */
        return from_bits((rnd() % 2047) << 52 | frac | (r & 1) << 63);
    }
    case 4:
        return from_bits((rnd() & 0xfffffffffffffull) >> (rnd() % 53) | (r & 1) << 63);
    case 5:
        return sign * (double)(rnd() >> (rnd() % 64));
    default:
        return sign * (double)(rnd() % 1000000) / 1000 * p10[rnd() % 11] / p10[rnd() % 11];
    }
}

static void test_doubles_random(void **state) {
    (void)state;
    long n = count(3000000);
    double_failures = 0;
    for (long i = 0; i < n; i++)
        same_double(random_double(i));
    assert_int_equal(double_failures, 0);
}

static void test_doubles_edges(void **state) {
    (void)state;
    double_failures = 0;
    /* every power of two, its neighbours and the extremes of each binade */
    for (uint64_t be = 0; be < 2048; be++) {
        for (int s = 0; s < 2; s++) {
            uint64_t b = be << 52 | (uint64_t)s << 63;
            same_double(from_bits(b));
            same_double(from_bits(b | 1));
            same_double(from_bits(b | 0xfffffffffffffull));
            same_double(from_bits(b | 0x8000000000000ull));
            if (be)
                same_double(from_bits(b - 1));
        }
    }
    /* powers of ten and their neighbours; the layout switches at 1e-5 and 1e16 */
    for (int k = -325; k <= 308; k++) {
        char t[32];
        snprintf(t, sizeof t, "1e%d", k);
        double v = strtod(t, NULL);
        for (int d = -3; d <= 3; d++) {
            double w = v;
            for (int j = 0; j < (d < 0 ? -d : d); j++)
                w = nextafter(w, d < 0 ? 0 : INFINITY);
            same_double(w);
            same_double(-w);
            same_double(w * 5);
            same_double(w * 9.5);
        }
    }
    /* the smallest subnormals, integers around 2^53, short decimals */
    for (uint64_t f = 1; f < 20000; f++)
        same_double(from_bits(f));
    for (int64_t k = -3000; k <= 3000; k++) {
        same_double((double)((1ll << 53) + k));
        same_double((double)k);
        same_double((double)k / 100);
        same_double((double)k / 1000000);
    }
    same_double(DBL_MAX);
    same_double(DBL_MIN);
    same_double(DBL_TRUE_MIN);
    same_double(DBL_EPSILON);
    same_double(0.0);
    same_double(-0.0);
    same_double(INFINITY);
    same_double(-INFINITY);
    same_double(NAN);
    same_double(-NAN);
    assert_int_equal(double_failures, 0);
}

static void test_integers_random(void **state) {
    (void)state;
    long n = count(3000000) / 10;
    char want[32], got[PQV_PUT_MAX];
    static const int64_t edge[] = { 0, 1, -1, 9, 10, 99, 100, INT64_MAX, INT64_MIN, INT64_MIN + 1,
                                    999999999999999999ll, 1000000000000000000ll, -1000000000000000000ll };
    for (long i = 0; i < n + 13; i++) {
        int64_t v = i < 13 ? edge[i] : (int64_t)(rnd() >> (rnd() % 64));
        if (i >= 13 && rnd() & 1)
            v = -v;
        int nw = snprintf(want, sizeof want, "%lld", (long long)v);
        size_t ng = pqv_put_i64(v, got);
        assert_int_equal(ng, nw);
        assert_memory_equal(got, want, ng);
        uint64_t u = (uint64_t)v;
        nw = snprintf(want, sizeof want, "%llu", (unsigned long long)u);
        ng = pqv_put_u64(u, got);
        assert_int_equal(ng, nw);
        assert_memory_equal(got, want, ng);
    }
}

static void same_timestamp(int unit, int utc, int64_t v, struct pqv_day *day) {
    struct pq_schema_element e;
    memset(&e, 0, sizeof e);
    e.has_type = 1;
    e.type = PQ_INT64;
    e.logical.kind = PQ_LT_TIMESTAMP;
    e.logical.unit = unit;
    e.logical.is_adjusted_to_utc = utc;
    struct pqv_type t;
    pqv_resolve(&e, &t);
    uint8_t b[8];
    enc_store_u64le(b, (uint64_t)v);
    char want[96], got[PQV_PUT_MAX];
    size_t nw = ref_timestamp(unit, utc, v, want);
    size_t ng = pqv_put(&t, b, day, got);
    if (nw != ng || memcmp(want, got, nw))
        fail_msg("timestamp %lld unit %d utc %d: want %.*s, got %.*s", (long long)v, unit, utc, (int)nw, want,
                 (int)ng, got);
}

static void test_timestamps_random(void **state) {
    (void)state;
    long n = count(3000000) / 10;
    static const int64_t per[3] = { 1000, 1000000, 1000000000 };
    for (int unit = PQ_MILLIS; unit <= PQ_NANOS; unit++) {
        for (int utc = 0; utc < 2; utc++) {
            struct pqv_day day = { PQV_NO_DAY, 0, { 0 } };
            static const int64_t edge[] = { 0, -1, 1, INT64_MAX, INT64_MIN, -INT64_MAX, 86399999, -86400000 };
            for (int i = 0; i < 8; i++) {
                same_timestamp(unit, utc, edge[i], NULL);
                same_timestamp(unit, utc, edge[i], &day);
            }
            int64_t at = 0;
            for (long i = 0; i < n; i++) {
                int64_t v;
                switch (i % 4) {
                case 0: v = (int64_t)rnd(); break;
                case 1: {                        /* 4000 years around 1970 (290 for nanoseconds) */
                    uint64_t span = (uint64_t)(unit == PQ_NANOS ? 290 : 4000) * 366 * 86400 *
                                    (uint64_t)per[unit - PQ_MILLIS];
                    v = (int64_t)(rnd() % span) - (int64_t)(span / 2);
                    break;
                }
                case 2: v = (int64_t)(rnd() >> (rnd() % 64)); if (rnd() & 1) v = -v; break;
                default: at += (int64_t)(rnd() % 600) * per[unit - PQ_MILLIS] / 10; v = at; break;
                }
                same_timestamp(unit, utc, v, NULL);
                same_timestamp(unit, utc, v, &day);
            }
        }
    }
}

static void test_dates_random(void **state) {
    (void)state;
    long n = count(3000000) / 10;
    struct pq_schema_element e;
    memset(&e, 0, sizeof e);
    e.has_type = 1;
    e.type = PQ_INT32;
    e.logical.kind = PQ_LT_DATE;
    struct pqv_type t;
    pqv_resolve(&e, &t);
    for (long i = 0; i < n; i++) {
        int32_t d = i < 4 ? (int32_t[]){ 0, -1, INT32_MAX, INT32_MIN }[i]
                          : i % 2 ? (int32_t)rnd() : (int32_t)(rnd() % 2000000) - 1000000;
        uint8_t b[4];
        enc_store_u32le(b, (uint32_t)d);
        char want[64], got[PQV_PUT_MAX];
        size_t nw = fmt_date(d, want);
        size_t ng = pqv_put(&t, b, NULL, got);
        if (nw != ng || memcmp(want, got, nw))
            fail_msg("date %d: want %.*s, got %.*s", d, (int)nw, want, (int)ng, got);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_doubles_edges),
        cmocka_unit_test(test_doubles_random),
        cmocka_unit_test(test_integers_random),
        cmocka_unit_test(test_timestamps_random),
        cmocka_unit_test(test_dates_random),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
