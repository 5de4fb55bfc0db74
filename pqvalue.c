#include "pqvalue.h"

#include <float.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "encode.h"
#include "err.h"
#include "types.h"

/* ---- type resolution ---- */

static int kind_from_logical(const struct pq_schema_element *e, struct pqv_type *t) {
    const struct pq_logical_type *lt = &e->logical;
    int phys = t->physical;
    switch (lt->kind) {
    case PQ_LT_STRING: case PQ_LT_ENUM: case PQ_LT_JSON:
        return phys == PQ_BYTE_ARRAY || phys == PQ_FIXED_LEN_BYTE_ARRAY ? PQV_STRING : -1;
    case PQ_LT_BSON:
        return phys == PQ_BYTE_ARRAY || phys == PQ_FIXED_LEN_BYTE_ARRAY ? PQV_HEX : -1;
    case PQ_LT_UUID:
        return phys == PQ_FIXED_LEN_BYTE_ARRAY && t->type_length == 16 ? PQV_UUID : -1;
    case PQ_LT_FLOAT16:
        return phys == PQ_FIXED_LEN_BYTE_ARRAY && t->type_length == 2 ? PQV_FLOAT16 : -1;
    case PQ_LT_DECIMAL:
        if (lt->scale < 0 || lt->scale > 4096 || phys == PQ_BOOLEAN || phys == PQ_INT96 ||
            phys == PQ_FLOAT || phys == PQ_DOUBLE)
            return -1;
        t->scale = lt->scale;
        return PQV_DECIMAL;
    case PQ_LT_DATE:
        return phys == PQ_INT32 ? PQV_DATE : -1;
    case PQ_LT_TIME:
        if (!((phys == PQ_INT32 && lt->unit == PQ_MILLIS) ||
              (phys == PQ_INT64 && (lt->unit == PQ_MICROS || lt->unit == PQ_NANOS))))
            return -1;
        t->unit = lt->unit;
        t->utc = lt->is_adjusted_to_utc;
        return PQV_TIME;
    case PQ_LT_TIMESTAMP:
        if (phys != PQ_INT64 || lt->unit < PQ_MILLIS || lt->unit > PQ_NANOS)
            return -1;
        t->unit = lt->unit;
        t->utc = lt->is_adjusted_to_utc;
        return PQV_TIMESTAMP;
    case PQ_LT_INTEGER:
        if (phys != PQ_INT32 && phys != PQ_INT64)
            return -1;
        return lt->is_signed ? PQV_INT : PQV_UINT;
    case PQ_LT_UNKNOWN:
        return PQV_NULL;
    case PQ_LT_GEOMETRY: case PQ_LT_GEOGRAPHY:
        return phys == PQ_BYTE_ARRAY ? PQV_WKB : -1;
    default:
        return -1;
    }
}

static int kind_from_converted(const struct pq_schema_element *e, struct pqv_type *t) {
    int phys = t->physical;
    switch (e->converted_type) {
    case PQ_CT_UTF8: case PQ_CT_ENUM: case PQ_CT_JSON:
        return phys == PQ_BYTE_ARRAY || phys == PQ_FIXED_LEN_BYTE_ARRAY ? PQV_STRING : -1;
    case PQ_CT_BSON:
        return phys == PQ_BYTE_ARRAY || phys == PQ_FIXED_LEN_BYTE_ARRAY ? PQV_HEX : -1;
    case PQ_CT_DECIMAL:
        if (!e->has_scale || e->scale < 0 || e->scale > 4096 || phys == PQ_BOOLEAN ||
            phys == PQ_INT96 || phys == PQ_FLOAT || phys == PQ_DOUBLE)
            return -1;
        t->scale = e->scale;
        return PQV_DECIMAL;
    case PQ_CT_DATE:
        return phys == PQ_INT32 ? PQV_DATE : -1;
    case PQ_CT_TIME_MILLIS:
        t->unit = PQ_MILLIS;
        return phys == PQ_INT32 ? PQV_TIME : -1;
    case PQ_CT_TIME_MICROS:
        t->unit = PQ_MICROS;
        return phys == PQ_INT64 ? PQV_TIME : -1;
    case PQ_CT_TIMESTAMP_MILLIS:
        t->unit = PQ_MILLIS;
        return phys == PQ_INT64 ? PQV_TIMESTAMP : -1;
    case PQ_CT_TIMESTAMP_MICROS:
        t->unit = PQ_MICROS;
        return phys == PQ_INT64 ? PQV_TIMESTAMP : -1;
    case PQ_CT_UINT_8: case PQ_CT_UINT_16: case PQ_CT_UINT_32: case PQ_CT_UINT_64:
        return phys == PQ_INT32 || phys == PQ_INT64 ? PQV_UINT : -1;
    case PQ_CT_INT_8: case PQ_CT_INT_16: case PQ_CT_INT_32: case PQ_CT_INT_64:
        return phys == PQ_INT32 || phys == PQ_INT64 ? PQV_INT : -1;
    case PQ_CT_INTERVAL:
        return phys == PQ_FIXED_LEN_BYTE_ARRAY && t->type_length == 12 ? PQV_INTERVAL : -1;
    default:
        return -1;
    }
}

static int kind_from_physical(int phys) {
    switch (phys) {
    case PQ_BOOLEAN: return PQV_BOOL;
    case PQ_INT32: case PQ_INT64: return PQV_INT;
    case PQ_INT96: return PQV_INT96;
    case PQ_FLOAT: return PQV_FLOAT;
    case PQ_DOUBLE: return PQV_DOUBLE;
    default: return PQV_BLOB;
    }
}

void pqv_resolve(const struct pq_schema_element *e, struct pqv_type *t) {
    memset(t, 0, sizeof *t);
    t->physical = e->type;
    t->type_length = e->has_type_length ? e->type_length : 0;
    int k = -1;
    if (e->logical.kind != PQ_LT_NONE)
        k = kind_from_logical(e, t);
    else if (e->has_converted_type)
        k = kind_from_converted(e, t);
    if (k < 0) {
        t->scale = 0;
        t->unit = 0;
        t->utc = 0;
        k = kind_from_physical(e->type);
    }
    t->kind = k;
}

/* ---- text buffer ---- */

void pqv_text_init(struct pqv_text *t, pool_t *pool) {
    t->pool = pool;
    t->p = NULL;
    t->len = t->cap = 0;
}

void pqv_text_free(struct pqv_text *t) {
    pool_free(t->pool, t->p);
    t->p = NULL;
    t->len = t->cap = 0;
}

/* Room for n more bytes; the buffer exists afterwards even for n = 0. */
static int text_reserve(struct pqv_text *t, size_t n) {
    if (t->p && t->cap - t->len >= n)
        return ERR_OK;
    if (n > SIZE_MAX / 2 - t->len)
        return ERR_NOMEM;
    size_t cap = t->cap ? t->cap : 256;
    while (cap - t->len < n)
        cap += cap / 2;                  /* by half: large texts overshoot less */
    char *p = pool_realloc(t->pool, t->p, cap);
    if (!p)
        return ERR_NOMEM;
    t->p = p;
    t->cap = cap;
    return ERR_OK;
}

int pqv_text_reserve(struct pqv_text *t, size_t n) {
    return text_reserve(t, n);
}

int pqv_text_put(struct pqv_text *t, const void *s, size_t n) {
    FORWARD_IF_ERROR(text_reserve(t, n));
    if (n)
        memcpy(t->p + t->len, s, n);
    t->len += n;
    return ERR_OK;
}

/* ---- numbers ---- */

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

static size_t fmt_i64(int64_t v, char *buf) {
    if (v < 0) {
        buf[0] = '-';
        return 1 + fmt_u64((uint64_t)0 - (uint64_t)v, buf + 1);
    }
    return fmt_u64((uint64_t)v, buf);
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

static const char digit_pairs[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

static const uint64_t pow10_u64[20] = {
    1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000,
    10000000000ull, 100000000000ull, 1000000000000ull, 10000000000000ull,
    100000000000000ull, 1000000000000000ull, 10000000000000000ull,
    100000000000000000ull, 1000000000000000000ull, 10000000000000000000ull
};

/* Decimal digits of v, 1 to 20. */
static inline int dec_len(uint64_t v) {
    if (v < 10)
        return 1;
    int t = ((64 - __builtin_clzll(v)) * 1233) >> 12;
    return t - (v < pow10_u64[t]) + 1;
}

static inline void put8(char *p, uint32_t v);

/* The nd digits of v (v < 10^nd, zeros in front) ending at end. */
static inline void put_digits(uint64_t v, char *end, int nd) {
    while (nd >= 8) {
        uint64_t q = v / 100000000;
        end -= 8;
        put8(end, (uint32_t)(v - q * 100000000));
        v = q;
        nd -= 8;
    }
    uint32_t w = (uint32_t)v;
    while (nd >= 2) {
        uint32_t q = w / 100;
        end -= 2;
        memcpy(end, digit_pairs + 2 * (w - q * 100), 2);
        w = q;
        nd -= 2;
    }
    if (nd)
        end[-1] = (char)('0' + w);
}

/* Exactly 8 digits of v < 10^8. */
static inline void put8(char *p, uint32_t v) {
    uint32_t a = v / 10000, b = v % 10000;
    memcpy(p, digit_pairs + 2 * (a / 100), 2);
    memcpy(p + 2, digit_pairs + 2 * (a % 100), 2);
    memcpy(p + 4, digit_pairs + 2 * (b / 100), 2);
    memcpy(p + 6, digit_pairs + 2 * (b % 100), 2);
}

size_t pqv_put_u64(uint64_t v, char *dst) {
    int nd = dec_len(v);
    put_digits(v, dst + nd, nd);
    return (size_t)nd;
}

size_t pqv_put_i64(int64_t v, char *dst) {
    if (v < 0) {
        dst[0] = '-';
        return 1 + pqv_put_u64((uint64_t)0 - (uint64_t)v, dst + 1);
    }
    return pqv_put_u64((uint64_t)v, dst);
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
static void shortest_digits(double v, int is_float, char *dig, int *exp10) {
    char buf[48];
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

/* The text of v by shortest_digits(): floats, and the few doubles the
   fast path leaves out. */
static size_t format_double_slow(double v, int is_float, char *buf) {
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

#ifdef __SIZEOF_INT128__
/* ---- shortest doubles: Ryu ----

   Ulf Adams, "Ryu: fast float-to-string conversion" (PLDI 2018), for
   doubles: the shortest decimal in the interval of values that read back
   to v (bounds included when the mantissa is even, as round-half-even
   reading does), the one closest to v among those, ties to even.  Its
   tables of 5^i and 2^j / 5^i, cut to 125 bits, are computed once from a
   small big-number on first use. */

#define POW5_BITS      125
#define POW5_INV_BITS  125
#define POW5_N         326           /* 5^0 .. 5^325 */
#define POW5_INV_N     342           /* 5^-0 .. 5^-341 */

static uint64_t pow5_split[POW5_N][2], pow5_inv_split[POW5_INV_N][2];   /* low, high */
static pthread_once_t pow5_once = PTHREAD_ONCE_INIT;

/* Bits of 5^e (1 for e = 0), for 0 <= e <= 3528. */
static inline int pow5_bits(int e) {
    return (int)(((uint32_t)e * 1217359) >> 19) + 1;
}

/* floor(log10(2^e)) for 0 <= e <= 1650, floor(log10(5^e)) for 0 <= e <= 2620. */
static inline uint32_t log10_pow2(int e) {
    return ((uint32_t)e * 78913) >> 18;
}
static inline uint32_t log10_pow5(int e) {
    return ((uint32_t)e * 732923) >> 20;
}

/* Bits [lo, lo + 128) of a little-endian number of 32-bit limbs. */
static void big_bits(const uint32_t *x, int nlimbs, int lo, uint64_t out[2]) {
    out[0] = out[1] = 0;
    for (int b = 0; b < 128; b++) {
        int at = lo + b;
        if (at < 0 || at / 32 >= nlimbs)
            continue;
        if (x[at / 32] >> (at % 32) & 1)
            out[b / 64] |= (uint64_t)1 << (b % 64);
    }
}

static int big_len(const uint32_t *x, int nlimbs) {
    for (int i = nlimbs - 1; i >= 0; i--)
        if (x[i])
            return i * 32 + 32 - __builtin_clz(x[i]);
    return 0;
}

/* pow5_split[i] = the top 125 bits of 5^i (shifted left when shorter);
   pow5_inv_split[i] = floor(2^j / 5^i) + 1 with j = bits(5^i) - 1 + 125,
   taken from floor(2^1024 / 5^i), which repeated division by 5 gives
   exactly (floor(floor(a / b) / c) = floor(a / (b c))). */
static void pow5_init(void) {
    enum { LIMBS = 34 };
    uint32_t p[LIMBS] = { 1 }, q[LIMBS] = { 0 };
    q[32] = 1;                                    /* 2^1024 */
    for (int i = 0; i < POW5_INV_N; i++) {
        int len = big_len(p, LIMBS);
        if (i < POW5_N)
            big_bits(p, LIMBS, len - POW5_BITS, pow5_split[i]);   /* shifted left when shorter */
        int j = len - 1 + POW5_INV_BITS;
        big_bits(q, LIMBS, 1024 - j, pow5_inv_split[i]);
        if (++pow5_inv_split[i][0] == 0)
            pow5_inv_split[i][1]++;
        uint64_t carry = 0;                       /* p *= 5 */
        for (int k = 0; k < LIMBS; k++) {
            uint64_t t = (uint64_t)p[k] * 5 + carry;
            p[k] = (uint32_t)t;
            carry = t >> 32;
        }
        uint64_t rem = 0;                         /* q /= 5 */
        for (int k = LIMBS - 1; k >= 0; k--) {
            uint64_t t = rem << 32 | q[k];
            q[k] = (uint32_t)(t / 5);
            rem = t % 5;
        }
    }
}

/* (m * mul) >> j for m < 2^55 and 64 < j < 192. */
static inline uint64_t mul_shift(uint64_t m, const uint64_t mul[2], int j) {
    u128 b0 = (u128)m * mul[0];
    u128 b2 = (u128)m * mul[1];
    return (uint64_t)(((b0 >> 64) + b2) >> (j - 64));
}

static inline int pow5_factor(uint64_t v) {
    int n = 0;
    while (v % 5 == 0) {
        v /= 5;
        n++;
    }
    return n;
}

/* The shortest digits of a finite positive double with biased exponent
   be and fraction bits frac (not both 0): *out * 10^*exp10. */
static void ryu_digits(uint64_t frac, int be, uint64_t *out, int *exp10) {
    int e2;
    uint64_t m2;
    if (be == 0) {
        e2 = 1 - 1023 - 52 - 2;
        m2 = frac;
    } else {
        e2 = be - 1023 - 52 - 2;
        m2 = (uint64_t)1 << 52 | frac;
    }
    int even = (m2 & 1) == 0;
    uint64_t mv = 4 * m2;
    uint32_t mm_shift = frac != 0 || be <= 1;
    uint64_t vr, vp, vm;
    int e10;
    int vm_zeros = 0, vr_zeros = 0;
    if (e2 >= 0) {
        uint32_t q = log10_pow2(e2) - (e2 > 3);
        e10 = (int)q;
        int k = POW5_INV_BITS + pow5_bits((int)q) - 1;
        int i = -e2 + (int)q + k;
        vr = mul_shift(4 * m2, pow5_inv_split[q], i);
        vp = mul_shift(4 * m2 + 2, pow5_inv_split[q], i);
        vm = mul_shift(4 * m2 - 1 - mm_shift, pow5_inv_split[q], i);
        if (q <= 21) {
            if (mv % 5 == 0)
                vr_zeros = pow5_factor(mv) >= (int)q;
            else if (even)
                vm_zeros = pow5_factor(mv - 1 - mm_shift) >= (int)q;
            else
                vp -= pow5_factor(mv + 2) >= (int)q;
        }
    } else {
        uint32_t q = log10_pow5(-e2) - (-e2 > 1);
        e10 = (int)q + e2;
        int i = -e2 - (int)q;
        int k = pow5_bits(i) - POW5_BITS;
        int j = (int)q - k;
        vr = mul_shift(4 * m2, pow5_split[i], j);
        vp = mul_shift(4 * m2 + 2, pow5_split[i], j);
        vm = mul_shift(4 * m2 - 1 - mm_shift, pow5_split[i], j);
        if (q <= 1) {
            vr_zeros = 1;
            if (even)
                vm_zeros = mm_shift == 1;
            else
                --vp;
        } else if (q < 63) {
            vr_zeros = (mv & (((uint64_t)1 << q) - 1)) == 0;
        }
    }
    int removed = 0;
    uint64_t output;
    if (vm_zeros || vr_zeros) {
        int last = 0;
        while (vp / 10 > vm / 10) {
            vm_zeros &= vm % 10 == 0;
            vr_zeros &= last == 0;
            last = (int)(vr % 10);
            vr /= 10;
            vp /= 10;
            vm /= 10;
            removed++;
        }
        if (vm_zeros) {
            while (vm % 10 == 0) {
                vr_zeros &= last == 0;
                last = (int)(vr % 10);
                vr /= 10;
                vp /= 10;
                vm /= 10;
                removed++;
            }
        }
        if (vr_zeros && last == 5 && vr % 2 == 0)
            last = 4;                             /* exactly ...50..0: to even */
        output = vr + ((vr == vm && (!even || !vm_zeros)) || last >= 5);
    } else {
        /* the digits that can go, 8, 4, 2 and 1 at a time: how many can
           go is where vp / 10^r > vm / 10^r stops holding; v has no digits
           past vr here, so the first one removed decides the rounding */
        int up = 0;
        while (vp / 100000000 > vm / 100000000) {
            up = vr % 100000000 >= 50000000;
            vr /= 100000000;
            vp /= 100000000;
            vm /= 100000000;
            removed += 8;
        }
        if (vp / 10000 > vm / 10000) {
            up = vr % 10000 >= 5000;
            vr /= 10000;
            vp /= 10000;
            vm /= 10000;
            removed += 4;
        }
        if (vp / 100 > vm / 100) {
            up = vr % 100 >= 50;
            vr /= 100;
            vp /= 100;
            vm /= 100;
            removed += 2;
        }
        if (vp / 10 > vm / 10) {
            up = vr % 10 >= 5;
            vr /= 10;
            vp /= 10;
            vm /= 10;
            removed++;
        }
        output = vr + (vr == vm || up);
    }
    *out = output;
    *exp10 = e10 + removed;
}

/* The text of m * 10^e10 (0 < m < 10^17) as format_double_slow() lays it
   out, written with fixed-size copies: dst needs 48 writable bytes. */
static size_t put_shortest(uint64_t m, int e10, char *dst) {
    char tmp[48];
    uint64_t hi = m / 100000000;
    memset(tmp, '0', sizeof tmp);
    put8(tmp + 16, (uint32_t)(m - hi * 100000000));
    if (hi) {
        put8(tmp + 8, (uint32_t)(hi % 100000000));
        tmp[7] = (char)('0' + hi / 100000000);
    }
    int nd = dec_len(m);
    const char *dig = tmp + 24 - nd;
    while (dig[nd - 1] == '0') {
        nd--;
        e10++;
    }
    int e = e10 + nd - 1;
    if (e >= 0 && e < 16) {
        memcpy(dst, dig, 16);
        if (nd > e + 1) {
            dst[e + 1] = '.';
            memcpy(dst + e + 2, dig + e + 1, 16);
            return (size_t)nd + 1;
        }
        memset(dst + nd, '0', 16);
        dst[e + 1] = '.';
        dst[e + 2] = '0';
        return (size_t)e + 3;
    }
    if (e < 0 && e >= -4) {
        memcpy(dst, "0.000000", 8);
        memcpy(dst + 1 - e, dig, 24);
        return (size_t)(1 - e + nd);
    }
    size_t n = 1;
    dst[0] = dig[0];
    if (nd > 1) {
        dst[1] = '.';
        memcpy(dst + 2, dig + 1, 16);
        n = (size_t)nd + 1;
    }
    dst[n++] = 'e';
    dst[n++] = e < 0 ? '-' : '+';
    unsigned a = (unsigned)(e < 0 ? -e : e);
    if (a >= 100) {
        dst[n++] = (char)('0' + a / 100);
        a %= 100;
    }
    memcpy(dst + n, digit_pairs + 2 * a, 2);
    return n + 2;
}

size_t pqv_put_double(double v, char *dst) {
    uint64_t b;
    memcpy(&b, &v, 8);
    int be = (int)(b >> 52 & 0x7ff);
    uint64_t frac = b & 0xfffffffffffffull;
    /* Left to the slow path: NaN, infinities, zeros, and powers of two
       outside [1e-5, 1e30), where the lower half of the interval is
       narrower and printf's rounding does not take the shorter decimal
       above as Ryu does. */
    if (be == 0x7ff || (frac == 0 && (be < 1007 || be > 1122)))
        return format_double_slow(v, 0, dst);
    pthread_once(&pow5_once, pow5_init);
    size_t n = b >> 63;
    dst[0] = '-';
    uint64_t m;
    int e10;
    ryu_digits(frac, be, &m, &e10);
    return n + put_shortest(m, e10, dst + n);
}

size_t pqv_format_double(double v, int is_float, char *buf) {
    char tmp[PQV_PUT_MAX];
    if (is_float)
        return format_double_slow(v, 1, buf);
    size_t n = pqv_put_double(v, tmp);
    memcpy(buf, tmp, n);
    return n;
}
#else
size_t pqv_put_double(double v, char *dst) {
    return format_double_slow(v, 0, dst);
}

size_t pqv_format_double(double v, int is_float, char *buf) {
    return format_double_slow(v, is_float, buf);
}
#endif

static float half_to_float(uint16_t h) {
    int sign = h >> 15, exp = (h >> 10) & 0x1f, man = h & 0x3ff;
    float v;
    if (exp == 0)
        v = ldexpf((float)man, -24);
    else if (exp == 31)
        v = man ? NAN : INFINITY;
    else
        v = ldexpf((float)(man | 0x400), exp - 25);
    return sign ? -v : v;
}

/* Decimal text of a big-endian two's complement integer of n bytes with
   scale digits after the point. */
static int fmt_decimal_be(const uint8_t *be, size_t n, int32_t scale, struct pqv_text *out) {
    if (n == 0)
        return pqv_text_put(out, "0", 1);
    int neg = be[0] & 0x80;
    /* magnitude as 32-bit limbs, most significant first */
    size_t nl = (n + 3) / 4;
    uint32_t small[8];
    uint32_t *limb = small;
    int64_t need = (int64_t)nl * 10 + scale + 4;
    if (nl > 8) {
        limb = pool_alloc(out->pool, nl * 4);
        if (!limb)
            return ERR_NOMEM;
    }
    for (size_t i = 0; i < nl; i++)
        limb[i] = 0;
    for (size_t i = 0; i < n; i++) {
        size_t bit = (n - 1 - i) * 8;        /* position of this byte from the right */
        uint8_t b = neg ? (uint8_t)~be[i] : be[i];
        limb[nl - 1 - bit / 32] |= (uint32_t)b << (bit % 32);
    }
    if (neg) {                               /* magnitude = ~x + 1 */
        for (size_t i = nl; i-- > 0;) {
            if (++limb[i] != 0)
                break;
        }
    }
    int err = text_reserve(out, (size_t)need);
    if (err) {
        if (limb != small)
            pool_free(out->pool, limb);
        return err;
    }
    /* digits, least significant first, into the tail of the reservation */
    char *tmp = out->p + out->len + (size_t)need - 1;
    size_t nd = 0;
    size_t top = 0;
    while (top < nl && limb[top] == 0)
        top++;
    while (top < nl) {
        uint64_t rem = 0;
        for (size_t i = top; i < nl; i++) {
            uint64_t cur = rem << 32 | limb[i];
            limb[i] = (uint32_t)(cur / 1000000000u);
            rem = cur % 1000000000u;
        }
        while (top < nl && limb[top] == 0)
            top++;
        for (int k = 0; k < 9; k++) {
            if (top == nl && rem == 0 && k > 0)
                break;
            *tmp-- = (char)('0' + rem % 10);
            rem /= 10;
            nd++;
        }
    }
    if (limb != small)
        pool_free(out->pool, limb);
    /* strip leading zeros produced by the 9-digit groups */
    char *dig = tmp + 1;
    while (nd > 1 && *dig == '0') {
        dig++;
        nd--;
    }
    if (nd == 0) {
        *tmp = '0';
        dig = tmp;
        nd = 1;
    }
    char *w = out->p + out->len;
    if (neg && !(nd == 1 && dig[0] == '0'))
        *w++ = '-';
    if (scale == 0) {
        memmove(w, dig, nd);
        w += nd;
    } else if ((int64_t)nd > scale) {
        size_t ip = nd - (size_t)scale;
        memmove(w, dig, ip);
        w += ip;
        *w++ = '.';
        memmove(w, dig + ip, (size_t)scale);
        w += scale;
    } else {
        /* 0.000ddd: the digits sit at the end of the reservation, past w */
        size_t zeros = (size_t)scale - nd;
        char last[64];
        char *keep = nd <= sizeof last ? last : NULL;
        if (keep)
            memcpy(keep, dig, nd);
        else {
            keep = pool_alloc(out->pool, nd);
            if (!keep)
                return ERR_NOMEM;
            memcpy(keep, dig, nd);
        }
        *w++ = '0';
        *w++ = '.';
        memset(w, '0', zeros);
        w += zeros;
        memcpy(w, keep, nd);
        w += nd;
        if (keep != last)
            pool_free(out->pool, keep);
    }
    out->len = (size_t)(w - out->p);
    return ERR_OK;
}

/* ---- dates and times ---- */

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

/* HH:MM:SS[.fraction] of secs seconds and frac units of 10^-digits s. */
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

/* fmt_date()'s text, quicker for years 1 to 9999. */
static size_t put_date(int64_t days, char *buf) {
    int64_t y;
    unsigned m, d;
    ty_civil_from_days(days, &y, &m, &d);
    if (y < 1 || y > 9999)
        return fmt_date(days, buf);
    memcpy(buf, digit_pairs + 2 * (y / 100), 2);
    memcpy(buf + 2, digit_pairs + 2 * (y % 100), 2);
    buf[4] = '-';
    memcpy(buf + 5, digit_pairs + 2 * m, 2);
    buf[7] = '-';
    memcpy(buf + 8, digit_pairs + 2 * d, 2);
    return 10;
}

/* A timestamp of v units of 1 / per_sec seconds since the epoch: date,
   clock with the fraction in digits digits less its trailing zeros, "+00"
   when utc.  The date part is remembered in *day when not NULL. */
static size_t put_epoch(int64_t v, int64_t per_sec, int digits, int utc, struct pqv_day *day, char *buf) {
    int64_t r = v % per_sec;         /* no s * per_sec: it overflows near INT64_MIN */
    int64_t s = v / per_sec;
    if (r < 0) {
        r += per_sec;
        s--;
    }
    int64_t days = floor_div(s, 86400);
    unsigned sod = (unsigned)(s - days * 86400);
    size_t n;
    if (day && day->day == days) {
        memcpy(buf, day->text, sizeof day->text);
        n = day->len;
    } else {
        n = put_date(days, buf);
        buf[n++] = ' ';
        if (day && n <= sizeof day->text) {
            memcpy(day->text, buf, n);
            day->len = n;
            day->day = days;
        }
    }
    memcpy(buf + n, digit_pairs + 2 * (sod / 3600), 2);
    buf[n + 2] = ':';
    memcpy(buf + n + 3, digit_pairs + 2 * (sod / 60 % 60), 2);
    buf[n + 5] = ':';
    memcpy(buf + n + 6, digit_pairs + 2 * (sod % 60), 2);
    n += 8;
    if (r) {
        buf[n++] = '.';
        put_digits((uint64_t)r, buf + n + digits, digits);
        int k = digits;
        while (buf[n + k - 1] == '0')
            k--;
        n += (size_t)k;
    }
    if (utc) {
        memcpy(buf + n, "+00", 3);
        n += 3;
    }
    return n;
}

static size_t fmt_interval(int32_t months, int32_t days, int64_t micros, char *buf) {
    size_t n = 0;
    int32_t years = months / 12;
    months -= years * 12;
    struct { int64_t v; const char *unit; } part[3] = {
        { years, " year" }, { months, " month" }, { days, " day" }
    };
    for (int i = 0; i < 3; i++) {
        if (part[i].v == 0)
            continue;
        if (n)
            buf[n++] = ' ';
        n += fmt_i64(part[i].v, buf + n);
        size_t k = strlen(part[i].unit);
        memcpy(buf + n, part[i].unit, k);
        n += k;
        if (part[i].v != 1)
            buf[n++] = 's';
    }
    if (micros != 0) {
        if (n)
            buf[n++] = ' ';
        if (micros < 0) {
            buf[n++] = '-';
            micros = -micros;
        }
        n += fmt_clock(micros / 1000000, (uint64_t)(micros % 1000000), 6, buf + n);
    } else if (n == 0) {
        memcpy(buf, "00:00:00", 8);
        n = 8;
    }
    return n;
}

/* ---- byte arrays ---- */

static int fmt_blob(const uint8_t *p, size_t n, struct pqv_text *out) {
    static const char hex[] = "0123456789ABCDEF";
    size_t need = 0;
    for (size_t i = 0; i < n; i++)
        need += (p[i] >= 32 && p[i] <= 126 && p[i] != '\\' && p[i] != '\'' && p[i] != '"') ? 1 : 4;
    FORWARD_IF_ERROR(text_reserve(out, need));
    char *w = out->p + out->len;
    for (size_t i = 0; i < n; i++) {
        uint8_t c = p[i];
        if (c >= 32 && c <= 126 && c != '\\' && c != '\'' && c != '"') {
            *w++ = (char)c;
        } else {
            *w++ = '\\';
            *w++ = 'x';
            *w++ = hex[c >> 4];
            *w++ = hex[c & 15];
        }
    }
    out->len += need;
    return ERR_OK;
}

static int fmt_hex(const uint8_t *p, size_t n, struct pqv_text *out) {
    static const char hex[] = "0123456789abcdef";
    if (n > SIZE_MAX / 2)
        return ERR_NOMEM;
    FORWARD_IF_ERROR(text_reserve(out, 2 * n));
    char *w = out->p + out->len;
    for (size_t i = 0; i < n; i++) {
        *w++ = hex[p[i] >> 4];
        *w++ = hex[p[i] & 15];
    }
    out->len += 2 * n;
    return ERR_OK;
}

static size_t fmt_uuid(const uint8_t *p, char *buf) {
    static const char hex[] = "0123456789abcdef";
    size_t n = 0;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            buf[n++] = '-';
        buf[n++] = hex[p[i] >> 4];
        buf[n++] = hex[p[i] & 15];
    }
    return n;
}

/* ---- WKB to WKT ---- */

struct wkb {
    const uint8_t *p, *end;
    struct pqv_text *out;
};

static int wkb_u32(struct wkb *w, int le, uint32_t *v) {
    RETURN_ERROR_IF(w->end - w->p < 4, ERR_CORRUPT);
    const uint8_t *p = w->p;
    *v = le ? enc_load_u32le(p) : (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
    w->p += 4;
    return ERR_OK;
}

static int wkb_f64(struct wkb *w, int le, double *v) {
    RETURN_ERROR_IF(w->end - w->p < 8, ERR_CORRUPT);
    uint64_t u = 0;
    for (int i = 0; i < 8; i++)
        u |= (uint64_t)w->p[le ? i : 7 - i] << (8 * i);
    memcpy(v, &u, 8);
    w->p += 8;
    return ERR_OK;
}

static int wkb_put(struct wkb *w, const char *s) {
    return pqv_text_put(w->out, s, strlen(s));
}

/* One coordinate tuple of dims numbers, shortest text without ".0". */
static int wkb_point(struct wkb *w, int le, int dims) {
    for (int d = 0; d < dims; d++) {
        double v;
        char buf[40];
        FORWARD_IF_ERROR(wkb_f64(w, le, &v));
        size_t n = pqv_format_double(v, 0, buf);
        if (n > 2 && buf[n - 2] == '.' && buf[n - 1] == '0')
            n -= 2;
        if (d)
            FORWARD_IF_ERROR(pqv_text_put(w->out, " ", 1));
        FORWARD_IF_ERROR(pqv_text_put(w->out, buf, n));
    }
    return ERR_OK;
}

/* n points in parentheses (or EMPTY). */
static int wkb_points(struct wkb *w, int le, int dims) {
    uint32_t n;
    FORWARD_IF_ERROR(wkb_u32(w, le, &n));
    if (n == 0)
        return wkb_put(w, "EMPTY");
    RETURN_ERROR_IF((size_t)(w->end - w->p) / 8 / (size_t)dims < n, ERR_CORRUPT);
    FORWARD_IF_ERROR(wkb_put(w, "("));
    for (uint32_t i = 0; i < n; i++) {
        if (i)
            FORWARD_IF_ERROR(wkb_put(w, ", "));
        FORWARD_IF_ERROR(wkb_point(w, le, dims));
    }
    return wkb_put(w, ")");
}

static int wkb_geometry(struct wkb *w, int depth, int named);

/* n rings (polygon) or n sub-geometries. */
static int wkb_parts(struct wkb *w, int le, int dims, int kind, int depth) {
    uint32_t n;
    FORWARD_IF_ERROR(wkb_u32(w, le, &n));
    if (n == 0)
        return wkb_put(w, "EMPTY");
    RETURN_ERROR_IF((size_t)(w->end - w->p) / 4 < n, ERR_CORRUPT);
    FORWARD_IF_ERROR(wkb_put(w, "("));
    for (uint32_t i = 0; i < n; i++) {
        if (i)
            FORWARD_IF_ERROR(wkb_put(w, ", "));
        if (kind == 3) {
            FORWARD_IF_ERROR(wkb_points(w, le, dims));
        } else if (kind == 4) {           /* multipoint: bare coordinates */
            RETURN_ERROR_IF(w->end - w->p < 5, ERR_CORRUPT);
            int ple = w->p[0] == 1;
            w->p += 5;
            FORWARD_IF_ERROR(wkb_point(w, ple, dims));
        } else {
            FORWARD_IF_ERROR(wkb_geometry(w, depth + 1, kind == 7));
        }
    }
    return wkb_put(w, ")");
}

/* One geometry; named = 0 inside MULTILINESTRING and MULTIPOLYGON, whose
   parts are written without their type. */
static int wkb_geometry(struct wkb *w, int depth, int named) {
    static const char *const names[] = {
        "", "POINT", "LINESTRING", "POLYGON", "MULTIPOINT", "MULTILINESTRING", "MULTIPOLYGON",
        "GEOMETRYCOLLECTION"
    };
    RETURN_ERROR_IF(depth > 32 || w->end - w->p < 1, ERR_CORRUPT);
    RETURN_ERROR_IF(w->p[0] > 1, ERR_CORRUPT);
    int le = *w->p++ == 1;
    uint32_t t;
    FORWARD_IF_ERROR(wkb_u32(w, le, &t));
    int z = (t & 0x80000000u) != 0, m = (t & 0x40000000u) != 0;
    if (t & 0x20000000u) {
        uint32_t srid;
        FORWARD_IF_ERROR(wkb_u32(w, le, &srid));
    }
    t &= 0x0fffffffu;
    uint32_t iso = t / 1000, kind = t % 1000;
    RETURN_ERROR_IF(iso > 3 || kind < 1 || kind > 7, ERR_CORRUPT);
    z |= iso == 1 || iso == 3;
    m |= iso == 2 || iso == 3;
    int dims = 2 + z + m;
    if (named) {
        FORWARD_IF_ERROR(wkb_put(w, names[kind]));
        FORWARD_IF_ERROR(wkb_put(w, z && m ? " ZM " : z ? " Z " : m ? " M " : " "));
    }
    if (kind == 1) {
        const uint8_t *at = w->p;
        int empty = 1;
        for (int d = 0; d < dims; d++) {
            double v;
            FORWARD_IF_ERROR(wkb_f64(w, le, &v));
            empty &= isnan(v);
        }
        if (empty)
            return wkb_put(w, "EMPTY");
        w->p = at;
        FORWARD_IF_ERROR(wkb_put(w, "("));
        FORWARD_IF_ERROR(wkb_point(w, le, dims));
        return wkb_put(w, ")");
    }
    if (kind == 2)
        return wkb_points(w, le, dims);
    return wkb_parts(w, le, dims, (int)kind, depth);
}

/* WKT of a WKB value; ERR_CORRUPT (output unchanged) when it is not WKB. */
static int fmt_wkt(const uint8_t *p, size_t n, struct pqv_text *out) {
    size_t start = out->len;
    struct wkb w = { p, p + n, out };
    int err = wkb_geometry(&w, 0, 1);
    if (!err && w.p != w.end)
        err = ERR_CORRUPT;
    if (err)
        out->len = start;
    return err;
}

/* ---- the dispatcher ---- */

static int width_ok(const struct pqv_type *t, size_t n) {
    switch (t->physical) {
    case PQ_BOOLEAN: return n == 1;
    case PQ_INT32: case PQ_FLOAT: return n == 4;
    case PQ_INT64: case PQ_DOUBLE: return n == 8;
    case PQ_INT96: return n == 12;
    case PQ_FIXED_LEN_BYTE_ARRAY: return t->type_length < 0 || n == (size_t)t->type_length;
    default: return 1;
    }
}

static int64_t load_int(const struct pqv_type *t, const uint8_t *p) {
    return t->physical == PQ_INT32 ? (int64_t)(int32_t)enc_load_u32le(p)
                                   : (int64_t)enc_load_u64le(p);
}

int pqv_width_ok(const struct pqv_type *t, size_t n) {
    return width_ok(t, n);
}

int pqv_put_ok(const struct pqv_type *t) {
    switch (t->kind) {
    case PQV_BOOL: case PQV_INT: case PQV_UINT: case PQV_FLOAT: case PQV_DOUBLE: case PQV_FLOAT16:
    case PQV_DATE: case PQV_TIME: case PQV_TIMESTAMP: case PQV_INT96: case PQV_INTERVAL: case PQV_UUID:
        return 1;
    default:
        return 0;
    }
}

size_t pqv_put(const struct pqv_type *t, const uint8_t *p, struct pqv_day *day, char *dst) {
    switch (t->kind) {
    case PQV_BOOL:
        memcpy(dst, p[0] ? "true" : "false", 5);
        return p[0] ? 4 : 5;
    case PQV_INT:
        return pqv_put_i64(load_int(t, p), dst);
    case PQV_UINT:
        return pqv_put_u64(t->physical == PQ_INT32 ? enc_load_u32le(p) : enc_load_u64le(p), dst);
    case PQV_FLOAT: {
        uint32_t u = enc_load_u32le(p);
        float f;
        memcpy(&f, &u, 4);
        return pqv_format_double(f, 1, dst);
    }
    case PQV_DOUBLE: {
        uint64_t u = enc_load_u64le(p);
        double d;
        memcpy(&d, &u, 8);
        return pqv_put_double(d, dst);
    }
    case PQV_FLOAT16:
        return pqv_format_double(half_to_float((uint16_t)(p[0] | p[1] << 8)), 1, dst);
    case PQV_DATE:
        return put_date((int32_t)enc_load_u32le(p), dst);
    case PQV_TIME: {
        int64_t v = load_int(t, p);
        int64_t per = t->unit == PQ_MILLIS ? 1000 : t->unit == PQ_MICROS ? 1000000 : 1000000000;
        int digits = t->unit == PQ_MILLIS ? 3 : t->unit == PQ_MICROS ? 6 : 9;
        int64_t r = v % per, s = v / per;    /* floor, without s * per overflowing */
        if (r < 0) {
            r += per;
            s--;
        }
        size_t k = fmt_clock(s, (uint64_t)r, digits, dst);
        if (t->utc) {
            memcpy(dst + k, "+00", 3);
            k += 3;
        }
        return k;
    }
    case PQV_TIMESTAMP: {
        int64_t v = load_int(t, p);
        if (t->unit == PQ_MICROS && (v == INT64_MAX || v == -INT64_MAX)) {
            memcpy(dst, v > 0 ? "infinity" : "-infinity", 9);
            return v > 0 ? 8 : 9;
        }
        if (t->unit == PQ_MILLIS)
            return put_epoch(v, 1000, 3, t->utc, day, dst);
        if (t->unit == PQ_MICROS)
            return put_epoch(v, 1000000, 6, t->utc, day, dst);
        if (t->utc)
            return put_epoch(v / 1000, 1000000, 6, 1, day, dst);
        return put_epoch(v, 1000000000, 9, 0, day, dst);
    }
    case PQV_INT96: {
        /* nanoseconds of the day, then the Julian day; to microseconds
           with 64-bit wrap-around, as DuckDB and Spark compute it */
        int64_t nanos = (int64_t)enc_load_u64le(p);
        uint64_t days = (uint64_t)enc_load_u32le(p + 8) - 2440588u;
        int64_t micros = (int64_t)(days * 86400000000u + (uint64_t)(nanos / 1000));
        return put_epoch(micros, 1000000, 6, 0, day, dst);
    }
    case PQV_INTERVAL:
        return fmt_interval((int32_t)enc_load_u32le(p), (int32_t)enc_load_u32le(p + 4),
                            (int64_t)enc_load_u32le(p + 8) * 1000, dst);
    case PQV_UUID:
        return fmt_uuid(p, dst);
    default:
        return 0;
    }
}

int pqv_format(const struct pqv_type *t, const uint8_t *p, size_t n, struct pqv_text *out) {
    char buf[PQV_PUT_MAX];
    if (t->kind == PQV_NULL)
        return ERR_OK;
    if (!width_ok(t, n))
        return ERR_CORRUPT;
    if (pqv_put_ok(t))
        return pqv_text_put(out, buf, pqv_put(t, p, NULL, buf));
    switch (t->kind) {
    case PQV_DECIMAL:
        if (t->physical == PQ_INT32 || t->physical == PQ_INT64) {
            uint8_t be[8];
            uint64_t v = (uint64_t)load_int(t, p);
            for (int i = 0; i < 8; i++)
                be[i] = (uint8_t)(v >> (56 - 8 * i));
            return fmt_decimal_be(be, 8, t->scale, out);
        }
        return fmt_decimal_be(p, n, t->scale, out);
    case PQV_STRING:
        return pqv_text_put(out, p, n);
    case PQV_HEX:
        return fmt_hex(p, n, out);
    case PQV_WKB: {
        int err = fmt_wkt(p, n, out);
        return err == ERR_CORRUPT ? fmt_blob(p, n, out) : err;
    }
    default:
        return fmt_blob(p, n, out);
    }
}

int pqv_json_string(struct pqv_text *out, const void *s, size_t n) {
    static const char hex[] = "0123456789abcdef";
    static const char short_esc[32] = {
        ['\b'] = 'b', ['\f'] = 'f', ['\n'] = 'n', ['\r'] = 'r', ['\t'] = 't'
    };
    const uint8_t *p = s;
    size_t need = 2;
    for (size_t i = 0; i < n; i++)
        need += p[i] == '"' || p[i] == '\\' ? 2 : p[i] < 0x20 ? (short_esc[p[i]] ? 2 : 6) : 1;
    FORWARD_IF_ERROR(text_reserve(out, need));
    char *w = out->p + out->len;
    *w++ = '"';
    for (size_t i = 0; i < n; i++) {
        uint8_t c = p[i];
        if (c == '"' || c == '\\') {
            *w++ = '\\';
            *w++ = (char)c;
        } else if (c < 0x20 && short_esc[c]) {
            *w++ = '\\';
            *w++ = short_esc[c];
        } else if (c < 0x20) {
            *w++ = '\\';
            *w++ = 'u';
            *w++ = '0';
            *w++ = '0';
            *w++ = hex[c >> 4];
            *w++ = hex[c & 15];
        } else {
            *w++ = (char)c;
        }
    }
    *w++ = '"';
    out->len += need;
    return ERR_OK;
}

int pqv_format_json(const struct pqv_type *t, const uint8_t *p, size_t n, struct pqv_text *out) {
    switch (t->kind) {
    case PQV_NULL:
        return pqv_text_put(out, "null", 4);
    case PQV_STRING:
        return pqv_json_string(out, p, n);
    case PQV_BOOL: case PQV_INT: case PQV_UINT: case PQV_DECIMAL:
        return pqv_format(t, p, n, out);
    default:
        break;
    }
    size_t start = out->len;
    FORWARD_IF_ERROR(pqv_format(t, p, n, out));
    if (t->kind == PQV_FLOAT || t->kind == PQV_DOUBLE || t->kind == PQV_FLOAT16) {
        char c = out->p[start] == '-' ? out->p[start + 1] : out->p[start];
        if (c != 'n' && c != 'i')
            return ERR_OK;
    }
    /* quote the text just written */
    size_t len = out->len - start;
    char small[128];
    char *copy = len <= sizeof small ? small : pool_alloc(out->pool, len);
    if (!copy)
        return ERR_NOMEM;
    memcpy(copy, out->p + start, len);
    out->len = start;
    int err = pqv_json_string(out, copy, len);
    if (copy != small)
        pool_free(out->pool, copy);
    return err;
}
